//! Conclusions of S13 ownership of headers and data (FINDINGS S13, `s13_ownership`, R→C): what
//! handing a body buffer over (`double_buffer`) saves against copying it (`copy`), read against
//! S01's bare memcpy of the same chunk, and what the compiler enforces instead of a state machine.

use super::shared::View;
use crate::stats::{at, beyond_count, find, fmt_ns, margin, margin_at_each, median, values};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    // The saving should be about one memcpy of the chunk: S01's, through the section's floor, is
    // quoted beside it where that length was measured.
    let margins = margin_at_each(f, "len", "copy", "double_buffer");
    let points: Vec<String> = margins
        .iter()
        .filter_map(|&(l, m)| {
            let copy = median(f, "copy", &[("len", l)])?;
            let hand = median(f, "double_buffer", &[("len", l)])?;
            let memcpy = v.floor.memcpy_at(l).map_or(String::new(), |m| {
                format!("; a bare memcpy of {l} B costs {} ns", fmt_ns(m))
            });
            // The medians, not their difference: a saving near nothing changes sign between runs.
            Some(format!(
                "{m} at {l} B (medians {} vs {} ns{memcpy})",
                fmt_ns(copy),
                fmt_ns(hand)
            ))
        })
        .collect();
    if !points.is_empty() {
        c.push(format!(
            "`copy` costs {} of `double_buffer` {}: the hand-off moves an owner instead of the bytes, so it saves one copy of the chunk, and nothing else differs (both receive and read every byte).",
            points.join(", "),
            beyond_count(&margins)
        ));
    }
    // Time against work: where the two orders differ, the difference is not the instructions'.
    for l in values(f, "len") {
        let row = |s: &str| find(f, s, |r| at(r, &[("len", l)]));
        let (Some(copy), Some(hand)) = (row("copy"), row("double_buffer")) else {
            continue;
        };
        let (Some(m), Some((ci, hi))) = (
            margin(copy, hand),
            copy.counts
                .zip(hand.counts)
                .map(|(a, b)| (a.instructions, b.instructions)),
        ) else {
            continue;
        };
        if m.counts.is_none() && m.beyond_noise() && (m.ratio.median < 1.0) != (ci < hi) {
            c.push(format!(
                "At {l} B the times and the instructions disagree: `copy` runs {ci:.0} instructions per call against `double_buffer`'s {hi:.0}, yet costs {m} of it in time; what differs there is not the work counted (the floor, the same receive and read without a hand-off, runs {} instructions in {} ns).",
                row("native").and_then(|n| n.counts).map_or("–".into(), |c| format!("{:.0}", c.instructions)),
                row("native").map_or("–".into(), |n| fmt_ns(n.ns_per_call.median))
            ));
        }
    }
    // The ownership half is proved by compile-fail tests, not timed.
    c.push("Neither allocates per chunk; the guarantee the documents built as a state machine (the host never touches a buffer the extension holds) is a compile error here (tests/compile_fail/body_after_handoff.rs), as are a header view that outlives its callback, crosses threads or survives a write.".into());
    c
}
