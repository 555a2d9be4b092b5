//! What S15 needs installed, the build of its two modules (the Rust module and the C module, the
//! floor), and the one configuration with a server per case, each on a port of its own (the Rust
//! module's strategies, the C module, nginx's built-in, Lua and njs references, no filter).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::cases::{cases, Case, CASE_PATH, FLOOR, STRATEGIES};
use super::http::STATS;
use crate::options::workspace_root;

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
        // nginx's `make modules` builds the C module, the floor (hosts/nginx/build).
        which("make").ok_or_else(|| missing("make"))?;
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

/// S15's two dynamic modules, as `hosts/nginx/build` builds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modules {
    /// The Rust module (hosts/nginx): the `ffi_lab` directive, the module's strategies.
    pub rust: PathBuf,
    /// The C module (hosts/nginx/c): the `lab_c` directive, the floor [`FLOOR`].
    pub c: PathBuf,
}

/// The C module's file name, as `make modules` names it.
pub const C_MODULE_FILE: &str = "ngx_http_lab_c_module.so";

/// Builds both modules with `hosts/nginx/build` (cargo for the Rust one, nginx's `make modules`
/// for the C one, against configured nginx-dev trees); returns their shared objects' paths.
pub fn build_modules() -> Result<Modules, String> {
    let script = workspace_root().join("hosts/nginx/build");
    let out = Command::new(&script)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed ({})", script.display(), out.status));
    }
    // The script's last two lines: the Rust module's path, then the C module's.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().map(str::trim).collect();
    match lines.as_slice() {
        [.., rust, c] if Path::new(rust).is_file() && Path::new(c).is_file() => Ok(Modules {
            rust: PathBuf::from(rust),
            c: PathBuf::from(c),
        }),
        _ => Err(format!(
            "{} printed no paths of the two modules:\n{stdout}",
            script.display()
        )),
    }
}

/// The njs reference's filters (`js_set` for basic auth, evaluated by `if` in the rewrite phase,
/// which lets only "1" through, so a script error is a 401 too;
/// `js_header_filter` for header get/set, in the header filter: njs 0.7 has no access phase).
pub(super) const NJS: &str = r#"
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
pub(super) const LUA_BASIC_AUTH: &str = r#"
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

pub(super) const LUA_HEADER_GET_SET: &str = r#"
            local n = #ngx.var.uri
            for _, v in ipairs({ ngx.var.http_user_agent, ngx.var.http_x_request_id, ngx.var.http_accept }) do
                n = n + #v
            end
            ngx.header["X-Lab-Seen"] = "1"
            ngx.header["X-Lab-Route"] = "cluster-a"
            ngx.header["X-Lab-Response"] = "rust"
"#;

/// Where nginx listens on 127.0.0.1: a port per case, where the case's server is the only one, and
/// the control server's (the module's counters at [`STATS`], and the callers' `extra` locations).
/// A port per case rather than a `server_name` per case: every request then reaches its server
/// without a lookup of its `Host` among names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub control: u16,
    pub cases: Vec<(Case, u16)>,
}

impl Listen {
    /// Every case of [`cases`] on the first of `ports`, in order, the control server on the last.
    pub fn of(ports: &[u16]) -> Result<Listen, String> {
        let all = cases();
        match ports {
            [cases @ .., control] if cases.len() == all.len() => Ok(Listen {
                control: *control,
                cases: all.into_iter().zip(cases.iter().copied()).collect(),
            }),
            _ => Err(format!(
                "{} ports for {} cases and the control server",
                ports.len(),
                all.len()
            )),
        }
    }

    /// How many ports [`Listen::of`] takes.
    pub fn ports_needed() -> usize {
        cases().len() + 1
    }

    /// The port of `case`'s server.
    pub fn port_of(&self, case: &Case) -> Result<u16, String> {
        self.cases
            .iter()
            .find(|(c, _)| c == case)
            .map(|(_, port)| *port)
            .ok_or_else(|| format!("{} is not a case of S15", case.name()))
    }
}

