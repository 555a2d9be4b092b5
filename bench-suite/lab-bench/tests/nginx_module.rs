//! S15: the Rust nginx module (hosts/nginx) and the C module, the floor (hosts/nginx/c), inside the
//! packaged nginx — every case answers as its filter says, the C module answers exactly as the
//! Rust module's `borrow`, bad `Authorization` headers get a 401 (never a crash), a panicking filter becomes
//! a 500 for its request while the same worker keeps serving, and under valgrind memcheck no error
//! has the module in its stack; perf's flame graph of the worker names the module's frames.
//! Starts nginx when it is installed (scripts/setup installs it); skips with a message when it is
//! not.

use std::sync::Mutex;
use std::time::Duration;

use lab_bench::engines::nginx::{self, Case, Installation, Modules, Nginx, CASE_PATH};
use lab_bench::proxy;

/// One nginx at a time: the tests share the module build and the machine's 2 cores.
static SERIAL: Mutex<()> = Mutex::new(());

/// The panic location, in the control server beside the module's counters.
const PANIC_LOCATION: &str = "        location = /panic { ffi_lab panic borrow; empty_gif; }\n";

/// nginx and the modules built for it; `None` (the test says it skipped) without nginx.
fn installed() -> Option<(Installation, Modules)> {
    let inst = match Installation::detect() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("skipped: nginx: not measured: {e}");
            return None;
        }
    };
    Some((inst, nginx::build_modules().expect("building hosts/nginx")))
}

fn start(name: &str) -> Option<Nginx> {
    let (inst, modules) = installed()?;
    Some(Nginx::start(&inst, &modules, name, PANIC_LOCATION).expect("starting nginx"))
}

/// The case of `filter` under `strategy`.
fn case(filter: &'static str, strategy: &'static str) -> Case {
    Case {
        strategy,
        filter: Some(filter),
    }
}

fn header(h: &str) -> Vec<u8> {
    format!("{h}\r\n").into_bytes()
}

#[test]
fn every_case_answers_as_its_filter_says() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(ng) = start("test-cases") else {
        return;
    };
    for case in nginx::cases() {
        let (port, path) = (ng.port_of(&case), case.name());
        let (status, head) = proxy::request(port, CASE_PATH, &proxy::load_headers()).unwrap();
        assert_eq!(status, 200, "{path} with valid credentials:\n{head}");
        // The module's own counts in the worker over 10 requests: exactly what the strategy
        // allocates and copies by construction (none for the references).
        let before = nginx::counters(ng.control()).unwrap();
        for _ in 0..10 {
            proxy::request(port, CASE_PATH, &proxy::load_headers()).unwrap();
        }
        let after = nginx::counters(ng.control()).unwrap();
        let sent: Vec<(String, String)> = [("Host", "127.0.0.1"), ("Connection", "close")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain(nginx::wrk_request_headers(0).into_iter().skip(1))
            .collect();
        assert_eq!(
            (after.0 - before.0, after.1 - before.1),
            (
                10 * nginx::expected_allocs(&case),
                10 * nginx::expected_copied(&case, &sent)
            ),
            "{path}: Rust allocations and bytes copied over 10 requests"
        );
        if case.filter == Some("header_get_set") {
            for h in [
                "X-Lab-Seen: 1",
                "X-Lab-Route: cluster-a",
                "X-Lab-Response: rust",
            ] {
                assert!(head.contains(h), "{path} lacks {h}:\n{head}");
            }
        }
        if case.filter == Some("basic_auth") {
            let (status, _) = proxy::request(port, CASE_PATH, b"").unwrap();
            assert_eq!(status, 401, "{path} without credentials");
            let wrong = header("Authorization: Basic bGFiOndyb25n");
            let (status, _) = proxy::request(port, CASE_PATH, &wrong).unwrap();
            assert_eq!(status, 401, "{path} with a wrong password (lab:wrong)");
        }
    }
    ng.stop().unwrap();
}

