//! Conclusions of S14 end-to-end filters (FINDINGS S14, `s14_filters`, C→R): whether the
//! per-crossing differences of S06's access strategies survive inside a whole filter run per
//! request (basic auth, header get/set).

use lab_record::Record;

use super::View;
use crate::stats::{fmt_ns, is_reference, leader_names, leaders, margin};

pub fn c2r(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = Vec::new();
    // One line per filter and input (the parameter label), comparing the strategies that ran it.
    let mut groups: Vec<String> = f.records.iter().map(Record::params_label).collect();
    groups.sort();
    groups.dedup();
    for g in groups {
        let rows: Vec<&Record> = f
            .records
            .iter()
            .filter(|r| r.params_label() == g && !is_reference(f, r))
            .collect();
        let slowest = rows
            .iter()
            .copied()
            .max_by(|a, b| a.ns_per_call.median.total_cmp(&b.ns_per_call.median));
        let leaders = leaders(rows);
        let (Some(names), Some(&first), Some(slowest)) =
            (leader_names(&leaders), leaders.first(), slowest)
        else {
            continue;
        };
        let last = match margin(slowest, first) {
            Some(m) if !leaders.iter().any(|l| std::ptr::eq(*l, slowest)) => {
                format!(
                    "; slowest `{}`, {m} of `{}`",
                    slowest.strategy, first.strategy
                )
            }
            _ => String::new(),
        };
        c.push(format!(
            "{g}: fastest {names} ({} ns per request){last}.",
            fmt_ns(first.ns_per_call.median)
        ));
    }
    c
}
