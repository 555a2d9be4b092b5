//! A strategy's standing over the sweep of one result file: at how many parameter points it leads
//! beyond the noise, and the ranges of its ratios. The summary and the decision guide both read
//! it, so "leads at 7 of 8 points" means the same in both. Unlike workloads are never averaged: a
//! sweep is a count of points and a range.

use std::collections::BTreeMap;

use lab_record::{Record, ResultFile};

use crate::floor::Floor;
use crate::stats::{is_reference, leaders, margin, range, to_best, Margin};

/// One strategy over the points of a file where it met at least one other strategy.
pub struct Standing<'a> {
    pub strategy: &'a str,
    /// Points where it leads alone (beyond the noise of every other).
    pub alone: usize,
    /// Points where it shares the lead (within the noise of the fastest).
    pub shared: usize,
    /// Points where it is the slowest alone, beyond the noise of every other strategy.
    pub last: usize,
    /// Points where it met another strategy.
    pub points: usize,
    /// Its × floor over its rows, min and max, where a floor is known.
    pub to_floor: Option<(f64, f64)>,
    /// Its − floor ns over its rows, min and max.
    pub over_floor: Option<(f64, f64)>,
    /// Its × best over its rows, min and max.
    pub to_best: (f64, f64),
    /// Where it leads alone, the rival closest to it: its row, the rival's, and the rival over it.
    /// The weakest evidence of its lead, so the one to quote.
    pub closest: Option<(&'a Record, &'a Record, Margin)>,
    /// Where it leads alone, every rival over it: the range of their median ratios.
    pub rivals: Option<(f64, f64)>,
}

/// The points of `f`: its ways across (floors and references aside) grouped by work, where
/// more than one strategy did that work; none where its definition says the strategies are not
/// alternatives (S01).
pub fn points(f: &ResultFile) -> Vec<Vec<&Record>> {
    let ranked = lab_record::scenario::get(&f.scenario)
        .and_then(|d| d.direction(&f.direction))
        .is_none_or(|d| d.ranked);
    if !ranked {
        return Vec::new();
    }
    let mut by_work: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for r in f.records.iter().filter(|r| !is_reference(f, r)) {
        by_work.entry(r.work_label()).or_default().push(r);
    }
    by_work
        .into_values()
        .filter(|rows| rows.iter().any(|r| r.strategy != rows[0].strategy))
        .collect()
}

/// Every strategy's standing, the one leading alone at the most points first.
pub fn standings<'a>(f: &'a ResultFile, floor: &Floor) -> Vec<Standing<'a>> {
    let points = points(f);
    let mut names: Vec<&str> = points
        .iter()
        .flatten()
        .map(|r| r.strategy.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out: Vec<Standing<'a>> = names
        .into_iter()
        .map(|s| {
            let mut st = Standing {
                strategy: s,
                alone: 0,
                shared: 0,
                last: 0,
                points: 0,
                to_floor: None,
                over_floor: None,
                to_best: (1.0, 1.0),
                closest: None,
                rivals: None,
            };
            // Every rival's median over this strategy, where it leads alone.
            let mut rivals = Vec::new();
            for rows in &points {
                let Some(mine) = rows.iter().copied().find(|r| r.strategy == s) else {
                    continue;
                };
                st.points += 1;
                let lead = leaders(rows.clone());
                let leads = lead.iter().any(|r| std::ptr::eq(*r, mine));
                match (leads, lead.len()) {
                    (true, 1) => {
                        st.alone += 1;
                        let over: Vec<(&Record, Margin)> = rows
                            .iter()
                            .copied()
                            .filter(|r| !std::ptr::eq(*r, mine))
                            .filter_map(|r| Some((r, margin(r, mine)?)))
                            .collect();
                        rivals.extend(over.iter().map(|(_, m)| m.ratio.median));
                        let rival = over
                            .into_iter()
                            .min_by(|a, b| a.1.ratio.median.total_cmp(&b.1.ratio.median));
                        if let Some((r, m)) = rival {
                            if st
                                .closest
                                .is_none_or(|(_, _, c)| m.ratio.median < c.ratio.median)
                            {
                                st.closest = Some((mine, r, m));
                            }
                        }
                    }
                    (true, _) => st.shared += 1,
                    (false, _) => {
                        // The slowest alone: beyond the noise of every other row, as a leader
                        // leads alone.
                        let slowest = rows
                            .iter()
                            .copied()
                            .max_by(|a, b| to_best(f, a).total_cmp(&to_best(f, b)));
                        let alone = rows
                            .iter()
                            .copied()
                            .filter(|r| !std::ptr::eq(*r, mine))
                            .all(|r| margin(mine, r).is_some_and(|m| m.beyond_noise()));
                        if slowest.is_some_and(|r| std::ptr::eq(r, mine)) && alone {
                            st.last += 1;
                        }
                    }
                }
            }
            let rows: Vec<&Record> = f.records.iter().filter(|r| r.strategy == s).collect();
            st.to_floor = range(rows.iter().filter_map(|r| floor.ratio(r)));
            st.over_floor = range(rows.iter().filter_map(|r| floor.minus(r)));
            st.rivals = range(rivals);
            st.to_best = range(rows.iter().map(|r| to_best(f, r))).unwrap_or((1.0, 1.0));
            st
        })
        .collect();
    out.sort_by(|a, b| {
        (b.alone, b.shared)
            .cmp(&(a.alone, a.shared))
            .then(a.strategy.cmp(b.strategy))
    });
    out
}

