//! The filters the driver runs, each over every access strategy (`lab_access` of lab.h).
//!
//! - S07: `eager` copies everything the host pushed (every header, the body) into the thread's
//!   arena before the filter runs; `lazy` fetches only what the filter reads, when it reads it,
//!   and copies it into the same arena, taken once per callback as a cache for the callback (as
//!   Go takes its arena once per callback). Same arena: the difference is what gets copied.
//! - S06/S14: `per_header_call`, `bulk_copy`, `bulk_borrow` as in `r2c::s06_read_headers`, over
//!   the host API table instead of direct calls.
//! - S11: the arena is per-thread state, made on a thread's first call and released when the
//!   thread exits ([`live_thread_states`] counts them).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use lab_sys::alloc::note_copy;
use lab_sys::callback::Callback;
use lab_sys::digest;
use lab_sys::host::{HostHeader, LabError};
use lab_sys::slots::{with_slots, DEFAULT_STACK_SLOTS as N};
use lab_sys::sys;

/// Per-thread state created on a thread's first callback (S11).
struct ThreadState {
    arena: Vec<u8>,
}

static LIVE_THREAD_STATES: AtomicU64 = AtomicU64::new(0);

impl ThreadState {
    /// The arena starts empty and grows to what the thread's callbacks copy: a thread whose
    /// filter reads one header keeps that header's size, not a guess (S11's first call pays for
    /// that one allocation only).
    fn new() -> Self {
        LIVE_THREAD_STATES.fetch_add(1, Ordering::Relaxed);
        ThreadState { arena: Vec::new() }
    }
}

impl Drop for ThreadState {
    fn drop(&mut self) {
        LIVE_THREAD_STATES.fetch_sub(1, Ordering::Relaxed);
    }
}

thread_local! {
    static STATE: RefCell<Option<ThreadState>> = const { RefCell::new(None) };
}

/// Per-thread states alive now: back to its old value once the threads that made them exit.
pub fn live_thread_states() -> u64 {
    LIVE_THREAD_STATES.load(Ordering::Relaxed)
}

/// Heap bytes this thread's state keeps between requests: the arena's capacity (the state itself
/// lives in the thread-local block, not on the heap); 0 before the thread's first eager or lazy
/// callback.
pub fn retained_bytes() -> u64 {
    STATE
        .try_with(|s| {
            s.try_borrow()
                .ok()
                .and_then(|s| s.as_ref().map(|t| t.arena.capacity() as u64))
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

/// Runs `f` with this thread's arena, emptied, creating the thread state on first use.
fn with_arena<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let state = s.get_or_insert_with(ThreadState::new);
        state.arena.clear();
        f(&mut state.arena)
    })
}

/// The headers a filter reads, wherever the access strategy put them.
enum Lookup<'c, 'v> {
    /// Ask the host for each header (`per_header_call`).
    PerCall(&'c Callback<'c>),
    /// Views fetched in one call, or copies made in one pass.
    Views(&'v [HostHeader<'v>]),
}

impl Lookup<'_, '_> {
    fn get(&self, name: &[u8]) -> Result<Option<&[u8]>, LabError> {
        match self {
            Lookup::PerCall(cb) => match cb.header(name) {
                Ok(v) => Ok(Some(v.as_bytes())),
                Err(LabError::NotFound) => Ok(None),
                Err(e) => Err(e),
            },
            Lookup::Views(views) => Ok(views
                .iter()
                .find(|h| h.name().as_bytes() == name)
                .map(|h| h.value().as_bytes())),
        }
    }

    fn all(&self, cb: &Callback<'_>) -> Result<u64, LabError> {
        match self {
            Lookup::PerCall(_) => {
                with_slots::<HostHeader<'_>, N, _>(cb.entry().header_count, |slots| {
                    Ok(sum_values(cb.view_all(slots)?))
                })
            }
            Lookup::Views(views) => Ok(sum_values(views)),
        }
    }
}

