//! The last step of `cargo bench`: cargo runs this package's bench targets after lab-bench's, so
//! every run, filtered or not and whatever its pass, ends with `REPORT.md` and the plots rebuilt
//! once from the records the run left in `results/<machine>/` (`LAB_OUT` and `LAB_QUICK` as the
//! measuring targets read them). Under `cargo test --benches` it writes nothing.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if lab_record::local::checking(&args) {
        println!("report: built after a run, not in a check ... ok");
        return;
    }
    let root = lab_record::local::out_root(lab_record::local::quick(&args));
    let machine = lab_record::local::machine_id();
    if !root.join("results").join(&machine).is_dir() {
        println!(
            "lab: no records of {machine} under {}: no report",
            root.display()
        );
        return;
    }
    match lab_report::write_report(&root, &machine) {
        Ok(path) => println!("lab: wrote {}", path.display()),
        Err(e) => {
            eprintln!("lab: writing the report: {e}");
            std::process::exit(1);
        }
    }
}
