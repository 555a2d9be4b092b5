//! The summary: one row per scenario section, linking it on its page, with the strategy leading
//! beyond the noise, its × floor, the slowest and the first sentence of the section's first
//! conclusion (its page holds the rest), and a row for each defined scenario with
//! no records. Leaders come from `standing.rs`, as the guide's do, so the two never disagree.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lab_record::scenario as definition;
use lab_record::ResultFile;

use crate::anchors::section_link;
use crate::floor::Floor;
use crate::format::not_measured;
use crate::standing::{fmt_range, lead_text, leader, slowest_text, standings};
use crate::stats::{NOISE, NOISE_APART};

/// The summary's heading, the rule it ranks by, and its table's head.
pub(super) fn head(out: &mut String) {
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "Per scenario, over the points of its sweep where strategies meet (floors and references are \
         never ranked): the strategy that leads beyond the noise of every other, at how many points (alone, \
         or shared with others within the noise), its range of × floor, named when it leads alone at three \
         quarters or more of the decided points (those where one strategy leads alone) and those are a \
         quarter of the points or more; and the strategy slowest alone (beyond the noise of every other) at more than half \
         of the points, with its range of × best. Scenarios whose rows are different works (S01) are not \
         ranked. A lead is beyond the noise when the \
         spread of the ratio lies wholly beyond ×{:.2} either way (×{:.2} for medians timed apart).\n",
        1.0 + NOISE,
        1.0 + NOISE_APART
    );
    let _ = writeln!(
        out,
        "| scenario | leads | × floor | slowest, × best | conclusion |\n|---|---|---|---|---|"
    );
}

/// The row of one section: its link, its standings and its first conclusion's first line.
pub(super) fn row(
    out: &mut String,
    f: &ResultFile,
    floor: &Floor,
    heading: &str,
    conclusions: &[String],
) {
    let ranks = standings(f, floor);
    let lead = leader(&ranks);
    let _ = writeln!(
        out,
        "| [{heading}]({}) | {} | {} | {} | {} |",
        section_link(f),
        if ranks.is_empty() {
            "–".into()
        } else {
            lead_text(&ranks)
        },
        lead.and_then(|s| s.to_floor).map_or("–".into(), fmt_range),
        slowest_text(&ranks),
        conclusions
            .first()
            .and_then(|c| c.lines().next())
            .map_or_else(|| "–".into(), first_sentence)
    );
}

/// The longest cell the summary writes from a conclusion; its page holds the rest.
pub(crate) const CELL_CHARS: usize = 300;

/// A conclusion's first sentence (up to the first ". "), cut at a word within [`CELL_CHARS`]
/// with "…".
fn first_sentence(line: &str) -> String {
    let sentence = line.find(". ").map_or(line, |i| &line[..=i]);
    let Some((cut, _)) = sentence.char_indices().nth(CELL_CHARS) else {
        return sentence.to_owned();
    };
    let word = sentence[..cut].rfind(' ').unwrap_or(cut);
    format!("{}…", &sentence[..word])
}

/// A row for each defined scenario with no records, saying why (S15, S16: their proxy missing).
pub(super) fn unmeasured(out: &mut String, by_scenario: &BTreeMap<&str, Vec<&ResultFile>>) {
    for d in definition::all() {
        if !by_scenario.contains_key(d.id.as_str()) {
            let why = not_measured(&d.id);
            let _ = writeln!(out, "| {} | – | – | – | {why} |", d.title);
        }
    }
}
