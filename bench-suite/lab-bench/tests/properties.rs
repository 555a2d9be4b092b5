//! Bad input at the boundary, as properties.
//!
//! The rule (docs/DESIGN.md, "Bad input at the boundary"): every input reaching the boundary gets a
//! clean answer — a `Result` from the wrappers, a `lab_status` from the C functions and the
//! extension's exports — never undefined behaviour, never a crash. `tests/bad_input.rs` checks it
//! on chosen examples; here proptest generates the inputs (arbitrary bytes as names, values and
//! strings, arbitrary capacities, offsets, handles, filter and access numbers, NULL pointers with
//! arbitrary lengths) and each property compares the answer with a small model written here from
//! lab.h and host.c, not with what the code happens to return. Out-parameters and caller buffers
//! are pre-filled with sentinels, with guard slots past the capacity handed over, so "writes
//! nothing on an error" and "writes no more than the capacity" are checked too.
//!
//! The case count is proptest's default (256) unless `PROPTEST_CASES` says otherwise: the `proptest!`
//! macro passes every config through `contextualize_config`, which reads the variable.
//! `scripts/memcheck` runs this file under valgrind with a small count.
//!
//! The host's handle registry is process-wide, so the properties that register requests hold
//! [`registry_lock`]: while one runs, the live handles are exactly those its model knows.

use std::ffi::{CStr, CString};
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::{Mutex, MutexGuard};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;

use lab_bench::r2c::s02_pass_string as s02;
use lab_ext::exports::{
    lab_ext_init, lab_ext_on_request_body, lab_ext_on_request_headers, lab_ext_on_response_headers,
};
use lab_sys::digest;
use lab_sys::host::{self, CStrPtr, EntrySizes, HostHeader, HostStr, LabError, Request};
use lab_sys::sys;

fn config() -> ProptestConfig {
    ProptestConfig {
        // An integration test has no lib.rs for proptest's default persistence to find: failing
        // inputs go to tests/properties.proptest-regressions, replayed first on the next run.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        // `cases` stays the default's: PROPTEST_CASES when set (proptest! passes every config
        // through contextualize_config, which reads it), 256 otherwise.
        ..ProptestConfig::default()
    }
}

// ------------------------------------------------------------------------------------------------
// Models
// ------------------------------------------------------------------------------------------------

/// RFC 9110 tchar punctuation; with lower-case letters and digits, what the host accepts in a name.
const TCHAR_PUNCT: &[u8] = b"!#$%&'*+-.^_`|~";

/// The host's `valid_name` (c-harness/host/request.c): non-empty; lower-case tchars, plus a
/// leading ':' when more follows.
fn model_valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.iter().enumerate().all(|(i, &c)| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || TCHAR_PUNCT.contains(&c)
                || (c == b':' && i == 0 && name.len() > 1)
        })
}

/// lab.h's `lab_touch`: length, first and last byte (wrapping).
fn model_touch(b: &[u8]) -> u64 {
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => (b.len() as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(u64::from(f) << 8)
            .wrapping_add(u64::from(l)),
        _ => 0,
    }
}

/// `lab_consume_packed` through `host::consume_packed`: item i is `buf[o[i]..o[i + 1]]`.
fn model_packed(buf: &[u8], offsets: &[u32]) -> Result<u64, LabError> {
    if offsets.is_empty() {
        return Err(LabError::Range);
    }
    let mut sum = 0u64;
    for w in offsets.windows(2) {
        let (start, end) = (w[0] as usize, w[1] as usize);
        if start > end || end > buf.len() {
            return Err(LabError::Range);
        }
        sum = sum.wrapping_add(model_touch(&buf[start..end]));
    }
    Ok(sum)
}

