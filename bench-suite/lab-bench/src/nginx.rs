//! S15 `s15_real_proxy`: the packaged nginx as a host the lab starts itself. Builds the Rust module
//! (`hosts/nginx/build`), writes one configuration with a location per case (the module's
//! strategies and the references: nginx's own C, Lua, njs, no filter), starts nginx with one
//! worker on a free port of 127.0.0.1 under `target/s15-nginx/`, drives it with `wrk`, reads the
//! worker's CPU time, and stops it. In the profile pass it samples the worker with perf while wrk
//! drives each of the module's strategies, for a flame graph per case. Used by the
//! `s15_real_proxy` bench target and by the tests (`tests/nginx_module.rs`), which skip with a
//! message when nginx is not installed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::options::{target_dir, workspace_root};
use crate::profile;

/// The valid credentials every load request carries (`lab:secret`, S14's).
pub const AUTHORIZATION: &str = "Basic bGFiOnNlY3JldA==";

/// The request headers of every load request besides `Authorization` (what `header_get_set` reads).
pub const HEADERS: [(&str, &str); 3] = [
    ("User-Agent", "ffi-lab-wrk/1.0"),
    ("X-Request-Id", "6f1c2b7e-0d3a-4c5e-9f8a-1b2c3d4e5f60"),
    ("Accept", "*/*"),
];

/// The filters of S14, and the proxy without one.
pub const FILTERS: [&str; 2] = ["basic_auth", "header_get_set"];

/// The module's strategies (hosts/nginx/src/filters.rs `Strategy`).
pub const STRATEGIES: [&str; 3] = ["borrow", "copy_per_header", "bulk_copy"];

/// nginx's own ways to do the same work.
pub const REFERENCES: [&str; 3] = ["nginx_c", "lua", "njs"];

/// One measured case: a location of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// `borrow`, …, `nginx_c`, `lua`, `njs`, or `no_filter`.
    pub strategy: &'static str,
    /// `basic_auth`, `header_get_set`, or None for `no_filter`.
    pub filter: Option<&'static str>,
}

impl Case {
    pub fn path(&self) -> String {
        match self.filter {
            Some(f) => format!("/{f}/{}", self.strategy),
            None => format!("/{}", self.strategy),
        }
    }
}

/// Every case: each filter under each strategy and reference, then the proxy alone.
pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for filter in FILTERS {
        for strategy in STRATEGIES.iter().chain(&REFERENCES) {
            v.push(Case {
                strategy,
                filter: Some(filter),
            });
        }
    }
    v.push(Case {
        strategy: "no_filter",
        filter: None,
    });
    v
}

/// What S15 needs on the machine; `Err` says what is missing (the report then says
/// "nginx: not measured").
#[derive(Debug, Clone)]
pub struct Installation {
    pub nginx: PathBuf,
    pub wrk: PathBuf,
    /// The packaged dynamic modules the Lua and njs references load (with NDK, which Lua needs).
    pub ndk: PathBuf,
    pub lua: PathBuf,
    pub njs: PathBuf,
}

const MODULES: &str = "/usr/lib/nginx/modules";

impl Installation {
    pub fn detect() -> Result<Installation, String> {
        let which = |name: &str| -> Option<PathBuf> {
            std::env::var_os("PATH")
                .into_iter()
                .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        };
        let module = |name: &str| Some(Path::new(MODULES).join(name)).filter(|p| p.is_file());
        let missing = |what: &str| format!("{what} is not installed (scripts/setup installs it)");
        if !Path::new("/usr/share/nginx/src/conf_flags").is_file() {
            return Err(missing("nginx-dev"));
        }
        Ok(Installation {
            nginx: which("nginx").ok_or_else(|| missing("nginx"))?,
            wrk: which("wrk").ok_or_else(|| missing("wrk"))?,
            ndk: module("ndk_http_module.so").ok_or_else(|| missing("libnginx-mod-http-ndk"))?,
            lua: module("ngx_http_lua_module.so")
                .ok_or_else(|| missing("libnginx-mod-http-lua"))?,
            njs: module("ngx_http_js_module.so").ok_or_else(|| missing("libnginx-mod-http-js"))?,
        })
    }
}

/// Builds the Rust module with `hosts/nginx/build` (cargo, against the configured nginx-dev
/// tree); returns the path of the shared object.
pub fn build_module() -> Result<PathBuf, String> {
    let script = workspace_root().join("hosts/nginx/build");
    let out = Command::new(&script)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed ({})", script.display(), out.status));
    }
    let path = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let path = PathBuf::from(path);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} printed no module path", script.display()))
    }
}

/// The njs reference's filters (`js_set` for basic auth, evaluated by `if` in the rewrite phase,
/// which lets only "1" through, so a script error is a 401 too;
/// `js_header_filter` for header get/set, in the header filter: njs 0.7 has no access phase).
const NJS: &str = r#"
function basic_auth(r) {
    var h = r.headersIn['Authorization'];
    if (!h) { return '0'; }
    var m = /^basic +(.*)$/i.exec(h);
    if (!m) { return '0'; }
    var d = Buffer.from(m[1], 'base64').toString();
    var i = d.indexOf(':');
    if (i < 0) { return '0'; }
    return (d.slice(0, i) === 'lab' && d.slice(i + 1) === 'secret') ? '1' : '0';
}

function header_get_set(r) {
    var n = r.uri.length;
    var names = ['User-Agent', 'X-Request-Id', 'Accept'];
    for (var k = 0; k < names.length; k++) {
        var v = r.headersIn[names[k]];
        if (v) { n += v.length; }
    }
    r.headersOut['X-Lab-Seen'] = '1';
    r.headersOut['X-Lab-Route'] = 'cluster-a';
    r.headersOut['X-Lab-Response'] = 'rust';
    r.variables.lab_read = '' + n;
}

