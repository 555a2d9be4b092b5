//! The `lab_ext_*` symbols of lab.h. Each is checked at compile time against the function-pointer
//! typedef lab.h gives it (`const _: sys::lab_ext_…_fn = Some(…)`), so the header stays the one
//! declaration. Every callback runs inside `catch_unwind`: since Rust 1.81 a panic escaping an
//! `extern "C"` function aborts the process — the host — so a panicking filter must end as
//! `LAB_ERR_PANIC` for its request instead (FINDINGS.md S10).

use std::cell::Cell;
use std::hint::black_box;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::Once;

use super::filters;
use lab_sys::alloc::rust_counts;
use lab_sys::callback::Callback;
use lab_sys::host::LabError;
use lab_sys::sys;

static HOST: AtomicPtr<sys::lab_host_api> = AtomicPtr::new(std::ptr::null_mut());
static PANICS: AtomicU64 = AtomicU64::new(0);
static QUIET_HOOK: Once = Once::new();

thread_local! {
    // Set while a guarded callback runs, so the panic hook stays quiet for the panics it catches
    // and prints every other panic as before.
    static IN_GUARD: Cell<bool> = const { Cell::new(false) };
}

/// Keeps the host's table. Fails on a NULL table or another ABI version.
// The exports take raw pointers from C by definition; each dereference is checked for NULL and
// argued in its SAFETY comment, so `unsafe fn` (for Rust callers that do not exist) adds nothing.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn lab_ext_init(host: *const sys::lab_host_api) -> sys::lab_status {
    // SAFETY: a non-null table comes from the host and lives as long as the process (static).
    let Some(api) = (unsafe { host.as_ref() }) else {
        return sys::LAB_ERR_NULL;
    };
    if api.abi_version != sys::LAB_ABI_VERSION {
        return sys::LAB_ERR_ABI;
    }
    HOST.store(host.cast_mut(), Ordering::Release);
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_GUARD.with(Cell::get) {
                previous(info);
            }
        }));
    });
    sys::LAB_OK
}
const _: sys::lab_ext_init_fn = Some(lab_ext_init);

/// S01: the empty call.
#[no_mangle]
pub extern "C" fn lab_ext_noop() {}
const _: sys::lab_ext_noop_fn = Some(lab_ext_noop);

/// S01: a call with four arguments whose result depends on all of them.
#[no_mangle]
pub extern "C" fn lab_ext_noop_args(
    a: u64,
    b: u64,
    ptr: *const std::ffi::c_void,
    len: usize,
) -> u64 {
    (a ^ b).wrapping_add(ptr as u64).wrapping_add(len as u64)
}
const _: sys::lab_ext_noop_args_fn = Some(lab_ext_noop_args);

/// S10's empty body: what every S10 row but `bare_call` and `thread_local` calls, through a
/// pointer the compiler cannot see through, so the body could panic: the landing pad, the flag and
/// the outcome match of the rows around it all stay. (A closure the compiler can prove panic-free
/// lets `catch_unwind` fold away, leaving a bare `ret` that times nothing.)
#[inline(always)]
fn opaque_empty_body() -> fn() -> Result<u64, LabError> {
    fn empty_body() -> Result<u64, LabError> {
        Ok(0)
    }
    black_box(empty_body as fn() -> Result<u64, LabError>)
}

/// S10 `guarded`: the empty body inside the whole [`guard`] every callback runs, so the row times
/// what a callback pays for it.
#[no_mangle]
pub extern "C" fn lab_ext_noop_guarded() {
    let body = opaque_empty_body();
    let mut sink = 0u64;
    let _ = guard(&mut sink, |_| body());
    black_box(sink);
}
const _: sys::lab_ext_noop_guarded_fn = Some(lab_ext_noop_guarded);

/// S10 `body_call`: the empty body called alone, the base of the guard's parts below.
#[no_mangle]
pub extern "C" fn lab_ext_noop_body_call() {
    let body = opaque_empty_body();
    black_box(body().is_ok());
}
const _: sys::lab_ext_noop_body_call_fn = Some(lab_ext_noop_body_call);

/// S10 `catch_unwind`: the empty body inside `catch_unwind` and nothing else (no flag, no host
/// table, no status).
#[no_mangle]
pub extern "C" fn lab_ext_noop_catch_unwind() {
    let body = opaque_empty_body();
    black_box(panic::catch_unwind(body).is_ok_and(|r| r.is_ok()));
}
const _: sys::lab_ext_noop_catch_unwind_fn = Some(lab_ext_noop_catch_unwind);

/// S10 `quiet_hook`: the empty body inside [`quietly`] alone, the guard's part that keeps the panic
/// message quiet. Without `catch_unwind` a panic of the body would abort; the body never panics.
#[no_mangle]
pub extern "C" fn lab_ext_noop_quiet_hook() {
    let body = opaque_empty_body();
    black_box(quietly(|| body().is_ok()));
}
const _: sys::lab_ext_noop_quiet_hook_fn = Some(lab_ext_noop_quiet_hook);

