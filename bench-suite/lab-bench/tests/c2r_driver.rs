//! The C driver on the Rust extension (quick mode), end to end: it loads the cdylib, runs every
//! C→R scenario with its own checks (10 000 panicking requests with balanced allocations,
//! thread-local state released on thread exit, bad handles refused), and its records parse into
//! result files. And the driver's own bad inputs: clear messages, non-zero exits.

use std::path::Path;
use std::process::{Command, Output};

use lab_bench::case::Sweep;
use lab_bench::engines::driver::{
    c_extension_path, count_driver, driver_path, parse_lines, run_driver, rust_extension_path,
    to_result_files,
};
use lab_bench::passes::callgrind::{counts_of, level, valgrind_version};
use lab_record::ResultFile;
use lab_sys::sys;

fn driver(args: &[&str]) -> Output {
    Command::new(driver_path())
        .args(args)
        .output()
        .expect("the driver runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_driver_measures_every_c2r_scenario_on_the_rust_extension() {
    let ext = rust_extension_path();
    assert!(
        ext.is_file(),
        "cargo builds the cdylib beside the tests: {}",
        ext.display()
    );
    let records = run_driver(&ext, Sweep::Quick, None, 0).unwrap_or_else(|e| panic!("{e}"));
    let files = to_result_files(records, "rust", &lab_bench::fingerprint::detect("quick"));
    // The registry: every scenario defined with a C->R direction is the driver's, but those whose
    // definition names another engine (S15: nginx).
    let scenarios: Vec<&str> = files.iter().map(|f| f.scenario.as_str()).collect();
    let defined: Vec<&str> = lab_record::scenario::all()
        .iter()
        .filter(|d| d.c2r.as_ref().is_some_and(|x| x.engine.is_none()))
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(
        scenarios, defined,
        "the driver's scenarios against the definitions"
    );
    assert_eq!(defined.len(), 6);
    for f in &files {
        assert_eq!((f.lang.as_str(), f.direction.as_str()), ("rust", "c2r"));
        for r in &f.records {
            // An empty interval may read as 0 on a coarse clock.
            if r.strategy != "timer" {
                assert!(r.ns_per_call.median > 0.0, "{}/{}", f.scenario, r.strategy);
            }
            assert!(r.allocs_per_call.rust.is_some() && r.allocs_per_call.c.is_some());
        }
    }
    let get = |scenario: &str, strategy: &str| {
        files
            .iter()
            .find(|f| f.scenario == scenario)
            .and_then(|f| f.records.iter().find(|r| r.strategy == strategy))
            .unwrap_or_else(|| panic!("{scenario}/{strategy}"))
    };
    // The allocation-free strategies allocate nothing on either side; the heavy one does.
    assert_eq!(
        get("s12_tail_latency", "alloc_free").allocs_per_call.rust,
        Some(0.0)
    );
    assert!(
        get("s12_tail_latency", "alloc_heavy")
            .allocs_per_call
            .rust
            .unwrap()
            >= 16.0
    );
    assert!(get("s12_tail_latency", "alloc_free")
        .percentiles_ns
        .as_ref()
        .is_some_and(|p| p.contains_key("p99.9")));
    assert_eq!(
        get("s10_panic", "panic_survival").params["requests"],
        10_000
    );
    assert_eq!(
        get("s01_call_floor", "empty_call").allocs_per_call.rust,
        Some(0.0)
    );
    assert_exact_copies(&files, "rust");
    // S11: the Rust per-thread state is the arena alone, as large as the one header it copies.
    assert_first_call(&files, 1.0, 0);
    // The C extension (the floor) was timed in the same rounds.
    assert_interleaved(&files, true);
}

/// The batch-timed C→R rows (S01, S07, S10, S14) carry ratios from interleaved rounds: quick mode's
/// 5, the row's ns in each, to_floor exactly when the floor was timed beside the extension (not in
/// the C extension's own run), and a to_best whose per-round best is 1. The rows timed otherwise
/// (S10's survival, S11, S12) carry none.
fn assert_interleaved(files: &[ResultFile], with_floor: bool) {
    const QUICK_ROUNDS: u32 = 5;
    for f in files {
        let def = lab_record::scenario::get(&f.scenario)
            .and_then(|d| d.direction("c2r"))
            .unwrap();
        let interleaved = [
            "s01_call_floor",
            "s07_copy_on_demand",
            "s10_panic",
            "s14_filters",
        ]
        .contains(&f.scenario.as_str());
        let mut works: Vec<String> = f.records.iter().map(|r| r.work_label()).collect();
        works.sort();
        works.dedup();
        for work in works {
            let rows: Vec<_> = f
                .records
                .iter()
                .filter(|r| r.work_label() == work)
                .collect();
            let id = format!("{} {work}", f.scenario);
            if !interleaved || work == "requests=10000" {
                assert!(rows.iter().all(|r| r.ratios.is_none()), "{id}: no rounds");
                continue;
            }
            let mut strategies = Vec::new();
            for r in &rows {
                let x = r
                    .ratios
                    .as_ref()
                    .unwrap_or_else(|| panic!("{id} {}: no ratios", r.strategy));
                assert_eq!(x.rounds, QUICK_ROUNDS, "{id} {}", r.strategy);
                assert_eq!(x.per_round.len(), x.rounds as usize, "{id} {}", r.strategy);
                assert!(x.per_round.iter().all(|&ns| ns > 0.0 && ns.is_finite()));
                assert_eq!(x.to_floor.is_some(), with_floor, "{id} {}", r.strategy);
                if let Some(fl) = x.to_floor {
                    assert!(fl.low > 0.0 && fl.low <= fl.median && fl.median <= fl.high);
                }
                if !def.is_reference(&r.strategy) {
                    strategies.push((r, x.to_best.expect("a strategy has a best")));
                }
            }
            // Per round the fastest strategy is the best, so no strategy's ratio is below 1, and
            // the best row (the lowest median) has a median of 1 where a strategy was fastest in
            // most rounds: always with one or two strategies. With three (S14), 5 rounds give one
            // of them at least 2, so its lower quartile (the 2nd of 5) is 1.
            assert!(!strategies.is_empty(), "{id}: no strategy");
            assert!(strategies.iter().all(|(_, b)| b.low >= 1.0), "{id}");
            let (best, b) = strategies
                .iter()
                .min_by(|a, b| a.1.median.total_cmp(&b.1.median))
                .unwrap();
            if strategies.len() <= 2 {
                assert!(
                    b.median <= 1.0,
                    "{id}: best row {} to_best {b:?}",
                    best.strategy
                );
            } else {
                assert!(strategies.iter().any(|(_, b)| b.low <= 1.0), "{id}");
            }
        }
    }
}

/// S11 reports the timer and the C extension's first call beside the measured first call; a new
/// thread's first call allocates the extension's per-thread state (`allocs`, holding the header
/// it copies plus `state_bytes`) and steady calls allocate nothing.
fn assert_first_call(files: &[ResultFile], allocs: f64, state_bytes: usize) {
    let f = files
        .iter()
        .find(|f| f.scenario == "s11_thread_attach")
        .unwrap();
    let names: Vec<&str> = f.records.iter().map(|r| r.strategy.as_str()).collect();
    assert_eq!(names, ["timer", "c_first_call", "first_call", "steady"]);
    let (_, ua, _) = driver_request(b"Basic bGFiOnNlY3JldA==");
    let first = &f.records[2];
    // to_result_files files every non-Go extension's own allocations in the `rust` column.
    let ext_allocs = first.allocs_per_call.rust;
    assert_eq!(ext_allocs, Some(allocs), "first call allocations");
    assert_eq!(first.bytes_copied_per_call, ua as f64);
    assert_eq!(first.bytes_retained, Some((ua + state_bytes) as f64));
    assert_eq!(f.records[3].bytes_copied_per_call, ua as f64);
}

/// What the driver's request holds (fixture.c `request_new`: the realistic 16 headers, seed 42,
/// with `authorization` set): total header bytes, the user-agent value's length, all values'.
fn driver_request(auth: &[u8]) -> (usize, usize, usize) {
    // SAFETY: valid pointers and lengths; the request is freed before returning and no view
    // outlives it.
    unsafe {
        let req = sys::lab_request_new_realistic(16, 42);
        assert!(!req.is_null());
        let name = b"authorization";
        assert_eq!(
            sys::lab_header_set(req, name.as_ptr(), name.len(), auth.as_ptr(), auth.len()),
            sys::LAB_OK
        );
        let mut views = vec![sys::lab_header::default(); 64];
        let mut n = 0;
        assert_eq!(
            sys::lab_headers_view_all(req, views.as_mut_ptr(), views.len(), &mut n),
            sys::LAB_OK
        );
        let (mut bytes, mut ua, mut values) = (0, 0, 0);
        for h in &views[..n] {
            bytes += h.name.len + h.value.len;
            values += h.value.len;
            if std::slice::from_raw_parts(h.name.ptr, h.name.len) == b"user-agent" {
                ua = h.value.len;
            }
        }
        sys::lab_request_free(req);
        (bytes, ua, values)
    }
}

/// Bytes copied per call, exactly, whatever the extension's language: eager copies every header
/// name and value and the body, lazy only what the filter reads, bulk_copy is the host copying
/// every header into the extension's buffer, borrowing copies nothing.
fn assert_exact_copies(files: &[ResultFile], response_value: &str) {
    const VALID: &[u8] = b"Basic bGFiOnNlY3JldA==";
    const INVALID: &[u8] = b"Basic bGFiOndyb25n";
    let (headers, ua, values) = driver_request(VALID);
    let file = |s: &str| files.iter().find(|f| f.scenario == s).expect(s);
    let mut seen = 0;
    for r in &file("s07_copy_on_demand").records {
        let body = r.params["body"].as_u64().unwrap() as usize;
        let filter = r.params["filter"].as_str().unwrap();
        let want = match (r.strategy.as_str(), filter) {
            ("eager", _) => headers + body,
            ("lazy", "nothing") => 0,
            ("lazy", "one_header") => ua,
            ("lazy", "all_headers") => values,
            ("lazy", "body") => body,
            other => panic!("unexpected S07 case {other:?}"),
        };
        let id = format!("s07 {}/{filter}/body={body}", r.strategy);
        assert_eq!(r.bytes_copied_per_call, want as f64, "{id}");
        let retained = r
            .bytes_retained
            .unwrap_or_else(|| panic!("{id}: no retained bytes"));
        // What one callback copies stays in the thread's arena until the next: eager holds the
        // headers and the body at once.
        assert!(retained >= (want as f64), "{id}: {retained} retained");
        seen += 1;
    }
    assert_eq!(seen, 16, "quick S07: 2 bodies x 4 filters x 2 strategies");
    let s14 = file("s14_filters");
    let set = b"x-lab-seen1".len()
        + b"x-lab-routecluster-a".len()
        + b"x-lab-response".len()
        + response_value.len();
    for r in &s14.records {
        let filter = r.params["filter"].as_str().unwrap();
        let want = match (r.strategy.as_str(), filter) {
            ("bulk_copy", "basic_auth") => match r.params["credentials"].as_str().unwrap() {
                "invalid" => headers - VALID.len() + INVALID.len(),
                // fixture.c swaps authorization for a header of the same sizes
                _ => headers,
            },
            // Both callbacks copy every header, the three the filter sets included; and the host
            // copies the name and value of each header the filter sets, whatever the strategy.
            ("bulk_copy", "header_get_set") => 2 * (headers + set) + set,
            (_, "header_get_set") => set,
            _ => 0,
        };
        assert_eq!(r.bytes_copied_per_call, want as f64, "{}", s14.case_id(r));
    }
}

#[test]
fn the_driver_does_not_know_the_language_the_c_extension_passes_too() {
    let records =
        run_driver(c_extension_path(), Sweep::Quick, None, 0).unwrap_or_else(|e| panic!("{e}"));
    let files = to_result_files(records, "c", &lab_bench::fingerprint::detect("quick"));
    assert_eq!(files.len(), 6);
    assert_exact_copies(&files, "c");
    // The C extension's state struct and its arena, each malloc'd.
    assert_first_call(&files, 2.0, 16);
    // Its own floor: run_driver names it as --floor-ext too, and the driver times no copy of it.
    assert_interleaved(&files, false);
}

#[test]
fn a_missing_extension_is_a_clear_error() {
    let o = driver(&["/nonexistent/libnothing.so", "--quick"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot load /nonexistent/libnothing.so"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_that_is_not_a_shared_object_is_a_clear_error() {
    let not_so = std::env::temp_dir().join(format!("lab-not-a-so-{}.so", std::process::id()));
    std::fs::write(&not_so, b"this is text, not ELF").unwrap();
    let o = driver(&[not_so.to_str().unwrap(), "--quick"]);
    let _ = std::fs::remove_file(&not_so);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot load"), "{}", stderr(&o));
}

#[test]
fn an_extension_lacking_a_symbol_is_named() {
    let dir = std::env::temp_dir().join(format!("lab-empty-ext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("empty.c");
    std::fs::write(&src, "int lab_not_an_extension(void) { return 0; }\n").unwrap();
    let so = dir.join("libempty.so");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(cc)
        .args(["-shared", "-fPIC", "-o"])
        .arg(&so)
        .arg(&src)
        .status()
        .expect("a C compiler");
    assert!(built.success());
    let o = driver(&[so.to_str().unwrap(), "--quick"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("lacks symbol lab_ext_init"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_usage_is_refused() {
    let o = driver(&[]);
    assert_eq!(o.status.code(), Some(64));
    let o = driver(&[rust_extension_path().to_str().unwrap(), "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(64));
}

#[test]
fn driver_lines_parse_and_bad_lines_are_named() {
    let line = r#"{"scenario":"s01_call_floor","strategy":"empty_call","params":{},"ns_per_call":{"median":1.5,"low":1.4,"high":1.6},"allocs_per_call":{"ext":0,"c":0},"bytes_allocated_per_call":0,"bytes_copied_per_call":0,"retained_bytes":null,"percentiles_ns":null,"checksum":7}"#;
    let recs = parse_lines(&format!("{line}\n\n{line}\n")).unwrap();
    assert_eq!(recs.len(), 2);
    let go = to_result_files(recs, "go", &lab_bench::fingerprint::detect("quick"));
    assert_eq!(go[0].records[0].allocs_per_call.go, Some(0.0));
    assert_eq!(go[0].records[0].allocs_per_call.rust, None);
    let err = parse_lines("{\"scenario\": 1}\n").unwrap_err();
    assert!(err.contains("line 1"), "{err}");
    assert!(Path::new(driver_path()).is_file());
}

#[test]
fn interleaved_lines_become_ratios_to_their_own_floor_and_the_work_s_best() {
    let line = |strategy: &str, rounds: &str, floor: &str| {
        format!(
            r#"{{"scenario":"s01_call_floor","strategy":"{strategy}","params":{{}},"ns_per_call":{{"median":1,"low":1,"high":1}},"allocs_per_call":{{"ext":0,"c":0}},"bytes_allocated_per_call":0,"bytes_copied_per_call":0,"retained_bytes":null,"percentiles_ns":null,"checksum":7,"per_round":{rounds},"floor_per_round":{floor}}}"#
        )
    };
    // Round 2 is slow for every case of the work; c_call is a reference, never the best.
    let text = [
        line("empty_call", "[2,20,2]", "[1,10,1]"),
        line("call_with_args", "[3,30,3]", "[3,30,3]"),
        line("c_call", "[1,10,1]", "null"),
    ]
    .join("\n");
    let recs = parse_lines(&text).unwrap();
    let ratios = |i: usize| recs[i].ratios.as_ref().unwrap();
    let med = |x: Option<lab_record::Ns>| x.map(|x| x.median);
    assert_eq!(med(ratios(0).to_floor), Some(2.0));
    assert_eq!(med(ratios(1).to_floor), Some(1.0));
    assert_eq!(ratios(2).to_floor, None);
    assert_eq!(med(ratios(0).to_best), Some(1.0));
    assert_eq!(med(ratios(1).to_best), Some(1.5));
    assert_eq!(med(ratios(2).to_best), Some(0.5));
    assert_eq!((ratios(0).rounds, ratios(0).per_round.len()), (3, 3));
    let files = to_result_files(recs, "rust", &lab_bench::fingerprint::detect("quick"));
    assert!(files[0].records.iter().all(|r| r.ratios.is_some()));
    // Rows of one work must come from the same rounds.
    let bad = [
        line("empty_call", "[2,20,2]", "null"),
        line("c_call", "[1]", "null"),
    ]
    .join("\n");
    let err = parse_lines(&bad).unwrap_err();
    assert!(err.contains("same rounds"), "{err}");
}

/// The callgrind pass's C→R half, end to end on S01: the driver, under callgrind with `--count`,
/// counts each case of both extensions and names it; every named case has its two dumps, and
/// their difference is a positive count per call. `c_call` (C calling C in the driver, no
/// extension involved) counts alike whichever extension is loaded.
#[test]
fn the_driver_counts_its_cases_under_callgrind() {
    if let Err(e) = valgrind_version() {
        panic!("the callgrind pass needs valgrind: {e}");
    }
    let mut c_call = Vec::new();
    for ext in [rust_extension_path(), c_extension_path().to_path_buf()] {
        let run = count_driver(&ext, Sweep::Quick, Some("s01_call_floor"))
            .unwrap_or_else(|e| panic!("{}: {e}", ext.display()));
        assert_eq!(
            run.ids,
            [
                "s01_call_floor/empty_call/",
                "s01_call_floor/call_with_args/",
                "s01_call_floor/c_call/"
            ]
        );
        for id in &run.ids {
            let c = counts_of(&run.dumps.totals, id).unwrap_or_else(|| panic!("no counts of {id}"));
            assert!(c.instructions > 0.0, "{id}: {c:?}");
            assert!(c.cycles_est >= c.instructions, "{id}: {c:?}");
            assert_eq!((c.n1, c.n2), level(c.instructions), "{id}: {c:?}");
            assert!(!c.varies, "{id}");
        }
        c_call.push(
            counts_of(&run.dumps.totals, "s01_call_floor/c_call/")
                .unwrap()
                .instructions,
        );
    }
    assert_eq!(c_call[0], c_call[1], "c_call runs no extension code");
}

#[test]
fn counting_outside_callgrind_is_refused() {
    let ext = rust_extension_path();
    let o = driver(&[
        ext.to_str().unwrap(),
        "--quick",
        "--count",
        "10,2000:100:1100,inf:10:110",
    ]);
    assert_eq!(o.status.code(), Some(64), "{}", stderr(&o));
    assert!(stderr(&o).contains("valgrind"), "{}", stderr(&o));
    let o = driver(&[ext.to_str().unwrap(), "--count", "10,2000:100:1100"]);
    assert_eq!(
        o.status.code(),
        Some(64),
        "the last level must take any count"
    );
}
