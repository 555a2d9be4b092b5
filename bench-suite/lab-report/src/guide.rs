//! The decision guide at the top of the report: each question of the documents answered in one
//! line, with its margin and a link to the row (or section) it comes from. Every figure comes from
//! the functions the sections and the summary use (`standing.rs`, `stats.rs`, the scenarios'
//! conclusion modules), so the guide restates what the report shows below, never a figure of its
//! own; a winner is named only beyond the noise.

use std::fmt::Write as _;

use lab_record::scenario::{self, GuideQuestion, Scenario};
use lab_record::ResultFile;

use crate::anchors::{row_link, section_link};
use crate::conclusions::{
    per_byte_line, s06_read_headers, s10_panic, s11_thread_attach, s12_tail_latency,
    s15_real_proxy, s16_envoy, View,
};
use crate::floor::Floor;
use crate::format::not_measured;
use crate::standing::{fmt_range, leader, standings};
use crate::stats::{at, find, fmt_ns, fmt_x, margin, margin_at_each, marked};

/// What an answer reads: the machine's files.
struct Ctx<'a> {
    files: &'a [ResultFile],
}

impl<'a> Ctx<'a> {
    fn file(&self, scenario: &str, lang: &str, direction: &str) -> Option<&'a ResultFile> {
        self.files
            .iter()
            .find(|f| f.scenario == scenario && f.lang == lang && f.direction == direction)
    }
}

/// An answer: its line, and the link to the row or section it comes from (on its scenario's page).
type Answer = (String, String);

/// How a question of the guide is answered, by the name its definition's `[[question]]` gives
/// (`scenarios/*.toml`): from the records of that scenario.
type AnswerFn = fn(&Ctx, &Scenario) -> Option<Answer>;

/// Every answer a question may name.
const ANSWERS: &[(&str, AnswerFn)] = &[
    ("sweep", sweep),
    ("bulk_or_per_header", |c, _| bulk_or_per_header(c)),
    ("stack_threshold", |c, _| stack_threshold(c)),
    ("lifetime_check", |c, _| lifetime_check(c)),
    ("panic_guard", |c, _| panic_guard(c)),
    ("first_call", |c, _| first_call(c)),
    ("tail_latency", |c, _| tail_latency(c)),
    ("real_proxy", |c, _| real_proxy(c)),
    ("envoy", |c, _| envoy(c)),
];

