//! S16's callgrind pass (full runs): Envoy under callgrind, two counted batches of requests per
//! case, zeroed and dumped from outside with `callgrind_control`.

use std::process::Command;
use std::time::Instant;

use super::cases::{case_id, Case, SCENARIO};
use super::{Installation, Proxy};
use crate::case::Sweep;
use crate::passes::callgrind;
use crate::proxy::{load_headers, Connection};

/// The requests of the two counted batches per case, `(n1, n2)`, after as many warming ones as
/// `n1`: a request is the whole of Envoy's handling (about 100 000 instructions); 200 requests
/// between the batches spread the work of a timer that fires in one of them.
pub const COUNT_BATCHES: (u64, u64) = (20, 220);

/// The callgrind pass of S16: the Envoy under test under callgrind (the pass's settings, and
/// `LD_BIND_NOW=1`), its upstream not; per case a keep-alive connection sends `n1` warming
/// requests, then two batches of `n1` and `n2`, each between `callgrind_control -z` (zero) and
/// `-d <id>#<n>` (dump). Per request, the difference of the two dumps over `n2 − n1`: the whole of
/// Envoy's handling of a request, every thread. Full runs only: Envoy takes about 20 s to start
/// under valgrind, and the quick sweep checks the timed pass. The Go modules' runtime runs without
/// asynchronous preemption here: its SIGURGs, landing in a signal handler, trip an assertion of
/// callgrind 3.19 (`vgCallgrind_post_signal`) that ends the pass.
pub(super) fn count_pass(
    opts: &crate::options::Options,
    machine: &lab_record::Machine,
    inst: &Installation,
    modules: &std::path::Path,
    selected: &[Case],
) -> Result<Vec<lab_record::ResultFile>, String> {
    if opts.driven_sweep() == Sweep::Quick {
        println!("lab: S16: counted under callgrind in full runs only");
        return Ok(Vec::new());
    }
    let valgrind = callgrind::valgrind_version()?;
    let dir = callgrind::dump_dir("s16")?;
    let mut wrapper: Vec<String> = [
        "env",
        "LD_BIND_NOW=1",
        "GODEBUG=gctrace=1,asyncpreemptoff=1",
        "valgrind",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    wrapper.extend(callgrind::valgrind_args(&dir));
    let started = Instant::now();
    let proxy = Proxy::start_under(inst, modules, "count", selected, &wrapper)?;
    let pid = proxy.envoy.pid().to_string();
    let ids: Vec<String> = selected.iter().map(case_id).collect();
    let counted = selected.iter().zip(&ids).try_for_each(|(case, id)| {
        let port = proxy
            .port_of(case)
            .ok_or_else(|| format!("{}: no listener", case.name()))?;
        let mut c = Connection::open(port)?;
        let headers = load_headers();
        let (n1, n2) = COUNT_BATCHES;
        c.requests("/", &headers, n1)?;
        for n in [n1, n2] {
            control(&["-z", &pid])?;
            c.requests("/", &headers, n)?;
            control(&["-d", &format!("{id}#{n}"), &pid])?;
        }
        Ok::<(), String>(())
    });
    proxy.stop()?;
    counted?;
    let dumps = callgrind::read_dumps(&dir)?;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "lab: callgrind counted {} cases of {SCENARIO} in Envoy in {:.1} s (valgrind included)",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(callgrind::file_counts_of(
        opts,
        machine,
        &valgrind,
        (SCENARIO, "rust", "c2r"),
        &ids,
        &dumps,
    )?
    .into_iter()
    .collect())
}

/// `callgrind_control ARGS`, which must succeed.
fn control(args: &[&str]) -> Result<(), String> {
    let out = Command::new("callgrind_control")
        .args(args)
        .output()
        .map_err(|e| format!("callgrind_control: {e}"))?;
    if !out.status.success() || !String::from_utf8_lossy(&out.stdout).contains("OK") {
        return Err(format!(
            "callgrind_control {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}
