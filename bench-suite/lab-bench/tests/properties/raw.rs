//! The raw C functions: (NULL, len > 0) and (ptr, len <= the real buffer).

use std::ptr;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use lab_sys::sys;

use crate::config;
use crate::models::{model_touch, model_valid_name};
use crate::strategies::{
    bytes, token_byte, view_sentinel, GUARD, LEN_SENTINEL, SENTINEL_NAME, SUM_SENTINEL,
};

/// A request made and freed through the raw ABI.
struct RawRequest(*mut sys::lab_request);

impl RawRequest {
    fn realistic(n: usize, seed: u64) -> Self {
        // SAFETY: no preconditions; NULL (out of memory) is checked below.
        let req = unsafe { sys::lab_request_new_realistic(n, seed) };
        assert!(!req.is_null());
        RawRequest(req)
    }

    fn sizes(&self) -> (usize, usize) {
        let (mut count, mut bytes) = (usize::MAX, usize::MAX);
        // SAFETY: a live request (owned by self) and valid out-params.
        let st = unsafe { sys::lab_headers_size(self.0, &mut count, &mut bytes) };
        assert_eq!(st, sys::LAB_OK);
        (count, bytes)
    }
}

impl Drop for RawRequest {
    fn drop(&mut self) {
        // SAFETY: self owns the request; freed exactly once.
        unsafe { sys::lab_request_free(self.0) }
    }
}

