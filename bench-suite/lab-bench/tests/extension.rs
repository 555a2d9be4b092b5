//! The Rust extension called as the C driver calls it, in-process: the host API table of the
//! statically linked host, requests behind handles, the `lab_ext_*` exports. Checks every filter ×
//! access strategy, its allocations, panic containment and the bad handles.

use std::ptr;

use lab_ext::exports::*;
use lab_sys::alloc::usage_of;
use lab_sys::sys;

struct Fixture {
    handle: sys::lab_handle,
    entry: sys::lab_entry,
    views: Vec<sys::lab_header>,
}

fn init() {
    // SAFETY: lab_host_api_get returns the host's static table.
    assert_eq!(
        lab_ext_init(unsafe { sys::lab_host_api_get() }),
        sys::LAB_OK
    );
}

/// A 16-header request with the given authorization value (or none) and a body of `body` bytes.
fn fixture(filter: u32, access: u32, auth: Option<&[u8]>, body: usize) -> Fixture {
    init();
    // SAFETY (all calls below): valid pointers and lengths; the request is registered, and so
    // owned by the registry, before the handle is used.
    unsafe {
        let req = sys::lab_request_new_realistic(12, 42);
        for i in 0..3u8 {
            let name = [b'x', b'-', b'e', b'x', b't', b'r', b'a', b'0' + i];
            assert_eq!(
                sys::lab_header_set(req, name.as_ptr(), name.len(), b"extra".as_ptr(), 5),
                sys::LAB_OK
            );
        }
        let auth = auth.unwrap_or(b"none");
        let name: &[u8] = if auth == b"none" {
            b"x-no-auth"
        } else {
            b"authorization"
        };
        assert_eq!(
            sys::lab_header_set(req, name.as_ptr(), name.len(), auth.as_ptr(), auth.len()),
            sys::LAB_OK
        );
        let body_bytes = vec![b'b'; body];
        assert_eq!(
            sys::lab_request_set_body(req, body_bytes.as_ptr(), body),
            sys::LAB_OK
        );
        let handle = sys::lab_handle_register(req);
        assert_ne!(handle, 0);
        let (mut count, mut bytes) = (0, 0);
        assert_eq!(
            sys::lab_headers_size(req, &mut count, &mut bytes),
            sys::LAB_OK
        );
        let mut views = vec![sys::lab_header::default(); count];
        let mut f = Fixture {
            handle,
            entry: sys::lab_entry {
                request: handle,
                filter,
                access,
                header_count: count,
                header_bytes: bytes,
                body_len: body,
                ..Default::default()
            },
            views: Vec::new(),
        };
        if access == sys::LAB_ACCESS_EAGER {
            let mut n = 0;
            assert_eq!(
                sys::lab_headers_view_all(req, views.as_mut_ptr(), count, &mut n),
                sys::LAB_OK
            );
            let mut b = sys::lab_str::default();
            assert_eq!(
                ((*sys::lab_host_api_get()).body_get.unwrap())(handle, &mut b),
                sys::LAB_OK
            );
            f.views = views;
            f.entry.headers = f.views.as_ptr();
            f.entry.body = b.ptr;
        }
        f
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // SAFETY: the handle is ours; destroying it twice would be answered with BAD_HANDLE.
        unsafe { sys::lab_handle_destroy(self.handle) };
    }
}

fn call(f: &Fixture) -> (sys::lab_status, u64) {
    let mut out = 0;
    (lab_ext_on_request_headers(&f.entry, &mut out), out)
}

const ACCESSES: [u32; 5] = [
    sys::LAB_ACCESS_EAGER,
    sys::LAB_ACCESS_LAZY,
    sys::LAB_ACCESS_PER_HEADER_CALL,
    sys::LAB_ACCESS_BULK_COPY,
    sys::LAB_ACCESS_BULK_BORROW,
];

#[test]
fn every_reading_filter_agrees_across_access_strategies() {
    for filter in [sys::LAB_FILTER_ONE_HEADER, sys::LAB_FILTER_ALL_HEADERS] {
        let sums: Vec<u64> = ACCESSES
            .iter()
            .map(|&a| {
                let (st, sum) = call(&fixture(filter, a, None, 64));
                assert_eq!(st, sys::LAB_OK, "filter {filter} access {a}");
                sum
            })
            .collect();
        assert!(
            sums.iter().all(|&s| s == sums[0] && s != 0),
            "filter {filter}: {sums:?}"
        );
    }
}

