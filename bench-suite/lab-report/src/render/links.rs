//! Where the links of a rendered report lead, and which lead nowhere: every markdown link of the
//! front page and of each scenario page, resolved from the file it is in to a path under the
//! repository's root, must name a page of the report with the anchor it names (an `<a id>` or a
//! heading's), or a file that exists (the plots, flame graphs and docs the report links).

use super::Report;
use crate::anchors::anchor;

/// The anchors a page defines: its headings' and its `<a id="…">`s.
fn anchors_of(md: &str) -> Vec<String> {
    let mut defined: Vec<String> = md
        .lines()
        .filter_map(|l| {
            l.trim_start_matches('#')
                .strip_prefix(' ')
                .filter(|_| l.starts_with('#'))
        })
        .map(anchor)
        .collect();
    defined.extend(
        md.split("<a id=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next().map(str::to_owned)),
    );
    defined
}

/// Every link target of `md` (what stands between `](` and `)`), external ones left out.
fn targets(md: &str) -> impl Iterator<Item = &str> {
    md.split("](")
        .skip(1)
        .filter_map(|s| s.split(')').next())
        .filter(|t| !t.contains("://"))
}

/// `target` as written in the file at `from` (a path under the root), as a path under the root.
fn resolve(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The links of `report` that lead nowhere, as `file: target`; `exists` says whether a path
/// under the root that is not one of the report's pages is there.
pub fn broken_links(report: &Report, exists: impl Fn(&str) -> bool) -> Vec<String> {
    let files: Vec<(&str, &str)> = std::iter::once(("REPORT.md", report.front.as_str()))
        .chain(report.pages.iter().map(|(p, t)| (p.as_str(), t.as_str())))
        .collect();
    let mut broken = Vec::new();
    for &(from, md) in &files {
        for target in targets(md) {
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let path = if path.is_empty() {
                from.to_owned()
            } else {
                resolve(from, path)
            };
            let ok = match files.iter().find(|(p, _)| *p == path) {
                Some((_, text)) => {
                    fragment.is_empty() || anchors_of(text).iter().any(|a| a == fragment)
                }
                None => fragment.is_empty() && exists(&path),
            };
            if !ok {
                broken.push(format!("{from}: {target}"));
            }
        }
    }
    broken
}

/// The widest table of `md`, in columns (indented tables inside a conclusion count too).
pub fn widest_table(md: &str) -> usize {
    md.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('|'))
        .map(|l| l.trim_end().trim_end_matches('|').matches('|').count())
        .max()
        .unwrap_or(0)
}
