//! Borrowed views of bytes someone else owns ([`HostStr`], [`HostHeader`], [`CStrPtr`]), laid out
//! as lab.h's types so slices of them cross the boundary as they are. Each carries the lifetime of
//! its owner, so the compiler rejects a use after the owner is gone (FINDINGS.md S03). Every
//! wrapper module hands them out, so they sit at the bottom of the crate, beside `sys`.

use std::ffi::{c_char, CStr};
use std::fmt;
use std::marker::PhantomData;

use crate::sys;

/// A borrowed view of bytes owned by someone else for `'a`: host memory (a header value), a
/// caller buffer the host filled, or a Rust string handed to the host. Same layout as `lab_str`.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct HostStr<'a> {
    raw: sys::lab_str,
    _owner: PhantomData<&'a [u8]>,
}

impl<'a> HostStr<'a> {
    /// A view of Rust bytes, to hand to the host (S05 `pinned_batch`).
    #[inline]
    pub fn from_bytes(bytes: &'a [u8]) -> Self {
        HostStr {
            raw: sys::lab_str {
                ptr: bytes.as_ptr(),
                len: bytes.len(),
            },
            _owner: PhantomData,
        }
    }

    /// A view of what the host handed out.
    ///
    /// # Safety
    /// `raw` must be readable for `'a` (or have `len == 0`) and not be written while `'a` lasts.
    #[inline]
    pub(crate) unsafe fn from_raw(raw: sys::lab_str) -> Self {
        HostStr {
            raw,
            _owner: PhantomData,
        }
    }

    /// The bytes, for as long as their owner lives.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        if self.raw.len == 0 {
            return &[];
        }
        // SAFETY: a HostStr<'a> is only built from a Rust slice living for 'a (from_bytes) or from a
        // view the host returned for memory that stays valid and unmodified while the `&'a` borrow
        // of its owner (the request, or the caller buffer) lasts; len > 0 so ptr is non-null.
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
}

impl fmt::Debug for HostStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// One header as two views, borrowed from its owner for `'a`. Same layout as `lab_header`.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct HostHeader<'a> {
    raw: sys::lab_header,
    _owner: PhantomData<&'a [u8]>,
}

impl<'a> HostHeader<'a> {
    /// A header over bytes that live for `'a` (e.g. an extension's own copy).
    #[inline]
    pub fn from_parts(name: &'a [u8], value: &'a [u8]) -> Self {
        HostHeader {
            raw: sys::lab_header {
                name: HostStr::from_bytes(name).raw,
                value: HostStr::from_bytes(value).raw,
            },
            _owner: PhantomData,
        }
    }

    #[inline]
    pub fn name(&self) -> HostStr<'a> {
        HostStr {
            raw: self.raw.name,
            _owner: PhantomData,
        }
    }

    #[inline]
    pub fn value(&self) -> HostStr<'a> {
        HostStr {
            raw: self.raw.value,
            _owner: PhantomData,
        }
    }
}

impl fmt::Debug for HostHeader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?}", self.name(), self.value())
    }
}

/// A C string borrowed for `'a`, laid out as `const char *` so a slice of them is the `char**`
/// that `lab_consume_cstr_array` reads.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct CStrPtr<'a> {
    ptr: *const c_char,
    _owner: PhantomData<&'a CStr>,
}

impl<'a> CStrPtr<'a> {
    #[inline]
    pub fn new(s: &'a CStr) -> Self {
        CStrPtr {
            ptr: s.as_ptr(),
            _owner: PhantomData,
        }
    }
}
