//! The report as a whole, rendered from made-up records and from the committed run: the columns
//! each kind of record adds, the summary's and the guide's rules, Go by release, and that every
//! link the report writes has its target.

use lab_record::{Allocs, Machine, Ns, Record, ResultFile, PLOT_DIR};
use serde_json::{Map, Value};

use super::links::{broken_links, widest_table};
use super::{render, Report, MAX_COLUMNS};
use crate::format::NGINX_NOT_MEASURED;

fn rec(strategy: &str, params: &[(&str, u64)], ns: f64) -> Record {
    let p: Map<String, Value> = params
        .iter()
        .map(|&(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
    let ns = Ns {
        median: ns,
        low: ns * 0.99,
        high: ns * 1.01,
    };
    let allocs = Allocs {
        rust: Some(0.0),
        c: Some(0.0),
        go: None,
    };
    Record::new(strategy, p, ns, allocs)
}

fn file(scenario: &str, lang: &str, dir: &str, records: Vec<Record>) -> ResultFile {
    let m = Machine::example("t-1c-0000");
    ResultFile::new(scenario, lang, dir, "one call", &m, records)
}

/// The callgrind pass's counts stand beside the median; a row whose place by estimated
/// cycles differs from its place by median is marked.
#[test]
fn counts_columns_and_rank_disagreement() {
    let counts = |ir: f64| lab_record::Counts {
        instructions: ir,
        cycles_est: ir + 10.0,
        l1_misses: 1.0,
        ll_misses: 0.0,
        n1: 100,
        n2: 1100,
        varies: false,
    };
    let with = |mut r: Record, ir: f64| {
        r.counts = Some(counts(ir));
        r
    };
    let f = file(
        "s02_pass_string",
        "rust",
        "r2c",
        vec![
            with(rec("native", &[("len", 8)], 1.0), 32.0),
            with(rec("ptr_len", &[("len", 8)], 1.2), 34.0),
            with(rec("cstring", &[("len", 8)], 20.0), 393.0),
            // Faster than cstring by the clock, more instructions by the count.
            with(rec("reused_buffer", &[("len", 8)], 5.0), 500.0),
            rec("ptr_len", &[("len", 64)], 1.2),
        ],
    );
    let out = render(std::slice::from_ref(&f), "t-1c-0000").all();
    assert!(out.contains("| allocs Rust / C | Ir/call |"), "{out}");
    assert!(out.contains("| est. cycles/call | Ir/cycle |"), "{out}");
    assert!(
        out.contains("Ir/call is instructions per call under callgrind"),
        "{out}"
    );
    // The main table's row carries the anchor and Ir/call; the next table, its estimated cycles.
    let row = |s: &str, len: u64| {
        let anchor = format!("s02-r2c-{s}-len-{len}\"");
        out.lines()
            .find(|l| l.contains(&anchor))
            .unwrap_or_else(|| panic!("no row {s} {len}"))
            .to_owned()
    };
    let more = |s: &str, len: u64| {
        let lead = format!("| `{s}` | len={len} |");
        out.lines()
            .find(|l| l.starts_with(&lead))
            .unwrap_or_else(|| panic!("no more columns for {s} {len}"))
            .to_owned()
    };
    assert!(
        row("ptr_len", 8).ends_with("| 34 |"),
        "{}",
        row("ptr_len", 8)
    );
    assert!(
        more("ptr_len", 8).contains("| 44 | – |"),
        "{}",
        more("ptr_len", 8)
    );
    assert!(
        row("cstring", 8).ends_with("| 393 |"),
        "{}",
        row("cstring", 8)
    );
    assert!(
        more("cstring", 8).contains("| 403 ≠ |"),
        "{}",
        more("cstring", 8)
    );
    assert!(more("reused_buffer", 8).contains("| 510 ≠ |"));
    assert!(!more("native", 8).contains('≠'), "floors are not ranked");
    assert!(row("ptr_len", 64).ends_with("| – |"), "uncounted row");
    assert!(more("ptr_len", 64).ends_with("| – | – |"), "uncounted row");
}

/// A few scenarios of made-up records: strategies beyond the noise, within it, and
/// references faster than every strategy.
fn sample() -> Vec<ResultFile> {
    let lens = [8, 64, 4096];
    let s02 = lens
        .iter()
        .flat_map(|&l| {
            [
                rec("native", &[("len", l)], 1.0),
                rec("ptr_len", &[("len", l)], 1.2),
                rec("cstring", &[("len", l)], 20.0 + l as f64 / 16.0),
            ]
        })
        .collect();
    let s01 = vec![
        rec("native", &[], 0.5),
        rec("rust_call", &[], 0.6),
        rec("empty_call", &[], 1.7),
        rec("call_with_args", &[], 1.75),
    ];
    let s01_go = vec![rec("empty_call", &[], 26.0)];
    vec![
        file("s01_call_floor", "rust", "r2c", s01),
        file("s01_call_floor", "go", "r2c", s01_go),
        file("s02_pass_string", "rust", "r2c", s02),
    ]
}

#[test]
fn without_nginx_the_summary_says_nginx_was_not_measured() {
    let report = render(&sample(), "t-1c-0000");
    let row = report
        .page("report/summary.md")
        .expect("the summary page")
        .lines()
        .find(|l| l.starts_with("| S15 "))
        .expect("an S15 summary row");
    assert!(row.contains(NGINX_NOT_MEASURED), "{row}");
}

/// S15's records as the nginx runner writes them: the section prices the crossings with S01,
/// compares each strategy with `c_module` (the floor) and shows requests/s; S14's Rust − C of the
/// same filter, here negative, reads "less", never "-… more".
#[test]
fn s15_section_ties_the_boundary_back_to_s01() {
    let s15 = |strategy: &str, filter: &str, ns: f64| {
        let mut r = rec(strategy, &[], ns);
        r.params.insert("filter".into(), filter.into());
        r.load = Some(lab_record::LoadFigures {
            requests_per_s: 30_000.0,
            requests: 120_000,
            non_2xx: 0,
            errors: 0,
            rounds: 4,
            seconds_per_round: 1.0,
        });
        r
    };
    let mut files = sample();
    files.push(file(
        "s01_call_floor",
        "rust",
        "c2r",
        vec![rec("empty_call", &[], 1.4)],
    ));
    files.push(file(
        "s01_call_floor",
        "rust",
        "r2c",
        vec![rec("empty_call", &[], 1.2)],
    ));
    let s14 = |lang: &str, ns: f64| {
        let mut r = rec("bulk_borrow", &[], ns);
        r.params.insert("filter".into(), "basic_auth".into());
        file("s14_filters", lang, "c2r", vec![r])
    };
    files.push(s14("rust", 50.0));
    files.push(s14("c", 51.56));
    files.push(file(
        "s15_real_proxy",
        "rust",
        "c2r",
        vec![
            s15("borrow", "basic_auth", 7600.0),
            s15("c_module", "basic_auth", 10_000.0),
            s15("nginx_builtin", "basic_auth", 13_000.0),
            s15("no_filter", "none", 7500.0),
        ],
    ));
    let report = render(&files, "t-1c-0000");
    let md = report.all();
    let section = &md[md.find("## S15").expect("an S15 section")..];
    assert!(section.contains("requests/s"), "{section}");
    assert!(
        section.contains("`borrow` costs ×0.76") && section.contains("of `c_module`"),
        "{section}"
    );
    assert!(
        section.contains("S14's `bulk_borrow` run costs 1.56 ns less in Rust than in C"),
        "{section}"
    );
    assert!(
        !section.contains("-1.56") && !section.contains("−1.56"),
        "{section}"
    );
    assert!(section.contains("`nginx_builtin` +5.50 µs"), "{section}");
    // 1 C→R crossing at S01's 1.4 ns, no copy: 1.4 / 7600 of the request.
    assert!(section.contains("at most 0.02 %"), "{section}");
    assert!(section.contains("`no_filter` "), "{section}");
    // The plot its definition declares, embedded like every section's.
    assert!(
        section.contains(&format!("](../{PLOT_DIR}/s15_real_proxy.svg)")),
        "{section}"
    );
    let guide = &md[md.find("## What to use").unwrap()..md.find("## The machine").unwrap()];
    assert!(
        guide.contains("real proxy's request is the boundary?** The boundary is a small part"),
        "{guide}"
    );
    assert_eq!(undefined_links(&report), Vec::<String>::new());
}

/// The links of the report that lead nowhere: to a page or an anchor it does not have, or to a
/// file of the repository that is not there (the plots and flame graphs a pure render does not
/// draw are taken as there; `write_report`'s test checks them on disk).
fn undefined_links(report: &Report) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    broken_links(report, |p| {
        p.starts_with("results/plots/")
            || p.starts_with("results/flamegraphs/")
            || root.join(p).exists()
    })
}

/// The front page, the pages, their links and their tables: a page per scenario, every link with
/// its target, no table wider than [`MAX_COLUMNS`], the front page under [`FRONT_BYTES`].
fn check_structure(report: &Report, scenarios: &[&str]) {
    assert_eq!(undefined_links(report), Vec::<String>::new());
    let pages: Vec<&str> = report.pages.iter().map(|(p, _)| p.as_str()).collect();
    let mut expected: Vec<String> = scenarios.iter().map(|s| format!("report/{s}.md")).collect();
    expected.push("report/summary.md".into());
    assert_eq!(
        pages, expected,
        "one page per scenario with records, then the summary"
    );
    for (path, text) in std::iter::once(("REPORT.md", &report.front))
        .chain(report.pages.iter().map(|(p, t)| (p.as_str(), t)))
    {
        assert!(
            widest_table(text) <= MAX_COLUMNS,
            "{path}: a table of {} columns",
            widest_table(text)
        );
        if path != "REPORT.md" {
            assert!(
                report.front.contains(&format!("]({path})")),
                "the front page lists {path}"
            );
        }
    }
    assert!(
        report.front.len() < FRONT_BYTES,
        "front page of {} bytes",
        report.front.len()
    );
    // The front page holds no table row of a scenario: those are on its page.
    assert!(!report.front.contains("<a id="), "{}", report.front);
}

/// The most bytes the front page may take: a page a person reads in a few minutes.
const FRONT_BYTES: usize = 20_000;

#[test]
fn every_link_in_the_report_is_defined() {
    let report = render(&sample(), "t-1c-0000");
    assert!(
        report
            .front
            .contains("](report/s02_pass_string.md#s02-r2c-"),
        "the guide links rows"
    );
    check_structure(&report, &["s01_call_floor", "s02_pass_string"]);
    // A link to a row that is not there is found.
    let mut broken = report.clone();
    broken
        .front
        .push_str("[x](report/s02_pass_string.md#s02-r2c-nothing)\n[y](report/s99.md)\n");
    assert_eq!(undefined_links(&broken).len(), 2);
    // The committed run, too, where there is one: its every row, section and guide line.
    let results = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../results");
    for dir in std::fs::read_dir(results).into_iter().flatten().flatten() {
        let files = lab_record::load_dir(&dir.path()).unwrap();
        if let Some(f) = files.first() {
            let report = render(&files, &f.machine.id);
            let mut scenarios: Vec<&str> = files
                .iter()
                .filter(|f| f.lang == "rust")
                .map(|f| f.scenario.as_str())
                .collect();
            scenarios.sort_unstable();
            scenarios.dedup();
            check_structure(&report, &scenarios);
            check_front_parts(&report.front);
        }
    }
}

/// The front page of a full run: its parts in the order a reader needs them, and the answer
/// covering both directions, copies and the real proxy, every figure linked.
fn check_front_parts(front: &str) {
    let parts = [
        "## The answer",
        "## Cost sheet",
        "## The documents against the lab",
        "## What to use",
        "## The machine",
        "## How to read",
        "## Scenario pages",
    ];
    let at: Vec<Option<usize>> = parts.iter().map(|p| front.find(p)).collect();
    assert!(
        at.iter().all(Option::is_some) && at.windows(2).all(|w| w[0] < w[1]),
        "the front page's parts, in order: {parts:?} at {at:?}"
    );
    let answer = &front[at[0].unwrap()..at[1].unwrap()];
    for says in ["into C", "from C", "C string", "headers", "Inside nginx"] {
        assert!(answer.contains(says), "the answer says {says:?}: {answer}");
    }
    // Every figure of the answer is a link to its row.
    let figures = answer.matches(" ns").count();
    let linked = answer.matches(" ns](report/").count();
    assert_eq!(figures, linked, "{answer}");
}

#[test]
fn the_guide_has_one_line_per_question() {
    let md = render(&sample(), "t-1c-0000").all();
    let guide = &md[md.find("## What to use").unwrap()..md.find("## The machine").unwrap()];
    let lines: Vec<&str> = guide.lines().filter(|l| l.starts_with("- **")).collect();
    assert_eq!(lines.len(), crate::guide::questions());
    // Measured questions link to their figures; the others say so.
    for l in &lines {
        assert!(
            l.contains("](report/")
                || l.contains("not measured yet")
                || l.contains(NGINX_NOT_MEASURED)
                || l.contains(crate::format::ENVOY_NOT_MEASURED),
            "{l}"
        );
    }
    let s02 = lines.iter().find(|l| l.contains("pass a string")).unwrap();
    assert!(
        s02.contains("Use `ptr_len`: the fastest at every point measured (3).")
            && s02.contains("The others cost ×")
            && !s02.contains("alone at"),
        "{s02}"
    );
}

#[test]
fn the_summary_never_ranks_a_reference() {
    let report = render(&sample(), "t-1c-0000");
    let summary = report.page("report/summary.md").expect("the summary page");
    let s01 = summary
        .lines()
        .find(|l| l.contains("S01 call floor — rust, R→C"))
        .unwrap();
    let cells: Vec<&str> = s01.split(" | ").take(4).collect();
    // `native` and `rust_call` are faster than both strategies, and never a leader.
    assert!(
        cells
            .iter()
            .all(|c| !c.contains("native") && !c.contains("rust_call")),
        "{s01}"
    );
    // S01's two calls are two works, never ranked: no leader, no slowest.
    assert_eq!(&cells[1..4], ["–"; 3], "{s01}");
    let s02 = summary.lines().find(|l| l.contains("S02")).unwrap();
    assert!(
        s02.contains("`ptr_len` alone at 3 of 3 points") && !s02.contains("`native`"),
        "{s02}"
    );
}

/// A Go file of a release: lang `go<minor>` (or `go` for the main toolchain), its machine's
/// `go` that release's.
fn go_file(scenario: &str, lang: &str, version: &str, records: Vec<Record>) -> ResultFile {
    let mut f = file(scenario, lang, "r2c", records);
    f.machine.go = Some(format!("go{version} linux/amd64"));
    f
}

#[test]
fn go_releases_stand_side_by_side() {
    let mut files = sample();
    files.retain(|f| f.lang != "go");
    let s02 = |ns: f64| {
        vec![
            rec("ptr_len", &[("len", 8)], ns),
            rec("cstring", &[("len", 8)], ns * 2.0),
        ]
    };
    files.extend([
        go_file(
            "s01_call_floor",
            "go",
            "1.27.3",
            vec![rec("empty_call", &[], 20.0)],
        ),
        go_file(
            "s01_call_floor",
            "go1.22",
            "1.22.10",
            vec![rec("empty_call", &[], 40.0)],
        ),
        go_file(
            "s01_call_floor",
            "go1.24",
            "1.24.11",
            vec![rec("empty_call", &[], 30.0)],
        ),
        go_file(
            "s01_call_floor",
            "go1.26",
            "1.26.6",
            vec![rec("empty_call", &[], 21.0)],
        ),
        go_file(
            "s02_pass_string",
            "go",
            "1.27.3",
            [s02(50.0), vec![rec("ptr_len", &[("len", 64)], 50.0)]].concat(),
        ),
        go_file("s02_pass_string", "go1.26", "1.26.6", s02(55.0)),
    ]);
    let report = render(&files, "t-1c-0000");
    let md = report.all();
    let s01 = &md[md.find("## S01").unwrap()..md.find("\n## S02").unwrap()];
    assert!(
        s01.contains("| strategy | params | Rust ns | Go 1.22 ns | Go 1.24 ns | Go 1.25 ns | Go 1.26 ns | Go 1.27 ns |"),
        "{s01}"
    );
    assert!(
        s01.contains("| `empty_call` |  | 1.70 | 40.0 | 30.0 | not measured | 21.0 | 20.0 |"),
        "{s01}"
    );
    // 21 against 30 ns, each ±1 %: lower beyond the noise, by 30 %.
    assert!(
        s01.contains("- Go→C empty call by Go release: Go 1.22 40.0 ns, Go 1.24 30.0 ns, Go 1.25 not measured, Go 1.26 21.0 ns, Go 1.27 20.0 ns. Go 1.26's notes claim ~30 % lower cgo call overhead: Go 1.26 over Go 1.24 (the newest earlier release measured) ×0.70"),
        "{s01}"
    );
    assert!(
        s01.contains("lower beyond the noise, 30 % (the claim: ~30 %)."),
        "{s01}"
    );
    assert!(s01.contains("Go 1.22 has no `#cgo noescape`"), "{s01}");
    // S02: only 1.26 measured besides the main toolchain; the others are not measured.
    let s02 = &md[md.find("## S02").unwrap()..];
    assert!(
        s02.contains(
            "| `ptr_len` | len=8 | 1.20 | not measured | not measured | not measured | 55.0 | 50.0 |"
        ),
        "{s02}"
    );
    assert!(
        s02.contains("Go 1.22: not measured (no toolchain in `.venv-go/1.22/`"),
        "{s02}"
    );
    // Other releases run the quick sweep: a point only the main toolchain measured is not
    // in their table.
    let releases = &s02[s02.find("Go across its releases").unwrap()..];
    assert!(!releases.contains("| `ptr_len` | len=64 |"), "{releases}");
    assert!(s02.contains("Go 1.24: not measured"), "{s02}");
    // Release files have no sections of their own, and the main Go column is the main file's.
    assert!(!md.contains("— go1.2"), "no section per release");
    assert_eq!(undefined_links(&report), Vec::<String>::new());
    // Within the noise (1.26 at 29 against 1.24's 30 ns): not confirmed.
    let at = files.iter().position(|f| f.lang == "go1.26").unwrap();
    files[at].records[0] = rec("empty_call", &[], 29.0);
    let md = render(&files, "t-1c-0000").all();
    assert!(
        md.contains("not confirmed here: no difference beyond the noise."),
        "{md}"
    );
    // Without 1.26, the claim is not tested; with no release file at all, the columns say
    // not measured.
    files.remove(at);
    files.retain(|f| f.lang != "go1.22" && f.lang != "go1.24");
    let md = render(&files, "t-1c-0000").all();
    assert!(
        md.contains("- Go→C empty call by Go release: Go 1.22 not measured, Go 1.24 not measured, Go 1.25 not measured, Go 1.26 not measured, Go 1.27 20.0 ns. Go 1.26's claimed ~30 % lower cgo call overhead is not tested"),
        "{md}"
    );
}

/// The header names the machine in full where the records carry its class, and says the class is
/// not recorded where they do not.
#[test]
fn the_header_names_the_machine_class() {
    let class = lab_record::MachineClass::from_probes(&lab_record::Probes {
        cpuinfo: "vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\nstepping\t: 1\nflags\t\t: sse4_2 avx avx2 bmi2 erms\n",
        cores: 2,
        ldd: "ldd (Debian GLIBC 2.36-9+deb12u14) 2.36\n",
        valgrind: "valgrind-3.19.0\n",
        nginx: "nginx 1.22.1-9+deb12u12",
    });
    let mut files = sample();
    for f in &mut files {
        f.machine.id = class.id();
        f.machine.class = Some(class.clone());
    }
    let md = render(&files, &class.id()).all();
    for line in [
        "| CPU | AMD EPYC (AuthenticAMD, family 25 model 1 stepping 1), 2 cores |",
        "| features glibc dispatches on | avx avx2 bmi2 erms sse4_2 |",
        "| libc, valgrind | glibc 2.36 (Debian GLIBC 2.36-9+deb12u14), valgrind-3.19.0 |",
        "| nginx | 1.22.1-9+deb12u12 |",
    ] {
        assert!(md.contains(line), "{line} not in the header");
    }
    assert!(md.contains(&format!("| id | `{}` |", class.id())));
    let old = render(&sample(), "t-1c-0000").all();
    assert!(old.contains("| machine class | not recorded"), "{old}");
}
