//! What the proxy engines (nginx, S15; Envoy, S16) share: the load request every case is driven
//! with, a small HTTP client, wrk and its summary, free ports and a process's CPU time.

pub mod http;
pub mod process;
pub mod rounds;
pub mod wrk;

pub use http::{exchange, request, status_of, Connection};
pub use process::{cpu_ns, free_ports};
pub use wrk::{parse_wrk, Load};

/// The valid credentials every load request carries (`lab:secret`, S14's).
pub const AUTHORIZATION: &str = "Basic bGFiOnNlY3JldA==";

/// The request headers of every load request besides `Authorization` (what `header_get_set` reads).
pub const HEADERS: [(&str, &str); 3] = [
    ("User-Agent", "ffi-lab-wrk/1.0"),
    ("X-Request-Id", "6f1c2b7e-0d3a-4c5e-9f8a-1b2c3d4e5f60"),
    ("Accept", "*/*"),
];

/// The load request's headers, as [`request`] takes them.
pub fn load_headers() -> Vec<u8> {
    let mut h = format!("Authorization: {AUTHORIZATION}\r\n");
    for (k, v) in HEADERS {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.into_bytes()
}
