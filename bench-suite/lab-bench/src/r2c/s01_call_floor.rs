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
    /// `memcpy`'s source and destination, in one block (see [`Input::new`]).
    copy: RefCell<CopyBuffers>,
}

/// Two buffers of `len` bytes in one page-aligned block, placed so that the destination is half a
/// page away from the source modulo 4 KiB. Two `Vec`s from malloc are neighbours at the same page
/// offset, and then every load of the copy 4 KiB-aliases a store in flight, which would make the
/// floor slower than the rows that copy (docs/evidence/2026-12-01-native-floors.md).
pub struct CopyBuffers {
    block: Box<[u8]>,
    src: usize,
    dst: usize,
    len: usize,
}

impl CopyBuffers {
    fn new(bytes: &[u8]) -> Self {
        const PAGE: usize = 4096;
        let len = bytes.len();
        let src = 0;
        let dst = len.div_ceil(PAGE) * PAGE + PAGE / 2;
        // Over-allocate by a page and start at the first page boundary inside.
        let mut block = vec![0u8; dst + len + PAGE].into_boxed_slice();
        let base = block.as_ptr().align_offset(PAGE);
        block[base + src..base + src + len].copy_from_slice(bytes);
        CopyBuffers {
            block,
            src: base + src,
            dst: base + dst,
            len,
        }
    }
}

impl Input {
    pub fn new(len: usize) -> Self {
        let src = payload(len, 1);
        Input {
            a: 0x1234,
            b: 0x5678,
            copy: RefCell::new(CopyBuffers::new(&src)),
            src,
        }
    }
}

/// The empty call: `lab_noop()`.
pub fn empty_call(_: &Input) -> Result<u64, LabError> {
    host::noop();
    Ok(0)
}

/// The floor: C calling `lab_noop` (`lab_native_s01_call_floor`), the same empty call made by a
/// C caller of the host.
pub fn native(_: &Input, iters: u64) -> Result<u64, LabError> {
    lab_sys::native::s01_call_floor(iters)
}

/// A call with four arguments whose result depends on all of them.
pub fn call_with_args(i: &Input) -> Result<u64, LabError> {
    Ok(host::noop_args(i.a, i.b, &i.src))
}

/// The same four-argument call to a Rust `extern "C"` function that is never inlined: what a call
/// costs when no language boundary is crossed. A direct call: the function is in this binary.
pub fn rust_call(i: &Input) -> Result<u64, LabError> {
    Ok(rust_noop_args(i.a, i.b, i.src.as_ptr(), i.src.len()))
}

/// The same Rust function called through a pointer loaded from memory: the shape of the call into
/// C, which Rust makes through the GOT (`call *lab_noop_args@GOTPCREL(%rip)`), because a foreign
/// function may live in a shared object. `call_with_args` against this is the boundary alone;
/// against `rust_call`, the boundary plus the indirection.
pub fn rust_call_indirect(i: &Input) -> Result<u64, LabError> {
    let f: extern "C" fn(u64, u64, *const u8, usize) -> u64 = black_box(rust_noop_args);
    Ok(f(i.a, i.b, i.src.as_ptr(), i.src.len()))
}

#[inline(never)]
extern "C" fn rust_noop_args(a: u64, b: u64, ptr: *const u8, len: usize) -> u64 {
    (black_box(a) ^ b)
        .wrapping_add(ptr as u64)
        .wrapping_add(len as u64)
}

/// Copying `len` bytes between two buffers that already exist, at controlled page offsets: the
/// floor of any strategy that copies.
pub fn memcpy(i: &Input) -> Result<u64, LabError> {
    let mut c = i.copy.borrow_mut();
    let CopyBuffers {
        block,
        src,
        dst,
        len,
    } = &mut *c;
    let (head, tail) = block.split_at_mut(*dst);
    let out = &mut tail[..*len];
    out.copy_from_slice(&head[*src..*src + *len]);
    note_copy(*len);
    Ok(lab_sys::digest(out))
}

fn cases(sweep: Sweep) -> Vec<Case> {
    cases_at(&sweep.pick(LENS))
}

/// The floor cases, then `memcpy` at each of `lens` (the sweep's, or any other: tests check a
/// length that is not a multiple of 8).
pub fn cases_at(lens: &[usize]) -> Vec<Case> {
    let mut cases = Vec::new();
    let input = Rc::new(Input::new(16));
    cases.push(Case::native(&params!(), Expect::NONE, &input, native));
    strategies!(cases, params!(), input, [
        empty_call => Expect::NONE,
        call_with_args => Expect::NONE,
        rust_call => Expect::NONE,
        rust_call_indirect => Expect::NONE,
    ]);
    for &len in lens {
        let input = Rc::new(Input::new(len));
        strategies!(cases, params!(len), input, [memcpy => Expect::new(0, 0, len)]);
    }
    cases
}