/// The points of the sweep a margin decides: where one strategy leads alone, beyond the noise of
/// every other (each such point counts for one strategy only).
fn decided(standings: &[Standing]) -> usize {
    standings.iter().map(|s| s.alone).sum()
}

/// The strategy that leads the sweep, if one does: it leads alone at three quarters or more of
/// the points a margin decides ([`decided`]), and those are at least a quarter of the sweep's
/// points.
///
/// The decided points, because a point where the fastest are within each other's noise is no
/// evidence either way and falls on either side from run to run; a quarter of the sweep, because
/// one decided point of eight is too few. Every looser rule tried (all points, half the sweep
/// decided, the most points) named a leader in one run of a build and not the next:
/// docs/evidence/2026-12-02-leader-and-slowest.md.
pub fn leader<'s, 'a>(standings: &'s [Standing<'a>]) -> Option<&'s Standing<'a>> {
    let decided = decided(standings);
    let points = standings.iter().map(|s| s.points).max().unwrap_or(0);
    standings
        .first()
        .filter(|s| decided > 0 && 4 * s.alone >= 3 * decided && 4 * decided >= points)
}

/// The strategy slowest alone (beyond the noise of every other) at more than half of its points:
/// at most one can be. Not three quarters, as for a leader: at the bottom, a strategy within the
/// noise of the slowest takes points from its count. Not half: with two points, half is one.
/// docs/evidence/2026-12-02-leader-and-slowest.md.
pub fn slowest<'s, 'a>(standings: &'s [Standing<'a>]) -> Option<&'s Standing<'a>> {
    match standings
        .iter()
        .filter(|s| 2 * s.last > s.points)
        .collect::<Vec<_>>()[..]
    {
        [one] => Some(one),
        _ => None,
    }
}

/// "`ptr_len` alone at 8 of 8 points, shared at 0", or "no strategy alone at three quarters of
/// the decided points (1 of 8 points)": the leader ([`leader`]) as the summary and the guide state it. A leader
/// has one form whatever its counts, so two runs whose counts differ by a point read alike but for
/// their numbers.
pub fn lead_text(standings: &[Standing]) -> String {
    let points = standings.iter().map(|s| s.points).max().unwrap_or(0);
    let of = match points {
        1 => "of 1 point".to_owned(),
        n => format!("of {n} points"),
    };
    match leader(standings) {
        Some(s) => format!(
            "`{}` alone at {} {of}, shared at {}",
            s.strategy, s.alone, s.shared
        ),
        None => format!(
            "no strategy alone at three quarters of the decided points ({} {of})",
            decided(standings)
        ),
    }
}

/// "`bulk_copy` ×1.02–28.1 (slowest alone at 22 of 26 points)": the strategy [`slowest`] names
/// with its range of × best, or "–".
pub fn slowest_text(standings: &[Standing]) -> String {
    slowest(standings).map_or("–".into(), |s| {
        format!(
            "`{}` {} (slowest alone at {} of {} points)",
            s.strategy,
            fmt_range(s.to_best),
            s.last,
            s.points
        )
    })
}