/// The C module (the floor, `c_module`) answers every request as the Rust module's `borrow`
/// does: valid credentials 200, missing, malformed, wrong and oversized ones 401 with the same
/// challenge, and header_get_set sets the same three headers with the same values.
#[test]
fn the_c_module_answers_as_the_rust_borrow() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(ng) = start("test-c-module") else {
        return;
    };
    let valid = header(&format!("Authorization: {}", nginx::AUTHORIZATION));
    let long = format!("Authorization: Basic {}", "QUFB".repeat(16 * 1024));
    let auth: Vec<(&str, Vec<u8>, u16)> = vec![
        ("valid", valid, 200),
        (
            "valid, scheme in capitals, two spaces",
            header("Authorization: BASIC  bGFiOnNlY3JldA=="),
            200,
        ),
        (
            "valid, unpadded",
            header("Authorization: Basic bGFiOnNlY3JldA"),
            200,
        ),
        ("missing", Vec::new(), 401),
        (
            "bad base64",
            header("Authorization: Basic bGFi*nNlY3JldA=="),
            401,
        ),
        (
            "bad length",
            header("Authorization: Basic bGFiOnNlY3JldA==A"),
            401,
        ),
        (
            "no \"Basic \"",
            header("Authorization: bGFiOnNlY3JldA=="),
            401,
        ),
        (
            "other scheme",
            header("Authorization: Bearer bGFiOnNlY3JldA=="),
            401,
        ),
        ("scheme only", header("Authorization: Basic"), 401),
        (
            "wrong password (lab:wrong)",
            header("Authorization: Basic bGFiOndyb25n"),
            401,
        ),
        (
            "wrong user (bal:secret)",
            header("Authorization: Basic YmFsOnNlY3JldA=="),
            401,
        ),
        (
            "password with a suffix (lab:secret2)",
            header("Authorization: Basic bGFiOnNlY3JldDI="),
            401,
        ),
        (
            "no colon (labsecret)",
            header("Authorization: Basic bGFic2VjcmV0"),
            401,
        ),
        ("oversized (48 KiB decoded)", header(&long), 401),
    ];
    for (what, h, want) in &auth {
        let mut statuses = Vec::new();
        for strategy in [nginx::FLOOR, "borrow"] {
            let path = format!("basic_auth/{strategy}");
            let port = ng.port_of(&case("basic_auth", strategy));
            let (status, head) = proxy::request(port, CASE_PATH, h).unwrap();
            assert_eq!(status, *want, "{path}, {what}:\n{head}");
            if *want == 401 {
                assert!(
                    head.contains("WWW-Authenticate: Basic realm=\"lab\""),
                    "{path}, {what}: the challenge:\n{head}"
                );
            }
            statuses.push(status);
        }
        assert_eq!(statuses[0], statuses[1], "{what}: C and Rust agree");
    }
    let set = [
        "X-Lab-Seen: 1",
        "X-Lab-Route: cluster-a",
        "X-Lab-Response: rust",
    ];
    for strategy in [nginx::FLOOR, "borrow"] {
        let path = format!("header_get_set/{strategy}");
        let port = ng.port_of(&case("header_get_set", strategy));
        for headers in [proxy::load_headers(), Vec::new()] {
            let (status, head) = proxy::request(port, CASE_PATH, &headers).unwrap();
            assert_eq!(status, 200, "{path}:\n{head}");
            for h in set {
                assert_eq!(head.matches(h).count(), 1, "{path} sets {h} once:\n{head}");
            }
        }
    }
    // The floor is not auth_basic: no password file is read (it is removed here), the C module
    // still answers from memory.
    std::fs::remove_file(ng.prefix.join("htpasswd")).unwrap();
    let floor = ng.port_of(&case("basic_auth", nginx::FLOOR));
    let (status, _) = proxy::request(floor, CASE_PATH, &proxy::load_headers()).unwrap();
    assert_eq!(status, 200, "the C module reads no password file");
    let builtin = ng.port_of(&case("basic_auth", "nginx_builtin"));
    let (status, _) = proxy::request(builtin, CASE_PATH, &proxy::load_headers()).unwrap();
    // auth_basic answers 403 when its file is gone (ENOENT): it opens it on every request.
    assert_eq!(
        status, 403,
        "auth_basic reads its password file on every request"
    );
    ng.stop().unwrap();
}

