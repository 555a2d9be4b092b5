//! C→R: runs the C driver (`c-harness/driver`) on an extension shared object and turns its JSON
//! Lines into result records. The driver times the calls itself, in C, so a Rust extension and a
//! Go one are measured by the very same loop; this side only launches it and files its records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::callgrind;
use crate::case::Sweep;
use crate::options::{target_main, Options};
use lab_record::{Allocs, Machine, Ns, Ratios, Record, ResultFile};

/// The driver binary that build.rs compiled from `c-harness/driver/` and the host.
pub fn driver_path() -> &'static Path {
    Path::new(env!("LAB_DRIVER"))
}

/// The same extension written in C (`c-harness/driver/c_ext.c`), built by build.rs: the driver's
/// language-neutral reference.
pub fn c_extension_path() -> &'static Path {
    Path::new(env!("LAB_C_EXTENSION"))
}

/// This crate's cdylib, built with the running test or bench binary. Cargo leaves it beside the
/// binary in `target/<profile>/deps/` (it copies it up to `target/<profile>/` only when the library
/// itself was asked for), so look there first.
pub fn rust_extension_path() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let deps = exe.parent().expect("exe in a directory");
    let candidates = [
        deps.join("liblab_ext.so"),
        deps.parent().unwrap_or(deps).join("liblab_ext.so"),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .unwrap_or(&candidates[0])
        .clone()
}

/// What the driver reports an extension's side allocated ("ext"), and the host's ("c").
#[derive(Debug, Clone, Deserialize)]
struct DriverAllocs {
    ext: f64,
    c: f64,
}

/// One line of the driver's output.
#[derive(Debug, Clone, Deserialize)]
pub struct DriverRecord {
    pub scenario: String,
    pub strategy: String,
    pub params: Map<String, Value>,
    pub ns_per_call: Ns,
    allocs_per_call: DriverAllocs,
    pub bytes_allocated_per_call: f64,
    /// The extension's own copies plus the host's copies into its buffers, per call.
    pub bytes_copied_per_call: f64,
    /// The extension's retained-bytes gauge after the case (S07, S11); null elsewhere.
    pub retained_bytes: Option<f64>,
    pub percentiles_ns: Option<BTreeMap<String, f64>>,
    pub checksum: Option<u64>,
    /// S01, S07, S10, S14: the case's ns per call in each interleaved round (every case of its
    /// work timed in turn, round after round); null for cases timed otherwise (S11, S12, S10's
    /// survival).
    #[serde(default)]
    per_round: Option<Vec<f64>>,
    /// The floor extension's (the C extension's) same case in the same rounds; null where the
    /// driver timed no floor (the C extension's own run: it is its own floor).
    #[serde(default)]
    floor_per_round: Option<Vec<f64>>,
    /// The ratios [`parse_lines`] computes from the rounds of the case's work.
    #[serde(skip)]
    pub ratios: Option<Ratios>,
}

impl DriverRecord {
    /// `scenario/strategy/params`, as filters match it.
    pub fn case_id(&self) -> String {
        format!(
            "{}/{}/{}",
            self.scenario,
            self.strategy,
            lab_record::params_label(&self.params)
        )
    }
}

/// Parses the driver's JSON Lines (blank lines ignored), with each interleaved record's ratios;
/// an error names the line.
pub fn parse_lines(text: &str) -> Result<Vec<DriverRecord>, String> {
    let mut records = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("driver output line {}: {e}: {l}", i + 1))
        })
        .collect::<Result<Vec<DriverRecord>, String>>()?;
    attach_ratios(&mut records)?;
    Ok(records)
}

/// The ratios of every record the driver timed in interleaved rounds, by the one computation R→C
/// uses ([`Ratios::of_rounds`]): per work (a scenario's cases with equal parameters, which the
/// driver timed in the same rounds), each row over its floor (the C extension's same strategy and
/// parameters) and over the fastest strategy of the work (references aside), round by round.
/// Computed before any filter drops a row, so a filtered run's best is still its work's best.
fn attach_ratios(records: &mut [DriverRecord]) -> Result<(), String> {
    let mut works: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        if r.per_round.is_some() {
            let work = lab_record::work_label(&r.params);
            works.entry((r.scenario.clone(), work)).or_default().push(i);
        }
    }
    for ((scenario, work), members) in works {
        let def = lab_record::scenario::get(&scenario).and_then(|d| d.direction("c2r"));
        // The rows' rounds, then each row's floor's, after them.
        let mut per_round: Vec<Vec<f64>> = members
            .iter()
            .map(|&i| records[i].per_round.clone().unwrap_or_default())
            .collect();
        let mut floors = vec![None; members.len()];
        for (k, &i) in members.iter().enumerate() {
            if let Some(f) = &records[i].floor_per_round {
                floors[k] = Some(per_round.len());
                per_round.push(f.clone());
            }
        }
        floors.resize(per_round.len(), None);
        let n = per_round[0].len();
        if n == 0 || per_round.iter().any(|v| v.len() != n) {
            return Err(format!(
                "driver output: the cases of {scenario} {work} were not timed in the same rounds"
            ));
        }
        let strategies: Vec<usize> = (0..members.len())
            .filter(|&k| !def.is_some_and(|d| d.is_reference(&records[members[k]].strategy)))
            .collect();
        let ratios = Ratios::of_rounds(&per_round, &floors, &strategies);
        for (&i, r) in members.iter().zip(ratios) {
            records[i].ratios = Some(r);
        }
    }
    Ok(())
}

