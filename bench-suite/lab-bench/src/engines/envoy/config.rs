//! The Envoy bootstrap the lab writes: an admin port, and one listener per case on its own port,
//! whose one route answers directly (`direct_response`) or proxies to a local upstream, with the
//! case's filter before the router — a dynamic module (Rust or Go), Envoy's C++ filter, or Lua.
//! The upstream is a second Envoy with a listener that answers directly.

use serde_json::{json, Value};

use super::cases::{Case, Route, FLOOR, NO_FILTER};

/// The Rust module's name: Envoy loads `lib<name>.so` from `ENVOY_DYNAMIC_MODULES_SEARCH_PATH`.
pub const RUST_MODULE: &str = "ffi_lab_envoy";

/// The Go module's name.
pub const GO_MODULE: &str = "ffi_lab_envoy_go";

/// The one valid user's password as Envoy's C++ basic auth stores it: `{SHA}` and the base64 of
/// SHA-1("secret") (htpasswd's SHA format); the modules check the same hash.
pub const HTPASSWD: &str = "lab:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=";

/// Where each case listens, the admin port, and the upstream's port.
#[derive(Debug, Clone)]
pub struct Ports {
    pub admin: u16,
    pub upstream: u16,
    pub cases: Vec<(Case, u16)>,
}

/// The bootstrap of the Envoy under test.
pub fn bootstrap(ports: &Ports) -> Value {
    let listeners: Vec<Value> = ports
        .cases
        .iter()
        .map(|(case, port)| listener(&case.name(), *port, route(case.route), filters(case)))
        .collect();
    json!({
        "admin": { "address": address(ports.admin) },
        // Envoy flushes its stats every 5 s by default, on its main thread, whatever case runs
        // then: the lab reads no sink, so the flush waits as long as Envoy allows.
        "stats_flush_interval": "299s",
        "static_resources": {
            "listeners": listeners,
            "clusters": [{
                "name": "upstream",
                "connect_timeout": "1s",
                "type": "STATIC",
                "load_assignment": {
                    "cluster_name": "upstream",
                    "endpoints": [{ "lb_endpoints": [{ "endpoint": { "address": address(ports.upstream) } }] }]
                }
            }]
        }
    })
}

/// The upstream's bootstrap: one listener answering 200 with an empty body.
pub fn upstream(port: u16, admin: u16) -> Value {
    json!({
        "admin": { "address": address(admin) },
        "static_resources": {
            "listeners": [listener("upstream", port, route(Route::Direct), Vec::new())]
        }
    })
}

fn address(port: u16) -> Value {
    json!({ "socket_address": { "address": "127.0.0.1", "port_value": port } })
}

fn route(route: Route) -> Value {
    match route {
        Route::Direct => {
            json!({ "match": { "prefix": "/" }, "direct_response": { "status": 200 } })
        }
        Route::Proxied => json!({ "match": { "prefix": "/" }, "route": { "cluster": "upstream" } }),
    }
}

fn listener(name: &str, port: u16, route: Value, mut http_filters: Vec<Value>) -> Value {
    http_filters.push(json!({
        "name": "envoy.filters.http.router",
        "typed_config": { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" }
    }));
    json!({
        "name": name,
        "address": address(port),
        // A port of its own: without SO_REUSEPORT, a port another process holds fails the start
        // instead of sharing its connections.
        "enable_reuse_port": false,
        "filter_chains": [{
            "filters": [{
                "name": "envoy.filters.network.http_connection_manager",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    "stat_prefix": name,
                    // Close at once after a response to `Connection: close` (the tests' client
                    // reads to the end), not after Envoy's default 1 s wait for the peer.
                    "delayed_close_timeout": "0s",
                    "route_config": {
                        "virtual_hosts": [{ "name": "all", "domains": ["*"], "routes": [route] }]
                    },
                    "http_filters": http_filters
                }
            }]
        }]
    })
}

/// The case's filter, before the router.
fn filters(case: &Case) -> Vec<Value> {
    let Some(filter) = case.filter else {
        return Vec::new();
    };
    if case.strategy == NO_FILTER {
        return Vec::new();
    }
    vec![match (case.strategy, case.go_strategy()) {
        (FLOOR, _) => cpp(filter),
        ("lua", _) => lua(filter),
        (_, Some(go)) => module(GO_MODULE, filter, go),
        (rust, None) => module(RUST_MODULE, filter, rust),
    }]
}

