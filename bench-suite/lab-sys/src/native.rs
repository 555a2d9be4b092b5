//! The native floors of lab.h (`c-harness/native/native.c`): the work of an R→C scenario done by C
//! calling the host directly, `iters` times in one call, so the bench can time it like a strategy
//! (the one crossing per batch is amortised away) and set every strategy beside it: strategy −
//! native is what crossing from Rust costs. Each returns the sum of the per-iteration checksums,
//! which the Rust strategies' checksums must equal. The C loops answer 0 when the host refused
//! the work; these wrappers make that a [`LabError::InvalidData`], so callers see one `Result`.

use std::mem::MaybeUninit;

use crate::host::{BodyBuf, LabError, Request, Stream};
use crate::sys;

/// S01: `lab_noop` from C, `iters` times; returns `iters`.
#[inline]
pub fn s01_call_floor(iters: u64) -> Result<u64, LabError> {
    // SAFETY: no preconditions.
    answer(unsafe { sys::lab_native_s01_call_floor(iters) }, iters)
}

/// S02: `lab_consume_str`.
#[inline]
pub fn s02_pass_string(bytes: &[u8], iters: u64) -> Result<u64, LabError> {
    // SAFETY: a valid slice, read during the call only.
    answer(
        unsafe { sys::lab_native_s02_pass_string(bytes.as_ptr(), bytes.len(), iters) },
        iters,
    )
}

/// S03: `lab_header_get` and a digest of the value.
#[inline]
pub fn s03_unknown_length(req: &Request, name: &[u8], iters: u64) -> Result<u64, LabError> {
    // SAFETY: a live request (borrowed), a valid name slice.
    answer(
        unsafe {
            sys::lab_native_s03_unknown_length(req.as_raw(), name.as_ptr(), name.len(), iters)
        },
        iters,
    )
}