#[test]
fn lazy_copies_only_what_is_read_eager_copies_everything() {
    let body = 4096;
    for (filter, lazy_copies) in [(sys::LAB_FILTER_NOTHING, 0), (sys::LAB_FILTER_BODY, body)] {
        let lazy = fixture(filter, sys::LAB_ACCESS_LAZY, None, body);
        let eager = fixture(filter, sys::LAB_ACCESS_EAGER, None, body);
        let everything = (eager.entry.header_bytes + body) as u64;
        call(&lazy);
        call(&eager); // warm the thread's arena
        let ((st, _), ul) = usage_of(|| call(&lazy));
        assert_eq!(st, sys::LAB_OK);
        let ((st, _), ue) = usage_of(|| call(&eager));
        assert_eq!(st, sys::LAB_OK);
        assert_eq!(
            (ul.rust_allocs, ue.rust_allocs),
            (0, 0),
            "the arena is reused: no allocation per request"
        );
        assert_eq!(ul.bytes_copied, lazy_copies as u64, "lazy, filter {filter}");
        assert_eq!(ue.bytes_copied, everything, "eager, filter {filter}");
    }
}

#[test]
fn basic_auth_replies_401_to_bad_or_missing_credentials() {
    for access in [
        sys::LAB_ACCESS_PER_HEADER_CALL,
        sys::LAB_ACCESS_BULK_COPY,
        sys::LAB_ACCESS_BULK_BORROW,
    ] {
        for (auth, status, reply) in [
            (Some(&b"Basic bGFiOnNlY3JldA=="[..]), 200, 0),
            (Some(&b"Basic bGFiOndyb25n"[..]), 401, 401),
            (None, 401, 401),
        ] {
            let f = fixture(sys::LAB_FILTER_BASIC_AUTH, access, auth, 0);
            assert_eq!(call(&f), (sys::LAB_OK, status));
            // SAFETY: a live handle.
            assert_eq!(unsafe { sys::lab_handle_local_reply(f.handle) }, reply);
        }
    }
}

#[test]
fn header_get_set_writes_through_the_host() {
    for access in [
        sys::LAB_ACCESS_PER_HEADER_CALL,
        sys::LAB_ACCESS_BULK_COPY,
        sys::LAB_ACCESS_BULK_BORROW,
    ] {
        let mut f = fixture(sys::LAB_FILTER_HEADER_GET_SET, access, None, 0);
        assert_eq!(call(&f).0, sys::LAB_OK);
        // The host passes fresh sizes on entry to each callback; the request grew by two headers.
        // SAFETY: a live handle's request; valid out-params.
        unsafe {
            sys::lab_headers_size(
                sys::lab_handle_resolve(f.handle),
                &mut f.entry.header_count,
                &mut f.entry.header_bytes,
            )
        };
        let mut out = 0;
        assert_eq!(lab_ext_on_response_headers(&f.entry, &mut out), sys::LAB_OK);
        assert_ne!(out, 0, "x-lab-seen was set on the request and read back");
        // SAFETY: a live handle's request.
        let req = unsafe { sys::lab_handle_resolve(f.handle) };
        let mut v = sys::lab_str::default();
        // SAFETY: valid request and name.
        assert_eq!(
            unsafe { sys::lab_header_get(req, b"x-lab-response".as_ptr(), 14, &mut v) },
            sys::LAB_OK
        );
    }
}

#[test]
fn allocations_per_request() {
    // (filter, access, Rust allocations per request after warm-up)
    for (filter, access, allocs) in [
        (
            sys::LAB_FILTER_ONE_HEADER,
            sys::LAB_ACCESS_PER_HEADER_CALL,
            0,
        ),
        (sys::LAB_FILTER_ONE_HEADER, sys::LAB_ACCESS_BULK_BORROW, 0),
        (sys::LAB_FILTER_ONE_HEADER, sys::LAB_ACCESS_BULK_COPY, 1),
        (sys::LAB_FILTER_ONE_HEADER, sys::LAB_ACCESS_LAZY, 0),
        (sys::LAB_FILTER_ONE_HEADER, sys::LAB_ACCESS_EAGER, 0),
        // An owned copy per header value (16) plus the Vec that holds them.
        (sys::LAB_FILTER_CLONE_ALL, sys::LAB_ACCESS_BULK_BORROW, 17),
    ] {
        let f = fixture(filter, access, None, 0);
        call(&f);
        let ((st, _), u) = usage_of(|| call(&f));
        assert_eq!(st, sys::LAB_OK);
        assert_eq!(u.rust_allocs, allocs, "filter {filter} access {access}");
        assert_eq!(u.c_allocs, 0, "reads allocate nothing in the host");
        assert_eq!(u.rust_allocs, u.rust_frees);
    }
}

