//! Conclusions of S13 ownership of headers and data (FINDINGS S13, `s13_ownership`, R→C): what
//! handing a body buffer over (`double_buffer`) saves against copying it (`copy`), read against
//! S01's bare memcpy of the same chunk, and what the compiler enforces instead of a state machine.

use super::shared::View;
use crate::stats::{beyond_count, fmt_ns, margin_at_each, median};

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
    // The ownership half is proved by compile-fail tests, not timed.
    c.push("Neither allocates per chunk; the guarantee the documents built as a state machine (the host never touches a buffer the extension holds) is a compile error here (tests/compile_fail/body_after_handoff.rs), as are a header view that outlives its callback, crosses threads or survives a write.".into());
    c
}
