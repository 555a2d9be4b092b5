//! [`Handle`]: a request the host's registry owns, reached through the host API table, so every
//! call is guarded against the request being destroyed meanwhile (FINDINGS.md S09).

use std::mem::MaybeUninit;

use super::request::Request;
use crate::callback::Table;
use crate::error::{check, LabError};
use crate::headers::{self, EntrySizes};
use crate::sys;

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
