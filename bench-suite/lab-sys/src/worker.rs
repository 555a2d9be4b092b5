//! The host's worker loop (`lab_worker`, FINDINGS.md S08), safely.
//!
//! Envoy's worker thread owns its requests and has no lock on them: a goroutine that wants to write
//! a header posts the write to the worker's dispatcher, which runs it between events. Here the
//! same: [`Worker::adopt`] puts a value in the worker's keeping as an [`OnWorker`], and only tasks
//! the worker runs — one at a time, in posting order — get `&mut` to it. The compiler checks the
//! rest: a task must be `Send` (it runs on another thread) and `'static` (it may run after the
//! poster moved on), so it owns copies of what it writes.

use std::any::Any;
use std::cell::UnsafeCell;
use std::ffi::c_void;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{check, LabError};
use crate::sys;

/// Tasks that panicked on a worker. A task's panic cannot unwind into the host's C loop, so it is
/// caught and counted here (and the loop goes on).
static TASK_PANICS: AtomicU64 = AtomicU64::new(0);

/// How many posted tasks panicked, process-wide.
#[inline]
pub fn task_panics() -> u64 {
    TASK_PANICS.load(Ordering::Relaxed)
}

/// A host worker thread. Dropping it runs every task already posted, then stops the thread.
pub struct Worker {
    raw: NonNull<sys::lab_worker>,
}

// SAFETY: lab_worker_post may be called from any thread (the host locks its queue); the only call
// that needs exclusive access, lab_worker_stop, is in Drop, which has it.
unsafe impl Send for Worker {}
// SAFETY: as above: &Worker only posts.
unsafe impl Sync for Worker {}

impl Worker {
    /// Starts a worker whose queue holds `capacity` tasks (0: the host's default).
    #[inline]
    pub fn start(capacity: usize) -> Result<Worker, LabError> {
        // SAFETY: no preconditions; NULL (no memory, no thread) is handled below.
        let raw = unsafe { sys::lab_worker_start(capacity) };
        NonNull::new(raw)
            .map(|raw| Worker { raw })
            .ok_or(LabError::NoMem)
    }

    /// The host's worker, for calling `sys` functions directly (tests of the raw ABI).
    #[inline]
    pub fn as_raw(&self) -> *mut sys::lab_worker {
        self.raw.as_ptr()
    }

    /// Runs `task` on the worker thread, after everything posted before it; returns at once
    /// (unless the queue is full). One allocation: the boxed task.
    #[inline]
    pub fn post<F: FnOnce() + Send + 'static>(&self, task: F) -> Result<(), LabError> {
        let ctx = Box::into_raw(Box::new(task));
        // SAFETY: the worker is live (owned by self); run_boxed::<F> is the only reader of ctx and
        // takes it back exactly once, on the worker thread (F: Send allows that).
        let status =
            unsafe { sys::lab_worker_post(self.raw.as_ptr(), Some(run_boxed::<F>), ctx.cast()) };
        if status != sys::LAB_OK {
            // SAFETY: the host refused the post and kept nothing: ctx is still ours, freed once.
            drop(unsafe { Box::from_raw(ctx) });
        }
        check(status)
    }

    /// Runs `f` on the worker thread and returns its result, waiting for it: a round trip through
    /// the queue that allocates nothing (the task lives on this stack). A panic in `f` is resumed
    /// here.
    #[inline]
    pub fn run_sync<R: Send, F: FnOnce() -> R + Send>(&self, f: F) -> R {
        let slot = SyncSlot {
            f: UnsafeCell::new(Some(f)),
            result: UnsafeCell::new(None),
            done: AtomicBool::new(false),
        };
        let ctx: *const SyncSlot<F, R> = &slot;
        // SAFETY: the worker is live. ctx points to `slot`, which outlives the task: this function
        // does not return until the task has set `done` (Release), after its last access to slot,
        // and reads `result` only then (Acquire). F and R are Send, so running f and writing R on
        // the worker is sound.
        let status = unsafe {
            sys::lab_worker_post(
                self.raw.as_ptr(),
                Some(run_slot::<F, R>),
                ctx.cast_mut().cast(),
            )
        };
        check(status).expect("posting to a live worker with a task cannot fail");
        wait_until(|| slot.done.load(Ordering::Acquire));
        match slot
            .result
            .into_inner()
            .expect("the task stored its result")
        {
            Ok(r) => r,
            Err(panic) => resume_unwind(panic),
        }
    }

    /// Puts `value` in the worker's keeping: from now on only tasks of this worker reach it.
    #[inline]
    pub fn adopt<T: Send>(self: &Arc<Self>, value: T) -> Arc<OnWorker<T>> {
        Arc::new(OnWorker {
            worker: Arc::clone(self),
            value: UnsafeCell::new(value),
        })
    }

    /// Posts `task` to run with `&mut` to the adopted value.
    #[inline]
    pub fn post_to<T: Send + 'static, F: FnOnce(&mut T) + Send + 'static>(
        &self,
        cell: &Arc<OnWorker<T>>,
        task: F,
    ) -> Result<(), LabError> {
        self.check_owner(cell);
        let cell = Arc::clone(cell);
        // SAFETY (of the closure's get()): tasks of this worker run one at a time on its thread,
        // and nothing else dereferences the cell, so this &mut is the only reference while it lives.
        self.post(move || task(unsafe { &mut *cell.value.get() }))
    }

    /// Runs `f` with `&mut` to the adopted value on the worker thread and waits for its result.
    #[inline]
    pub fn run_sync_on<T: Send, R: Send, F: FnOnce(&mut T) -> R + Send>(
        &self,
        cell: &OnWorker<T>,
        f: F,
    ) -> R {
        self.check_owner(cell);
        let value = SendPtr(cell.value.get());
        // SAFETY: as post_to: only this worker's tasks, one at a time, dereference the cell; the
        // pointer is valid because `cell` is borrowed until run_sync returns.
        self.run_sync(move || f(unsafe { &mut *{ value }.0 }))
    }

    fn check_owner<T>(&self, cell: &OnWorker<T>) {
        assert!(
            std::ptr::eq(self, &*cell.worker),
            "a value adopted by one worker was posted to another"
        );
    }
}

