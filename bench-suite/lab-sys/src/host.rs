//! Safe wrappers over the C host of `c-harness/host` (the lab's "Envoy").
//!
//! Two rules from FINDINGS.md shape this module:
//! - a view of host memory ([`HostStr`], [`HostHeader`]) carries the lifetime of what owns the
//!   bytes, so the compiler rejects a use after the owner is gone — what Go left to discipline
//!   (S03) and Envoy's Rust SDK encodes as `EnvoyBuffer<'a>`;
//! - writes take `&mut Request`, so no view borrowed from a request can be held across a write
//!   (S13's ownership state machine, here checked at compile time).
//!
//! Every host status other than `LAB_OK` becomes a [`LabError`]; nothing here can make the host
//! read out of bounds, because every (ptr, len) it receives comes from a Rust slice.
//!
//! Reading a view while its request lives, and writing once the view is dead, compiles:
//! ```
//! let mut req = lab_sys::host::Request::realistic(4, 1).unwrap();
//! let path = req.header(b":path").unwrap().as_bytes().to_vec();
//! req.set_header(b":path", b"/other").unwrap();
//! assert_ne!(path, req.header(b":path").unwrap().as_bytes());
//! ```
//! A view that outlives its request does not:
//! ```compile_fail,E0597
//! let value = {
//!     let req = lab_sys::host::Request::realistic(4, 1).unwrap();
//!     req.header(b":path").unwrap()
//! };
//! println!("{value:?}");
//! ```
//! Nor does a view held across a write to the same request:
//! ```compile_fail,E0502
//! let mut req = lab_sys::host::Request::realistic(4, 1).unwrap();
//! let path = req.header(b":path").unwrap();
//! req.set_header(b":path", b"/other").unwrap();
//! println!("{path:?}");
//! ```
//! Nor a view of a bulk copy that outlives the caller's buffer:
//! ```compile_fail,E0597
//! use std::mem::MaybeUninit;
//! let req = lab_sys::host::Request::realistic(4, 1).unwrap();
//! let mut slots = [MaybeUninit::uninit(); 4];
//! let views = {
//!     let mut buf = vec![MaybeUninit::uninit(); 8192];
//!     req.copy_all(&mut buf, &mut slots).unwrap()
//! };
//! println!("{:?}", views[0]);
//! ```

use std::ffi::CStr;
use std::fmt;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

pub use crate::alloc::host_stats;
use crate::callback::Table;
use crate::error::check_capacity;
pub use crate::error::{check, LabError};
pub use crate::headers::EntrySizes;
use crate::headers::{self, HostCalls};
use crate::sys;
pub use crate::view::{CStrPtr, HostHeader, HostStr};

/// A request owned by the host: a header map. Dropping it frees it in the host.
pub struct Request {
    raw: NonNull<sys::lab_request>,
}

impl Request {
    /// An empty request.
    #[inline]
    pub fn new() -> Result<Self, LabError> {
        // SAFETY: lab_request_new has no preconditions; NULL (out of memory) is handled below.
        let raw = unsafe { sys::lab_request_new() };
        NonNull::new(raw)
            .map(|raw| Request { raw })
            .ok_or(LabError::NoMem)
    }

    /// A request with `n` realistic headers, the same for the same seed (see lab.h).
    #[inline]
    pub fn realistic(n: usize, seed: u64) -> Result<Self, LabError> {
        // SAFETY: no preconditions; NULL (out of memory) is handled below.
        let raw = unsafe { sys::lab_request_new_realistic(n, seed) };
        NonNull::new(raw)
            .map(|raw| Request { raw })
            .ok_or(LabError::NoMem)
    }

    #[inline]
    fn raw(&self) -> *const sys::lab_request {
        self.raw.as_ptr()
    }

    /// The host's handle, for calling `sys` functions directly (tests of the raw ABI). Valid while
    /// `self` lives.
    #[inline]
    pub fn as_raw(&self) -> *const sys::lab_request {
        self.raw()
    }

