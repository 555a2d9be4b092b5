//! S13 ownership of headers and data (FINDINGS.md), the data half: Envoy's Go filter passes body
//! data through two buffers, one receiving the stream while the other is handed to Go, and a state
//! machine records who holds which. In Rust the hand-off is a move of an owner ([`BodyBuf`]); the
//! compiler refuses a host that touches a buffer it handed away
//! (`tests/compile_fail/body_after_handoff.rs`). This module measures that hand-off against the
//! copy it saves, per body chunk received and read by the extension:
//! - `copy`: the host receives into its one receive buffer; the extension gets a borrowed view
//!   and copies it into its own `Vec`, reused across chunks (the copy at its best: no allocation
//!   per chunk), then reads its copy. Two copies per chunk: the receive and the extension's.
//! - `double_buffer`: two host buffers; the host receives into the one it holds, moves it to the
//!   extension and takes back the one the extension finished with; the extension reads the buffer
//!   it now owns. One copy per chunk: the receive.
//!
//! Both read every byte of the chunk ([`checksum`]), as a filter inspecting a body does. The
//! stream of a case repeats one chunk, so every call returns the same checksum (the runner checks
//! it); tests run both strategies over streams of distinct chunks to check the extension reads the
//! chunk just received, not the buffer it handed back.

use std::cell::RefCell;
use std::rc::Rc;

use crate::case::{Case, Expect, Scenario, Sweep};
use crate::{params, strategies};
use lab_sys::alloc::note_copy;
use lab_sys::host::{BodyBuf, LabError, Stream};

pub const SCENARIO: Scenario = Scenario {
    id: "s13_ownership",
    strategies_agree: true,
    cases,
};

/// Chunk sizes: a small frame, a page, Envoy's 16 KiB read size, and larger slices of a body.
pub const LENS: &[usize] = &[1024, 4096, 16384, 65536, 262144];

/// The seed of every case's stream.
pub const SEED: u64 = 13;

/// What the extension computes over a chunk: a wrapping sum of its little-endian u64 words, the
/// tail bytes as one more word, and the length. It reads every byte, and a different byte anywhere
/// changes it (almost always).
#[inline]
pub fn checksum(bytes: &[u8]) -> u64 {
    let words = bytes.chunks_exact(8);
    let tail = words.remainder();
    let mut sum = (bytes.len() as u64).rotate_left(32);
    for w in words {
        sum = sum.wrapping_add(u64::from_le_bytes(w.try_into().expect("8-byte chunk")));
    }
    let mut last = [0u8; 8];
    last[..tail.len()].copy_from_slice(tail);
    sum.wrapping_add(u64::from_le_bytes(last))
}

/// The extension of `copy`: it keeps its own copy of each chunk, in one `Vec` it reuses.
#[derive(Default)]
pub struct CopyingExtension {
    own: Vec<u8>,
}

impl CopyingExtension {
    /// Copies the borrowed chunk into the extension's buffer (the view is only valid during the
    /// call), then reads the copy.
    #[inline]
    pub fn on_body(&mut self, chunk: &[u8]) -> u64 {
        self.own.clear();
        self.own.extend_from_slice(chunk);
        note_copy(chunk.len());
        checksum(&self.own)
    }
}

/// The extension of `double_buffer`: it owns one host buffer at a time.
pub struct HandoffExtension {
    held: BodyBuf,
}

impl HandoffExtension {
    /// An extension holding `spare`, the second of the two buffers, until the first hand-off.
    pub fn new(spare: BodyBuf) -> Self {
        HandoffExtension { held: spare }
    }

    /// Takes ownership of the filled buffer and gives back the one it held, which it has finished
    /// with. The caller can no longer touch `filled`: it was moved.
    #[inline]
    pub fn hand_off(&mut self, filled: BodyBuf) -> BodyBuf {
        std::mem::replace(&mut self.held, filled)
    }

    /// Reads the buffer the extension holds.
    #[inline]
    pub fn read(&self) -> u64 {
        checksum(self.held.as_bytes())
    }
}