impl Drop for Worker {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the worker is live and owned by self; no other thread can post to it any more
        // (posting needs &Worker, and we hold &mut).
        unsafe { sys::lab_worker_stop(self.raw.as_ptr()) }
    }
}

/// A value only its worker's tasks can reach (see [`Worker::adopt`]).
pub struct OnWorker<T> {
    worker: Arc<Worker>,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only by tasks of `worker`, which run one at a time on one thread,
// so sharing OnWorker never shares &T or &mut T between threads at once; T: Send lets the value be
// used on the worker thread and dropped wherever the last Arc goes.
unsafe impl<T: Send> Sync for OnWorker<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for OnWorker<T> {}

/// A raw pointer moved into a task that [`Worker::run_sync_on`] proves is used safely.
struct SendPtr<T>(*mut T);
// SAFETY: see run_sync_on: the pointee is only touched by the one task, while its owner waits.
unsafe impl<T: Send> Send for SendPtr<T> {}

/// A task of [`Worker::run_sync`], on the poster's stack. `f` and `result` are written by the
/// worker before `done`, and read by the poster after it.
struct SyncSlot<F, R> {
    f: UnsafeCell<Option<F>>,
    result: UnsafeCell<Option<Result<R, Box<dyn Any + Send>>>>,
    done: AtomicBool,
}

extern "C" fn run_boxed<F: FnOnce()>(ctx: *mut c_void) {
    // SAFETY: ctx is the Box<F> that post() leaked for this one call.
    let task = unsafe { Box::from_raw(ctx.cast::<F>()) };
    if catch_unwind(AssertUnwindSafe(task)).is_err() {
        TASK_PANICS.fetch_add(1, Ordering::Relaxed);
    }
}

extern "C" fn run_slot<F: FnOnce() -> R, R>(ctx: *mut c_void) {
    // SAFETY: ctx is the SyncSlot that run_sync keeps alive until `done` is set below; until
    // then the poster touches only `done`, so the cells are this task's alone.
    let slot = unsafe { &*ctx.cast_const().cast::<SyncSlot<F, R>>() };
    // SAFETY: as above: no other reference to the cells exists while the task runs.
    let f = unsafe { (*slot.f.get()).take() }.expect("a sync task runs once");
    let result = catch_unwind(AssertUnwindSafe(f));
    // SAFETY: as above.
    unsafe { *slot.result.get() = Some(result) };
    // The last access to slot: after this store the poster may return and free it.
    slot.done.store(true, Ordering::Release);
}

/// Waits for `ready` without a syscall while it comes quickly, then yields the core (with two
/// cores and more threads than that, spinning alone would starve the thread being waited for).
#[inline]
pub fn wait_until(ready: impl Fn() -> bool) {
    if !ready() {
        wait_slow(&ready);
    }
}

/// [`wait_until`] once `ready` is not yet true: out of line, under one name, so that the callgrind
/// pass can leave the waiting out of its counts (`lab_bench::callgrind::WAITS`) — how many spins
/// and yields a wait takes is the scheduler's doing, not the strategy's.
#[inline(never)]
#[cold]
pub fn wait_slow(ready: &dyn Fn() -> bool) {
    let mut spins = 0u32;
    while !ready() {
        if spins < 200 {
            spins += 1;
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}
