//! Exact allocations per call of every R→C strategy, both sides, and the bytes each copies. The
//! counts are registered beside each strategy (`strategies!`) and checked by `check_scenario`,
//! the check the runner makes before timing; here every case of the full sweep passes it, cases
//! built off the sweep pass it too, and a case registered with wrong counts fails it. What a
//! registration does not state (bytes allocated, values written, set-up costs) is checked below.

use std::cell::Cell;
use std::hint::black_box;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Arc;

use lab_bench::case::{check_scenario, Case, Expect, Scenario, Sweep};
use lab_bench::command::run;
use lab_bench::engines::criterion::R2c;
use lab_bench::options::{Options, Pass};
use lab_bench::params;
use lab_bench::r2c::{
    self, s01_call_floor as s01, s02_pass_string as s02, s05_pass_batch as s05,
    s06_read_headers as s06,
};
use lab_bench::r2c::{s08_cross_thread_writes as s08, s09_request_lifetime as s09};
use lab_sys::host::LabError;

/// Every case of every scenario measures the counts registered with it, frees what it
/// allocates, and strategies at the same parameters compute the same checksum: none can look
/// fast by doing less, nor start allocating unnoticed.
#[test]
fn every_case_of_the_full_sweep_measures_its_registered_counts_and_agrees() {
    for scenario in r2c::SCENARIOS {
        let cases = (scenario.cases)(Sweep::Full);
        assert!(!cases.is_empty(), "{} has cases", scenario.id);
        for (case, c) in cases.iter().zip(check_scenario(scenario, &cases)) {
            // check_scenario already panics on a mismatch; stated here so this test does not
            // depend on it.
            assert!(case.expect.matches(&c), "{}: {c:?}", case.id(scenario.id));
            assert!(c.balanced, "{} leaks", case.id(scenario.id));
        }
    }
}

/// The registrations at points the sweep skips: one past each stack threshold (S05's and S06's
/// 16 slots, the threshold sweep's 4 and 64) and a length that is not a multiple of 8.
#[test]
fn cases_built_off_the_sweep_measure_their_registered_counts() {
    check_scenario(&s01::SCENARIO, &s01::cases_at(&[100]));
    check_scenario(&s05::SCENARIO, &s05::cases_at(&[17]));
    check_scenario(
        &s06::SCENARIO,
        &s06::cases_at(&[5, 17, 65], &[5, 129, 257], &[0, 4, 128, 256]),
    );
}

/// The panic message of `check_scenario` on `cases`, which must fail.
fn rejection(scenario: &Scenario, cases: &[Case]) -> String {
    let err = catch_unwind(AssertUnwindSafe(|| check_scenario(scenario, cases)))
        .expect_err("the check rejects the case");
    err.downcast_ref::<String>()
        .cloned()
        .expect("a formatted message")
}

#[test]
fn a_case_registered_with_wrong_counts_is_rejected_with_its_id_and_both_counts() {
    let len = 8;
    let input = Rc::new(s02::Payload::new(lab_sys::payload(len, 2)));
    // The NUL forgotten: one byte short, the allocation right.
    let cases = [Case::new(
        "cstring",
        &params!(len),
        Expect::new(1, 0, len),
        &input,
        s02::cstring,
    )];
    assert_eq!(
        rejection(&s02::SCENARIO, &cases),
        "s02_pass_string/cstring/len=8: counts per call differ from its registration: expected \
         Rust allocs 1, C allocs 0, bytes copied 8; measured Rust allocs 1, C allocs 0, bytes \
         copied 9"
    );
}

thread_local! {
    /// Calls of [`stray`] on this test's thread.
    static STRAY_CALLS: Cell<u64> = const { Cell::new(0) };
}

/// Allocates in its second call only: the first of the counted calls after the warm-up.
fn stray(_: &()) -> Result<u64, LabError> {
    let n = STRAY_CALLS.get();
    STRAY_CALLS.set(n + 1);
    if n == 1 {
        black_box(vec![0u8; 1]);
    }
    Ok(0)
}

fn stray_cases(_: Sweep) -> Vec<Case> {
    vec![Case::new(
        "stray",
        &params!(),
        Expect::NONE,
        &Rc::new(()),
        stray,
    )]
}

/// A scenario whose one case allocates once in 64 calls, registered as allocating nothing.
const STRAY: Scenario = Scenario {
    id: "under_test",
    strategies_agree: false,
    cases: stray_cases,
};

/// The comparison is exact: one allocation in the counted calls is a fraction per call, and fails.
#[test]
fn one_stray_allocation_in_the_counted_calls_is_rejected() {
    STRAY_CALLS.set(0);
    let msg = rejection(&STRAY, &stray_cases(Sweep::Full));
    assert!(
        msg.starts_with("under_test/stray/: counts per call differ from its registration"),
        "{msg}"
    );
    assert!(
        msg.ends_with("measured Rust allocs 0.015625, C allocs 0, bytes copied 0"),
        "{msg}"
    );
}

/// The runner checks the counts before anything else: in test mode (`cargo test --benches`) and in
/// a timed run, a wrong registration panics after the check's calls, before any timed call or
/// written file.
#[test]
fn the_runner_rejects_wrong_counts_before_timing() {
    let out = std::env::temp_dir().join(format!("lab-counts-{}", std::process::id()));
    for pass in [Pass::Check, Pass::Time] {
        STRAY_CALLS.set(0);
        let opts = Options {
            sweep: Sweep::Quick,
            pass,
            filter: None,
            out_root: out.clone(),
        };
        let engine = R2c {
            scenarios: &[&STRAY],
        };
        let err = catch_unwind(|| run(&opts, &engine)).expect_err("the runner rejects the case");
        let msg = err.downcast_ref::<String>().expect("a formatted message");
        assert!(
            msg.contains("under_test/stray/: counts per call differ"),
            "{msg}"
        );
        assert_eq!(
            STRAY_CALLS.get(),
            1 + lab_record::COUNT_CALLS,
            "{pass:?}: only the check's calls ran"
        );
    }
    assert!(!out.exists(), "nothing written");
}

