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
//! The wrappers are split by role: `request` (the header map, over [`crate::headers`]), `handle`
//! (a registered request, through the API table), `calls` (the one-shot calls of S01, S02 and
//! S05) and `body` (S13's buffers and stream). What the modules below use as well lives there and
//! is re-exported here, its public path: the error type (`error`), the views (`view`),
//! [`EntrySizes`] ([`crate::headers`]) and [`host_stats`] ([`crate::alloc`]).
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

mod body;
mod calls;
mod handle;
mod request;

pub use crate::alloc::host_stats;
pub use crate::error::{check, LabError};
pub use crate::headers::EntrySizes;
pub use crate::view::{CStrPtr, HostHeader, HostStr};
pub use body::{BodyBuf, Stream};
pub use calls::{
    consume_cstr, consume_cstr_array, consume_packed, consume_str, consume_str_array, noop,
    noop_args, requests_live, touch,
};
pub use handle::Handle;
pub use request::Request;