/// Runs the driver on `extension`; returns its records, or its stderr when it fails.
///
/// `leak_tolerance` loosens the driver's S10 check that the extension's allocations and frees
/// balance after 10 000 panicking requests: 0 (exact) for Rust and C, whose counts are per
/// thread; Go's are process-wide and its runtime allocates on its own (a new M mid-run), so the
/// Go run allows a handful.
pub fn run_driver(
    extension: &Path,
    sweep: Sweep,
    only: Option<&str>,
    leak_tolerance: u32,
) -> Result<Vec<DriverRecord>, String> {
    // The pid padded to one width: the path is on the driver's command line, so on its stack,
    // and a path one digit longer would move the driver's stack in the layout `layout` fixes.
    let out = std::env::temp_dir().join(format!(
        "lab-driver-{:010}-{}.jsonl",
        std::process::id(),
        extension_stem(extension)
    ));
    let mut cmd = Command::new(driver_path());
    cmd.arg(extension).arg("--out").arg(&out);
    // S11: the C extension's first call on each new thread stands beside the measured one's.
    cmd.arg("--floor-ext").arg(c_extension_path());
    if sweep == Sweep::Quick {
        cmd.arg("--quick");
    }
    if leak_tolerance > 0 {
        cmd.arg("--leak-tolerance").arg(leak_tolerance.to_string());
    }
    if let Some(only) = only {
        cmd.arg("--only").arg(only);
    }
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", driver_path().display()))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        let _ = std::fs::remove_file(&out);
        return Err(format!(
            "lab-driver exited with {}:\n{stderr}",
            output.status
        ));
    }
    eprint!("{stderr}");
    let text =
        std::fs::read_to_string(&out).map_err(|e| format!("reading {}: {e}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    parse_lines(&text)
}

fn extension_stem(p: &Path) -> String {
    p.file_stem()
        .map_or_else(|| "ext".into(), |s| s.to_string_lossy().into_owned())
}

/// What one C→R `ns_per_call` of `scenario` covers: its definition's `[c2r]` unit.
///
/// # Panics
/// When the driver measured a scenario whose definition has no `[c2r]`: a C function without
/// its definition (the driver's tests check every scenario it runs).
pub fn unit(scenario: &str) -> &'static str {
    lab_record::scenario::get(scenario)
        .and_then(|d| d.c2r.as_ref())
        .map(|d| d.unit.as_str())
        .unwrap_or_else(|| panic!("scenarios/{scenario}.toml defines no [c2r]"))
}

/// Groups driver records into result files, one per scenario; the extension's allocations go to
/// the column of its language (the C extension's are C allocations: with the host's, in `c`).
pub fn to_result_files(
    records: Vec<DriverRecord>,
    lang: &str,
    machine: &Machine,
) -> Vec<ResultFile> {
    let mut by_scenario: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    for r in records {
        let (ext, c) = (Some(r.allocs_per_call.ext), Some(r.allocs_per_call.c));
        let allocs = match lang {
            "go" => Allocs {
                rust: None,
                c,
                go: ext,
            },
            _ => Allocs {
                rust: ext,
                c,
                go: None,
            },
        };
        by_scenario
            .entry(r.scenario.clone())
            .or_default()
            .push(Record {
                bytes_allocated_per_call: r.bytes_allocated_per_call,
                bytes_copied_per_call: r.bytes_copied_per_call,
                bytes_retained: r.retained_bytes,
                percentiles_ns: r.percentiles_ns,
                checksum: r.checksum,
                ratios: r.ratios,
                ..Record::new(&r.strategy, r.params, r.ns_per_call, allocs)
            });
    }
    by_scenario
        .into_iter()
        .map(|(scenario, records)| {
            ResultFile::new(&scenario, lang, "c2r", unit(&scenario), machine, records)
        })
        .collect()
}

