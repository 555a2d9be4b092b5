//! The filters' own work (src/filters.rs), tested apart from nginx: the module's cdylib leaves
//! nginx's symbols to the loading binary, so no test executable links it (the module itself is
//! tested inside nginx by bench-suite/lab-bench/tests/nginx_module.rs).

#[path = "../src/filters.rs"]
#[allow(dead_code)]
mod filters;

use filters::{basic_auth_ok, decode_base64, Filter, Strategy};

#[test]
fn credentials() {
    assert!(basic_auth_ok(Some(b"Basic bGFiOnNlY3JldA==")));
    assert!(basic_auth_ok(Some(b"basic   bGFiOnNlY3JldA")));
    assert!(!basic_auth_ok(None));
    assert!(!basic_auth_ok(Some(b"Basic bGFiOndyb25n"))); // lab:wrong
    assert!(!basic_auth_ok(Some(b"Basic !!!!")));
    assert!(!basic_auth_ok(Some(b"Basic bGFic2VjcmV0"))); // "labsecret": no colon
    assert!(!basic_auth_ok(Some(b"Bearer bGFiOnNlY3JldA==")));
    assert!(!basic_auth_ok(Some(b"Basic")));
    assert!(!basic_auth_ok(Some(&[b'A'; 65536])));
    let mut long = b"Basic ".to_vec();
    long.extend([b'A'; 65536]);
    assert!(!basic_auth_ok(Some(&long)));
    assert!(!basic_auth_ok(Some(b"Basic \xff\xfe")));
}

#[test]
fn base64() {
    let mut out = [0u8; 16];
    assert_eq!(decode_base64(b"bGFiOnNlY3JldA==", &mut out), Some(10));
    assert_eq!(&out[..10], b"lab:secret");
    assert_eq!(decode_base64(b"YQ", &mut out), Some(1));
    assert_eq!(&out[..1], b"a");
    assert_eq!(decode_base64(b"YWI", &mut out), Some(2));
    assert_eq!(&out[..2], b"ab");
    assert_eq!(decode_base64(b"", &mut out), Some(0));
    assert_eq!(decode_base64(b"Y", &mut out), None);
    assert_eq!(decode_base64(b"YW=I", &mut out), None);
    assert_eq!(decode_base64(&[b'A'; 64], &mut out), None, "does not fit");
}

#[test]
fn directive_names() {
    assert_eq!(Filter::parse(b"basic_auth"), Some(Filter::BasicAuth));
    assert_eq!(Filter::parse(b"header_get_set"), Some(Filter::HeaderGetSet));
    assert_eq!(Filter::parse(b"panic"), Some(Filter::Panic));
    assert_eq!(Filter::parse(b"off"), None);
    assert_eq!(Strategy::parse(b"borrow"), Some(Strategy::Borrow));
    assert_eq!(
        Strategy::parse(b"copy_per_header"),
        Some(Strategy::CopyPerHeader)
    );
    assert_eq!(Strategy::parse(b"bulk_copy"), Some(Strategy::BulkCopy));
    assert_eq!(Strategy::parse(b"bulk_borrow"), None);
}