export default { basic_auth, header_get_set };
"#;

/// The Lua reference's filters (`access_by_lua_block`, nginx's access phase as the module's).
const LUA_BASIC_AUTH: &str = r#"
            local h = ngx.var.http_authorization
            local ok = false
            if h then
                local b64 = h:match("^[Bb][Aa][Ss][Ii][Cc] +(.*)$")
                local d = b64 and ngx.decode_base64(b64)
                local i = d and d:find(":", 1, true)
                ok = i ~= nil and d:sub(1, i - 1) == "lab" and d:sub(i + 1) == "secret"
            end
            if not ok then
                ngx.header["WWW-Authenticate"] = 'Basic realm="lab"'
                return ngx.exit(401)
            end
"#;

const LUA_HEADER_GET_SET: &str = r#"
            local n = #ngx.var.uri
            for _, v in ipairs({ ngx.var.http_user_agent, ngx.var.http_x_request_id, ngx.var.http_accept }) do
                n = n + #v
            end
            ngx.header["X-Lab-Seen"] = "1"
            ngx.header["X-Lab-Route"] = "cluster-a"
            ngx.header["X-Lab-Response"] = "rust"
"#;

/// The configuration of one nginx serving every case (one server, a location per case), plus
/// `extra` locations (the tests' panic location).
pub fn config(inst: &Installation, module: &Path, prefix: &Path, port: u16, extra: &str) -> String {
    let mut locations = String::new();
    for case in cases() {
        let body = match (case.filter, case.strategy) {
            (None, _) => String::new(),
            (Some(f), s) if STRATEGIES.contains(&s) => format!("ffi_lab {f} {s};"),
            (Some("basic_auth"), "nginx_c") => {
                "auth_basic \"lab\"; auth_basic_user_file htpasswd;".into()
            }
            (Some("basic_auth"), "lua") => format!("access_by_lua_block {{{LUA_BASIC_AUTH}        }}"),
            (Some("basic_auth"), "njs") => {
                "if ($lab_njs_auth != \"1\") { return 401; }".into()
            }
            // nginx's own C: the four headers read through $uri and $http_* (each a scan of the
            // header list, copied into one string by `set`), three headers set by add_header.
            (Some("header_get_set"), "nginx_c") => "set $lab_read \"$uri$http_user_agent$http_x_request_id$http_accept\"; \
                 add_header X-Lab-Seen 1; add_header X-Lab-Route cluster-a; add_header X-Lab-Response rust;"
                .into(),
            (Some("header_get_set"), "lua") => {
                format!("access_by_lua_block {{{LUA_HEADER_GET_SET}        }}")
            }
            (Some("header_get_set"), "njs") => "js_header_filter lab.header_get_set;".into(),
            (f, s) => unreachable!("no location for {f:?}/{s}"),
        };
        locations.push_str(&format!(
            "        location = {} {{ {body} empty_gif; }}\n",
            case.path()
        ));
    }
    locations.push_str(&format!(
        "        location = {STATS} {{ return 200 \"$ffi_lab_allocs $ffi_lab_copied\\n\"; }}\n"
    ));
    format!(
        "# Written by lab-bench (bench-suite/lab-bench/src/nginx.rs) for S15; regenerated on every run.\n\
         load_module {ndk};\nload_module {lua};\nload_module {njs};\nload_module {module};\n\
         daemon off;\nmaster_process on;\nworker_processes 1;\npid {prefix}/nginx.pid;\n\
         error_log {prefix}/logs/error.log notice;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n    access_log off;\n    keepalive_requests 1000000;\n\
         \x20   large_client_header_buffers 4 128k;\n\
         \x20   client_body_temp_path {prefix}/tmp;\n    proxy_temp_path {prefix}/tmp;\n\
         \x20   fastcgi_temp_path {prefix}/tmp;\n    uwsgi_temp_path {prefix}/tmp;\n    scgi_temp_path {prefix}/tmp;\n\
         \x20   lua_package_path \"{prefix}/?.lua;;\";\n\
         \x20   js_import lab from {prefix}/lab.js;\n    js_set $lab_njs_auth lab.basic_auth;\n    js_var $lab_read;\n\
         \x20   server {{\n        listen 127.0.0.1:{port};\n{locations}{extra}    }}\n}}\n",
        ndk = inst.ndk.display(),
        lua = inst.lua.display(),
        njs = inst.njs.display(),
        module = module.display(),
        prefix = prefix.display(),
    )
}

/// A free TCP port on 127.0.0.1 (bound, then released for nginx to take).
pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// A running nginx: its master process, the one worker's pid and the port.
pub struct Nginx {
    master: Child,
    pub worker: u32,
    pub port: u16,
    pub prefix: PathBuf,
}

impl Nginx {
    /// Writes the configuration under `target/s15-nginx/<name>/` and starts nginx on it; waits
    /// until the port answers and the worker is up.
    pub fn start(
        inst: &Installation,
        module: &Path,
        name: &str,
        extra: &str,
    ) -> Result<Nginx, String> {
        Nginx::start_under(inst, module, name, extra, &[])
    }

    /// [`Nginx::start`] with nginx run by `wrapper` (e.g. valgrind and its options), which must
    /// exec nginx in its own process, so that the worker is still the master's one child. A
    /// wrapped nginx is given 60 s to answer instead of 10.
    pub fn start_under(
        inst: &Installation,
        module: &Path,
        name: &str,
        extra: &str,
        wrapper: &[String],
    ) -> Result<Nginx, String> {
        let prefix = target_dir().join("s15-nginx").join(name);
        Nginx::start_at(inst, module, prefix, extra, wrapper)
    }

