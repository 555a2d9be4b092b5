//! Exact allocations per call of every R→C strategy, both sides, and the bytes each copies. These
//! are the numbers the report prints, measured by the same code (`check_case`), so a strategy
//! that starts allocating fails here before it shows up as slower.

use std::rc::Rc;
use std::sync::Arc;

use lab_bench::case::{check_case, check_scenario, Case, Checked, Sweep};
use lab_bench::r2c::{
    self, s01_call_floor as s01, s02_pass_string as s02, s03_unknown_length as s03,
};
use lab_bench::r2c::{s04_known_length as s04, s05_pass_batch as s05, s06_read_headers as s06};
use lab_bench::r2c::{s08_cross_thread_writes as s08, s09_request_lifetime as s09};

fn checked<I: 'static>(
    input: I,
    f: impl Fn(&I) -> Result<u64, lab_sys::host::LabError> + 'static,
) -> Checked {
    let case = Case::new("under_test", &lab_bench::params!(), &Rc::new(input), f);
    check_case(&case).expect("strategy runs on valid input")
}

/// (Rust allocs, C allocs, bytes copied) per call.
fn counts(c: Checked) -> (f64, f64, f64) {
    (c.rust_allocs, c.c_allocs, c.bytes_copied)
}

#[test]
fn s01_floor_allocates_nothing() {
    for f in [s01::empty_call, s01::call_with_args, s01::rust_call] {
        assert_eq!(counts(checked(s01::Input::new(16), f)), (0.0, 0.0, 0.0));
    }
    assert_eq!(
        counts(checked(s01::Input::new(100), s01::memcpy)),
        (0.0, 0.0, 100.0)
    );
}

#[test]
fn s02_ptr_len_none_cstring_one() {
    for len in [8, 64, 4096] {
        let p = || s02::Payload(lab_sys::payload(len, 9));
        assert_eq!(
            counts(checked(p(), s02::ptr_len)),
            (0.0, 0.0, 0.0),
            "ptr_len at {len}"
        );
        let c = checked(p(), s02::cstring);
        assert_eq!(counts(c), (1.0, 0.0, (len + 1) as f64), "cstring at {len}");
        assert_eq!(c.bytes_allocated, (len + 1) as f64);
        assert!(c.balanced, "cstring frees what it allocates");
    }
}

#[test]
fn s03_borrow_none_clones_one() {
    for len in [8, 4096, 65536] {
        let fx = || s03::HeaderFixture::new(len);
        assert_eq!(
            counts(checked(fx(), s03::borrow)),
            (0.0, 0.0, 0.0),
            "borrow at {len}"
        );
        assert_eq!(
            counts(checked(fx(), s03::clone_on_return)),
            (1.0, 0.0, len as f64),
            "clone_on_return at {len}"
        );
        assert_eq!(
            counts(checked(fx(), s03::clone_utf8)),
            (1.0, 0.0, len as f64),
            "clone_utf8 at {len}"
        );
    }
}

#[test]
fn s04_prealloc_strategies() {
    for len in [8, 4096, 16384] {
        let known = || s04::Known {
            fixture: s03::HeaderFixture::new(len),
            reused: Default::default(),
        };
        // The host does the one copy, into memory the caller allocated.
        assert_eq!(
            counts(checked(known(), s04::prealloc_heap)),
            (1.0, 0.0, len as f64),
            "prealloc_heap at {len}"
        );
        assert_eq!(
            counts(checked(known(), s04::prealloc_reused)),
            (0.0, 0.0, len as f64),
            "prealloc_reused at {len}"
        );
        assert_eq!(
            counts(checked(known(), s04::prealloc_stack)),
            (0.0, 0.0, len as f64),
            "prealloc_stack at {len}"
        );
        assert_eq!(
            counts(checked(known(), s04::clone_on_return)),
            (1.0, 0.0, len as f64),
            "clone_on_return at {len}"
        );
    }
}

#[test]
fn s05_batches_on_the_stack_up_to_16() {
    for n in [1, 16, 17, 256] {
        let batch = || s05::Batch::new(n);
        let bytes: usize = batch().items.iter().map(Vec::len).sum();
        let arrays = if n <= 16 { 0.0 } else { 1.0 };
        assert_eq!(
            counts(checked(batch(), s05::pinned_batch)),
            (arrays, 0.0, 0.0),
            "pinned_batch at {n}"
        );
        // One CString per item, plus the CString array and the pointer array above 16.
        assert_eq!(
            counts(checked(batch(), s05::cstring_each)),
            (n as f64 + 2.0 * arrays, 0.0, (bytes + n) as f64),
            "cstring_each at {n}"
        );
        assert_eq!(
            counts(checked(batch(), s05::packed)),
            (0.0, 0.0, bytes as f64),
            "packed at {n}"
        );
    }
}

