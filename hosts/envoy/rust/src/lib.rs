//! S16 `s16_envoy`: the lab's filters as a Rust dynamic module of Envoy 1.40
//! (`libffi_lab_envoy.so`), over the ABI declared in hosts/envoy/include/envoy_abi.h.
//!
//! Envoy loads it from `$ENVOY_DYNAMIC_MODULES_SEARCH_PATH/libffi_lab_envoy.so` for a
//! `envoy.filters.http.dynamic_modules` filter whose `dynamic_module_config.name` is
//! `ffi_lab_envoy`; `filter_name` selects the filter, `filter_config` (a string) the strategy:
//!
//! - filters: `basic_auth` (`Authorization: Basic`, the password's SHA-1 compared with the stored
//!   `{SHA}` hash as Envoy's C++ basic_auth filter does; 401 with `www-authenticate` otherwise),
//!   `header_get_set` (reads `:path`, `user-agent`, `x-request-id`, `accept` into the lab's
//!   checksum; sets `x-lab-seen`, `x-lab-route` on the request and `x-lab-response: rust` on the
//!   response), `panic` (panics on purpose: the stream gets a 500, Envoy keeps serving);
//! - strategies: `borrow`, `bulk_borrow`, `copy_per_header`, `bulk_copy` (access.rs).
//!
//! An unknown filter or strategy makes the config hook return null, so Envoy refuses the
//! configuration at start. Every exported hook runs under `catch_unwind`: a panic never unwinds
//! into Envoy's C++ (undefined behaviour); in the request-headers hook it becomes a local 500.

mod abi;
mod access;
mod filter;

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use abi::*;
use filter::{Config, Verdict};

/// Runs `f`, turning a panic into `fallback` (the panic message goes to stderr, Envoy's log).
fn guard<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Bytes Envoy passes to a hook (null → empty).
///
/// # Safety
/// `b.ptr` is null or points at `b.length` bytes valid during the hook.
unsafe fn bytes<'a>(b: &envoy_dynamic_module_type_envoy_buffer) -> &'a [u8] {
    if b.ptr.is_null() || b.length == 0 {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts(b.ptr.cast(), b.length) }
}

/// # Safety
/// `ptr` is null or a pointer `envoy_dynamic_module_on_http_filter_config_new` returned and Envoy
/// has not destroyed yet.
unsafe fn config<'a>(ptr: *const std::ffi::c_void) -> Option<&'a Config> {
    // SAFETY: the caller's contract: a live Box<Config> or null.
    unsafe { ptr.cast::<Config>().as_ref() }
}

/// Loads the module: installs the panic report, then answers the ABI version (a static,
/// NUL-terminated by bindgen's byte string).
#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_program_init() -> *const c_char {
    // One line per panic on stderr (Envoy's log), never a backtrace: the panic filter's panics
    // are the expected case under load, and symbolising a backtrace for each would cost more
    // than the request. The hook is this module's: its Rust runtime is its own.
    guard((), || {
        std::panic::set_hook(Box::new(|info| eprintln!("ffi_lab_envoy: {info}")));
    });
    LAB_ENVOY_ABI_VERSION.as_ptr().cast()
}

/// # Safety
/// Envoy calls it with the pointers envoy_abi.h describes for this hook.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_config_new(
    _envoy: envoy_dynamic_module_type_http_filter_config_envoy_ptr,
    name: envoy_dynamic_module_type_envoy_buffer,
    config: envoy_dynamic_module_type_envoy_buffer,
) -> envoy_dynamic_module_type_http_filter_config_module_ptr {
    guard(ptr::null(), || {
        // SAFETY: Envoy passes the filter's name and configuration, valid during this call.
        let (name, strategy) = unsafe { (bytes(&name), bytes(&config)) };
        match Config::parse(name, strategy) {
            Some(c) => Box::into_raw(Box::new(c)) as *const _,
            None => {
                eprintln!(
                    "ffi_lab_envoy: unknown filter {:?} or strategy {:?} (filters: basic_auth, header_get_set, panic; strategies: borrow, bulk_borrow, copy_per_header, bulk_copy)",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(strategy)
                );
                ptr::null()
            }
        }
    })
}

