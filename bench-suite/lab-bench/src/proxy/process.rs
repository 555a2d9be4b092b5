//! The processes the proxy engines start: free ports for them, and a process's CPU time.

use std::net::TcpListener;

/// `n` free TCP ports on 127.0.0.1, all bound at once (so they differ), then released for nginx
/// to take.
pub fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}")))
        .collect::<Result<_, _>>()?;
    held.iter()
        .map(|l| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string()))
        .collect()
}

/// CPU time of a process or thread (`pid` may be a thread id) in ns: `/proc/<pid>/schedstat`'s
/// time on CPU (utime + stime at ns resolution), else utime + stime of `/proc/<pid>/stat` in
/// clock ticks.
pub fn cpu_ns(pid: u32) -> Result<u64, String> {
    if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/schedstat")) {
        if let Some(ns) = s.split_whitespace().next().and_then(|v| v.parse().ok()) {
            return Ok(ns);
        }
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    // Fields after the command (which may hold spaces) close with ')': utime and stime are the
    // 14th and 15th fields of the line, the 12th and 13th after it.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<u64> = rest
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    // USER_HZ is 100 on Linux.
    Ok(ticks * 10_000_000)
}
