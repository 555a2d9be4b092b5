//! The callgrind pass of the C→R engine: the driver run under callgrind with `--count`, each
//! batch case counted as the R→C cases are.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use lab_record::{Machine, ResultFile};

use super::{c_extension_path, rust_extension_path, DriverRun};
use crate::case::Sweep;
use crate::options::Options;
use crate::passes::callgrind;

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

/// What one counted driver run gives: the ids of the cases it counted, in its order, and its
/// dumps by name (`<case id>#<n>`, as [`callgrind::counts_of`] reads them).
pub struct CountedRun {
    pub ids: Vec<String>,
    pub dumps: callgrind::Dumped,
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
    count_driver_on(&DriverRun::loading(extension), sweep, only)
}

/// [`count_driver`] for any [`DriverRun`]: its program, on its extension, with its flags.
pub(crate) fn count_driver_on(
    driver: &DriverRun,
    sweep: Sweep,
    only: Option<&str>,
) -> Result<CountedRun, String> {
    let stem = &driver.stem;
    let out = std::env::temp_dir().join(format!(
        "lab-driver-{}-{stem}.counted.jsonl",
        std::process::id()
    ));
    let mut args = driver.args();
    args.extend(["--out".into(), out.clone().into_os_string()]);
    args.extend(["--count".into(), callgrind::count_plan().into()]);
    if sweep == Sweep::Quick {
        args.push("--quick".into());
    }
    if let Some(only) = only {
        args.extend(["--only".into(), only.into()]);
    }
    let run = callgrind::run_counted(&format!("c2r-{stem}"), &driver.program, &args, &[]);
    let text = std::fs::read_to_string(&out);
    let _ = std::fs::remove_file(&out);
    let (dumps, seconds) = run?;
    let text = text.map_err(|e| format!("reading {}: {e}", out.display()))?;
    Ok(CountedRun {
        ids: parse_counted(&text)?,
        dumps,
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
        let renamed = |name: &str| {
            let n = name.strip_prefix(c_row)?.strip_prefix('#')?;
            Some(format!("{floor_row}#{n}"))
        };
        let totals: Vec<(String, [u64; 9])> = c
            .dumps
            .totals
            .iter()
            .filter_map(|(name, t)| Some((renamed(name)?, *t)))
            .collect();
        let functions: Vec<(String, callgrind::SelfCosts)> = c
            .dumps
            .functions
            .iter()
            .filter_map(|(name, f)| Some((renamed(name)?, f.clone())))
            .collect();
        for (_, run) in &mut runs {
            run.dumps.totals.extend(totals.iter().cloned());
            run.dumps.functions.extend(functions.iter().cloned());
            run.ids.push(floor_row.to_owned());
        }
    }
    let mut files = Vec::new();
    for (lang, run) in &runs {
        files.extend(file_counted(opts, machine, &valgrind, lang, run)?);
    }
    Ok(files)
}

/// Files the cases of a counted run that `opts` selects as the rows of `lang`, one counts file
/// per scenario ([`callgrind::file_counts_of`]); returns the timed records they were merged into.
pub(crate) fn file_counted(
    opts: &Options,
    machine: &Machine,
    valgrind: &str,
    lang: &str,
    run: &CountedRun,
) -> Result<Vec<ResultFile>, String> {
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
    let mut files = Vec::new();
    for (scenario, ids) in by_scenario {
        let rows = (scenario, lang, "c2r");
        files.extend(callgrind::file_counts_of(
            opts, machine, valgrind, rows, &ids, &run.dumps,
        )?);
    }
    Ok(files)
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
