//! The host API as a callback sees it: the table of `lab_host_api` (handed over once, at init)
//! and the request handle of the current callback.

use std::mem::MaybeUninit;

use crate::host::{
    assume_init, call_table as call, check, check_capacity, check_copy_all, HostHeader, HostStr,
    LabError,
};
use crate::sys;

/// One callback of one request. Views it hands out borrow it, so they die with the callback, and
/// writes take `&mut self`, so no view survives a write.
pub struct Callback<'a> {
    api: &'a sys::lab_host_api,
    entry: &'a sys::lab_entry,
}

impl<'a> Callback<'a> {
    pub fn new(api: &'a sys::lab_host_api, entry: &'a sys::lab_entry) -> Self {
        Callback { api, entry }
    }

    pub fn entry(&self) -> &'a sys::lab_entry {
        self.entry
    }

    /// One header's value, borrowed from the host (`per_header_call`, `lazy`).
    pub fn header(&self, name: &[u8]) -> Result<HostStr<'_>, LabError> {
        let mut value = sys::lab_str::default();
        // name is a valid slice; value a valid out-param.
        check(call!(
            self.api,
            header_get(self.entry.request, name.as_ptr(), name.len(), &mut value)
        ))?;
        // SAFETY: the host's view stays valid until the header is written (needs `&mut self`)
        // or the request ends (after the callback).
        Ok(unsafe { HostStr::from_raw(value) })
    }

    /// Views of every header, borrowed from the host (`bulk_borrow`).
    pub fn view_all<'c, 's>(
        &'c self,
        slots: &'s mut [MaybeUninit<HostHeader<'c>>],
    ) -> Result<&'s [HostHeader<'c>], LabError> {
        let mut count = 0usize;
        // slots: a valid array of slots.len() lab_header (HostHeader is transparent over it).
        let st = call!(
            self.api,
            headers_view_all(
                self.entry.request,
                slots.as_mut_ptr().cast(),
                slots.len(),
                &mut count
            )
        );
        check_capacity(st, count, slots.len())?;
        // SAFETY: on LAB_OK the host wrote slots[..count], count <= slots.len().
        Ok(unsafe { assume_init(slots, count) })
    }

    /// Every header copied into `buf`, with views into it (`bulk_copy`).
    pub fn copy_all<'b, 's>(
        &self,
        buf: &'b mut [MaybeUninit<u8>],
        slots: &'s mut [MaybeUninit<HostHeader<'b>>],
    ) -> Result<&'s [HostHeader<'b>], LabError> {
        let (mut count, mut bytes) = (0usize, 0usize);
        // buf and slots valid for writes of their lengths; the host writes within both or nothing.
        let st = call!(
            self.api,
            headers_copy_all(
                self.entry.request,
                buf.as_mut_ptr().cast(),
                buf.len(),
                slots.as_mut_ptr().cast(),
                slots.len(),
                &mut count,
                &mut bytes
            )
        );
        check_copy_all(st, count, bytes, slots.len(), buf.len())?;
        // SAFETY: on LAB_OK slots[..count] are written and point into buf, borrowed for 'b.
        Ok(unsafe { assume_init(slots, count) })
    }

    /// The request body, borrowed from the host.
    pub fn body(&self) -> Result<HostStr<'_>, LabError> {
        let mut body = sys::lab_str::default();
        check(call!(self.api, body_get(self.entry.request, &mut body)))?;
        // SAFETY: the body stays valid for the request, which outlives the callback.
        Ok(unsafe { HostStr::from_raw(body) })
    }

    /// What the host pushed on entry (`eager`): every header and the body, borrowed for the call.
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

    pub fn set_header(&mut self, name: &[u8], value: &[u8]) -> Result<(), LabError> {
        check(call!(
            self.api,
            header_set(
                self.entry.request,
                name.as_ptr(),
                name.len(),
                value.as_ptr(),
                value.len()
            )
        ))
    }

    pub fn send_local_reply(&mut self, status: u32, body: &[u8]) -> Result<(), LabError> {
        check(call!(
            self.api,
            send_local_reply(self.entry.request, status, body.as_ptr(), body.len())
        ))
    }
}
