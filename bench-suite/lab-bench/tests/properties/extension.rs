//! The Rust extension's exports with arbitrary entries.

use std::ptr;

use proptest::prelude::*;

use lab_ext::exports::{
    lab_ext_init, lab_ext_on_request_body, lab_ext_on_request_headers, lab_ext_on_response_headers,
};
use lab_sys::digest;
use lab_sys::sys;

use crate::config;
use crate::models::Model;
use crate::registry::{registry_lock, Registered};
use crate::strategies::{bytes, fixture_headers, SUM_SENTINEL};

const EXPECTED_AUTH: &[u8] = lab_ext::filters::EXPECTED_AUTHORIZATION;

/// What an entry looks like to the model.
#[derive(Debug, Clone, Copy)]
struct ExtCase {
    filter: u32,
    access: u32,
    live: bool,
    /// Eager: the pushed headers and body are present (no NULL with a count or length).
    pushed_ok: bool,
    /// The entry's header count is at least the real one (a stale, lower count is a capacity error).
    view_ok: bool,
    /// ... and its header bytes too.
    copy_ok: bool,
}

/// filters.rs's `with_lookup` before the filter reads anything: the bulk strategies call the host
/// once with the entry's (maybe stale) sizes, eager needs what the host pushed, per-call strategies
/// have not called yet, and an unknown access is LAB_ERR_UNSUPPORTED.
fn model_lookup(c: &ExtCase) -> Result<u64, u32> {
    let host = |ok: bool| match (c.live, ok) {
        (false, _) => Err(sys::LAB_ERR_BAD_HANDLE),
        (true, true) => Ok(0),
        (true, false) => Err(sys::LAB_ERR_CAPACITY),
    };
    match c.access {
        sys::LAB_ACCESS_LAZY | sys::LAB_ACCESS_PER_HEADER_CALL => Ok(0),
        sys::LAB_ACCESS_BULK_BORROW => host(c.view_ok),
        sys::LAB_ACCESS_BULK_COPY => host(c.copy_ok),
        sys::LAB_ACCESS_EAGER if c.pushed_ok => Ok(0),
        sys::LAB_ACCESS_EAGER => Err(sys::LAB_ERR_NULL),
        _ => Err(sys::LAB_ERR_UNSUPPORTED),
    }
}

/// on_request_headers, written from filters.rs's contract: access matters only where a filter
/// reaches headers; an unknown filter, or an unknown access where headers are reached, is
/// LAB_ERR_UNSUPPORTED; a call into the host on a dead handle is LAB_ERR_BAD_HANDLE.
fn model_request_headers(c: &ExtCase, m: &Model, body: &[u8]) -> Result<u64, u32> {
    let host = |st: Result<u64, u32>| {
        if c.live {
            st
        } else {
            Err(sys::LAB_ERR_BAD_HANDLE)
        }
    };
    let cap = |ok: bool| {
        if ok {
            Ok(0)
        } else {
            Err(sys::LAB_ERR_CAPACITY)
        }
    };
    let eager = c.access == sys::LAB_ACCESS_EAGER;
    let pushed = if c.pushed_ok {
        Ok(0)
    } else {
        Err(sys::LAB_ERR_NULL)
    };
    let per_call = c.access == sys::LAB_ACCESS_PER_HEADER_CALL || c.access == sys::LAB_ACCESS_LAZY;
    let dig = |name: &[u8]| m.get(name).map_or(0, digest);
    let all = m
        .headers
        .iter()
        .fold(0u64, |s, (_, v)| s.wrapping_add(digest(v)));
    match c.filter {
        sys::LAB_FILTER_NOTHING if eager => pushed,
        sys::LAB_FILTER_NOTHING => Ok(0),
        sys::LAB_FILTER_ONE_HEADER if c.access == sys::LAB_ACCESS_LAZY => host(
            m.get(lab_ext::filters::ONE_HEADER)
                .map(digest)
                .ok_or(sys::LAB_ERR_NOT_FOUND),
        ),
        sys::LAB_FILTER_ALL_HEADERS if c.access == sys::LAB_ACCESS_LAZY => {
            host(cap(c.view_ok)).map(|_| all)
        }
        sys::LAB_FILTER_BODY if eager => pushed.map(|_| digest(body)),
        sys::LAB_FILTER_BODY => host(Ok(digest(body))),
        sys::LAB_FILTER_PANIC => Err(sys::LAB_ERR_PANIC),
        f if f > sys::LAB_FILTER_PANIC => Err(sys::LAB_ERR_UNSUPPORTED),
        f => {
            model_lookup(c)?;
            match f {
                sys::LAB_FILTER_ONE_HEADER if per_call => host(Ok(dig(b"user-agent"))),
                sys::LAB_FILTER_ONE_HEADER => Ok(dig(b"user-agent")),
                sys::LAB_FILTER_ALL_HEADERS if per_call => host(cap(c.view_ok)).map(|_| all),
                sys::LAB_FILTER_ALL_HEADERS => Ok(all),
                sys::LAB_FILTER_BASIC_AUTH => {
                    if per_call {
                        host(Ok(0))?;
                    }
                    if m.get(b"authorization") == Some(EXPECTED_AUTH) {
                        Ok(200)
                    } else {
                        host(Ok(401))
                    }
                }
                sys::LAB_FILTER_HEADER_GET_SET => {
                    if per_call {
                        host(Ok(0))?;
                    }
                    let sum = [&b":path"[..], b"user-agent", b"x-request-id", b"accept"]
                        .iter()
                        .fold(0u64, |s, n| s.wrapping_add(dig(n)));
                    host(Ok(sum))
                }
                sys::LAB_FILTER_CLONE_ALL if per_call => Err(sys::LAB_ERR_UNSUPPORTED),
                // An owned copy of every value, read whole (as the C floor's).
                sys::LAB_FILTER_CLONE_ALL => Ok(m
                    .headers
                    .iter()
                    .fold(0u64, |s, (_, v)| s.wrapping_add(digest(v)))),
                _ => unreachable!("filters 0..=7 are all matched"),
            }
        }
    }
}

