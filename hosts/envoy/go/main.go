// Command envoygo is the lab's Go dynamic module for Envoy 1.40 (S16), `ffi_lab_envoy_go`: a
// -buildmode=c-shared library (libffi_lab_envoy_go.so, built by ./build) exporting the event
// hooks of hosts/envoy/include/envoy_abi.h, the lab's declaration of Envoy's ABI, through cgo, as
// the documents' Go filter reaches Envoy. Envoy loads it by name from
// $ENVOY_DYNAMIC_MODULES_SEARCH_PATH with do_not_close: true (the Go runtime cannot be unloaded).
//
// The dynamic_modules filter's filter_name is the lab's filter (package filter): basic_auth,
// header_get_set or panic. Its filter_config is the strategy by which the filter reads the
// request headers:
//
//	copy              get_header per read, the value copied into Go memory (C.GoStringN)
//	view              get_header per read, unsafe.String over Envoy's bytes, valid in the hook
//	bulk_copy         get_headers_size + get_headers at the first read, every header copied
//	                  into one Go arena, reads looked up there
//	copy_escape       copy, the callbacks without #cgo noescape/nocallback
//	view_escape       view, likewise
//	bulk_copy_escape  bulk_copy, likewise
//
// Every strategy writes with set_header and answers with send_response, in its directive form
// (abi.go). An unknown filter name or strategy makes ..._config_new return null, and Envoy
// refuses the configuration at start. Every exported hook runs under a deferred recover: a panic
// in the request-headers hook answers 500 with a local reply, one elsewhere lets the stream go
// on; none unwinds into Envoy, which would end the process.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include

#include "envoy_abi.h"

// cgo drops const from the prototypes it writes into _cgo_export.h, which must match
// envoy_abi.h's declarations (both are in the same translation unit, so a mismatch fails the
// build): these typedefs carry the const through.
typedef const char *lab_const_char_ptr;
typedef const envoy_dynamic_module_type_envoy_buffer lab_const_envoy_buffer;
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"unsafe"

	"ffilab/envoygo/filter"
)

func main() {} // required by -buildmode=c-shared, never run

// panicsCaught counts the panics the hooks recovered.
var panicsCaught atomic.Uint64

// checksum keeps header_get_set's checksums observable, so no read is optimised away.
var checksum atomic.Uint64

// recovered is the deferred guard of the hooks that have nothing to answer: it stops a panic
// from reaching Envoy. It must be deferred itself (`defer recovered()`): recover stops a panic
// only when the deferred function calls it.
func recovered() {
	if recover() != nil {
		panicsCaught.Add(1)
	}
}

// reply is a local reply in strategy s's form.
func reply(s filter.Strategy, f envoyFilter, status uint32, name, value, body, details string) {
	if s.NoEscape {
		sendResponse(f, status, name, value, body, details)
	} else {
		sendResponseEscape(f, status, name, value, body, details)
	}
}

//export envoy_dynamic_module_on_program_init
func envoy_dynamic_module_on_program_init() (v C.lab_const_char_ptr) {
	defer func() {
		if recover() != nil {
			v = nil
		}
	}()
	return C.lab_const_char_ptr(abiVersion())
}

//export envoy_dynamic_module_on_http_filter_config_new
func envoy_dynamic_module_on_http_filter_config_new(
	envoyConfig C.envoy_dynamic_module_type_http_filter_config_envoy_ptr,
	name, strategy C.envoy_dynamic_module_type_envoy_buffer,
) (p C.envoy_dynamic_module_type_http_filter_config_module_ptr) {
	defer func() {
		if recover() != nil {
			p = nil
		}
	}()
	// Envoy's own line for a null return says only "Failed to initialize dynamic module"; the
	// module's line on stderr (where Envoy logs) says which name was wrong.
	filterName := string(bytesOf(name.ptr, name.length))
	f, ok := filter.ParseFilter(filterName)
	if !ok {
		fmt.Fprintf(os.Stderr, "ffi_lab_envoy_go: unknown filter_name %q (basic_auth, header_get_set or panic)\n", filterName)
		return nil
	}
	strategyName := string(bytesOf(strategy.ptr, strategy.length))
	s, ok := filter.ParseStrategy(strategyName)
	if !ok {
		fmt.Fprintf(os.Stderr, "ffi_lab_envoy_go: unknown strategy (filter_config) %q (%s)\n", strategyName, strings.Join(filter.Strategies, ", "))
		return nil
	}
	return C.envoy_dynamic_module_type_http_filter_config_module_ptr(newConfig(config{f, s}))
}

//export envoy_dynamic_module_on_http_filter_config_destroy
func envoy_dynamic_module_on_http_filter_config_destroy(p C.envoy_dynamic_module_type_http_filter_config_module_ptr) {
	defer recovered()
	freeConfig(unsafe.Pointer(p))
}

// The filters keep no state across hooks, so a stream's filter is its configuration.
//
//export envoy_dynamic_module_on_http_filter_new
func envoy_dynamic_module_on_http_filter_new(
	p C.envoy_dynamic_module_type_http_filter_config_module_ptr,
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr,
) C.envoy_dynamic_module_type_http_filter_module_ptr {
	defer recovered()
	return C.envoy_dynamic_module_type_http_filter_module_ptr(p)
}

