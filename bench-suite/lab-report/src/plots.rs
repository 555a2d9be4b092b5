//! SVG plots of the sweeps, drawn from the result records each time the report is written, so a
//! plot never disagrees with `results/`. What each scenario plots (ns vs length, batch size,
//! headers, stack threshold; latency percentiles; S15's cases side by side) is in its definition
//! (`scenarios/*.toml`); this module only draws. Log axes where the range spans orders of
//! magnitude; a linear one from 0 where the rows are categories of one magnitude.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use lab_record::scenario::{self as definition, Bound, PlotKind, PlotSpec};
use lab_record::{Record, ResultFile};

use crate::stats::param;

/// One line: a label and its (x, y) points, sorted by x.
pub type Series = (String, Vec<(f64, f64)>);

/// One marker of a [`Chart::Strategies`] plot: the category it stands at (an index into the
/// categories) and the record's median with its bracket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub at: usize,
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

/// What a plot draws.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Lines over a numeric x; y logarithmic.
    Lines { log_x: bool, series: Vec<Series> },
    /// Named categories on x (the strategies), markers with [low, high] bars at each, one colour
    /// per series; y linear from 0.
    Strategies {
        categories: Vec<String>,
        series: Vec<(String, Vec<Mark>)>,
    },
}

/// A plot of a scenario's records.
pub struct Plot<'a> {
    pub file: &'a str,
    pub title: String,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub chart: Chart,
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

/// Draws `plot` into `dir/<file>.svg`: lines with a logarithmic y (ns spans decades there), or
/// categories with a linear one.
pub fn draw(dir: &Path, plot: &Plot<'_>) -> io::Result<PathBuf> {
    let path = dir.join(format!("{}.svg", plot.file));
    match &plot.chart {
        Chart::Lines { log_x, series } => draw_lines(&path, plot, *log_x, series)?,
        Chart::Strategies { categories, series } => {
            draw_strategies(&path, plot, categories, series)?
        }
    }
    Ok(path)
}

fn draw_lines(path: &Path, plot: &Plot<'_>, log_x: bool, series: &[Series]) -> io::Result<()> {
    let points = series.iter().flat_map(|(_, p)| p.iter());
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
    let root = SVGBackend::new(path, (900, 540)).into_drawing_area();
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
            for (i, (label, pts)) in series.iter().enumerate() {
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
    if log_x {
        finish!(chart
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
            .map_err(plot_err)?);
    } else {
        let pad = (x1 - x0).max(1.0) * 0.05;
        finish!(chart
            .build_cartesian_2d((x0 - pad)..(x1 + pad), (y0..y1).log_scale())
            .map_err(plot_err)?);
    }
    root.present().map_err(plot_err)
}

/// The categories at x = 0, 1, …, each series' markers side by side around its category, a
/// vertical bar from each record's low to its high.
fn draw_strategies(
    path: &Path,
    plot: &Plot<'_>,
    categories: &[String],
    series: &[(String, Vec<Mark>)],
) -> io::Result<()> {
    let top = series
        .iter()
        .flat_map(|(_, m)| m.iter().map(|m| m.high.max(m.median)))
        .fold(f64::NEG_INFINITY, f64::max);
    if categories.is_empty() || !top.is_finite() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: nothing to plot", plot.file),
        ));
    }
    let n = categories.len();
    let root = SVGBackend::new(path, (900, 540)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&plot.title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..top * 1.15)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        // A tick per category: n ticks over n − 0.5 units fall on the integers.
        .x_labels(n)
        .x_desc(plot.x_desc)
        .y_desc(plot.y_desc)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(plot_err)?;
    // The series share each category's middle 60 %.
    let width = 0.6 / series.len().max(1) as f64;
    for (i, (label, marks)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let dx = (i as f64 + 0.5) * width - 0.3;
        let x = move |m: &Mark| m.at as f64 + dx;
        chart
            .draw_series(marks.iter().map(|m| {
                PathElement::new(vec![(x(m), m.low), (x(m), m.high)], color.stroke_width(2))
            }))
            .map_err(plot_err)?;
        chart
            .draw_series(
                marks
                    .iter()
                    .map(|m| Circle::new((x(m), m.median), 5, color.filled())),
            )
            .map_err(plot_err)?
            .label(label.as_str())
            .legend(move |(x, y)| Circle::new((x + 9, y), 5, color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
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
            let lines = |series: Vec<Series>| Chart::Lines {
                log_x: spec.log_x,
                series,
            };
            let chart = match spec.kind {
                PlotKind::Sweep => lines(sweep(f, spec)),
                PlotKind::Percentiles => lines(percentiles(f)),
                PlotKind::Strategies => strategies(f, spec),
            };
            let empty = match &chart {
                Chart::Lines { series, .. } => series.is_empty(),
                Chart::Strategies { series, .. } => series.is_empty(),
            };
            if !empty {
                out.push(Plot {
                    file: &spec.file,
                    title: spec.title.clone(),
                    x_desc: &spec.x_desc,
                    y_desc: &spec.y_desc,
                    chart,
                });
            }
        }
    }
    out
}

