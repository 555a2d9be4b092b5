//! S15: the Rust nginx module (hosts/nginx) inside the packaged nginx — every case answers as its
//! filter says, bad `Authorization` headers get a 401 (never a crash), and a panicking filter
//! becomes a 500 for its request while the same worker keeps serving. Starts nginx when it is
//! installed (scripts/setup installs it); skips with a message when it is not.

use std::sync::Mutex;

use lab_bench::nginx::{self, Installation, Nginx};

/// One nginx at a time: the tests share the module build and the machine's 2 cores.
static SERIAL: Mutex<()> = Mutex::new(());

/// The panic location, beside the bench's cases.
const PANIC_LOCATION: &str = "        location = /panic { ffi_lab panic borrow; empty_gif; }\n";

fn start(name: &str) -> Option<Nginx> {
    let inst = match Installation::detect() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("skipped: nginx: not measured: {e}");
            return None;
        }
    };
    let module = nginx::build_module().expect("building hosts/nginx");
    Some(Nginx::start(&inst, &module, name, PANIC_LOCATION).expect("starting nginx"))
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
        let path = case.path();
        let (status, head) = nginx::request(ng.port, &path, &nginx::load_headers()).unwrap();
        assert_eq!(status, 200, "{path} with valid credentials:\n{head}");
        // The module's own counts in the worker over 10 requests: exactly what the strategy
        // allocates and copies by construction (none for the references).
        let before = nginx::counters(ng.port).unwrap();
        for _ in 0..10 {
            nginx::request(ng.port, &path, &nginx::load_headers()).unwrap();
        }
        let after = nginx::counters(ng.port).unwrap();
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
            let (status, _) = nginx::request(ng.port, &path, b"").unwrap();
            assert_eq!(status, 401, "{path} without credentials");
            let (status, _) =
                nginx::request(ng.port, &path, &header("Authorization: Basic bGFiOndyb25n"))
                    .unwrap();
            assert_eq!(status, 401, "{path} with a wrong password (lab:wrong)");
        }
    }
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
    for strategy in nginx::STRATEGIES {
        let path = format!("/basic_auth/{strategy}");
        for (what, h) in &bad {
            let (status, _) = nginx::request(ng.port, &path, h).unwrap();
            assert_eq!(status, 401, "{path}, {what}");
        }
        // Repeated headers: nginx itself refuses a second Authorization (400) before any access
        // handler runs; either way the request is never let through.
        let mut twice = header(&format!("Authorization: {}", nginx::AUTHORIZATION));
        twice.extend(header("Authorization: Basic bGFiOndyb25n"));
        let (status, _) = nginx::request(ng.port, &path, &twice).unwrap();
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
    let n = 10_000;
    let mut errors = 0;
    for i in 0..n {
        let (status, _) = nginx::request(ng.port, "/panic", b"").unwrap();
        errors += u32::from(status == 500);
        // Interleaved: the requests around the panics are served as usual.
        if i % 1000 == 0 {
            let (ok, _) =
                nginx::request(ng.port, "/basic_auth/borrow", &nginx::load_headers()).unwrap();
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