/// on_request_body: the body filter reads the body; every other filter passes.
fn model_request_body(c: &ExtCase, body: &[u8]) -> Result<u64, u32> {
    match c.filter {
        sys::LAB_FILTER_BODY if c.live => Ok(digest(body)),
        sys::LAB_FILTER_BODY => Err(sys::LAB_ERR_BAD_HANDLE),
        _ => Ok(0),
    }
}

/// on_response_headers: header_get_set reads `x-lab-seen` (as its access reaches headers) and
/// sets one header; other filters pass.
fn model_response_headers(c: &ExtCase, m: &Model) -> Result<u64, u32> {
    if c.filter != sys::LAB_FILTER_HEADER_GET_SET {
        return Ok(0);
    }
    model_lookup(c)?;
    if !c.live {
        // The read (per call) or the write goes to the host, which refuses the handle.
        return Err(sys::LAB_ERR_BAD_HANDLE);
    }
    Ok(m.get(b"x-lab-seen").map_or(0, digest))
}

fn ext_headers() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
    let named = |n: &'static [u8], v: BoxedStrategy<Vec<u8>>| {
        prop::option::of(v.prop_map(move |v| (n.to_vec(), v)))
    };
    (
        fixture_headers(),
        named(b"user-agent", bytes(24).boxed()),
        named(
            b"authorization",
            prop_oneof![Just(EXPECTED_AUTH.to_vec()), bytes(24)].boxed(),
        ),
        named(b":path", bytes(8).boxed()),
        named(b"x-lab-seen", bytes(4).boxed()),
    )
        .prop_map(|(mut h, ua, auth, path, seen)| {
            h.extend([ua, auth, path, seen].into_iter().flatten());
            h
        })
}

