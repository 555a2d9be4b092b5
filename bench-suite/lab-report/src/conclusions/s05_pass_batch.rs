//! Conclusions of S05 pass a batch of strings R→C (FINDINGS S05, `s05_pass_batch`, R→C): how to
//! hand many strings to C in one call — one `CString` each, borrowed views (`pinned_batch`, the
//! documents' `runtime.Pinner`), or one packed copy — at every batch size.

use super::shared::View;
use crate::stats::{margin_at_each, series};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    // Both against the borrowed views, which copy nothing: the documents' recommended way.
    [
        ("cstring_each", "`cstring_each`"),
        ("packed", "`packed` (copy into one reused buffer)"),
    ]
    .iter()
    .filter_map(|&(s, name)| {
        let points = margin_at_each(f, "n", s, "pinned_batch");
        (!points.is_empty()).then(|| {
            format!(
                "{name} costs {} of `pinned_batch` (batch sizes).",
                series(&points, |n| n.to_string())
            )
        })
    })
    .collect()
}
