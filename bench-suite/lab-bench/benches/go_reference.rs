//! `cargo bench --bench go_reference`: the same scenarios in Go through cgo, measured in this run
//! beside Rust (`go test -bench` for Go→C, the C driver for C→Go); see `lab_bench::engines::go`.
fn main() {
    lab_bench::command::main(&lab_bench::engines::go::GoReference);
}
