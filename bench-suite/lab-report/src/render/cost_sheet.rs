//! The front page's answer and cost sheet: one row per operation a person designs with — a
//! crossing each way, a string passed or copied, headers read, a batch, a lifetime check, a write
//! from another thread, a panic guard, a first call, a filter in a real proxy — Rust and Go side
//! by side, each figure a row's own median (and callgrind's instructions where counted), linked to
//! the row it comes from; then the answer those rows give, in a few sentences.

use std::fmt::Write as _;

use lab_record::{Record, ResultFile};

use crate::anchors::row_link;
use crate::conclusions::s15_real_proxy;
use crate::stats::{fit_line, fmt_ns, labelled_row, twin};

/// One operation of the sheet: the row that measures it (scenario, direction, strategy and its
/// parameters as the report labels them).
struct Operation {
    what: &'static str,
    /// The build of the Rust side (`lab_record::builds`): the normal one but where the operation
    /// is about another.
    lang: &'static str,
    scenario: &'static str,
    direction: &'static str,
    strategy: &'static str,
    params: &'static str,
}

const fn op(
    what: &'static str,
    scenario: &'static str,
    direction: &'static str,
    strategy: &'static str,
    params: &'static str,
) -> Operation {
    Operation {
        what,
        lang: lab_record::builds::NORMAL,
        scenario,
        direction,
        strategy,
        params,
    }
}

/// The sheet, in the order a design meets the costs.
const OPERATIONS: &[Operation] = &[
    op(
        "an empty call into C",
        "s01_call_floor",
        "r2c",
        "empty_call",
        "",
    ),
    Operation {
        lang: lab_record::builds::LTO,
        ..op(LTO_CALL, "s01_call_floor", "r2c", "empty_call", "")
    },
    op(
        "an empty call from C",
        "s01_call_floor",
        "c2r",
        "empty_call",
        "",
    ),
    Operation {
        lang: lab_record::builds::LTO,
        ..op(
            "the same, extension linked in with cross-language LTO",
            "s01_call_floor",
            "c2r",
            "empty_call",
            "",
        )
    },
    op(
        "pass 64 B as pointer and length",
        "s02_pass_string",
        "r2c",
        "ptr_len",
        "len=64",
    ),
    op(
        "make, pass and free a 64 B C string (no NUL check)",
        "s02_pass_string",
        "r2c",
        "cstring_prechecked",
        "len=64",
    ),
    op(
        "the same with `CString::new`'s NUL check",
        "s02_pass_string",
        "r2c",
        "cstring",
        "len=64",
    ),
    op(
        "get 1 KiB back from C as an owned copy",
        "s03_unknown_length",
        "r2c",
        "clone_on_return",
        "len=1024",
    ),
    op(
        "get 1 KiB into a buffer Rust allocates (length known)",
        "s04_known_length",
        "r2c",
        "prealloc_heap",
        "len=1024",
    ),
    op(
        "the same into a buffer kept across calls",
        "s04_known_length",
        "r2c",
        "prealloc_reused",
        "len=1024",
    ),
    op(
        "pass 16 strings in one call, as views",
        "s05_pass_batch",
        "r2c",
        "pinned_batch",
        "n=16",
    ),
    op(
        "read 8 headers, one call per header",
        "s06_read_headers",
        "r2c",
        "per_header_call",
        "n=8,k=8",
    ),
    op(
        "read 8 headers in one call, as views",
        "s06_read_headers",
        "r2c",
        "bulk_borrow",
        "n=8,k=8",
    ),
    op(
        "read 8 headers in one call, copied",
        "s06_read_headers",
        "r2c",
        "bulk_copy",
        "n=8,k=8",
    ),
    op(
        "a host call, no lifetime check",
        "s09_request_lifetime",
        "r2c",
        "unchecked",
        "threads=1",
    ),
    op(
        "a host call behind a generation check",
        "s09_request_lifetime",
        "r2c",
        "generation_handle",
        "threads=1",
    ),
    op(
        "a header write from another thread, locked",
        "s08_cross_thread_writes",
        "r2c",
        "mutex",
        "writers=1,wait=0",
    ),
    op(
        "the same write, posted to the request's thread",
        "s08_cross_thread_writes",
        "r2c",
        "post",
        "writers=1,wait=0",
    ),
    op(
        "a callback under the panic guard",
        "s10_panic",
        "c2r",
        "guarded",
        "",
    ),
    op(
        "a panic caught, the request answered 500",
        "s10_panic",
        "c2r",
        "panic",
        "",
    ),
    op(
        "the first call from a new thread",
        "s11_thread_attach",
        "c2r",
        "first_call",
        "filter=one_header",
    ),
    op(
        "basic auth inside nginx, per request (worker CPU)",
        "s15_real_proxy",
        "c2r",
        "borrow",
        "filter=basic_auth",
    ),
];

