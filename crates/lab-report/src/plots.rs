//! SVG plots of the sweeps, drawn from the result records each time the report is written, so a
//! plot never disagrees with `results/`: ns vs length (S02–S04), ns vs batch size (S05), ns vs
//! headers and the stack-threshold sweep (S06), latency percentiles (S12). Log axes where the
//! range spans orders of magnitude; one line per strategy.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use lab_record::{Record, ResultFile};

use crate::render::param;

/// One line: a label and its (x, y) points, sorted by x.
pub type Series = (String, Vec<(f64, f64)>);

/// A line plot.
pub struct Plot<'a> {
    pub file: &'a str,
    pub title: String,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub log_x: bool,
    pub series: Vec<Series>,
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

fn plot_err<E: std::fmt::Display>(e: E) -> io::Error {
    io::Error::other(e.to_string())
}

/// Draws `plot` into `dir/<file>.svg`; y is always logarithmic (ns spans decades here).
pub fn draw(dir: &Path, plot: &Plot<'_>) -> io::Result<PathBuf> {
    let path = dir.join(format!("{}.svg", plot.file));
    let points = plot.series.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in points {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if !x0.is_finite() || !y0.is_finite() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: nothing to plot", plot.file),
        ));
    }
    // Pad so lines do not sit on the frame; keep log ranges positive.
    let (y0, y1) = (y0.max(1e-3) / 1.5, y1 * 1.5);
    let root = SVGBackend::new(&path, (900, 540)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(&root);
    chart
        .caption(&plot.title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(70);
    macro_rules! finish {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(plot.x_desc)
                .y_desc(plot.y_desc)
                .label_style(("sans-serif", 13))
                .draw()
                .map_err(plot_err)?;
            for (i, (label, pts)) in plot.series.iter().enumerate() {
                let color = COLORS[i % COLORS.len()];
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                    .map_err(plot_err)?
                    .label(label.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                    });
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(plot_err)?;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font(("sans-serif", 13))
                .draw()
                .map_err(plot_err)?;
        }};
    }
    if plot.log_x {
        finish!(chart
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
            .map_err(plot_err)?);
    } else {
        let pad = (x1 - x0).max(1.0) * 0.05;
        finish!(chart
            .build_cartesian_2d((x0 - pad)..(x1 + pad), (y0..y1).log_scale())
            .map_err(plot_err)?);
    }
    root.present().map_err(plot_err)?;
    drop(root);
    Ok(path)
}

/// One series per strategy: (x = parameter `x`, y = median ns) over records passing `keep`.
pub fn by_strategy(f: &ResultFile, x: &str, keep: impl Fn(&Record) -> bool) -> Vec<Series> {
    let mut lines: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for r in f.records.iter().filter(|r| keep(r)) {
        if let Some(xv) = param(r, x) {
            lines
                .entry(r.strategy.clone())
                .or_default()
                .push((xv as f64, r.ns_per_call.median));
        }
    }
    sorted(lines)
}

fn sorted(lines: BTreeMap<String, Vec<(f64, f64)>>) -> Vec<Series> {
    lines
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            (k, v)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// The plots the records support; each is returned with the scenario it illustrates.
pub fn plots_for(files: &[ResultFile]) -> Vec<(String, Plot<'static>)> {
    let mut out = Vec::new();
    let find = |scenario: &str, dir: &str| {
        files
            .iter()
            .find(|f| f.scenario == scenario && f.direction == dir && f.lang == "rust")
    };
    for (scenario, what, x_desc) in [
        (
            "s02_pass_string",
            "S02 pass a string R→C",
            "string length (bytes, log)",
        ),
        (
            "s03_unknown_length",
            "S03 unknown-length string from C",
            "string length (bytes, log)",
        ),
        (
            "s04_known_length",
            "S04 known-length string from C",
            "string length (bytes, log)",
        ),
        (
            "s13_ownership",
            "S13 body data hand-off",
            "body chunk (bytes, log)",
        ),
    ] {
        if let Some(f) = find(scenario, "r2c") {
            out.push((
                scenario.to_owned(),
                Plot {
                    file: scenario,
                    title: format!("{what}: ns per call vs length"),
                    x_desc,
                    y_desc: "median ns per call (log)",
                    log_x: true,
                    series: by_strategy(f, "len", |_| true),
                },
            ));
        }
    }
    if let Some(f) = find("s05_pass_batch", "r2c") {
        out.push((
            f.scenario.clone(),
            Plot {
                file: "s05_pass_batch",
                title: "S05 pass a batch R→C: ns per call vs batch size".into(),
                x_desc: "strings in the batch (log)",
                y_desc: "median ns per call (log)",
                log_x: true,
                series: by_strategy(f, "n", |_| true),
            },
        ));
    }
    if let Some(f) = find("s06_read_headers", "r2c") {
        for (file, title, read_all) in [
            ("s06_read_headers_one", "S06 reading 1 of n headers", false),
            ("s06_read_headers_all", "S06 reading all n headers", true),
        ] {
            let series = by_strategy(f, "n", |r| {
                param(r, "k").is_some_and(|k| {
                    param(r, "n").is_some_and(|n| k == if read_all { n } else { 1 })
                })
            });
            out.push((
                f.scenario.clone(),
                Plot {
                    file,
                    title: format!("{title}: ns per filter vs headers in the request"),
                    x_desc: "headers in the request, n (log)",
                    y_desc: "median ns per filter (log)",
                    log_x: true,
                    series,
                },
            ));
        }
        let mut lines: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
        for r in f.records.iter().filter(|r| r.strategy == "stack_slots") {
            if let (Some(t), Some(n)) = (param(r, "threshold"), param(r, "n")) {
                lines
                    .entry(format!("threshold {t:>2}"))
                    .or_default()
                    .push((n as f64, r.ns_per_call.median));
            }
        }
        // BTreeMap orders "threshold  4" before "threshold 16" thanks to the padding.
        out.push((
            f.scenario.clone(),
            Plot {
                file: "s06_stack_threshold",
                title: "S06 stack threshold sweep: view slots on the stack up to the threshold"
                    .into(),
                x_desc: "headers in the request, n (log)",
                y_desc: "median ns per filter (log)",
                log_x: true,
                series: sorted(lines),
            },
        ));
    }
    for f in files.iter().filter(|f| f.scenario.starts_with("s12")) {
        let keys = ["p50", "p99", "p99.9", "max"];
        let series: Vec<Series> = f
            .records
            .iter()
            .filter_map(|r| {
                let p = r.percentiles_ns.as_ref()?;
                let pts = keys
                    .iter()
                    .enumerate()
                    .filter_map(|(i, k)| Some((i as f64, *p.get(*k)?)))
                    .collect();
                Some((format!("{} ({})", r.strategy, f.lang), pts))
            })
            .collect();
        out.push((
            f.scenario.clone(),
            Plot {
                file: if f.lang == "rust" {
                    "s12_tail_latency"
                } else {
                    "s12_tail_latency_go"
                },
                title: format!(
                    "S12 tail latency, {} C→R: percentiles of single calls",
                    f.lang
                ),
                x_desc: "percentile: 0 = p50, 1 = p99, 2 = p99.9, 3 = max",
                y_desc: "ns per call (log)",
                log_x: false,
                series,
            },
        ));
    }
    out.retain(|(_, p)| !p.series.is_empty());
    out
}
