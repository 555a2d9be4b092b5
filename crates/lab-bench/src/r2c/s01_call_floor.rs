//! S01 call floor (FINDINGS.md): the cost of a bare R→C call, with and without arguments, beside
//! a call that stays in Rust and a `memcpy` sweep — the floors every other R→C scenario is
//! divided by. The documents measured tens of ns for Go→C (runtime.cgocall); an `extern "C"` call
//! from Rust needs no runtime hand-off, so it should cost what any non-inlined call costs.

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;

use crate::case::{Case, Expect, Scenario, Sweep};
use crate::{params, strategies};
use lab_sys::alloc::note_copy;
use lab_sys::host::{self, LabError};
use lab_sys::payload;

pub const SCENARIO: Scenario = Scenario {
    id: "s01_call_floor",
    strategies_agree: false,
    cases,
};

/// Lengths of the memcpy floor: those of S02–S04.
pub const LENS: &[usize] = &[8, 16, 64, 256, 1024, 4096, 16384, 65536];

pub struct Input {
    a: u64,
    b: u64,
    src: Vec<u8>,
    dst: RefCell<Vec<u8>>,
}

impl Input {
    pub fn new(len: usize) -> Self {
        Input {
            a: 0x1234,
            b: 0x5678,
            src: payload(len, 1),
            dst: RefCell::new(vec![0; len]),
        }
    }
}

/// The empty call: `lab_noop()`.
pub fn empty_call(_: &Input) -> Result<u64, LabError> {
    host::noop();
    Ok(0)
}

/// A call with four arguments whose result depends on all of them.
pub fn call_with_args(i: &Input) -> Result<u64, LabError> {
    Ok(host::noop_args(i.a, i.b, &i.src))
}

/// The same four-argument call to a Rust `extern "C"` function that is never inlined: what a call
/// costs when no language boundary is crossed.
pub fn rust_call(i: &Input) -> Result<u64, LabError> {
    Ok(rust_noop_args(i.a, i.b, i.src.as_ptr(), i.src.len()))
}

#[inline(never)]
extern "C" fn rust_noop_args(a: u64, b: u64, ptr: *const u8, len: usize) -> u64 {
    (black_box(a) ^ b)
        .wrapping_add(ptr as u64)
        .wrapping_add(len as u64)
}

/// Copying `len` bytes between two buffers that already exist: the floor of any strategy that
/// copies.
pub fn memcpy(i: &Input) -> Result<u64, LabError> {
    let mut dst = i.dst.borrow_mut();
    dst.copy_from_slice(&i.src);
    note_copy(i.src.len());
    Ok(lab_sys::digest(&dst))
}

fn cases(sweep: Sweep) -> Vec<Case> {
    cases_at(&sweep.pick(LENS))
}

/// The floor cases, then `memcpy` at each of `lens` (the sweep's, or any other: tests check a
/// length that is not a multiple of 8).
pub fn cases_at(lens: &[usize]) -> Vec<Case> {
    let mut cases = Vec::new();
    let input = Rc::new(Input::new(16));
    strategies!(cases, params!(), input, [
        empty_call => Expect::NONE,
        call_with_args => Expect::NONE,
        rust_call => Expect::NONE,
    ]);
    for &len in lens {
        let input = Rc::new(Input::new(len));
        strategies!(cases, params!(len), input, [memcpy => Expect::new(0, 0, len)]);
    }
    cases
}
