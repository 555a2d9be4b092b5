//! `cargo bench --bench s16_envoy`: the lab's filters as Rust and Go dynamic modules inside Envoy,
//! beside Envoy's own C++ filters (the floor) and Lua, under wrk; see
//! `lab_bench::engines::envoy`. Without Envoy it says "Envoy: not measured" and writes nothing.
fn main() {
    lab_bench::command::main(&lab_bench::engines::envoy::EnvoyHost);
}