/// The dynamic-modules filter: `filter_name` is the lab's filter, `filter_config` the strategy.
pub fn module(name: &str, filter: &str, strategy: &str) -> Value {
    json!({
        "name": "envoy.filters.http.dynamic_modules",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter",
            "dynamic_module_config": { "name": name, "do_not_close": true },
            "filter_name": filter,
            "filter_config": {
                "@type": "type.googleapis.com/google.protobuf.StringValue",
                "value": strategy
            }
        }
    })
}

/// Envoy's own C++ filter for `filter`, the floor: basic auth with the SHA-1 password, and
/// header_mutation setting the three headers the modules set.
fn cpp(filter: &str) -> Value {
    match filter {
        "basic_auth" => json!({
            "name": "envoy.filters.http.basic_auth",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.basic_auth.v3.BasicAuth",
                "users": { "inline_string": HTPASSWD }
            }
        }),
        _ => {
            let set = |k: &str, v: &str| json!({ "append": { "header": { "key": k, "value": v }, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD" } });
            json!({
                "name": "envoy.filters.http.header_mutation",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
                    "mutations": {
                        "request_mutations": [set("x-lab-seen", "1"), set("x-lab-route", "cluster-a")],
                        "response_mutations": [set("x-lab-response", "cpp")]
                    }
                }
            })
        }
    }
}

/// Envoy's Lua filter doing `filter`'s work, a reference: Lua has no SHA-1, so basic auth
/// decodes the base64 in Lua and compares the password as given.
fn lua(filter: &str) -> Value {
    json!({
        "name": "envoy.filters.http.lua",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
            "default_source_code": { "inline_string": if filter == "basic_auth" { LUA_BASIC_AUTH } else { LUA_HEADER_GET_SET } }
        }
    })
}

const LUA_BASIC_AUTH: &str = r#"
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function decode(s)
  s = s:gsub("=+$", "")
  if s:find("[^%w%+/]") or #s % 4 == 1 then return nil end
  local out, bits, n = {}, 0, 0
  for i = 1, #s do
    bits = bits * 64 + (alphabet:find(s:sub(i, i), 1, true) - 1)
    n = n + 6
    if n >= 8 then
      n = n - 8
      out[#out + 1] = string.char(math.floor(bits / 2 ^ n))
      bits = bits % 2 ^ n
    end
  end
  return table.concat(out)
end
function envoy_on_request(handle)
  local value = handle:headers():get("authorization")
  local ok = false
  if value ~= nil and #value > 6 and value:sub(1, 6):lower() == "basic " then
    local user_pass = decode(value:sub(7):match("^%s*(.-)$"))
    ok = user_pass == "lab:secret"
  end
  if not ok then
    handle:respond({[":status"] = "401", ["www-authenticate"] = 'Basic realm="lab"'}, "")
  end
end
"#;

const LUA_HEADER_GET_SET: &str = r#"
function envoy_on_request(handle)
  local h = handle:headers()
  local n = 0
  for _, name in ipairs({":path", "user-agent", "x-request-id", "accept"}) do
    local v = h:get(name)
    if v ~= nil then n = n + #v end
  end
  h:replace("x-lab-seen", "1")
  h:replace("x-lab-route", "cluster-a")
end
function envoy_on_response(handle)
  handle:headers():replace("x-lab-response", "lua")
end
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::envoy::cases::cases;

    #[test]
    fn every_case_has_a_listener_with_its_filter_then_the_router() {
        let all = cases();
        let ports = Ports {
            admin: 9000,
            upstream: 9001,
            cases: all.iter().cloned().zip(10_000..).collect(),
        };
        let b = bootstrap(&ports);
        let listeners = b["static_resources"]["listeners"].as_array().unwrap();
        assert_eq!(listeners.len(), all.len());
        for (l, case) in listeners.iter().zip(&all) {
            let hcm = &l["filter_chains"][0]["filters"][0]["typed_config"];
            let filters = hcm["http_filters"].as_array().unwrap();
            let expect = if case.strategy == NO_FILTER { 1 } else { 2 };
            assert_eq!(filters.len(), expect, "{}", case.name());
            assert_eq!(filters.last().unwrap()["name"], "envoy.filters.http.router");
            let r = &hcm["route_config"]["virtual_hosts"][0]["routes"][0];
            assert_eq!(r.get("route").is_some(), case.route == Route::Proxied);
        }
        let go = listeners
            .iter()
            .find(|l| l["name"] == "basic_auth/go_view")
            .unwrap();
        let f = &go["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"][0];
        assert_eq!(
            f["typed_config"]["dynamic_module_config"]["name"],
            GO_MODULE
        );
        assert_eq!(f["typed_config"]["filter_config"]["value"], "view");
    }
}