/// The answer named `name`, if there is one.
fn answer_named(name: &str) -> Option<AnswerFn> {
    ANSWERS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// The questions of the definitions, in the guide's order: scenario by scenario, each
/// scenario's in its file's order, the questions marked `last` after all the others.
fn asked() -> Vec<(&'static Scenario, &'static GuideQuestion)> {
    let mut asked: Vec<_> = scenario::all()
        .iter()
        .flat_map(|d| d.questions.iter().map(move |q| (d, q)))
        .collect();
    asked.sort_by_key(|(_, q)| q.last);
    asked
}

/// The guide's markdown: a heading and one line per question.
pub fn guide(files: &[ResultFile]) -> String {
    let c = Ctx { files };
    let mut out = String::from("## What to use\n\n");
    let _ = writeln!(
        out,
        "Each answer links to its row or section; a ratio is one row over another, its spread \
         in brackets; what counts as a difference: [docs/METHODOLOGY.md](docs/METHODOLOGY.md) \
         (Noise).\n"
    );
    for (d, q) in asked() {
        let answer = answer_named(&q.answer).and_then(|f| f(&c, d));
        let line = match answer {
            Some((text, link)) => format!("{text} [→]({link})"),
            None => format!("{} (`{}`).", not_measured(&d.id), d.id),
        };
        let _ = writeln!(out, "- **{}** {line}", q.text);
    }
    out.push('\n');
    out
}

/// The questions' count, for the tests.
#[cfg(test)]
pub fn questions() -> usize {
    asked().len()
}

/// A sweep's answer: the strategy leading at the most points of the scenario's one direction,
/// the closest rival where it leads alone (the weakest evidence of its lead), and what it costs
/// over the floor.
fn sweep(c: &Ctx, d: &Scenario) -> Option<Answer> {
    let direction = match (&d.r2c, &d.c2r) {
        (Some(_), None) => "r2c",
        (None, Some(_)) => "c2r",
        _ => return None,
    };
    let f = c.file(&d.id, "rust", direction)?;
    let floor = Floor::of_file(c.files, f);
    let ranks = standings(f, &floor);
    if ranks.is_empty() {
        return None;
    }
    let points = ranks.iter().map(|s| s.points).max().unwrap_or(0);
    let mut link = section_link(f);
    let Some(lead) = leader(&ranks) else {
        return Some((no_single_answer(&ranks, points), link));
    };
    let mut text = if lead.alone == points {
        format!(
            "Use `{}`: the fastest at every point measured ({points}).",
            lead.strategy
        )
    } else {
        format!(
            "Use `{}`: the fastest at {} of the {points} points{}.",
            lead.strategy,
            lead.alone,
            match lead.shared {
                0 => String::new(),
                n => format!(", as fast as another at {n}"),
            }
        )
    };
    // The rivals' range and the closest margin, without naming the closest point or rival: which
    // of two near rivals is the closer is noise; the link leads to its row.
    if let (Some((mine, _, m)), Some(range)) = (lead.closest, lead.rivals) {
        let _ = write!(
            text,
            " The others cost {} of it there (the closest {m}).",
            fmt_range(range)
        );
        link = row_link(f, mine);
    }
    // Over a length sweep, what each other way adds per call and per byte, where that line
    // has no negative term to read as "less".
    let lines: Vec<String> = ranks
        .iter()
        .filter(|s| s.strategy != lead.strategy)
        .filter_map(|s| {
            let (a, b, _) = per_byte_line(f, s.strategy, lead.strategy)?;
            (a >= 0.0 && b >= 0.0)
                .then(|| format!("`{}` {a:.1} ns + {b:.3} ns per byte", s.strategy))
        })
        .collect();
    if !lines.is_empty() {
        let _ = write!(text, " More than it: {}.", lines.join(", "));
    }
    if let Some((lo, hi)) = lead.over_floor {
        let _ = write!(text, " Over its floor: {}.", floor_span(lo, hi));
    }
    Some((text, link))
}

/// Where no way leads: which leads where, and at how many points none does.
fn no_single_answer(ranks: &[crate::standing::Standing], points: usize) -> String {
    let leads: Vec<&crate::standing::Standing> = ranks.iter().filter(|s| s.alone > 0).collect();
    let decided: usize = leads.iter().map(|s| s.alone).sum();
    let mut text = String::from("No single answer: ");
    match leads.split_first() {
        None => {
            let _ = write!(
                text,
                "at each of the {points} points two or more ways are as fast within the noise"
            );
        }
        Some((first, rest)) => {
            let _ = write!(
                text,
                "`{}` is the fastest at {} of the {points} points",
                first.strategy, first.alone
            );
            for s in rest {
                let _ = write!(text, ", `{}` at {}", s.strategy, s.alone);
            }
            if decided < points {
                let _ = write!(
                    text,
                    "; at the other {} two or more ways are as fast",
                    points - decided
                );
            }
        }
    }
    text.push_str(". The section gives each point.");
    text
}

/// A range of ns over the floor in words: "1.6 to 51.8 ns more", "from 1.6 ns less to 1.6 ns
/// more", "0.4 ns more".
fn floor_span(lo: f64, hi: f64) -> String {
    let side = |x: f64| if x < 0.0 { "less" } else { "more" };
    if fmt_ns(lo) == fmt_ns(hi) {
        format!("{} ns {}", fmt_ns(lo.abs()), side(lo))
    } else if (lo < 0.0) == (hi < 0.0) {
        let (a, b) = if lo < 0.0 { (hi, lo) } else { (lo, hi) };
        format!("{} to {} ns {}", fmt_ns(a.abs()), fmt_ns(b.abs()), side(lo))
    } else {
        format!(
            "from {} ns less to {} ns more",
            fmt_ns(lo.abs()),
            fmt_ns(hi)
        )
    }
}

fn bulk_or_per_header(c: &Ctx) -> Option<Answer> {
    let f = c.file("s06_read_headers", "rust", "r2c")?;
    let per_header = s06_read_headers::PER_HEADER;
    // Each bulk strategy's wins and losses against one call per header, and its best point
    // (whether or not it wins there). Not one best over the three: their best points can lie
    // within the noise of each other, where naming one is noise.
    struct Bulk<'a> {
        name: &'a str,
        wins: usize,
        losses: usize,
        points: usize,
        best: s06_read_headers::Cell,
    }
    let bulks: Vec<Bulk> = s06_read_headers::BULK
        .iter()
        .filter_map(|name| {
            let cells = s06_read_headers::crossover(f, name, per_header);
            let (wins, losses, _) = s06_read_headers::tally(&cells);
            let points = cells.len();
            let best = cells
                .into_iter()
                .min_by(|a, b| a.margin.ratio.median.total_cmp(&b.margin.ratio.median))?;
            Some(Bulk {
                name,
                wins,
                losses,
                points,
                best,
            })
        })
        .collect();
    let points = bulks.iter().map(|b| b.points).max()?;
    let parts: Vec<String> = bulks
        .iter()
        .map(|b| {
            let best = format!(
                "at best {} at n={}, k={}{}",
                b.best.margin,
                b.best.n,
                b.best.k,
                if b.best.margin.beyond_noise() {
                    ""
                } else {
                    ", within the noise"
                }
            );
            match b.wins {
                0 => format!("`{}` is slower at {} ({best})", b.name, b.losses),
                w => format!(
                    "`{}` is faster at {w} and slower at {} ({best})",
                    b.name, b.losses
                ),
            }
        })
        .collect();
    // The closest bulk call, where none wins: the others' figures are on the page.
    let closest = bulks
        .iter()
        .zip(&parts)
        .min_by(|(a, _), (b, _)| {
            a.best
                .margin
                .ratio
                .median
                .total_cmp(&b.best.margin.ratio.median)
        })
        .map(|(_, p)| p);
    let text = match closest {
        Some(closest) if bulks.iter().all(|b| b.wins == 0) => format!(
            "Call once per header (`{per_header}`): no bulk call is faster beyond the noise at any of the {points} (n, k) points measured; the closest: {closest}."
        ),
        _ => {
            // The bulk calls faster somewhere, with their figures; the others only by name.
            let faster: Vec<&str> = bulks
                .iter()
                .zip(&parts)
                .filter(|(b, _)| b.wins > 0)
                .map(|(_, p)| p.as_str())
                .collect();
            let never: Vec<String> = bulks
                .iter()
                .filter(|b| b.wins == 0)
                .map(|b| format!("`{}`", b.name))
                .collect();
            let never = match never.len() {
                0 => String::new(),
                1 => format!("; {} is faster at none", never[0]),
                _ => format!("; {} are faster at none", never.join(" and ")),
            };
            format!(
                "It depends on n and k: against one call per header (`{per_header}`) over {points} (n, k) points, {}{never}.",
                faster.join(", ")
            )
        }
    };
    // The link goes to the best point of the three (navigation, not a claim).
    let link = bulks
        .iter()
        .min_by(|a, b| {
            a.best
                .margin
                .ratio
                .median
                .total_cmp(&b.best.margin.ratio.median)
        })
        .and_then(|b| find(f, b.name, |r| at(r, &[("n", b.best.n), ("k", b.best.k)])))
        .map_or_else(|| section_link(f), |r| row_link(f, r));
    Some((text, link))
}

