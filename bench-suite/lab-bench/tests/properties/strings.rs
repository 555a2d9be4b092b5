//! Strings and batches handed to the host.

use std::ffi::{CStr, CString};

use proptest::collection::vec;
use proptest::prelude::*;

use lab_bench::r2c::s02_pass_string as s02;
use lab_sys::digest;
use lab_sys::host::{self, CStrPtr, HostStr, LabError};

use crate::config;
use crate::models::{model_packed, model_touch};
use crate::strategies::bytes;

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

/// Bytes of every value (high bits set included), the same for the same seed.
fn filler(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect()
}

/// The host's `lab_touch` (C), `lab_sys::digest` (Rust) and the model of lab.h are one function:
/// every length up to 80 (each tail length, and 0) and large ones, from slices starting at each
/// offset within an 8-byte word, over several fillers.
#[test]
fn digest_is_the_hosts_touch_at_every_length_and_offset() {
    let lens = (0..=80).chain([127, 128, 129, 1023, 1024, 1031, 4096, 65535, 65536, 65543]);
    for len in lens {
        for seed in [1, 0x9E37_79B9, 0xDEAD_BEEF_CAFE] {
            let buf = filler(len + 7, seed);
            for offset in 0..8 {
                let b = &buf[offset..offset + len];
                let d = digest(b);
                assert_eq!(
                    d,
                    host::touch(b),
                    "len {len} seed {seed:#x} offset {offset}"
                );
                assert_eq!(
                    d,
                    model_touch(b),
                    "len {len} seed {seed:#x} offset {offset}"
                );
            }
        }
    }
}

/// Changing any one byte changes the checksum: every byte is read.
#[test]
fn digest_reads_every_byte() {
    for len in [1, 7, 8, 9, 64, 1027] {
        let b = filler(len, 7);
        let d = digest(&b);
        for i in 0..len {
            let mut c = b.clone();
            c[i] ^= 0x01;
            assert_ne!(digest(&c), d, "len {len}: byte {i} not read");
            assert_ne!(
                host::touch(&c),
                d,
                "len {len}: byte {i} not read by lab_touch"
            );
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary bytes: the Rust digest and the host's touch agree with the model.
    #[test]
    fn digest_agrees_with_the_host(b in bytes(200), offset in 0..8usize) {
        let b = &b[offset.min(b.len())..];
        prop_assert_eq!(digest(b), model_touch(b));
        prop_assert_eq!(host::touch(b), model_touch(b));
    }

    /// Arbitrary bytes as (ptr, len) strings and as C strings (interior NUL: the clean error).
    #[test]
    fn strings_reach_the_host_or_fail_cleanly(b in bytes(64)) {
        prop_assert_eq!(host::touch(&b), model_touch(&b));
        prop_assert_eq!(host::consume_str(&b), Ok(model_touch(&b)));
        prop_assert_eq!(s02::ptr_len(&s02::Payload::new(b.clone())), Ok(model_touch(&b)));
        let expected = match b.iter().position(|&c| c == 0) {
            Some(position) => Err(LabError::InteriorNul { position }),
            None => Ok(model_touch(&b)),
        };
        prop_assert_eq!(s02::cstring(&s02::Payload::new(b.clone())), expected);
        prop_assert_eq!(s02::cstring_prechecked(&s02::Payload::new(b.clone())), expected);
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
