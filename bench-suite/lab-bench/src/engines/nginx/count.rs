//! S15's callgrind pass: nginx under callgrind, two counted batches of requests per case.

use std::path::PathBuf;
use std::time::Instant;

use super::cases::{case_id, cases, Case, CASE_PATH, SCENARIO};
use super::config::{build_modules, Installation, Modules, C_MODULE_FILE};
use super::process::Nginx;
use super::profile::MODULE_FILE;
use crate::proxy::{load_headers, Connection};
/// The location S15's callgrind pass adds to the control server: it returns the module's
/// `$ffi_lab_callgrind`, which zeroes (`?zero`) or dumps (`?dump=NAME`) the worker's counts.
pub const CALLGRIND_LOCATION: &str =
    "        location = /ffi_lab_callgrind { return 200 \"$ffi_lab_callgrind\\n\"; }\n";

/// The requests of S15's two counted batches per case, `(n1, n2)`, after as many warming ones as
/// `n1`: a request is the whole of nginx's handling (tens of thousands of instructions, about a
/// millisecond under valgrind), so a case takes about a quarter of a second.
pub const COUNT_BATCHES: (u64, u64) = (20, 120);

/// [`COUNT_BATCHES`] of the Lua reference: LuaJIT's collector and compiler do their work every so
/// many requests, in one batch or the other, so Lua's rows are counted over 2000 requests, where
/// that moves them by a few percent rather than a fifth, and are marked as varying
/// (`callgrind::varies`). Figures: docs/evidence/2026-12-02-s15-nginx.md.
pub const LUA_COUNT_BATCHES: (u64, u64) = (100, 2100);

/// The callgrind pass of S15 (`LAB_CALLGRIND=1`): nginx under callgrind (the pass's settings,
/// `callgrind::valgrind_args`), and per case a keep-alive connection to its server that sends
/// `n1` warming requests, then two batches of `n1` and `n2`, each between a request that zeroes
/// the worker's counts and one that dumps them (the module's `$ffi_lab_callgrind`, on a
/// keep-alive connection to the control server). Per request, the difference of the two dumps
/// over `n2 − n1`: the worker's whole handling of a request, nginx, the module and the
/// references' Lua and njs included, the two control requests cancelling. The client is another
/// process and is not counted.
pub(super) fn count_pass(
    opts: &crate::options::Options,
    machine: &lab_record::Machine,
    inst: &Installation,
    selected: &[Case],
) -> Result<Vec<lab_record::ResultFile>, String> {
    let valgrind = crate::passes::callgrind::valgrind_version()?;
    let modules = build_modules()?;
    let dir = crate::passes::callgrind::dump_dir("s15")?;
    // The worker runs as nginx's unprivileged user, and writes its dumps here.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    // nginx gets an environment of its own: the variables of whoever runs the lab (LAB_OUT, the
    // shell's) sit on its stack and move what lies above them, and with it the alignment of the
    // data its copies and scans meet (docs/evidence/2026-12-02-s15-nginx.md).
    let mut wrapper: Vec<String> = ["env", "-i", "LD_BIND_NOW=1", "valgrind"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    wrapper.extend(crate::passes::callgrind::valgrind_args(&dir));
    // Where nginx's files are is in its memory (the configuration's paths, its arguments), so
    // the counted nginx runs from a directory whose path is the same for every checkout, with a
    // copy of each module: clones at different paths then count alike.
    // SAFETY: getuid has no preconditions.
    let prefix = PathBuf::from(format!("/tmp/ffi-lab-s15-callgrind-{}", unsafe {
        libc::getuid()
    }));
    let _ = std::fs::remove_dir_all(&prefix);
    std::fs::create_dir_all(&prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    let copies = Modules {
        rust: prefix.join(MODULE_FILE),
        c: prefix.join(C_MODULE_FILE),
    };
    for (from, to) in [(&modules.rust, &copies.rust), (&modules.c, &copies.c)] {
        std::fs::copy(from, to).map_err(|e| format!("{}: {e}", to.display()))?;
    }
    let started = Instant::now();
    let nginx = Nginx::start_at(inst, &copies, prefix.clone(), CALLGRIND_LOCATION, &wrapper)?;
    let ids: Vec<String> = selected.iter().map(case_id).collect();
    // Every case nginx serves, selected or not, is warmed before any is counted: the worker's
    // heap (glibc's free lists, which nginx's pools draw on) settles with the cases that allocate
    // most, and a case counted before them would pay a different path through malloc for the same
    // requests (hundreds of instructions per request).
    let counted = cases()
        .iter()
        .try_for_each(|case| warm_case(&nginx, case))
        .and_then(|()| {
            selected
                .iter()
                .zip(&ids)
                .try_for_each(|(case, id)| count_case(&nginx, case, id))
        });
    nginx.stop()?;
    counted?;
    let dumps = crate::passes::callgrind::read_dumps(&dir)?;
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&prefix);
    println!(
        "lab: callgrind counted {} cases of {SCENARIO} in nginx's worker in {:.1} s (valgrind \
         included)",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    let rows = (SCENARIO, "rust", "c2r");
    Ok(
        crate::passes::callgrind::file_counts_of(opts, machine, &valgrind, rows, &ids, &dumps)?
            .into_iter()
            .collect(),
    )
}

/// A case's batches: [`LUA_COUNT_BATCHES`] for Lua, else [`COUNT_BATCHES`].
fn batches(case: &Case) -> (u64, u64) {
    if case.strategy == "lua" {
        LUA_COUNT_BATCHES
    } else {
        COUNT_BATCHES
    }
}

/// `n1` requests of `case`, uncounted.
fn warm_case(nginx: &Nginx, case: &Case) -> Result<(), String> {
    let mut c = Connection::open(nginx.port_of(case))?;
    c.requests(CASE_PATH, &load_headers(), batches(case).0)
}

/// One case of [`count_pass`]: its warming requests again, then its two counted batches.
fn count_case(nginx: &Nginx, case: &Case, id: &str) -> Result<(), String> {
    let mut c = Connection::open(nginx.port_of(case))?;
    let mut control = Connection::open(nginx.control())?;
    let headers = load_headers();
    let (n1, n2) = batches(case);
    c.requests(CASE_PATH, &headers, n1)?;
    for n in [n1, n2] {
        control.callgrind("zero", "zero")?;
        c.requests(CASE_PATH, &headers, n)?;
        control.callgrind(&format!("dump={id}%23{n}"), "dump")?;
    }
    Ok(())
}
