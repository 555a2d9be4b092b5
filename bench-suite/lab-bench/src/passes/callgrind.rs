//! The deterministic pass (`LAB_CALLGRIND=1 cargo bench`, run by `scripts/bench` after the timed
//! runs and the profile pass): every selected R→C case counted under Valgrind's callgrind with its
//! cache simulation, so each row gets instructions, L1 and last-level misses and estimated cycles
//! per call that do not move between runs, beside the wall-clock median that does.
//!
//! The bench binary re-executes itself under `valgrind --tool=callgrind` (the child). The child,
//! per case, runs a calibrating batch of [`CALIBRATE`] calls (its instructions per call choose how
//! many calls the case is counted over, [`LEVELS`]: 100 and 1100 for most), a warm-up, and two
//! measured batches of `n1` and `n2` calls, each between `lab_cg_start` and `lab_cg_stop_dump`
//! (`c-harness/callgrind/lab_cg.c`: callgrind's client requests, which zero the counters of every
//! thread and dump them under the case's name). Only `case.run(n)` runs in between. The parent
//! reads the dumps and keeps `(total at n2 - total at n1) / (n2 - n1)` per event, so the cost of
//! entering the loop and of the requests themselves cancels. It writes the counts to
//! `results/<machine>/counts/<scenario>.json` and into the records of the timed run.
//!
//! What makes the counts reproducible: a pinned cache model ([`lab_record::CACHE_MODEL`]) instead
//! of the host's; `LD_BIND_NOW=1` and the warm-up, so no call pays lazy PLT binding or a first
//! allocation; no `target-cpu=native`; no path compiled into the binary
//! ([`crate::options::workspace_root`]), so clones at different paths build the same code and
//! data layout; the cases built and counted on a thread of their own, whose malloc arena nothing
//! path- or environment-dependent touches ([`aside`]). What still depends on the machine: glibc
//! picks `memcpy`, `strlen` and friends by CPUID at load time (ifuncs), and valgrind reports the
//! host's CPU features minus the ones it cannot run (no AVX-512), so a machine with other
//! features may run other copy routines. Cases that share their calls among threads (S08, S09: a
//! crew's) count every thread's work but not its waits ([`WAITS`]), which the scheduler decides;
//! how the threads interleave still moves them a little from pass to pass ([`varies`]). Figures:
//! docs/evidence/2026-12-02-callgrind-pass.md.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, CString, OsStr};
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use lab_record::{Counts, CountsFile, FunctionCost, Machine, ResultFile, CACHE_MODEL, COUNTS_DIR};

use super::attribution;
pub use super::attribution::SelfCosts;

use crate::case::{Case, Scenario};
use crate::options::{target_dir, Options};

extern "C" {
    fn lab_cg_start();
    fn lab_cg_stop_dump(name: *const c_char);
    fn lab_cg_running() -> c_int;
}

/// The calls of the first, calibrating batch: they also warm the case (buffers filled), and their
/// instructions per call choose the case's [`Level`].
pub const CALIBRATE: u64 = 10;

/// How many calls a case is counted over, by its instructions per call in the calibrating batch:
/// `(most Ir per call, n1, n2)`, the first that fits. Before the batch of `n1` calls, `n1` more
/// warm it. Every difference `n2 - n1` is a multiple of every amortising strategy's period (S06's
/// `every`, 4). More calls reach further into the steady state of cases whose calls vary
/// (malloc's bins, a buffer that grows), at the price of the pass's time, so the cheap cases get
/// 1000 calls and the heavy ones (S06 at 128 headers, S13's large bodies) 100.
pub const LEVELS: [(f64, u64, u64); 3] = [
    (2_000.0, 100, 1100),
    (20_000.0, 40, 440),
    (f64::INFINITY, 10, 110),
];

/// The counted batches of a case of `ir_per_call` instructions per call: `(n1, n2)`.
pub fn level(ir_per_call: f64) -> (u64, u64) {
    let (_, n1, n2) = *LEVELS
        .iter()
        .find(|(most, _, _)| ir_per_call <= *most)
        .expect("the last level takes any count");
    (n1, n2)
}