fn stack_threshold(c: &Ctx) -> Option<Answer> {
    let f = c.file("s06_read_headers", "rust", "r2c")?;
    let claim = s06_read_headers::threshold_claim(&s06_read_headers::thresholds_at(f))?;
    Some((claim, section_link(f)))
}

/// S09 in costs: what each check adds to an unchecked host call on one thread, then the two
/// checks against each other at each thread count.
fn lifetime_check(c: &Ctx) -> Option<Answer> {
    let f = c.file("s09_request_lifetime", "rust", "r2c")?;
    let one = |s: &str| find(f, s, |r| at(r, &[("threads", 1)]));
    let unchecked = one("unchecked")?;
    let added: Vec<String> = [
        ("weak_upgrade", "a weak pointer's upgrade"),
        ("generation_handle", "a generation check"),
    ]
    .iter()
    .filter_map(|&(s, what)| {
        let r = one(s)?;
        Some(format!(
            "{what} (`{s}`) adds {} ns ({})",
            fmt_ns(r.ns_per_call.median - unchecked.ns_per_call.median),
            marked(&margin(r, unchecked)?)
        ))
    })
    .collect();
    if added.is_empty() {
        return None;
    }
    let between: Vec<String> = margin_at_each(f, "threads", "generation_handle", "weak_upgrade")
        .iter()
        .map(|(t, m)| {
            format!(
                "{} on {t} thread{}",
                marked(m),
                if *t == 1 { "" } else { "s" }
            )
        })
        .collect();
    let mut text = format!(
        "On one thread, against an unchecked host call: {}.",
        added.join("; ")
    );
    if !between.is_empty() {
        let _ = write!(
            text,
            " The generation check over the weak pointer: {}.",
            between.join("; ")
        );
    }
    let link = one("weak_upgrade").map_or_else(|| section_link(f), |r| row_link(f, r));
    Some((text, link))
}

fn panic_guard(c: &Ctx) -> Option<Answer> {
    let f = c.file("s10_panic", "rust", "c2r")?;
    let g = s10_panic::guard(f)?;
    let cost = if g.margin.beyond_noise() {
        format!(
            "+{} ns per call ({} of the bare call)",
            fmt_ns(g.guarded - g.bare),
            g.margin
        )
    } else {
        format!("nothing measurable ({})", g.margin)
    };
    let panic = find(f, "panic", |r| at(r, &[])).map_or(String::new(), |p| {
        format!(
            "; a panicking request costs {} ns and ends only that request",
            fmt_ns(p.ns_per_call.median)
        )
    });
    let link =
        find(f, "guarded", |r| at(r, &[])).map_or_else(|| section_link(f), |r| row_link(f, r));
    Some((
        format!("The guard every callback runs (`guarded`): {cost}{panic}."),
        link,
    ))
}