#[test]
fn bad_authorization_headers_get_401_never_a_crash() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(ng) = start("test-bad-input") else {
        return;
    };
    let worker = ng.worker;
    let long = format!("Authorization: Basic {}", "A".repeat(64 * 1024));
    let bad: Vec<(&str, Vec<u8>)> = vec![
        (
            "not base64",
            header("Authorization: Basic !!!not*base64!!!"),
        ),
        ("no colon", header("Authorization: Basic bGFic2VjcmV0")), // "labsecret"
        ("64 KiB long", header(&long)),
        (
            "invalid UTF-8",
            b"Authorization: Basic \xff\xfe\xc3\x28bGFi\r\n".to_vec(),
        ),
        (
            "invalid UTF-8 decoded",
            header("Authorization: Basic //79Onl6"),
        ), // ff fe fd : y z
        ("empty", header("Authorization:")),
        ("scheme only", header("Authorization: Basic")),
        (
            "other scheme",
            header("Authorization: Bearer bGFiOnNlY3JldA=="),
        ),
    ];
    for strategy in nginx::STRATEGIES.iter().chain([&nginx::FLOOR]) {
        let path = format!("basic_auth/{strategy}");
        let port = ng.port_of(&case("basic_auth", strategy));
        for (what, h) in &bad {
            let (status, _) = proxy::request(port, CASE_PATH, h).unwrap();
            assert_eq!(status, 401, "{path}, {what}");
        }
        // Repeated headers: nginx itself refuses a second Authorization (400) before any access
        // handler runs; either way the request is never let through.
        let mut twice = header(&format!("Authorization: {}", nginx::AUTHORIZATION));
        twice.extend(header("Authorization: Basic bGFiOndyb25n"));
        let (status, _) = proxy::request(port, CASE_PATH, &twice).unwrap();
        assert!(status == 400 || status == 401, "{path}, repeated: {status}");
    }
    assert_eq!(
        ng.find_worker(),
        Some(worker),
        "the worker was replaced: it crashed"
    );
    ng.stop().unwrap();
}

#[test]
fn a_panic_is_a_500_and_the_worker_keeps_serving() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(ng) = start("test-panic") else {
        return;
    };
    let worker = ng.worker;
    let borrow = ng.port_of(&case("basic_auth", "borrow"));
    let n = 10_000;
    let mut errors = 0;
    for i in 0..n {
        let (status, _) = proxy::request(ng.control(), "/panic", b"").unwrap();
        errors += u32::from(status == 500);
        // Interleaved: the requests around the panics are served as usual.
        if i % 1000 == 0 {
            let (ok, _) = proxy::request(borrow, CASE_PATH, &proxy::load_headers()).unwrap();
            assert_eq!(ok, 200);
        }
    }
    assert_eq!(errors, n, "every panicking request gets a 500");
    assert_eq!(
        ng.find_worker(),
        Some(worker),
        "the same worker served them all"
    );
    ng.stop().unwrap();
}

/// The bad `Authorization` values of the tests above, and the module's other paths: what a short
/// run under memcheck sends.
fn memcheck_traffic(ng: &Nginx) {
    for case in nginx::cases() {
        let port = ng.port_of(&case);
        proxy::request(port, CASE_PATH, &proxy::load_headers()).unwrap();
        proxy::request(port, CASE_PATH, b"").unwrap();
        for bad in [
            "Authorization: Basic !!!not-base64!!!".to_owned(),
            "Authorization: Basic bGFi".to_owned(), // "lab": no colon
            format!("Authorization: Basic {}", "QUFB".repeat(16 * 1024)),
            "Authorization: Basic /w==".to_owned(), // 0xff: not UTF-8
        ] {
            proxy::request(port, CASE_PATH, &header(&bad)).unwrap();
        }
    }
    for _ in 0..10 {
        let (status, _) = proxy::request(ng.control(), "/panic", b"").unwrap();
        assert_eq!(status, 500, "a panic under memcheck");
    }
}

