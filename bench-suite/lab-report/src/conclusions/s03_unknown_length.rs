//! Conclusions of S03 get a string of unknown length from C (FINDINGS S03, `s03_unknown_length`,
//! R→C): what keeping a string C has pointed at costs — borrowing it (`borrow`), cloning it
//! (`clone_on_return`), and cloning it as validated UTF-8 (`clone_utf8`).

use super::shared::{fastest_by_len, ratio_at_len_ends, versus_at, View};
use crate::stats::{fmt_ns, median};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = vec![fastest_by_len(v)];
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
