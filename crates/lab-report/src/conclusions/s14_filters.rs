//! Conclusions of S14 end-to-end filters (FINDINGS S14, `s14_filters`, C→R): whether the
//! per-crossing differences of S06's access strategies survive inside a whole filter run per
//! request (basic auth, header get/set).

use lab_record::Record;

use super::View;
use crate::stats::fmt_ns;

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    // One line per filter and input (the parameter label), comparing the strategies that ran it.
    let mut groups: Vec<String> = f.records.iter().map(Record::params_label).collect();
    groups.sort();
    groups.dedup();
    for g in groups {
        let mut rows: Vec<&Record> = f.records.iter().filter(|r| r.params_label() == g).collect();
        rows.sort_by(|a, b| a.ns_per_call.median.total_cmp(&b.ns_per_call.median));
        if let (Some(best), Some(worst)) = (rows.first(), rows.last()) {
            c.push(format!(
                "{g}: fastest `{}` ({} ns per request), slowest `{}` ×{:.2}.",
                best.strategy,
                fmt_ns(best.ns_per_call.median),
                worst.strategy,
                worst.ns_per_call.median / best.ns_per_call.median
            ));
        }
    }
    c
}
