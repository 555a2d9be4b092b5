//! Where the report's links lead: a scenario's page (`report/<scenario>.md`), a section's heading
//! and the anchor GitHub derives from it, and the anchor set in a table row's strategy cell. The
//! front page's summary and decision guide and the pages' sections all take them from here, so
//! every link the report writes has its target (the render tests check each one).

use lab_record::scenario as definition;
use lab_record::{Record, ResultFile};

/// The scenario's title from its definition; the id itself for a scenario without one.
fn title(scenario: &str) -> String {
    definition::get(scenario).map_or_else(|| scenario.to_owned(), |d| d.title.clone())
}

/// A section's heading: the scenario's title, its language and direction (`S01 call floor —
/// rust, C→R`), unique per result file.
pub(crate) fn heading(f: &ResultFile) -> String {
    let dir = match f.direction.as_str() {
        "r2c" => "R→C",
        "c2r" => "C→R",
        other => other,
    };
    format!("{} — {}, {dir}", title(&f.scenario), f.lang)
}

/// The anchor of a heading, as GitHub derives it: lower case, spaces to `-`, punctuation dropped.
pub(crate) fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchor of a file's section (its heading's).
pub(crate) fn section_anchor(f: &ResultFile) -> String {
    anchor(&heading(f))
}

/// The folder of the scenario pages, beside `REPORT.md`.
pub const PAGE_DIR: &str = "report";

/// A scenario's page, as the front page links it: `report/s06_read_headers.md`.
pub(crate) fn page(scenario: &str) -> String {
    format!("{PAGE_DIR}/{scenario}.md")
}

/// The front page's link to a file's section on its scenario's page.
pub(crate) fn section_link(f: &ResultFile) -> String {
    format!("{}#{}", page(&f.scenario), section_anchor(f))
}

/// The front page's link to a table row on its scenario's page.
pub(crate) fn row_link(f: &ResultFile, r: &Record) -> String {
    format!("{}#{}", page(&f.scenario), row_anchor(f, r))
}

/// The anchor of a table row: `s02-r2c-ptr_len-len-64` (scenario number, direction, strategy,
/// parameters; a build other than the normal one after the direction, `s01-r2c-rust-lto-…`), set
/// in the row's strategy cell so the guide can link to the row itself.
pub(crate) fn row_anchor(f: &ResultFile, r: &Record) -> String {
    let scenario = f.scenario.split('_').next().unwrap_or(&f.scenario);
    let build = lab_record::builds::of_lang(&f.lang)
        .filter(|b| b.lang != lab_record::builds::NORMAL)
        .map_or_else(String::new, |b| format!("-{}", b.lang));
    let mut id = format!("{scenario}-{}{build}-{}", f.direction, r.strategy);
    for (k, v) in &r.params {
        let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        id.push_str(&format!("-{k}-{v}"));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::anchor;

    #[test]
    fn anchors_follow_markdown() {
        assert_eq!(anchor("S02 pass a string R→C"), "s02-pass-a-string-rc");
    }
}
