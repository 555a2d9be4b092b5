//! S02 pass a string R→C (FINDINGS.md). `C.CString` is malloc + copy + NUL + free; pointer +
//! length with `#cgo noescape` is no copy at all (the documents: 87.02 → 61.30 ns). In Rust:
//! `cstring` (CString::new: allocation, NUL scan, copy, and the host's strlen, then free) against
//! `ptr_len` (the borrowed slice itself); `cstring_prechecked` makes the C string of bytes already
//! known free of NUL (checked once, when the payload was made), as Go's `C.CString` copies without
//! a scan. Expected allocations per call: 1, 0 and 1.

use std::ffi::CString;
use std::rc::Rc;

use crate::case::{Case, Expect, Scenario, Sweep};
use crate::{params, strategies};
use lab_sys::alloc::note_copy;
use lab_sys::host::{self, LabError};
use lab_sys::payload;

pub const SCENARIO: Scenario = Scenario {
    id: "s02_pass_string",
    strategies_agree: true,
    cases,
};

pub const LENS: &[usize] = &[8, 16, 64, 256, 1024, 4096, 16384, 65536];

/// The string Rust hands to the host, with where its first NUL is, found once when it was made
/// (the knowledge `cstring_prechecked` relies on: the bytes never change after).
pub struct Payload {
    bytes: Vec<u8>,
    nul_at: Option<usize>,
}

impl Payload {
    pub fn new(bytes: Vec<u8>) -> Payload {
        let nul_at = bytes.iter().position(|&b| b == 0);
        Payload { bytes, nul_at }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A fresh NUL-terminated copy per call. Fails on an interior NUL: a C string cannot carry it.
pub fn cstring(p: &Payload) -> Result<u64, LabError> {
    let c = CString::new(p.bytes()).map_err(|e| LabError::InteriorNul {
        position: e.nul_position(),
    })?;
    note_copy(p.bytes.len() + 1);
    host::consume_cstr(&c)
}

/// A fresh NUL-terminated copy of bytes known free of NUL: one allocation of the length plus one,
/// the copy, the terminator, and no scan (the payload was checked once when it was made). Bytes
/// with a NUL are refused as `cstring` refuses them.
pub fn cstring_prechecked(p: &Payload) -> Result<u64, LabError> {
    if let Some(position) = p.nul_at {
        return Err(LabError::InteriorNul { position });
    }
    let mut v = Vec::with_capacity(p.bytes.len() + 1);
    v.extend_from_slice(&p.bytes);
    v.push(0);
    // SAFETY: `nul_at` is None, so `Payload::new` found no NUL in `bytes`, which nothing changes
    // after; the one NUL is the terminator just pushed, last.
    let c = unsafe { CString::from_vec_with_nul_unchecked(v) };
    note_copy(p.bytes.len() + 1);
    host::consume_cstr(&c)
}

/// The bytes where they are: pointer and length, no copy, no terminator.
pub fn ptr_len(p: &Payload) -> Result<u64, LabError> {
    host::consume_str(&p.bytes)
}

/// The floor: C calling `lab_consume_str` on the same bytes (`lab_native_s02_pass_string`).
pub fn native(p: &Payload, iters: u64) -> Result<u64, LabError> {
    lab_sys::native::s02_pass_string(&p.bytes, iters)
}

fn cases(sweep: Sweep) -> Vec<Case> {
    let mut cases = Vec::new();
    for len in sweep.pick(LENS) {
        let input = Rc::new(Payload::new(payload(len, 2)));
        cases.push(Case::native(&params!(len), Expect::NONE, &input, native));
        strategies!(cases, params!(len), input, [
            // The copy carries the NUL; the host's strlen reads it and copies nothing.
            cstring => Expect::new(1, 0, len + 1),
            cstring_prechecked => Expect::new(1, 0, len + 1),
            ptr_len => Expect::NONE,
        ]);
    }
    cases
}
