//! What the module allocates and copies, counted in the worker (as lab-sys's counting allocator
//! does for the lab's own extension), and read through two nginx variables, `$ffi_lab_allocs` and
//! `$ffi_lab_copied`: running totals of the worker's Rust allocations and of the bytes the filters
//! copied. The runner reads them around a load run and divides by its requests.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Allocations (a realloc counts as one, as in lab-sys) and bytes the filters copied. Atomics,
/// though nginx's worker runs the module on one thread, so a thread pool could not tear them.
pub static ALLOCS: AtomicU64 = AtomicU64::new(0);
pub static COPIED: AtomicU64 = AtomicU64::new(0);

pub struct Counting;

// SAFETY: forwards every call to the system allocator unchanged; the counter is a side effect.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: the caller's contract for `alloc` is System's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: as alloc.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from System through this allocator with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: as dealloc; new_size is the caller's, per GlobalAlloc's contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// A copy of `n` bytes made by a filter.
pub fn note_copy(n: usize) {
    COPIED.fetch_add(n as u64, Relaxed);
}
