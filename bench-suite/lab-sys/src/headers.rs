//! The host's header operations (FINDINGS S03–S06, S14), written once over the two ways an
//! extension reaches the host: by linked symbol ([`Request`](crate::host::Request), Rust calling
//! the host it links, R→C) or through the API table the host hands over
//! ([`Table`](crate::callback::Table): a callback's request, or a registered
//! [`Handle`](crate::host::Handle); C→R and S09).
//!
//! [`HostCalls`] is the raw call, one impl per way; the safe functions here — the lifetimes of the
//! views, the capacity checks, the initialised prefix of the caller's slots — exist once. They are
//! generic, so each monomorphises to the direct call of its impl: no dispatch is added to any
//! measured path.

use std::mem::MaybeUninit;

use crate::error::{check, check_capacity, check_copy_all, LabError};
use crate::slots::assume_init;
use crate::sys;
use crate::view::{HostHeader, HostStr};

/// The raw header calls of lab.h on one request, by whichever way the implementor reaches it.
///
/// # Safety
/// An implementor forwards every call, arguments unchanged, to the lab.h function of the same name
/// on one request that stays live while the implementor lives, and answers as that function does:
/// the safe functions of this module rely on the host writing no more than the capacities they
/// pass, and on a view it hands out staying valid until the request is written or freed.
pub unsafe trait HostCalls {
    /// `lab_header_get`.
    ///
    /// # Safety
    /// `name` readable for `len` bytes (or `len == 0`), `value` writable.
    unsafe fn header_get(
        &self,
        name: *const u8,
        len: usize,
        value: *mut sys::lab_str,
    ) -> sys::lab_status;

    /// `lab_header_copy`.
    ///
    /// # Safety
    /// `name` as above, `buf` writable for `cap` bytes, `out_len` writable.
    unsafe fn header_copy(
        &self,
        name: *const u8,
        len: usize,
        buf: *mut u8,
        cap: usize,
        out_len: *mut usize,
    ) -> sys::lab_status;

    /// `lab_headers_size`.
    ///
    /// # Safety
    /// Both out-params writable.
    unsafe fn headers_size(&self, count: *mut usize, bytes: *mut usize) -> sys::lab_status;

    /// `lab_headers_view_all`.
    ///
    /// # Safety
    /// `views` writable for `cap` headers, `count` writable.
    unsafe fn headers_view_all(
        &self,
        views: *mut sys::lab_header,
        cap: usize,
        count: *mut usize,
    ) -> sys::lab_status;

    /// `lab_headers_copy_all`.
    ///
    /// # Safety
    /// `buf` writable for `buf_cap` bytes, `views` for `views_cap` headers, out-params writable.
    unsafe fn headers_copy_all(
        &self,
        buf: *mut u8,
        buf_cap: usize,
        views: *mut sys::lab_header,
        views_cap: usize,
        count: *mut usize,
        bytes: *mut usize,
    ) -> sys::lab_status;

    /// `lab_header_set`.
    ///
    /// # Safety
    /// `name` and `value` readable for their lengths.
    unsafe fn header_set(
        &mut self,
        name: *const u8,
        name_len: usize,
        value: *const u8,
        value_len: usize,
    ) -> sys::lab_status;
}

/// Header count and bytes known on entry (FINDINGS.md S04/S06).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntrySizes {
    pub count: usize,
    pub bytes: usize,
}

/// The value of header `name`, borrowed from the request for as long as `h` is borrowed.
#[inline]
pub(crate) fn header<'a, H: HostCalls>(h: &'a H, name: &[u8]) -> Result<HostStr<'a>, LabError> {
    let mut value = sys::lab_str::default();
    // SAFETY: name is a valid slice, value a valid out-param.
    check(unsafe { h.header_get(name.as_ptr(), name.len(), &mut value) })?;
    // SAFETY: the host's view stays valid until the request is written (needs `&mut H`, excluded
    // while `'a` lasts) or freed (after `h`).
    Ok(unsafe { HostStr::from_raw(value) })
}

/// Copies the value of header `name` into `buf`; returns the filled part.
#[inline]
pub(crate) fn header_copy<'b, H: HostCalls>(
    h: &H,
    name: &[u8],
    buf: &'b mut [MaybeUninit<u8>],
) -> Result<&'b mut [u8], LabError> {
    let mut len = 0usize;
    // SAFETY: valid name slice; buf is valid for buf.len() bytes of writes and the host writes at
    // most that many (it checks the capacity first).
    let status = unsafe {
        h.header_copy(
            name.as_ptr(),
            name.len(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut len,
        )
    };
    check_capacity(status, len, buf.len())?;
    // SAFETY: on LAB_OK the host initialised buf[..len] and len <= buf.len().
    Ok(unsafe { assume_init(buf, len) })
}

