//! wrk driving one URL with the lab's load request, its summary line parsed, a process's CPU
//! time per request beside it.

use std::path::Path;
use std::process::Command;

use super::{AUTHORIZATION, HEADERS};

/// What one `wrk` run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    pub requests: u64,
    pub seconds: f64,
    pub requests_per_s: f64,
    /// Latency percentiles in ns: p50, p99, p99.9.
    pub p50_ns: f64,
    pub p99_ns: f64,
    pub p999_ns: f64,
    /// Responses other than 2xx/3xx, and socket errors.
    pub non_2xx: u64,
    pub errors: u64,
    /// The measured process's (or thread's) CPU time over the run, per request.
    pub worker_cpu_ns_per_request: f64,
    /// The module's Rust allocations and copied bytes over the run, per request, where the host
    /// reports them (nginx's control server); 0 otherwise.
    pub allocs_per_request: f64,
    pub copied_per_request: f64,
}

/// wrk's Lua script: the load request's headers, and a `done` that prints the summary and the
/// latency percentiles (µs) as one line the runner parses.
fn wrk_script() -> String {
    let mut s = String::from("wrk.headers[\"Authorization\"] = \"");
    s.push_str(AUTHORIZATION);
    s.push_str("\"\n");
    for (k, v) in HEADERS {
        s.push_str(&format!("wrk.headers[\"{k}\"] = \"{v}\"\n"));
    }
    s.push_str(
        "function done(summary, latency, requests)\n\
         \x20 local e = summary.errors\n\
         \x20 io.write(string.format(\"LAB %d %d %d %d %d %f %f %f\\n\", summary.requests, summary.duration,\n\
         \x20   e.status, e.connect + e.read + e.write + e.timeout, 0,\n\
         \x20   latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))\n\
         end\n",
    );
    s
}

/// Drives `url` with wrk (one thread, `connections` connections) for `seconds`, with the script
/// written at `script`; `cpu` reads the measured process's CPU time (ns) before and after.
pub fn run(
    wrk: &Path,
    script: &Path,
    url: &str,
    seconds: u32,
    connections: u32,
    mut cpu: impl FnMut() -> Result<u64, String>,
) -> Result<Load, String> {
    std::fs::write(script, wrk_script()).map_err(|e| e.to_string())?;
    let cpu0 = cpu()?;
    let out = Command::new(wrk)
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .arg("-s")
        .arg(script)
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", wrk.display()))?;
    let cpu1 = cpu()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "wrk failed ({}): {text}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    parse_wrk(&text, cpu1.saturating_sub(cpu0))
        .ok_or_else(|| format!("no LAB line in wrk's output:\n{text}"))
}

/// Parses the script's `LAB` line (duration in µs, latencies in µs).
pub fn parse_wrk(text: &str, worker_cpu_ns: u64) -> Option<Load> {
    let line = text.lines().find_map(|l| l.strip_prefix("LAB "))?;
    let v: Vec<f64> = line
        .split_whitespace()
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let [requests, duration_us, status, errors, _, p50, p99, p999] = v[..] else {
        return None;
    };
    let seconds = duration_us / 1e6;
    Some(Load {
        requests: requests as u64,
        seconds,
        requests_per_s: requests / seconds,
        p50_ns: p50 * 1e3,
        p99_ns: p99 * 1e3,
        p999_ns: p999 * 1e3,
        non_2xx: status as u64,
        errors: errors as u64,
        worker_cpu_ns_per_request: worker_cpu_ns as f64 / requests.max(1.0),
        allocs_per_request: 0.0,
        copied_per_request: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_line() {
        let l = parse_wrk(
            "Running 1s test\nLAB 1000 2000000 3 1 0 50.5 200.0 900.0\n",
            5_000_000,
        )
        .unwrap();
        assert_eq!(l.requests, 1000);
        assert_eq!(l.seconds, 2.0);
        assert_eq!(l.requests_per_s, 500.0);
        assert_eq!(
            (l.p50_ns, l.p99_ns, l.p999_ns),
            (50_500.0, 200_000.0, 900_000.0)
        );
        assert_eq!((l.non_2xx, l.errors), (3, 1));
        assert_eq!(l.worker_cpu_ns_per_request, 5000.0);
        assert!(parse_wrk("no line", 0).is_none());
    }
}
