//! The generated inputs, and the sentinels and guards that out-parameters and caller buffers are
//! pre-filled with, so "writes nothing on an error" and "writes no more than the capacity" show.

use std::mem::MaybeUninit;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use lab_sys::host::HostHeader;
use lab_sys::sys;

use crate::models::TCHAR_PUNCT;

pub(crate) fn token_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        b'a'..=b'z',
        b'0'..=b'9',
        prop::sample::select(TCHAR_PUNCT.to_vec())
    ]
}

/// Header names: valid tokens and pseudo-headers, a few fixed names (so sets replace), tokens
/// with one arbitrary byte inserted, and arbitrary bytes.
pub(crate) fn name() -> impl Strategy<Value = Vec<u8>> {
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
pub(crate) fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![4 => any::<u8>(), 1 => Just(0u8)], 0..max)
}

/// A capacity around `len`: below, at, just above, or well above.
pub(crate) fn capacity_around(len: usize, pick: Index, far: usize) -> usize {
    let near = pick.index(len + 3);
    if far % 4 == 0 {
        far
    } else {
        near
    }
}

/// Valid header names for fixtures, so registration always succeeds.
pub(crate) fn fixture_headers() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
    vec((vec(token_byte(), 1..8), bytes(24)), 0..6)
}

pub(crate) const GUARD: u8 = 0xA5;
/// Not a token, so no real header has this name. A static, not a const: its address is compared.
pub(crate) static SENTINEL_NAME: &[u8] = b"<sentinel>";

pub(crate) fn sentinel_header() -> HostHeader<'static> {
    HostHeader::from_parts(SENTINEL_NAME, b"<guard>")
}

/// Every slot from `from` on still holds the sentinel.
pub(crate) fn slots_untouched(slots: &[MaybeUninit<HostHeader<'_>>], from: usize) -> bool {
    slots[from..].iter().all(|s| {
        // SAFETY: every slot was initialised with the sentinel before the call, and the host only
        // ever writes whole, valid lab_header values into slots.
        let h = unsafe { s.assume_init_ref() };
        h.name().as_bytes() == SENTINEL_NAME
    })
}

/// Every byte from `from` on still holds GUARD.
pub(crate) fn bytes_untouched(buf: &[MaybeUninit<u8>], from: usize) -> bool {
    // SAFETY: every byte was initialised with GUARD before the call; the host writes only bytes.
    buf[from..]
        .iter()
        .all(|b| unsafe { b.assume_init() } == GUARD)
}

pub(crate) const SUM_SENTINEL: u64 = 0x5EA7_5EA7_5EA7_5EA7;
pub(crate) const LEN_SENTINEL: usize = 0xDEAD_BEEF;

pub(crate) fn view_sentinel() -> sys::lab_str {
    sys::lab_str {
        ptr: SENTINEL_NAME.as_ptr(),
        len: SENTINEL_NAME.len(),
    }
}
