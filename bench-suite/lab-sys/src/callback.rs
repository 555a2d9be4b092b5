//! The host API as a callback sees it (C→R): the table of `lab_host_api`, handed over once at
//! init, and the request of the current callback. [`Table`] is that way of reaching a request, the
//! second impl of [`HostCalls`] beside the linked symbols of [`Request`](crate::host::Request); the
//! safe header operations over both are in [`crate::headers`].

use std::mem::MaybeUninit;

use crate::error::{check, LabError};
use crate::headers::{self, HostCalls};
use crate::sys;
use crate::view::{HostHeader, HostStr};

/// Calls an entry of a host API table; a missing one (a host older than the extension) is
/// `LAB_ERR_UNSUPPORTED`.
macro_rules! call_table {
    ($api:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $api.$f {
            // SAFETY: the table comes from the host (handed over at init, or lab_host_api_get),
            // filled with functions of lab.h's signatures; the arguments' validity is argued at
            // each call site.
            Some(f) => unsafe { f($($arg),*) },
            None => $crate::sys::LAB_ERR_UNSUPPORTED,
        }
    };
}
use call_table as call;

/// A request reached through the host API table: the table and the request's handle. A call on a
/// destroyed handle answers `BadHandle` (the host's registry guards every table call).
#[derive(Clone, Copy)]
pub struct Table<'a> {
    api: &'a sys::lab_host_api,
    request: sys::lab_handle,
}

impl<'a> Table<'a> {
    #[inline]
    pub fn new(api: &'a sys::lab_host_api, request: sys::lab_handle) -> Self {
        Table { api, request }
    }
}

// SAFETY: each call forwards its arguments unchanged to the table entry of the same name, which the
// host filled with its lab.h function (a missing entry answers LAB_ERR_UNSUPPORTED and touches
// nothing); the host holds the request alive for the duration of every table call.
unsafe impl HostCalls for Table<'_> {
    #[inline]
    unsafe fn header_get(
        &self,
        name: *const u8,
        len: usize,
        value: *mut sys::lab_str,
    ) -> sys::lab_status {
        call!(self.api, header_get(self.request, name, len, value))
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
        call!(
            self.api,
            header_copy(self.request, name, len, buf, cap, out_len)
        )
    }

    #[inline]
    unsafe fn headers_size(&self, count: *mut usize, bytes: *mut usize) -> sys::lab_status {
        call!(self.api, headers_size(self.request, count, bytes))
    }

    #[inline]
    unsafe fn headers_view_all(
        &self,
        views: *mut sys::lab_header,
        cap: usize,
        count: *mut usize,
    ) -> sys::lab_status {
        call!(self.api, headers_view_all(self.request, views, cap, count))
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
        call!(
            self.api,
            headers_copy_all(self.request, buf, buf_cap, views, views_cap, count, bytes)
        )
    }

    #[inline]
    unsafe fn header_set(
        &mut self,
        name: *const u8,
        name_len: usize,
        value: *const u8,
        value_len: usize,
    ) -> sys::lab_status {
        call!(
            self.api,
            header_set(self.request, name, name_len, value, value_len)
        )
    }
}

/// One callback of one request. Views it hands out borrow it, so they die with the callback, and
/// writes take `&mut self`, so no view survives a write.
pub struct Callback<'a> {
    table: Table<'a>,
    entry: &'a sys::lab_entry,
}

impl<'a> Callback<'a> {
    #[inline]
    pub fn new(api: &'a sys::lab_host_api, entry: &'a sys::lab_entry) -> Self {
        Callback {
            table: Table::new(api, entry.request),
            entry,
        }
    }

    #[inline]
    pub fn entry(&self) -> &'a sys::lab_entry {
        self.entry
    }

    /// One header's value, borrowed from the host (`per_header_call`, `lazy`).
    #[inline]
    pub fn header(&self, name: &[u8]) -> Result<HostStr<'_>, LabError> {
        headers::header(&self.table, name)
    }

    /// Views of every header, borrowed from the host (`bulk_borrow`).
    #[inline]
    pub fn view_all<'c, 's>(
        &'c self,
        slots: &'s mut [MaybeUninit<HostHeader<'c>>],
    ) -> Result<&'s [HostHeader<'c>], LabError> {
        headers::view_all(&self.table, slots)
    }

    /// Every header copied into `buf`, with views into it (`bulk_copy`).
    #[inline]
    pub fn copy_all<'b, 's>(
        &self,
        buf: &'b mut [MaybeUninit<u8>],
        slots: &'s mut [MaybeUninit<HostHeader<'b>>],
    ) -> Result<&'s [HostHeader<'b>], LabError> {
        headers::copy_all(&self.table, buf, slots)
    }

    /// The request body, borrowed from the host.
    #[inline]
    pub fn body(&self) -> Result<HostStr<'_>, LabError> {
        let mut body = sys::lab_str::default();
        check(call!(
            self.table.api,
            body_get(self.table.request, &mut body)
        ))?;
        // SAFETY: the body stays valid for the request, which outlives the callback.
        Ok(unsafe { HostStr::from_raw(body) })
    }

    /// What the host pushed on entry (`eager`): every header and the body, borrowed for the call.
    #[inline]
    pub fn pushed(&self) -> Option<(&[HostHeader<'_>], &[u8])> {
        let e = self.entry;
        if e.headers.is_null() && e.header_count > 0 {
            return None;
        }
        let headers = if e.header_count == 0 {
            &[][..]
        } else {
            // SAFETY: in eager mode the host pushes header_count views valid for the callback
            // ('a); HostHeader is transparent over lab_header.
            unsafe {
                std::slice::from_raw_parts(e.headers.cast::<HostHeader<'_>>(), e.header_count)
            }
        };
        let body = if e.body_len == 0 {
            &[][..]
        } else if e.body.is_null() {
            return None;
        } else {
            // SAFETY: the host pushes body_len bytes valid for the callback.
            unsafe { std::slice::from_raw_parts(e.body, e.body_len) }
        };
        Some((headers, body))
    }

    #[inline]
    pub fn set_header(&mut self, name: &[u8], value: &[u8]) -> Result<(), LabError> {
        headers::set_header(&mut self.table, name, value)
    }

    #[inline]
    pub fn send_local_reply(&mut self, status: u32, body: &[u8]) -> Result<(), LabError> {
        check(call!(
            self.table.api,
            send_local_reply(self.table.request, status, body.as_ptr(), body.len())
        ))
    }
}
