//! S05 pass a batch of strings R→C (FINDINGS.md). Go turns a map into a slice of strings, pins each
//! data pointer with `runtime.Pinner`, and C reads an array of `{ptr, len}`; that beats one
//! `C.CString` per item. In Rust: `cstring_each` (a CString per item and an array of `char*`),
//! `pinned_batch` (an array of `{ptr, len}` views — borrowing does the Pinner's job at no run-time
//! cost), `packed` (every item copied into one buffer plus offsets, the buffer reused). The arrays
//! live on the stack up to 16 items (S06's threshold), so `pinned_batch` allocates nothing there.
//!
//! `pinned_batch` and the floor build their views on every call: a real batch (a request's header
//! map) is new on every call, so views of the previous one cannot be kept, and a strategy that
//! reused them would be timing a batch that never changes.

use std::cell::RefCell;
use std::ffi::CString;
use std::rc::Rc;

use crate::case::{Case, Expect, Scenario, Sweep};
use crate::{params, strategies};
use lab_sys::alloc::note_copy;
use lab_sys::host::{self, CStrPtr, HostStr, LabError};
use lab_sys::payload;
use lab_sys::slots::{with_slot_vec, DEFAULT_STACK_SLOTS as N};

pub const SCENARIO: Scenario = Scenario {
    id: "s05_pass_batch",
    strategies_agree: true,
    cases,
};

pub const BATCHES: &[usize] = &[1, 2, 4, 8, 16, 32, 64, 128, 256];

/// The strings of a header map flattened as key, value, key, value… plus `packed`'s reused buffer.
pub struct Batch {
    pub items: Vec<Vec<u8>>,
    /// `items` as the native floor holds them (bytes, length, capacity), from which it builds its
    /// views on every call as `pinned_batch` does.
    owned: Vec<lab_sys::sys::lab_native_bytes>,
    scratch: RefCell<Packed>,
}

#[derive(Default)]
struct Packed {
    buf: Vec<u8>,
    offsets: Vec<u32>,
}

impl Batch {
    /// `n` items: names of 8–24 bytes alternating with values of 8–128 bytes.
    pub fn new(n: usize) -> Self {
        let items = (0..n)
            .map(|i| {
                let len = if i % 2 == 0 {
                    8 + (i * 7) % 17
                } else {
                    8 + (i * 37) % 121
                };
                payload(len, i as u64 + 5)
            })
            .collect();
        Batch::from_items(items)
    }

    pub fn from_items(items: Vec<Vec<u8>>) -> Self {
        Batch {
            owned: lab_sys::native::owned_bytes(&items),
            items,
            scratch: RefCell::new(Packed::default()),
        }
    }
}

/// A `CString` per item (n allocations and copies), then the array of their pointers.
pub fn cstring_each(b: &Batch) -> Result<u64, LabError> {
    with_slot_vec::<CString, N, _>(b.items.len(), |owned| {
        for item in &b.items {
            let c = CString::new(item.as_slice()).map_err(|e| LabError::InteriorNul {
                position: e.nul_position(),
            })?;
            note_copy(item.len() + 1);
            owned.push(c);
        }
        with_slot_vec::<CStrPtr<'_>, N, _>(owned.as_slice().len(), |ptrs| {
            for c in owned.as_slice() {
                ptrs.push(CStrPtr::new(c));
            }
            host::consume_cstr_array(ptrs.as_slice())
        })
    })
}

/// An array of borrowed `{ptr, len}` views of the items themselves: no copy.
pub fn pinned_batch(b: &Batch) -> Result<u64, LabError> {
    with_slot_vec::<HostStr<'_>, N, _>(b.items.len(), |views| {
        for item in &b.items {
            views.push(HostStr::from_bytes(item));
        }
        host::consume_str_array(views.as_slice())
    })
}

/// Every item copied into one reused buffer, with `n + 1` offsets.
pub fn packed(b: &Batch) -> Result<u64, LabError> {
    let mut scratch = b.scratch.borrow_mut();
    let Packed { buf, offsets } = &mut *scratch;
    buf.clear();
    offsets.clear();
    offsets.push(0);
    for item in &b.items {
        buf.extend_from_slice(item);
        offsets.push(u32::try_from(buf.len()).map_err(|_| LabError::TooLarge { len: buf.len() })?);
    }
    note_copy(buf.len());
    host::consume_packed(buf, offsets)
}

/// The floor: C building views of the items it holds on every call, on the stack up to 16 items
/// and in one allocation above, then calling `lab_consume_str_array`
/// (`lab_native_s05_pass_batch`): `pinned_batch`'s work without the boundary.
pub fn native(b: &Batch, iters: u64) -> Result<u64, LabError> {
    // SAFETY: `owned` describes `items`, whose heap bytes live with the batch and are never
    // modified.
    unsafe { lab_sys::native::s05_pass_batch(&b.owned, iters) }
}

fn cases(sweep: Sweep) -> Vec<Case> {
    cases_at(&sweep.pick(BATCHES))
}

/// The cases at each batch size of `ns` (the sweep's, or any other: tests check 17, the first
/// size past the stack arrays).
pub fn cases_at(ns: &[usize]) -> Vec<Case> {
    let mut cases = Vec::new();
    for &n in ns {
        let input = Rc::new(Batch::new(n));
        let bytes: usize = input.items.iter().map(Vec::len).sum();
        // Above N items each slot array is one heap allocation.
        let arrays = usize::from(n > N);
        // The floor builds the views as `pinned_batch` does: its array above N is C's allocation.
        cases.push(Case::native(
            &params!(n),
            Expect::new(0, arrays, 0),
            &input,
            native,
        ));
        strategies!(cases, params!(n), input, [
            // A CString per item (its bytes and NUL), plus the CString and pointer arrays.
            cstring_each => Expect::new(n + 2 * arrays, 0, bytes + n),
            pinned_batch => Expect::new(arrays, 0, 0),
            packed => Expect::new(0, 0, bytes),
        ]);
    }
    cases
}
