//! FINDINGS.md S13 ownership of headers and data: what Envoy's Go filter enforces at run time (a
//! state machine recording that a header map's ownership passed to Go) the Rust types enforce at
//! compile time. Each file under `compile_fail/` must be rejected by the compiler, with the error
//! its `.stderr` snapshot records (regenerate with `TRYBUILD=overwrite cargo test --test ownership`).

#[test]
fn ownership_violations_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}

/// The twin of `compile_fail/body_after_handoff.rs` that compiles: the host receives into the
/// buffer the extension gave back, and the extension reads the one it was given.
#[test]
fn a_body_buffer_given_back_receives_again() {
    use lab_bench::r2c::s13_ownership::{checksum, HandoffExtension};
    use lab_sys::host::{BodyBuf, Stream};
    let mut stream = Stream::new(16, 2, 7).unwrap();
    let mut ext = HandoffExtension::new(BodyBuf::with_capacity(16).unwrap());
    let mut buf = BodyBuf::with_capacity(16).unwrap();
    stream.receive(&mut buf).unwrap();
    let first = checksum(buf.as_bytes());
    let mut returned = ext.hand_off(buf);
    assert_eq!(ext.read(), first);
    assert!(returned.is_empty(), "the spare the extension started with");
    stream.receive(&mut returned).unwrap();
    let second = checksum(returned.as_bytes());
    assert_ne!(second, first);
    let back = ext.hand_off(returned);
    assert_eq!(ext.read(), second);
    assert_eq!(
        checksum(back.as_bytes()),
        first,
        "the first buffer, given back intact"
    );
}

/// A body buffer may be handed to another thread (Envoy hands Go's buffer to a goroutine).
#[test]
fn a_body_buffer_is_send() {
    fn send<T: Send>() {}
    send::<lab_sys::host::BodyBuf>();
}