/// `×1.00–1.18`, or `×1.05` for a range of one value.
pub fn fmt_range((lo, hi): (f64, f64)) -> String {
    use crate::stats::fmt_x;
    if fmt_x(lo) == fmt_x(hi) {
        format!("×{}", fmt_x(lo))
    } else {
        format!("×{}–{}", fmt_x(lo), fmt_x(hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(strategy: &str, last: usize, points: usize) -> Standing<'_> {
        Standing {
            strategy,
            alone: 0,
            shared: 0,
            last,
            points,
            to_floor: None,
            over_floor: None,
            to_best: (1.0, 2.0),
            closest: None,
            rivals: None,
        }
    }

    /// A standing that leads alone at `alone` and shares the lead at `shared` of `points`.
    fn leading(strategy: &str, alone: usize, shared: usize, points: usize) -> Standing<'_> {
        Standing {
            alone,
            shared,
            ..standing(strategy, 0, points)
        }
    }

    #[test]
    fn a_leader_leads_three_quarters_of_the_decided_points() {
        fn name(s: &[Standing<'static>]) -> Option<&'static str> {
            leader(s).map(|l| l.strategy)
        }
        // S08 in two runs of one build: alone at 6 of 6, then at 4 with 2 within the noise.
        for (alone, shared) in [(6, 0), (4, 2)] {
            let s = [
                leading("mutex", alone, shared, 6),
                leading("post", 0, shared, 6),
            ];
            assert_eq!(name(&s), Some("mutex"), "{alone}");
            assert_eq!(
                lead_text(&s),
                format!("`mutex` alone at {alone} of 6 points, shared at {shared}")
            );
        }
        // Post winning one of five decided points: 4 of 5 is still three quarters.
        let s = [leading("mutex", 4, 1, 6), leading("post", 1, 1, 6)];
        assert_eq!(name(&s), Some("mutex"));
        // S14: the only decided point of four, never beaten at the others, is a lead; one of
        // eight (S04) is not.
        let s = [
            leading("bulk_borrow", 1, 3, 4),
            leading("per_header_call", 0, 3, 4),
        ];
        assert_eq!(name(&s), Some("bulk_borrow"));
        let s = [
            leading("prealloc_stack", 1, 7, 8),
            leading("prealloc_reused", 0, 6, 8),
        ];
        assert_eq!(name(&s), None);
        assert_eq!(
            lead_text(&s),
            "no strategy alone at three quarters of the decided points (1 of 8 points)"
        );
        // S06 in two runs of one build: every decided point of 11, then 12 of 15.
        for (alone, rival) in [(11, 0), (12, 3)] {
            let s = [
                leading("per_header_call", alone, 14, 26),
                leading("bulk_borrow", rival, 15, 26),
            ];
            assert_eq!(name(&s), Some("per_header_call"), "{alone}");
        }
        // S06 split by k: 11 and 7 of 18 decided points.
        let s = [
            leading("per_header_call", 11, 7, 26),
            leading("bulk_borrow", 7, 8, 26),
        ];
        assert_eq!(name(&s), None);
        assert_eq!(name(&[leading("a", 0, 2, 2)]), None);
        assert_eq!(name(&[]), None);
    }

    #[test]
    fn the_slowest_is_named_past_half_the_points_and_only_alone() {
        // S06's bulk_copy in two runs of one commit: 22 and 18 of 26, named in both.
        for last in [22, 18, 14] {
            let s = [
                standing("bulk_copy", last, 26),
                standing("per_header_call", 2, 26),
            ];
            assert_eq!(slowest(&s).map(|s| s.strategy), Some("bulk_copy"), "{last}");
            assert_eq!(
                slowest_text(&s),
                format!("`bulk_copy` ×1.00–2.00 (slowest alone at {last} of 26 points)")
            );
        }
        // At half or under (S09: one of two points): no strategy is the slowest of the sweep.
        assert!(slowest(&[standing("a", 13, 26)]).is_none());
        assert!(slowest(&[standing("generation_handle", 1, 2)]).is_none());
        assert!(slowest(&[standing("a", 2, 4), standing("b", 2, 4)]).is_none());
        assert!(slowest(&[standing("a", 0, 0)]).is_none());
        assert_eq!(slowest_text(&[standing("a", 1, 4)]), "–");
        assert!(slowest(&[standing("generation_handle", 2, 2)]).is_some());
    }

    /// S01's rows are two works (an empty call, a call with four arguments) sharing one parameter
    /// list: its definition says they are not ranked, so no point is made of them.
    #[test]
    fn an_unranked_scenario_has_no_points() {
        let ns = lab_record::Ns {
            median: 1.0,
            low: 1.0,
            high: 1.0,
        };
        let allocs = lab_record::Allocs::NONE;
        let records = ["empty_call", "call_with_args"]
            .map(|s| lab_record::Record::new(s, Default::default(), ns, allocs))
            .to_vec();
        let machine = lab_record::Machine::example("m");
        let mut f = ResultFile::new("s01_call_floor", "rust", "r2c", "", &machine, records);
        assert!(points(&f).is_empty());
        f.scenario = "s02_pass_string".into();
        assert_eq!(points(&f).len(), 1);
    }
}
