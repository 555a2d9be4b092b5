//! A scenario's section, on its page (`report/<scenario>.md`, so its links to `results/` go one
//! folder up): its heading, its floor and the documents' figure from the scenario's
//! definition, the conclusions, the plots and differential flame graphs it links, then its table
//! (`table.rs`), where its best strategies' instructions go (`floor_gap.rs`) and the definition's
//! notes on the strategies the table shows.

use std::fmt::Write as _;

use lab_record::scenario::{self as definition, Scenario};
use lab_record::{ResultFile, FLAMEGRAPH_DIR, PLOT_DIR};

use super::table;
use crate::floor::Floor;
use crate::format::{GO_NOT_MEASURED, GO_NOT_WRITTEN};
use crate::plots::plots_for;

/// What one section is written from.
pub(super) struct Section<'a> {
    /// Rust's records of the scenario in one direction.
    pub file: &'a ResultFile,
    /// Go's records of the same scenario and direction, if Go measured it.
    pub go: Option<&'a ResultFile>,
    /// The C extension's (C→R only): the rows' floor, shown beside them.
    pub c_ext: Option<&'a ResultFile>,
    /// Whether Go ran at all: without Go the section says there was no toolchain, with Go but no
    /// file that `go-reference/` has no version of the scenario.
    pub go_ran: bool,
    pub heading: &'a str,
    pub floor: &'a Floor<'a>,
    pub conclusions: &'a [String],
}

/// Writes the section of `s` into `out` (a scenario's page).
pub(super) fn section(out: &mut String, s: &Section) {
    let f = s.file;
    let _ = writeln!(out, "## {}\n", s.heading);
    let _ = writeln!(
        out,
        "`{}` · {} · {} · ns per {}\n",
        f.scenario, f.lang, f.direction, f.unit
    );
    let def = definition::get(&f.scenario);
    let floor_text = def
        .and_then(|d| d.direction(&f.direction))
        .and_then(|d| d.floor.as_deref())
        .filter(|_| s.floor.is_native());
    let _ = writeln!(
        out,
        "Floor: {}\n",
        floor_text.unwrap_or(
            "no native floor for this scenario here: the empty call of S01 in this direction, \
             plus S01's `memcpy` of the bytes a row copies."
        )
    );
    if let Some(doc) = def.and_then(|d| d.documents.as_ref()) {
        let _ = writeln!(out, "Documents: {doc}\n");
    }
    // A conclusion may carry a block (S06's tables) after its first line: indented, it stays
    // inside its list item.
    for c in s.conclusions {
        let mut lines = c.lines();
        let _ = writeln!(out, "- {}", lines.next().unwrap_or(""));
        for l in lines {
            let _ = if l.is_empty() {
                writeln!(out)
            } else {
                writeln!(out, "  {l}")
            };
        }
    }
    figures(out, f, def);
    // A host engine's Go rows stand in its own file (S16's `go_*`): no Go file is missing there.
    let go_inside = f.records.iter().any(|r| r.strategy.starts_with("go_"));
    if s.go.is_none() && !go_inside {
        let note = if s.go_ran {
            GO_NOT_WRITTEN
        } else {
            GO_NOT_MEASURED
        };
        let _ = writeln!(out, "\n{note}");
    }
    table::rows(out, f, s.go, s.c_ext, s.floor);
    super::floor_gap::floor_gap(out, f, s.floor);
    for (strategy, note) in def.map_or(&Default::default(), |d| &d.notes) {
        if f.records.iter().any(|r| &r.strategy == strategy) {
            let _ = writeln!(out, "\nNote on `{strategy}`: {note}");
        }
    }
    if let Some(go) = s.go {
        table::go_only(out, f, go);
    }
    out.push('\n');
}

/// The plots of the file's sweep, embedded, and a link to each differential flame graph its
/// definition declares whose two strategies were both profiled at the declared point.
fn figures(out: &mut String, f: &ResultFile, def: Option<&Scenario>) {
    for plot in plots_for(std::slice::from_ref(f)) {
        let _ = writeln!(out, "\n![{}](../{PLOT_DIR}/{}.svg)", plot.title, plot.file);
    }
    for d in def.map_or(&[][..], |d| &d.differentials) {
        let graphed = |s: &str| {
            f.records
                .iter()
                .any(|r| r.strategy == s && r.params_label() == d.params && r.flamegraph.is_some())
        };
        if graphed(&d.before) && graphed(&d.after) {
            let name = d.file_name(&f.scenario);
            let _ = writeln!(
                out,
                "\nDifferential flame graph, `{}` against `{}` at {} (red: frames with more samples in `{}`): \
                 [{name}.svg](../{FLAMEGRAPH_DIR}/{name}.svg)",
                d.after, d.before, d.params, d.after
            );
        }
    }
}