//export envoy_dynamic_module_on_http_filter_request_headers
func envoy_dynamic_module_on_http_filter_request_headers(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr,
	p C.envoy_dynamic_module_type_http_filter_module_ptr,
	endOfStream C.bool,
) (status C.envoy_dynamic_module_type_on_http_filter_request_headers_status) {
	c := configOf(unsafe.Pointer(p))
	defer func() {
		if recover() != nil { // recover works only called by the deferred function itself
			panicsCaught.Add(1)
			reply(c.strategy, f, 500, "", "", "", "ffi_lab_go_panic")
			status = C.envoy_dynamic_module_type_on_http_filter_request_headers_status_StopIteration
		}
	}()
	switch c.filter {
	case filter.BasicAuth:
		h := requestHeadersOf(f, c.strategy)
		if d := filter.CheckBasicAuth(h); d != filter.Allowed {
			reply(c.strategy, f, 401, "www-authenticate", filter.Challenge(h), d.Body(), d.Details())
			return C.envoy_dynamic_module_type_on_http_filter_request_headers_status_StopIteration
		}
	case filter.HeaderGetSet:
		checksum.Store(filter.GetSetRead(requestHeadersOf(f, c.strategy)))
		for _, kv := range filter.GetSetRequestSets {
			setHeader(f, requestHeaders, kv[0], kv[1], c.strategy.NoEscape)
		}
	case filter.Panic:
		panic("ffi_lab_envoy_go: the panic filter")
	}
	return C.envoy_dynamic_module_type_on_http_filter_request_headers_status_Continue
}

//export envoy_dynamic_module_on_http_filter_response_headers
func envoy_dynamic_module_on_http_filter_response_headers(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr,
	p C.envoy_dynamic_module_type_http_filter_module_ptr,
	endOfStream C.bool,
) C.envoy_dynamic_module_type_on_http_filter_response_headers_status {
	defer recovered()
	if c := configOf(unsafe.Pointer(p)); c.filter == filter.HeaderGetSet {
		kv := filter.GetSetResponseSet
		setHeader(f, responseHeaders, kv[0], kv[1], c.strategy.NoEscape)
	}
	return C.envoy_dynamic_module_type_on_http_filter_response_headers_status_Continue
}

// The remaining hooks Envoy requires; the lab's filters do nothing in them.

//export envoy_dynamic_module_on_http_filter_request_body
func envoy_dynamic_module_on_http_filter_request_body(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr, endOfStream C.bool,
) C.envoy_dynamic_module_type_on_http_filter_request_body_status {
	defer recovered()
	return C.envoy_dynamic_module_type_on_http_filter_request_body_status_Continue
}

//export envoy_dynamic_module_on_http_filter_request_trailers
func envoy_dynamic_module_on_http_filter_request_trailers(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
) C.envoy_dynamic_module_type_on_http_filter_request_trailers_status {
	defer recovered()
	return C.envoy_dynamic_module_type_on_http_filter_request_trailers_status_Continue
}

//export envoy_dynamic_module_on_http_filter_response_body
func envoy_dynamic_module_on_http_filter_response_body(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr, endOfStream C.bool,
) C.envoy_dynamic_module_type_on_http_filter_response_body_status {
	defer recovered()
	return C.envoy_dynamic_module_type_on_http_filter_response_body_status_Continue
}

//export envoy_dynamic_module_on_http_filter_response_trailers
func envoy_dynamic_module_on_http_filter_response_trailers(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
) C.envoy_dynamic_module_type_on_http_filter_response_trailers_status {
	defer recovered()
	return C.envoy_dynamic_module_type_on_http_filter_response_trailers_status_Continue
}

//export envoy_dynamic_module_on_http_filter_stream_complete
func envoy_dynamic_module_on_http_filter_stream_complete(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
) {
	defer recovered()
}

// The stream's filter is its configuration (..._filter_new): nothing to release.
//
//export envoy_dynamic_module_on_http_filter_destroy
func envoy_dynamic_module_on_http_filter_destroy(p C.envoy_dynamic_module_type_http_filter_module_ptr) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_http_callout_done
func envoy_dynamic_module_on_http_filter_http_callout_done(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
	id C.uint64_t, result C.envoy_dynamic_module_type_http_callout_result,
	headers *C.envoy_dynamic_module_type_envoy_http_header, headersSize C.size_t,
	chunks *C.envoy_dynamic_module_type_envoy_buffer, chunksSize C.size_t,
) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_http_stream_headers
func envoy_dynamic_module_on_http_filter_http_stream_headers(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
	id C.uint64_t, headers *C.envoy_dynamic_module_type_envoy_http_header, headersSize C.size_t, endOfStream C.bool,
) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_http_stream_data
func envoy_dynamic_module_on_http_filter_http_stream_data(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
	id C.uint64_t, chunks *C.lab_const_envoy_buffer, chunksSize C.size_t, endOfStream C.bool,
) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_http_stream_trailers
func envoy_dynamic_module_on_http_filter_http_stream_trailers(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
	id C.uint64_t, headers *C.envoy_dynamic_module_type_envoy_http_header, headersSize C.size_t,
) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_http_stream_complete
func envoy_dynamic_module_on_http_filter_http_stream_complete(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr, id C.uint64_t,
) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_http_stream_reset
func envoy_dynamic_module_on_http_filter_http_stream_reset(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
	id C.uint64_t, reason C.envoy_dynamic_module_type_http_stream_reset_reason,
) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_scheduled
func envoy_dynamic_module_on_http_filter_scheduled(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr, id C.uint64_t,
) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark
func envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
) {
	defer recovered()
}

//export envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark
func envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark(
	f C.envoy_dynamic_module_type_http_filter_envoy_ptr, p C.envoy_dynamic_module_type_http_filter_module_ptr,
) {
	defer recovered()
}
