//! Conclusions of S03 get a string of unknown length from C (FINDINGS S03, `s03_unknown_length`,
//! R→C): what keeping a string C has pointed at costs — borrowing it (`borrow`), cloning it
//! (`clone_on_return`), and cloning it as validated UTF-8 (`clone_utf8`); each clone first as a
//! line over the length sweep (fixed ns + ns per byte over `borrow`).

use super::shared::{fastest_by_len, per_byte_fit, ratio_at_len_ends, versus_at, View};
use crate::stats::{fmt_ns, median};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    // The per-byte lines lead: every strategy digests every byte of the value, so what a clone
    // adds over borrowing is a fixed cost (allocation, free) and a cost per byte (copy,
    // validation), not a ratio that grows with the length.
    let mut c: Vec<String> = ["clone_on_return", "clone_utf8"]
        .iter()
        .filter_map(|s| per_byte_fit(f, s, "borrow"))
        .collect();
    c.push(fastest_by_len(v));
    c.extend(ratio_at_len_ends(f, "borrow", "clone_on_return"));
    // At 4096 B, S03's profiled point: its flame graphs show where the validation's time goes.
    if let (Some(a), Some(b), Some(both)) = (
        median(f, "clone_on_return", &[("len", 4096)]),
        median(f, "clone_utf8", &[("len", 4096)]),
        versus_at(f, "clone_utf8", "clone_on_return", &[("len", 4096)]),
    ) {
        c.push(format!(
            "UTF-8 validation adds {} ns at 4096 B: {both}.",
            fmt_ns(b - a)
        ));
    }
    c
}