fn sum_values(views: &[HostHeader<'_>]) -> u64 {
    views
        .iter()
        .fold(0u64, |s, h| s.wrapping_add(digest(h.value().as_bytes())))
}

/// Runs `f` over the request's headers as `access` reaches them.
fn with_lookup<R>(
    cb: &Callback<'_>,
    access: u32,
    f: impl FnOnce(&Lookup<'_, '_>) -> Result<R, LabError>,
) -> Result<R, LabError> {
    let entry = cb.entry();
    match access {
        sys::LAB_ACCESS_PER_HEADER_CALL | sys::LAB_ACCESS_LAZY => f(&Lookup::PerCall(cb)),
        sys::LAB_ACCESS_BULK_BORROW => {
            with_slots::<HostHeader<'_>, N, _>(entry.header_count, |slots| {
                f(&Lookup::Views(cb.view_all(slots)?))
            })
        }
        sys::LAB_ACCESS_BULK_COPY => {
            let mut buf: Vec<u8> = Vec::with_capacity(entry.header_bytes);
            with_slots::<HostHeader<'_>, N, _>(entry.header_count, |slots| {
                f(&Lookup::Views(
                    cb.copy_all(buf.spare_capacity_mut(), slots)?,
                ))
            })
        }
        sys::LAB_ACCESS_EAGER => with_eager(cb, |l, _| f(l)),
        _ => Err(LabError::Unsupported),
    }
}

/// Eager: copies every pushed header (name, then value) and then the pushed body into the thread's
/// arena, taken once per callback and reserved first so it does not move under the views, counts
/// the copies once, and runs `f` over views of the header copies and the body copy. Eager pays for
/// the whole push whatever the filter reads.
fn with_eager<R>(
    cb: &Callback<'_>,
    f: impl FnOnce(&Lookup<'_, '_>, &[u8]) -> Result<R, LabError>,
) -> Result<R, LabError> {
    let (pushed, body) = cb.pushed().ok_or(LabError::Null)?;
    with_arena(|arena| {
        let headers: usize = pushed
            .iter()
            .map(|h| h.name().len() + h.value().len())
            .sum();
        arena.reserve(headers + body.len());
        for h in pushed {
            arena.extend_from_slice(h.name().as_bytes());
            arena.extend_from_slice(h.value().as_bytes());
        }
        arena.extend_from_slice(body);
        note_copy(arena.len());
        let (copies, body) = arena.split_at(headers);
        with_slots::<HostHeader<'_>, N, _>(pushed.len(), |slots| {
            let mut at = 0;
            for (slot, h) in slots.iter_mut().zip(pushed) {
                let (n, v) = (h.name().len(), h.value().len());
                slot.write(HostHeader::from_parts(
                    &copies[at..at + n],
                    &copies[at + n..at + n + v],
                ));
                at += n + v;
            }
            // SAFETY: the loop wrote every one of the pushed.len() slots.
            let views = unsafe { &*(std::ptr::from_ref(&slots[..]) as *const [HostHeader<'_>]) };
            f(&Lookup::Views(views), body)
        })
    })
}

/// Lazy's cache for one callback: the thread's arena, taken once (one thread-local access, one
/// borrow) and emptied; `f` copies each value it reads to the arena's end with [`cache`]. The
/// copies are counted once, at the end, as eager counts its own.
fn with_cache<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    with_arena(|arena| {
        let r = f(arena);
        note_copy(arena.len());
        r
    })
}

/// Copies `bytes` to the end of the callback's cache and digests the copy.
#[inline]
fn cache(arena: &mut Vec<u8>, bytes: &[u8]) -> u64 {
    let at = arena.len();
    arena.extend_from_slice(bytes);
    digest(&arena[at..])
}

/// The one header S07, S11 and S12 read.
pub const ONE_HEADER: &[u8] = b"user-agent";
/// S14 basic auth: `lab:secret`.
pub const EXPECTED_AUTHORIZATION: &[u8] = b"Basic bGFiOnNlY3JldA==";