/// Runs the driver on `extension` for the scenarios `opts` names and keeps the records it selects
/// (perhaps none); `Ok(None)` when the filter names no C→R scenario, so the driver did not run.
pub fn measure_c2r(
    opts: &Options,
    extension: &Path,
    leak_tolerance: u32,
) -> Result<Option<Vec<DriverRecord>>, String> {
    let scenarios = opts.named_scenarios("c2r");
    if scenarios.is_empty() {
        return Ok(None);
    }
    // Test mode (cargo test --benches) runs the quick sweep and checks the driver succeeds.
    let sweep = if opts.test_only {
        Sweep::Quick
    } else {
        opts.sweep
    };
    // The driver selects by scenario substring; a filter down to strategies is applied here.
    let only = opts.scenario_filter();
    let records = run_driver(extension, sweep, only, leak_tolerance)?
        .into_iter()
        .filter(|r| opts.selects(&r.case_id()))
        .collect();
    Ok(Some(records))
}

/// A line of the driver's `--count` run: a case it counted.
#[derive(Debug, Clone, Deserialize)]
struct CountedCase {
    scenario: String,
    strategy: String,
    params: Map<String, Value>,
    counted: bool,
}

/// The case ids (`scenario/strategy/params`) of the lines of a `--count` run, in order; an error
/// names the line.
pub fn parse_counted(text: &str) -> Result<Vec<String>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let c: CountedCase = serde_json::from_str(l)
                .map_err(|e| format!("driver output line {}: {e}: {l}", i + 1))?;
            if !c.counted {
                return Err(format!("driver output line {}: not counted: {l}", i + 1));
            }
            let params = lab_record::params_label(&c.params);
            Ok(format!("{}/{}/{params}", c.scenario, c.strategy))
        })
        .collect()
}

/// What one counted driver run gives: the ids of the cases it counted, in its order, and the
/// totals of its dumps by name (`<case id>#<n>`, as [`callgrind::counts_of`] reads them).
pub struct CountedRun {
    pub ids: Vec<String>,
    pub totals: BTreeMap<String, [u64; 9]>,
    pub seconds: f64,
}

/// The driver on `extension` under callgrind ([`callgrind::run_counted`]) with `--count`: each
/// of its batch cases counted as the R→C cases are ([`callgrind::count_plan`]), nothing timed.
/// No floor extension: the C extension's rows are counted by a run of their own.
pub fn count_driver(
    extension: &Path,
    sweep: Sweep,
    only: Option<&str>,
) -> Result<CountedRun, String> {
    let stem = extension_stem(extension);
    let out = std::env::temp_dir().join(format!(
        "lab-driver-{}-{stem}.counted.jsonl",
        std::process::id()
    ));
    let mut args = vec![extension.as_os_str().to_owned(), "--out".into()];
    args.push(out.clone().into_os_string());
    args.extend(["--count".into(), callgrind::count_plan().into()]);
    if sweep == Sweep::Quick {
        args.push("--quick".into());
    }
    if let Some(only) = only {
        args.extend(["--only".into(), only.into()]);
    }
    let run = callgrind::run_counted(&format!("c2r-{stem}"), driver_path(), &args, &[]);
    let text = std::fs::read_to_string(&out);
    let _ = std::fs::remove_file(&out);
    let (totals, seconds) = run?;
    let text = text.map_err(|e| format!("reading {}: {e}", out.display()))?;
    Ok(CountedRun {
        ids: parse_counted(&text)?,
        totals,
        seconds,
    })
}

/// Rows of every extension's records that the C extension's run measures, as `(row, the C run's
/// row)`: S11 times the C extension's first call on each new thread, just before the measured
/// extension's.
const FLOOR_ROWS: [(&str, &str); 1] = [(
    "s11_thread_attach/c_first_call/filter=one_header",
    "s11_thread_attach/first_call/filter=one_header",
)];

