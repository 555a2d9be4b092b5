//! [`LabError`], why a call across the boundary failed, and the one mapping between it and the
//! host's statuses, in both directions (R→C results, C→R exports). It sits at the bottom of the
//! crate, beside `sys`, so every wrapper module maps statuses the same way without reaching into
//! another wrapper module.

use std::fmt;

use crate::sys;

/// Why a call across the boundary failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabError {
    /// The host got a NULL pointer with a non-zero length (`LAB_ERR_NULL`).
    Null,
    /// An offset or length pointed past its buffer (`LAB_ERR_RANGE`).
    Range,
    /// No header of that name (`LAB_ERR_NOT_FOUND`).
    NotFound,
    /// The caller's buffer holds `capacity` items or bytes but `needed` are required.
    Capacity { needed: usize, capacity: usize },
    /// A header name that is not a lower-case HTTP token (`LAB_ERR_INVALID_NAME`).
    InvalidName,
    /// The host could not allocate (`LAB_ERR_NOMEM`).
    NoMem,
    /// A status this version of the wrappers does not know.
    Unknown(u32),
    /// A string bound for a C string holds a NUL byte at `position`.
    InteriorNul { position: usize },
    /// Bytes that should be UTF-8 are not; the first `valid_up_to` bytes are.
    InvalidUtf8 { valid_up_to: usize },
    /// A packed buffer longer than its `u32` offsets can address.
    TooLarge { len: usize },
    /// Data the callee cannot represent (`LAB_ERR_INVALID_DATA`, from an extension).
    InvalidData,
    /// C→R: a request handle that is null, dangling or destroyed (`LAB_ERR_BAD_HANDLE`).
    BadHandle,
    /// C→R: the filter panicked (`LAB_ERR_PANIC`).
    Panic,
    /// C→R: extension and host disagree on the ABI version (`LAB_ERR_ABI`).
    Abi,
    /// C→R: a filter or access strategy that is not implemented (`LAB_ERR_UNSUPPORTED`).
    Unsupported,
}

impl fmt::Display for LabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabError::Null => write!(f, "null pointer with a non-zero length passed to the host"),
            LabError::Range => write!(f, "offset or length past the end of the buffer"),
            LabError::NotFound => write!(f, "no header of that name"),
            LabError::Capacity { needed, capacity } => {
                write!(
                    f,
                    "caller buffer too small: {needed} needed, capacity {capacity}"
                )
            }
            LabError::InvalidName => write!(f, "header name is not a lower-case HTTP token"),
            LabError::NoMem => write!(f, "the host is out of memory"),
            LabError::Unknown(s) => write!(f, "unknown host status {s}"),
            LabError::InteriorNul { position } => {
                write!(
                    f,
                    "string has an interior NUL byte at {position}; it cannot be a C string"
                )
            }
            LabError::InvalidUtf8 { valid_up_to } => {
                write!(f, "bytes are not UTF-8 (valid up to byte {valid_up_to})")
            }
            LabError::TooLarge { len } => {
                write!(f, "packed buffer of {len} bytes exceeds u32 offsets")
            }
            LabError::InvalidData => {
                write!(f, "data not representable (interior NUL, invalid UTF-8)")
            }
            LabError::BadHandle => write!(f, "null, dangling or destroyed request handle"),
            LabError::Panic => write!(f, "the filter panicked"),
            LabError::Abi => write!(f, "extension and host disagree on the ABI version"),
            LabError::Unsupported => write!(f, "filter or access strategy not implemented"),
        }
    }
}

impl std::error::Error for LabError {}

/// Maps a host status to a `Result`. `LAB_ERR_CAPACITY` carries no sizes here: callers that can
/// get it report the sizes themselves. The success path is one compare, as a C caller's
/// `if (st != LAB_OK)`: the mapping of the errors is out of line ([`error_of`]), or the `match`
/// becomes a jump table run on every call (docs/evidence/2026-12-06-rust-at-its-floor.md).
#[inline(always)]
pub fn check(status: sys::lab_status) -> Result<(), LabError> {
    if status == sys::LAB_OK {
        Ok(())
    } else {
        Err(error_of(status))
    }
}

/// The error of a status other than `LAB_OK`.
#[cold]
#[inline(never)]
fn error_of(status: sys::lab_status) -> LabError {
    match status {
        sys::LAB_ERR_NULL => LabError::Null,
        sys::LAB_ERR_RANGE => LabError::Range,
        sys::LAB_ERR_NOT_FOUND => LabError::NotFound,
        sys::LAB_ERR_CAPACITY => LabError::Capacity {
            needed: 0,
            capacity: 0,
        },
        sys::LAB_ERR_INVALID_NAME => LabError::InvalidName,
        sys::LAB_ERR_NOMEM => LabError::NoMem,
        sys::LAB_ERR_BAD_HANDLE => LabError::BadHandle,
        sys::LAB_ERR_INVALID_DATA => LabError::InvalidData,
        sys::LAB_ERR_PANIC => LabError::Panic,
        sys::LAB_ERR_ABI => LabError::Abi,
        sys::LAB_ERR_UNSUPPORTED => LabError::Unsupported,
        other => LabError::Unknown(other),
    }
}

impl LabError {
    /// The status that reports this error across the boundary (C→R exports).
    #[inline]
    pub fn status(self) -> sys::lab_status {
        match self {
            LabError::Null => sys::LAB_ERR_NULL,
            LabError::Range => sys::LAB_ERR_RANGE,
            LabError::NotFound => sys::LAB_ERR_NOT_FOUND,
            LabError::Capacity { .. } => sys::LAB_ERR_CAPACITY,
            LabError::InvalidName => sys::LAB_ERR_INVALID_NAME,
            LabError::NoMem => sys::LAB_ERR_NOMEM,
            LabError::Unknown(s) => s,
            LabError::InteriorNul { .. } | LabError::InvalidUtf8 { .. } | LabError::InvalidData => {
                sys::LAB_ERR_INVALID_DATA
            }
            LabError::TooLarge { .. } => sys::LAB_ERR_RANGE,
            LabError::BadHandle => sys::LAB_ERR_BAD_HANDLE,
            LabError::Panic => sys::LAB_ERR_PANIC,
            LabError::Abi => sys::LAB_ERR_ABI,
            LabError::Unsupported => sys::LAB_ERR_UNSUPPORTED,
        }
    }
}

/// Like [`check`], filling in the sizes of a capacity error.
#[inline]
pub(crate) fn check_capacity(
    status: sys::lab_status,
    needed: usize,
    capacity: usize,
) -> Result<(), LabError> {
    match check(status) {
        Err(LabError::Capacity { .. }) => Err(LabError::Capacity { needed, capacity }),
        other => other,
    }
}

/// Like [`check`] for `headers_copy_all`, naming whichever capacity was short.
#[inline]
pub(crate) fn check_copy_all(
    status: sys::lab_status,
    count: usize,
    bytes: usize,
    slots: usize,
    buf: usize,
) -> Result<(), LabError> {
    match check(status) {
        Err(LabError::Capacity { .. }) if count > slots => Err(LabError::Capacity {
            needed: count,
            capacity: slots,
        }),
        Err(LabError::Capacity { .. }) => Err(LabError::Capacity {
            needed: bytes,
            capacity: buf,
        }),
        other => other,
    }
}
