//! The directive's strategy names (src/strategy.rs), tested apart from nginx: the module's cdylib
//! leaves nginx's symbols to the loading binary, so no test executable links it (the module itself
//! is tested inside nginx by bench-suite/lab-bench/tests/nginx_module.rs; the filters' own work by
//! hosts/filters' tests).

#[path = "../src/strategy.rs"]
mod strategy;

use strategy::Strategy;

#[test]
fn strategy_names() {
    assert_eq!(Strategy::parse(b"borrow"), Some(Strategy::Borrow));
    assert_eq!(
        Strategy::parse(b"copy_per_header"),
        Some(Strategy::CopyPerHeader)
    );
    assert_eq!(Strategy::parse(b"bulk_copy"), Some(Strategy::BulkCopy));
    assert_eq!(Strategy::parse(b"bulk_borrow"), None);
    assert_eq!(Strategy::parse(b"Borrow"), None);
}
