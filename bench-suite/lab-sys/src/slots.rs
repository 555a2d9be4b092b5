//! Slots for arrays handed to the host: on the stack up to a threshold, on the heap above it.
//!
//! FINDINGS.md S06: Envoy's Go filter keeps the slice of header strings on the Go stack when the
//! header count is at most `maxStackAllocedHeaderSize` = 16 and moves it to the heap above — a
//! threshold "picked by gut feeling, never measured". `with_slots::<T, N, _>` is that trick in Rust
//! with the threshold as a const parameter, so the S06 sweep can measure every N. The stack array is
//! left uninitialised (`MaybeUninit`), which is what makes a large N nearly free here, unlike Go,
//! which zeroes every stack slot.

use std::mem::MaybeUninit;

/// Calls `f` with `n` uninitialised slots: a stack array when `n <= N`, a fresh heap allocation
/// (exactly one) otherwise. `f` is called from one place, so the compiler inlines it as the
/// caller wrote it, whatever its size; called from each branch, it may be outlined into a
/// function of its own, a call and its register saves more per use
/// (docs/evidence/2026-12-06-rust-at-its-floor.md).
#[inline(always)]
pub fn with_slots<T, const N: usize, R>(n: usize, f: impl FnOnce(&mut [MaybeUninit<T>]) -> R) -> R {
    let mut stack;
    // Empty (no allocation) on the stack's side: its drop is then a test of its capacity, where a
    // vector made in one branch only would need a drop flag besides.
    let mut heap: Vec<T> = if n <= N {
        Vec::new()
    } else {
        Vec::with_capacity(n)
    };
    let slots = if n <= N {
        stack = [const { MaybeUninit::<T>::uninit() }; N];
        &mut stack[..n]
    } else {
        &mut heap.spare_capacity_mut()[..n]
    };
    f(slots)
}

/// A vector over uninitialised slots (from [`with_slots`]): pushes up to their number, drops what
/// it holds. Lets a strategy build an array of owned items (e.g. `CString`s) without a heap
/// allocation for the array itself.
pub struct SlotVec<'s, T> {
    slots: &'s mut [MaybeUninit<T>],
    len: usize,
}

impl<'s, T> SlotVec<'s, T> {
    #[inline]
    pub fn new(slots: &'s mut [MaybeUninit<T>]) -> Self {
        SlotVec { slots, len: 0 }
    }

    /// Appends `item`. Panics when every slot is taken: the caller sized the slots, so running
    /// out is a bug in the caller, not bad input.
    #[inline]
    pub fn push(&mut self, item: T) {
        self.slots[self.len].write(item);
        self.len += 1;
    }

    #[inline]
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: slots[..len] were written by push and not dropped since.
        unsafe { &*(std::ptr::from_ref(&self.slots[..self.len]) as *const [T]) }
    }
}

impl<T> Drop for SlotVec<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Views and other items without a destructor leave nothing to do, not even the bounds
        // check of the slice below.
        if !std::mem::needs_drop::<T>() {
            return;
        }
        for slot in &mut self.slots[..self.len] {
            // SAFETY: slots[..len] are initialised and dropped exactly once, here.
            unsafe { slot.assume_init_drop() }
        }
    }
}

/// [`with_slots`] for `n` owned items: `f` gets an empty [`SlotVec`] with room for `n`.
#[inline(always)]
pub fn with_slot_vec<T, const N: usize, R>(
    n: usize,
    f: impl FnOnce(&mut SlotVec<'_, T>) -> R,
) -> R {
    with_slots::<T, N, R>(n, |slots| f(&mut SlotVec::new(slots)))
}

/// The initialised prefix of `slots` after the host wrote `count` items into it.
///
/// # Safety
/// The host must have written `slots[..count]`, and `count <= slots.len()`.
#[inline]
pub(crate) unsafe fn assume_init<T>(slots: &mut [MaybeUninit<T>], count: usize) -> &mut [T] {
    debug_assert!(count <= slots.len());
    // SAFETY: MaybeUninit<T> has T's layout, and the caller guarantees the first `count` slots
    // were initialised by the host.
    unsafe { &mut *(std::ptr::from_mut(&mut slots[..count]) as *mut [T]) }
}

/// The documents' threshold, used by every strategy that is not part of the threshold sweep.
pub const DEFAULT_STACK_SLOTS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::count_allocs;

    #[test]
    fn stack_up_to_threshold_heap_above() {
        let (len, allocs) = count_allocs(|| with_slots::<u64, 4, _>(4, |s| s.len()));
        assert_eq!((len, allocs), (4, 0));
        let (len, allocs) = count_allocs(|| with_slots::<u64, 4, _>(5, |s| s.len()));
        assert_eq!((len, allocs), (5, 1));
        let (len, allocs) = count_allocs(|| with_slots::<u64, 0, _>(0, |s| s.len()));
        assert_eq!((len, allocs), (0, 0));
    }

    #[test]
    fn slot_vec_drops_what_it_holds() {
        use std::rc::Rc;
        let item = Rc::new(7);
        with_slot_vec::<Rc<i32>, 4, _>(3, |v| {
            v.push(Rc::clone(&item));
            v.push(Rc::clone(&item));
            assert_eq!(v.as_slice().len(), 2);
            assert_eq!(Rc::strong_count(&item), 3);
        });
        assert_eq!(Rc::strong_count(&item), 1);
    }

    #[test]
    #[should_panic]
    fn slot_vec_refuses_to_overflow() {
        with_slot_vec::<u8, 4, _>(1, |v| {
            v.push(1);
            v.push(2);
        });
    }
}