/// A header map as lab.h describes it: insertion order, a set replaces the first header of that
/// name in place, or appends.
#[derive(Debug, Clone, Default)]
struct Model {
    headers: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Model {
    fn set(&mut self, name: &[u8], value: &[u8]) {
        match self.headers.iter_mut().find(|(n, _)| n == name) {
            Some(h) => h.1 = value.to_vec(),
            None => self.headers.push((name.to_vec(), value.to_vec())),
        }
    }

    fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    fn sizes(&self) -> EntrySizes {
        EntrySizes {
            count: self.headers.len(),
            bytes: self.headers.iter().map(|(n, v)| n.len() + v.len()).sum(),
        }
    }
}

fn pairs(views: &[HostHeader<'_>]) -> Vec<(Vec<u8>, Vec<u8>)> {
    views
        .iter()
        .map(|h| (h.name().as_bytes().to_vec(), h.value().as_bytes().to_vec()))
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Strategies
// ------------------------------------------------------------------------------------------------

fn token_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        b'a'..=b'z',
        b'0'..=b'9',
        prop::sample::select(TCHAR_PUNCT.to_vec())
    ]
}

/// Header names: valid tokens and pseudo-headers, a few fixed names (so sets replace), tokens
/// with one arbitrary byte inserted, and arbitrary bytes.
fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => vec(token_byte(), 1..10),
        1 => vec(token_byte(), 1..10).prop_map(|t| [&b":"[..], &t].concat()),
        2 => prop::sample::select(vec![
            b"a".to_vec(), b"b".to_vec(), b":path".to_vec(), b"user-agent".to_vec(),
            b"authorization".to_vec(), b"x-request-id".to_vec(), b"accept".to_vec(),
        ]),
        2 => (vec(token_byte(), 0..10), any::<Index>(), any::<u8>()).prop_map(|(mut t, at, b)| {
            let at = at.index(t.len() + 1);
            t.insert(at, b);
            t
        }),
        2 => vec(any::<u8>(), 0..10),
        1 => Just(b":".to_vec()),
        1 => Just(Vec::new()),
    ]
}

/// Bytes with NULs and high bytes common.
fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![4 => any::<u8>(), 1 => Just(0u8)], 0..max)
}

/// A capacity around `len`: below, at, just above, or well above.
fn capacity_around(len: usize, pick: Index, far: usize) -> usize {
    let near = pick.index(len + 3);
    if far % 4 == 0 {
        far
    } else {
        near
    }
}

const GUARD: u8 = 0xA5;
/// Not a token, so no real header has this name. A static, not a const: its address is compared.
static SENTINEL_NAME: &[u8] = b"<sentinel>";

fn sentinel_header() -> HostHeader<'static> {
    HostHeader::from_parts(SENTINEL_NAME, b"<guard>")
}

