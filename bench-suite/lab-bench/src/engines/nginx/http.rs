//! nginx's own endpoints on its control server: the module's counters and its callgrind toggle.

use crate::proxy::{exchange, Connection};

/// The module's running totals in the worker: Rust allocations and bytes its filters copied
/// (`$ffi_lab_allocs`, `$ffi_lab_copied`, read at `/ffi_lab_stats`, which allocates nothing in
/// Rust itself).
pub fn counters(port: u16) -> Result<(u64, u64), String> {
    let (status, _, body) = exchange(port, STATS, b"")?;
    let text = String::from_utf8_lossy(&body);
    let mut v = text.split_whitespace().map(|x| x.parse::<u64>());
    match (status, v.next(), v.next()) {
        (200, Some(Ok(a)), Some(Ok(c))) => Ok((a, c)),
        _ => Err(format!("{STATS}: status {status}, body {text:?}")),
    }
}

/// Where the module's counters are read.
pub const STATS: &str = "/ffi_lab_stats";

impl Connection {
    /// The module's `$ffi_lab_callgrind` with `query`, which must answer `done`.
    pub(crate) fn callgrind(&mut self, query: &str, done: &str) -> Result<(), String> {
        let (status, body) = self.get(&format!("/ffi_lab_callgrind?{query}"), b"")?;
        if status != 200 || body != format!("{done}\n").as_bytes() {
            return Err(format!(
                "/ffi_lab_callgrind?{query}: status {status}, {:?} (the module's $ffi_lab_callgrind)",
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(())
    }
}