/// Whether `r` is one of `spec`'s records: its strategy, and parameters within its bounds.
fn kept(spec: &PlotSpec, r: &Record) -> bool {
    spec.strategy.as_ref().is_none_or(|s| *s == r.strategy)
        && spec.filter.iter().all(|(name, bound)| {
            let want = match bound {
                Bound::Value(v) => Some(*v),
                Bound::Param(other) => param(r, other),
            };
            want.is_some() && param(r, name) == want
        })
}

/// Median ns against `spec.x`, over the records that meet `spec`'s bounds: one line per strategy,
/// or per value of `spec.series`.
fn sweep(f: &ResultFile, spec: &PlotSpec) -> Vec<Series> {
    let Some(x) = spec.x.as_deref() else {
        return Vec::new();
    };
    let keep = |r: &Record| kept(spec, r);
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

/// The strategies (and references) of the records that meet `spec`'s bounds as categories, in
/// the order of their first record (the runner's: strategies, then references); one series per
/// value of `spec.series` (`filter basic_auth`), in the order of its first record, each with a
/// marker at every strategy that has a record of that value.
fn strategies(f: &ResultFile, spec: &PlotSpec) -> Chart {
    let mut categories: Vec<String> = Vec::new();
    let mut series: Vec<(String, Vec<Mark>)> = Vec::new();
    for r in f.records.iter().filter(|r| kept(spec, r)) {
        let label = match spec.series.as_deref() {
            Some(by) => match r.params.get(by) {
                Some(serde_json::Value::String(v)) => format!("{by} {v}"),
                Some(v) => format!("{by} {v}"),
                None => continue,
            },
            None => f.lang.clone(),
        };
        let at = match categories.iter().position(|c| *c == r.strategy) {
            Some(i) => i,
            None => {
                categories.push(r.strategy.clone());
                categories.len() - 1
            }
        };
        let mark = Mark {
            at,
            median: r.ns_per_call.median,
            low: r.ns_per_call.low,
            high: r.ns_per_call.high,
        };
        match series.iter_mut().find(|(l, _)| *l == label) {
            Some((_, marks)) => marks.push(mark),
            None => series.push((label, vec![mark])),
        }
    }
    Chart::Strategies { categories, series }
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

#[cfg(test)]
mod tests {
    use super::*;
    use lab_record::{Allocs, Machine, Ns};

    fn rec(strategy: &str, filter: &str, median: f64) -> Record {
        let mut params = serde_json::Map::new();
        params.insert("filter".into(), filter.into());
        Record::new(
            strategy,
            params,
            Ns {
                median,
                low: median - 100.0,
                high: median + 200.0,
            },
            Allocs::NONE,
        )
    }

    /// S15's records as the nginx runner orders them (strategies, then references, per filter).
    fn s15() -> ResultFile {
        let records = vec![
            rec("borrow", "basic_auth", 7600.0),
            rec("c_module", "basic_auth", 10_000.0),
            rec("borrow", "header_get_set", 7000.0),
            rec("c_module", "header_get_set", 8000.0),
            rec("no_filter", "none", 6000.0),
        ];
        ResultFile::new(
            "s15_real_proxy",
            "rust",
            "c2r",
            "request",
            &Machine::example("t-1c-0000"),
            records,
        )
    }

    /// The plot S15's definition declares: the cases as categories in the runner's order, one
    /// series per filter, each marker the record's median and bracket.
    #[test]
    fn s15_plots_its_cases_per_filter() {
        let plots = plots_for(&[s15()]);
        let [plot] = &plots[..] else {
            panic!("S15 declares one plot, got {}", plots.len());
        };
        assert_eq!(plot.file, "s15_real_proxy");
        let Chart::Strategies { categories, series } = &plot.chart else {
            panic!("S15's plot is a strategies chart");
        };
        assert_eq!(categories, &["borrow", "c_module", "no_filter"]);
        let labels: Vec<&str> = series.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["filter basic_auth", "filter header_get_set", "filter none"]
        );
        let mark = |at, median: f64| Mark {
            at,
            median,
            low: median - 100.0,
            high: median + 200.0,
        };
        assert_eq!(series[1].1, vec![mark(0, 7000.0), mark(1, 8000.0)]);
        assert_eq!(series[2].1, vec![mark(2, 6000.0)]);

        let dir = std::env::temp_dir().join(format!("lab-plots-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let svg = std::fs::read_to_string(draw(&dir, plot).unwrap()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        for label in ["borrow", "c_module", "no_filter", "filter header_get_set"] {
            assert!(svg.contains(label), "{label} is not in the SVG");
        }
    }

    #[test]
    fn a_strategies_plot_without_records_draws_nothing() {
        let mut f = s15();
        f.records.clear();
        assert!(plots_for(&[f]).is_empty());
    }
}