proptest! {
    #![proptest_config(config())]

    /// The lab_ext_* callbacks with arbitrary filter and access numbers, stale sizes, dead
    /// handles and NULL entries: the status (and on LAB_OK the checksum) of the model, never a
    /// crash or an unwind into C; `result` is written only on LAB_OK.
    #[test]
    fn extension_callbacks_answer_every_entry(
        headers in ext_headers(),
        body in bytes(32),
        filter in prop_oneof![4 => 0u32..=8, 1 => any::<u32>()],
        access in prop_oneof![4 => 0u32..=5, 1 => any::<u32>()],
        callback in 0usize..3,
        (dead, count_delta, bytes_delta) in (prop::option::weighted(0.2, any::<u64>()), -2isize..=2, -3isize..=3),
        (headers_null, body_null, entry_null, result_null) in
            (prop::bool::weighted(0.2), prop::bool::weighted(0.2), prop::bool::weighted(0.05), any::<bool>()),
    ) {
        let _lock = registry_lock();
        // SAFETY: the host's static table.
        prop_assert_eq!(lab_ext_init(unsafe { sys::lab_host_api_get() }), sys::LAB_OK);
        let mut reg = Registered::new(&headers, &body);
        let sizes = reg.model.sizes();
        let eager = access == sys::LAB_ACCESS_EAGER;
        // The host pushes views only in eager mode, and they must be real there (a stale pushed
        // count would be the host's own out-of-bounds read); a dead handle has nothing to push.
        let mut pushed = vec![sys::lab_header::default(); sizes.count];
        let mut entry = sys::lab_entry {
            request: reg.handle,
            filter,
            access,
            header_count: sizes.count,
            header_bytes: sizes.bytes,
            body_len: body.len(),
            headers: ptr::null(),
            body: ptr::null(),
        };
        let mut live = true;
        if eager {
            let mut n = 0;
            // SAFETY: a live request; pushed has room for all sizes.count views.
            let st = unsafe {
                sys::lab_headers_view_all(sys::lab_handle_resolve(reg.handle), pushed.as_mut_ptr(),
                                          pushed.len(), &mut n)
            };
            prop_assert_eq!(st, sys::LAB_OK);
            if !headers_null {
                entry.headers = pushed.as_ptr();
            }
            if !body_null {
                entry.body = reg.body.as_ptr();
            }
        } else {
            entry.header_count = sizes.count.saturating_add_signed(count_delta);
            entry.header_bytes = sizes.bytes.saturating_add_signed(bytes_delta);
            if let Some(other) = dead {
                // Half a destroyed handle, half an arbitrary number (live only if it is ours).
                if other % 2 == 0 {
                    prop_assert_eq!(reg.destroy(), sys::LAB_OK);
                } else {
                    entry.request = other;
                }
                live = reg.live && entry.request == reg.handle;
            }
        }
        // NULL with a count or a length: what eager must refuse.
        let null_pushed = (entry.headers.is_null() && entry.header_count > 0)
            || (entry.body.is_null() && entry.body_len > 0);
        let case = ExtCase {
            filter,
            access,
            live,
            pushed_ok: !null_pushed,
            view_ok: entry.header_count >= sizes.count,
            copy_ok: entry.header_count >= sizes.count && entry.header_bytes >= sizes.bytes,
        };
        let (f, expected): (sys::lab_ext_callback_fn, _) = match callback {
            0 => (Some(lab_ext_on_request_headers), model_request_headers(&case, &reg.model, &body)),
            1 => (Some(lab_ext_on_request_body), model_request_body(&case, &body)),
            _ => (Some(lab_ext_on_response_headers), model_response_headers(&case, &reg.model)),
        };
        let expected = if entry_null { Err(sys::LAB_ERR_NULL) } else { expected };
        let mut result = SUM_SENTINEL;
        let entry_ptr: *const sys::lab_entry = if entry_null { ptr::null() } else { &entry };
        let result_ptr: *mut u64 = if result_null { ptr::null_mut() } else { &mut result };
        // SAFETY: the callback has lab.h's signature; entry is NULL or valid for the call, with
        // pushed views (eager) that stay valid and unwritten during it; result is NULL or valid.
        let status = unsafe { (f.unwrap())(entry_ptr, result_ptr) };
        match expected {
            Ok(sum) => {
                prop_assert_eq!(status, sys::LAB_OK, "{:?}", case);
                prop_assert_eq!(result, if result_null { SUM_SENTINEL } else { sum }, "{:?}", case);
            }
            Err(st) => {
                prop_assert_eq!(status, st, "{:?}", case);
                prop_assert_eq!(result, SUM_SENTINEL, "result written on an error");
            }
        }
        if callback == 0 && filter == sys::LAB_FILTER_BASIC_AUTH && expected == Ok(401) {
            // SAFETY: lab_handle_local_reply has no preconditions.
            prop_assert_eq!(unsafe { sys::lab_handle_local_reply(reg.handle) }, 401);
        }
    }
}
