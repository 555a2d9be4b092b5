//! SVG plots of the sweeps, drawn from the result records each time the report is written, so a
//! plot never disagrees with `results/`. What each scenario plots (ns vs length, batch size,
//! headers, stack threshold; latency percentiles) is in its definition (`scenarios/*.toml`); this
//! module only draws. Log axes where the range spans orders of magnitude.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use lab_record::scenario::{self as definition, Bound, PlotKind, PlotSpec};
use lab_record::{Record, ResultFile};

use crate::stats::param;

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

/// The plots of the scenario definitions that `files` have records for, in definition order.
pub fn plots_for(files: &[ResultFile]) -> Vec<Plot<'static>> {
    let mut out = Vec::new();
    for d in definition::all() {
        for spec in &d.plots {
            let Some(f) = files.iter().find(|f| {
                f.scenario == d.id && f.lang == spec.lang && f.direction == spec.direction
            }) else {
                continue;
            };
            let series = match spec.kind {
                PlotKind::Sweep => sweep(f, spec),
                PlotKind::Percentiles => percentiles(f),
            };
            if !series.is_empty() {
                out.push(Plot {
                    file: &spec.file,
                    title: spec.title.clone(),
                    x_desc: &spec.x_desc,
                    y_desc: &spec.y_desc,
                    log_x: spec.log_x,
                    series,
                });
            }
        }
    }
    out
}

/// Median ns against `spec.x`, over the records that meet `spec`'s bounds: one line per strategy,
/// or per value of `spec.series`.
fn sweep(f: &ResultFile, spec: &PlotSpec) -> Vec<Series> {
    let Some(x) = spec.x.as_deref() else {
        return Vec::new();
    };
    let keep = |r: &Record| {
        spec.strategy.as_ref().is_none_or(|s| *s == r.strategy)
            && spec.filter.iter().all(|(name, bound)| {
                let want = match bound {
                    Bound::Value(v) => Some(*v),
                    Bound::Param(other) => param(r, other),
                };
                want.is_some() && param(r, name) == want
            })
    };
    let Some(by) = spec.series.as_deref() else {
        return by_strategy(f, x, keep);
    };
    // Labels padded to the widest value, so their sorted order is numeric ("threshold  4" before
    // "threshold 16").
    let width = f
        .records
        .iter()
        .filter_map(|r| param(r, by))
        .map(|v| v.to_string().len())
        .max()
        .unwrap_or(0);
    let mut lines: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for r in f.records.iter().filter(|r| keep(r)) {
        if let (Some(v), Some(xv)) = (param(r, by), param(r, x)) {
            lines
                .entry(format!("{by} {v:>width$}"))
                .or_default()
                .push((xv as f64, r.ns_per_call.median));
        }
    }
    sorted(lines)
}

/// p50, p99, p99.9 and max (x = 0…3) of each record that has percentiles.
fn percentiles(f: &ResultFile) -> Vec<Series> {
    const KEYS: [&str; 4] = ["p50", "p99", "p99.9", "max"];
    f.records
        .iter()
        .filter_map(|r| {
            let p = r.percentiles_ns.as_ref()?;
            let pts = KEYS
                .iter()
                .enumerate()
                .filter_map(|(i, k)| Some((i as f64, *p.get(*k)?)))
                .collect();
            Some((format!("{} ({})", r.strategy, f.lang), pts))
        })
        .collect()
}