    /// [`Nginx::start_under`] with its files under `prefix`, wherever that is.
    pub fn start_at(
        inst: &Installation,
        module: &Path,
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
        let port = free_port()?;
        write("nginx.conf", &config(inst, module, &prefix, port, extra))?;
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
            port,
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
            if let (Ok(_), Some(w)) = (TcpStream::connect(("127.0.0.1", port)), nginx.find_worker())
            {
                nginx.worker = w;
                return Ok(nginx);
            }
            if Instant::now() > deadline {
                return Err(format!("nginx did not answer within {wait} s"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
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

/// CPU time of a process in ns (see [`Nginx::worker_cpu_ns`]).
pub fn cpu_ns(pid: u32) -> Result<u64, String> {
    if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/schedstat")) {
        if let Some(ns) = s.split_whitespace().next().and_then(|v| v.parse().ok()) {
            return Ok(ns);
        }
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    // Fields after the command (which may hold spaces) close with ')': utime and stime are the
    // 14th and 15th fields of the line, the 12th and 13th after it.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<u64> = rest
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    // USER_HZ is 100 on Linux.
    Ok(ticks * 10_000_000)
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`): the status and the response
/// head. `raw_headers` are written as they are (so a test can send repeated or invalid ones).
pub fn request(port: u16, path: &str, raw_headers: &[u8]) -> Result<(u16, String), String> {
    exchange(port, path, raw_headers).map(|(status, head, _)| (status, head))
}

/// [`request`] with the response body.
pub fn exchange(
    port: u16,
    path: &str,
    raw_headers: &[u8],
) -> Result<(u16, String, Vec<u8>), String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut req =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n").into_bytes();
    req.extend_from_slice(raw_headers);
    req.extend_from_slice(b"\r\n");
    s.write_all(&req).map_err(|e| e.to_string())?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).map_err(|e| e.to_string())?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(resp.len());
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    let body = resp.get(split + 4..).unwrap_or_default().to_vec();
    Ok((status_of(&head)?, head, body))
}

/// The status code of a response head.
fn status_of(head: &str) -> Result<u16, String> {
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))
}

/// The module's running totals in the worker: Rust allocations and bytes its filters copied
/// (`$ffi_lab_allocs`, `$ffi_lab_copied`, read at `/ffi_lab_stats`, which allocates nothing in
/// Rust itself).
pub fn counters(port: u16) -> Result<(u64, u64), String> {
    let (status, _, body) = exchange(port, STATS, b"")?;
    let text = String::from_utf8_lossy(&body);
    let mut v = text.split_whitespace().map(|x| x.parse::<u64>());
    match (status, v.next(), v.next()) {
        (200, Some(Ok(a)), Some(Ok(c))) => Ok((a, c)),
        _ => Err(format!("{STATS}: status {status}, body {text:?}")),
    }
}

/// Where the module's counters are read.
pub const STATS: &str = "/ffi_lab_stats";

/// The load request's headers, as `request` takes them.
pub fn load_headers() -> Vec<u8> {
    let mut h = format!("Authorization: {AUTHORIZATION}\r\n");
    for (k, v) in HEADERS {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.into_bytes()
}

/// What one `wrk` run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    pub requests: u64,
    pub seconds: f64,
    pub requests_per_s: f64,
    /// Latency percentiles in ns: p50, p99, p99.9.
    pub p50_ns: f64,
    pub p99_ns: f64,
    pub p999_ns: f64,
    /// Responses other than 2xx/3xx, and socket errors.
    pub non_2xx: u64,
    pub errors: u64,
    /// The nginx worker's CPU time over the run, per request.
    pub worker_cpu_ns_per_request: f64,
    /// The module's Rust allocations and copied bytes over the run, per request.
    pub allocs_per_request: f64,
    pub copied_per_request: f64,
}

/// wrk's Lua script: the load request's headers, and a `done` that prints the summary and the
/// latency percentiles (µs) as one line the runner parses.
fn wrk_script() -> String {
    let mut s = String::from("wrk.headers[\"Authorization\"] = \"");
    s.push_str(AUTHORIZATION);
    s.push_str("\"\n");
    for (k, v) in HEADERS {
        s.push_str(&format!("wrk.headers[\"{k}\"] = \"{v}\"\n"));
    }
    s.push_str(
        "function done(summary, latency, requests)\n\
         \x20 local e = summary.errors\n\
         \x20 io.write(string.format(\"LAB %d %d %d %d %d %f %f %f\\n\", summary.requests, summary.duration,\n\
         \x20   e.status, e.connect + e.read + e.write + e.timeout, 0,\n\
         \x20   latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))\n\
         end\n",
    );
    s
}

/// Drives `path` with wrk (one thread, `connections` connections) for `seconds`, reading the
/// worker's CPU time before and after.
pub fn load(
    inst: &Installation,
    nginx: &Nginx,
    path: &str,
    seconds: u32,
    connections: u32,
) -> Result<Load, String> {
    let script = nginx.prefix.join("lab.lua");
    std::fs::write(&script, wrk_script()).map_err(|e| e.to_string())?;
    let url = format!("http://127.0.0.1:{}{path}", nginx.port);
    let counts0 = counters(nginx.port)?;
    let cpu0 = nginx.worker_cpu_ns()?;
    let out = Command::new(&inst.wrk)
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .arg("-s")
        .arg(&script)
        .arg(&url)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", inst.wrk.display()))?;
    let cpu1 = nginx.worker_cpu_ns()?;
    let counts1 = counters(nginx.port)?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "wrk failed ({}): {text}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut l = parse_wrk(&text, cpu1.saturating_sub(cpu0))
        .ok_or_else(|| format!("no LAB line in wrk's output:\n{text}"))?;
    let per = |a: u64, b: u64| b.saturating_sub(a) as f64 / l.requests.max(1) as f64;
    l.allocs_per_request = per(counts0.0, counts1.0);
    l.copied_per_request = per(counts0.1, counts1.1);
    Ok(l)
}

/// Parses the script's `LAB` line (duration in µs, latencies in µs).
pub fn parse_wrk(text: &str, worker_cpu_ns: u64) -> Option<Load> {
    let line = text.lines().find_map(|l| l.strip_prefix("LAB "))?;
    let v: Vec<f64> = line
        .split_whitespace()
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let [requests, duration_us, status, errors, _, p50, p99, p999] = v[..] else {
        return None;
    };
    let seconds = duration_us / 1e6;
    Some(Load {
        requests: requests as u64,
        seconds,
        requests_per_s: requests / seconds,
        p50_ns: p50 * 1e3,
        p99_ns: p99 * 1e3,
        p999_ns: p999 * 1e3,
        non_2xx: status as u64,
        errors: errors as u64,
        worker_cpu_ns_per_request: worker_cpu_ns as f64 / requests.max(1.0),
        allocs_per_request: 0.0,
        copied_per_request: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_line() {
        let l = parse_wrk(
            "Running 1s test\nLAB 1000 2000000 3 1 0 50.5 200.0 900.0\n",
            5_000_000,
        )
        .unwrap();
        assert_eq!(l.requests, 1000);
        assert_eq!(l.seconds, 2.0);
        assert_eq!(l.requests_per_s, 500.0);
        assert_eq!(
            (l.p50_ns, l.p99_ns, l.p999_ns),
            (50_500.0, 200_000.0, 900_000.0)
        );
        assert_eq!((l.non_2xx, l.errors), (3, 1));
        assert_eq!(l.worker_cpu_ns_per_request, 5000.0);
        assert!(parse_wrk("no line", 0).is_none());
    }

    /// The profile pass samples the module's strategies at the definition's points, never a
    /// reference, and names their graphs as the other scenarios name theirs.
    #[test]
    fn the_profile_pass_samples_the_modules_strategies() {
        let profiled = profiled_cases(&cases());
        assert_eq!(profiled.len(), STRATEGIES.len() * FILTERS.len());
        assert!(profiled.iter().all(|c| STRATEGIES.contains(&c.strategy)));
        let names: Vec<String> = profiled.iter().map(graph_name).collect();
        assert!(names.contains(&"s15_real_proxy-borrow-filter=basic_auth".to_string()));
        assert!(names.contains(&"s15_real_proxy-bulk_copy-filter=header_get_set".to_string()));
        let only_lua: Vec<Case> = cases()
            .into_iter()
            .filter(|c| c.strategy == "lua")
            .collect();
        assert!(profiled_cases(&only_lua).is_empty());
    }

    #[test]
    fn the_records_link_their_graphs() {
        let ns = lab_record::Ns {
            median: 1.0,
            low: 1.0,
            high: 1.0,
        };
        let allocs = lab_record::Allocs::NONE;
        let mut records: Vec<lab_record::Record> = cases()
            .iter()
            .map(|c| lab_record::Record::new(c.strategy, params(c), ns, allocs))
            .collect();
        let borrow = Case {
            strategy: "borrow",
            filter: Some("basic_auth"),
        };
        link_graphs(&mut records, std::slice::from_ref(&borrow));
        let linked: Vec<(&str, &str)> = records
            .iter()
            .filter_map(|r| Some((r.strategy.as_str(), r.flamegraph.as_deref()?)))
            .collect();
        assert_eq!(
            linked,
            [(
                "borrow",
                "results/flamegraphs/s15_real_proxy-borrow-filter=basic_auth.svg"
            )]
        );
    }

    #[test]
    fn every_case_has_a_location() {
        let paths: Vec<String> = cases().iter().map(Case::path).collect();
        assert_eq!(paths.len(), 13);
        assert!(paths.contains(&"/basic_auth/borrow".to_string()));
        assert!(paths.contains(&"/no_filter".to_string()));
    }
}

/// The scenario id of the records.
pub const SCENARIO: &str = "s15_real_proxy";

/// How long the bench drives each case: rounds × seconds, every case in turn within a round (so
/// all cases see the same moments of the shared machine), after a warm-up of plain requests.
/// wrk's `-d` counts whole seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub rounds: u32,
    pub seconds: u32,
    pub warmup_requests: u32,
    pub connections: u32,
}

impl Plan {
    /// Full: 6 rounds of 1 s per case (13 cases: about 80 s), so a filter's rows compare over six
    /// paired rounds (with four, `basic_auth`'s strategies against `nginx_c` changed their verdict
    /// between two runs of one commit); quick and test mode: one round, a seconds-long smoke of
    /// every case.
    pub fn of(opts: &crate::options::Options) -> Plan {
        let quick = opts.test_only || opts.sweep == crate::case::Sweep::Quick;
        Plan {
            rounds: if quick { 1 } else { 6 },
            seconds: 1,
            warmup_requests: if quick { 20 } else { 200 },
            connections: 8,
        }
    }
}

/// The record's parameters: the filter (`none` for `no_filter`).
pub fn params(case: &Case) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("filter".into(), case.filter.unwrap_or("none").into());
    m
}

/// The headers nginx sees in a wrk load request on `port`, in order (wrk sends `Host` first).
pub fn wrk_request_headers(port: u16) -> Vec<(String, String)> {
    let mut h = vec![
        ("Host".to_string(), format!("127.0.0.1:{port}")),
        ("Authorization".to_string(), AUTHORIZATION.to_string()),
    ];
    h.extend(HEADERS.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    h
}

/// Bytes a module strategy copies per 200 request with these request headers (the references'
/// and `borrow`'s copies: none of the module's): `copy_per_header` copies each value it reads and
/// each it sets, `bulk_copy` every header name and value and the path, plus the values it sets.
/// The tests check the module's own count (`$ffi_lab_copied`) against it.
pub fn expected_copied(case: &Case, headers: &[(String, String)]) -> u64 {
    let set_values = "1".len() + "cluster-a".len() + "rust".len();
    let uri = case.path();
    let all: usize = ":path".len()
        + uri.len()
        + headers
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>();
    let value = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or(0, |(_, v)| v.len())
    };
    let read = uri.len() + value("user-agent") + value("x-request-id") + value("accept");
    (match (case.filter, case.strategy) {
        (Some("basic_auth"), "copy_per_header") => value("authorization"),
        (Some("basic_auth"), "bulk_copy") => all,
        (Some("header_get_set"), "copy_per_header") => read + set_values,
        (Some("header_get_set"), "bulk_copy") => all + set_values,
        _ => 0,
    }) as u64
}

/// Rust allocations a module strategy makes per 200 request: one `Vec` per header read
/// (`copy_per_header`: the one `Authorization`, or the path and three headers), the arena and its
/// index (`bulk_copy`), none (`borrow`).
pub fn expected_allocs(case: &Case) -> u64 {
    match (case.filter, case.strategy) {
        (Some("basic_auth"), "copy_per_header") => 1,
        (Some("header_get_set"), "copy_per_header") => 4,
        (Some(_), "bulk_copy") => 2,
        _ => 0,
    }
}

/// Measures every selected case with `plan` on a running nginx; one record per case.
pub fn measure(
    inst: &Installation,
    nginx: &Nginx,
    cases: &[Case],
    plan: Plan,
) -> Result<Vec<lab_record::Record>, String> {
    for c in cases {
        // Each case answers as its filter says before it is timed (a broken case is an error,
        // not a fast row).
        let (status, head) = request(nginx.port, &c.path(), &load_headers())?;
        if status != 200 {
            return Err(format!(
                "{}: status {status} with valid credentials:\n{head}",
                c.path()
            ));
        }
        for _ in 0..plan.warmup_requests {
            request(nginx.port, &c.path(), &load_headers())?;
        }
    }
    let mut runs: Vec<Vec<Load>> = vec![Vec::new(); cases.len()];
    for round in 0..plan.rounds as usize {
        // The first case rotates, so no case always runs first (or right after the warm-up).
        for k in 0..cases.len() {
            let i = (k + round) % cases.len();
            let l = load(
                inst,
                nginx,
                &cases[i].path(),
                plan.seconds,
                plan.connections,
            )?;
            if l.non_2xx > 0 || l.errors > 0 || l.requests == 0 {
                return Err(format!(
                    "{}: {} non-2xx responses, {} socket errors in {} requests",
                    cases[i].path(),
                    l.non_2xx,
                    l.errors,
                    l.requests
                ));
            }
            runs[i].push(l);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let ratios = round_ratios(cases, &runs);
    Ok(cases
        .iter()
        .zip(runs)
        .zip(ratios)
        .map(|((c, r), ratios)| {
            let cpu: Vec<f64> = r.iter().map(|l| l.worker_cpu_ns_per_request).collect();
            let ns = lab_record::Ns {
                median: median(cpu.clone()),
                low: cpu.iter().copied().fold(f64::INFINITY, f64::min),
                high: cpu.iter().copied().fold(0.0, f64::max),
            };
            let mut pct = std::collections::BTreeMap::new();
            pct.insert(
                "p50".to_string(),
                median(r.iter().map(|l| l.p50_ns).collect()),
            );
            pct.insert(
                "p99".to_string(),
                median(r.iter().map(|l| l.p99_ns).collect()),
            );
            pct.insert(
                "p99.9".to_string(),
                median(r.iter().map(|l| l.p999_ns).collect()),
            );
            // The module's own counts, measured in the worker; the references' are not counted.
            let module = STRATEGIES.contains(&c.strategy);
            let allocs = lab_record::Allocs {
                rust: module.then(|| median(r.iter().map(|l| l.allocs_per_request).collect())),
                c: None,
                go: None,
            };
            let copied = median(r.iter().map(|l| l.copied_per_request).collect());
            lab_record::Record {
                bytes_copied_per_call: if module { copied } else { 0.0 },
                percentiles_ns: Some(pct),
                load: Some(lab_record::LoadFigures {
                    requests_per_s: median(r.iter().map(|l| l.requests_per_s).collect()),
                    requests: r.iter().map(|l| l.requests).sum(),
                    non_2xx: r.iter().map(|l| l.non_2xx).sum(),
                    errors: r.iter().map(|l| l.errors).sum(),
                    rounds: plan.rounds,
                    seconds_per_round: plan.seconds as f64,
                }),
                ratios,
                ..lab_record::Record::new(c.strategy, params(c), ns, allocs)
            }
        })
        .collect())
}

/// Per case, its ratios over the rounds (worker CPU per request in each round): over its
/// filter's `nginx_c` (the floor) and over the fastest of the module's strategies of that filter
/// in the same round. Every case ran in every round, so two rows of a filter compare round by
/// round (a slow stretch of the shared machine moves both), not by medians timed apart.
fn round_ratios(cases: &[Case], runs: &[Vec<Load>]) -> Vec<Option<lab_record::Ratios>> {
    let mut out = vec![None; cases.len()];
    let filters: std::collections::BTreeSet<_> = cases.iter().filter_map(|c| c.filter).collect();
    for f in filters {
        let rows: Vec<usize> = (0..cases.len())
            .filter(|&i| cases[i].filter == Some(f))
            .collect();
        let per_round: Vec<Vec<f64>> = rows
            .iter()
            .map(|&i| {
                runs[i]
                    .iter()
                    .map(|l| l.worker_cpu_ns_per_request)
                    .collect()
            })
            .collect();
        let floor = rows.iter().position(|&i| cases[i].strategy == "nginx_c");
        let strategies: Vec<usize> = (0..rows.len())
            .filter(|&k| STRATEGIES.contains(&cases[rows[k]].strategy))
            .collect();
        let floors = vec![floor; rows.len()];
        for (k, r) in lab_record::Ratios::of_rounds(&per_round, &floors, &strategies)
            .into_iter()
            .enumerate()
        {
            out[rows[k]] = Some(r);
        }
    }
    out
}

/// The `main` of the `s15_real_proxy` bench target.
pub fn bench_main() {
    crate::options::target_main("s15 real proxy", |opts, machine| {
        if !opts.names(SCENARIO) {
            return Ok(Vec::new());
        }
        let inst = match Installation::detect() {
            Ok(i) => i,
            Err(e) => {
                println!("lab: nginx: not measured ({e})");
                return Ok(Vec::new());
            }
        };
        let selected: Vec<Case> = cases()
            .into_iter()
            .filter(|c| {
                let p = lab_record::params_label(&params(c));
                opts.selects(&format!("{SCENARIO}/{}/{p}", c.strategy))
            })
            .collect();
        if selected.is_empty() {
            return Err(format!(
                "the filter {:?} selects no case of {SCENARIO}",
                opts.filter.as_deref().unwrap_or_default()
            ));
        }
        if opts.profile {
            return profile_pass(opts, machine, &inst, &selected);
        }
        if opts.callgrind {
            return count_pass(opts, machine, &inst, &selected);
        }
        let module = build_module()?;
        let nginx = Nginx::start(&inst, &module, "bench", "")?;
        let plan = Plan::of(opts);
        let started = Instant::now();
        let records = measure(&inst, &nginx, &selected, plan);
        nginx.stop()?;
        let records = records?;
        println!(
            "lab: S15: {} cases, {} round(s) of {} s each, in {:.1} s",
            records.len(),
            plan.rounds,
            plan.seconds,
            started.elapsed().as_secs_f64()
        );
        let unit = lab_record::scenario::get(SCENARIO)
            .and_then(|d| d.c2r.as_ref())
            .map_or("request", |d| d.unit.as_str());
        Ok(vec![lab_record::ResultFile::new(
            SCENARIO, "rust", "c2r", unit, machine, records,
        )])
    });
}

/// One keep-alive connection to nginx, as wrk's are: one request at a time, each response read
/// whole (by its Content-Length) before the next request.
pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    pub fn open(port: u16) -> Result<Connection, String> {
        let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        // Under valgrind a request takes milliseconds, not microseconds.
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        Ok(Connection {
            stream,
            buf: Vec::new(),
        })
    }

    /// `GET path` with `raw_headers`: the status and the body.
    pub fn get(&mut self, path: &str, raw_headers: &[u8]) -> Result<(u16, Vec<u8>), String> {
        let mut req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
        req.extend_from_slice(raw_headers);
        req.extend_from_slice(b"\r\n");
        self.stream.write_all(&req).map_err(|e| e.to_string())?;
        let head_end = loop {
            if let Some(at) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            self.fill()?;
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        let status = status_of(&head)?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .ok_or_else(|| format!("{path}: no Content-Length in {head:?}"))?;
        while self.buf.len() < head_end + length {
            self.fill()?;
        }
        let body = self.buf[head_end..head_end + length].to_vec();
        self.buf.drain(..head_end + length);
        Ok((status, body))
    }

    fn fill(&mut self) -> Result<(), String> {
        let mut chunk = [0u8; 16384];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err("nginx closed the connection".into()),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The location S15's callgrind pass adds to the configuration: it returns the module's
/// `$ffi_lab_callgrind`, which zeroes (`?zero`) or dumps (`?dump=NAME`) the worker's counts.
pub const CALLGRIND_LOCATION: &str =
    "        location = /ffi_lab_callgrind { return 200 \"$ffi_lab_callgrind\\n\"; }\n";

/// The requests of S15's two counted batches per case, `(n1, n2)`, after as many warming ones as
/// `n1`: a request is the whole of nginx's handling (13 000 to 46 000 instructions, about a
/// millisecond under valgrind), so a case takes about a quarter of a second.
pub const COUNT_BATCHES: (u64, u64) = (20, 120);

/// [`COUNT_BATCHES`] of the Lua reference: LuaJIT's collector and compiler do their work every
/// so many requests, in one batch or the other, so Lua's rows moved up to 22 % between passes at
/// 100 requests a batch (five passes), 1.1 % at 1000 (four), 3.3 % at 2000 (eleven, most within
/// 0.4 %): its rows are marked as varying (`callgrind::varies`). The module's rows and the other
/// references' were equal from pass to pass but for one row at a time, by 66 instructions per
/// request.
pub const LUA_COUNT_BATCHES: (u64, u64) = (100, 2100);

/// The callgrind pass of S15 (`LAB_CALLGRIND=1`): nginx under callgrind (the pass's settings,
/// `callgrind::valgrind_args`), and per case a keep-alive connection that sends `n1` warming
/// requests, then two batches of `n1` and `n2` between a request that zeroes the worker's counts
/// and one that dumps them (the module's `$ffi_lab_callgrind`). Per request, the difference of
/// the two dumps over `n2 − n1`: the worker's whole handling of a request, nginx, the module and
/// the references' Lua and njs included, the two control requests cancelling. The client is
/// another process and is not counted.
fn count_pass(
    opts: &crate::options::Options,
    machine: &lab_record::Machine,
    inst: &Installation,
    selected: &[Case],
) -> Result<Vec<lab_record::ResultFile>, String> {
    if opts.test_only {
        return Ok(Vec::new());
    }
    let valgrind = crate::callgrind::valgrind_version()?;
    let module = build_module()?;
    let dir = crate::callgrind::dump_dir("s15")?;
    // The worker runs as nginx's unprivileged user, and writes its dumps here.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    // nginx gets an environment of its own: the variables of whoever runs the lab (LAB_OUT, the
    // shell's) sit on its stack and move what lies above them, and with it the alignment of the
    // data its copies and scans meet (a longer LAB_OUT moved five rows by up to 213 instructions
    // per request).
    let mut wrapper: Vec<String> = ["env", "-i", "LD_BIND_NOW=1", "valgrind"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    wrapper.extend(crate::callgrind::valgrind_args(&dir));
    // Where nginx's files are is in its memory (the configuration's paths, its arguments), so
    // the counted nginx runs from a directory whose path is the same for every checkout, with a
    // copy of the module: from a clone at /check/work/main, `no_filter` counted 281 instructions
    // per request more than from one at /work/main.
    // SAFETY: getuid has no preconditions.
    let prefix = PathBuf::from(format!("/tmp/ffi-lab-s15-callgrind-{}", unsafe {
        libc::getuid()
    }));
    let _ = std::fs::remove_dir_all(&prefix);
    std::fs::create_dir_all(&prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    let module_copy = prefix.join(MODULE_FILE);
    std::fs::copy(&module, &module_copy).map_err(|e| format!("{}: {e}", module_copy.display()))?;
    let started = Instant::now();
    let nginx = Nginx::start_at(
        inst,
        &module_copy,
        prefix.clone(),
        CALLGRIND_LOCATION,
        &wrapper,
    )?;
    let ids: Vec<String> = selected.iter().map(case_id).collect();
    let counted = selected
        .iter()
        .zip(&ids)
        .try_for_each(|(case, id)| count_case(&nginx, case, id));
    nginx.stop()?;
    counted?;
    let totals = crate::callgrind::read_dumps(&dir)?;
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&prefix);
    println!(
        "lab: callgrind counted {} cases of {SCENARIO} in nginx's worker in {:.1} s (valgrind \
         included)",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    let rows = (SCENARIO, "rust", "c2r");
    Ok(
        crate::callgrind::file_counts_of(opts, machine, &valgrind, rows, &ids, &totals)?
            .into_iter()
            .collect(),
    )
}

/// `s15_real_proxy/<strategy>/<params>`: a case's id, as its record's.
pub fn case_id(case: &Case) -> String {
    format!(
        "{SCENARIO}/{}/{}",
        case.strategy,
        lab_record::params_label(&params(case))
    )
}

/// One case of [`count_pass`]: its warming requests, then its two counted batches.
fn count_case(nginx: &Nginx, case: &Case, id: &str) -> Result<(), String> {
    let mut c = Connection::open(nginx.port)?;
    let (headers, path) = (load_headers(), case.path());
    let (n1, n2) = if case.strategy == "lua" {
        LUA_COUNT_BATCHES
    } else {
        COUNT_BATCHES
    };
    c.requests(&path, &headers, n1)?;
    for n in [n1, n2] {
        c.callgrind("zero", "zero")?;
        c.requests(&path, &headers, n)?;
        c.callgrind(&format!("dump={id}%23{n}"), "dump")?;
    }
    Ok(())
}

impl Connection {
    /// `n` requests of `path`, each answered 200.
    fn requests(&mut self, path: &str, headers: &[u8], n: u64) -> Result<(), String> {
        for _ in 0..n {
            let (status, _) = self.get(path, headers)?;
            if status != 200 {
                return Err(format!("{path}: status {status} under callgrind"));
            }
        }
        Ok(())
    }

    /// The module's `$ffi_lab_callgrind` with `query`, which must answer `done`.
    fn callgrind(&mut self, query: &str, done: &str) -> Result<(), String> {
        let (status, body) = self.get(&format!("/ffi_lab_callgrind?{query}"), b"")?;
        if status != 200 || body != format!("{done}\n").as_bytes() {
            return Err(format!(
                "/ffi_lab_callgrind?{query}: status {status}, {:?} (the module's $ffi_lab_callgrind)",
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(())
    }
}

/// The module's file name: how its frames are told apart in perf's output.
pub const MODULE_FILE: &str = "libffi_lab_nginx.so";

/// How long the profile pass samples the worker per case: ~1500 samples at
/// [`profile::PERF_HZ`] in full mode, a few hundred in quick mode.
pub fn profile_duration(opts: &crate::options::Options) -> Duration {
    match opts.sweep {
        crate::case::Sweep::Full => Duration::from_millis(1500),
        crate::case::Sweep::Quick => Duration::from_millis(400),
    }
}

/// The cases the profile pass samples: the module's strategies (the references have no Rust
/// frames to find) at the definition's `profile_at` points, among those selected.
pub fn profiled_cases(selected: &[Case]) -> Vec<Case> {
    let at = lab_record::scenario::get(SCENARIO)
        .and_then(|d| d.c2r.as_ref())
        .map_or(&[][..], |d| &d.profile_at);
    selected
        .iter()
        .filter(|c| {
            STRATEGIES.contains(&c.strategy) && at.contains(&lab_record::params_label(&params(c)))
        })
        .cloned()
        .collect()
}

/// The flame graph's file name (without `.svg`), as the other scenarios name theirs.
pub fn graph_name(case: &Case) -> String {
    profile::graph_name(
        SCENARIO,
        case.strategy,
        &lab_record::params_label(&params(case)),
    )
}

/// One case's flame graph: while wrk drives the case, perf samples the worker; perf script's
/// stacks are folded by inferno into `<dir>/<name>.folded` and `.svg`. Returns where the
/// worker's samples fell with respect to the module.
pub fn profile_case(
    inst: &Installation,
    nginx: &Nginx,
    case: &Case,
    duration: Duration,
    dir: &Path,
) -> Result<profile::DsoShare, String> {
    let (status, head) = request(nginx.port, &case.path(), &load_headers())?;
    if status != 200 {
        return Err(format!("{}: status {status}:\n{head}", case.path()));
    }
    // wrk's -d counts whole seconds: it runs past both ends of the recording (300 ms before it,
    // at least 200 ms after).
    let seconds = (duration.as_secs_f64() + 0.5).ceil() as u32;
    let (l, script) = std::thread::scope(|s| {
        let load = s.spawn(|| load(inst, nginx, &case.path(), seconds, 8));
        std::thread::sleep(Duration::from_millis(300));
        let data = nginx.prefix.join(format!("{}.perf.data", graph_name(case)));
        let script = profile::perf_record(nginx.worker, duration, &data);
        let _ = std::fs::remove_file(&data);
        let l = load.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (l, script)
    });
    let l = l?;
    if l.non_2xx > 0 || l.errors > 0 {
        return Err(format!(
            "{}: {} non-2xx responses, {} socket errors while profiling",
            case.path(),
            l.non_2xx,
            l.errors
        ));
    }
    let script = script?;
    let share = profile::dso_share(&script, MODULE_FILE);
    let folded = profile::collapse_perf(&script).map_err(|e| e.to_string())?;
    if folded.is_empty() {
        return Err("perf recorded no stack of the worker".into());
    }
    let name = graph_name(case);
    let title = format!(
        "{SCENARIO} — {} (filter={}): nginx's worker under wrk, perf {} Hz; the module on the stack in {:.1} % of {} samples",
        case.strategy,
        case.filter.unwrap_or("none"),
        profile::PERF_HZ,
        share.percent(share.on_stack),
        share.samples
    );
    profile::write_flamegraph(dir, &name, &title, &folded).map_err(|e| e.to_string())?;
    Ok(share)
}

/// The profile pass of S15 (`LAB_PROFILE=1`): nginx with the module, each profiled case driven by
/// wrk while perf samples the worker, a flame graph per case under `results/flamegraphs/`, and
/// the timed records' `flamegraph` fields pointing at them. Without a working perf it says so in
/// one line and writes nothing; a perf that fails on a case ends the pass there, keeping the
/// graphs made so far (the timed figures are never touched).
fn profile_pass(
    opts: &crate::options::Options,
    machine: &lab_record::Machine,
    inst: &Installation,
    selected: &[Case],
) -> Result<Vec<lab_record::ResultFile>, String> {
    let cases = profiled_cases(selected);
    if cases.is_empty() || opts.test_only {
        return Ok(Vec::new());
    }
    if let Err(e) = profile::perf_version() {
        println!("lab: S15: no flame graph of the nginx worker: {e}");
        return Ok(Vec::new());
    }
    let dir = opts.out_root.join(lab_record::FLAMEGRAPH_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let module = build_module()?;
    let nginx = Nginx::start(inst, &module, "profile", "")?;
    let duration = profile_duration(opts);
    let mut graphs = Vec::new();
    for case in &cases {
        match profile_case(inst, &nginx, case, duration, &dir) {
            Ok(share) => {
                println!(
                    "lab: flame graph {}/{}.svg: the module on the stack in {:.1} % of the worker's {} samples, its own code {:.1} %; {} of its {} frames unnamed",
                    dir.display(),
                    graph_name(case),
                    share.percent(share.on_stack),
                    share.samples,
                    share.percent(share.leaf),
                    share.unresolved,
                    share.frames
                );
                graphs.push(case.clone());
            }
            Err(e) => {
                println!("lab: S15: no flame graph of {}: {e}", case.path());
                break;
            }
        }
    }
    nginx.stop()?;
    let results = opts.out_root.join("results").join(&machine.id);
    let read = lab_record::ResultFile::read(&results, SCENARIO, "rust", "c2r");
    let Some(mut file) = read.map_err(|e| e.to_string())? else {
        if !graphs.is_empty() {
            println!("lab: no timed results for {SCENARIO} yet: flame graphs written, not linked");
        }
        return Ok(Vec::new());
    };
    link_graphs(&mut file.records, &graphs);
    Ok(vec![file])
}

/// Points the records of the `graphed` cases at their flame graphs (`results/flamegraphs/…svg`,
/// as the report links them); the others keep what they had.
pub fn link_graphs(records: &mut [lab_record::Record], graphed: &[Case]) {
    for r in records {
        if let Some(c) = graphed
            .iter()
            .find(|c| c.strategy == r.strategy && params(c) == r.params)
        {
            r.flamegraph = Some(format!(
                "{}/{}.svg",
                lab_record::FLAMEGRAPH_DIR,
                graph_name(c)
            ));
        }
    }
}
