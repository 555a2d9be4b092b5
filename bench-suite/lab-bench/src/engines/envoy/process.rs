//! An Envoy the lab starts itself: `--concurrency 1` (one worker), its bootstrap and logs under
//! `target/s16-envoy/<name>/`, ready when its admin answers `/ready`; the process's CPU time, and
//! its stop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::options::target_dir;
use crate::proxy::{cpu_ns, request};

/// A running Envoy: its process, its admin port and where its files are.
pub struct Envoy {
    child: Child,
    pub admin: u16,
    pub dir: PathBuf,
}

impl Envoy {
    /// Writes `bootstrap` as `envoy.json` under `target/s16-envoy/<name>/` and starts `binary` on
    /// it, with the modules' folder as Envoy's search path for dynamic modules, run by `wrapper`
    /// (e.g. valgrind) if any; waits until the admin at `admin` says it is ready (30 s, 120 s
    /// wrapped). A configuration Envoy refuses ends here, with Envoy's own lines.
    pub fn start(
        binary: &Path,
        modules: &Path,
        name: &str,
        bootstrap: &Value,
        admin: u16,
        wrapper: &[String],
    ) -> Result<Envoy, String> {
        let dir = target_dir().join("s16-envoy").join(name);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let config = dir.join("envoy.json");
        std::fs::write(&config, bootstrap.to_string()).map_err(|e| e.to_string())?;
        let log = dir.join("envoy.log");
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        let child = command
            .arg("-c")
            .arg(&config)
            .args([
                "--concurrency",
                "1",
                "--disable-hot-restart",
                "--log-level",
                "warn",
            ])
            .arg("--log-path")
            .arg(&log)
            .env("ENVOY_DYNAMIC_MODULES_SEARCH_PATH", modules)
            // The Go runtime of a Go module prints a line per GC cycle, `gc N @…`, N counting
            // from the start: [`Envoy::gc_cycles`] reads the last.
            .env("GODEBUG", "gctrace=1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("stderr.log")).map_err(|e| e.to_string())?,
            ))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut envoy = Envoy { child, admin, dir };
        let wait = if wrapper.is_empty() { 30 } else { 120 };
        let deadline = Instant::now() + Duration::from_secs(wait);
        loop {
            if let Some(status) = envoy.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!(
                    "Envoy exited at start ({status}):\n{}",
                    envoy.log_tail()
                ));
            }
            if matches!(request(admin, "/ready", b""), Ok((200, _))) {
                return Ok(envoy);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "Envoy was not ready within {wait} s:\n{}",
                    envoy.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last lines Envoy wrote (its log and its standard error), for an error message.
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        for f in ["envoy.log", "stderr.log"] {
            text.push_str(&std::fs::read_to_string(self.dir.join(f)).unwrap_or_default());
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The CPU time of Envoy's one worker thread so far (`wrk:worker_0`, which runs every
    /// filter and module hook), in ns. Not the whole process: Envoy's main thread and the Go
    /// runtime's own threads (loaded in the same Envoy for the Go rows) wake on their own clocks,
    /// whatever case is running, and moved the rows by tens of percent between rounds.
    pub fn cpu_ns(&self) -> Result<u64, String> {
        let pid = self.child.id();
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).map_err(|e| e.to_string())?;
        let worker = tasks
            .flatten()
            .find(|t| {
                std::fs::read_to_string(t.path().join("comm"))
                    .is_ok_and(|c| c.trim_end() == "wrk:worker_0")
            })
            .and_then(|t| t.file_name().to_str()?.parse::<u32>().ok())
            .ok_or_else(|| format!("Envoy {pid} has no thread wrk:worker_0"))?;
        cpu_ns(worker)
    }

    /// The Go runtime's GC cycles so far (the last `gc N @…` line of its trace on Envoy's
    /// standard error); 0 before the first, or where no Go module is loaded.
    pub fn gc_cycles(&self) -> u64 {
        let text = std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default();
        text.lines()
            .rev()
            .find_map(|l| {
                l.strip_prefix("gc ")?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(0)
    }

    /// Stops Envoy (SIGTERM) and waits for it.
    pub fn stop(mut self) -> Result<(), String> {
        self.terminate()
    }

    fn terminate(&mut self) -> Result<(), String> {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with the pid of the child this struct spawned and has not yet reaped,
        // so the pid names our Envoy, never a recycled process.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().map_err(|e| e.to_string())?.is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Err("Envoy did not stop within 20 s: killed".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

impl Drop for Envoy {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.terminate();
        }
    }
}