/// # Safety
/// Envoy calls it with the pointers envoy_abi.h describes for this hook.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_config_destroy(
    config: envoy_dynamic_module_type_http_filter_config_module_ptr,
) {
    guard((), || {
        if !config.is_null() {
            // SAFETY: config is the Box<Config> config_new leaked; Envoy destroys it once.
            drop(unsafe { Box::from_raw(config as *mut Config) });
        }
    })
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_new(
    config: envoy_dynamic_module_type_http_filter_config_module_ptr,
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
) -> envoy_dynamic_module_type_http_filter_module_ptr {
    // The filters keep no per-stream state: a stream's module pointer is its configuration,
    // which outlives every stream it creates.
    config
}

/// # Safety
/// Envoy calls it with the pointers envoy_abi.h describes for this hook.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_request_headers(
    envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    module: envoy_dynamic_module_type_http_filter_module_ptr,
    _end_of_stream: bool,
) -> envoy_dynamic_module_type_on_http_filter_request_headers_status {
    const CONTINUE: envoy_dynamic_module_type_on_http_filter_request_headers_status =
        envoy_dynamic_module_type_on_http_filter_request_headers_status_Continue;
    const STOP: envoy_dynamic_module_type_on_http_filter_request_headers_status =
        envoy_dynamic_module_type_on_http_filter_request_headers_status_StopIteration;
    // SAFETY: module is the configuration (filter_new), alive while its streams are.
    let Some(config) = (unsafe { config(module) }) else {
        return CONTINUE;
    };
    // SAFETY: envoy is this hook's filter; the Stream is used only within this hook.
    let stream = unsafe { Stream::new(envoy) };
    match catch_unwind(AssertUnwindSafe(|| {
        filter::on_request_headers(config, stream)
    })) {
        Ok(Verdict::Continue) => CONTINUE,
        Ok(Verdict::Replied) => STOP,
        Err(_) => {
            // A panic: answer 500 (the reply itself must not unwind into Envoy).
            guard((), || {
                stream.send_response(500, &[], b"ffi_lab_envoy_panic")
            });
            STOP
        }
    }
}

/// # Safety
/// Envoy calls it with the pointers envoy_abi.h describes for this hook.
#[no_mangle]
pub unsafe extern "C" fn envoy_dynamic_module_on_http_filter_response_headers(
    envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    module: envoy_dynamic_module_type_http_filter_module_ptr,
    _end_of_stream: bool,
) -> envoy_dynamic_module_type_on_http_filter_response_headers_status {
    guard((), || {
        // SAFETY: as in the request-headers hook.
        if let Some(config) = unsafe { config(module) } {
            // SAFETY: envoy is this hook's filter; the Stream is used only within this hook.
            filter::on_response_headers(config, unsafe { Stream::new(envoy) });
        }
    });
    envoy_dynamic_module_type_on_http_filter_response_headers_status_Continue
}

// The hooks Envoy requires of every HTTP filter module but the lab's filters do nothing in: they
// let the stream go on. They hold no code that can panic.

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_request_body(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _end_of_stream: bool,
) -> envoy_dynamic_module_type_on_http_filter_request_body_status {
    envoy_dynamic_module_type_on_http_filter_request_body_status_Continue
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_request_trailers(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
) -> envoy_dynamic_module_type_on_http_filter_request_trailers_status {
    envoy_dynamic_module_type_on_http_filter_request_trailers_status_Continue
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_response_body(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _end_of_stream: bool,
) -> envoy_dynamic_module_type_on_http_filter_response_body_status {
    envoy_dynamic_module_type_on_http_filter_response_body_status_Continue
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_response_trailers(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
) -> envoy_dynamic_module_type_on_http_filter_response_trailers_status {
    envoy_dynamic_module_type_on_http_filter_response_trailers_status_Continue
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_stream_complete(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_destroy(
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
) {
    // The stream's module pointer is its configuration, released by config_destroy.
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_http_callout_done(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _callout_id: u64,
    _result: envoy_dynamic_module_type_http_callout_result,
    _headers: *mut envoy_dynamic_module_type_envoy_http_header,
    _headers_size: usize,
    _body_chunks: *mut envoy_dynamic_module_type_envoy_buffer,
    _body_chunks_size: usize,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_headers(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _stream_id: u64,
    _headers: *mut envoy_dynamic_module_type_envoy_http_header,
    _headers_size: usize,
    _end_stream: bool,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_data(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _stream_id: u64,
    _data: *const envoy_dynamic_module_type_envoy_buffer,
    _data_count: usize,
    _end_stream: bool,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_trailers(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _stream_id: u64,
    _trailers: *mut envoy_dynamic_module_type_envoy_http_header,
    _trailers_size: usize,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_complete(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _stream_id: u64,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_reset(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _stream_id: u64,
    _reason: envoy_dynamic_module_type_http_stream_reset_reason,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_scheduled(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
    _event_id: u64,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
) {
}

#[no_mangle]
pub extern "C" fn envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark(
    _envoy: envoy_dynamic_module_type_http_filter_envoy_ptr,
    _module: envoy_dynamic_module_type_http_filter_module_ptr,
) {
}
