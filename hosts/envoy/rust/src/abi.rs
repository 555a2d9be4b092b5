//! Envoy's ABI as the lab declares it (bindgen of hosts/envoy/include/envoy_abi.h) and safe
//! wrappers of the callbacks the filters call, valid inside one stream's hook.

#![allow(non_camel_case_types, non_upper_case_globals, dead_code)]

include!(concat!(env!("OUT_DIR"), "/envoy_abi.rs"));

use std::marker::PhantomData;

/// Envoy's per-stream filter during one hook: the lifetime `'h` is the hook's, which bounds every
/// view Envoy hands out (its header bytes stay valid until the hook returns, and the lab never
/// reads a view after changing that map).
#[derive(Clone, Copy)]
pub struct Stream<'h> {
    envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    hook: PhantomData<&'h ()>,
}

/// A module-owned buffer for the duration of a call.
fn module_buffer(bytes: &[u8]) -> envoy_dynamic_module_type_module_buffer {
    envoy_dynamic_module_type_module_buffer {
        ptr: bytes.as_ptr().cast(),
        length: bytes.len(),
    }
}

/// Bytes Envoy hands out; None for a null pointer (an absent header).
///
/// # Safety
/// `ptr` is null or points at `len` readable bytes that stay valid for `'h`.
unsafe fn envoy_bytes<'h>(ptr: *const std::ffi::c_char, len: usize) -> Option<&'h [u8]> {
    if ptr.is_null() {
        return None;
    }
    if len == 0 {
        return Some(&[]);
    }
    // SAFETY: the caller's contract.
    Some(unsafe { std::slice::from_raw_parts(ptr.cast(), len) })
}

impl<'h> Stream<'h> {
    /// # Safety
    /// `envoy` is the filter pointer Envoy passed to the running hook, and the value is used only
    /// until that hook returns.
    pub unsafe fn new(envoy: envoy_dynamic_module_type_http_filter_envoy_ptr) -> Stream<'h> {
        Stream {
            envoy,
            hook: PhantomData,
        }
    }

    /// The first value of request header `key` (lower case), a view into Envoy's map.
    pub fn request_header(&self, key: &[u8]) -> Option<&'h [u8]> {
        let mut out = envoy_dynamic_module_type_envoy_buffer {
            ptr: std::ptr::null(),
            length: 0,
        };
        // SAFETY: self.envoy is the running hook's filter; key and out live across the call;
        // optional_size may be null.
        let ok = unsafe {
            envoy_dynamic_module_callback_http_get_header(
                self.envoy,
                envoy_dynamic_module_type_http_header_type_RequestHeader,
                module_buffer(key),
                &mut out,
                0,
                std::ptr::null_mut(),
            )
        };
        if !ok {
            return None;
        }
        // SAFETY: Envoy set out to null or to a value in its map, valid until the hook returns.
        unsafe { envoy_bytes(out.ptr, out.length) }
    }

    /// How many entries the request header map holds.
    pub fn request_headers_len(&self) -> usize {
        // SAFETY: self.envoy is the running hook's filter.
        unsafe {
            envoy_dynamic_module_callback_http_get_headers_size(
                self.envoy,
                envoy_dynamic_module_type_http_header_type_RequestHeader,
            )
        }
    }

    /// Views of every request header, written into `out` (at most `out.len()` are requested:
    /// the caller sized it with `request_headers_len`). Returns the filled prefix.
    pub fn request_headers<'o>(
        &self,
        out: &'o mut [envoy_dynamic_module_type_envoy_http_header],
    ) -> &'o [envoy_dynamic_module_type_envoy_http_header] {
        if out.is_empty() || out.len() < self.request_headers_len() {
            return &[];
        }
        // SAFETY: out holds at least as many entries as the map (checked just above, and nothing
        // changes the map in between); Envoy writes views valid until the hook returns.
        let ok = unsafe {
            envoy_dynamic_module_callback_http_get_headers(
                self.envoy,
                envoy_dynamic_module_type_http_header_type_RequestHeader,
                out.as_mut_ptr(),
            )
        };
        if ok {
            let n = out.len().min(self.request_headers_len());
            &out[..n]
        } else {
            &[]
        }
    }

    /// Sets header `key` to `value` in map `which` (Envoy copies both).
    pub fn set_header(
        &self,
        which: envoy_dynamic_module_type_http_header_type,
        key: &[u8],
        value: &[u8],
    ) -> bool {
        // SAFETY: self.envoy is the running hook's filter; both buffers live across the call.
        unsafe {
            envoy_dynamic_module_callback_http_set_header(
                self.envoy,
                which,
                module_buffer(key),
                module_buffer(value),
            )
        }
    }

    /// Answers locally with `status`, the headers `headers` (the first four) and an empty body.
    pub fn send_response(&self, status: u32, headers: &[(&[u8], &[u8])], details: &[u8]) {
        const MAX: usize = 4;
        let empty = envoy_dynamic_module_type_module_http_header {
            key_ptr: std::ptr::null(),
            key_length: 0,
            value_ptr: std::ptr::null(),
            value_length: 0,
        };
        let mut vector = [empty; MAX];
        let n = headers.len().min(MAX);
        for (slot, (k, v)) in vector.iter_mut().zip(headers) {
            *slot = envoy_dynamic_module_type_module_http_header {
                key_ptr: k.as_ptr().cast(),
                key_length: k.len(),
                value_ptr: v.as_ptr().cast(),
                value_length: v.len(),
            };
        }
        // SAFETY: self.envoy is the running hook's filter; the vector and the buffers it points
        // at live across the call, which copies them.
        unsafe {
            envoy_dynamic_module_callback_http_send_response(
                self.envoy,
                status,
                vector.as_mut_ptr(),
                n,
                module_buffer(b""),
                module_buffer(details),
            )
        }
    }
}

/// A header view's key and value as slices (None for a null key).
pub fn header_view<'h>(
    h: &envoy_dynamic_module_type_envoy_http_header,
) -> Option<(&'h [u8], &'h [u8])> {
    // SAFETY: Envoy filled h during the running hook ('h); its buffers stay valid until it returns.
    unsafe {
        Some((
            envoy_bytes(h.key_ptr, h.key_length)?,
            envoy_bytes(h.value_ptr, h.value_length).unwrap_or(&[]),
        ))
    }
}