/// The Rust row of `o` and its file.
fn rust<'a>(files: &'a [ResultFile], o: &Operation) -> Option<(&'a ResultFile, &'a Record)> {
    labelled_row(files, o.scenario, o.lang, o.direction, o.strategy, o.params)
}

/// Go's row of the same strategy and parameters, where Go measured it.
fn go<'a>(files: &'a [ResultFile], f: &ResultFile, r: &Record) -> Option<&'a Record> {
    let g = files
        .iter()
        .find(|g| g.scenario == f.scenario && g.direction == f.direction && g.lang == "go")?;
    twin(g, r)
}

fn instructions(r: &Record) -> String {
    r.counts.map_or("–".into(), |c| {
        format!("{}{:.0}", if c.varies { "~" } else { "" }, c.instructions)
    })
}

/// The answer in a few sentences and the cost sheet, from `files`; empty without the rows.
pub(super) fn cost_sheet(out: &mut String, files: &[ResultFile]) {
    let rows: Vec<(&Operation, &ResultFile, &Record)> = OPERATIONS
        .iter()
        .filter_map(|o| rust(files, o).map(|(f, r)| (o, f, r)))
        .collect();
    if rows.is_empty() {
        return;
    }
    answer(out, files);
    let _ = writeln!(
        out,
        "## Cost sheet\n\nMedians, each linked to its row; instructions per call from callgrind (`~`: threads share them); Go where it measured the same strategy.\n\n| operation | Rust ns | Rust instructions | Go ns |\n|---|---|---|---|"
    );
    for (o, f, r) in rows {
        // Go's figure stands in the Rust row's Go column: the same link.
        // Go has no other build: its figure stands beside the normal build's only.
        let go = go(files, f, r).filter(|_| o.lang == lab_record::builds::NORMAL);
        let go = go.map_or("–".into(), |g| {
            format!("[{}]({})", fmt_ns(g.ns_per_call.median), row_link(f, r))
        });
        let _ = writeln!(
            out,
            "| {} | [{}]({}) | {} | {go} |",
            o.what,
            fmt_ns(r.ns_per_call.median),
            row_link(f, r),
            instructions(r)
        );
    }
    if let Some((a, b)) = memcpy_line(files) {
        let _ = writeln!(
            out,
            "\nA copy costs {a:.1} ns + {b:.3} ns per byte (S01's `memcpy` over its lengths); every consumer here reads what it is given, so a length's cost includes reading it."
        );
    }
    out.push('\n');
}

/// S01's memcpy as a line: ns = a + b · bytes.
fn memcpy_line(files: &[ResultFile]) -> Option<(f64, f64)> {
    let f = files
        .iter()
        .find(|f| f.scenario == "s01_call_floor" && f.direction == "r2c" && f.lang == "rust")?;
    let pts: Vec<(f64, f64)> = f
        .records
        .iter()
        .filter(|r| r.strategy == "memcpy")
        .filter_map(|r| Some((crate::stats::param(r, "len")? as f64, r.ns_per_call.median)))
        .collect();
    fit_line(&pts)
}

/// The cost sheet's empty call into C in the cross-language LTO build.
const LTO_CALL: &str = "the same with cross-language LTO";

/// What is left of a call into C with cross-language LTO, against C's own loop of the same
/// inlined call (the LTO build's floor): "With cross-language LTO the call is inlined: 0.27 ns
/// and 3 instructions per call, as many as C's own loop runs (3)."
fn lto_line(f: &ResultFile, r: &Record) -> Option<String> {
    let floor = f
        .records
        .iter()
        .find(|n| n.strategy == lab_record::NATIVE)?;
    let (ir, floor_ir) = (r.counts?.instructions, floor.counts?.instructions);
    let versus = if (ir - floor_ir).abs() < 0.5 {
        "as many as".to_owned()
    } else {
        format!("{:+.0} over", ir - floor_ir)
    };
    Some(format!(
        "With cross-language LTO the call is inlined: [{} ns]({}) and {ir:.0} instructions per call, {versus} C's own loop of it ({floor_ir:.0}).",
        fmt_ns(r.ns_per_call.median),
        row_link(f, r)
    ))
}

