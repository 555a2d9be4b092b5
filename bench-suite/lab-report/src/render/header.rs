//! The report's header: the machine the records were taken on, from the first file's fingerprint
//! (its class in full: CPU family and model, the features glibc dispatches on, cores, glibc,
//! valgrind, nginx), a warning when any file comes from a quick run, whose figures are for smoke
//! tests only, and the clock and instruction rates that check each row's count against its time.

use std::fmt::Write as _;

use lab_record::ResultFile;

use crate::rate::Refusal;

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
            let _ = writeln!(out, "| nginx | {} |", nginx_line(&c.nginx));
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
    let lto = files.iter().find(|f| f.lang == lab_record::builds::LTO);
    let _ = writeln!(
        out,
        "| cross-language LTO | {} |",
        lto.map_or_else(
            || "off: every call into C is a real call (LTO build: not measured)".to_owned(),
            |f| format!("off, but in each page's LTO build ({})", f.machine.cc)
        )
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

/// The class's nginx packages in short: nginx's version and its modules, e.g. `1.22.1-9+deb12u12,
/// modules http-js, http-lua` (the class line keeps every package's version).
fn nginx_line(packages: &str) -> String {
    let words: Vec<&str> = packages.split_whitespace().collect();
    let version = words.windows(2).find(|w| w[0] == "nginx").map(|w| w[1]);
    let modules: Vec<&str> = words
        .iter()
        .filter_map(|w| w.strip_prefix("libnginx-mod-"))
        .collect();
    match version {
        Some(v) if !modules.is_empty() => format!("{v}, modules {}", modules.join(", ")),
        Some(v) => v.to_owned(),
        None => packages.to_owned(),
    }
}

/// The clock the run measured, the highest rate a kept row implies, and the rows refused for a
/// rate the CPU cannot reach (`crate::rate`).
pub(super) fn rate(out: &mut String, files: &[ResultFile], refused: &[Refusal]) {
    let clock = files
        .iter()
        .flat_map(|f| &f.records)
        .filter_map(|r| r.clock)
        .max_by(|a, b| a.ghz.total_cmp(&b.ghz));
    let Some(clock) = clock else {
        let _ = writeln!(
            out,
            "Instructions per cycle: not checked (no clock measured in this run).\n"
        );
        return;
    };
    let _ = write!(
        out,
        "Clock measured in the run: {:.2} GHz; a loop of no-ops retires {:.1} instructions per cycle, the most any row can. ",
        clock.ghz, clock.peak_ipc
    );
    match crate::rate::highest(files) {
        Some((ipc, case)) => {
            let _ = writeln!(out, "Highest rate of a row: {ipc:.1} (`{case}`).");
        }
        None => {
            let _ = writeln!(out, "No row was both counted and timed.");
        }
    }
    if refused.is_empty() {
        out.push('\n');
        return;
    }
    let _ = writeln!(
        out,
        "\n> **Refused rows**: their instructions could not have run in their time (a lab bug to fix, not a finding); they are left out of the report:"
    );
    for r in refused {
        let _ = writeln!(
            out,
            "> - `{}` ({} {}): {:.1} instructions per cycle, over {:.1}",
            r.case, r.lang, r.direction, r.ipc, r.peak
        );
    }
    out.push('\n');
}