/// S15's headline: the crossings' share of a request in nginx and the Rust module against the C
/// module doing the same work, as its section's first line says.
fn real_proxy(c: &Ctx) -> Option<Answer> {
    let f = c.file("s15_real_proxy", "rust", "c2r")?;
    let floor = Floor::of_file(c.files, f);
    let lines = s15_real_proxy::c2r(&View {
        file: f,
        go: None,
        floor: &floor,
        all: c.files,
    });
    let first = lines
        .into_iter()
        .next()
        .filter(|l| l.starts_with("The boundary"))?;
    Some((first, section_link(f)))
}

fn first_call(c: &Ctx) -> Option<Answer> {
    let f = c.file("s11_thread_attach", "rust", "c2r")?;
    let line = |f: &ResultFile| {
        let (first, steady) = s11_thread_attach::first_and_steady(f)?;
        Some(format!(
            "{} ns, ×{} of a steady call ({} ns)",
            fmt_ns(first),
            fmt_x(first / steady),
            fmt_ns(steady)
        ))
    };
    let mut text = format!("Rust: {}", line(f)?);
    if let Some(go) = c.file("s11_thread_attach", "go", "c2r").and_then(line) {
        let _ = write!(text, "; Go: {go}");
    }
    text.push('.');
    let link = find(f, "first_call", |_| true).map_or_else(|| section_link(f), |r| row_link(f, r));
    Some((text, link))
}

fn tail_latency(c: &Ctx) -> Option<Answer> {
    let f = c.file("s12_tail_latency", "rust", "c2r")?;
    let line = |f: &ResultFile| {
        let parts: Vec<String> = s12_tail_latency::timed_singly(f)
            .filter(|r| r.strategy != "timer")
            .map(|r| {
                let p = |k| s12_tail_latency::p(r, k);
                format!(
                    "`{}` p99.9 {} ns (×{} of p50)",
                    r.strategy,
                    fmt_ns(p("p99.9")),
                    fmt_x(p("p99.9") / p("p50"))
                )
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    };
    let mut text = format!("Rust: {}", line(f)?);
    if let Some(go) = c.file("s12_tail_latency", "go", "c2r").and_then(line) {
        let _ = write!(text, "; Go: {go}");
    }
    text.push('.');
    Some((text, section_link(f)))
}

/// S16 in costs: the Rust module's basic auth against Envoy's C++ and Go's, per request, in
/// instructions (which repeat between passes) and the worker's CPU.
fn envoy(c: &Ctx) -> Option<Answer> {
    let f = c.file("s16_envoy", "rust", "c2r")?;
    let at = |s: &str| s16_envoy::row(f, s, "basic_auth", "direct");
    let (rust, cpp) = (at("borrow")?, at(crate::floor::S16_FLOOR)?);
    let ir = crate::conclusions::instructions;
    let mut text = match (ir(rust), ir(cpp)) {
        (Some(r), Some(p)) => format!(
            "Basic auth as a Rust module (`borrow`) takes Envoy {r:.0} instructions per request, its C++ filter {p:.0} ({:+.0})",
            r - p
        ),
        _ => format!(
            "Basic auth as a Rust module (`borrow`) costs Envoy's worker {} ns per request, its C++ filter {} ns ({})",
            fmt_ns(rust.ns_per_call.median),
            fmt_ns(cpp.ns_per_call.median),
            marked(&crate::conclusions::over_rounds(rust, cpp)?)
        ),
    };
    if let Some(go) = at("go_view") {
        match (ir(go), ir(rust)) {
            (Some(g), Some(r)) => {
                let _ = write!(
                    text,
                    "; as a Go module (`go_view`) {g:.0} ({:+.0} over Rust)",
                    g - r
                );
            }
            _ => {
                let _ = write!(
                    text,
                    "; as a Go module (`go_view`) {} ns",
                    fmt_ns(go.ns_per_call.median)
                );
            }
        }
    }
    text.push('.');
    Some((text, row_link(f, rust)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definitions are the registry of the guide's questions: each names an answer this
    /// file has, and each answer here is asked by some definition.
    #[test]
    fn every_question_has_its_answer_and_back() {
        for (d, q) in asked() {
            assert!(
                answer_named(&q.answer).is_some(),
                "scenarios/{}.toml asks {:?} with the answer {:?}, which guide.rs's ANSWERS lacks",
                d.id,
                q.text,
                q.answer
            );
        }
        for (name, _) in ANSWERS {
            assert!(
                asked().iter().any(|(_, q)| q.answer == *name),
                "guide.rs's answer {name} is asked by no [[question]] in scenarios/"
            );
        }
    }
}