/// S10 `thread_local`: one write of the quiet hook's thread-local flag alone, what one access to a
/// thread-local of a dlopen()ed library costs (`__tls_get_addr`). It writes the value the flag
/// holds outside a guard, so it changes nothing.
#[no_mangle]
pub extern "C" fn lab_ext_noop_thread_local() {
    IN_GUARD.with(|g| g.set(false));
}
const _: sys::lab_ext_noop_thread_local_fn = Some(lab_ext_noop_thread_local);

/// The quiet hook's part of the guard: `IN_GUARD` set while `f` runs, so the hook installed by
/// [`lab_ext_init`] stays quiet for the panics the guard catches inside `f`.
#[inline(always)]
fn quietly<R>(f: impl FnOnce() -> R) -> R {
    IN_GUARD.with(|g| g.set(true));
    let r = f();
    IN_GUARD.with(|g| g.set(false));
    r
}

/// The panic guard of every export: loads the host table, runs `body` inside `catch_unwind` with
/// the quiet-hook flag set, and turns the outcome into a status (writing `result` on success).
/// A caught panic counts in `panics_caught` and ends as `LAB_ERR_PANIC`.
#[inline(always)]
fn guard(
    result: *mut u64,
    body: impl FnOnce(&'static sys::lab_host_api) -> Result<u64, LabError>,
) -> sys::lab_status {
    // SAFETY: HOST is null or the static table stored by lab_ext_init.
    let Some(api) = (unsafe { HOST.load(Ordering::Acquire).as_ref() }) else {
        return sys::LAB_ERR_ABI;
    };
    let outcome = quietly(|| panic::catch_unwind(AssertUnwindSafe(|| body(api))));
    match outcome {
        Ok(Ok(sum)) => {
            if !result.is_null() {
                // SAFETY: a non-null result is the host's valid out-param.
                unsafe { *result = sum };
            }
            sys::LAB_OK
        }
        Ok(Err(e)) => e.status(),
        Err(payload) => {
            PANICS.fetch_add(1, Ordering::Relaxed);
            // Dropping a payload can panic in turn; that must not unwind into C either.
            let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
            sys::LAB_ERR_PANIC
        }
    }
}

/// Runs one callback: validates the entry, then the filter inside [`guard`].
#[inline(always)]
fn guarded(
    entry: *const sys::lab_entry,
    result: *mut u64,
    callback: fn(&mut Callback<'_>) -> Result<u64, LabError>,
) -> sys::lab_status {
    // SAFETY: the host passes a valid entry for the duration of the call, or NULL.
    let Some(entry) = (unsafe { entry.as_ref() }) else {
        return sys::LAB_ERR_NULL;
    };
    guard(result, |api| callback(&mut Callback::new(api, entry)))
}

#[no_mangle]
pub extern "C" fn lab_ext_on_request_headers(
    entry: *const sys::lab_entry,
    result: *mut u64,
) -> sys::lab_status {
    guarded(entry, result, filters::on_request_headers)
}
const _: sys::lab_ext_callback_fn = Some(lab_ext_on_request_headers);

#[no_mangle]
pub extern "C" fn lab_ext_on_request_body(
    entry: *const sys::lab_entry,
    result: *mut u64,
) -> sys::lab_status {
    guarded(entry, result, filters::on_request_body)
}
const _: sys::lab_ext_callback_fn = Some(lab_ext_on_request_body);

#[no_mangle]
pub extern "C" fn lab_ext_on_response_headers(
    entry: *const sys::lab_entry,
    result: *mut u64,
) -> sys::lab_status {
    guarded(entry, result, filters::on_response_headers)
}
const _: sys::lab_ext_callback_fn = Some(lab_ext_on_response_headers);

/// The calling thread's allocation and copy counts and retained bytes, and the process-wide
/// gauges.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn lab_ext_stats(out: *mut sys::lab_ext_counters) {
    let c = rust_counts();
    let stats = sys::lab_ext_counters {
        allocs: c.allocs,
        frees: c.frees,
        bytes_allocated: c.bytes_allocated,
        live_thread_states: filters::live_thread_states(),
        panics_caught: PANICS.load(Ordering::Relaxed),
        bytes_copied: c.bytes_copied,
        bytes_retained: filters::retained_bytes(),
    };
    // SAFETY: a non-null out is the host's valid out-param.
    if let Some(out) = unsafe { out.as_mut() } {
        *out = stats;
    }
}
const _: sys::lab_ext_stats_fn = Some(lab_ext_stats);

/// Forgets the host's table; later callbacks answer `LAB_ERR_ABI` until the next init.
#[no_mangle]
pub extern "C" fn lab_ext_destroy() {
    HOST.store(std::ptr::null_mut(), Ordering::Release);
}
const _: sys::lab_ext_destroy_fn = Some(lab_ext_destroy);
