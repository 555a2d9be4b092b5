//! The report computed from records: floors, conclusions, Go beside Rust or said missing, Go's
//! releases side by side, an empty results directory, and the files `write_report` leaves (the
//! report, its plots, its links to flame graphs).

use lab_record::{load_dir, Allocs, Machine, Ns, Record, ResultFile};
use serde_json::{Map, Value};

fn rec(
    strategy: &str,
    params: &[(&str, u64)],
    median: f64,
    rust_allocs: f64,
    copied: f64,
) -> Record {
    let params: Map<String, Value> = params
        .iter()
        .map(|&(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
    let ns = Ns {
        median,
        low: median * 0.99,
        high: median * 1.01,
    };
    let allocs = Allocs {
        rust: Some(rust_allocs),
        c: Some(0.0),
        go: None,
    };
    Record {
        bytes_copied_per_call: copied,
        ..Record::new(strategy, params, ns, allocs)
    }
}

fn file(scenario: &str, records: Vec<Record>) -> ResultFile {
    let machine = Machine::example("fixture-2c-0000");
    ResultFile {
        scenario: scenario.into(),
        lang: "rust".into(),
        direction: "r2c".into(),
        unit: "one call".into(),
        machine,
        records,
    }
}

/// A scenario's `native` row is its rows' floor (the same work without the boundary); it is not
/// a strategy: not "× best", not ranked. The C extension is the floor of the C→R rows.
#[test]
fn the_native_row_and_the_c_extension_are_the_floors() {
    let mut c2r_rust = file(
        "s14_filters",
        vec![rec("bulk_borrow", &[("n", 1)], 30.0, 0.0, 0.0)],
    );
    c2r_rust.direction = "c2r".into();
    let mut c2r_c = c2r_rust.clone();
    c2r_c.lang = "c".into();
    c2r_c.records = vec![rec("bulk_borrow", &[("n", 1)], 25.0, 0.0, 0.0)];
    let files = vec![
        file(
            "s02_pass_string",
            vec![
                rec("native", &[("len", 64)], 1.0, 0.0, 0.0),
                rec("ptr_len", &[("len", 64)], 1.5, 0.0, 0.0),
                rec("cstring", &[("len", 64)], 30.0, 1.0, 65.0),
            ],
        ),
        c2r_rust,
        c2r_c,
    ];
    let md = lab_report::render(&files, "fixture-2c-0000").all();
    assert!(
        md.contains("Floor: `native`: C calling `lab_consume_str`"),
        "{md}"
    );
    assert!(
        md.contains("`native` | len=64 | 1.00 [0.99, 1.01] | 1.00 | – |")
            && md.contains("| `native` | len=64 | +0.00 |"),
        "{md}"
    );
    assert!(
        md.contains("`ptr_len` | len=64 | 1.50 [1.48, 1.52] | 1.50 | 1.00 |")
            && md.contains("| `ptr_len` | len=64 | +0.50 |"),
        "{md}"
    );
    assert!(
        md.contains("`cstring` | len=64 | 30.0 [29.7, 30.3] | 30.00 | 20.00 |")
            && md.contains("| `cstring` | len=64 | +29.0 |"),
        "{md}"
    );
    assert!(
        md.contains("`bulk_borrow` | n=1 | 30.0 [29.7, 30.3] | 1.20 | 1.00 |")
            && md.contains("| `bulk_borrow` | n=1 | +5.00 |"),
        "{md}"
    );
    assert!(
        !md.contains("— c, C→R"),
        "the C extension has no section of its own"
    );
    assert!(
        md.contains("| C ns |"),
        "the C extension stands beside Rust: {md}"
    );
    // The summary ranks strategies, never the floor.
    assert!(
        md.contains("`ptr_len` alone at 1 of 1 point, shared at 0 | ×1.50 |"),
        "{md}"
    );
}

#[test]
fn the_report_computes_its_conclusions() {
    let files = vec![
        file(
            "s01_call_floor",
            vec![
                rec("empty_call", &[], 2.0, 0.0, 0.0),
                rec("memcpy", &[("len", 64)], 3.0, 0.0, 64.0),
                rec("memcpy", &[("len", 1024)], 13.0, 0.0, 1024.0),
            ],
        ),
        file(
            "s02_pass_string",
            vec![
                // cstring = ptr_len + 10 ns + 0.5 ns/byte, exactly.
                rec("ptr_len", &[("len", 64)], 2.0, 0.0, 0.0),
                rec("cstring", &[("len", 64)], 44.0, 1.0, 65.0),
                rec("ptr_len", &[("len", 1024)], 2.0, 0.0, 0.0),
                rec("cstring", &[("len", 1024)], 524.0, 1.0, 1025.0),
            ],
        ),
        file(
            "s03_unknown_length",
            vec![
                // clone_on_return = borrow + 20 ns + 0.25 ns/byte, clone_utf8 = borrow + 30 ns +
                // 0.5 ns/byte, exactly.
                rec("borrow", &[("len", 8)], 5.0, 0.0, 0.0),
                rec("clone_on_return", &[("len", 8)], 27.0, 1.0, 8.0),
                rec("clone_utf8", &[("len", 8)], 39.0, 1.0, 8.0),
                rec("borrow", &[("len", 4096)], 5.0, 0.0, 0.0),
                rec("clone_on_return", &[("len", 4096)], 1049.0, 1.0, 4096.0),
                rec("clone_utf8", &[("len", 4096)], 2083.0, 1.0, 4096.0),
            ],
        ),
        file(
            "s06_read_headers",
            vec![
                rec("per_header_call", &[("n", 16), ("k", 1)], 10.0, 0.0, 0.0),
                rec("bulk_borrow", &[("n", 16), ("k", 1)], 20.0, 0.0, 0.0),
                rec("per_header_call", &[("n", 16), ("k", 8)], 80.0, 0.0, 0.0),
                rec("bulk_borrow", &[("n", 16), ("k", 8)], 40.0, 0.0, 0.0),
                rec("stack_slots", &[("n", 8), ("threshold", 0)], 30.0, 1.0, 0.0),
                rec(
                    "stack_slots",
                    &[("n", 8), ("threshold", 16)],
                    10.0,
                    0.0,
                    0.0,
                ),
                rec(
                    "stack_slots",
                    &[("n", 32), ("threshold", 0)],
                    50.0,
                    1.0,
                    0.0,
                ),
                rec(
                    "stack_slots",
                    &[("n", 32), ("threshold", 16)],
                    50.0,
                    1.0,
                    0.0,
                ),
            ],
        ),
    ];
    let md = lab_report::render(&files, "fixture-2c-0000").all();
    assert!(
        md.contains(
            "At 64 B `cstring` costs ×22.0 [21.6–22.4] of `ptr_len` (medians 44.0 vs 2.00 ns)"
        ),
        "{md}"
    );
    // The per-byte line leads S02's and S03's conclusions, before any ratio.
    let fit = "`cstring` costs 10.0 ns + 0.500 ns/byte over `ptr_len`";
    let (fit_at, ratio_at) = (md.find(fit), md.find("At 64 B `cstring` costs"));
    assert!(fit_at.is_some() && fit_at < ratio_at, "{md}");
    let s03 = &md[md.find("## S03").unwrap()..];
    let clone = s03
        .find("`clone_on_return` costs 20.0 ns + 0.250 ns/byte over `borrow` (a line through 2 lengths, each point weighed by its own size).");
    let utf8 = s03.find("`clone_utf8` costs 30.0 ns + 0.500 ns/byte over `borrow`");
    let ends = s03.find("Fastest over the sweep:");
    assert!(
        clone.is_some() && utf8.is_some() && clone < ends && utf8 < ends,
        "{s03}"
    );
    assert!(
        md.contains("| 16 | ×2.00 [1.96–2.04] | ×0.50 [0.49–0.51] |"),
        "{md}"
    );
    assert!(
        md.contains(
            "The documents' 16 is as fast as the fastest threshold at 2 of 2 header counts; a threshold at or above the count, which keeps every view on the stack, is as fast as the fastest at 1 of 1 (below the count the views go to the heap)."
        ),
        "{md}"
    );
    // Without a native row the floor falls back to S01: ptr_len 2.0 / empty_call 2.0; cstring
    // copies 65 B, floor 2 + memcpy(65).
    assert!(
        md.contains("`ptr_len` | len=64 | 2.00 [1.98, 2.02] | 1.00 | 1.00 | 0 / 0 |")
            && md.contains("| `ptr_len` | len=64 | +0.00 |"),
        "{md}"
    );
    let floor_65 = 2.0 + 3.0 + 10.0 / 960.0;
    assert!(
        md.contains(&format!(
            "`cstring` | len=64 | 44.0 [43.6, 44.4] | {:.2} |",
            44.0 / floor_65,
        )) && md.contains(&format!("| `cstring` | len=64 | +{:.1} |", 44.0 - floor_65)),
        "{md}"
    );
    // The threshold variants are compared with each other at the same header count.
    assert!(
        md.contains("`stack_slots` | n=8,threshold=0 | 30.0 [29.7, 30.3] | 15.00 | 3.00 |")
            && md.contains("| `stack_slots` | n=8,threshold=0 | +28.0 |"),
        "{md}"
    );
    // Scenarios without records are said plainly.
    assert!(
        md.contains("| S07 copy on demand | – | – | – | not measured yet |"),
        "{md}"
    );
    // The summary counts the points a strategy leads and gives ranges, never averages: ptr_len
    // leads at both lengths, at the floor; cstring is ×22 and ×262 of it.
    assert!(
        md.contains(
            "`ptr_len` alone at 2 of 2 points, shared at 0 | ×1.00 | `cstring` ×22.0–262 (slowest alone at 2 of 2 points) |"
        ),
        "{md}"
    );
    assert!(md.contains("| Go | not installed |"));
    assert!(md.contains("do not edit by hand"));
}

#[test]
fn go_stands_beside_rust_or_is_said_missing() {
    let rust = file(
        "s02_pass_string",
        vec![
            rec("ptr_len", &[("len", 64)], 2.0, 0.0, 0.0),
            rec("cstring", &[("len", 64)], 20.0, 1.0, 65.0),
        ],
    );
    let md = lab_report::render(std::slice::from_ref(&rust), "fixture-2c-0000").all();
    assert!(
        md.contains("Go: not measured (no toolchain; run scripts/setup)"),
        "{md}"
    );

    let mut go = file(
        "s02_pass_string",
        vec![
            rec("ptr_len", &[("len", 64)], 60.0, 0.0, 0.0),
            rec("cstring", &[("len", 64)], 90.0, 0.0, 0.0),
            rec("ptr_len_escape", &[("len", 64)], 85.0, 0.0, 0.0),
        ],
    );
    go.lang = "go".into();
    for r in &mut go.records {
        r.allocs_per_call = Allocs {
            rust: None,
            c: Some(0.0),
            go: Some(1.0),
        };
    }
    let md = lab_report::render(&[rust, go], "fixture-2c-0000").all();
    assert!(!md.contains("Go: not measured"), "{md}");
    assert!(
        !md.contains("## S02 pass a string R→C — go"),
        "Go has no section of its own"
    );
    // Rust 2 ns vs Go 60 ns: the Go columns and the ratio.
    assert!(
        md.contains("| Ir/call | Go ns |") || md.contains("| allocs Rust / C | Go ns |"),
        "{md}"
    );
    assert!(md.contains("| allocs Go / C | Rust / Go |"), "{md}");
    assert!(md.contains("| 0 / 0 | 60.0 |"), "{md}");
    assert!(md.contains("| 1 / 0 | 0.03 |"), "{md}");
    assert!(
        md.contains("`ptr_len_escape` | len=64 | 85.0 [84.2, 85.8] | 1 / 0 |"),
        "{md}"
    );
    // Go over Rust per point, never averaged: 60 / 2 and 90 / 20.
    assert!(
        md.contains("Go's time over Rust's for the same strategy: `ptr_len` len=64 ×30.0 [29.4–30.6]; `cstring` len=64 ×4.50 [4.41–4.59] (beyond the noise at 2 of 2)."),
        "{md}"
    );
    assert!(md.contains("Go at 64 B: `cstring` 90.0 ns, `ptr_len` without `#cgo noescape` 85.0 ns, with it 60.0 ns"), "{md}");
}

#[test]
fn an_empty_results_directory_gives_a_plain_report() {
    let md = lab_report::render(&[], "nothing-1c-0000").all();
    assert!(md.contains("No results for machine `nothing-1c-0000` yet"));
}

/// Another Go release's records go to files of their own (`<scenario>.go1.22.r2c.json`), beside
/// the main toolchain's, and the report reads them back into the release table: the main Go
/// column stays the main toolchain's, a release without records is "not measured".
#[test]
fn go_releases_are_filed_apart_and_reported_side_by_side() {
    let out = std::env::temp_dir().join(format!("lab-pipeline-releases-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let go_file = |lang: &str, version: &str, ns: f64| {
        let mut f = file(
            "s02_pass_string",
            vec![rec("ptr_len", &[("len", 64)], ns, 0.0, 0.0)],
        );
        f.lang = lang.into();
        f.machine.go = Some(format!("go{version} linux/amd64"));
        f
    };
    let rust = file(
        "s02_pass_string",
        vec![rec("ptr_len", &[("len", 64)], 2.0, 0.0, 0.0)],
    );
    for f in [
        rust,
        go_file("go", "1.27.3", 60.0),
        go_file(&lab_record::go::release_lang("1.22"), "1.22.10", 75.0),
    ] {
        f.merge_into(&out).unwrap();
    }
    assert!(out.join("s02_pass_string.go1.22.r2c.json").is_file());
    let files = load_dir(&out).unwrap();
    let md = lab_report::render(&files, "fixture-2c-0000").all();
    assert!(
        md.contains("| 0 / 0 | 60.0 |") && md.contains("| – / 0 | 0.03 |"),
        "main Go column: {md}"
    );
    assert!(
        md.contains("| strategy | params | Rust ns | Go 1.22 ns | Go 1.24 ns | Go 1.25 ns | Go 1.26 ns | Go 1.27 ns |"),
        "{md}"
    );
    assert!(
        md.contains("| `ptr_len` | len=64 | 2.00 | 75.0 | not measured | not measured | not measured | 60.0 |"),
        "{md}"
    );
    let release = files.iter().find(|f| f.lang == "go1.22").unwrap();
    assert_eq!(release.machine.go.as_deref(), Some("go1.22.10 linux/amd64"));
    let _ = std::fs::remove_dir_all(&out);
}

/// `write_report` over a results directory: REPORT.md linking the scenario's page, the page with
/// its section's table, its plot (drawn under `results/plots/`), its rows' flame-graph links and
/// the differential graph of two graphed strategies, every link resolving on disk; a stale page
/// removed.
#[test]
fn write_report_leaves_the_report_its_plots_and_links() {
    let root = std::env::temp_dir().join(format!("lab-report-write-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let graphed = |strategy: &str, ns: f64| Record {
        flamegraph: Some(format!(
            "results/flamegraphs/s02_pass_string-{strategy}-len=1024.svg"
        )),
        ..rec(strategy, &[("len", 1024)], ns, 0.0, 0.0)
    };
    let f = file(
        "s02_pass_string",
        vec![
            rec("cstring", &[("len", 8)], 20.0, 1.0, 9.0),
            rec("ptr_len", &[("len", 8)], 2.0, 0.0, 0.0),
            graphed("cstring", 90.0),
            graphed("ptr_len", 3.0),
        ],
    );
    f.merge_into(&root.join("results/fixture-2c-0000")).unwrap();
    // The flame graphs a run leaves beside its records, which the page links.
    let graphs = root.join("results/flamegraphs");
    std::fs::create_dir_all(&graphs).unwrap();
    for name in [
        "s02_pass_string-cstring-len=1024",
        "s02_pass_string-ptr_len-len=1024",
        "diff-s02_pass_string-ptr_len-vs-cstring",
    ] {
        std::fs::write(graphs.join(format!("{name}.svg")), "<svg/>").unwrap();
    }
    // A page of a scenario with no records any more is removed; other files stay.
    std::fs::create_dir_all(root.join("report")).unwrap();
    std::fs::write(root.join("report/s99_gone.md"), "old").unwrap();
    let path = lab_report::write_report(&root, "fixture-2c-0000").unwrap();
    assert_eq!(path, root.join("REPORT.md"));
    assert!(!root.join("report/s99_gone.md").exists());
    let front = std::fs::read_to_string(&path).unwrap();
    let report = std::fs::read_to_string(root.join("report/s02_pass_string.md")).unwrap();
    // Every link of what was written leads to a file written or left there, and its anchor.
    let written = lab_report::Report {
        front: front.clone(),
        pages: vec![("report/s02_pass_string.md".into(), report.clone())],
    };
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let broken = lab_report::render::links::broken_links(&written, |p| {
        root.join(p).is_file() || (p.starts_with("docs/") && docs.join(p).is_file())
    });
    assert_eq!(broken, Vec::<String>::new());
    assert!(front.contains("](report/s02_pass_string.md)"), "{front}");
    assert!(
        report.contains("## S02 pass a string R→C — rust, R→C"),
        "{report}"
    );
    assert!(report.contains("`cstring` | len=8"), "{report}");
    assert!(
        report.contains("[svg](../results/flamegraphs/s02_pass_string-cstring-len=1024.svg)"),
        "{report}"
    );
    assert!(report.contains("diff-s02_pass_string-ptr_len-vs-cstring.svg"));
    assert!(report.contains(
        "![S02 pass a string R→C: ns per call vs length](../results/plots/s02_pass_string.svg)"
    ));
    assert!(
        std::fs::read_to_string(root.join("results/plots/s02_pass_string.svg"))
            .unwrap()
            .contains("cstring")
    );
    let _ = std::fs::remove_dir_all(&root);
}
