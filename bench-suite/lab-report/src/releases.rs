//! The Go releases a section's figures come from. The renderer's table of Go by release and S01's
//! empty call by release both list them, so they read one list, defined here below both.

use lab_record::go::{minor_of_version, parse_toolchains, release_key, release_of, TOOLCHAINS};
use lab_record::ResultFile;

/// The Go releases of one section, oldest first: each with its file (`None`: not measured),
/// the main toolchain's release marked. The releases are those of the toolchain list this build
/// knows (`go-reference/toolchains`), those the records have and the main toolchain's.
pub(crate) fn releases<'a>(
    go: &'a ResultFile,
    others: &[&'a ResultFile],
) -> Vec<(String, Option<&'a ResultFile>, bool)> {
    let main = go.machine.go.as_deref().and_then(minor_of_version);
    let mut minors: Vec<String> = parse_toolchains(TOOLCHAINS)
        .0
        .into_iter()
        .filter(|t| !t.main)
        .map(|t| t.minor)
        .chain(
            others
                .iter()
                .filter_map(|o| release_of(&o.lang).map(str::to_owned)),
        )
        .chain(main.clone())
        .collect();
    minors.sort_by_key(|m| release_key(m));
    minors.dedup();
    minors
        .into_iter()
        .map(|m| {
            if main.as_deref() == Some(m.as_str()) {
                (m, Some(go), true)
            } else {
                let file = others
                    .iter()
                    .find(|o| release_of(&o.lang) == Some(m.as_str()))
                    .copied();
                (m, file, false)
            }
        })
        .collect()
}
