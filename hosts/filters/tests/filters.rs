//! The shared filter logic on good and bad input: what the nginx and Envoy modules rely on.

use lab_filters::basic_auth::{self, Htpasswd, HTPASSWD, MAX_DECODED};
use lab_filters::{base64, Filter};

/// Bad `Authorization` values every check refuses.
fn bad_values() -> Vec<Option<Vec<u8>>> {
    let mut long = b"Basic ".to_vec();
    long.extend([b'A'; 65536]);
    vec![
        None,
        Some(b"Basic bGFiOndyb25n".to_vec()), // lab:wrong
        Some(b"Basic !!!!".to_vec()),
        Some(b"Basic bGFic2VjcmV0".to_vec()), // "labsecret": no colon
        Some(b"Bearer bGFiOnNlY3JldA==".to_vec()),
        Some(b"Basic".to_vec()),
        Some(b"Basic ".to_vec()),
        Some(vec![b'A'; 65536]),
        Some(long),
        Some(b"Basic \xff\xfe".to_vec()),
        Some(b"Basic bWU6c2VjcmV0".to_vec()),     // me:secret
        Some(b"Basic bGFiOnNlY3JldDI=".to_vec()), // lab:secret2
        Some(b"Basic bGFiOg==".to_vec()),         // lab: (empty password)
    ]
}

#[test]
fn plain_check() {
    assert!(basic_auth::plain_ok(Some(b"Basic bGFiOnNlY3JldA==")));
    assert!(basic_auth::plain_ok(Some(b"basic   bGFiOnNlY3JldA")));
    for v in bad_values() {
        assert!(
            !basic_auth::plain_ok(v.as_deref()),
            "{:?}",
            v.map(|v| v.len())
        );
    }
}

#[test]
fn sha_check() {
    let users = Htpasswd::parse(HTPASSWD).expect("the lab's htpasswd line parses");
    assert!(users.sha_ok(Some(b"Basic bGFiOnNlY3JldA==")));
    assert!(users.sha_ok(Some(b"basic   bGFiOnNlY3JldA")));
    for v in bad_values() {
        assert!(!users.sha_ok(v.as_deref()), "{:?}", v.map(|v| v.len()));
    }
    // Another stored password: `secret` no longer passes, the new one does.
    let other = Htpasswd::parse("lab:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=").unwrap(); // SHA-1("test")
    assert!(!other.sha_ok(Some(b"Basic bGFiOnNlY3JldA==")));
    assert!(other.sha_ok(Some(b"Basic bGFiOnRlc3Q="))); // lab:test
}

#[test]
fn htpasswd_forms() {
    assert!(Htpasswd::parse("lab:{PLAIN}secret").is_none());
    assert!(Htpasswd::parse("lab:5en6G6MezRroT3XKqkdPOmY/BfQ=").is_none());
    assert!(Htpasswd::parse(":{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=").is_none());
    assert!(
        Htpasswd::parse("lab:{SHA}5en6G6Mez").is_none(),
        "not 20 bytes"
    );
    assert!(Htpasswd::parse("lab:{SHA}!!!!").is_none());
    assert!(Htpasswd::parse("lab").is_none());
}

#[test]
fn parse_splits_at_first_colon() {
    let mut buf = [0u8; MAX_DECODED];
    // "a:b:c"
    let (user, password) = basic_auth::parse(Some(b"Basic YTpiOmM="), &mut buf).unwrap();
    assert_eq!((user, password), (&b"a"[..], &b"b:c"[..]));
}

#[test]
fn base64_decode() {
    let mut out = [0u8; 16];
    assert_eq!(base64::decode(b"bGFiOnNlY3JldA==", &mut out), Some(10));
    assert_eq!(&out[..10], b"lab:secret");
    assert_eq!(base64::decode(b"YQ", &mut out), Some(1));
    assert_eq!(&out[..1], b"a");
    assert_eq!(base64::decode(b"YWI", &mut out), Some(2));
    assert_eq!(&out[..2], b"ab");
    assert_eq!(base64::decode(b"", &mut out), Some(0));
    assert_eq!(base64::decode(b"Y", &mut out), None);
    assert_eq!(base64::decode(b"YW=I", &mut out), None);
    assert_eq!(base64::decode(&[b'A'; 64], &mut out), None, "does not fit");
}

#[test]
fn base64_encode_round_trips() {
    let mut enc = [0u8; 64];
    let mut dec = [0u8; 48];
    for (input, expected) in [
        (&b""[..], &b""[..]),
        (b"a", b"YQ=="),
        (b"ab", b"YWI="),
        (b"abc", b"YWJj"),
        (b"lab:secret", b"bGFiOnNlY3JldA=="),
    ] {
        let n = base64::encode(input, &mut enc).unwrap();
        assert_eq!(&enc[..n], expected);
        assert_eq!(base64::decode(&enc[..n], &mut dec), Some(input.len()));
        assert_eq!(&dec[..input.len()], input);
    }
    let all: Vec<u8> = (0..=255).collect();
    let mut big = [0u8; 344];
    let n = base64::encode(&all, &mut big).unwrap();
    let mut back = [0u8; 256];
    assert_eq!(base64::decode(&big[..n], &mut back), Some(256));
    assert_eq!(back.as_slice(), all.as_slice());
    assert_eq!(base64::encode(b"abcd", &mut [0u8; 7]), None, "too short");
}

#[test]
fn filter_names() {
    assert_eq!(Filter::parse(b"basic_auth"), Some(Filter::BasicAuth));
    assert_eq!(Filter::parse(b"header_get_set"), Some(Filter::HeaderGetSet));
    assert_eq!(Filter::parse(b"panic"), Some(Filter::Panic));
    assert_eq!(Filter::parse(b"off"), None);
    assert_eq!(Filter::parse(b""), None);
    assert_eq!(Filter::parse(b"Basic_Auth"), None);
}
