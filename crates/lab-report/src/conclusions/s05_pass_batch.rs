//! Conclusions of S05 pass a batch of strings R→C (FINDINGS S05, `s05_pass_batch`, R→C): how to
//! hand many strings to C in one call — one `CString` each, borrowed views (`pinned_batch`, the
//! documents' `runtime.Pinner`), or one packed copy — at every batch size.

use super::View;
use crate::stats::ratio_at_each;

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    // Both against the borrowed views, which copy nothing: the documents' recommended way.
    let against_pinned = |s: &str, digits: usize| {
        ratio_at_each(f, "n", s, "pinned_batch")
            .iter()
            .map(|(n, x)| format!("×{x:.digits$} at {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        format!(
            "`cstring_each` costs {} of `pinned_batch`.",
            against_pinned("cstring_each", 1)
        ),
        format!(
            "`packed` (copy into one reused buffer) costs {} of `pinned_batch`.",
            against_pinned("packed", 2)
        ),
    ]
}