/// The host side and the extension of `copy`.
pub struct Copying {
    stream: Stream,
    receiving: BodyBuf,
    ext: CopyingExtension,
}

/// The host side and the extension of `double_buffer`. Between chunks the host holds one buffer
/// and the extension the other; `receiving` is `None` only during a hand-off.
pub struct Handoff {
    stream: Stream,
    receiving: Option<BodyBuf>,
    ext: HandoffExtension,
}

/// One point of the sweep: each strategy's own stream (the same chunks) and buffers.
pub struct Body {
    pub len: usize,
    /// The native floor's own stream and buffer.
    pub native: RefCell<(Stream, BodyBuf)>,
    pub copying: RefCell<Copying>,
    pub handoff: RefCell<Handoff>,
}

impl Body {
    /// Streams of `n_chunks` distinct chunks of `len` bytes (the benches use 1), buffers of
    /// exactly `len` bytes.
    pub fn new(len: usize, n_chunks: usize) -> Result<Self, LabError> {
        Ok(Body {
            len,
            native: RefCell::new((
                Stream::new(len, n_chunks, SEED)?,
                BodyBuf::with_capacity(len)?,
            )),
            copying: RefCell::new(Copying {
                stream: Stream::new(len, n_chunks, SEED)?,
                receiving: BodyBuf::with_capacity(len)?,
                ext: CopyingExtension::default(),
            }),
            handoff: RefCell::new(Handoff {
                stream: Stream::new(len, n_chunks, SEED)?,
                receiving: Some(BodyBuf::with_capacity(len)?),
                ext: HandoffExtension::new(BodyBuf::with_capacity(len)?),
            }),
        })
    }
}

/// The host receives into its one buffer; the extension copies from a borrowed view.
pub fn copy(b: &Body) -> Result<u64, LabError> {
    let mut state = b.copying.borrow_mut();
    let Copying {
        stream,
        receiving,
        ext,
    } = &mut *state;
    stream.receive(receiving)?;
    Ok(ext.on_body(receiving.as_bytes()))
}

/// The host receives into the buffer it holds, moves it to the extension and takes back the
/// other; the extension reads what it now owns. No copy besides the receive.
pub fn double_buffer(b: &Body) -> Result<u64, LabError> {
    let mut state = b.handoff.borrow_mut();
    let Handoff {
        stream,
        receiving,
        ext,
    } = &mut *state;
    let mut buf = receiving
        .take()
        .expect("the host holds a buffer between chunks");
    if let Err(e) = stream.receive(&mut buf) {
        *receiving = Some(buf);
        return Err(e);
    }
    *receiving = Some(ext.hand_off(buf));
    Ok(ext.read())
}

/// The floor: C receiving each chunk into a buffer it holds and reading every byte once
/// (`lab_native_s13_ownership`): the host's one copy, no hand-off.
pub fn native(b: &Body, iters: u64) -> Result<u64, LabError> {
    let mut state = b.native.borrow_mut();
    let (stream, buf) = &mut *state;
    lab_sys::native::s13_ownership(stream, buf, iters)
}

fn cases(sweep: Sweep) -> Vec<Case> {
    let mut cases = Vec::new();
    for len in sweep.pick(LENS) {
        let input = Rc::new(Body::new(len, 1).expect("host allocation"));
        // Per chunk the host's receive, plus copy's own copy of the view. Neither allocates after
        // the warm-up: copy's Vec is reused, the host's buffers exist from the start.
        cases.push(Case::native(
            &params!(len),
            Expect::new(0, 0, len),
            &input,
            native,
        ));
        strategies!(cases, params!(len), input, [
            copy => Expect::new(0, 0, 2 * len),
            double_buffer => Expect::new(0, 0, len),
        ]);
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_reads_every_byte() {
        let base: Vec<u8> = (0..37u8).collect();
        for i in 0..base.len() {
            let mut changed = base.clone();
            changed[i] ^= 1;
            assert_ne!(checksum(&base), checksum(&changed), "byte {i}");
        }
        assert_ne!(checksum(&base), checksum(&base[..36]));
        assert_eq!(checksum(&[]), 0);
    }
}