/// The configuration of one nginx serving every case: a server per case on its own port, whose
/// one location is `location = /` ([`CASE_PATH`]), so every case's location lookup is the same;
/// then the control server with the counters' location and the `extra` ones (the tests' panic
/// location, the callgrind pass's).
pub fn config(
    inst: &Installation,
    modules: &Modules,
    prefix: &Path,
    listen: &Listen,
    extra: &str,
) -> String {
    let mut servers = String::new();
    for (case, port) in &listen.cases {
        let body = match (case.filter, case.strategy) {
            (None, _) => String::new(),
            (Some(f), s) if STRATEGIES.contains(&s) => format!("ffi_lab {f} {s};"),
            // The floor: the C module's same filter (the Rust module's `borrow` in C).
            (Some(f), FLOOR) => format!("lab_c {f};"),
            // nginx's built-in basic auth: the password file is opened and read on every request.
            (Some("basic_auth"), "nginx_builtin") => {
                "auth_basic \"lab\"; auth_basic_user_file htpasswd;".into()
            }
            (Some("basic_auth"), "lua") => format!("access_by_lua_block {{{LUA_BASIC_AUTH}        }}"),
            (Some("basic_auth"), "njs") => {
                "if ($lab_njs_auth != \"1\") { return 401; }".into()
            }
            // nginx's built-in directives: the four headers read through $uri and $http_* (each a
            // scan of the header list, copied into one string by `set`), three set by add_header.
            (Some("header_get_set"), "nginx_builtin") => "set $lab_read \"$uri$http_user_agent$http_x_request_id$http_accept\"; \
                 add_header X-Lab-Seen 1; add_header X-Lab-Route cluster-a; add_header X-Lab-Response rust;"
                .into(),
            (Some("header_get_set"), "lua") => {
                format!("access_by_lua_block {{{LUA_HEADER_GET_SET}        }}")
            }
            (Some("header_get_set"), "njs") => "js_header_filter lab.header_get_set;".into(),
            (f, s) => unreachable!("no location for {f:?}/{s}"),
        };
        servers.push_str(&format!(
            "    server {{ # {name}\n        listen 127.0.0.1:{port};\n        location = {CASE_PATH} {{ {body} empty_gif; }}\n    }}\n",
            name = case.name()
        ));
    }
    format!(
        "# Written by lab-bench (bench-suite/lab-bench/src/engines/nginx/config.rs) for S15; regenerated on every run.\n\
         load_module {ndk};\nload_module {lua};\nload_module {njs};\nload_module {rust};\nload_module {c};\n\
         daemon off;\nmaster_process on;\nworker_processes 1;\npid {prefix}/nginx.pid;\n\
         error_log {prefix}/logs/error.log notice;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n    access_log off;\n    keepalive_requests 1000000;\n\
         \x20   large_client_header_buffers 4 128k;\n\
         \x20   client_body_temp_path {prefix}/tmp;\n    proxy_temp_path {prefix}/tmp;\n\
         \x20   fastcgi_temp_path {prefix}/tmp;\n    uwsgi_temp_path {prefix}/tmp;\n    scgi_temp_path {prefix}/tmp;\n\
         \x20   lua_package_path \"{prefix}/?.lua;;\";\n\
         \x20   js_import lab from {prefix}/lab.js;\n    js_set $lab_njs_auth lab.basic_auth;\n    js_var $lab_read;\n\
         {servers}\
         \x20   server {{ # control\n        listen 127.0.0.1:{control};\n\
         \x20       location = {STATS} {{ return 200 \"$ffi_lab_allocs $ffi_lab_copied\\n\"; }}\n{extra}    }}\n}}\n",
        control = listen.control,
        ndk = inst.ndk.display(),
        lua = inst.lua.display(),
        njs = inst.njs.display(),
        rust = modules.rust.display(),
        c = modules.c.display(),
        prefix = prefix.display(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The extra location the tests pass, as the panic test's.
    const EXTRA: &str = "        location = /extra { empty_gif; }\n";

    fn listen() -> Listen {
        let ports: Vec<u16> = (0..Listen::ports_needed() as u16)
            .map(|k| 40000 + k)
            .collect();
        Listen::of(&ports).unwrap()
    }

    fn written() -> String {
        let inst = Installation {
            nginx: "/usr/sbin/nginx".into(),
            wrk: "/usr/bin/wrk".into(),
            ndk: "/m/ndk.so".into(),
            lua: "/m/lua.so".into(),
            njs: "/m/njs.so".into(),
        };
        let modules = Modules {
            rust: "/b/libffi_lab_nginx.so".into(),
            c: format!("/b/{C_MODULE_FILE}").into(),
        };
        config(&inst, &modules, Path::new("/p"), &listen(), EXTRA)
    }

    /// The lines of the server named `name` (`# name` on its opening line), up to its end.
    fn server<'a>(conf: &'a str, name: &str) -> Vec<&'a str> {
        let head = format!("    server {{ # {name}");
        let mut lines = conf.lines().skip_while(|l| *l != head);
        let mut block: Vec<&str> = lines.by_ref().take_while(|l| *l != "    }").collect();
        assert!(!block.is_empty(), "no server {name}");
        block.remove(0);
        block
    }

    /// Both modules are loaded, and every case has a server of its own on its own port, whose one
    /// location is `= /` with the directive of its way.
    #[test]
    fn the_configuration_loads_both_modules_and_a_server_per_case() {
        let conf = written();
        assert!(conf.contains("load_module /b/libffi_lab_nginx.so;\n"));
        assert!(conf.contains("load_module /b/ngx_http_lab_c_module.so;\n"));
        let listen = listen();
        for (case, port) in &listen.cases {
            let block = server(&conf, &case.name());
            assert_eq!(block[0].trim(), format!("listen 127.0.0.1:{port};"));
            let locations = block.iter().filter(|l| l.contains("location ")).count();
            assert_eq!(locations, 1, "{}: one location: {block:?}", case.name());
            assert!(block[1].trim().starts_with("location = / {"), "{block:?}");
            assert_eq!(listen.port_of(case), Ok(*port));
        }
        assert_eq!(conf.matches("listen ").count(), Listen::ports_needed());
        for (name, body) in [
            ("basic_auth/borrow", "ffi_lab basic_auth borrow;"),
            (
                "header_get_set/bulk_copy",
                "ffi_lab header_get_set bulk_copy;",
            ),
            ("basic_auth/c_module", "lab_c basic_auth;"),
            ("header_get_set/c_module", "lab_c header_get_set;"),
            (
                "basic_auth/nginx_builtin",
                "auth_basic \"lab\"; auth_basic_user_file htpasswd;",
            ),
            (
                "header_get_set/nginx_builtin",
                "add_header X-Lab-Response rust;",
            ),
            ("no_filter", "location = / {  empty_gif; }"),
        ] {
            let block = server(&conf, name);
            assert!(block[1].contains(body), "{name}: {block:?}");
        }
    }

    /// The counters' location and the extra ones are the control server's, on its own port.
    #[test]
    fn the_control_server_holds_the_counters_and_the_extra_locations() {
        let conf = written();
        let block = server(&conf, "control");
        let control = listen().control;
        assert_eq!(block[0].trim(), format!("listen 127.0.0.1:{control};"));
        assert!(
            block[1].contains(&format!("location = {STATS} {{")),
            "{block:?}"
        );
        assert_eq!(format!("{}\n", block[2]), EXTRA);
        assert_eq!(block.len(), 3);
        assert!(listen().cases.iter().all(|(_, p)| *p != control));
    }

    /// The floor's location runs the C module alone: no Rust module directive, no built-in.
    #[test]
    fn the_floor_runs_the_c_module_alone() {
        let conf = written();
        for filter in ["basic_auth", "header_get_set"] {
            let block = server(&conf, &format!("{filter}/c_module"));
            assert_eq!(
                block[1].trim(),
                format!("location = / {{ lab_c {filter}; empty_gif; }}")
            );
        }
    }

    /// A port per case and one for the control server, or an error; a case not of S15 has none.
    #[test]
    fn every_case_and_the_control_server_need_a_port() {
        assert!(Listen::of(&[40000; 3]).is_err());
        let too_many = vec![40000; Listen::ports_needed() + 1];
        assert!(Listen::of(&too_many).is_err());
        let other = Case {
            strategy: "other",
            filter: Some("basic_auth"),
        };
        assert!(listen().port_of(&other).is_err());
    }
}