#[test]
fn s06_header_strategies() {
    for n in [1, 16, 17, 128] {
        for k in s06::reads(n) {
            let h = || s06::Headers::new(n, k);
            let bytes = h().entry.bytes as f64;
            let slots = if n <= 16 { 0.0 } else { 1.0 };
            assert_eq!(
                counts(checked(h(), s06::per_header_call)),
                (0.0, 0.0, 0.0),
                "per_header_call n={n} k={k}"
            );
            assert_eq!(
                counts(checked(h(), s06::bulk_borrow)),
                (slots, 0.0, 0.0),
                "bulk_borrow n={n} k={k}"
            );
            assert_eq!(
                counts(checked(h(), s06::bulk_copy)),
                (1.0 + slots, 0.0, bytes),
                "bulk_copy n={n} k={k}"
            );
        }
    }
}

#[test]
fn s06_stack_threshold_sweep_spills_above_the_threshold() {
    for n in [4, 5, 64, 65] {
        let h = || s06::Headers::new(n, 1);
        assert_eq!(
            checked(h(), s06::stack_slots::<0>).rust_allocs,
            1.0,
            "threshold 0, n={n}"
        );
        assert_eq!(
            checked(h(), s06::stack_slots::<4>).rust_allocs,
            if n <= 4 { 0.0 } else { 1.0 },
            "threshold 4, n={n}"
        );
        assert_eq!(
            checked(h(), s06::stack_slots::<64>).rust_allocs,
            if n <= 64 { 0.0 } else { 1.0 },
            "threshold 64, n={n}"
        );
    }
}

/// Every case of every scenario runs, frees what it allocates, and strategies at the same
/// parameters compute the same checksum: none can look fast by doing less.
#[test]
fn every_case_of_the_full_sweep_runs_and_agrees() {
    for scenario in r2c::SCENARIOS {
        let cases = (scenario.cases)(Sweep::Full);
        assert!(!cases.is_empty(), "{} has cases", scenario.id);
        for (case, c) in cases.iter().zip(check_scenario(scenario, &cases)) {
            assert!(c.balanced, "{} leaks", case.id(scenario.id));
        }
    }
}

#[test]
fn the_checksum_reflects_the_bytes() {
    // A strategy that skipped the work would return a different checksum.
    let a = s02::ptr_len(&s02::Payload(b"abc".to_vec())).unwrap();
    let b = s02::ptr_len(&s02::Payload(b"abd".to_vec())).unwrap();
    assert_ne!(a, b);
    assert_eq!(a, lab_sys::host::touch(b"abc"));
}

/// S08: a posted write allocates its task, which carries the value (freed on the worker, and
/// credited here); a locked write allocates nothing in Rust. Either way the host allocates
/// the new header block and frees the old one. Every writer's value lands.
#[test]
fn s08_post_allocates_the_task_and_its_copy_mutex_nothing() {
    for wait in [true, false] {
        let input = Arc::new(s08::Input::new(wait).unwrap());
        for writers in s08::WRITERS.iter().copied() {
            let post = check_case(&s08::case("post", s08::post, &input, writers)).unwrap();
            let len = s08::VALUE_LEN as f64;
            assert_eq!(counts(post), (1.0, 1.0, len), "post, {writers} writers");
            assert!(
                post.balanced,
                "post frees on the worker what writers allocate"
            );
            let mutex = check_case(&s08::case("mutex", s08::mutex, &input, writers)).unwrap();
            assert_eq!(counts(mutex), (0.0, 1.0, 0.0), "mutex, {writers} writers");
            assert!(mutex.balanced);
            for w in 0..writers {
                assert_eq!(input.posted_value(w).as_deref(), Some(input.value()));
                assert_eq!(input.locked_value(w).as_deref(), Some(input.value()));
            }
        }
    }
}

/// S09: neither check allocates, on one thread or two.
#[test]
fn s09_lifetime_checks_allocate_nothing() {
    let cases = (s09::SCENARIO.cases)(Sweep::Full);
    assert_eq!(cases.len(), 3 * s09::THREADS.len());
    for case in &cases {
        let c = check_case(case).unwrap();
        assert_eq!(counts(c), (0.0, 0.0, 0.0), "{}", case.id(s09::SCENARIO.id));
    }
}

/// S13 body hand-off: after the warm-up neither strategy allocates on either side; `copy` copies
/// each chunk twice (the host's receive, the extension's copy of the view), `double_buffer` once
/// (the receive: the hand-off moves an owner, not bytes).
#[test]
fn s13_copy_copies_twice_double_buffer_once() {
    use lab_bench::r2c::s13_ownership as s13;
    for len in [1024, 16384, 262144] {
        let body = || s13::Body::new(len, 1).expect("host allocation");
        let c = checked(body(), s13::copy);
        assert_eq!(counts(c), (0.0, 0.0, 2.0 * len as f64), "copy at {len}");
        assert_eq!(c.bytes_allocated, 0.0, "copy at {len}");
        assert!(c.balanced);
        let d = checked(body(), s13::double_buffer);
        assert_eq!(counts(d), (0.0, 0.0, len as f64), "double_buffer at {len}");
        assert_eq!(d.bytes_allocated, 0.0, "double_buffer at {len}");
        assert!(d.balanced);
        assert_eq!(c.checksum, d.checksum, "both read the same chunk at {len}");
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
    // Two streams (struct + 3 chunks each), three buffers (one for copy, two for double_buffer).
    assert_eq!(setup.c_allocs, 2 * 2 + 3);
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
