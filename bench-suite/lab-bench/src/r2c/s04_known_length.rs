//! S04 get a string of known length from C (FINDINGS.md). Envoy passes sizes on entry, so Go
//! allocates and C++ copies straight into it: one copy instead of "one and a half or two". In Rust:
//! `prealloc_heap` (a `Vec` with the exact capacity, filled by the host), `prealloc_reused` (one
//! buffer kept across calls), `prealloc_stack` (a stack array), against S03's `clone_on_return`.
//! Allocations: 1 / 0 (amortised) / 0, and 1 for the clone.

use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::rc::Rc;

use super::s03_unknown_length::{self as s03, HeaderFixture, NAME};
use crate::case::{Case, Expect, Scenario, Sweep};
use crate::{params, strategies};
use lab_sys::digest;
use lab_sys::host::LabError;

pub const SCENARIO: Scenario = Scenario {
    id: "s04_known_length",
    strategies_agree: true,
    cases,
};

pub const LENS: &[usize] = s03::LENS;

/// S03's fixture plus the buffer `prealloc_reused` keeps between calls.
pub struct Known {
    pub fixture: HeaderFixture,
    pub reused: RefCell<Vec<u8>>,
    /// The native floor's buffer and where in it the copy goes: half a page away from the host's
    /// value modulo 4 KiB, so no load of the copy 4 KiB-aliases a store, which would make the
    /// floor slower than the rows it floors (docs/evidence/2026-12-01-native-floors.md).
    native: RefCell<(Vec<MaybeUninit<u8>>, usize)>,
}

impl Known {
    pub fn new(len: usize) -> Self {
        const PAGE: usize = 4096;
        let fixture = HeaderFixture::new(len);
        let src = fixture
            .req
            .header(NAME)
            .expect("the fixture has its header")
            .as_bytes()
            .as_ptr() as usize;
        let block = vec![MaybeUninit::uninit(); len + 2 * PAGE];
        let base = block.as_ptr() as usize;
        let at = (src + PAGE / 2).wrapping_sub(base) % PAGE;
        Known {
            fixture,
            reused: RefCell::new(Vec::new()),
            native: RefCell::new((block, at)),
        }
    }
}

/// A fresh `Vec` of exactly the known length, filled by the host.
pub fn prealloc_heap(k: &Known) -> Result<u64, LabError> {
    let mut buf: Vec<u8> = Vec::with_capacity(k.fixture.len);
    let filled = fill(k, &mut buf)?;
    Ok(digest(&buf[..filled]))
}

/// One buffer kept across calls: after the first, no allocation at all.
pub fn prealloc_reused(k: &Known) -> Result<u64, LabError> {
    let mut buf = k.reused.borrow_mut();
    buf.clear();
    buf.reserve(k.fixture.len);
    let filled = fill(k, &mut buf)?;
    Ok(digest(&buf[..filled]))
}

/// Has the host copy the value into `buf`'s spare capacity and makes it part of the `Vec`.
#[inline(always)]
fn fill(k: &Known, buf: &mut Vec<u8>) -> Result<usize, LabError> {
    let spare = &mut buf.spare_capacity_mut()[..k.fixture.len];
    let filled = k.fixture.req.header_copy(NAME, spare)?.len();
    // SAFETY: header_copy initialised the first `filled` bytes of the spare capacity, which
    // start at buf.len() == 0 (both callers pass an empty Vec).
    unsafe { buf.set_len(filled) };
    Ok(filled)
}

/// A stack array sized for the value: no allocation, but the bytes live only for the call. Each
/// capacity is its own non-inlined frame, so a short value pays for a short frame, not for the
/// largest (64 KiB) and its stack probe of 16 pages (docs/evidence/2026-12-01-native-floors.md).
/// Frames past a page still probe each page they reserve: that is the price of a large stack
/// buffer.
pub fn prealloc_stack(k: &Known) -> Result<u64, LabError> {
    match k.fixture.len {
        0..=256 => stack_fill::<256>(k),
        257..=2048 => stack_fill::<2048>(k),
        2049..=4096 => stack_fill::<4096>(k),
        4097..=16384 => stack_fill::<16384>(k),
        _ => stack_fill::<65536>(k),
    }
}

#[inline(never)]
fn stack_fill<const CAP: usize>(k: &Known) -> Result<u64, LabError> {
    let mut buf = [MaybeUninit::<u8>::uninit(); CAP];
    let value = k
        .fixture
        .req
        .header_copy(NAME, &mut buf[..k.fixture.len.min(CAP)])?;
    Ok(digest(value))
}

/// The floor: C calling `lab_header_copy` into a buffer it holds and digesting the copy
/// (`lab_native_s04_known_length`), into a buffer it holds at a page offset it chose (`Known::new`).
pub fn native(k: &Known, iters: u64) -> Result<u64, LabError> {
    let mut native = k.native.borrow_mut();
    let (block, at) = &mut *native;
    let buf = &mut block[*at..*at + k.fixture.len];
    lab_sys::native::s04_known_length(&k.fixture.req, NAME, buf, iters)
}

/// S03's `clone_on_return`, the baseline that does not use the known length.
pub fn clone_on_return(k: &Known) -> Result<u64, LabError> {
    s03::clone_on_return(&k.fixture)
}

fn cases(sweep: Sweep) -> Vec<Case> {
    let mut cases = Vec::new();
    for len in sweep.pick(LENS) {
        let input = Rc::new(Known::new(len));
        // The prealloc strategies' one copy is the host's, into memory the caller provides;
        // prealloc_reused's one allocation is the warm-up call's.
        cases.push(Case::native(
            &params!(len),
            Expect::new(0, 0, len),
            &input,
            native,
        ));
        strategies!(cases, params!(len), input, [
            prealloc_heap => Expect::new(1, 0, len),
            prealloc_reused => Expect::new(0, 0, len),
            prealloc_stack => Expect::new(0, 0, len),
            clone_on_return => Expect::new(1, 0, len),
        ]);
    }
    cases
}
