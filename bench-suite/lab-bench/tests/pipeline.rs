//! The pipeline from a run to its records: criterion's estimate files are parsed (on a committed
//! sample), a real quick run writes records, a filtered rerun merges into them, and the profile
//! pass links its flame graphs from them. The report built from records is tested in
//! `lab-report` (`tests/from_records.rs`).

use std::path::{Path, PathBuf};

use lab_bench::case::Sweep;
use lab_bench::command::run;
use lab_bench::engines::criterion;
use lab_bench::engines::criterion::R2c;
use lab_bench::options::{Options, Pass};
use lab_record::load_dir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn criterion_estimates_parse_from_the_committed_sample() {
    let est = criterion::read_group(&fixtures().join("criterion/s02_pass_string")).unwrap();
    let ns = est["s02_pass_string/ptr_len/len=8"];
    assert!((ns.median - 1.494103425356959).abs() < 1e-12);
    assert!(ns.low < ns.median && ns.median < ns.high);
    assert!(criterion::read_group(Path::new("/nonexistent"))
        .unwrap()
        .is_empty());
}

#[test]
fn a_quick_run_writes_records_and_a_filtered_rerun_merges() {
    let out = std::env::temp_dir().join(format!("lab-pipeline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let opts = |filter: &str, pass: Pass| Options {
        sweep: Sweep::Quick,
        pass,
        filter: Some(filter.into()),
        out_root: out.clone(),
    };
    let engine = R2c {
        scenarios: &[&lab_bench::r2c::s02_pass_string::SCENARIO],
    };
    run(&opts("len=8", Pass::Time), &engine);

    let machine = lab_bench::fingerprint::detect("quick");
    let files = load_dir(&out.join("results").join(&machine.id)).unwrap();
    assert_eq!(files.len(), 1);
    let f = &files[0];
    assert_eq!(
        (f.scenario.as_str(), f.lang.as_str(), f.direction.as_str()),
        ("s02_pass_string", "rust", "r2c")
    );
    // The three strategies and the native floor.
    assert_eq!(f.records.len(), 4);
    for r in &f.records {
        assert!(
            r.ns_per_call.median > 0.0 && r.ns_per_call.low <= r.ns_per_call.high,
            "{r:?}"
        );
        let expected = if r.strategy.starts_with("cstring") {
            1.0
        } else {
            0.0
        };
        assert_eq!(r.allocs_per_call.rust, Some(expected), "{}", r.strategy);
        assert_eq!(r.allocs_per_call.c, Some(0.0));
        // The timed pass's clock, which the report's rate check divides by.
        #[cfg(target_arch = "x86_64")]
        assert!(
            r.clock.is_some_and(|c| c.ghz > 0.0 && c.peak_ipc > 0.0),
            "{r:?}"
        );
    }
    // Measuring writes records only: the report is built from them once per run (lab-report).
    assert!(!out.join("REPORT.md").exists());

    // A filtered rerun refreshes its record and keeps the other.
    run(&opts("ptr_len/len=8", Pass::Time), &engine);
    let files = load_dir(&out.join("results").join(&machine.id)).unwrap();
    assert_eq!(files[0].records.len(), 4);

    // The profile pass: flame graphs for the profiled point, the differential graph, the records
    // linked to them.
    run(&opts("len=1024", Pass::Time), &engine);
    run(&opts("len=1024", Pass::Profile), &engine);
    let flames = out.join("results/flamegraphs");
    for name in [
        "s02_pass_string-cstring-len=1024",
        "s02_pass_string-ptr_len-len=1024",
        "s02_pass_string-native-len=1024",
        "diff-s02_pass_string-ptr_len-vs-cstring",
    ] {
        let svg = std::fs::read_to_string(flames.join(format!("{name}.svg")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(svg.contains("<svg"), "{name} is an SVG");
    }
    let files = load_dir(&out.join("results").join(&machine.id)).unwrap();
    let linked: Vec<&str> = files[0]
        .records
        .iter()
        .filter_map(|r| r.flamegraph.as_deref())
        .collect();
    assert_eq!(
        linked.len(),
        4,
        "the strategies' and the native floor's: {linked:?}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
