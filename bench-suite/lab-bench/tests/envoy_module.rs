//! S16 inside Envoy: every case answers the load request, each filter answers as it should
//! (valid, invalid and missing credentials; headers set), a panicking module answers 500 while
//! Envoy keeps serving, and a bad module configuration stops Envoy at its start with a clear
//! line. Skipped, with a line saying so, where Envoy is not installed.

use lab_bench::engines::envoy::{self, cases, Case, Installation, Proxy, Route};
use lab_bench::proxy::{self, Connection};

/// One Envoy at a time: the tests' Envoys share the two cores.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Envoy and the built modules, or None (said) when this machine has no Envoy.
fn setup() -> Option<(Installation, std::path::PathBuf)> {
    match Installation::detect() {
        Ok(inst) => Some((inst, envoy::build_modules().expect("building hosts/envoy"))),
        Err(e) => {
            eprintln!("skipped: Envoy is not installed ({e}); scripts/setup installs it");
            None
        }
    }
}

/// The cases this machine can run: the Go rows only where the Go module was built.
fn runnable(modules: &std::path::Path) -> Vec<Case> {
    let go = modules.join("libffi_lab_envoy_go.so").is_file();
    cases()
        .into_iter()
        .filter(|c| go || c.go_strategy().is_none())
        .collect()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn every_case_answers_as_its_filter_says() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some((inst, modules)) = setup() else {
        return;
    };
    let all = runnable(&modules);
    let p = Proxy::start(&inst, &modules, "test-answers", &all).expect("Envoy starts");
    for case in &all {
        let port = p.port_of(case).unwrap();
        let (status, head) = proxy::request(port, "/", &proxy::load_headers()).unwrap();
        assert_eq!(status, 200, "{}: {head}", case.name());
        match case.filter {
            Some("basic_auth") => {
                let wrong = b"Authorization: Basic bGFiOndyb25n\r\n";
                for (what, headers) in [
                    ("missing", &b""[..]),
                    ("invalid", &wrong[..]),
                    ("not base64", &b"Authorization: Basic !!!!\r\n"[..]),
                    ("no colon", &b"Authorization: Basic bGFi\r\n"[..]),
                ] {
                    let (status, _) = proxy::request(port, "/", headers).unwrap();
                    assert_eq!(status, 401, "{}: {what} credentials", case.name());
                }
            }
            Some("header_get_set") => {
                assert!(
                    header(&head, "x-lab-response").is_some(),
                    "{}: no x-lab-response in {head}",
                    case.name()
                );
            }
            _ => {}
        }
    }
    p.stop().unwrap();
}

#[test]
fn a_panicking_module_answers_500_and_envoy_keeps_serving() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some((inst, modules)) = setup() else {
        return;
    };
    let go = modules.join("libffi_lab_envoy_go.so").is_file();
    let mut panics = vec![Case {
        strategy: "borrow",
        filter: Some("panic"),
        route: Route::Direct,
    }];
    if go {
        panics.push(Case {
            strategy: "go_view",
            filter: Some("panic"),
            route: Route::Direct,
        });
    }
    let healthy = Case {
        strategy: "borrow",
        filter: Some("basic_auth"),
        route: Route::Direct,
    };
    let mut all = panics.clone();
    all.push(healthy.clone());
    let p = Proxy::start(&inst, &modules, "test-panic", &all).expect("Envoy starts");
    for case in &panics {
        let mut c = Connection::open(p.port_of(case).unwrap()).unwrap();
        for i in 0..10_000 {
            let (status, _) = c
                .get("/", b"")
                .unwrap_or_else(|e| panic!("{}: request {i}: {e}", case.name()));
            assert_eq!(status, 500, "{}", case.name());
        }
        let (status, _) =
            proxy::request(p.port_of(&healthy).unwrap(), "/", &proxy::load_headers()).unwrap();
        assert_eq!(status, 200, "Envoy serves on after {}", case.name());
    }
    p.stop().unwrap();
}

#[test]
fn a_bad_module_configuration_stops_envoy_at_its_start() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some((inst, modules)) = setup() else {
        return;
    };
    for (strategy, filter) in [
        ("no_such_strategy", "basic_auth"),
        ("borrow", "no_such_filter"),
    ] {
        let bad = Case {
            strategy,
            filter: Some(filter),
            route: Route::Direct,
        };
        let name = format!("test-bad-{filter}");
        let err = match Proxy::start(&inst, &modules, &name, &[bad]) {
            Ok(p) => {
                p.stop().unwrap();
                panic!("Envoy started with filter {filter}, strategy {strategy}");
            }
            Err(e) => e,
        };
        assert!(err.contains("Envoy exited at start"), "{err}");
    }
}
