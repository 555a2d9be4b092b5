//! [`Request`]: a header map the host owns, reached by linked symbol (R→C). Its header operations
//! are [`crate::headers`]' generic ones over this module's [`HostCalls`] impl; reads take `&self`
//! and writes `&mut self`, so no view borrowed from a request survives a write.

use std::mem::MaybeUninit;
use std::ptr::NonNull;

use crate::error::LabError;
use crate::headers::{self, EntrySizes, HostCalls};
use crate::sys;
use crate::view::{HostHeader, HostStr};

/// A request owned by the host: a header map. Dropping it frees it in the host.
pub struct Request {
    pub(super) raw: NonNull<sys::lab_request>,
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
