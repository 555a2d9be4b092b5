//! Exact allocation and copy counts, Rust side and C side, per thread.
//!
//! The Rust side counts through a `#[global_allocator]` that every binary linking this crate
//! (benches, tests, the extension cdylib) uses; the C host counts its own `malloc`/`free`
//! (`lab_alloc_stats_get`, read by [`host_stats`]), and so do the native floors
//! ([`native_stats`]); the C side is both. Both count per thread, so tests running in parallel threads do not
//! see each other's allocations. Copies are counted where they happen: the host counts the bytes
//! it writes into caller buffers, and Rust strategies that copy report it with [`note_copy`] —
//! one thread-local add, the same price the host pays for its own count.
//!
//! Work a case hands to other threads (S08's writers and the host's worker, S09's callers) is
//! counted on those threads and [`credit`]ed to the thread that asked for it, so `usage_of` on the
//! asking thread still sees everything the case did.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use crate::sys;

/// What the Rust side allocated and copied on this thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RustCounts {
    pub allocs: u64,
    pub frees: u64,
    pub bytes_allocated: u64,
    pub bytes_copied: u64,
}

thread_local! {
    // const-initialised and without Drop: no lazy init and no destructor registration, so the
    // allocator can touch it at any point of a thread's life without allocating itself.
    static COUNTS: Cell<RustCounts> = const {
        Cell::new(RustCounts { allocs: 0, frees: 0, bytes_allocated: 0, bytes_copied: 0 })
    };
}

fn bump(f: impl FnOnce(&mut RustCounts)) {
    let _ = COUNTS.try_with(|c| {
        let mut v = c.get();
        f(&mut v);
        c.set(v);
    });
}

/// The system allocator, counting every allocation of this thread.
pub struct CountingAlloc;

// SAFETY: every method forwards to System with the same arguments and only adds bookkeeping that
// neither allocates nor unwinds.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(|c| {
            c.allocs += 1;
            c.bytes_allocated += layout.size() as u64;
        });
        // SAFETY: forwarded with the caller's layout, which GlobalAlloc requires to be non-zero.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump(|c| {
            c.allocs += 1;
            c.bytes_allocated += layout.size() as u64;
        });
        // SAFETY: as alloc.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        bump(|c| c.frees += 1);
        // SAFETY: ptr was allocated by System (through us) with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // One allocation and one free: a moved block is both, and allocs == frees still means
        // nothing leaked.
        bump(|c| {
            c.allocs += 1;
            c.frees += 1;
            c.bytes_allocated += new_size as u64;
        });
        // SAFETY: ptr/layout come from a previous allocation of ours, as the caller guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Records that Rust code copied `bytes` bytes across or for the boundary.
#[inline(always)]
pub fn note_copy(bytes: usize) {
    bump(|c| c.bytes_copied += bytes as u64);
}

/// This thread's Rust-side counters.
pub fn rust_counts() -> RustCounts {
    COUNTS.try_with(Cell::get).unwrap_or_default()
}

/// The host's allocation and copy counters for this thread.
#[inline]
pub fn host_stats() -> sys::lab_alloc_stats {
    let mut stats = sys::lab_alloc_stats::default();
    // SAFETY: valid out-param.
    unsafe { sys::lab_alloc_stats_get(&mut stats) };
    stats
}

/// The native floors' own allocations for this thread (`lab_native_alloc_stats_get`: a floor that
/// allocates, as S05's does above 16 items, counts on the C side like the host).
#[inline]
pub fn native_stats() -> sys::lab_alloc_stats {
    let mut stats = sys::lab_alloc_stats::default();
    // SAFETY: valid out-param.
    unsafe { sys::lab_native_alloc_stats_get(&mut stats) };
    stats
}

/// The C side's counters: the host's and the native floors'.
fn c_stats() -> sys::lab_alloc_stats {
    let (h, n) = (host_stats(), native_stats());
    sys::lab_alloc_stats {
        allocs: h.allocs + n.allocs,
        frees: h.frees + n.frees,
        bytes_allocated: h.bytes_allocated + n.bytes_allocated,
        bytes_copied: h.bytes_copied + n.bytes_copied,
    }
}

/// Both sides' counters at one instant, with what other threads credited to this one.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    rust: RustCounts,
    c: sys::lab_alloc_stats,
    credited: Usage,
}

impl Snapshot {
    pub fn now() -> Self {
        Snapshot {
            rust: rust_counts(),
            c: c_stats(),
            credited: CREDITED.try_with(Cell::get).unwrap_or_default(),
        }
    }

    /// What happened on this thread (or was credited to it) since `self`.
    pub fn since(&self) -> Usage {
        let now = Snapshot::now();
        Usage {
            rust_allocs: now.rust.allocs - self.rust.allocs,
            rust_frees: now.rust.frees - self.rust.frees,
            c_allocs: now.c.allocs - self.c.allocs,
            c_frees: now.c.frees - self.c.frees,
            bytes_allocated: (now.rust.bytes_allocated - self.rust.bytes_allocated)
                + (now.c.bytes_allocated - self.c.bytes_allocated),
            bytes_copied: (now.rust.bytes_copied - self.rust.bytes_copied)
                + (now.c.bytes_copied - self.c.bytes_copied),
        }
        .plus(now.credited.minus(self.credited))
    }
}

/// Allocations and copies over some span of work, both sides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub rust_allocs: u64,
    pub rust_frees: u64,
    pub c_allocs: u64,
    pub c_frees: u64,
    pub bytes_allocated: u64,
    pub bytes_copied: u64,
}

impl Usage {
    pub const ZERO: Usage = Usage {
        rust_allocs: 0,
        rust_frees: 0,
        c_allocs: 0,
        c_frees: 0,
        bytes_allocated: 0,
        bytes_copied: 0,
    };

    fn zip(self, o: Usage, f: impl Fn(u64, u64) -> u64) -> Usage {
        Usage {
            rust_allocs: f(self.rust_allocs, o.rust_allocs),
            rust_frees: f(self.rust_frees, o.rust_frees),
            c_allocs: f(self.c_allocs, o.c_allocs),
            c_frees: f(self.c_frees, o.c_frees),
            bytes_allocated: f(self.bytes_allocated, o.bytes_allocated),
            bytes_copied: f(self.bytes_copied, o.bytes_copied),
        }
    }

    pub fn plus(self, o: Usage) -> Usage {
        self.zip(o, u64::wrapping_add)
    }

    pub fn minus(self, o: Usage) -> Usage {
        self.zip(o, u64::wrapping_sub)
    }
}

thread_local! {
    static CREDITED: Cell<Usage> = const { Cell::new(Usage::ZERO) };
}

/// Counts `u`, measured on another thread, as this thread's own: the thread that handed work to
/// others (a writer crew, the host's worker) sees all of it in [`usage_of`].
pub fn credit(u: Usage) {
    let _ = CREDITED.try_with(|c| c.set(c.get().plus(u)));
}

/// Runs `f` and returns its result with the Rust allocations it made on this thread.
pub fn count_allocs<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = Snapshot::now();
    let r = f();
    (r, before.since().rust_allocs)
}

/// Runs `f` and returns its result with everything it allocated and copied, both sides.
pub fn usage_of<R>(f: impl FnOnce() -> R) -> (R, Usage) {
    let before = Snapshot::now();
    let r = f();
    (r, before.since())
}