proptest! {
    #![proptest_config(config())]

    /// A NULL pointer with any non-zero length is LAB_ERR_NULL from every function that takes a
    /// (ptr, len) pair, before any dereference, and nothing is written or changed.
    #[test]
    fn null_with_a_length_is_lab_err_null(len in 1..=usize::MAX, seed in any::<u64>()) {
        let req = RawRequest::realistic(4, seed);
        let before = req.sizes();
        let (ua, nul) = (b"user-agent", ptr::null::<u8>());
        let mut sum = SUM_SENTINEL;
        let mut view = view_sentinel();
        let (mut n, mut bytes) = (LEN_SENTINEL, LEN_SENTINEL);
        let mut buf = [GUARD; 16];
        let mut views = [sys::lab_header { name: view_sentinel(), value: view_sentinel() }; 4];
        let bad_item = [sys::lab_str { ptr: nul, len }];
        let offsets = [0u32, 0];
        // SAFETY (every call): the host checks each (ptr, len) pair for (NULL, len > 0) before it
        // dereferences anything — the behaviour under test; every other pointer is valid for the
        // length given with it (buf 16 bytes, views 4 slots, offsets 2 entries for n = 1).
        let statuses = unsafe {
            [
                sys::lab_consume_str(nul, len, &mut sum),
                sys::lab_consume_str_array(ptr::null(), len, &mut sum),
                sys::lab_consume_str_array(bad_item.as_ptr(), 1, &mut sum),
                sys::lab_consume_cstr_array(ptr::null(), len, &mut sum),
                sys::lab_consume_packed(nul, len, offsets.as_ptr(), 1, &mut sum),
                sys::lab_header_get(req.0, nul, len, &mut view),
                sys::lab_header_copy(req.0, nul, len, buf.as_mut_ptr(), buf.len(), &mut n),
                sys::lab_header_copy(req.0, ua.as_ptr(), ua.len(), ptr::null_mut(), len, &mut n),
                sys::lab_headers_view_all(req.0, ptr::null_mut(), len, &mut n),
                sys::lab_headers_copy_all(req.0, ptr::null_mut(), len, views.as_mut_ptr(), 4,
                                          &mut n, &mut bytes),
                sys::lab_headers_copy_all(req.0, buf.as_mut_ptr(), 16, ptr::null_mut(), len,
                                          &mut n, &mut bytes),
                sys::lab_header_set(req.0, nul, len, b"v".as_ptr(), 1),
                sys::lab_header_set(req.0, b"x-new".as_ptr(), 5, nul, len),
                sys::lab_request_set_body(req.0, nul, len),
                // NULL out-parameters and NULL requests, with valid everything else.
                sys::lab_consume_str(b"abc".as_ptr(), 3, ptr::null_mut()),
                sys::lab_header_get(ptr::null(), ua.as_ptr(), ua.len(), &mut view),
                sys::lab_header_get(req.0, ua.as_ptr(), ua.len(), ptr::null_mut()),
                sys::lab_headers_size(req.0, ptr::null_mut(), &mut bytes),
            ]
        };
        for (i, st) in statuses.iter().enumerate() {
            prop_assert_eq!(*st, sys::LAB_ERR_NULL, "call #{}", i);
        }
        prop_assert_eq!(sum, SUM_SENTINEL);
        prop_assert_eq!((view.ptr, view.len), (view_sentinel().ptr, view_sentinel().len));
        prop_assert_eq!((n, bytes), (LEN_SENTINEL, LEN_SENTINEL));
        prop_assert!(buf.iter().all(|&b| b == GUARD));
        prop_assert!(views.iter().all(|v| v.name.ptr == SENTINEL_NAME.as_ptr()));
        prop_assert_eq!(req.sizes(), before, "a refused call changes nothing");
    }

    /// (ptr, len) pairs whose length is at most the real buffer: the host reads exactly `len`
    /// bytes of names, values and strings, and writes at most `cap` bytes.
    #[test]
    fn prefixes_of_real_buffers_are_read_exactly(
        s in bytes(48), s_cut in any::<Index>(),
        name in vec(token_byte(), 1..12), junk in bytes(6), name_cut in any::<Index>(),
        value in bytes(32), value_cut in any::<Index>(),
        cap_pick in any::<Index>(),
    ) {
        let s_len = s_cut.index(s.len() + 1);
        let mut sum = SUM_SENTINEL;
        // SAFETY: s_len <= s.len(): the pointer is valid for s_len bytes.
        let st = unsafe { sys::lab_consume_str(s.as_ptr(), s_len, &mut sum) };
        prop_assert_eq!((st, sum), (sys::LAB_OK, model_touch(&s[..s_len])));

        // A name buffer with junk after the token: a prefix length picks what the host sees.
        let full_name = [&name[..], &junk[..]].concat();
        let name_len = name_cut.index(full_name.len() + 1);
        let value_len = value_cut.index(value.len() + 1);
        let seen = &full_name[..name_len];
        let req = RawRequest::realistic(0, 0);
        // SAFETY: name_len <= full_name.len() and value_len <= value.len(); the request is live.
        let st = unsafe {
            sys::lab_header_set(req.0, full_name.as_ptr(), name_len, value.as_ptr(), value_len)
        };
        if !model_valid_name(seen) {
            prop_assert_eq!(st, sys::LAB_ERR_INVALID_NAME);
            prop_assert_eq!(req.sizes(), (0, 0));
            return Ok(());
        }
        prop_assert_eq!(st, sys::LAB_OK);
        prop_assert_eq!(req.sizes(), (1, name_len + value_len));
        let mut buf = [GUARD; 40];
        let cap = cap_pick.index(buf.len() + 1);
        let mut len = LEN_SENTINEL;
        // SAFETY: cap <= buf.len(); name_len <= full_name.len(); the request is live.
        let st = unsafe {
            sys::lab_header_copy(req.0, full_name.as_ptr(), name_len, buf.as_mut_ptr(), cap,
                                 &mut len)
        };
        prop_assert_eq!(len, value_len, "the length, needed or copied");
        if value_len > cap {
            prop_assert_eq!(st, sys::LAB_ERR_CAPACITY);
            prop_assert!(buf.iter().all(|&b| b == GUARD));
        } else {
            prop_assert_eq!(st, sys::LAB_OK);
            prop_assert_eq!(&buf[..value_len], &value[..value_len]);
            prop_assert!(buf[value_len..].iter().all(|&b| b == GUARD));
        }
    }
}
