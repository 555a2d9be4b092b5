//! Flame graphs: pprof samples a case's loop, inferno draws the SVG. Profiling is a pass of its
//! own (`cargo bench -- --profile`), never during the timed runs, so sampling cannot skew them.
//!
//! Besides one graph per strategy, differential graphs (inferno's diff-folded) show where one
//! strategy spends what another does not: the pairs that explain FINDINGS.md's copying findings.
//!
//! Another process (S15's nginx worker) cannot be sampled by pprof from here: `perf record`
//! samples it ([`perf_record`]), inferno's perf collapser folds `perf script`'s stacks
//! ([`collapse_perf`]), and [`dso_share`] counts the samples that fall in one shared object.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use inferno::flamegraph;

fn other<E: std::fmt::Display>(e: E) -> io::Error {
    io::Error::other(e.to_string())
}

/// The frames under which a case's own work runs, on the runner's thread and on a crew's
/// (`crate::crew`: S08's writers, S09's callers); frames above them (the runner, a thread's
/// start) are cut away.
const CASE_ROOTS: [&str; 2] = ["case::Case::new", "crew::member_loop"];

/// Samples `run` (called repeatedly) for `duration` at ~2 kHz and returns folded stacks, one
/// `frame;frame;… count` line per distinct stack, rooted at the case's loop.
pub fn profile_folded(duration: Duration, mut run: impl FnMut()) -> io::Result<Vec<String>> {
    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(1999)
        // libc stays sampled: malloc, memcpy and strlen are what the copying findings are about.
        // The unwinder's own library is skipped (a sample landing inside it could deadlock).
        .blocklist(&["libgcc", "vdso"])
        .build()
        .map_err(other)?;
    let start = Instant::now();
    while start.elapsed() < duration {
        run();
    }
    let report = guard.report().build().map_err(other)?;
    let mut lines: Vec<String> = report
        .data
        .iter()
        .map(|(frames, count)| {
            let stack: Vec<String> = frames
                .frames
                .iter()
                .rev()
                .flat_map(|f| f.iter().rev().map(|s| s.name()))
                .collect();
            let from = stack
                .iter()
                .position(|s| CASE_ROOTS.iter().any(|root| s.contains(root)))
                .unwrap_or(0);
            format!("{} {count}", stack[from..].join(";"))
        })
        .collect();
    lines.sort();
    Ok(lines)
}

/// Writes `<dir>/<name>.folded` and `<dir>/<name>.svg`.
pub fn write_flamegraph(dir: &Path, name: &str, title: &str, folded: &[String]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::write(dir.join(format!("{name}.folded")), folded.join("\n") + "\n")?;
    let mut opts = flamegraph::Options::default();
    opts.title = title.to_owned();
    opts.count_name = "samples".to_owned();
    flamegraph::from_lines(
        &mut opts,
        folded.iter().map(String::as_str),
        File::create(dir.join(format!("{name}.svg")))?,
    )
}

/// Writes `<dir>/<name>.svg`: the differential flame graph from `before` to `after` (two
/// `.folded` files of [`write_flamegraph`]); frames in red grew, in blue shrank.
pub fn write_differential(
    dir: &Path,
    name: &str,
    title: &str,
    before: &Path,
    after: &Path,
) -> io::Result<()> {
    let mut diff = Vec::new();
    inferno::differential::from_readers(
        inferno::differential::Options::default(),
        io::BufReader::new(File::open(before)?),
        io::BufReader::new(File::open(after)?),
        &mut diff,
    )?;
    let mut opts = flamegraph::Options::default();
    opts.title = title.to_owned();
    opts.count_name = "samples".to_owned();
    flamegraph::from_reader(
        &mut opts,
        &diff[..],
        File::create(dir.join(format!("{name}.svg")))?,
    )
}

/// A file name for a case: `s02_pass_string-ptr_len-len=64` (commas become dashes).
pub fn graph_name(scenario: &str, strategy: &str, params: &str) -> String {
    if params.is_empty() {
        format!("{scenario}-{strategy}")
    } else {
        format!("{scenario}-{strategy}-{}", params.replace(',', "-"))
    }
}

