//! Conclusions of S08 writes from another thread (FINDINGS S08, `s08_cross_thread_writes`, R→C):
//! whether posting a write to the owning thread (`post`, Envoy's `dispatcher.post`) is cheaper than
//! locking a shared header map (`mutex`) — in latency (`wait=1`), in throughput (`wait=0`), and as
//! writers are added.

use super::View;
use crate::stats::{fmt_ns, median, more_or_less, values};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    let at =
        |s: &str, writers: u64, wait: u64| median(f, s, &[("writers", writers), ("wait", wait)]);
    if let (Some(p), Some(m)) = (at("post", 1, 1), at("mutex", 1, 1)) {
        c.push(format!(
            "Latency of one write, one writer: posted to the worker and waited for {} ns, under the lock {} ns — `post` costs ×{:.0} of `mutex` ({}): the worker sleeps between writes, and each post must wake it.",
            fmt_ns(p),
            fmt_ns(m),
            p / m,
            more_or_less(p - m)
        ));
    }
    let writers = values(f, "writers");
    let mut gaps = Vec::new();
    for &w in &writers {
        if let (Some(p), Some(m)) = (at("post", w, 0), at("mutex", w, 0)) {
            gaps.push(format!(
                "{} at {w} writer{} ({} vs {} ns)",
                more_or_less(p - m),
                if w == 1 { "" } else { "s" },
                fmt_ns(p),
                fmt_ns(m)
            ));
        }
    }
    if !gaps.is_empty() {
        c.push(format!(
            "Throughput (writers do not wait; wall time per write): `post` costs {} than `mutex`.",
            gaps.join(", ")
        ));
    }
    // Scaling from the fewest to the most writers, read against the machine's cores: more writers
    // than cores only share them.
    if let (Some(&lo), Some(&hi)) = (
        writers.first(),
        writers.last().filter(|&&w| w != writers[0]),
    ) {
        let scale: Vec<String> = ["post", "mutex"]
            .iter()
            .filter_map(|s| Some(format!("`{s}` ×{:.2}", at(s, hi, 0)? / at(s, lo, 0)?)))
            .collect();
        c.push(format!(
            "From {lo} to {hi} writers the wall time per write changes {} (on {} cores, with the worker thread besides).",
            scale.join(", "),
            f.machine.cores
        ));
    }
    // What the timings cannot show: the lock's cost to the owner's reads, which this scenario does
    // not time.
    c.push("`mutex` moves the cost to the owner: every read the worker makes must take the same lock, which `post` never needs (Envoy's choice).".into());
    c
}
