//! S16's cases: each filter under each of the Rust module's strategies, the Go module's, Envoy's
//! C++ filter doing the same work (the floor), Envoy's Lua filter, and the route alone; each
//! answered by Envoy itself (`direct`), and a few proxied to a local upstream (`proxied`).

/// The scenario id of the records.
pub const SCENARIO: &str = "s16_envoy";

/// The filters of S14 and S15.
pub const FILTERS: [&str; 2] = ["basic_auth", "header_get_set"];

/// The Rust module's strategies (hosts/envoy/rust, its `filter_config`).
pub const STRATEGIES: [&str; 4] = ["borrow", "bulk_borrow", "copy_per_header", "bulk_copy"];

/// The Go module's strategies as rows: `go_` and its `filter_config` (hosts/envoy/go): Go
/// strings copied per read or viewed in place, all headers copied at first access, and the view
/// without `#cgo noescape`/`nocallback` (the documents' QPS claim).
pub const GO_STRATEGIES: [&str; 4] = ["go_copy", "go_view", "go_bulk_copy", "go_view_escape"];

/// The floor of each filter: Envoy's own C++ filter (`envoy.filters.http.basic_auth`, which
/// hashes the password with SHA-1 as the modules do; `envoy.filters.http.header_mutation`).
pub const FLOOR: &str = "cpp";

/// The rows that are not the Rust module's strategies, never ranked: the floor, Lua, and the Go
/// module (another language's module, compared in the conclusions).
pub const REFERENCES: [&str; 2] = [FLOOR, "lua"];

/// The route alone, no filter.
pub const NO_FILTER: &str = "no_filter";

/// How a case's request is answered: by Envoy itself (`direct_response`, the filter's cost
/// alone), or by a local upstream Envoy proxies it to (what the boundary is in a proxied request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Route {
    Direct,
    Proxied,
}

impl Route {
    pub fn name(self) -> &'static str {
        match self {
            Route::Direct => "direct",
            Route::Proxied => "proxied",
        }
    }
}

/// One measured case: a listener of its own in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// A Rust strategy, a `go_` strategy, `cpp`, `lua` or `no_filter`.
    pub strategy: &'static str,
    /// `basic_auth`, `header_get_set`, or None for `no_filter`.
    pub filter: Option<&'static str>,
    pub route: Route,
}

impl Case {
    /// `basic_auth/borrow`, `proxied/no_filter`, …: how messages and the configuration name it.
    pub fn name(&self) -> String {
        let route = match self.route {
            Route::Direct => String::new(),
            Route::Proxied => "proxied/".into(),
        };
        match self.filter {
            Some(f) => format!("{route}{f}/{}", self.strategy),
            None => format!("{route}{}", self.strategy),
        }
    }

    /// The Go module's `filter_config` for a `go_` row.
    pub fn go_strategy(&self) -> Option<&'static str> {
        self.strategy.strip_prefix("go_")
    }
}

/// Every case: each filter under each strategy, the Go module's, the floor and Lua; the route
/// alone; then the proxied ones: basic auth by the Rust module's `borrow` and by the floor, and
/// the proxy alone.
pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for filter in FILTERS {
        for strategy in STRATEGIES.iter().chain(&GO_STRATEGIES).chain(&REFERENCES) {
            v.push(Case {
                strategy,
                filter: Some(filter),
                route: Route::Direct,
            });
        }
    }
    v.push(Case {
        strategy: NO_FILTER,
        filter: None,
        route: Route::Direct,
    });
    for (strategy, filter) in [
        ("borrow", Some("basic_auth")),
        (FLOOR, Some("basic_auth")),
        (NO_FILTER, None),
    ] {
        v.push(Case {
            strategy,
            filter,
            route: Route::Proxied,
        });
    }
    v
}

/// The record's parameters: the filter (`none` for `no_filter`) and the route.
pub fn params(case: &Case) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("filter".into(), case.filter.unwrap_or("none").into());
    m.insert("route".into(), case.route.name().into());
    m
}

/// `s16_envoy/<strategy>/<params>`: a case's id, as its record's.
pub fn case_id(case: &Case) -> String {
    format!(
        "{SCENARIO}/{}/{}",
        case.strategy,
        lab_record::params_label(&params(case))
    )
}

/// How long the bench drives each case ([`crate::proxy::rounds::Plan`]): 3 rounds of 1 s in
/// full runs.
pub const FULL_ROUNDS: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_has_its_own_name_and_id() {
        let all = cases();
        let names: std::collections::BTreeSet<String> = all.iter().map(Case::name).collect();
        let ids: std::collections::BTreeSet<String> = all.iter().map(case_id).collect();
        assert_eq!(names.len(), all.len(), "one listener per case");
        assert_eq!(ids.len(), all.len(), "one record per case");
        assert!(names.contains("proxied/basic_auth/borrow"));
        assert_eq!(
            case_id(&all[0]),
            "s16_envoy/borrow/filter=basic_auth,route=direct"
        );
        for filter in FILTERS {
            assert!(all
                .iter()
                .any(|c| c.strategy == FLOOR && c.filter == Some(filter)));
        }
        assert_eq!(
            GO_STRATEGIES.map(|s| s.strip_prefix("go_").is_some()),
            [true; 4]
        );
    }
}