/// Header count and total name + value bytes.
#[inline]
pub(crate) fn headers_size<H: HostCalls>(h: &H) -> Result<EntrySizes, LabError> {
    let (mut count, mut bytes) = (0usize, 0usize);
    // SAFETY: valid out-params.
    check(unsafe { h.headers_size(&mut count, &mut bytes) })?;
    Ok(EntrySizes { count, bytes })
}

/// Views of every header, borrowed from the request, written into `slots`.
#[inline]
pub(crate) fn view_all<'a, 's, H: HostCalls>(
    h: &'a H,
    slots: &'s mut [MaybeUninit<HostHeader<'a>>],
) -> Result<&'s [HostHeader<'a>], LabError> {
    let mut count = 0usize;
    // SAFETY: HostHeader is repr(transparent) over lab_header, so slots is a valid array of
    // slots.len() lab_header for the host to write; it writes nothing past the capacity.
    let status = unsafe { h.headers_view_all(slots.as_mut_ptr().cast(), slots.len(), &mut count) };
    check_capacity(status, count, slots.len())?;
    // SAFETY: on LAB_OK the host wrote slots[..count], count <= slots.len(); the views point into
    // the request, which the `'a` borrow keeps alive and unwritten.
    Ok(unsafe { assume_init(slots, count) })
}

/// Every header copied into `buf`, with views of the copies in `slots`: they borrow `buf`, not the
/// request.
#[inline]
pub(crate) fn copy_all<'b, 's, H: HostCalls>(
    h: &H,
    buf: &'b mut [MaybeUninit<u8>],
    slots: &'s mut [MaybeUninit<HostHeader<'b>>],
) -> Result<&'s [HostHeader<'b>], LabError> {
    let (mut count, mut bytes) = (0usize, 0usize);
    // SAFETY: buf and slots are valid for writes of their lengths (HostHeader is transparent over
    // lab_header); the host writes within both capacities or nothing.
    let status = unsafe {
        h.headers_copy_all(
            buf.as_mut_ptr().cast(),
            buf.len(),
            slots.as_mut_ptr().cast(),
            slots.len(),
            &mut count,
            &mut bytes,
        )
    };
    check_copy_all(status, count, bytes, slots.len(), buf.len())?;
    // SAFETY: on LAB_OK slots[..count] are written; they point into buf, which stays mutably
    // borrowed (so untouched by anyone else) for 'b.
    Ok(unsafe { assume_init(slots, count) })
}

/// Sets header `name` to `value` (the host copies both). `&mut H`: no view borrowed from the
/// request survives a write.
#[inline]
pub(crate) fn set_header<H: HostCalls>(
    h: &mut H,
    name: &[u8],
    value: &[u8],
) -> Result<(), LabError> {
    // SAFETY: both slices valid for the call only.
    check(unsafe { h.header_set(name.as_ptr(), name.len(), value.as_ptr(), value.len()) })
}

/// A request's headers copied once and kept, as Envoy's Go filter keeps the copy it made at the
/// first read for the rest of the request (FINDINGS S06): the bytes, and where each name and value
/// lies in them. Lookups scan in order, as the host does.
#[derive(Debug, Default)]
pub struct KeptHeaders {
    bytes: Vec<u8>,
    /// (name start, name length, value start, value length) in `bytes`, in header order.
    spans: Vec<[usize; 4]>,
}

impl KeptHeaders {
    /// The value of the first header named `name`.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.spans
            .iter()
            .find(|&&[n, nl, _, _]| &self.bytes[n..n + nl] == name)
            .map(|&[_, _, v, vl]| &self.bytes[v..v + vl])
    }

    /// Headers kept.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// Copies every header of the request into `kept` (its buffers reused), with one host call.
#[inline]
pub(crate) fn keep_all<H: HostCalls>(h: &H, kept: &mut KeptHeaders) -> Result<(), LabError> {
    let size = headers_size(h)?;
    let KeptHeaders { bytes, spans } = kept;
    bytes.clear();
    bytes.reserve(size.bytes);
    spans.clear();
    spans.reserve(size.count);
    let filled = crate::slots::with_slots::<
        HostHeader<'_>,
        { crate::slots::DEFAULT_STACK_SLOTS },
        _,
    >(size.count, |slots| {
        let views = copy_all(h, bytes.spare_capacity_mut(), slots)?;
        // lab.h: packed from the start in order, so each span follows the previous one.
        let mut filled = 0;
        for v in views {
            let (n, val) = (v.name().len(), v.value().len());
            spans.push([filled, n, filled + n, val]);
            filled += n + val;
        }
        Ok(filled)
    })?;
    // SAFETY: lab.h: on LAB_OK the host packed every name and value from bytes[0], in order, so
    // the first `filled` (their total length, within the capacity reserved above) bytes are
    // initialised.
    unsafe { bytes.set_len(filled) };
    Ok(())
}
