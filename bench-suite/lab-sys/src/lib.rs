//! ffi-lab's boundary: everything that touches `c-harness/include/lab.h`, the one ABI.
//!
//! - [`sys`]: the bindgen bindings of lab.h (the only Rust declaration of the ABI) over the C host
//!   that `build.rs` compiles into this crate;
//! - [`host`]: safe wrappers over the host as linked symbols (R→C: requests, header views whose
//!   lifetimes the compiler checks, handles, body buffers and streams; every host error as a
//!   [`host::LabError`]);
//! - [`callback`]: the same host reached through the API table an extension is handed (C→R);
//! - [`worker`]: the host's worker loop, where other threads post their writes (FINDINGS S08);
//! - [`native`]: the native floors, the same work done by C calling the host (the rows' floors);
//! - [`slots`]: stack-or-heap slots (the documents' 16-header stack threshold, S06);
//! - [`alloc`]: the counting global allocator and the copy counter, so every binary that links the
//!   boundary — benches, tests, the extension cdylib — counts its allocations exactly;
//! - [`digest`] and [`payload`]: what both sides do with bytes, and the bytes they pass.
//!
//! Module dependencies point one way, so no module reaches into one that reaches back: each uses
//! only those named before it in `sys`, [`alloc`], `error` ([`host::LabError`] and the status
//! mapping), `view` ([`host::HostStr`] and the other views), [`slots`], [`headers`], [`callback`],
//! [`host`], [`worker`], [`native`].
//! `error` and `view` are private: [`host`] re-exports their items, which is their public path.
//!
//! Every wrapper is `#[inline]` (or generic): the strategies that call them live in other crates
//! (lab-bench, lab-ext), and without it a wrapper such as a capacity check stays an out-of-line call
//! across the crate boundary — a call level the measured code would pay and a Rust user who writes
//! the same wrapper in their own crate would not.

pub mod alloc;
pub mod callback;
mod error;
pub mod headers;
pub mod host;
pub mod native;
pub mod slots;
pub mod sys;
mod view;
pub mod worker;

/// What the Rust side does with bytes it read from the host: a checksum that reads every byte, as
/// a real consumer does, so a strategy's cost includes using what it got. The same function as the
/// host's `lab_touch` (`c-harness/include/lab_digest.h`) and Go's `digest.Sum`, and tests check they
/// agree: a serial chain `h = rotl(h ^ w, 29)` over every 8-byte little-endian word `w`, then the
/// last `len % 8` bytes packed little-endian into one word, then `h ^ len * 0x9E3779B97F4A7C15`;
/// empty gives 0. Each step needs the one before, so no compiler vectorizes or reshapes it: C, Rust
/// and Go run the same loop, one load, xor and rotate per 8 bytes.
#[inline(always)]
pub fn digest(bytes: &[u8]) -> u64 {
    const ROT: u32 = 29;
    const LEN_MIX: u64 = 0x9E37_79B9_7F4A_7C15;
    let words = bytes.chunks_exact(8);
    let tail = words.remainder();
    let mut h = 0u64;
    for w in words {
        let w: [u8; 8] = w.try_into().expect("chunks_exact(8) yields 8 bytes");
        h = (h ^ u64::from_le_bytes(w)).rotate_left(ROT);
    }
    if !tail.is_empty() {
        // Last byte first: byte k of the tail lands in bits 8k..8k+7 (little-endian).
        let w = tail
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b));
        h = (h ^ w).rotate_left(ROT);
    }
    h ^ (bytes.len() as u64).wrapping_mul(LEN_MIX)
}

/// `len` printable bytes without NUL, the same for the same seed: the strings the R→C scenarios
/// hand to the host.
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=;/ ";
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            // xorshift64: deterministic filler, no dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            CHARS[(state % CHARS.len() as u64) as usize]
        })
        .collect()
}
