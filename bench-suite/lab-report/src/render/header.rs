//! The report's header: the machine the records were taken on, from the first file's fingerprint,
//! and a warning when any file comes from a quick run, whose figures are for smoke tests only.

use std::fmt::Write as _;

use lab_record::ResultFile;

/// The machine table of `first`, then the quick-run warning if any of `files` is not a full run.
pub(super) fn machine(out: &mut String, first: &ResultFile, files: &[ResultFile]) {
    let m = &first.machine;
    let _ = writeln!(out, "| machine | |\n|---|---|");
    let _ = writeln!(out, "| id | `{}` |", m.id);
    let _ = writeln!(out, "| CPU | {} ({} cores) |", m.cpu, m.cores);
    let _ = writeln!(out, "| kernel | {} |", m.kernel);
    let _ = writeln!(out, "| rustc | {} |", m.rustc);
    let _ = writeln!(out, "| C compiler | {} |", m.cc);
    let _ = writeln!(
        out,
        "| Go | {} |",
        m.go.as_deref().unwrap_or("not installed")
    );
    let _ = writeln!(
        out,
        "| cross-language LTO | {} |",
        if m.lto {
            "on"
        } else {
            "off: every call into C is a real call"
        }
    );
    let _ = writeln!(
        out,
        "| commit, date, mode | `{}`, {}, {} |\n",
        m.commit, m.date, m.mode
    );
    if files.iter().any(|f| f.machine.mode != "full") {
        let _ = writeln!(out, "> Some results come from a **quick** run (short sweeps, short timing): smoke-test figures, not for quoting.\n");
    }
}
