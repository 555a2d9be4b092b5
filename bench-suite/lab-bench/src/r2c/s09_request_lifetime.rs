//! S09 request lifetime (FINDINGS.md): Envoy may destroy a request while a goroutine still runs,
//! so Envoy's Go filter gives each request an object that holds a weak_ptr to the C++ filter and
//! locks it in every API call. The cost of that check, per host call, three ways:
//!
//! - `unchecked`: a plain pointer, the floor — correct only if the caller knows the request lives
//!   (here the compiler does: the input owns it);
//! - `weak_upgrade`: the extension holds a `Weak` of the request the host owns through an `Arc`; a
//!   call upgrades it (one atomic compare-and-swap) and drops the `Arc` after (one decrement);
//! - `generation_handle`: the extension holds a handle (slot index + generation) and calls the host
//!   API table, which checks the generation and counts the call in and out of the slot — the same
//!   two atomics, on the C side.
//!
//! The call is `headers_size`, the cheapest host call, so the check is most of what is measured.
//! `threads=2`: two threads call on the same request at once, so the atomics' cache line moves
//! between cores; `unchecked` writes nothing shared. A destroyed request answers every later call
//! with `BadHandle`; `tests/lifetime_stress.rs` destroys requests under calls in flight.

use std::sync::{Arc, Weak};

use crate::case::{opaque, Case, Expect, Scenario, Sweep};
use crate::crew::Crew;
use crate::params;
use lab_sys::host::{Handle, LabError, Request};

pub const SCENARIO: Scenario = Scenario {
    id: "s09_request_lifetime",
    strategies_agree: true,
    cases,
};

pub const THREADS: &[usize] = &[1, 2];
const HEADERS: usize = 16;

pub struct Input {
    /// What the host owns (the strong reference): `unchecked` calls through it.
    owner: Arc<Request>,
    /// `weak_upgrade`'s view of the same request.
    weak: Weak<Request>,
    /// `generation_handle`: a request of the same shape in the host's registry.
    handle: Handle,
}

impl Input {
    pub fn new() -> Result<Self, LabError> {
        let owner = Arc::new(Request::realistic(HEADERS, 9)?);
        Ok(Input {
            weak: Arc::downgrade(&owner),
            owner,
            handle: Handle::register(Request::realistic(HEADERS, 9)?)?,
        })
    }

    /// The host destroys both requests (Envoy's onDestroy); later calls get `BadHandle`.
    pub fn destroy(&mut self) -> Result<(), LabError> {
        self.owner = Arc::new(Request::new()?);
        self.handle.destroy()
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        // Already destroyed (by `destroy`) is fine: the registry's slot must not leak.
        let _ = self.handle.destroy();
    }
}

fn checksum(count: usize, bytes: usize) -> u64 {
    ((count as u64) << 32) ^ bytes as u64
}

pub fn unchecked(i: &Input) -> Result<u64, LabError> {
    let s = i.owner.headers_size()?;
    Ok(checksum(s.count, s.bytes))
}

pub fn weak_upgrade(i: &Input) -> Result<u64, LabError> {
    let req = i.weak.upgrade().ok_or(LabError::BadHandle)?;
    let s = req.headers_size()?;
    Ok(checksum(s.count, s.bytes))
}

pub fn generation_handle(i: &Input) -> Result<u64, LabError> {
    let s = i.handle.headers_size()?;
    Ok(checksum(s.count, s.bytes))
}

/// The floor: C calling `lab_headers_size` on the request it knows lives, no check
/// (`lab_native_s09_request_lifetime`): `unchecked`'s work without the boundary.
pub fn native(i: &Input, iters: u64) -> Result<u64, LabError> {
    lab_sys::native::s09_request_lifetime(&i.owner, iters)
}

/// One call of a strategy.
pub type Strategy = fn(&Input) -> Result<u64, LabError>;

/// A strategy's calls shared by a crew of `threads` threads on the same request. Generic over the
/// strategy, so each crew's loop calls it directly and may inline it, as the native floor's C loop
/// has its work inline: through a `fn` pointer every call would pay a call and a frame more than
/// the floor's (docs/evidence/2026-12-06-rust-at-its-floor.md).
fn on_crew<F>(name: &'static str, f: F, expect: Expect, input: &Arc<Input>, threads: usize) -> Case
where
    F: Fn(&Input) -> Result<u64, LabError> + Send + Sync + 'static,
{
    let crew = Crew::new(threads, {
        let input = Arc::clone(input);
        Box::new(move |_, calls| {
            (0..calls).try_fold(0u64, |acc, _| Ok(acc.wrapping_add(f(opaque(&*input))?)))
        })
    });
    Case::batch(name, &params!(threads), expect, move |iters| {
        crew.run(iters)
    })
}

/// The native floor's calls shared by a crew of `threads` threads on the same request.
fn native_on_crew(input: &Arc<Input>, threads: usize) -> Case {
    let crew = Crew::new(threads, {
        let input = Arc::clone(input);
        Box::new(move |_, calls| native(&input, calls))
    });
    Case::batch(
        crate::case::NATIVE,
        &params!(threads),
        Expect::NONE,
        move |iters| crew.run(iters),
    )
}

fn cases(sweep: Sweep) -> Vec<Case> {
    // Nothing allocated or copied, on one thread or two: a check is at most two atomics, and
    // headers_size answers two numbers. Each strategy gets its crew by its function's name, as
    // `strategies!` registers them: `on_crew` is generic, so they share no array of `fn` pointers.
    macro_rules! crews {
        ($cases:expr, $shared:expr, $threads:expr, [$($strategy:path => $expect:expr),+ $(,)?]) => {
            $( $cases.push(on_crew(
                crate::case::strategy_name(stringify!($strategy)), $strategy, $expect, $shared,
                $threads)); )+
        };
    }
    // Every thread count shares its calls through a crew, one thread too, so that one and two
    // threads run the same loop and the scaling line compares like with like: a call costs more
    // instructions in the runner's own loop than in a crew's, which would make two threads look
    // closer to twice one (docs/evidence/2026-12-02-pinned-threads.md).
    let shared = Arc::new(Input::new().expect("the host creates requests"));
    let mut cases = Vec::new();
    for threads in sweep.pick(THREADS) {
        cases.push(native_on_crew(&shared, threads));
        crews!(cases, &shared, threads, [
            unchecked => Expect::NONE,
            weak_upgrade => Expect::NONE,
            generation_handle => Expect::NONE,
        ]);
    }
    cases
}
