//! A packaged nginx the lab starts itself: one worker, a free port of 127.0.0.1 per case and one
//! for its control server, under `target/s15-nginx/`; its worker's CPU time, and its stop.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::cases::{Case, CASE_PATH};
use super::config::{config, Installation, Listen, Modules, NJS};
use crate::options::target_dir;
use crate::proxy::{cpu_ns, free_ports};

/// A running nginx: its master process, the one worker's pid and where it listens.
pub struct Nginx {
    master: Child,
    pub worker: u32,
    pub listen: Listen,
    pub prefix: PathBuf,
}

impl Nginx {
    /// Writes the configuration under `target/s15-nginx/<name>/` and starts nginx on it; waits
    /// until the control server answers and the worker is up.
    pub fn start(
        inst: &Installation,
        modules: &Modules,
        name: &str,
        extra: &str,
    ) -> Result<Nginx, String> {
        Nginx::start_under(inst, modules, name, extra, &[])
    }

    /// [`Nginx::start`] with nginx run by `wrapper` (e.g. valgrind and its options), which must
    /// exec nginx in its own process, so that the worker is still the master's one child. A
    /// wrapped nginx is given 60 s to answer instead of 10.
    pub fn start_under(
        inst: &Installation,
        modules: &Modules,
        name: &str,
        extra: &str,
        wrapper: &[String],
    ) -> Result<Nginx, String> {
        let prefix = target_dir().join("s15-nginx").join(name);
        Nginx::start_at(inst, modules, prefix, extra, wrapper)
    }

    /// [`Nginx::start_under`] with its files under `prefix`, wherever that is.
    pub fn start_at(
        inst: &Installation,
        modules: &Modules,
        prefix: PathBuf,
        extra: &str,
        wrapper: &[String],
    ) -> Result<Nginx, String> {
        for d in ["logs", "tmp"] {
            std::fs::create_dir_all(prefix.join(d)).map_err(|e| e.to_string())?;
        }
        let write = |f: &str, text: &str| {
            std::fs::write(prefix.join(f), text).map_err(|e| format!("{f}: {e}"))
        };
        write("htpasswd", "lab:{PLAIN}secret\n")?;
        write("lab.js", NJS)?;
        let listen = Listen::of(&free_ports(Listen::ports_needed())?)?;
        write(
            "nginx.conf",
            &config(inst, modules, &prefix, &listen, extra),
        )?;
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(&inst.nginx);
                c
            }
            None => Command::new(&inst.nginx),
        };
        let master = command
            .current_dir(&prefix)
            .arg("-p")
            .arg(&prefix)
            .arg("-c")
            .arg(prefix.join("nginx.conf"))
            .arg("-e")
            .arg(prefix.join("logs/error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(prefix.join("logs/stderr.log")).map_err(|e| e.to_string())?,
            ))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", inst.nginx.display()))?;
        let mut nginx = Nginx {
            master,
            worker: 0,
            listen,
            prefix,
        };
        let wait = if wrapper.is_empty() { 10 } else { 60 };
        let deadline = Instant::now() + Duration::from_secs(wait);
        loop {
            if let Some(status) = nginx.master.try_wait().map_err(|e| e.to_string())? {
                let log = std::fs::read_to_string(nginx.prefix.join("logs/error.log"))
                    .unwrap_or_default();
                return Err(format!("nginx exited at start ({status}):\n{log}"));
            }
            // nginx opens every listening socket before it starts its worker.
            let control = TcpStream::connect(("127.0.0.1", nginx.control()));
            if let (Ok(_), Some(w)) = (control, nginx.find_worker()) {
                nginx.worker = w;
                return Ok(nginx);
            }
            if Instant::now() > deadline {
                return Err(format!("nginx did not answer within {wait} s"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The port of `case`'s server (every case of [`super::cases::cases`] has one), where it is
    /// requested at [`CASE_PATH`].
    pub fn port_of(&self, case: &Case) -> u16 {
        self.listen
            .port_of(case)
            .unwrap_or_else(|e| panic!("{e}: this nginx does not serve it"))
    }

    /// The URL of `case`, as wrk is given it.
    pub fn url_of(&self, case: &Case) -> String {
        format!("http://127.0.0.1:{}{CASE_PATH}", self.port_of(case))
    }

    /// The port of the control server: the module's counters ([`super::http::counters`]) and the
    /// `extra` locations nginx was started with.
    pub fn control(&self) -> u16 {
        self.listen.control
    }

    /// The worker: the master's one child process.
    pub fn find_worker(&self) -> Option<u32> {
        let pid = self.master.id();
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    /// The worker's CPU time so far, in ns: `/proc/<pid>/schedstat`'s time on CPU (utime + stime
    /// at ns resolution), else utime + stime of `/proc/<pid>/stat` in clock ticks.
    pub fn worker_cpu_ns(&self) -> Result<u64, String> {
        cpu_ns(self.worker)
    }

    /// Stops nginx (SIGQUIT to the master: a graceful stop) and waits for it.
    pub fn stop(mut self) -> Result<(), String> {
        self.quit()
    }

    fn quit(&mut self) -> Result<(), String> {
        let pid = self.master.id() as libc::pid_t;
        // SAFETY: kill(2) with the pid of the child this struct spawned and has not yet reaped,
        // so the pid names our nginx master, never a recycled process.
        unsafe { libc::kill(pid, libc::SIGQUIT) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.master.try_wait().map_err(|e| e.to_string())?.is_none() {
            if Instant::now() > deadline {
                let _ = self.master.kill();
                let _ = self.master.wait();
                return Err("nginx did not stop within 10 s: killed".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if matches!(self.master.try_wait(), Ok(None)) {
            let _ = self.quit();
        }
    }
}