/// The answer: what a crossing costs each way in Rust and in Go, what dominates once calls are
/// cheap, and what share of a real proxy's request the boundary is, from the sheet's rows; each
/// figure linked to its row.
fn answer(out: &mut String, files: &[ResultFile]) {
    let row = |what: &str| {
        OPERATIONS
            .iter()
            .find(|o| o.what == what)
            .and_then(|o| rust(files, o))
            .or_else(|| {
                assert!(
                    OPERATIONS.iter().any(|o| o.what == what),
                    "the answer names {what:?}, which the cost sheet lacks"
                );
                None
            })
    };
    let linked =
        |ns: f64, f: &ResultFile, r: &Record| format!("[{} ns]({})", fmt_ns(ns), row_link(f, r));
    let ns = |what: &str| row(what).map(|(f, r)| linked(r.ns_per_call.median, f, r));
    let go = |what: &str| {
        let (f, r) = row(what)?;
        let g = go(files, f, r)?;
        Some((
            linked(g.ns_per_call.median, f, r),
            g.ns_per_call.median / r.ns_per_call.median,
        ))
    };
    let (into, from) = ("an empty call into C", "an empty call from C");
    let mut said = Vec::new();
    if let (Some(a), Some(b)) = (ns(into), ns(from)) {
        let go = match (go(into), go(from)) {
            (Some((ga, xa)), Some((gb, xb))) => {
                format!("; Go pays {ga} into C and {gb} from C (×{xa:.0} and ×{xb:.0})")
            }
            _ => String::new(),
        };
        said.push(format!(
            "An empty crossing costs Rust {a} into C and {b} from C{go}."
        ));
    }
    if let Some(line) = row(LTO_CALL).and_then(|(f, r)| lto_line(f, r)) {
        said.push(line);
    }
    if let (Some(lend), Some(cstr), Some(copy)) = (
        ns("pass 64 B as pointer and length"),
        ns("make, pass and free a 64 B C string (no NUL check)"),
        ns("get 1 KiB back from C as an owned copy"),
    ) {
        said.push(format!(
            "Once a call is that cheap, copies and allocations decide: 64 B lent as pointer and length cost {lend}, made into a C string {cstr}, and 1 KiB returned as an owned copy {copy}."
        ));
    }
    if let (Some(each), Some(views), Some(copied)) = (
        ns("read 8 headers, one call per header"),
        ns("read 8 headers in one call, as views"),
        ns("read 8 headers in one call, copied"),
    ) {
        said.push(format!(
            "Reading 8 headers costs {each} one call per header, {views} in one call as views and {copied} in one call copied."
        ));
    }
    if let (Some(guard), Some(first)) = (
        ns("a callback under the panic guard"),
        ns("the first call from a new thread"),
    ) {
        said.push(format!(
            "A panic guard on every callback costs {guard}, the first call from a new thread {first}."
        ));
    }
    if let Some((f, r, share)) = s15_real_proxy::basic_auth_share(files) {
        said.push(format!(
            "Inside nginx a basic-auth request costs the worker {} of CPU; its crossings and copies, at the prices above, are {share:.2} % of it.",
            linked(r.ns_per_call.median, f, r)
        ));
    }
    if said.is_empty() {
        return;
    }
    let _ = writeln!(out, "## The answer\n\n{}\n", said.join(" "));
}

#[cfg(test)]
mod tests {
    use lab_record::{Allocs, Counts, Machine, Ns, Record, ResultFile};
    use serde_json::Map;

    use super::cost_sheet;

    fn file(lang: &str, ns: f64, counted: bool) -> ResultFile {
        let mut r = Record::new(
            "empty_call",
            Map::new(),
            Ns {
                median: ns,
                low: ns,
                high: ns,
            },
            Allocs::NONE,
        );
        r.counts = counted.then(|| Counts::example(5.0));
        let m = Machine::example("test-1c-0000");
        ResultFile::new("s01_call_floor", lang, "r2c", "call", &m, vec![r])
    }

    #[test]
    fn each_operation_is_its_rows_figures_linked_to_the_row() {
        let files = [file("rust", 1.37, true), file("go", 33.9, false)];
        let mut out = String::new();
        cost_sheet(&mut out, &files);
        assert!(out.contains(
            "| an empty call into C | [1.37](report/s01_call_floor.md#s01-r2c-empty_call) | 5 | [33.9](report/s01_call_floor.md#s01-r2c-empty_call) |"
        ));
        // An operation with no row is left out, not printed empty.
        assert!(!out.contains("an empty call from C"));
        let mut none = String::new();
        cost_sheet(&mut none, &[file("go", 33.9, false)]);
        assert!(none.is_empty());
    }
}
