//! The scenario definitions (`scenarios/*.toml`) are the registry of scenarios: each R→C scenario
//! they define has its module, its registration in `r2c::SCENARIOS` and its bench target, and each
//! of those has its definition. A missing piece fails here with the scenario's name. (The C→R
//! scenarios are checked against the driver's output in `tests/c2r_driver.rs`, the conclusions
//! in lab-report.)

use std::collections::BTreeSet;
use std::path::Path;

use lab_bench::r2c::SCENARIOS;

/// The R→C scenario ids of the definitions.
fn defined_r2c() -> BTreeSet<&'static str> {
    lab_record::scenario::all()
        .iter()
        .filter(|d| d.r2c.is_some())
        .map(|d| d.id.as_str())
        .collect()
}

/// The bench targets of this crate's Cargo.toml (`[[bench]] name = "..."`).
fn bench_targets() -> BTreeSet<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("lab-bench's Cargo.toml");
    let mut names = BTreeSet::new();
    let mut in_bench = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bench = line == "[[bench]]";
        } else if let Some(v) = line.strip_prefix("name = ").filter(|_| in_bench) {
            names.insert(v.trim_matches('"').to_owned());
        }
    }
    names
}

#[test]
fn every_r2c_definition_has_its_module_and_bench_target() {
    let registered: BTreeSet<&str> = SCENARIOS.iter().map(|s| s.id).collect();
    let benches = bench_targets();
    let benches_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    for id in defined_r2c() {
        assert!(
            registered.contains(id),
            "scenarios/{id}.toml defines [r2c], but lab_bench::r2c::SCENARIOS does not list \
             {id}::SCENARIO (add src/r2c/{id}.rs and its line in src/r2c/mod.rs)"
        );
        assert!(
            benches.contains(id) && benches_dir.join(format!("{id}.rs")).is_file(),
            "scenarios/{id}.toml defines [r2c], but lab-bench has no bench target {id} \
             (benches/{id}.rs and a [[bench]] entry in Cargo.toml)"
        );
    }
}

#[test]
fn every_r2c_module_and_bench_target_has_its_definition() {
    let defined = defined_r2c();
    for s in SCENARIOS {
        assert!(
            defined.contains(s.id),
            "lab_bench::r2c::{} has no [r2c] in scenarios/{}.toml",
            s.id,
            s.id
        );
    }
    let engines = [
        "c2r_driver",
        "c2r_link",
        "lto_build",
        "go_reference",
        lab_bench::engines::nginx::SCENARIO,
        lab_bench::engines::envoy::SCENARIO,
    ];
    for name in bench_targets() {
        assert!(
            defined.contains(name.as_str()) || engines.contains(&name.as_str()),
            "the bench target {name} is neither an R->C scenario of scenarios/ nor an engine's"
        );
    }
}

#[test]
fn the_registry_reads_the_bench_targets() {
    let benches = bench_targets();
    assert!(benches.contains("s02_pass_string") && benches.contains("c2r_driver"));
    assert_eq!(benches.len(), SCENARIOS.len() + 6);
}

/// A definition that names an engine names one the lab has, and the nginx engine's scenario says
/// so; the driver and Go then leave it alone (`Options::named_scenarios`).
#[test]
fn every_named_engine_exists_and_runs_its_scenario() {
    for d in lab_record::scenario::all() {
        for x in [&d.r2c, &d.c2r].into_iter().flatten() {
            if let Some(engine) = &x.engine {
                assert!(
                    ["nginx", "envoy"].contains(&engine.as_str()),
                    "scenarios/{}.toml names no engine the lab has",
                    d.id
                );
            }
        }
    }
    let s16 = lab_record::scenario::get(lab_bench::engines::envoy::SCENARIO).expect("S16");
    assert_eq!(
        s16.c2r.as_ref().and_then(|x| x.engine.as_deref()),
        Some("envoy")
    );
    let s15 = lab_record::scenario::get(lab_bench::engines::nginx::SCENARIO).expect("S15");
    assert_eq!(
        s15.c2r.as_ref().and_then(|x| x.engine.as_deref()),
        Some("nginx")
    );
    let opts = lab_bench::options::Options {
        sweep: lab_bench::case::Sweep::Quick,
        pass: lab_bench::options::Pass::Check,
        filter: Some("s15_real_proxy".into()),
        out_root: std::env::temp_dir(),
    };
    assert!(
        opts.named_scenarios("c2r").is_empty(),
        "a filter naming S15 runs no driver"
    );
}
