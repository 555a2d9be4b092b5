//! Conclusions of S14 end-to-end filters (FINDINGS S14, `s14_filters`, C→R): whether the
//! per-crossing differences of S06's access strategies survive inside a whole filter run per
//! request (basic auth, header get/set).

use lab_record::Record;

use super::shared::View;
use crate::stats::{fmt_x, margin, series};

/// The two strategies that read in place, compared per filter, and the one that copies.
const PER_HEADER: &str = "per_header_call";
const BORROW: &str = "bulk_borrow";
const COPY: &str = "bulk_copy";

/// Per filter and input (the parameter label): `per_header_call` over `bulk_borrow`, and
/// `bulk_copy` over the faster of the two, as figures with a count of those beyond the noise —
/// no verdict per filter, since a gap of a few percent is called one way in one run and the other
/// in the next (S06 says where each read wins; here it is one whole request).
pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut groups: Vec<String> = f.records.iter().map(Record::params_label).collect();
    groups.sort();
    groups.dedup();
    let row = |s: &str, g: &str| {
        f.records
            .iter()
            .find(|r| r.strategy == s && r.params_label() == g)
    };
    let mut between = Vec::new();
    let mut copying = Vec::new();
    for g in &groups {
        let (Some(p), Some(b)) = (row(PER_HEADER, g), row(BORROW, g)) else {
            continue;
        };
        if let Some(m) = margin(p, b) {
            between.push((g.clone(), m));
        }
        let fastest = if p.ns_per_call.median < b.ns_per_call.median {
            p
        } else {
            b
        };
        if let Some(m) = row(COPY, g).and_then(|c| margin(c, fastest)) {
            copying.push((g.clone(), m));
        }
    }
    let mut c = Vec::new();
    if !between.is_empty() {
        c.push(format!(
            "`{PER_HEADER}` over `{BORROW}`, per filter: {}.",
            series(&between, |g| g.clone())
        ));
    }
    if let Some((lo, hi)) = crate::stats::range(copying.iter().map(|(_, m)| m.ratio.median)) {
        c.push(format!(
            "`{COPY}` costs ×{}–×{} of the faster of the two, per filter {}: a copy of every header per request.",
            fmt_x(lo),
            fmt_x(hi),
            crate::stats::beyond_count(&copying)
        ));
    }
    c
}