/// Every slot from `from` on still holds the sentinel.
fn slots_untouched(slots: &[MaybeUninit<HostHeader<'_>>], from: usize) -> bool {
    slots[from..].iter().all(|s| {
        // SAFETY: every slot was initialised with the sentinel before the call, and the host only
        // ever writes whole, valid lab_header values into slots.
        let h = unsafe { s.assume_init_ref() };
        h.name().as_bytes() == SENTINEL_NAME
    })
}

/// Every byte from `from` on still holds GUARD.
fn bytes_untouched(buf: &[MaybeUninit<u8>], from: usize) -> bool {
    // SAFETY: every byte was initialised with GUARD before the call; the host writes only bytes.
    buf[from..]
        .iter()
        .all(|b| unsafe { b.assume_init() } == GUARD)
}

// ------------------------------------------------------------------------------------------------
// 1. The safe wrappers: set_header / header / header_copy / view_all / copy_all
// ------------------------------------------------------------------------------------------------

fn check_header_copy(
    req: &Request,
    model: &Model,
    name: &[u8],
    cap: usize,
) -> Result<(), TestCaseError> {
    let mut buf = vec![MaybeUninit::new(GUARD); cap + 8];
    let got = req.header_copy(name, &mut buf[..cap]).map(|b| b.to_vec());
    let expected = match model.get(name) {
        None => Err(LabError::NotFound),
        Some(v) if v.len() > cap => Err(LabError::Capacity {
            needed: v.len(),
            capacity: cap,
        }),
        Some(v) => Ok(v.to_vec()),
    };
    let written = expected.as_ref().map_or(0, Vec::len);
    prop_assert_eq!(got, expected, "header_copy({:?}, cap {})", name, cap);
    prop_assert!(
        bytes_untouched(&buf, written),
        "header_copy wrote past the value or on an error"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary names and values through `set_header`, read back through every read path.
    #[test]
    fn headers_read_back_what_was_written(
        sets in vec((name(), bytes(40)), 0..14),
        probes in vec((name(), any::<Index>(), 0usize..64), 0..6),
        view_cap in any::<Index>(),
        copy_caps in (any::<Index>(), any::<Index>(), 0usize..4),
    ) {
        let mut req = Request::new().unwrap();
        let mut model = Model::default();
        for (n, v) in &sets {
            let got = req.set_header(n, v);
            if model_valid_name(n) {
                prop_assert_eq!(got, Ok(()), "valid name {:?}", n);
                model.set(n, v);
            } else {
                prop_assert_eq!(got, Err(LabError::InvalidName), "invalid name {:?}", n);
            }
        }
        let sizes = model.sizes();
        prop_assert_eq!(req.headers_size(), Ok(sizes));

        // header and header_copy: every stored name (capacities len - 1, len, arbitrary) and
        // arbitrary probes (the direct path does not validate reads: an invalid name is NotFound).
        for (n, v) in &model.headers {
            prop_assert_eq!(req.header(n).map(|s| s.as_bytes().to_vec()), Ok(v.clone()));
            for cap in [v.len().saturating_sub(1), v.len(), v.len() + 1] {
                check_header_copy(&req, &model, n, cap)?;
            }
        }
        for (n, pick, far) in &probes {
            let expected = model.get(n).map(<[u8]>::to_vec).ok_or(LabError::NotFound);
            prop_assert_eq!(req.header(n).map(|s| s.as_bytes().to_vec()), expected);
            let len = model.get(n).map_or(0, <[u8]>::len);
            check_header_copy(&req, &model, n, capacity_around(len, *pick, *far))?;
        }

        // view_all with an arbitrary number of slots, a guard slot after them.
        let cap = view_cap.index(sizes.count + 3);
        let mut slots = vec![MaybeUninit::new(sentinel_header()); cap + 1];
        let got = req.view_all(&mut slots[..cap]).map(pairs);
        let expected = if sizes.count > cap {
            Err(LabError::Capacity { needed: sizes.count, capacity: cap })
        } else {
            Ok(model.headers.clone())
        };
        let written = expected.as_ref().map_or(0, Vec::len);
        prop_assert_eq!(got, expected, "view_all, {} slots", cap);
        prop_assert!(slots_untouched(&slots, written), "view_all wrote past count or on an error");

        // copy_all with arbitrary buffer and slot capacities; views must point into the buffer.
        let (buf_pick, slot_pick, far) = copy_caps;
        let buf_cap = if far == 0 { 0 } else { buf_pick.index(sizes.bytes + 4) };
        let slot_cap = slot_pick.index(sizes.count + 3);
        let mut buf = vec![MaybeUninit::new(GUARD); buf_cap + 8];
        let mut slots = vec![MaybeUninit::new(sentinel_header()); slot_cap + 1];
        let base = buf.as_ptr() as usize;
        let got = req.copy_all(&mut buf[..buf_cap], &mut slots[..slot_cap]).map(|views| {
            let inside = views.iter().all(|h| {
                [h.name(), h.value()].iter().all(|s| {
                    let at = s.as_bytes().as_ptr() as usize;
                    s.is_empty() || (at >= base && at + s.len() <= base + buf_cap)
                })
            });
            (pairs(views), inside)
        });
        let expected = if sizes.count > slot_cap {
            Err(LabError::Capacity { needed: sizes.count, capacity: slot_cap })
        } else if sizes.bytes > buf_cap {
            Err(LabError::Capacity { needed: sizes.bytes, capacity: buf_cap })
        } else {
            Ok((model.headers.clone(), true))
        };
        let (bytes_written, slots_written) = if expected.is_ok() {
            (sizes.bytes, sizes.count)
        } else {
            (0, 0)
        };
        prop_assert_eq!(got, expected, "copy_all, buf {} slots {}", buf_cap, slot_cap);
        // The slots borrow buf: check them, and be done with them, first.
        prop_assert!(slots_untouched(&slots, slots_written), "copy_all wrote past count");
        drop(slots);
        prop_assert!(bytes_untouched(&buf, bytes_written), "copy_all wrote past the bytes needed");
    }
}

// ------------------------------------------------------------------------------------------------
// 2. Strings and batches handed to the host
// ------------------------------------------------------------------------------------------------

/// A buffer and offsets into it: sorted in range, unsorted near the range, or arbitrary.
fn packed() -> impl Strategy<Value = (Vec<u8>, Vec<u32>)> {
    bytes(48).prop_flat_map(|buf| {
        let len = buf.len() as u32;
        (
            Just(buf),
            prop_oneof![
                vec(0..=len, 0..8).prop_map(|mut o| {
                    o.sort_unstable();
                    o
                }),
                vec(0..=len + 3, 0..8),
                vec(any::<u32>(), 0..8),
            ],
        )
    })
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary bytes as (ptr, len) strings and as C strings (interior NUL: the clean error).
    #[test]
    fn strings_reach_the_host_or_fail_cleanly(b in bytes(64)) {
        prop_assert_eq!(host::touch(&b), model_touch(&b));
        prop_assert_eq!(host::consume_str(&b), Ok(model_touch(&b)));
        prop_assert_eq!(s02::ptr_len(&s02::Payload(b.clone())), Ok(model_touch(&b)));
        let expected = match b.iter().position(|&c| c == 0) {
            Some(position) => Err(LabError::InteriorNul { position }),
            None => Ok(model_touch(&b)),
        };
        prop_assert_eq!(s02::cstring(&s02::Payload(b.clone())), expected);
        // The host sees a C string up to its first NUL, and only that.
        let mut terminated = b.clone();
        terminated.push(0);
        let c = CStr::from_bytes_until_nul(&terminated).unwrap();
        let prefix = &b[..c.to_bytes().len()];
        prop_assert_eq!(host::consume_cstr(c), Ok(model_touch(prefix)));
    }

    /// Arrays of arbitrary strings, as views and as C strings.
    #[test]
    fn string_arrays_sum_the_touch_of_every_item(items in vec(bytes(24), 0..8)) {
        let sum = items.iter().fold(0u64, |s, i| s.wrapping_add(model_touch(i)));
        let views: Vec<HostStr<'_>> = items.iter().map(|i| HostStr::from_bytes(i)).collect();
        prop_assert_eq!(host::consume_str_array(&views), Ok(sum));
        let cstrings: Vec<CString> = items
            .iter()
            .map(|i| CString::new(i.split(|&c| c == 0).next().unwrap()).unwrap())
            .collect();
        let csum = cstrings.iter().fold(0u64, |s, c| s.wrapping_add(model_touch(c.to_bytes())));
        let ptrs: Vec<CStrPtr<'_>> = cstrings.iter().map(|c| CStrPtr::new(c)).collect();
        prop_assert_eq!(host::consume_cstr_array(&ptrs), Ok(csum));
    }

    /// Packed strings with arbitrary offsets: decreasing or past the buffer is a range error.
    #[test]
    fn packed_offsets_are_checked((buf, offsets) in packed()) {
        prop_assert_eq!(host::consume_packed(&buf, &offsets), model_packed(&buf, &offsets));
    }
}

// ------------------------------------------------------------------------------------------------
// 3. The raw C functions: (NULL, len > 0) and (ptr, len <= the real buffer)
// ------------------------------------------------------------------------------------------------

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

const SUM_SENTINEL: u64 = 0x5EA7_5EA7_5EA7_5EA7;
const LEN_SENTINEL: usize = 0xDEAD_BEEF;

fn view_sentinel() -> sys::lab_str {
    sys::lab_str {
        ptr: SENTINEL_NAME.as_ptr(),
        len: SENTINEL_NAME.len(),
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

// ------------------------------------------------------------------------------------------------
// 4. The host API table with arbitrary handles
// ------------------------------------------------------------------------------------------------

static REGISTRY: Mutex<()> = Mutex::new(());

/// Serialises the properties that register requests, so no other test's handle is live while
/// one runs. A property that failed poisons the lock; the next one goes on.
fn registry_lock() -> MutexGuard<'static, ()> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

fn api() -> &'static sys::lab_host_api {
    // SAFETY: lab_host_api_get returns a pointer to the host's static table.
    unsafe { &*sys::lab_host_api_get() }
}

/// A registered request and its model; destroyed on drop unless already destroyed.
struct Registered {
    handle: sys::lab_handle,
    model: Model,
    body: Vec<u8>,
    live: bool,
    /// The status of the last local reply sent (0 = none).
    reply: u32,
}

impl Registered {
    fn new(headers: &[(Vec<u8>, Vec<u8>)], body: &[u8]) -> Self {
        let mut model = Model::default();
        // SAFETY: every pointer comes from a live slice with its own length; the request is owned
        // here until lab_handle_register takes it.
        let handle = unsafe {
            let req = sys::lab_request_new();
            assert!(!req.is_null());
            for (n, v) in headers {
                let st = sys::lab_header_set(req, n.as_ptr(), n.len(), v.as_ptr(), v.len());
                assert_eq!(st, sys::LAB_OK, "fixture names are valid");
                model.set(n, v);
            }
            assert_eq!(
                sys::lab_request_set_body(req, body.as_ptr(), body.len()),
                sys::LAB_OK
            );
            sys::lab_handle_register(req)
        };
        assert_ne!(handle, 0, "registry full");
        Registered {
            handle,
            model,
            body: body.to_vec(),
            live: true,
            reply: 0,
        }
    }

    fn destroy(&mut self) -> sys::lab_status {
        self.live = false;
        // SAFETY: destroying a handle has no preconditions; a dead one is BAD_HANDLE.
        unsafe { sys::lab_handle_destroy(self.handle) }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if self.live {
            self.destroy();
        }
    }
}

/// Valid header names for fixtures, so registration always succeeds.
fn fixture_headers() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
    vec((vec(token_byte(), 1..8), bytes(24)), 0..6)
}

/// How a property picks a handle to call with, resolved against the live requests at run time.
#[derive(Debug, Clone)]
enum Pick {
    Any(u64),
    Zero,
    /// One of the registered handles, as is.
    Real(Index),
    /// A registered handle's slot with another generation.
    OtherGeneration(Index, u32),
    /// A registered handle's generation in a nearby slot.
    OtherSlot(Index, i32),
    /// Slot and generation in the registry's range.
    InRange(u32, u32),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        2 => any::<u64>().prop_map(Pick::Any),
        1 => Just(Pick::Zero),
        3 => any::<Index>().prop_map(Pick::Real),
        2 => (any::<Index>(), 1u32..6).prop_map(|(i, d)| Pick::OtherGeneration(i, d)),
        2 => (any::<Index>(), -3i32..=3).prop_map(|(i, d)| Pick::OtherSlot(i, d)),
        1 => (0u32..4100, 0u32..8).prop_map(|(s, g)| Pick::InRange(s, g)),
    ]
}

fn resolve(p: &Pick, regs: &[Registered]) -> u64 {
    let real = |i: &Index| regs[i.index(regs.len())].handle;
    match p {
        Pick::Any(h) => *h,
        Pick::Zero => 0,
        Pick::Real(i) => real(i),
        Pick::OtherGeneration(i, d) => real(i).wrapping_add(u64::from(*d) << 32),
        Pick::OtherSlot(i, d) => {
            let h = real(i);
            (h & !0xFFFF_FFFF) | u64::from((h as u32).wrapping_add_signed(*d))
        }
        Pick::InRange(slot, gen) => (u64::from(*gen) << 32) | u64::from(*slot),
    }
}

/// Calls every entry of the table with `h` and checks each answer against `target`'s model
/// (`None`: the handle is not live, every call is LAB_ERR_BAD_HANDLE and writes nothing).
fn check_table(
    h: sys::lab_handle,
    target: Option<&mut Registered>,
    probe: &[u8],
    cap: usize,
    null_len: usize,
) -> Result<(), TestCaseError> {
    let api = api();
    let bad = sys::LAB_ERR_BAD_HANDLE;
    let mut view = view_sentinel();
    let (mut n, mut bytes) = (LEN_SENTINEL, LEN_SENTINEL);
    let mut buf = [GUARD; 64];
    let mut views = [sys::lab_header {
        name: view_sentinel(),
        value: view_sentinel(),
    }; 8];
    let views_untouched =
        |v: &[sys::lab_header]| v.iter().all(|v| v.name.ptr == SENTINEL_NAME.as_ptr());
    // SAFETY (all table calls below): the table's functions have lab.h's signatures; every
    // pointer is valid for the length or capacity passed with it (buf 64 bytes, views 8 slots,
    // `cap` at most those), or NULL with a length (refused before any dereference); a live
    // handle's views are read only while its request lives and is not written.
    unsafe {
        let Some(reg) = target else {
            let statuses = [
                (api.headers_size.unwrap())(h, &mut n, &mut bytes),
                (api.header_get.unwrap())(h, probe.as_ptr(), probe.len(), &mut view),
                (api.header_copy.unwrap())(
                    h,
                    probe.as_ptr(),
                    probe.len(),
                    buf.as_mut_ptr(),
                    64,
                    &mut n,
                ),
                (api.headers_view_all.unwrap())(h, views.as_mut_ptr(), 8, &mut n),
                (api.headers_copy_all.unwrap())(
                    h,
                    buf.as_mut_ptr(),
                    64,
                    views.as_mut_ptr(),
                    8,
                    &mut n,
                    &mut bytes,
                ),
                (api.header_set.unwrap())(h, b"x-set".as_ptr(), 5, b"v".as_ptr(), 1),
                (api.body_get.unwrap())(h, &mut view),
                (api.send_local_reply.unwrap())(h, 500, b"no".as_ptr(), 2),
                // A bad handle wins over a NULL pointer: the handle is checked first.
                (api.header_get.unwrap())(h, ptr::null(), null_len, &mut view),
                sys::lab_handle_destroy(h),
            ];
            prop_assert!(
                statuses.iter().all(|&s| s == bad),
                "handle {:#x}: {:?}",
                h,
                statuses
            );
            prop_assert_eq!(sys::lab_handle_local_reply(h), 0);
            prop_assert!(sys::lab_handle_resolve(h).is_null());
            prop_assert_eq!(
                (view.ptr, n, bytes),
                (view_sentinel().ptr, LEN_SENTINEL, LEN_SENTINEL)
            );
            prop_assert!(buf.iter().all(|&b| b == GUARD));
            prop_assert!(views_untouched(&views));
            return Ok(());
        };

        prop_assert!(!sys::lab_handle_resolve(h).is_null());
        let sizes = reg.model.sizes();
        prop_assert_eq!(
            (api.headers_size.unwrap())(h, &mut n, &mut bytes),
            sys::LAB_OK
        );
        prop_assert_eq!(EntrySizes { count: n, bytes }, sizes);

        // Reads through the table validate the name (unlike the direct path).
        let expected_get = if !model_valid_name(probe) {
            Err(sys::LAB_ERR_INVALID_NAME)
        } else {
            reg.model.get(probe).ok_or(sys::LAB_ERR_NOT_FOUND)
        };
        let st = (api.header_get.unwrap())(h, probe.as_ptr(), probe.len(), &mut view);
        match expected_get {
            Ok(v) => {
                prop_assert_eq!(st, sys::LAB_OK);
                let got = if view.len == 0 {
                    &[][..]
                } else {
                    std::slice::from_raw_parts(view.ptr, view.len)
                };
                prop_assert_eq!(got, v);
            }
            Err(e) => prop_assert_eq!((st, view.ptr), (e, view_sentinel().ptr)),
        }
        let cap = cap.min(buf.len());
        n = LEN_SENTINEL;
        let st = (api.header_copy.unwrap())(
            h,
            probe.as_ptr(),
            probe.len(),
            buf.as_mut_ptr(),
            cap,
            &mut n,
        );
        match expected_get {
            Ok(v) if v.len() > cap => {
                prop_assert_eq!((st, n), (sys::LAB_ERR_CAPACITY, v.len()));
                prop_assert!(buf.iter().all(|&b| b == GUARD));
            }
            Ok(v) => {
                prop_assert_eq!((st, n), (sys::LAB_OK, v.len()));
                prop_assert_eq!(&buf[..v.len()], v);
                prop_assert!(buf[v.len()..].iter().all(|&b| b == GUARD));
                buf = [GUARD; 64];
            }
            Err(e) => prop_assert_eq!((st, n), (e, LEN_SENTINEL)),
        }

        // view_all and copy_all with the capacity picked for the copy (slots: at most 8).
        let slots = cap.min(8);
        let st = (api.headers_view_all.unwrap())(h, views.as_mut_ptr(), slots, &mut n);
        prop_assert_eq!(n, sizes.count);
        if sizes.count > slots {
            prop_assert_eq!(st, sys::LAB_ERR_CAPACITY);
            prop_assert!(views_untouched(&views));
        } else {
            prop_assert_eq!(st, sys::LAB_OK);
            prop_assert!(views_untouched(&views[sizes.count..]));
            views = [sys::lab_header {
                name: view_sentinel(),
                value: view_sentinel(),
            }; 8];
        }
        let st = (api.headers_copy_all.unwrap())(
            h,
            buf.as_mut_ptr(),
            cap,
            views.as_mut_ptr(),
            slots,
            &mut n,
            &mut bytes,
        );
        prop_assert_eq!(EntrySizes { count: n, bytes }, sizes);
        if sizes.count > slots || sizes.bytes > cap {
            prop_assert_eq!(st, sys::LAB_ERR_CAPACITY);
            prop_assert!(buf.iter().all(|&b| b == GUARD));
            prop_assert!(views_untouched(&views));
        } else {
            prop_assert_eq!(st, sys::LAB_OK);
            prop_assert!(buf[sizes.bytes..].iter().all(|&b| b == GUARD));
            prop_assert!(views_untouched(&views[sizes.count..]));
        }

        prop_assert_eq!((api.body_get.unwrap())(h, &mut view), sys::LAB_OK);
        let body = if view.len == 0 {
            &[][..]
        } else {
            std::slice::from_raw_parts(view.ptr, view.len)
        };
        prop_assert_eq!(body, &reg.body[..]);

        // NULL with a length through the table, on a live handle.
        let null_statuses = [
            (api.header_get.unwrap())(h, ptr::null(), null_len, &mut view),
            (api.header_copy.unwrap())(h, b"a".as_ptr(), 1, ptr::null_mut(), null_len, &mut n),
            (api.headers_view_all.unwrap())(h, ptr::null_mut(), null_len, &mut n),
            (api.header_set.unwrap())(h, ptr::null(), null_len, b"v".as_ptr(), 1),
            (api.header_set.unwrap())(h, b"a".as_ptr(), 1, ptr::null(), null_len),
            (api.send_local_reply.unwrap())(h, 500, ptr::null(), null_len),
            (api.headers_size.unwrap())(h, ptr::null_mut(), &mut bytes),
        ];
        prop_assert!(
            null_statuses.iter().all(|&s| s == sys::LAB_ERR_NULL),
            "{:?}",
            null_statuses
        );
        prop_assert_eq!(
            sys::lab_handle_local_reply(h),
            reg.reply,
            "a refused reply changes nothing"
        );

        // Writes: a set follows the model (or is refused for an invalid name); a local reply sticks.
        let st = (api.header_set.unwrap())(h, probe.as_ptr(), probe.len(), b"set".as_ptr(), 3);
        if model_valid_name(probe) {
            prop_assert_eq!(st, sys::LAB_OK);
            reg.model.set(probe, b"set");
        } else {
            prop_assert_eq!(st, sys::LAB_ERR_INVALID_NAME);
        }
        prop_assert_eq!(
            (api.headers_size.unwrap())(h, &mut n, &mut bytes),
            sys::LAB_OK
        );
        prop_assert_eq!(EntrySizes { count: n, bytes }, reg.model.sizes());
        prop_assert_eq!(
            (api.send_local_reply.unwrap())(h, 403, b"no".as_ptr(), 2),
            sys::LAB_OK
        );
        reg.reply = 403;
        prop_assert_eq!(sys::lab_handle_local_reply(h), reg.reply);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary u64 handles against a few registered requests: a live handle behaves as its
    /// model says, every other one (including destroyed ones) is LAB_ERR_BAD_HANDLE.
    #[test]
    fn table_calls_with_arbitrary_handles(
        fixtures in vec((fixture_headers(), bytes(16)), 1..4),
        calls in vec((pick(), any::<bool>(), name(), any::<Index>()), 1..8),
        null_len in 1..=usize::MAX,
    ) {
        let _lock = registry_lock();
        let mut regs: Vec<Registered> =
            fixtures.iter().map(|(h, b)| Registered::new(h, b)).collect();
        for (p, destroy_first, probe, cap) in &calls {
            let h = resolve(p, &regs);
            let target = regs.iter().position(|r| r.live && r.handle == h);
            if *destroy_first {
                if let Some(i) = target {
                    prop_assert_eq!(regs[i].destroy(), sys::LAB_OK);
                }
            }
            let target = target.filter(|&i| regs[i].live).map(|i| &mut regs[i]);
            check_table(h, target, probe, cap.index(65), null_len)?;
        }
        for r in &mut regs {
            let h = r.handle;
            if r.live {
                prop_assert_eq!(r.destroy(), sys::LAB_OK);
            }
            // Destroyed: every call is refused, and a second destroy too.
            check_table(h, None, b"a", 0, null_len)?;
        }
    }
}

// ------------------------------------------------------------------------------------------------
// 5. The Rust extension's exports with arbitrary entries
// ------------------------------------------------------------------------------------------------

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
                sys::LAB_FILTER_CLONE_ALL => Ok(m.headers.iter().fold(0u64, |s, (_, v)| {
                    s.wrapping_add(digest(String::from_utf8_lossy(v).as_bytes()))
                })),
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
