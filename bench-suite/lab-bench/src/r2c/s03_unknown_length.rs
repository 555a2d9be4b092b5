//! S03 get a string of unknown length from C (FINDINGS.md). The host writes pointer and length into
//! out-parameters; Go then either builds an unsafe string over C memory (valid only while C keeps
//! it, by discipline) or clones it with `strings.Clone`. In Rust: `borrow` (a view whose lifetime
//! the compiler ties to the request), `clone_on_return` (an owned `Box<[u8]>`), `clone_utf8` (an
//! owned `String`, validated — the analog of a run-time safety check). Allocations: 0 / 1 / 1.

use std::rc::Rc;

use crate::case::{Case, Expect, Scenario, Sweep};
use crate::{params, strategies};
use lab_sys::alloc::note_copy;
use lab_sys::host::{LabError, Request};
use lab_sys::{digest, payload};

pub const SCENARIO: Scenario = Scenario {
    id: "s03_unknown_length",
    strategies_agree: true,
    cases,
};

pub const LENS: &[usize] = &[8, 16, 64, 256, 1024, 4096, 16384, 65536];

/// The header every S03/S04 strategy reads.
pub const NAME: &[u8] = b"x-payload";

/// A request holding a `len`-byte header value (S03 and S04 share it).
pub struct HeaderFixture {
    pub req: Request,
    /// The value's length, as Envoy would pass it on entry (S04 uses it; S03 must not).
    pub len: usize,
}

impl HeaderFixture {
    pub fn new(len: usize) -> Self {
        let mut req = Request::realistic(8, 3).expect("host allocation");
        req.set_header(NAME, &payload(len, 3))
            .expect("valid header");
        HeaderFixture { req, len }
    }
}

/// A view of host memory, valid while the request is borrowed. No copy.
pub fn borrow(f: &HeaderFixture) -> Result<u64, LabError> {
    let value = f.req.header(NAME)?;
    Ok(digest(value.as_bytes()))
}

/// An owned copy, made once the length is known.
pub fn clone_on_return(f: &HeaderFixture) -> Result<u64, LabError> {
    let owned: Box<[u8]> = f.req.header(NAME)?.as_bytes().into();
    note_copy(owned.len());
    Ok(digest(&owned))
}

/// An owned, UTF-8-validated `String`. Invalid UTF-8 is an error, not a lossy conversion.
pub fn clone_utf8(f: &HeaderFixture) -> Result<u64, LabError> {
    let value = f.req.header(NAME)?;
    let text = std::str::from_utf8(value.as_bytes()).map_err(|e| LabError::InvalidUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    let owned = text.to_owned();
    note_copy(owned.len());
    Ok(digest(owned.as_bytes()))
}

/// The floor: C calling `lab_header_get` on the same request and digesting the value
/// (`lab_native_s03_unknown_length`). The lookup scans the request's 9 headers: it is part of the
/// work, on both sides.
pub fn native(f: &HeaderFixture, iters: u64) -> Result<u64, LabError> {
    lab_sys::native::s03_unknown_length(&f.req, NAME, iters)
}

fn cases(sweep: Sweep) -> Vec<Case> {
    let mut cases = Vec::new();
    for len in sweep.pick(LENS) {
        let input = Rc::new(HeaderFixture::new(len));
        cases.push(Case::native(&params!(len), Expect::NONE, &input, native));
        strategies!(cases, params!(len), input, [
            borrow => Expect::NONE,
            clone_on_return => Expect::new(1, 0, len),
            clone_utf8 => Expect::new(1, 0, len),
        ]);
    }
    cases
}
