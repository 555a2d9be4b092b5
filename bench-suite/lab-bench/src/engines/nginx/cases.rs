//! S15's cases: each filter under each of the module's strategies, the C module doing the same
//! work (the floor) and nginx's own ways (built-in directives, Lua, njs), and the proxy without a
//! filter; what each is expected to allocate and copy.

pub use crate::proxy::{AUTHORIZATION, HEADERS};

/// The filters of S14, and the proxy without one.
pub const FILTERS: [&str; 2] = ["basic_auth", "header_get_set"];

/// The module's strategies (hosts/nginx/src/strategy.rs `Strategy`).
pub const STRATEGIES: [&str; 3] = ["borrow", "copy_per_header", "bulk_copy"];

/// The floor of each filter: the C module (hosts/nginx/c), the Rust module's `borrow` line for
/// line in C, in the same nginx.
pub const FLOOR: &str = "c_module";

/// The rows that are not the module's strategies, never ranked: the floor, then nginx's own ways
/// to do the same work (`nginx_builtin`: auth_basic with its password file; `set` and
/// add_header), Lua and njs.
pub const REFERENCES: [&str; 4] = [FLOOR, "nginx_builtin", "lua", "njs"];

/// The path every case is requested at: each case is the one location (`location = /`) of a
/// server of its own, on a port of its own, so nginx's location lookup searches the same tree of
/// one node for every case and a row differs from its floor only by what its filter does.
pub const CASE_PATH: &str = "/";

/// One measured case: the server of its own in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// `borrow`, …, `c_module`, `nginx_builtin`, `lua`, `njs`, or `no_filter`.
    pub strategy: &'static str,
    /// `basic_auth`, `header_get_set`, or None for `no_filter`.
    pub filter: Option<&'static str>,
}

impl Case {
    /// `basic_auth/borrow`, …, `no_filter`: how messages and the configuration name the case.
    pub fn name(&self) -> String {
        match self.filter {
            Some(f) => format!("{f}/{}", self.strategy),
            None => self.strategy.to_string(),
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

/// The scenario id of the records.
pub const SCENARIO: &str = "s15_real_proxy";

/// How long the bench drives each case ([`crate::proxy::rounds::Plan`]): 4 rounds of 1 s in
/// full runs.
pub const FULL_ROUNDS: u32 = 4;

/// The record's parameters: the filter (`none` for `no_filter`).
pub fn params(case: &Case) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("filter".into(), case.filter.unwrap_or("none").into());
    m
}

/// The headers nginx sees in a wrk load request to a case's `port`, in order (wrk sends `Host`
/// first, with the port: every case's port is an ephemeral one of five digits, so every case's
/// `Host` is as long).
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
    let uri = CASE_PATH;
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

/// `s15_real_proxy/<strategy>/<params>`: a case's id, as its record's.
pub fn case_id(case: &Case) -> String {
    format!(
        "{SCENARIO}/{}/{}",
        case.strategy,
        lab_record::params_label(&params(case))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_has_its_own_name() {
        let names: Vec<String> = cases().iter().map(Case::name).collect();
        assert_eq!(names.len(), 15);
        assert!(names.contains(&"basic_auth/borrow".to_string()));
        assert!(names.contains(&"no_filter".to_string()));
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "one server per case");
    }

    /// Each filter has its floor row and nginx's built-ins as a reference; the module's own
    /// counts are none for both (they are not the Rust module).
    #[test]
    fn each_filter_has_the_c_module_floor_and_the_builtin_reference() {
        for filter in FILTERS {
            for strategy in ["c_module", "nginx_builtin"] {
                let case = Case {
                    strategy,
                    filter: Some(filter),
                };
                assert!(cases().contains(&case), "{strategy} of {filter}");
                assert_eq!(expected_allocs(&case), 0);
                assert_eq!(expected_copied(&case, &wrk_request_headers(8080)), 0);
            }
        }
        assert_eq!(REFERENCES[0], FLOOR);
        assert!(!STRATEGIES.contains(&FLOOR));
        assert_eq!(
            case_id(&Case {
                strategy: FLOOR,
                filter: Some("basic_auth")
            }),
            "s15_real_proxy/c_module/filter=basic_auth"
        );
    }
}
