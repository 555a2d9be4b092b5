//! S08 writes from another thread (FINDINGS.md): a goroutine may run on another thread while
//! Envoy's worker owns the request, and Envoy has no lock on its header map: `header.Set` from a
//! goroutine is posted to the worker (dispatcher.post) and applied there. Rust offers the same
//! `post`, or a `mutex` around a shared header map; both are measured from 1, 2 and 4 writer
//! threads against one host worker.
//!
//! `wait=1`: each writer waits until its write is applied before the next (the latency of one
//! write); `wait=0`: writers go on at once and wait only at the end of their share (throughput). A
//! locked write is applied when `set_header` returns, so for `mutex` both are the same loop.
//! Each call is one header write; its ns are wall time over all writers, so with several writers
//! a lower figure is more throughput.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::case::{Case, Expect, Scenario, Sweep};
use crate::crew::Crew;
use crate::{named_strategies, params};
use lab_sys::alloc::{credit, note_copy, Snapshot};
use lab_sys::host::{touch, LabError, Request};
use lab_sys::native::S08Request;
use lab_sys::payload;
use lab_sys::worker::{wait_until, OnWorker, Worker};

pub const SCENARIO: Scenario = Scenario {
    id: "s08_cross_thread_writes",
    strategies_agree: true,
    cases,
};

pub const WRITERS: &[usize] = &[1, 2, 4];
/// The header each writer sets (one header per writer: the writes never wait on each other's
/// data, only on the map's owner).
const NAMES: [&[u8]; 4] = [b"x-writer-0", b"x-writer-1", b"x-writer-2", b"x-writer-3"];
/// A tracing-id-sized value.
pub const VALUE_LEN: usize = 32;

/// One writer's progress as the worker sees it, on its own cache line.
#[repr(align(64))]
#[derive(Default)]
pub struct Progress {
    applied: AtomicU64,
    failed: AtomicU64,
}

pub struct Input {
    worker: Arc<Worker>,
    /// `post`: the request as the worker owns it.
    on_worker: Arc<OnWorker<Request>>,
    /// `mutex`: the request behind a lock.
    locked: Mutex<Request>,
    /// The native floor's request, written by C under its std-`Mutex`-algorithm lock.
    native: S08Request,
    value: Vec<u8>,
    wait: bool,
    progress: Vec<Arc<Progress>>,
}

impl Input {
    pub fn new(wait: bool) -> Result<Self, LabError> {
        let value = payload(VALUE_LEN, 8);
        // Every writer's header exists from the start, so every measured write replaces one (a
        // first write would append, and allocate without a free).
        let request = || -> Result<Request, LabError> {
            let mut req = Request::realistic(16, 8)?;
            for name in NAMES {
                req.set_header(name, &value)?;
            }
            Ok(req)
        };
        let worker = Arc::new(Worker::start(0)?);
        // The worker on the last CPU, the writers from the first (`crew::pin`): one writer posts
        // across cores, as a Go thread to Envoy's worker; more share the worker's core too.
        worker.run_sync(|| crate::crew::pin(crate::crew::cpus() - 1));
        let on_worker = worker.adopt(request()?);
        Ok(Input {
            worker,
            on_worker,
            locked: Mutex::new(request()?),
            native: S08Request::new(request()?),
            value,
            wait,
            progress: NAMES.iter().map(|_| Arc::default()).collect(),
        })
    }

    /// The value of writer `w`'s header in the `post` request, read on the worker.
    pub fn posted_value(&self, w: usize) -> Option<Vec<u8>> {
        self.worker.run_sync_on(&self.on_worker, |req| {
            req.header(NAMES[w]).ok().map(|v| v.as_bytes().to_vec())
        })
    }

    /// The value of writer `w`'s header in the `mutex` request.
    pub fn locked_value(&self, w: usize) -> Option<Vec<u8>> {
        let req = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        req.header(NAMES[w]).ok().map(|v| v.as_bytes().to_vec())
    }

    pub fn value(&self) -> &[u8] {
        &self.value
    }
}

/// A writer's share of a round: `writes` writes from thread `writer`.
pub type Writer = fn(&Input, usize, u64) -> Result<u64, LabError>;

/// Values up to this many bytes travel inside the posted task (most header values: ids, tokens,
/// dates), so a post makes one allocation, the task, as the Go glue's one malloc does.
pub const INLINE: usize = 64;

/// A header value moved into a posted task: inline up to [`INLINE`] bytes, else a heap copy.
pub enum Carried {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Vec<u8>),
}

