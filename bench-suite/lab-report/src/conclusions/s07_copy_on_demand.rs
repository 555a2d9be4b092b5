//! Conclusions of S07 copy on demand (FINDINGS S07, `s07_copy_on_demand`, C→R): what fetching only
//! what the filter asks for (`lazy`) saves against pushing everything with every request (`eager`),
//! per kind of filter and body size.

use super::shared::View;
use crate::stats::{margin_at_each_where, param, param_str, series};

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    // One line per filter, from the one that reads nothing (eager's worst case) to the one that
    // reads the body (where eager copies nothing lazy would not).
    for filter in ["nothing", "one_header", "all_headers", "body"] {
        let points = margin_at_each_where(f, "body", "eager", "lazy", |r, b| {
            param_str(r, "filter") == Some(filter) && param(r, "body") == Some(b)
        });
        if !points.is_empty() {
            c.push(format!(
                "Filter reading {filter}: `eager` costs {} of `lazy`.",
                series(&points, |b| format!("{b} B"))
            ));
        }
    }
    c
}
