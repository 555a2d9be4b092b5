//! The `lab-report` command: rebuilding a report from records, comparing two result sets, and a
//! damaged record file answered with one line that names it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn lab_report(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lab-report"))
        .args(args)
        .output()
        .expect("lab-report runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `root/results/m-1c-0000/s02_pass_string.rust.r2c.json` with one record of `ns`.
fn root_with(name: &str, ns: f64) -> PathBuf {
    let root = std::env::temp_dir().join(format!("lab-report-cli-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let dir = root.join("results/m-1c-0000");
    fs::create_dir_all(&dir).unwrap();
    let json = format!(
        r#"{{"scenario":"s02_pass_string","lang":"rust","direction":"r2c","unit":"one call",
        "machine":{{"id":"m-1c-0000","cpu":"c","cores":1,"kernel":"k","rustc":"r","cc":"c","go":null,
        "commit":"0","date":"d","lto":false,"mode":"full"}},
        "records":[{{"strategy":"ptr_len","params":{{"len":8}},
        "ns_per_call":{{"median":{ns},"low":{ns},"high":{ns}}},
        "allocs_per_call":{{"rust":0,"c":0,"go":null}},"bytes_allocated_per_call":0,
        "bytes_copied_per_call":0,"percentiles_ns":null,"flamegraph":null}}]}}"#
    );
    fs::write(dir.join("s02_pass_string.rust.r2c.json"), json).unwrap();
    root
}

fn machine_dir(root: &Path) -> String {
    root.join("results/m-1c-0000").display().to_string()
}

#[test]
fn rebuilds_the_report_from_records() {
    let root = root_with("rebuild", 2.0);
    let (ok, out, err) = lab_report(&["--root", &root.display().to_string()]);
    assert!(ok, "{err}");
    assert!(out.contains("wrote"), "{out}");
    let front = fs::read_to_string(root.join("REPORT.md")).unwrap();
    assert!(front.contains("](report/s02_pass_string.md)"), "{front}");
    let summary = fs::read_to_string(root.join("report/summary.md")).unwrap();
    assert!(
        summary.contains("](s02_pass_string.md#s02-pass-a-string-rc--rust-rc)"),
        "{summary}"
    );
    let md = fs::read_to_string(root.join("report/s02_pass_string.md")).unwrap();
    assert!(
        md.contains(
            "| <a id=\"s02-r2c-ptr_len-len-8\"></a>`ptr_len` | len=8 | 2.00 [2.00, 2.00] |"
        ),
        "{md}"
    );
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn compares_two_result_sets() {
    let (old, new) = (root_with("old", 2.0), root_with("new", 3.0));
    let (ok, out, err) = lab_report(&["compare", &machine_dir(&old), &machine_dir(&new)]);
    assert!(ok, "{err}");
    assert!(out.contains("1 rows in both; 1 beyond the noise"), "{out}");
    assert!(out.contains("| 1.500 | ±10 % | slower |"), "{out}");
    let (ok, out, _) = lab_report(&[
        "compare",
        &machine_dir(&old),
        &machine_dir(&new),
        "--noise",
        "0.6",
    ]);
    assert!(ok && out.contains("0 beyond the noise"), "{out}");
    let (ok, _, err) = lab_report(&["compare", &machine_dir(&old)]);
    assert!(!ok && err.contains("usage: lab-report compare"), "{err}");
    let _ = fs::remove_dir_all(&old);
    let _ = fs::remove_dir_all(&new);
}

#[test]
fn a_damaged_record_file_is_one_clear_line() {
    let root = root_with("damaged", 2.0);
    let file = root.join("results/m-1c-0000/s02_pass_string.rust.r2c.json");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, &text[..text.len() / 3]).unwrap();
    let (ok, _, err) = lab_report(&["--root", &root.display().to_string()]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("{}: damaged result file", file.display()))
            && err.contains("git checkout --"),
        "{err}"
    );
    let _ = fs::remove_dir_all(&root);
}

/// `check-counts` fails on a row that moved, and `--skip PART` leaves such rows out on both sides
/// (scripts/test skips S15's when only nginx's packages differ from the committed class).
#[test]
fn check_counts_gates_and_skips_rows_by_part_of_their_id() {
    let root = std::env::temp_dir().join(format!("lab-report-cli-gate-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let counts_dir = root.join("counts");
    fs::create_dir_all(&counts_dir).unwrap();
    let counts = |ir: f64| lab_record::Counts {
        instructions: ir,
        cycles_est: ir,
        l1_misses: 0.0,
        ll_misses: 0.0,
        n1: 100,
        n2: 1100,
        varies: false,
    };
    let pass = lab_record::CountsFile {
        machine: lab_record::Machine::example("m-1c-0000"),
        valgrind: "valgrind-3.19.0".into(),
        counts: [
            ("s02_pass_string/ptr_len/len=8".to_owned(), counts(40.0)),
            (
                "rust.c2r:s15_real_proxy/borrow/filter=basic_auth".to_owned(),
                counts(14_000.0),
            ),
        ]
        .into(),
        functions: Default::default(),
    };
    fs::write(
        counts_dir.join("s02.json"),
        serde_json::to_string(&pass).unwrap(),
    )
    .unwrap();
    let committed = root.join("committed.json");
    let mut old = pass.counts.clone();
    old.insert(
        "rust.c2r:s15_real_proxy/borrow/filter=basic_auth".to_owned(),
        counts(12_000.0),
    );
    fs::write(&committed, serde_json::to_string(&old).unwrap()).unwrap();
    let (c, d) = (committed.to_str().unwrap(), counts_dir.to_str().unwrap());
    let (ok, out, err) = lab_report(&["check-counts", c, d]);
    assert!(!ok, "a row 17 % off fails the gate: {out}{err}");
    assert!(out.contains("s15_real_proxy"), "{out}");
    let (ok, out, err) = lab_report(&["check-counts", c, d, "--skip", "s15_real_proxy"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("left out") && out.contains("1 rows within tolerance"),
        "{out}"
    );
    let (ok, _, err) = lab_report(&["check-counts", c, d, "--skip"]);
    assert!(!ok && err.contains("--skip needs"), "{err}");
    let _ = fs::remove_dir_all(&root);
}
