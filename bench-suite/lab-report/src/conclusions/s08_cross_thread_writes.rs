//! Conclusions of S08 writes from another thread (FINDINGS S08, `s08_cross_thread_writes`, R→C):
//! whether posting a write to the owning thread (`post`, Envoy's `dispatcher.post`) is cheaper than
//! locking a shared header map (`mutex`) — in latency (`wait=1`), in throughput (`wait=0`), and as
//! writers are added.

use super::shared::{versus_at, View};
use crate::stats::{
    at, find, margin_apart, margin_at_each_where, more_or_less, series, values, Margin,
};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    let row = |s: &str, writers: u64, wait: u64| {
        find(f, s, |r| at(r, &[("writers", writers), ("wait", wait)]))
    };
    if let (Some(p), Some(m), Some(both)) = (
        row("post", 1, 1),
        row("mutex", 1, 1),
        versus_at(f, "post", "mutex", &[("writers", 1), ("wait", 1)]),
    ) {
        c.push(format!(
            "Latency of one write, one writer: {both}, {}: the worker sleeps between writes, and each post must wake it.",
            more_or_less(p.ns_per_call.median - m.ns_per_call.median)
        ));
    }
    let throughput = margin_at_each_where(f, "writers", "post", "mutex", |r, w| {
        at(r, &[("writers", w), ("wait", 0)])
    });
    if !throughput.is_empty() {
        c.push(format!(
            "Throughput (writers do not wait; wall time per write): `post` costs {} of `mutex`.",
            series(&throughput, |w| format!(
                "{w} writer{}",
                if *w == 1 { "" } else { "s" }
            ))
        ));
    }
    // Scaling from the fewest to the most writers, read against the machine's cores: more writers
    // than cores only share them. Rows of other work: medians and brackets.
    let writers = values(f, "writers");
    if let (Some(&lo), Some(&hi)) = (
        writers.first(),
        writers.last().filter(|&&w| w != writers[0]),
    ) {
        let scale: Vec<(String, Margin)> = ["post", "mutex"]
            .iter()
            .filter_map(|s| {
                Some((
                    format!("`{s}`"),
                    margin_apart(row(s, hi, 0)?, row(s, lo, 0)?)?,
                ))
            })
            .collect();
        c.push(format!(
            "From {lo} to {hi} writers the wall time per write changes {} (on {} cores, with the worker thread besides).",
            series(&scale, |s| s.clone()).replace(" at `", " for `"),
            f.machine.cores
        ));
    }
    // What the timings cannot show: the lock's cost to the owner's reads, which this scenario does
    // not time.
    c.push("`mutex` moves the cost to the owner: every read the worker makes must take the same lock, which `post` never needs (Envoy's choice).".into());
    c
}
