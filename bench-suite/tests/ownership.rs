//! FINDINGS.md S13 ownership of headers and data: what Envoy's Go filter enforces at run time (a
//! state machine recording that a header map's ownership passed to Go) the Rust types enforce at
//! compile time. Each file under `compile_fail/` must be rejected by the compiler, with the error
//! its `.stderr` snapshot records (regenerate with `TRYBUILD=overwrite cargo test --test ownership`).

#[test]
fn ownership_violations_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