impl Carried {
    pub fn new(value: &[u8]) -> Carried {
        if value.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..value.len()].copy_from_slice(value);
            Carried::Inline {
                len: value.len() as u8,
                bytes,
            }
        } else {
            Carried::Heap(value.to_vec())
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Carried::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Carried::Heap(v) => v,
        }
    }
}

/// Posts each write to the worker, which applies it. The task owns a copy of the value (the
/// writer moves on before it runs), carried inside it: one Rust allocation per write, the task,
/// freed on the worker.
pub fn post(i: &Input, writer: usize, writes: u64) -> Result<u64, LabError> {
    let progress = &i.progress[writer];
    let start = progress.applied.load(Ordering::Acquire);
    let failed = progress.failed.load(Ordering::Relaxed);
    for n in 1..=writes {
        let value = Carried::new(&i.value);
        note_copy(i.value.len());
        let done = Arc::clone(progress);
        let name = NAMES[writer];
        i.worker.post_to(&i.on_worker, move |req| {
            if req.set_header(name, value.as_bytes()).is_err() {
                done.failed.fetch_add(1, Ordering::Relaxed);
            }
            done.applied.fetch_add(1, Ordering::Release);
        })?;
        if i.wait {
            wait_until(|| progress.applied.load(Ordering::Acquire) >= start + n);
        }
    }
    // Every write is applied before the round ends, so throughput counts the worker's work too.
    wait_until(|| progress.applied.load(Ordering::Acquire) >= start + writes);
    if progress.failed.load(Ordering::Relaxed) != failed {
        return Err(LabError::NoMem);
    }
    Ok(touch(&i.value).wrapping_mul(writes))
}

/// Takes the lock and writes on the writer's own thread: no copy but the host's, no allocation on
/// the Rust side.
pub fn mutex(i: &Input, writer: usize, writes: u64) -> Result<u64, LabError> {
    for _ in 0..writes {
        i.locked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .set_header(NAMES[writer], &i.value)?;
    }
    Ok(touch(&i.value).wrapping_mul(writes))
}

/// The floor: the same writes made by C on the writer's thread, each under a lock of the same
/// algorithm as `mutex`'s `std::sync::Mutex`, written in C (`lab_native_s08_cross_thread_writes`):
/// `mutex`'s work without the boundary, contended or not.
pub fn native(i: &Input, writer: usize, writes: u64) -> Result<u64, LabError> {
    i.native.write(NAMES[writer], &i.value, writes)
}

/// A case running `f` on a crew of `writers` threads. The worker's own allocations (the tasks it
/// frees, the host's copies) are counted on the worker and credited to the caller.
pub fn case(
    name: &'static str,
    f: Writer,
    expect: Expect,
    input: &Arc<Input>,
    writers: usize,
) -> Case {
    let wait = u64::from(input.wait);
    let crew = Crew::new(writers, {
        let input = Arc::clone(input);
        Box::new(move |w, n| f(&input, w, n))
    });
    let input = Arc::clone(input);
    Case::batch(name, &params!(writers, wait), expect, move |iters| {
        let before = input.worker.run_sync(Snapshot::now);
        let sum = crew.run(iters);
        credit(input.worker.run_sync(move || before.since()));
        sum
    })
}

fn cases(sweep: Sweep) -> Vec<Case> {
    let mut cases = Vec::new();
    for wait in [true, false] {
        let input = Arc::new(Input::new(wait).expect("the host starts a worker"));
        for writers in sweep.pick(WRITERS) {
            cases.extend(cases_on(&input, writers));
        }
    }
    cases
}

/// Every strategy on a crew of `writers` threads writing into `input`'s requests (tests read back
/// what they wrote). Either way the host allocates the new header block (and frees the old one)
/// and copies the name and value into it; a post also allocates its task, which carries its copy
/// of the value.
pub fn cases_on(input: &Arc<Input>, writers: usize) -> Vec<Case> {
    // Every writer's name is as long as x-writer-0.
    let header = NAMES[0].len() + VALUE_LEN;
    let strategies: [(&'static str, Writer, Expect); 3] = named_strategies![
        native => Expect::new(0, 1, header),
        post => Expect::new(1, 1, VALUE_LEN + header),
        mutex => Expect::new(0, 1, header),
    ];
    strategies
        .into_iter()
        .map(|(name, f, expect)| case(name, f, expect, input, writers))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carried_values_come_back_whole_inline_or_not() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 4096] {
            let v = payload(len, 3);
            let c = Carried::new(&v);
            assert_eq!(c.as_bytes(), &v[..], "len {len}");
            assert_eq!(
                matches!(c, Carried::Inline { .. }),
                len <= INLINE,
                "len {len}"
            );
        }
    }
}