    /// S03 `borrow`: the value of header `name`, borrowed from the request (no copy).
    #[inline]
    pub fn header(&self, name: &[u8]) -> Result<HostStr<'_>, LabError> {
        headers::header(self, name)
    }

    /// S04: copies the value of header `name` into the caller's `buf` and returns the filled part.
    #[inline]
    pub fn header_copy<'b>(
        &self,
        name: &[u8],
        buf: &'b mut [MaybeUninit<u8>],
    ) -> Result<&'b mut [u8], LabError> {
        headers::header_copy(self, name, buf)
    }

    /// Header count and total name + value bytes: what Envoy passes on entry so the extension can
    /// size its buffers before a bulk copy.
    #[inline]
    pub fn headers_size(&self) -> Result<EntrySizes, LabError> {
        headers::headers_size(self)
    }

    /// S06 `bulk_borrow`: views of every header, borrowed from the request, written into `slots`.
    #[inline]
    pub fn view_all<'a, 's>(
        &'a self,
        slots: &'s mut [MaybeUninit<HostHeader<'a>>],
    ) -> Result<&'s [HostHeader<'a>], LabError> {
        headers::view_all(self, slots)
    }

    /// S06 `bulk_copy`: copies every header into the caller's `buf` and writes views of the copies
    /// into `slots`. The views borrow `buf`, not the request.
    #[inline]
    pub fn copy_all<'b, 's>(
        &self,
        buf: &'b mut [MaybeUninit<u8>],
        slots: &'s mut [MaybeUninit<HostHeader<'b>>],
    ) -> Result<&'s [HostHeader<'b>], LabError> {
        headers::copy_all(self, buf, slots)
    }

    /// S06 `bulk_copy_per_request`: copies every header into `kept`, which owns its copy and so
    /// outlives any borrow of the request, to serve the request's later callbacks.
    #[inline]
    pub fn keep_all(&self, kept: &mut headers::KeptHeaders) -> Result<(), LabError> {
        headers::keep_all(self, kept)
    }

    /// Sets header `name` to `value` (the host copies both). Takes `&mut self`: every view borrowed
    /// from this request must be dead before a write, which the compiler checks.
    #[inline]
    pub fn set_header(&mut self, name: &[u8], value: &[u8]) -> Result<(), LabError> {
        headers::set_header(self, name, value)
    }
}

// SAFETY: each call forwards its arguments unchanged to the lab.h function of the same name, on the
// live request `self` owns (linked symbols: R→C).
unsafe impl HostCalls for Request {
    #[inline]
    unsafe fn header_get(
        &self,
        name: *const u8,
        len: usize,
        value: *mut sys::lab_str,
    ) -> sys::lab_status {
        // SAFETY: the caller's pointers, valid as lab.h requires; the request is live.
        unsafe { sys::lab_header_get(self.raw(), name, len, value) }
    }

    #[inline]
    unsafe fn header_copy(
        &self,
        name: *const u8,
        len: usize,
        buf: *mut u8,
        cap: usize,
        out_len: *mut usize,
    ) -> sys::lab_status {
        // SAFETY: as header_get.
        unsafe { sys::lab_header_copy(self.raw(), name, len, buf, cap, out_len) }
    }

    #[inline]
    unsafe fn headers_size(&self, count: *mut usize, bytes: *mut usize) -> sys::lab_status {
        // SAFETY: as header_get.
        unsafe { sys::lab_headers_size(self.raw(), count, bytes) }
    }

    #[inline]
    unsafe fn headers_view_all(
        &self,
        views: *mut sys::lab_header,
        cap: usize,
        count: *mut usize,
    ) -> sys::lab_status {
        // SAFETY: as header_get.
        unsafe { sys::lab_headers_view_all(self.raw(), views, cap, count) }
    }

    #[inline]
    unsafe fn headers_copy_all(
        &self,
        buf: *mut u8,
        buf_cap: usize,
        views: *mut sys::lab_header,
        views_cap: usize,
        count: *mut usize,
        bytes: *mut usize,
    ) -> sys::lab_status {
        // SAFETY: as header_get.
        unsafe {
            sys::lab_headers_copy_all(self.raw(), buf, buf_cap, views, views_cap, count, bytes)
        }
    }

    #[inline]
    unsafe fn header_set(
        &mut self,
        name: *const u8,
        name_len: usize,
        value: *const u8,
        value_len: usize,
    ) -> sys::lab_status {
        // SAFETY: as header_get; `&mut self` makes this the request's only user.
        unsafe { sys::lab_header_set(self.raw.as_ptr(), name, name_len, value, value_len) }
    }
}

