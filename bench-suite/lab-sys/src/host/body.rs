//! S13: body data hand-off (FINDINGS.md S13).
//!
//! Envoy's Go filter passes body data through two buffers: one receives the stream while the other
//! is handed to Go, and a run-time state machine remembers who holds which. Here a host buffer is
//! an owner, [`BodyBuf`]: handing it to the extension is a move, after which the host cannot touch
//! it until the extension gives it back — the compiler checks it
//! (tests/compile_fail/body_after_handoff.rs). [`Stream`] plays the socket that fills the buffers.

use std::fmt;
use std::ptr::NonNull;

use crate::error::{check, check_capacity, LabError};
use crate::sys;

/// A body buffer in host memory (`lab_body_buf`): allocated and freed by the host, owned by
/// whoever holds this value. Dropping it frees it through the host.
///
/// It is `Send` (an owner may hand it to another thread) and not `Clone` (two owners would free
/// it twice). A buffer given back after a hand-off receives again:
/// ```
/// use lab_sys::host::{BodyBuf, Stream};
/// let mut stream = Stream::new(16, 2, 7).unwrap();
/// let mut buf = BodyBuf::with_capacity(16).unwrap();
/// stream.receive(&mut buf).unwrap();
/// let first = buf.as_bytes().to_vec();
/// let worker = std::thread::spawn(move || buf); // handed away, here to another thread...
/// let mut buf = worker.join().unwrap(); // ...and given back
/// stream.receive(&mut buf).unwrap();
/// assert_eq!(buf.len(), 16);
/// assert_ne!(buf.as_bytes(), &first[..]);
/// ```
/// There is only ever one owner:
/// ```compile_fail,E0599
/// let buf = lab_sys::host::BodyBuf::with_capacity(16).unwrap();
/// let twin = buf.clone();
/// ```
pub struct BodyBuf {
    /// Invariant: a descriptor the host made (`lab_body_buf_alloc`) and only the host wrote
    /// (`lab_stream_receive`): `ptr` is valid for `cap` bytes (or NULL with `cap == 0`) and its
    /// first `len <= cap` bytes are initialised. Nothing else holds `ptr`.
    pub(crate) raw: sys::lab_body_buf,
}

// SAFETY: BodyBuf is the only holder of its host memory (the host keeps no pointer to it, lab.h),
// and the host frees it with free(), which any thread may call; the per-thread counters then
// count the free on the thread that drops it, which is where it happened.
unsafe impl Send for BodyBuf {}

impl BodyBuf {
    /// A host buffer of capacity `cap`, empty (`cap == 0` allocates nothing).
    #[inline]
    pub fn with_capacity(cap: usize) -> Result<Self, LabError> {
        let mut raw = sys::lab_body_buf::default();
        // SAFETY: raw is a valid out-param; the host writes it only on LAB_OK.
        check(unsafe { sys::lab_body_buf_alloc(cap, &mut raw) })?;
        Ok(BodyBuf { raw })
    }

    /// The received bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        if self.raw.len == 0 {
            return &[];
        }
        // SAFETY: by the invariant of `raw`, ptr is non-NULL (len > 0 implies cap > 0) and its
        // first len bytes are initialised; only `&mut self` methods (receive, drop) change them,
        // and the returned borrow of `self` excludes those while it lives.
        unsafe { std::slice::from_raw_parts(self.raw.ptr, self.raw.len) }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.raw.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.raw.len == 0
    }

    #[inline]
    pub fn capacity(&self) -> usize {
        self.raw.cap
    }
}

impl Drop for BodyBuf {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: self owns the buffer (the host allocated it and keeps no pointer to it); it is
        // freed exactly once, here.
        unsafe { sys::lab_body_buf_free(&mut self.raw) }
    }
}

impl fmt::Debug for BodyBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyBuf")
            .field("len", &self.raw.len)
            .field("cap", &self.raw.cap)
            .finish()
    }
}

/// The host's simulated socket (`lab_stream`): `n_chunks` distinct chunks of `chunk_len` bytes,
/// the same for the same seed, delivered in a cycle. Dropping it frees it in the host.
pub struct Stream {
    pub(crate) raw: NonNull<sys::lab_stream>,
    chunk_len: usize,
}

impl Stream {
    /// A stream of `n_chunks` chunks of `chunk_len` bytes. Zero sizes, or a total past
    /// `usize::MAX`, are [`LabError::Range`]; the host running out of memory is [`LabError::NoMem`].
    #[inline]
    pub fn new(chunk_len: usize, n_chunks: usize, seed: u64) -> Result<Self, LabError> {
        if chunk_len
            .checked_mul(n_chunks)
            .is_none_or(|total| total == 0)
        {
            return Err(LabError::Range);
        }
        // SAFETY: no preconditions; NULL (out of memory, given the sizes checked above) is
        // handled below.
        let raw = unsafe { sys::lab_stream_new(chunk_len, n_chunks, seed) };
        NonNull::new(raw)
            .map(|raw| Stream { raw, chunk_len })
            .ok_or(LabError::NoMem)
    }

    /// The bytes every receive delivers.
    #[inline]
    pub fn chunk_len(&self) -> usize {
        self.chunk_len
    }

    /// Receives the next chunk into `into`, replacing what it held; returns the bytes received.
    /// A buffer smaller than a chunk is [`LabError::Capacity`], and then nothing is written.
    #[inline]
    pub fn receive(&mut self, into: &mut BodyBuf) -> Result<usize, LabError> {
        // SAFETY: the stream is live (owned by self); into.raw satisfies BodyBuf's invariant, so
        // the host writes at most cap bytes to ptr (it checks chunk_len against cap first) and
        // leaves len <= cap with the first len bytes initialised: the invariant still holds. The
        // `&mut` borrow of `into` means no view of its old bytes is alive.
        let status = unsafe { sys::lab_stream_receive(self.raw.as_ptr(), &mut into.raw) };
        check_capacity(status, self.chunk_len, into.capacity())?;
        Ok(into.len())
    }
}

impl Drop for Stream {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: self owns the stream; it was created by the host and is freed exactly once.
        unsafe { sys::lab_stream_free(self.raw.as_ptr()) }
    }
}
