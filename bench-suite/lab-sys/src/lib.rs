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

/// What the Rust side does with bytes it read from the host: enough to prove it saw them (length,
/// first and last byte), cheap enough not to hide the cost of getting them.
#[inline(always)]
pub fn digest(bytes: &[u8]) -> u64 {
    match (bytes.first(), bytes.last()) {
        (Some(&f), Some(&l)) => {
            (bytes.len() as u64).rotate_left(17) ^ (u64::from(f) << 8) ^ u64::from(l)
        }
        _ => 0,
    }
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