// SAFETY: the host's request functions are thread-safe in the way Rust's rules need: reads
// (`&self`: lab_header_get, lab_header_copy, lab_headers_*) only read the map, so any number may
// run at once on any threads; writes and free need `&mut self` or ownership, so they run alone;
// the host's allocator is malloc, usable from any thread. Views borrowed from a request are not
// Send (they hold raw pointers), so they stay on the thread that borrowed them.
unsafe impl Send for Request {}
// SAFETY: as above.
unsafe impl Sync for Request {}

impl Drop for Request {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: self owns the request; it was created by the host and is freed exactly once.
        unsafe { sys::lab_request_free(self.raw.as_ptr()) }
    }
}

/// A request the host's registry owns, as an extension thread holds it (FINDINGS.md S09
/// `generation_handle`): a slot index and a generation, not a pointer. Any thread may call with
/// it at any time, and the host may destroy the request meanwhile: each call goes through the host
/// API table, which holds the request alive while the call runs and answers a destroyed handle
/// with [`LabError::BadHandle`]. That is why it hands out copies, never views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handle(pub sys::lab_handle);

/// The host API table (static storage in the host).
fn host_api() -> &'static sys::lab_host_api {
    // SAFETY: lab_host_api_get returns a pointer to a static, initialised table.
    unsafe { &*sys::lab_host_api_get() }
}

impl Handle {
    /// Gives `req` to the host's registry. `Capacity` when the registry is full.
    #[inline]
    pub fn register(req: Request) -> Result<Handle, LabError> {
        // SAFETY: the request is live and owned; on success the registry owns it (so we must not
        // free it: forget below), on failure (0) it took nothing and `req` drops normally.
        let h = unsafe { sys::lab_handle_register(req.raw.as_ptr()) };
        if h == 0 {
            return Err(LabError::Capacity {
                needed: 1,
                capacity: 0,
            });
        }
        std::mem::forget(req);
        Ok(Handle(h))
    }

    /// Destroys the request (Envoy's onDestroy). Calls inside it finish first, on the live request.
    #[inline]
    pub fn destroy(self) -> Result<(), LabError> {
        // SAFETY: any handle value is valid input; the host checks it.
        check(unsafe { sys::lab_handle_destroy(self.0) })
    }

    /// The registered request as the host API table reaches it.
    #[inline]
    fn table(self) -> Table<'static> {
        Table::new(host_api(), self.0)
    }

    /// Header count and bytes, through the table.
    #[inline]
    pub fn headers_size(self) -> Result<EntrySizes, LabError> {
        headers::headers_size(&self.table())
    }

    /// Copies the value of header `name` into `buf` (inside the host's guard, so the copy never
    /// reads a freed request) and returns the filled part.
    #[inline]
    pub fn header_copy<'b>(
        self,
        name: &[u8],
        buf: &'b mut [MaybeUninit<u8>],
    ) -> Result<&'b mut [u8], LabError> {
        headers::header_copy(&self.table(), name, buf)
    }
}

/// Requests the host has created and not yet freed, process-wide (a leak or a double free in a
/// destroy race shows here).
#[inline]
pub fn requests_live() -> usize {
    // SAFETY: no preconditions.
    unsafe { sys::lab_requests_live() }
}

/// The host's checksum of one string (length, first and last byte), as every consumer computes it.
#[inline]
pub fn touch(bytes: &[u8]) -> u64 {
    // SAFETY: a valid slice; lab_touch reads only bytes[0] and bytes[len - 1] when len > 0.
    unsafe { sys::lab_touch(bytes.as_ptr(), bytes.len()) }
}

/// Hands a C string to the host (`lab_consume_cstr`); returns the host's checksum.
#[inline]
pub fn consume_cstr(s: &CStr) -> Result<u64, LabError> {
    let mut sum = 0;
    // SAFETY: s is NUL-terminated and lives for the call.
    check(unsafe { sys::lab_consume_cstr(s.as_ptr(), &mut sum) })?;
    Ok(sum)
}

/// Hands (ptr, len) bytes to the host (`lab_consume_str`).
#[inline]
pub fn consume_str(bytes: &[u8]) -> Result<u64, LabError> {
    let mut sum = 0;
    // SAFETY: a valid slice, read during the call only.
    check(unsafe { sys::lab_consume_str(bytes.as_ptr(), bytes.len(), &mut sum) })?;
    Ok(sum)
}