/// on_request_headers: runs `entry.filter` with `entry.access`; returns a checksum of what it read.
pub fn on_request_headers(cb: &mut Callback<'_>) -> Result<u64, LabError> {
    let entry = cb.entry();
    let access = entry.access;
    match entry.filter {
        sys::LAB_FILTER_NOTHING => {
            // Eager pays for the push whether or not the filter reads: it copies it all.
            if access == sys::LAB_ACCESS_EAGER {
                return with_lookup(cb, access, |_| Ok(0));
            }
            Ok(0)
        }
        sys::LAB_FILTER_ONE_HEADER => match access {
            sys::LAB_ACCESS_LAZY => {
                let v = cb.header(ONE_HEADER)?;
                Ok(with_cache(|c| cache(c, v.as_bytes())))
            }
            _ => with_lookup(cb, access, |l| Ok(l.get(ONE_HEADER)?.map_or(0, digest))),
        },
        sys::LAB_FILTER_ALL_HEADERS => match access {
            sys::LAB_ACCESS_LAZY => {
                with_slots::<HostHeader<'_>, N, _>(entry.header_count, |slots| {
                    let views = cb.view_all(slots)?;
                    Ok(with_cache(|c| {
                        // The values fit in header_bytes: at most one growth per callback.
                        c.reserve(entry.header_bytes);
                        views
                            .iter()
                            .fold(0u64, |s, h| s.wrapping_add(cache(c, h.value().as_bytes())))
                    }))
                })
            }
            _ => with_lookup(cb, access, |l| l.all(cb)),
        },
        sys::LAB_FILTER_BODY => match access {
            sys::LAB_ACCESS_LAZY => {
                let body = cb.body()?;
                Ok(with_cache(|c| cache(c, body.as_bytes())))
            }
            sys::LAB_ACCESS_EAGER => with_eager(cb, |_, body| Ok(digest(body))),
            _ => Ok(digest(cb.body()?.as_bytes())),
        },
        sys::LAB_FILTER_BASIC_AUTH => {
            let ok = with_lookup(cb, access, |l| {
                Ok(l.get(b"authorization")? == Some(EXPECTED_AUTHORIZATION))
            })?;
            if ok {
                Ok(200)
            } else {
                cb.send_local_reply(401, b"unauthorized")?;
                Ok(401)
            }
        }
        sys::LAB_FILTER_HEADER_GET_SET => {
            let sum = with_lookup(cb, access, |l| {
                let mut sum = 0u64;
                for name in [&b":path"[..], b"user-agent", b"x-request-id", b"accept"] {
                    sum = sum.wrapping_add(l.get(name)?.map_or(0, digest));
                }
                Ok(sum)
            })?;
            cb.set_header(b"x-lab-seen", b"1")?;
            cb.set_header(b"x-lab-route", b"cluster-a")?;
            Ok(sum)
        }
        sys::LAB_FILTER_CLONE_ALL => with_lookup(cb, access, |l| {
            // Allocation-heavy on purpose (S12): an owned copy of each header value (one
            // allocation and one memcpy, no validation), as the C floor's malloc and memcpy.
            let owned: Vec<Vec<u8>> = match l {
                Lookup::Views(views) => views
                    .iter()
                    .map(|h| h.value().as_bytes().to_vec())
                    .collect(),
                Lookup::PerCall(_) => return Err(LabError::Unsupported),
            };
            note_copy(owned.iter().map(Vec::len).sum());
            Ok(owned.iter().fold(0u64, |s, v| s.wrapping_add(digest(v))))
        }),
        sys::LAB_FILTER_PANIC => panic!("lab filter panicked on purpose (S10)"),
        _ => Err(LabError::Unsupported),
    }
}

/// on_response_headers: S14 `header_get_set` reads one header and sets one; other filters pass.
pub fn on_response_headers(cb: &mut Callback<'_>) -> Result<u64, LabError> {
    if cb.entry().filter != sys::LAB_FILTER_HEADER_GET_SET {
        return Ok(0);
    }
    let sum = with_lookup(cb, cb.entry().access, |l| {
        Ok(l.get(b"x-lab-seen")?.map_or(0, digest))
    })?;
    cb.set_header(b"x-lab-response", b"rust")?;
    Ok(sum)
}

/// on_request_body: the body filter reads the body; others pass.
pub fn on_request_body(cb: &mut Callback<'_>) -> Result<u64, LabError> {
    match cb.entry().filter {
        sys::LAB_FILTER_BODY => Ok(digest(cb.body()?.as_bytes())),
        _ => Ok(0),
    }
}
