//! The report's header: the machine the records were taken on, from the first file's fingerprint
//! (its class in full: CPU family and model, the features glibc dispatches on, cores, glibc,
//! valgrind, nginx), and a warning when any file comes from a quick run, whose figures are for
//! smoke tests only.

use std::fmt::Write as _;

use lab_record::ResultFile;

/// The machine table of `first`, then the quick-run warning if any of `files` is not a full run.
pub(super) fn machine(out: &mut String, first: &ResultFile, files: &[ResultFile]) {
    let m = &first.machine;
    let _ = writeln!(out, "| machine | |\n|---|---|");
    let _ = writeln!(out, "| id | `{}` |", m.id);
    match &m.class {
        Some(c) => {
            let _ = writeln!(
                out,
                "| CPU | {} ({}, {}), {} cores |",
                c.model_name,
                c.vendor,
                c.cpu_id(),
                c.cores
            );
            let features = if c.features.is_empty() {
                "none".to_owned()
            } else {
                c.features.join(" ")
            };
            let _ = writeln!(out, "| features glibc dispatches on | {features} |");
            let _ = writeln!(out, "| libc, valgrind | {}, {} |", c.glibc, c.valgrind);
            let _ = writeln!(out, "| nginx | {} |", c.nginx);
        }
        None => {
            let _ = writeln!(out, "| CPU | {} ({} cores) |", m.cpu, m.cores);
            let _ = writeln!(
                out,
                "| machine class | not recorded in these records (family, model, features, glibc unknown) |"
            );
        }
    }
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