/// The callgrind pass of the C→R target: the driver counts the selected scenarios' cases on the
/// Rust extension, then on the C extension (the floor), and their counts are filed as R→C's are
/// ([`callgrind::file_counts_of`]): `results/<machine>/counts/<scenario>.<lang>.c2r.json`, and
/// the records of the timed run. S11's first call and first clock reads are counted on a fresh
/// thread, once each, beside an empty window (`#0` and `#1`: `counts_of` reads them as batches of
/// no call and one); S10's survival run counts its calls alone, the requests' set-up and
/// destruction left out as its timing leaves them.
pub fn count_c2r(opts: &Options, machine: &Machine) -> Result<Vec<ResultFile>, String> {
    if opts.named_scenarios("c2r").is_empty() {
        println!("lab: the filter names no C->R scenario: the driver does not run");
        return Ok(Vec::new());
    }
    let valgrind = callgrind::valgrind_version()?;
    let extensions = [
        ("rust", rust_extension_path()),
        ("c", c_extension_path().to_path_buf()),
    ];
    let mut runs = Vec::new();
    for (lang, ext) in &extensions {
        runs.push((
            *lang,
            count_driver(ext, opts.sweep, opts.scenario_filter())?,
        ));
    }
    // Each run's `c_first_call` is the C extension's first call on a thread, before any other
    // extension's: the C run's `first_call`, counted so (the counted runs load no floor).
    for (floor_row, c_row) in FLOOR_ROWS {
        let Some((_, c)) = runs.iter().find(|(lang, _)| *lang == "c") else {
            break;
        };
        if !c.ids.iter().any(|id| id == c_row) {
            continue;
        }
        let dumps: Vec<(String, [u64; 9])> = c
            .totals
            .iter()
            .filter_map(|(name, t)| {
                let n = name.strip_prefix(c_row)?.strip_prefix('#')?;
                Some((format!("{floor_row}#{n}"), *t))
            })
            .collect();
        for (_, run) in &mut runs {
            run.totals.extend(dumps.iter().cloned());
            run.ids.push(floor_row.to_owned());
        }
    }
    let mut files = Vec::new();
    for (lang, run) in &runs {
        let ids: Vec<&String> = run.ids.iter().filter(|id| opts.selects(id)).collect();
        if ids.is_empty() {
            return Err(format!(
                "the filter {:?} selects no counted case of {}",
                opts.filter.as_deref().unwrap_or_default(),
                opts.named_scenarios("c2r").join(", ")
            ));
        }
        println!(
            "lab: callgrind counted {} C->R cases of the {lang} extension in {:.1} s (valgrind \
             included)",
            ids.len(),
            run.seconds
        );
        let mut by_scenario: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for id in ids {
            let scenario = id.split('/').next().unwrap_or(id);
            by_scenario.entry(scenario).or_default().push(id.clone());
        }
        for (scenario, ids) in by_scenario {
            let rows = (scenario, *lang, "c2r");
            files.extend(callgrind::file_counts_of(
                opts,
                machine,
                &valgrind,
                rows,
                &ids,
                &run.totals,
            )?);
        }
    }
    Ok(files)
}

/// The `main` of the C→R bench target: the driver on the Rust extension; records and report.
pub fn bench_main() {
    target_main("c2r driver", |opts, machine| {
        if opts.profile {
            println!(
                "lab: the C->R driver is timed in C, outside this process: no flame graph here"
            );
            return Ok(Vec::new());
        }
        if opts.callgrind && !opts.test_only {
            return count_c2r(opts, machine);
        }
        let ext = rust_extension_path();
        let Some(records) = measure_c2r(opts, &ext, 0)? else {
            println!("lab: the filter names no C->R scenario: the driver does not run");
            return Ok(Vec::new());
        };
        if records.is_empty() {
            return Err(format!(
                "the filter {:?} selects no case of {}",
                opts.filter.as_deref().unwrap_or_default(),
                opts.named_scenarios("c2r").join(", ")
            ));
        }
        let mut files = to_result_files(records, "rust", machine);
        // The C→R floor: the same filters written in C, through the same driver, in this run.
        if let Some(c) = measure_c2r(opts, c_extension_path(), 0)? {
            files.extend(to_result_files(c, "c", machine));
        }
        Ok(files)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counted run's lines name its cases by the ids their records have (the driver's params in
    /// its order, strings unquoted), so the dumps `<id>#<n>` find their records.
    #[test]
    fn counted_lines_give_the_case_ids() {
        let text = "{\"scenario\":\"s01_call_floor\",\"strategy\":\"empty_call\",\"params\":{},\"counted\":true}\n\
                    \n\
                    {\"scenario\":\"s14_filters\",\"strategy\":\"bulk_copy\",\"params\":{\"filter\":\"basic_auth\",\"credentials\":\"valid\"},\"counted\":true}\n\
                    {\"scenario\":\"s07_copy_on_demand\",\"strategy\":\"lazy\",\"params\":{\"filter\":\"body\",\"body\":1048576},\"counted\":true}\n";
        assert_eq!(
            parse_counted(text).unwrap(),
            [
                "s01_call_floor/empty_call/",
                "s14_filters/bulk_copy/filter=basic_auth,credentials=valid",
                "s07_copy_on_demand/lazy/filter=body,body=1048576",
            ]
        );
        let e = parse_counted("{\"scenario\":\"s01_call_floor\"}\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }
}