/// The pause before each counted batch, so that threads of the previous batch or case (a crew's
/// members after their last round) reach their wait before the counters are zeroed.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(2);
/// The pause before a scenario's first case: its crews' threads, spawned when the cases were
/// built, start up (slowly, under valgrind) and reach their first wait outside any count.
const STARTUP: std::time::Duration = std::time::Duration::from_millis(200);

/// The functions in which a thread waits for another, left out of every count: callgrind turns a
/// thread's collection off on entering one and on again on leaving it (`--toggle-collect`). How
/// long a wait spins or how often it loops is the scheduler's doing, not the strategy's. Each
/// function here must never run inside another, since a toggle inside a toggle turns collection
/// back on: so `__lll_lock_wait` and Rust's `Mutex::lock_contended`, through which
/// `pthread_cond_wait` and `Condvar::wait` take their lock, stay counted. Figures:
/// docs/evidence/2026-12-02-callgrind-pass.md.
pub const WAITS: [&str; 3] = [
    // The lab's own spin-then-yield wait (S08's writers waiting for the worker, `run_sync`).
    "lab_sys::worker::wait_slow",
    // The C host's worker waiting for a task, a poster waiting for room.
    "pthread_cond_wait@@GLIBC_2.3.2",
    // A crew's members waiting for a round, the round's thread waiting for them.
    "<std::sys::sync::condvar::futex::Condvar>::wait",
];

/// Set in the child's environment: this process is the one under valgrind.
const CHILD: &str = "LAB_CALLGRIND_CHILD";

/// Whether this process runs under valgrind.
pub fn under_valgrind() -> bool {
    // SAFETY: a client request; a few no-op instructions outside valgrind.
    unsafe { lab_cg_running() != 0 }
}

/// Whether this process is the pass's child (under valgrind, started by the parent).
pub fn is_child() -> bool {
    std::env::var_os(CHILD).is_some() && under_valgrind()
}

/// The dump name of `case_id` at `n` calls.
fn dump_name(case_id: &str, n: u64) -> String {
    format!("{case_id}#{n}")
}

/// Where the child finds its dumps (set by the parent).
const DUMP_DIR: &str = "LAB_CALLGRIND_DIR";

/// The child's dumps so far: callgrind numbers them `<out-file>.1`, `.2`, … in order.
struct Dumps {
    count: u32,
}

impl Dumps {
    /// Zeroes the counters, runs `f`, dumps under `name`; returns the number of the dump.
    fn count<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> (T, u32) {
        let name = CString::new(name).expect("case ids have no NUL");
        // SAFETY: client requests; `name` outlives the call.
        unsafe { lab_cg_start() };
        let out = f();
        unsafe { lab_cg_stop_dump(name.as_ptr()) };
        self.count += 1;
        (out, self.count)
    }
}

/// Runs `f` on a thread of its own, so that what it allocates lands in another malloc arena than
/// the counted thread's. Whatever depends on where the lab lives (the dump directory's path, the
/// process id in a dump's name, a dump's text, which names the binary's path) is done here: in
/// the counted thread those allocations would move its heap, and with it the counts of the
/// allocating rows, from one clone of the lab to another
/// (docs/evidence/2026-12-02-callgrind-pass.md).
fn aside<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// Instructions per call of the calibrating batch of `calls` calls, from dump number `dump`
/// (infinite when it cannot be read: the case is then counted at the last level).
fn calibration(dump: u32, calls: u64) -> f64 {
    let dir = std::env::var_os(DUMP_DIR).map_or_else(PathBuf::new, PathBuf::from);
    let path = dir.join(format!("cg.{}.{dump}", std::process::id()));
    fs::read_to_string(&path)
        .ok()
        .and_then(|t| parse_dump(&t))
        .map_or(f64::INFINITY, |(_, t)| t[0] as f64 / calls as f64)
}