/// How `perf record` samples another process (S15's nginx worker): the `cpu-clock` software event
/// (no hardware PMU is needed, as on a VM) at this rate, with DWARF call graphs (the packaged
/// nginx has no frame pointers; its `.eh_frame` and the module's debug info unwind it).
pub const PERF_HZ: u32 = 999;

/// The `perf` on `PATH`, if it runs here: its version line. Debian's `/usr/bin/perf` is a wrapper
/// that fails when no perf matches the running kernel, so running it is the test.
pub fn perf_version() -> Result<String, String> {
    let out = std::process::Command::new("perf")
        .arg("--version")
        .output()
        .map_err(|e| format!("perf is not installed ({e}; scripts/setup installs linux-perf)"))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() && !text.is_empty() {
        Ok(text)
    } else {
        Err(format!(
            "perf does not run here ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Samples process `pid` for `duration` with `perf record` into `data`, then returns
/// `perf script`'s text of it (one block per sample: a header line, one line per frame).
pub fn perf_record(pid: u32, duration: Duration, data: &Path) -> Result<String, String> {
    let run = |c: &mut std::process::Command, what: &str| -> Result<Vec<u8>, String> {
        let out = c
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run perf {what}: {e}"))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(format!(
                "perf {what} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    run(
        std::process::Command::new("perf")
            .args([
                "record",
                "-q",
                "-e",
                "cpu-clock",
                "-F",
                &PERF_HZ.to_string(),
            ])
            .args(["--call-graph", "dwarf", "-p", &pid.to_string(), "-o"])
            .arg(data)
            .args(["--", "sleep", &format!("{:.3}", duration.as_secs_f64())]),
        "record",
    )?;
    // No period field: inferno then counts each sample once (with it, cpu-clock's period in ns).
    let script = run(
        std::process::Command::new("perf")
            .args(["script", "-F", "comm,tid,time,event,ip,sym,dso", "-i"])
            .arg(data),
        "script",
    )?;
    Ok(String::from_utf8_lossy(&script).into_owned())
}

/// Folded stacks (`frame;frame;… count`, sorted) of a `perf script` text, by inferno's perf
/// collapser: the root frame is the process's name.
pub fn collapse_perf(script: &str) -> io::Result<Vec<String>> {
    use inferno::collapse::Collapse;
    let mut opts = inferno::collapse::perf::Options::default();
    opts.nthreads = 1;
    let mut out = Vec::new();
    inferno::collapse::perf::Folder::from(opts).collapse(script.as_bytes(), &mut out)?;
    let mut lines: Vec<String> = String::from_utf8_lossy(&out)
        .lines()
        .map(str::to_owned)
        .collect();
    lines.sort();
    Ok(lines)
}

/// Where a `perf script` text's samples fall with respect to one shared object (the module).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DsoShare {
    /// Samples with a call chain.
    pub samples: u64,
    /// Samples with a frame of the object anywhere on the stack: its code and what it calls.
    pub on_stack: u64,
    /// Samples whose innermost frame is in the object: its own code.
    pub leaf: u64,
    /// The object's frames, and those of them perf could not name (`[unknown]`).
    pub frames: u64,
    pub unresolved: u64,
}

impl DsoShare {
    /// `part` as a percentage of the samples.
    pub fn percent(&self, part: u64) -> f64 {
        100.0 * part as f64 / self.samples.max(1) as f64
    }
}

/// Counts, in a `perf script` text, the samples and frames of the object whose file name is
/// `dso` (`libffi_lab_nginx.so`). A frame line ends with its object in parentheses; a frame perf
/// found inlined (from the object's debug info) says `(inlined)` and stands, at the same address,
/// above the frame of the function it was inlined into, whose object it shares.
pub fn dso_share(script: &str, dso: &str) -> DsoShare {
    let mut share = DsoShare::default();
    let mut count = |frames: &[(&str, &str, bool)]| {
        // (address, object, unnamed), innermost first.
        let ours = |i: usize| {
            let (addr, object, _) = frames[i];
            let object = if object == "inlined" {
                frames[i..]
                    .iter()
                    .find(|(a, o, _)| *a == addr && *o != "inlined")
                    .map_or("", |(_, o, _)| *o)
            } else {
                object
            };
            Path::new(object).file_name().is_some_and(|f| f == dso)
        };
        if frames.is_empty() {
            return;
        }
        share.samples += 1;
        let mine: Vec<usize> = (0..frames.len()).filter(|&i| ours(i)).collect();
        share.on_stack += u64::from(!mine.is_empty());
        share.leaf += u64::from(mine.first() == Some(&0));
        share.frames += mine.len() as u64;
        share.unresolved += mine.iter().filter(|&&i| frames[i].2).count() as u64;
    };
    let mut frames: Vec<(&str, &str, bool)> = Vec::new();
    for line in script.lines() {
        if !line.starts_with(char::is_whitespace) || line.trim().is_empty() {
            // A sample's header line, or the blank line that ends it.
            count(&frames);
            frames.clear();
            continue;
        }
        let line = line.trim();
        let Some((head, object)) = line.strip_suffix(')').and_then(|l| l.rsplit_once(" (")) else {
            continue;
        };
        let addr = head.split_whitespace().next().unwrap_or_default();
        frames.push((addr, object, head.contains("[unknown]")));
    }
    count(&frames);
    share
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `perf script -F comm,tid,time,event,ip,sym,dso` of nginx's worker: a sample in the module's
    /// own code (inlined frames first), one in libc called from the module, one in nginx alone.
    const SCRIPT: &str = "\
nginx 12874 20386.983618: cpu-clock: 
\t           133c2 alloc::vec::Vec<T,A>::extend_from_slice (inlined)
\t           133c2 ffi_lab_nginx::Bulk::push (inlined)
\t           133c2 ffi_lab_nginx::Bulk::copy (/t/release/libffi_lab_nginx.so)
\t           11d7a ffi_lab_nginx::run (inlined)
\t           11d7a ffi_lab_nginx::access_handler (/t/release/libffi_lab_nginx.so)
\t           68a33 ngx_http_core_access_phase (/usr/sbin/nginx)
\t           25430 _start (/usr/sbin/nginx)

nginx 12874 20386.984618: cpu-clock: 
\t           9a8b1 _int_free (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t           11e00 [unknown] (/t/release/libffi_lab_nginx.so)
\t           68a33 ngx_http_core_access_phase (/usr/sbin/nginx)

nginx 12874 20386.985618: cpu-clock: 
\t           708b7 [unknown] (/usr/sbin/nginx)
\t           25430 _start (/usr/sbin/nginx)
";

    #[test]
    fn module_frames_are_found_inlined_or_not() {
        let s = dso_share(SCRIPT, "libffi_lab_nginx.so");
        assert_eq!(
            s,
            DsoShare {
                samples: 3,
                on_stack: 2,
                leaf: 1,
                frames: 6,
                unresolved: 1,
            }
        );
        assert_eq!(
            dso_share(SCRIPT, "ffi_lab").on_stack,
            0,
            "a file name, not a part"
        );
        assert_eq!(dso_share(SCRIPT, "nginx").on_stack, 3);
        assert_eq!(dso_share("", "x"), DsoShare::default());
    }

    #[test]
    fn inferno_folds_perf_script_one_count_per_sample() {
        let folded = collapse_perf(SCRIPT).unwrap();
        assert_eq!(folded.len(), 3, "{folded:?}");
        let own = folded
            .iter()
            .find(|l| l.contains("Bulk::copy"))
            .expect("the module's frames by name");
        assert!(
            own.starts_with("nginx;_start;ngx_http_core_access_phase;ffi_lab_nginx::access_handler;ffi_lab_nginx::run;"),
            "{own}"
        );
        assert!(
            own.ends_with("alloc::vec::Vec<T,A>::extend_from_slice 1"),
            "{own}"
        );
    }

    #[test]
    fn graph_names_follow_the_convention() {
        assert_eq!(
            graph_name("s15_real_proxy", "borrow", "filter=basic_auth"),
            "s15_real_proxy-borrow-filter=basic_auth"
        );
        assert_eq!(
            graph_name("s01_call_floor", "empty_call", ""),
            "s01_call_floor-empty_call"
        );
    }
}