/// S04: `lab_header_copy` into `buf` and a digest of the copy.
#[inline]
pub fn s04_known_length(
    req: &Request,
    name: &[u8],
    buf: &mut [MaybeUninit<u8>],
    iters: u64,
) -> Result<u64, LabError> {
    // SAFETY: a live request, a valid name slice; buf is writable for buf.len() bytes and the host
    // writes at most that many.
    let sum = unsafe {
        sys::lab_native_s04_known_length(
            req.as_raw(),
            name.as_ptr(),
            name.len(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            iters,
        )
    };
    answer(sum, iters)
}

/// S05: on every call, views of `items` built into an array (the stack up to 16 items, one C
/// allocation above, as `pinned_batch`'s), then `lab_consume_str_array`.
///
/// # Safety
/// Every item must point to `len` readable bytes (or have `len == 0`) for the call: the items are
/// raw, because the batch that owns the bytes holds them beside these.
#[inline]
pub unsafe fn s05_pass_batch(items: &[sys::lab_native_bytes], iters: u64) -> Result<u64, LabError> {
    // SAFETY: the caller's promise; the floor reads the items during the call only.
    answer(
        unsafe { sys::lab_native_s05_pass_batch(items.as_ptr(), items.len(), iters) },
        iters,
    )
}

/// S05's items as the floor's owner holds them: each `Vec`'s bytes, length and capacity. Valid
/// while `items` and their heap bytes live unmodified.
pub fn owned_bytes(items: &[Vec<u8>]) -> Vec<sys::lab_native_bytes> {
    items
        .iter()
        .map(|b| sys::lab_native_bytes {
            ptr: b.as_ptr(),
            len: b.len(),
            cap: b.capacity(),
        })
        .collect()
}

/// S06: `lab_header_get` for each name, digests summed.
///
/// # Safety
/// Every name must point to `len` readable bytes (or have `len == 0`) for the call: the views are
/// raw, because the input that owns the bytes holds them beside its views.
#[inline]
pub unsafe fn s06_read_headers(
    req: &Request,
    names: &[sys::lab_str],
    iters: u64,
) -> Result<u64, LabError> {
    // SAFETY: a live request (borrowed); the names as the caller promises.
    answer(
        unsafe {
            sys::lab_native_s06_read_headers(req.as_raw(), names.as_ptr(), names.len(), iters)
        },
        iters,
    )
}

/// Raw views of `items`, for [`s06_read_headers`]: valid while `items` and their heap bytes live
/// unmodified.
pub fn raw_views(items: &[Vec<u8>]) -> Vec<sys::lab_str> {
    items
        .iter()
        .map(|b| sys::lab_str {
            ptr: b.as_ptr(),
            len: b.len(),
        })
        .collect()
}

/// S08's native request: any thread writes it, through [`S08Request::write`] only, which the C
/// side serialises with its own lock (std's `Mutex` algorithm, written in C) — as C writers on
/// several threads share a request.
pub struct S08Request(Request);

// SAFETY: the request is only read or written through `write`, whose C side takes one lock around
// every write, so writes from several threads never overlap; Request itself is Send.
unsafe impl Sync for S08Request {}

impl S08Request {
    pub fn new(req: Request) -> Self {
        S08Request(req)
    }

    /// `writes` writes of `name: value` under the C lock; `lab_touch(value) * writes`.
    #[inline]
    pub fn write(&self, name: &[u8], value: &[u8], writes: u64) -> Result<u64, LabError> {
        // SAFETY: a live request (owned by self); the writes are serialised by the C lock (see
        // the Sync impl), and no view of the request is ever handed out, so none is invalidated.
        let sum = unsafe {
            sys::lab_native_s08_cross_thread_writes(
                self.0.as_raw().cast_mut(),
                name.as_ptr(),
                name.len(),
                value.as_ptr(),
                value.len(),
                writes,
            )
        };
        answer(sum, writes)
    }

    /// The value of header `name`, read under `&mut self` (no writer can run): tests read back.
    pub fn value(&mut self, name: &[u8]) -> Option<Vec<u8>> {
        self.0.header(name).ok().map(|v| v.as_bytes().to_vec())
    }
}

/// S09: `lab_headers_size` on a request the caller owns, no lifetime check.
#[inline]
pub fn s09_request_lifetime(req: &Request, iters: u64) -> Result<u64, LabError> {
    // SAFETY: a live request (borrowed); headers_size only reads it.
    answer(
        unsafe { sys::lab_native_s09_request_lifetime(req.as_raw(), iters) },
        iters,
    )
}

/// S13: `lab_stream_receive` into `buf` and the checksum of every byte received.
#[inline]
pub fn s13_ownership(stream: &mut Stream, buf: &mut BodyBuf, iters: u64) -> Result<u64, LabError> {
    // SAFETY: both are live and exclusively borrowed; buf.raw satisfies BodyBuf's invariant and
    // lab_stream_receive keeps it (it writes within the capacity or nothing); the host keeps no
    // pointer to either after the call.
    answer(
        unsafe { sys::lab_native_s13_ownership(stream.raw.as_ptr(), &mut buf.raw, iters) },
        iters,
    )
}

/// The C loops' answer as a `Result`: 0 after at least one iteration means the host refused the
/// work (lab.h); an empty batch sums to 0 legitimately.
fn answer(sum: u64, iters: u64) -> Result<u64, LabError> {
    if sum == 0 && iters > 0 {
        Err(LabError::InvalidData)
    } else {
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// S08's C lock excludes: four threads replacing one header 20 000 times each (every write
    /// frees the old header block and allocates the new one) leave a request whose header is one
    /// of the values written, and a checksum of every write.
    #[test]
    fn s08_lock_serialises_writers_on_one_request() {
        const WRITES: u64 = 20_000;
        let mut req = S08Request::new(Request::realistic(4, 1).unwrap());
        let values: Vec<Vec<u8>> = (0..4).map(|t| crate::payload(24 + t, t as u64)).collect();
        std::thread::scope(|s| {
            for v in &values {
                let req = &req;
                s.spawn(move || {
                    assert_eq!(
                        req.write(b"x-shared", v, WRITES),
                        Ok(crate::host::touch(v).wrapping_mul(WRITES))
                    );
                });
            }
        });
        let last = req.value(b"x-shared").expect("the header was written");
        assert!(values.contains(&last), "a torn value: {last:?}");
    }

    #[test]
    fn a_refused_native_loop_is_an_error_an_empty_one_is_not() {
        let req = Request::realistic(4, 1).unwrap();
        assert_eq!(
            s03_unknown_length(&req, b"x-absent", 3),
            Err(LabError::InvalidData)
        );
        assert_eq!(s03_unknown_length(&req, b"x-absent", 0), Ok(0));
        assert!(s03_unknown_length(&req, b":path", 3).unwrap() > 0);
    }
}