/// The child's work for one scenario: per case, a calibrating batch of [`CALIBRATE`] calls whose
/// instructions choose its [`level`], `n1` calls of warm-up, then the counted batches of `n1` and
/// `n2` calls.
pub fn count_cases(scenario: &Scenario, cases: &[Case]) {
    let mut dumps = Dumps { count: 0 };
    std::thread::sleep(STARTUP);
    // A first zero and dump outside any case: whatever the first requests of a process cost
    // (tens of thousands of instructions) lands in a dump no case reads.
    dumps.count(&format!("{}#prime", scenario.id), || ());
    for case in cases {
        let id = case.id(scenario.id);
        let (sum, dump) = dumps.count(&format!("{id}#calibrate"), || case.run(CALIBRATE));
        black_box(sum).expect("checked before counting");
        let (n1, n2) = level(aside(|| calibration(dump, CALIBRATE)));
        // The reading thread's instructions stay with its ended thread, which the next zeroing
        // does not reach, so they would come out in the first counted batch; a dump writes them
        // out and zeroes them.
        dumps.count(&format!("{id}#aside"), || ());
        black_box(case.run(n1)).expect("checked before counting");
        for n in [n1, n2] {
            std::thread::sleep(SETTLE);
            let (sum, _) = dumps.count(&dump_name(&id, n), || case.run(black_box(n)));
            black_box(sum).expect("checked before counting");
        }
    }
}