/// Hands an array of C strings to the host (`lab_consume_cstr_array`).
#[inline]
pub fn consume_cstr_array(items: &[CStrPtr<'_>]) -> Result<u64, LabError> {
    let mut sum = 0;
    // SAFETY: CStrPtr is transparent over `const char *`; each points to a live C string.
    check(unsafe { sys::lab_consume_cstr_array(items.as_ptr().cast(), items.len(), &mut sum) })?;
    Ok(sum)
}

/// Hands an array of (ptr, len) views to the host (`lab_consume_str_array`).
#[inline]
pub fn consume_str_array(items: &[HostStr<'_>]) -> Result<u64, LabError> {
    let mut sum = 0;
    // SAFETY: HostStr is transparent over lab_str; each view borrows live bytes.
    check(unsafe { sys::lab_consume_str_array(items.as_ptr().cast(), items.len(), &mut sum) })?;
    Ok(sum)
}

/// Hands `offsets.len() - 1` strings packed in `buf` to the host (`lab_consume_packed`); item i
/// is `buf[offsets[i]..offsets[i + 1]]`. Bad offsets come back as [`LabError::Range`] from the host.
#[inline]
pub fn consume_packed(buf: &[u8], offsets: &[u32]) -> Result<u64, LabError> {
    let n = offsets.len().checked_sub(1).ok_or(LabError::Range)?;
    let mut sum = 0;
    // SAFETY: buf valid for buf.len() bytes; offsets has n + 1 entries, which is what the host
    // reads; the host itself checks every offset against buf.len().
    check(unsafe {
        sys::lab_consume_packed(buf.as_ptr(), buf.len(), offsets.as_ptr(), n, &mut sum)
    })?;
    Ok(sum)
}

/// S01: the empty call into the host.
#[inline]
pub fn noop() {
    // SAFETY: lab_noop has no preconditions and touches no memory.
    unsafe { sys::lab_noop() }
}

/// S01: a call with four arguments; reads no memory through `bytes`, only its address and length.
#[inline]
pub fn noop_args(a: u64, b: u64, bytes: &[u8]) -> u64 {
    // SAFETY: lab_noop_args does not dereference the pointer.
    unsafe { sys::lab_noop_args(a, b, bytes.as_ptr().cast(), bytes.len()) }
}

// ================================================================================================
// S13: body data hand-off (FINDINGS.md S13)
//
// Envoy's Go filter passes body data through two buffers: one receives the stream while the other
// is handed to Go, and a run-time state machine remembers who holds which. Here a host buffer is
// an owner, [`BodyBuf`]: handing it to the extension is a move, after which the host cannot touch
// it until the extension gives it back — the compiler checks it
// (tests/compile_fail/body_after_handoff.rs). [`Stream`] plays the socket that fills the buffers.
// ================================================================================================

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

#[cfg(test)]
mod tests {
    use crate::error::LabError;
    use crate::headers::KeptHeaders;

    use super::Request;

    #[test]
    fn kept_headers_answer_as_the_host_does() {
        let mut req = Request::realistic(12, 7).unwrap();
        req.set_header(b"x-empty", b"").unwrap();
        let mut kept = KeptHeaders::default();
        req.keep_all(&mut kept).unwrap();
        assert_eq!(kept.len(), req.headers_size().unwrap().count);
        for name in [&b":path"[..], b"user-agent", b"x-empty", b"accept"] {
            let host = req.header(name).map(|v| v.as_bytes().to_vec());
            assert_eq!(
                kept.get(name).map(<[u8]>::to_vec).ok_or(LabError::NotFound),
                host
            );
        }
        assert_eq!(kept.get(b"x-absent"), None);
        // Kept again after a write: the copy follows the request, its buffers reused.
        req.set_header(b"x-empty", b"now set").unwrap();
        req.keep_all(&mut kept).unwrap();
        assert_eq!(kept.get(b"x-empty"), Some(&b"now set"[..]));
        let empty = Request::new().unwrap();
        empty.keep_all(&mut kept).unwrap();
        assert!(kept.is_empty());
    }
}
