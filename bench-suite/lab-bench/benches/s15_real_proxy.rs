//! `cargo bench --bench s15_real_proxy`: the lab's filters as a Rust module inside the packaged
//! nginx, beside the same filters as a C module (the floor) and nginx's own built-in directives,
//! Lua and njs, under wrk; see `lab_bench::engines::nginx`. Without nginx
//! installed it says "nginx: not measured" and writes nothing.
fn main() {
    lab_bench::command::main(&lab_bench::engines::nginx::NginxHost);
}
