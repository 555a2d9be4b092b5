//! S04 get a string of known length from C (FINDINGS.md). Envoy passes sizes on entry, so Go
//! allocates and C++ copies straight into it: one copy instead of "one and a half or two". In Rust:
//! `prealloc_heap` (a fresh buffer for the known length, filled by the host), `prealloc_reused`
//! (one buffer kept across calls), `prealloc_stack` (a stack array), against S03's
//! `clone_on_return`. Allocations: 1 / 0 (amortised) / 0, and 1 for the clone. Every row, the floor
//! included, copies to the same place relative to the host's value ([`window`]).

use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::rc::Rc;

use super::s03_unknown_length::{self as s03, HeaderFixture, NAME};
use crate::case::{Case, Expect, Scenario, Sweep};
use crate::{params, strategies};
use lab_sys::alloc::note_copy;
use lab_sys::digest;
use lab_sys::host::LabError;

pub const SCENARIO: Scenario = Scenario {
    id: "s04_known_length",
    strategies_agree: true,
    cases,
};

pub const LENS: &[usize] = s03::LENS;

/// A page: the period of 4 KiB aliasing.
const PAGE: usize = 4096;

/// Where every row of this scenario (the floor included) puts its copy of the value: `len` bytes
/// starting half a page from the host's value modulo 4 KiB, in a block a page larger than the
/// value that the row owns (kept, fresh per call, or on its stack, as the row's strategy says), so
/// the window can start at any offset. Why one rule: a copy whose destination sits at or just
/// behind its source's offset in the page has its loads 4 KiB-alias the stores in flight (S01 timed
/// a 4 KiB copy at 97–166 ns so, 43 ns not), so a row that malloc or the stack happened to place
/// there looked up to ×1.4 slower for it (docs/evidence/2026-12-01-native-floors.md).
///
/// One exception, [`fresh_block`]: a block allocated on every call takes the extra page only from
/// 4 KiB up. Below, a page more would move the allocation out of glibc's per-thread cache and add
/// ~460 instructions per call (callgrind, 8 B and 1 KiB), a cost no real caller pays; such a block
/// is exactly the value's size and sits where malloc puts it (`window` then starts at 0).
#[inline(always)]
fn window(block: &mut [MaybeUninit<u8>], src: usize, len: usize) -> &mut [MaybeUninit<u8>] {
    let at = if block.len() >= len + PAGE {
        (src + PAGE / 2).wrapping_sub(block.as_ptr() as usize) % PAGE
    } else {
        0
    };
    &mut block[at..at + len]
}

/// The size of a block allocated on every call for a `len`-byte copy ([`window`]'s exception).
#[inline(always)]
fn fresh_block(len: usize) -> usize {
    if len >= PAGE {
        len + PAGE
    } else {
        len
    }
}

/// S03's fixture plus the blocks the rows keep between calls.
pub struct Known {
    pub fixture: HeaderFixture,
    /// The address of the host's value, which [`window`] places every copy against.
    src: usize,
    /// `prealloc_reused`'s block, allocated by its first call and kept.
    reused: RefCell<Vec<MaybeUninit<u8>>>,
    /// The native floor's block, kept as `prealloc_reused`'s.
    native: RefCell<Vec<MaybeUninit<u8>>>,
}

impl Known {
    pub fn new(len: usize) -> Self {
        let fixture = HeaderFixture::new(len);
        let src = fixture
            .req
            .header(NAME)
            .expect("the fixture has its header")
            .as_bytes()
            .as_ptr() as usize;
        Known {
            fixture,
            src,
            reused: RefCell::new(Vec::new()),
            native: RefCell::new(Vec::new()),
        }
    }

    /// The row's block, grown to `len + PAGE` bytes on its first use, and the window in it.
    fn kept<'b>(&self, block: &'b mut Vec<MaybeUninit<u8>>) -> &'b mut [MaybeUninit<u8>] {
        let len = self.fixture.len;
        if block.len() < len + PAGE {
            block.resize(len + PAGE, MaybeUninit::uninit());
        }
        window(block, self.src, len)
    }
}

/// A fresh buffer for the known length on every call (one allocation), filled by the host.
pub fn prealloc_heap(k: &Known) -> Result<u64, LabError> {
    let len = k.fixture.len;
    let mut block: Vec<u8> = Vec::with_capacity(fresh_block(len));
    let spare = &mut block.spare_capacity_mut()[..fresh_block(len)];
    let value = k.fixture.req.header_copy(NAME, window(spare, k.src, len))?;
    Ok(digest(value))
}

/// One buffer kept across calls: after the first, no allocation at all.
pub fn prealloc_reused(k: &Known) -> Result<u64, LabError> {
    let mut block = k.reused.borrow_mut();
    let value = k.fixture.req.header_copy(NAME, k.kept(&mut block))?;
    Ok(digest(value))
}

/// A stack array sized for the value: no allocation, but the bytes live only for the call. Each
/// capacity is its own non-inlined frame, so a short value pays for a short frame, not for the
/// largest (64 KiB) and its stack probe of 16 pages (docs/evidence/2026-12-01-native-floors.md).
/// Each frame holds the capacity plus the page [`window`] places the copy in; frames past a page
/// probe each page they reserve: that is the price of a large stack buffer.
pub fn prealloc_stack(k: &Known) -> Result<u64, LabError> {
    match k.fixture.len {
        0..=256 => stack_fill::<{ 256 + PAGE }>(k),
        257..=2048 => stack_fill::<{ 2048 + PAGE }>(k),
        2049..=4096 => stack_fill::<{ 4096 + PAGE }>(k),
        4097..=16384 => stack_fill::<{ 16384 + PAGE }>(k),
        _ => stack_fill::<{ 65536 + PAGE }>(k),
    }
}

#[inline(never)]
fn stack_fill<const FRAME: usize>(k: &Known) -> Result<u64, LabError> {
    let mut block = [MaybeUninit::<u8>::uninit(); FRAME];
    let len = k.fixture.len.min(FRAME - PAGE);
    let value = k
        .fixture
        .req
        .header_copy(NAME, window(&mut block, k.src, len))?;
    Ok(digest(value))
}

/// The floor: C calling `lab_header_copy` into a block it keeps, at the same place as every row
/// ([`window`]), and digesting the copy (`lab_native_s04_known_length`).
pub fn native(k: &Known, iters: u64) -> Result<u64, LabError> {
    let mut block = k.native.borrow_mut();
    lab_sys::native::s04_known_length(&k.fixture.req, NAME, k.kept(&mut block), iters)
}

/// S03's `clone_on_return` (an owned copy made once the length is known), the baseline that does
/// not use the known length, with its copy placed as every row's ([`window`]).
pub fn clone_on_return(k: &Known) -> Result<u64, LabError> {
    let value = k.fixture.req.header(NAME)?.as_bytes();
    let mut block: Vec<u8> = Vec::with_capacity(fresh_block(value.len()));
    let spare = &mut block.spare_capacity_mut()[..fresh_block(value.len())];
    let owned = window(spare, k.src, value.len());
    // SAFETY: `owned` is value.len() writable bytes of a block this call allocated, so it cannot
    // overlap the host's value; after the copy every byte of it is initialised.
    let owned: &[u8] = unsafe {
        std::ptr::copy_nonoverlapping(value.as_ptr(), owned.as_mut_ptr().cast(), value.len());
        &*(std::ptr::from_ref(owned) as *const [u8])
    };
    note_copy(owned.len());
    Ok(digest(owned))
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