#[test]
fn a_panicking_filter_ends_its_request_only() {
    let f = fixture(sys::LAB_FILTER_PANIC, sys::LAB_ACCESS_LAZY, None, 0);
    let mut before = sys::lab_ext_counters::default();
    lab_ext_stats(&mut before);
    for _ in 0..100 {
        assert_eq!(call(&f).0, sys::LAB_ERR_PANIC);
    }
    let mut after = sys::lab_ext_counters::default();
    lab_ext_stats(&mut after);
    assert_eq!(after.panics_caught - before.panics_caught, 100);
    assert_eq!(
        after.allocs - before.allocs,
        after.frees - before.frees,
        "a caught panic leaks nothing"
    );
    // The extension goes on serving.
    assert_eq!(
        call(&fixture(
            sys::LAB_FILTER_ONE_HEADER,
            sys::LAB_ACCESS_LAZY,
            None,
            0
        ))
        .0,
        sys::LAB_OK
    );
}

#[test]
fn bad_handles_and_entries_are_clear_errors() {
    let f = fixture(sys::LAB_FILTER_ONE_HEADER, sys::LAB_ACCESS_LAZY, None, 0);
    let mut entry = f.entry;
    let mut out = 0;
    assert_eq!(
        lab_ext_on_request_headers(ptr::null(), &mut out),
        sys::LAB_ERR_NULL
    );
    for handle in [0, 0xdead_beef_0000_0001, f.handle + (2 << 32)] {
        entry.request = handle;
        assert_eq!(
            lab_ext_on_request_headers(&entry, &mut out),
            sys::LAB_ERR_BAD_HANDLE,
            "handle {handle:#x}"
        );
    }
    // A handle used after destroy.
    let g = fixture(sys::LAB_FILTER_ONE_HEADER, sys::LAB_ACCESS_LAZY, None, 0);
    // SAFETY: destroying our own handle; the fixture's Drop then gets BAD_HANDLE, harmlessly.
    assert_eq!(unsafe { sys::lab_handle_destroy(g.handle) }, sys::LAB_OK);
    assert_eq!(call(&g).0, sys::LAB_ERR_BAD_HANDLE);
    // Unknown filters and access strategies.
    entry = f.entry;
    entry.filter = 99;
    assert_eq!(
        lab_ext_on_request_headers(&entry, &mut out),
        sys::LAB_ERR_UNSUPPORTED
    );
    entry = f.entry;
    entry.filter = sys::LAB_FILTER_ALL_HEADERS;
    entry.access = 42;
    assert_eq!(
        lab_ext_on_request_headers(&entry, &mut out),
        sys::LAB_ERR_UNSUPPORTED
    );
    // Eager without the pushed headers is refused, not dereferenced.
    entry = f.entry;
    entry.filter = sys::LAB_FILTER_ALL_HEADERS;
    entry.access = sys::LAB_ACCESS_EAGER;
    assert_eq!(
        lab_ext_on_request_headers(&entry, &mut out),
        sys::LAB_ERR_NULL
    );
}

#[test]
fn invalid_header_names_through_the_table_are_refused() {
    init();
    // SAFETY: the host's static table; a valid fixture handle.
    let api = unsafe { &*sys::lab_host_api_get() };
    let f = fixture(sys::LAB_FILTER_NOTHING, sys::LAB_ACCESS_LAZY, None, 0);
    let mut v = sys::lab_str::default();
    // SAFETY: valid pointers; the name is refused before any lookup.
    let st = unsafe { (api.header_get.unwrap())(f.handle, b"Bad Name".as_ptr(), 8, &mut v) };
    assert_eq!(st, sys::LAB_ERR_INVALID_NAME);
}

#[test]
fn thread_state_is_released_when_the_thread_exits() {
    let before = lab_ext::filters::live_thread_states();
    std::thread::spawn(|| {
        let f = fixture(sys::LAB_FILTER_ONE_HEADER, sys::LAB_ACCESS_LAZY, None, 0);
        assert_eq!(call(&f).0, sys::LAB_OK);
        assert!(lab_ext::filters::live_thread_states() >= 1);
    })
    .join()
    .unwrap();
    // Other tests run threads too: wait for the count to settle back.
    assert!(lab_ext::filters::live_thread_states() <= before + 8);
}

#[test]
fn init_refuses_null_and_other_abi_versions() {
    assert_eq!(lab_ext_init(ptr::null()), sys::LAB_ERR_NULL);
    // SAFETY: the host's static table, copied.
    let mut api = unsafe { *sys::lab_host_api_get() };
    api.abi_version += 1;
    assert_eq!(lab_ext_init(&api), sys::LAB_ERR_ABI);
    init();
}
