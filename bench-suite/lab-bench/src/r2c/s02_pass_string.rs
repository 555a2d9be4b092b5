//! S02 pass a string R→C (FINDINGS.md). `C.CString` is malloc + copy + NUL + free; pointer +
//! length with `#cgo noescape` is no copy at all (the documents: 87.02 → 61.30 ns). In Rust:
//! `cstring` (CString::new: allocation, NUL scan, copy, and the host's strlen, then free) against
//! `ptr_len` (the borrowed slice itself). Expected allocations per call: 1 vs 0.

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

/// The string Rust hands to the host.
pub struct Payload(pub Vec<u8>);

/// A fresh NUL-terminated copy per call. Fails on an interior NUL: a C string cannot carry it.
pub fn cstring(p: &Payload) -> Result<u64, LabError> {
    let c = CString::new(p.0.as_slice()).map_err(|e| LabError::InteriorNul {
        position: e.nul_position(),
    })?;
    note_copy(p.0.len() + 1);
    host::consume_cstr(&c)
}

/// The bytes where they are: pointer and length, no copy, no terminator.
pub fn ptr_len(p: &Payload) -> Result<u64, LabError> {
    host::consume_str(&p.0)
}

/// The floor: C calling `lab_consume_str` on the same bytes (`lab_native_s02_pass_string`).
pub fn native(p: &Payload, iters: u64) -> Result<u64, LabError> {
    lab_sys::native::s02_pass_string(&p.0, iters)
}

fn cases(sweep: Sweep) -> Vec<Case> {
    let mut cases = Vec::new();
    for len in sweep.pick(LENS) {
        let input = Rc::new(Payload(payload(len, 2)));
        cases.push(Case::native(&params!(len), Expect::NONE, &input, native));
        strategies!(cases, params!(len), input, [
            // The copy carries the NUL; the host's strlen reads it and copies nothing.
            cstring => Expect::new(1, 0, len + 1),
            ptr_len => Expect::NONE,
        ]);
    }
    cases
}