/// `valgrind --version`, or why there is none.
pub fn valgrind_version() -> Result<String, String> {
    let out = Command::new("valgrind")
        .arg("--version")
        .output()
        .map_err(|e| format!("valgrind: {e} (run scripts/setup)"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The parent's work: this binary again, with the same arguments, under callgrind; returns its
/// dumps, and the seconds the child took.
pub fn run_child(label: &str) -> Result<(Dumped, f64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    run_counted(label, &exe, std::env::args_os().skip(1), &[(CHILD, "1")])
}

/// A fresh directory for the dumps of one counted run, `target/callgrind/<label>-<pid>`.
pub fn dump_dir(label: &str) -> Result<PathBuf, String> {
    let dir = target_dir()
        .join("callgrind")
        .join(format!("{label}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// valgrind's log in a [`dump_dir`].
pub const VALGRIND_LOG: &str = "valgrind.log";

/// valgrind's options for every counted run, up to the program: callgrind with its cache
/// simulation on [`CACHE_MODEL`], the waits left out ([`WAITS`]), the dumps and the log into
/// `dir`.
pub fn valgrind_args(dir: &Path) -> Vec<String> {
    let mut args: Vec<String> = ["--tool=callgrind", "--cache-sim=yes"]
        .iter()
        .chain(CACHE_MODEL.iter())
        .map(|a| a.to_string())
        .collect();
    args.extend(WAITS.iter().map(|f| format!("--toggle-collect={f}")));
    // After the toggles, which would otherwise turn collection off at the start.
    args.push("--collect-atstart=yes".into());
    args.push(format!("--callgrind-out-file={}/cg.%p", dir.display()));
    args.push(format!("--log-file={}", dir.join(VALGRIND_LOG).display()));
    args
}

/// `program args` under `valgrind --tool=callgrind` with the pass's settings (the cache
/// simulation on [`CACHE_MODEL`], `LD_BIND_NOW=1`, the dumps into a fresh directory named by
/// [`DUMP_DIR`] in its environment, with `env` besides): its dumps, and the seconds it took. The pass's child ([`run_child`]) and the C→R driver (`crate::engines::driver`)
/// run so.
pub fn run_counted(
    label: &str,
    program: &Path,
    args: impl IntoIterator<Item = impl AsRef<OsStr>>,
    env: &[(&str, &str)],
) -> Result<(Dumped, f64), String> {
    let dir = dump_dir(label)?;
    let log = dir.join(VALGRIND_LOG);
    let start = Instant::now();
    let status = Command::new("valgrind")
        .args(valgrind_args(&dir))
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .env(DUMP_DIR, &dir)
        .env("LD_BIND_NOW", "1")
        .status()
        .map_err(|e| format!("valgrind: {e} (run scripts/setup)"))?;
    let seconds = start.elapsed().as_secs_f64();
    if !status.success() {
        let text = fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "the callgrind pass failed ({status}); valgrind's log {}:\n{}",
            log.display(),
            tail.join("\n")
        ));
    }
    let dumps = read_dumps(&dir)?;
    let _ = fs::remove_dir_all(&dir);
    Ok((dumps, seconds))
}

/// The named dumps of a counted run, by name (`<case id>#<n>`).
#[derive(Debug, Clone, Default)]
pub struct Dumped {
    /// Each dump's totals in the cache simulation's event order
    /// (`Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw`).
    pub totals: BTreeMap<String, [u64; 9]>,
    /// Each dump's self instructions by function ([`attribution::self_costs`]).
    pub functions: BTreeMap<String, SelfCosts>,
}

/// Every client-request dump in `dir`: its name, its totals and its functions' instructions.
pub fn read_dumps(dir: &Path) -> Result<Dumped, String> {
    let mut out = Dumped::default();
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("cg."))
        {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some((name, totals)) = parse_dump(&text) {
            out.functions
                .insert(name.clone(), attribution::self_costs(&text));
            out.totals.insert(name, totals);
        }
    }
    Ok(out)
}

/// A dump's client-request name and totals; `None` for the dump at program termination.
pub fn parse_dump(text: &str) -> Option<(String, [u64; 9])> {
    let mut name = None;
    let mut events: Vec<&str> = Vec::new();
    for line in text.lines() {
        // A client request's dump (the lab's own code), or `callgrind_control -d NAME`'s (S16,
        // Envoy, counted from outside).
        if let Some(n) = line
            .strip_prefix("desc: Trigger: Client Request: ")
            .or_else(|| line.strip_prefix("desc: Trigger: dump "))
        {
            name = Some(n.to_owned());
        } else if let Some(e) = line.strip_prefix("events: ") {
            events = e.split_whitespace().collect();
        } else if let Some(s) = line.strip_prefix("summary: ") {
            // Trailing zero events are left out of the line.
            let values: Vec<u64> = s
                .split_whitespace()
                .map(|v| v.parse().unwrap_or(0))
                .collect();
            let order = [
                "Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw",
            ];
            let mut totals = [0u64; 9];
            for (slot, ev) in totals.iter_mut().zip(order) {
                if let Some(i) = events.iter().position(|e| *e == ev) {
                    *slot = values.get(i).copied().unwrap_or(0);
                }
            }
            return name.map(|n| (n, totals));
        }
    }
    None
}

/// The two batches of `case_id` in `dumps` (the two dumps `<id>#<n>` with a number), smaller
/// first: `(n1, value at n1, n2, value at n2)`.
fn batches<'a, T>(
    dumps: &'a BTreeMap<String, T>,
    case_id: &str,
) -> Option<(u64, &'a T, u64, &'a T)> {
    let prefix = format!("{case_id}#");
    let mut batches: Vec<(u64, &T)> = dumps
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter_map(|(k, v)| Some((k[prefix.len()..].parse().ok()?, v)))
        .collect();
    batches.sort_by_key(|(n, _)| *n);
    let [(n1, a), (n2, b)] = batches.as_slice() else {
        return None;
    };
    Some((*n1, *a, *n2, *b))
}

/// The counts per call of `case_id` from the dumps' totals, if both of its batches were dumped
/// (the two dumps `<id>#<n>` with a number: the smaller is `n1`).
pub fn counts_of(totals: &BTreeMap<String, [u64; 9]>, case_id: &str) -> Option<Counts> {
    let (n1, a, n2, b) = batches(totals, case_id)?;
    Some(Counts {
        varies: varies(case_id),
        ..Counts::from_totals(n1, a, n2, b)
    })
}

/// Where the instructions per call of `case_id` go, by function, from the same two batches as
/// [`counts_of`] (empty where the dumps carry no functions).
pub fn functions_of(dumps: &Dumped, case_id: &str) -> Vec<FunctionCost> {
    batches(&dumps.functions, case_id)
        .map(|(n1, a, n2, b)| attribution::per_call(n1, a, n2, b))
        .unwrap_or_default()
}

/// Whether a case's counts move a little between passes ([`Counts::varies`]): it shares its calls
/// among a crew's threads (S08's writers and the host's worker, S09's callers, one thread's too),
/// or it runs in LuaJIT (S15's Lua reference, whose collector and compiler work in one batch or
/// another), or in Envoy (S16: its main thread's timers and a Go module's runtime threads run on
/// their own clocks, in one batch or another).
pub fn varies(case_id: &str) -> bool {
    case_id.starts_with("s08_cross_thread_writes/")
        || case_id.starts_with("s09_request_lifetime/")
        || case_id.starts_with("s15_real_proxy/lua/")
        || case_id.starts_with("s16_envoy/")
}

/// The parent's filing for one scenario: the counts of its `cases` into
/// `results/<machine>/counts/<scenario>.json` (keeping cases this run did not count), and into the
/// records of its timed result file, which it returns (`None` without a timed run yet).
pub fn file_counts(
    opts: &Options,
    machine: &Machine,
    valgrind: &str,
    scenario: &Scenario,
    cases: &[Case],
    dumps: &Dumped,
) -> Result<Option<ResultFile>, String> {
    let ids: Vec<String> = cases.iter().map(|c| c.id(scenario.id)).collect();
    let rows = (scenario.id, Scenario::LANG, Scenario::DIRECTION);
    file_counts_of(opts, machine, valgrind, rows, &ids, dumps)
}

/// [`file_counts`] for the case ids `ids` of the rows `(scenario, lang, direction)` (the C→R
/// driver's, whose cases are not [`Case`]s): their counts into the counts file of those rows
/// ([`counts_path_of`], keys [`lab_record::counts_key`]) and into the records of their timed
/// result file, which it returns (`None` without a timed run yet).
pub fn file_counts_of(
    opts: &Options,
    machine: &Machine,
    valgrind: &str,
    (scenario, lang, direction): (&str, &str, &str),
    ids: &[String],
    dumps: &Dumped,
) -> Result<Option<ResultFile>, String> {
    let mut counts = BTreeMap::new();
    let mut functions = BTreeMap::new();
    for id in ids {
        let c = counts_of(&dumps.totals, id)
            .ok_or_else(|| format!("callgrind dumped no counts of {id}"))?;
        counts.insert(id.clone(), c);
        functions.insert(id.clone(), functions_of(dumps, id));
    }
    let results = opts.out_root.join("results").join(&machine.id);
    let path = counts_path_of(&results, scenario, lang, direction);
    let mut file = match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str::<CountsFile>(&text).unwrap_or_else(|_| CountsFile {
            machine: machine.clone(),
            valgrind: valgrind.to_owned(),
            counts: BTreeMap::new(),
            functions: BTreeMap::new(),
        }),
        Err(_) => CountsFile {
            machine: machine.clone(),
            valgrind: valgrind.to_owned(),
            counts: BTreeMap::new(),
            functions: BTreeMap::new(),
        },
    };
    file.machine = machine.clone();
    file.valgrind = valgrind.to_owned();
    file.counts.extend(
        counts
            .iter()
            .map(|(id, c)| (lab_record::counts_key(lang, direction, id), *c)),
    );
    for (id, f) in &functions {
        let key = lab_record::counts_key(lang, direction, id);
        if f.is_empty() {
            file.functions.remove(&key);
        } else {
            file.functions.insert(key, f.clone());
        }
    }
    fs::create_dir_all(path.parent().expect("a counts file has a directory"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let json = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    lab_record::write_atomically(&path, &(json + "\n"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    println!("lab: wrote {}", path.display());

    let read = ResultFile::read(&results, scenario, lang, direction);
    let Some(mut timed) = read.map_err(|e| e.to_string())? else {
        println!(
            "lab: no timed results for {scenario} ({lang} {direction}) yet: counts written, not \
             merged into records"
        );
        return Ok(None);
    };
    for r in &mut timed.records {
        let id = format!("{scenario}/{}/{}", r.strategy, r.params_label());
        if let Some(c) = counts.get(&id) {
            r.counts = Some(*c);
            r.functions = functions.get(&id).cloned().unwrap_or_default();
        }
    }
    Ok(Some(timed))
}

/// `results/<machine>/counts/<scenario>.json`.
pub fn counts_path(results: &Path, scenario: &str) -> PathBuf {
    results.join(COUNTS_DIR).join(format!("{scenario}.json"))
}

/// The counts file of the rows `(scenario, lang, direction)`: [`counts_path`] for the normal
/// build's R→C rows, `results/<machine>/counts/<scenario>.<lang>.<direction>.json` for the others (the
/// C→R rows of the Rust and of the C extension, whose ids R→C S01 shares, and the LTO build's).
pub fn counts_path_of(results: &Path, scenario: &str, lang: &str, direction: &str) -> PathBuf {
    if (lang, direction) == (lab_record::builds::NORMAL, Scenario::DIRECTION) {
        counts_path(results, scenario)
    } else {
        results
            .join(COUNTS_DIR)
            .join(lab_record::file_name(scenario, lang, direction))
    }
}

/// What the C→R driver's `--count` takes: [`CALIBRATE`], then each of [`LEVELS`] as
/// `most:n1:n2` (`10,2000:100:1100,…,inf:10:110`), so both sides count with one plan.
pub fn count_plan() -> String {
    let levels = LEVELS.map(|(most, n1, n2)| format!("{most}:{n1}:{n2}"));
    format!("{CALIBRATE},{}", levels.join(","))
}

/// The parent's pass over `scenarios` with their selected cases: run the child (which counts, on
/// a thread of its own: `engines::criterion`'s `count_child`) and file what it counted. The timed
/// pass and `cargo test --benches` check the cases; the child only counts them.
pub fn pass(
    opts: &Options,
    machine: &Machine,
    selected: Vec<(&Scenario, Vec<Case>)>,
) -> Result<Vec<ResultFile>, String> {
    if selected.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = selected.iter().map(|(s, _)| s.id).collect();
    let valgrind = valgrind_version()?;
    let (dumps, seconds) = run_child(&format!("{}{}", ids[0], crate::build::R2C_LANG))?;
    let n: usize = selected.iter().map(|(_, c)| c.len()).sum();
    println!(
        "lab: callgrind counted {n} cases of {} ({}) in {seconds:.1} s (valgrind included)",
        ids.join(", "),
        crate::build::R2C_LANG
    );
    let mut files = Vec::new();
    for (scenario, cases) in &selected {
        files.extend(file_counts(
            opts, machine, &valgrind, scenario, cases, &dumps,
        )?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_gives_its_name_and_totals() {
        let text = "# callgrind format\nversion: 1\ndesc: Trigger: Client Request: s01/x/#100\n\
                    positions: line\nevents: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n\
                    summary: 7350 1245 1247 3\ntotals: 7340 1245 1241\n";
        let (name, t) = parse_dump(text).unwrap();
        assert_eq!(name, "s01/x/#100");
        assert_eq!(t, [7350, 1245, 1247, 3, 0, 0, 0, 0, 0]);
        assert_eq!(
            parse_dump("desc: Trigger: Program termination\nevents: Ir\nsummary: 0\n"),
            None
        );
        assert_eq!(
            parse_dump("desc: Trigger: dump s16/x/#120\nevents: Ir\nsummary: 7\n")
                .map(|(n, t)| (n, t[0])),
            Some(("s16/x/#120".to_owned(), 7))
        );
    }

    #[test]
    fn counts_are_per_call_differences() {
        let mut totals = BTreeMap::new();
        let (n1, n2) = level(10.0);
        let d = n2 - n1;
        totals.insert(dump_name("a", n1), [1_000, 0, 0, 10, 5, 5, 2, 1, 1]);
        totals.insert("a#calibrate".into(), [5; 9]);
        totals.insert("ab#1".into(), [5; 9]);
        totals.insert(
            dump_name("a", n2),
            [1_000 + 100 * d, 0, 0, 10, 5 + d, 5, 2, 1, 1 + d / 10],
        );
        let c = counts_of(&totals, "a").unwrap();
        assert_eq!(c.instructions, 100.0);
        assert_eq!(c.l1_misses, 1.0);
        assert_eq!(c.ll_misses, 0.1);
        assert_eq!(c.cycles_est, 100.0 + 10.0 + 10.0);
        assert_eq!((c.n1, c.n2), (100, 1100));
        assert_eq!(level(5_000.0), (40, 440));
        assert_eq!(level(1e9), (10, 110));
        assert_eq!(counts_of(&totals, "b"), None);
        assert!(!c.varies);
        assert!(varies("s09_request_lifetime/unchecked/threads=2"));
        assert!(varies("s09_request_lifetime/unchecked/threads=1"));
        assert!(varies("s08_cross_thread_writes/post/writers=1,wait=0"));
        assert!(varies("s15_real_proxy/lua/filter=basic_auth"));
        assert!(!varies("s15_real_proxy/borrow/filter=basic_auth"));
    }

    #[test]
    fn the_driver_counts_with_the_same_plan() {
        assert_eq!(count_plan(), "10,2000:100:1100,20000:40:440,inf:10:110");
    }

    /// C→R counts go to a file and keys of their own (the C→R S01 ids are R→C's too, and the Rust
    /// and the C extension share theirs), and into the C→R records of their language.
    #[test]
    fn c2r_counts_are_filed_apart_and_into_their_records() {
        let root = std::env::temp_dir().join(format!("lab-cg-filing-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let opts = Options {
            sweep: crate::case::Sweep::Quick,
            pass: crate::options::Pass::Count,
            filter: None,
            out_root: root.clone(),
        };
        let machine = Machine::example("m");
        let results = root.join("results/m");
        let ns = lab_record::Ns {
            median: 2.0,
            low: 1.0,
            high: 3.0,
        };
        let allocs = lab_record::Allocs {
            rust: Some(0.0),
            c: Some(0.0),
            go: None,
        };
        for lang in ["rust", "c"] {
            let records = vec![lab_record::Record::new(
                "empty_call",
                Default::default(),
                ns,
                allocs,
            )];
            ResultFile::new("s01_call_floor", lang, "c2r", "call", &machine, records)
                .merge_into(&results)
                .unwrap();
        }
        let id = "s01_call_floor/empty_call/".to_owned();
        let mut totals = Dumped::default();
        totals
            .totals
            .insert(format!("{id}#100"), [543, 112, 115, 1, 0, 0, 1, 0, 0]);
        totals
            .totals
            .insert(format!("{id}#1100"), [5543, 1112, 1115, 1, 0, 0, 1, 0, 0]);
        let costs = |n: u64| SelfCosts::from([("lab_ext_empty".to_owned(), 43 + 3 * n)]);
        totals.functions.insert(format!("{id}#100"), costs(100));
        totals.functions.insert(format!("{id}#1100"), costs(1100));
        let rows = ("s01_call_floor", "rust", "c2r");
        let ids = [id.clone()];
        let file = file_counts_of(&opts, &machine, "valgrind-x", rows, &ids, &totals)
            .unwrap()
            .expect("a timed file to merge into");
        assert_eq!(
            (file.lang.as_str(), file.direction.as_str()),
            ("rust", "c2r")
        );
        let c = file.records[0].counts.expect("the record takes its counts");
        assert_eq!(
            (c.instructions, c.n1, c.n2, c.varies),
            (5.0, 100, 1100, false)
        );
        let attributed = vec![FunctionCost {
            function: "lab_ext_empty".into(),
            instructions: 3.0,
        }];
        assert_eq!(file.records[0].functions, attributed);
        let path = counts_path_of(&results, "s01_call_floor", "rust", "c2r");
        assert!(
            path.ends_with("counts/s01_call_floor.rust.c2r.json"),
            "{path:?}"
        );
        let all = lab_record::load_counts(&results.join(COUNTS_DIR)).unwrap();
        assert_eq!(
            all.keys().collect::<Vec<_>>(),
            ["rust.c2r:s01_call_floor/empty_call/"]
        );
        let files = lab_record::load_counts_files(&results.join(COUNTS_DIR)).unwrap();
        assert_eq!(
            files[0]
                .functions
                .get("rust.c2r:s01_call_floor/empty_call/"),
            Some(&attributed)
        );
        assert_eq!(
            counts_path_of(&results, "s01_call_floor", "rust", "r2c"),
            counts_path(&results, "s01_call_floor")
        );
        // A case the driver named but callgrind did not dump is an error, as for R→C.
        let missing = ["s01_call_floor/call_with_args/".to_owned()];
        let rows = ("s01_call_floor", "c", "c2r");
        let e = file_counts_of(&opts, &machine, "v", rows, &missing, &totals).unwrap_err();
        assert!(e.contains("call_with_args"), "{e}");
        let _ = fs::remove_dir_all(&root);
    }
}
