//! The host's one-shot calls: S01's empty calls, S02's and S05's hand-offs of strings, the
//! host's checksum and its count of live requests. Each borrows its input for the call only.

use std::ffi::CStr;

use crate::error::{check, LabError};
use crate::sys;
use crate::view::{CStrPtr, HostStr};

/// Requests the host has created and not yet freed, process-wide (a leak or a double free in a
/// destroy race shows here).
#[inline]
pub fn requests_live() -> usize {
    // SAFETY: no preconditions.
    unsafe { sys::lab_requests_live() }
}

/// The host's checksum of one string (`lab_touch`, every byte read), as every consumer computes
/// it: the same function as [`crate::digest`].
#[inline]
pub fn touch(bytes: &[u8]) -> u64 {
    // SAFETY: a valid slice; lab_touch reads bytes[..len] during the call only.
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