#[test]
fn memcheck_finds_no_error_in_the_module() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some((inst, modules)) = installed() else {
        return;
    };
    let logs = lab_bench::options::target_dir().join("s15-nginx/test-memcheck/logs");
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs).unwrap();
    // One log per process (the master and its worker, which valgrind follows through fork); leaks
    // are not checked: nginx frees its pools at exit by design, not call by call.
    let wrapper: Vec<String> = [
        "valgrind",
        "--tool=memcheck",
        "--leak-check=no",
        "--num-callers=40",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--log-file={}/memcheck.%p.log", logs.display())])
    .collect();
    let ng = Nginx::start_under(&inst, &modules, "test-memcheck", PANIC_LOCATION, &wrapper)
        .expect("starting nginx under valgrind");
    memcheck_traffic(&ng);
    ng.stop().unwrap();
    // Every error block of every process's log: those with either module in their stack — its
    // library's name (frames without debug info), the Rust crate's (demangled Rust frames) or the C
    // module's functions — fail the test; the others (nginx's, Lua's, njs's own) are printed, not
    // judged here.
    let names: Vec<String> = [&modules.rust, &modules.c]
        .iter()
        .map(|m| m.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let in_module = |block: &str| {
        names.iter().any(|n| block.contains(n.as_str()))
            || block.contains("ffi_lab_nginx")
            || block.contains("lab_c_")
    };
    let (mut summaries, mut ours, mut theirs) = (0, Vec::new(), 0);
    for entry in std::fs::read_dir(&logs).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        summaries += text.matches("ERROR SUMMARY").count();
        // valgrind separates error blocks with a line holding only the "==pid==" prefix.
        let mut block = String::new();
        for line in text.lines().chain(["==0== "]) {
            let body = line.split_once("== ").map_or("", |(_, b)| b);
            if body.trim().is_empty() {
                let is_error = [
                    "Invalid ",
                    "uninitialised",
                    "Syscall param",
                    "Mismatched free",
                    "overlap",
                ]
                .iter()
                .any(|w| block.contains(w));
                if is_error {
                    if in_module(&block) {
                        ours.push(block.clone());
                    } else {
                        theirs += 1;
                    }
                }
                block.clear();
            } else {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    assert!(
        summaries >= 2,
        "valgrind wrote no summary for the master and the worker ({logs:?})"
    );
    if theirs > 0 {
        eprintln!(
            "memcheck: {theirs} error blocks outside the module (nginx, Lua, njs): see {logs:?}"
        );
    }
    assert!(
        ours.is_empty(),
        "memcheck errors in the module's frames:\n{}",
        ours.join("\n")
    );
}

/// The profile pass's path for one case: perf samples the worker while wrk drives `bulk_copy`
/// (the module's most frames), inferno folds the stacks into the `.folded` and `.svg` of the
/// scenario's naming, and every module frame has its Rust name. Skips without nginx or perf.
#[test]
fn perf_names_the_module_frames_of_the_worker() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = lab_bench::passes::profile::perf_version() {
        eprintln!("skipped: no flame graph of the nginx worker: {e}");
        return;
    }
    let Some((inst, modules)) = installed() else {
        return;
    };
    let ng = Nginx::start(&inst, &modules, "test-profile", "").expect("starting nginx");
    let dir = ng.prefix.join("flamegraphs");
    let _ = std::fs::remove_dir_all(&dir);
    let case = case("header_get_set", "bulk_copy");
    let share = nginx::profile_case(&inst, &ng, &case, Duration::from_millis(1500), &dir)
        .expect("profiling the worker");
    ng.stop().unwrap();
    let name = nginx::graph_name(&case);
    assert_eq!(name, "s15_real_proxy-bulk_copy-filter=header_get_set");
    assert!(dir.join(format!("{name}.svg")).is_file());
    let folded = std::fs::read_to_string(dir.join(format!("{name}.folded"))).unwrap();
    assert!(
        folded.lines().all(|l| l.starts_with("nginx;")),
        "the worker's stacks, rooted at its process name"
    );
    assert!(
        folded.contains(";ngx_http_core_access_phase;ffi_lab_nginx::access_handler;"),
        "nginx's access phase calls the module by name:\n{folded}"
    );
    assert!(share.samples > 0 && share.on_stack > 0, "{share:?}");
    assert_eq!(share.unresolved, 0, "every module frame named: {share:?}");
}

/// The callgrind pass's control location, in the control server: outside valgrind its markers do
/// nothing, and the location says which it was asked for, on a keep-alive connection as the pass
/// uses it; any other query is refused as `none`, and a case's requests between two control
/// requests, on the case's own keep-alive connection, are served.
#[test]
fn the_callgrind_location_answers_zero_dump_and_none() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some((inst, modules)) = installed() else {
        return;
    };
    let ng = Nginx::start(&inst, &modules, "test-callgrind", nginx::CALLGRIND_LOCATION)
        .expect("starting nginx");
    let mut c = proxy::Connection::open(ng.control()).unwrap();
    let mut borrow = proxy::Connection::open(ng.port_of(&case("basic_auth", "borrow"))).unwrap();
    let get = |c: &mut proxy::Connection, q: &str| {
        let (status, body) = c.get(&format!("/ffi_lab_callgrind?{q}"), b"").unwrap();
        assert_eq!(status, 200, "{q}");
        String::from_utf8(body).unwrap()
    };
    assert_eq!(get(&mut c, "zero"), "zero\n");
    let (status, _) = borrow.get(CASE_PATH, &proxy::load_headers()).unwrap();
    assert_eq!(status, 200);
    // The control location is the control server's alone: a case's server has `= /` only.
    let (status, _) = borrow.get("/ffi_lab_callgrind?zero", b"").unwrap();
    assert_eq!(status, 404);
    assert_eq!(
        get(&mut c, "dump=s15_real_proxy/borrow/filter=basic_auth%23120"),
        "dump\n"
    );
    for q in ["", "zero2", "dump", "x=1"] {
        assert_eq!(get(&mut c, q), "none\n", "{q:?}");
    }
    // A name longer than the module's buffer is cut, not overrun.
    assert_eq!(get(&mut c, &format!("dump={}", "n".repeat(1000))), "dump\n");
    ng.stop().unwrap();
}