/// What the registrations leave out, the bytes allocated: `cstring` allocates exactly its copy,
/// the bytes and the NUL; S13's strategies allocate nothing after the warm-up.
#[test]
fn cstring_allocates_its_copy_s13_nothing() {
    let cases = (s02::SCENARIO.cases)(Sweep::Full);
    for (case, c) in cases.iter().zip(check_scenario(&s02::SCENARIO, &cases)) {
        if case.strategy == "cstring" {
            let len = case.params.0[0].1;
            assert_eq!(c.bytes_allocated, (len + 1) as f64, "{}", case.params);
        }
    }
    let s13 = &r2c::s13_ownership::SCENARIO;
    let cases = (s13.cases)(Sweep::Full);
    for (case, c) in cases.iter().zip(check_scenario(s13, &cases)) {
        assert_eq!(c.bytes_allocated, 0.0, "{}", case.id(s13.id));
    }
}

#[test]
fn the_checksum_reflects_the_bytes() {
    // A strategy that skipped the work would return a different checksum.
    let a = s02::ptr_len(&s02::Payload::new(b"abc".to_vec())).unwrap();
    let b = s02::ptr_len(&s02::Payload::new(b"abd".to_vec())).unwrap();
    assert_ne!(a, b);
    assert_eq!(a, lab_sys::host::touch(b"abc"));
}

/// S08: every writer's value lands, posted or locked, in each case the scenario registers.
#[test]
fn s08_every_writers_value_lands() {
    for wait in [true, false] {
        let input = Arc::new(s08::Input::new(wait).unwrap());
        for writers in s08::WRITERS.iter().copied() {
            check_scenario(&s08::SCENARIO, &s08::cases_on(&input, writers));
            for w in 0..writers {
                assert_eq!(input.posted_value(w).as_deref(), Some(input.value()));
                assert_eq!(input.locked_value(w).as_deref(), Some(input.value()));
            }
        }
    }
}

/// S09: one list of strategies, and the native floor, at every thread count.
#[test]
fn s09_every_strategy_at_every_thread_count() {
    let cases = (s09::SCENARIO.cases)(Sweep::Full);
    assert_eq!(cases.len(), (1 + 3) * s09::THREADS.len());
    for threads in s09::THREADS {
        let at: Vec<&str> = cases
            .iter()
            .filter(|c| c.params.0 == [("threads", *threads as u64)])
            .map(|c| c.strategy)
            .collect();
        assert_eq!(
            at,
            ["native", "unchecked", "weak_upgrade", "generation_handle"]
        );
    }
}

/// The extension's reused `Vec` is `copy`'s only Rust allocation, made on the first chunk.
#[test]
fn s13_copy_allocates_once_on_the_first_chunk() {
    use lab_bench::r2c::s13_ownership as s13;
    let body = s13::Body::new(4096, 1).unwrap();
    let (res, first) = lab_sys::alloc::usage_of(|| s13::copy(&body));
    res.unwrap();
    assert_eq!((first.rust_allocs, first.c_allocs), (1, 0));
    assert_eq!(first.bytes_allocated, 4096);
    assert_eq!(first.bytes_copied, 2 * 4096);
}

/// Setting up one case costs the host exactly its buffers and streams: per stream the stream
/// and its data, per buffer one block of the chunk size; dropping the case frees them all.
#[test]
fn s13_host_allocates_the_buffers_and_streams_once() {
    use lab_bench::r2c::s13_ownership as s13;
    let len = 4096;
    let (body, setup) = lab_sys::alloc::usage_of(|| s13::Body::new(len, 3).unwrap());
    // Three streams (struct + 3 chunks each), four buffers (one for copy, two for double_buffer,
    // one for the native floor).
    assert_eq!(setup.c_allocs, 3 * 2 + 4);
    assert_eq!(setup.bytes_copied, 0);
    let (_, teardown) = lab_sys::alloc::usage_of(|| drop(body));
    assert_eq!(teardown.c_frees, setup.c_allocs);
}

/// Over distinct chunks both strategies read, call after call, exactly the chunk the stream just
/// delivered: `double_buffer` never reads the buffer it handed back.
#[test]
fn s13_each_strategy_reads_the_chunk_just_received() {
    use lab_bench::r2c::s13_ownership as s13;
    use lab_sys::host::{BodyBuf, Stream};
    let (len, n) = (1000, 3); // not a multiple of 8: the tail counts too
    let mut stream = Stream::new(len, n, s13::SEED).unwrap();
    let mut buf = BodyBuf::with_capacity(len).unwrap();
    let expected: Vec<u64> = (0..2 * n)
        .map(|_| {
            stream.receive(&mut buf).unwrap();
            s13::checksum(buf.as_bytes())
        })
        .collect();
    assert_ne!(expected[0], expected[1], "the chunks differ");
    assert_eq!(expected[0], expected[n], "the stream cycles");
    let body = s13::Body::new(len, n).unwrap();
    let copy: Vec<u64> = (0..2 * n).map(|_| s13::copy(&body).unwrap()).collect();
    let handoff: Vec<u64> = (0..2 * n)
        .map(|_| s13::double_buffer(&body).unwrap())
        .collect();
    assert_eq!(copy, expected);
    assert_eq!(handoff, expected);
}
