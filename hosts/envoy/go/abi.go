package main

// The Envoy callbacks the module calls, each in two forms: under its own name, with the
// #cgo noescape and nocallback directives below (Envoy keeps no pointer it is given past the call
// and never calls back into Go during one, envoy_abi.h's lifetimes), and through a static inline
// wrapper named lab_escape_* without them. cgo applies the directives to a C function name, so
// the wrappers are the only way one package calls the same function both ways; the wrapper is
// inlined into cgo's stub, so the two forms differ only in what the Go compiler assumes: with
// noescape, the out-parameters and arrays a call is given stay on the goroutine's stack; without
// it they move to the heap, as every pointer given to C did before Go 1.24.

/*
#cgo CFLAGS: -I${SRCDIR}/../include -O2 -Wall -Wextra -Werror

#include <stdlib.h>
#include "envoy_abi.h"

#cgo noescape envoy_dynamic_module_callback_http_get_header
#cgo nocallback envoy_dynamic_module_callback_http_get_header
#cgo noescape envoy_dynamic_module_callback_http_get_headers_size
#cgo nocallback envoy_dynamic_module_callback_http_get_headers_size
#cgo noescape envoy_dynamic_module_callback_http_get_headers
#cgo nocallback envoy_dynamic_module_callback_http_get_headers
#cgo noescape envoy_dynamic_module_callback_http_set_header
#cgo nocallback envoy_dynamic_module_callback_http_set_header
#cgo noescape envoy_dynamic_module_callback_http_send_response
#cgo nocallback envoy_dynamic_module_callback_http_send_response

static inline bool lab_escape_get_header(envoy_dynamic_module_type_http_filter_envoy_ptr f,
                                         envoy_dynamic_module_type_http_header_type type,
                                         envoy_dynamic_module_type_module_buffer key,
                                         envoy_dynamic_module_type_envoy_buffer *result,
                                         size_t index, size_t *optional_size) {
  return envoy_dynamic_module_callback_http_get_header(f, type, key, result, index, optional_size);
}

static inline size_t lab_escape_get_headers_size(envoy_dynamic_module_type_http_filter_envoy_ptr f,
                                                 envoy_dynamic_module_type_http_header_type type) {
  return envoy_dynamic_module_callback_http_get_headers_size(f, type);
}

static inline bool lab_escape_get_headers(envoy_dynamic_module_type_http_filter_envoy_ptr f,
                                          envoy_dynamic_module_type_http_header_type type,
                                          envoy_dynamic_module_type_envoy_http_header *result) {
  return envoy_dynamic_module_callback_http_get_headers(f, type, result);
}

static inline bool lab_escape_set_header(envoy_dynamic_module_type_http_filter_envoy_ptr f,
                                         envoy_dynamic_module_type_http_header_type type,
                                         envoy_dynamic_module_type_module_buffer key,
                                         envoy_dynamic_module_type_module_buffer value) {
  return envoy_dynamic_module_callback_http_set_header(f, type, key, value);
}

static inline void lab_escape_send_response(envoy_dynamic_module_type_http_filter_envoy_ptr f,
                                            uint32_t status,
                                            envoy_dynamic_module_type_module_http_header *headers,
                                            size_t headers_size,
                                            envoy_dynamic_module_type_module_buffer body,
                                            envoy_dynamic_module_type_module_buffer details) {
  envoy_dynamic_module_callback_http_send_response(f, status, headers, headers_size, body, details);
}

// The module's configuration, in C memory: Envoy holds its pointer for the configuration's life,
// which a Go pointer may not be. Every stream of the configuration gets the same pointer back.
typedef struct lab_go_config {
  uint32_t filter;    // filter.Filter
  uint32_t access;    // filter.Access
  uint32_t no_escape; // 1: the callbacks under their own names, 0: the lab_escape_* wrappers
} lab_go_config;

static inline const char *lab_abi_version(void) { return LAB_ENVOY_ABI_VERSION; }
*/
import "C"

import (
	"runtime"
	"unsafe"

	"ffilab/envoygo/filter"
)

type (
	envoyFilter  = C.envoy_dynamic_module_type_http_filter_envoy_ptr
	headerType   = C.envoy_dynamic_module_type_http_header_type
	envoyBuffer  = C.envoy_dynamic_module_type_envoy_buffer
	envoyHeader  = C.envoy_dynamic_module_type_envoy_http_header
	moduleHeader = C.envoy_dynamic_module_type_module_http_header
	moduleBuffer = C.envoy_dynamic_module_type_module_buffer
)

const (
	requestHeaders  headerType = C.envoy_dynamic_module_type_http_header_type_RequestHeader
	responseHeaders headerType = C.envoy_dynamic_module_type_http_header_type_ResponseHeader
)

// config is what a configuration runs: its filter and strategy.
type config struct {
	filter   filter.Filter
	strategy filter.Strategy
}

// newConfig puts c into C memory for Envoy to hold (freeConfig releases it).
func newConfig(c config) unsafe.Pointer {
	p := (*C.lab_go_config)(C.malloc(C.size_t(unsafe.Sizeof(C.lab_go_config{}))))
	if p == nil {
		return nil
	}
	p.filter, p.access = C.uint32_t(c.filter), C.uint32_t(c.strategy.Access)
	p.no_escape = 0
	if c.strategy.NoEscape {
		p.no_escape = 1
	}
	return unsafe.Pointer(p)
}

func freeConfig(p unsafe.Pointer) { C.free(p) }

// configOf reads the configuration behind the pointer newConfig returned.
func configOf(p unsafe.Pointer) config {
	c := (*C.lab_go_config)(p)
	return config{filter.Filter(c.filter), filter.Strategy{Access: filter.Access(c.access), NoEscape: c.no_escape != 0}}
}

func abiVersion() *C.char { return C.lab_abi_version() }

// buf is a module buffer over s: Envoy reads it during the call only.
func buf(s string) moduleBuffer {
	return moduleBuffer{ptr: (*C.char)(unsafe.Pointer(unsafe.StringData(s))), length: C.size_t(len(s))}
}

// bytesOf is the bytes of an Envoy view, valid while the view is.
func bytesOf(p *C.char, n C.size_t) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)) }

// getHeader is one get_header of the first value of name (noescape form); ok is false when it
// is absent. Each form is a function of its own: a variable given to both would move to the heap
// for both.
func getHeader(f envoyFilter, t headerType, name string) (v envoyBuffer, ok bool) {
	r := C.envoy_dynamic_module_callback_http_get_header(f, t, buf(name), &v, 0, nil)
	return v, bool(r) && v.ptr != nil
}

// getHeaderEscape is getHeader through lab_escape_get_header.
func getHeaderEscape(f envoyFilter, t headerType, name string) (v envoyBuffer, ok bool) {
	r := C.lab_escape_get_header(f, t, buf(name), &v, 0, nil)
	return v, bool(r) && v.ptr != nil
}

// stackHeaders is how many views bulk_copy takes on the stack (more go to the heap): the
// documents' threshold, as go-reference's maxStackAllocedHeaderSize.
const stackHeaders = 16

// copyAll is bulk_copy's first access (noescape form): get_headers_size, get_headers into an
// array of views, then every key and value copied into a.
func copyAll(f envoyFilter, t headerType, a *filter.Arena) {
	var stack [stackHeaders]envoyHeader
	views := stack[:]
	if n := int(C.envoy_dynamic_module_callback_http_get_headers_size(f, t)); n > len(views) {
		views = make([]envoyHeader, n)
	} else {
		views = views[:n]
	}
	if len(views) > 0 && !C.envoy_dynamic_module_callback_http_get_headers(f, t, unsafe.SliceData(views)) {
		views = views[:0]
	}
	fill(a, views)
}

// copyAllEscape is copyAll through the lab_escape_* wrappers.
func copyAllEscape(f envoyFilter, t headerType, a *filter.Arena) {
	var stack [stackHeaders]envoyHeader
	views := stack[:]
	if n := int(C.lab_escape_get_headers_size(f, t)); n > len(views) {
		views = make([]envoyHeader, n)
	} else {
		views = views[:n]
	}
	if len(views) > 0 && !C.lab_escape_get_headers(f, t, unsafe.SliceData(views)) {
		views = views[:0]
	}
	fill(a, views)
}

// fill copies every header the views show into a, sized once for all of them.
func fill(a *filter.Arena, views []envoyHeader) {
	total := 0
	for i := range views {
		total += int(views[i].key_length) + int(views[i].value_length)
	}
	a.Reset(len(views), total)
	for i := range views {
		h := &views[i]
		a.Add(bytesOf(h.key_ptr, h.key_length), bytesOf(h.value_ptr, h.value_length))
	}
}

// setHeader is one set_header (Envoy copies name and value), in the form noEscape says: the
// buffers are passed by value, so neither form moves anything to the heap.
func setHeader(f envoyFilter, t headerType, name, value string, noEscape bool) {
	if noEscape {
		C.envoy_dynamic_module_callback_http_set_header(f, t, buf(name), buf(value))
	} else {
		C.lab_escape_set_header(f, t, buf(name), buf(value))
	}
}

// replyHeader is a local reply's one extra header. Its value may be Go heap memory inside a Go
// array handed to C, which cgo allows only pinned: pin holds it until the caller unpins.
func replyHeader(name, value string, pin *runtime.Pinner) moduleHeader {
	if len(value) > 0 {
		pin.Pin(unsafe.StringData(value))
	}
	return moduleHeader{
		key_ptr: (*C.char)(unsafe.Pointer(unsafe.StringData(name))), key_length: C.size_t(len(name)),
		value_ptr: (*C.char)(unsafe.Pointer(unsafe.StringData(value))), value_length: C.size_t(len(value)),
	}
}

// sendResponse is a local reply (noescape form) with one extra header, or none when name is empty.
func sendResponse(f envoyFilter, status uint32, name, value, body, details string) {
	var pin runtime.Pinner
	defer pin.Unpin()
	var headers [1]moduleHeader
	n := 0
	if name != "" {
		headers[0], n = replyHeader(name, value, &pin), 1
	}
	C.envoy_dynamic_module_callback_http_send_response(f, C.uint32_t(status), &headers[0], C.size_t(n), buf(body), buf(details))
}

// sendResponseEscape is sendResponse through lab_escape_send_response.
func sendResponseEscape(f envoyFilter, status uint32, name, value, body, details string) {
	var pin runtime.Pinner
	defer pin.Unpin()
	var headers [1]moduleHeader
	n := 0
	if name != "" {
		headers[0], n = replyHeader(name, value, &pin), 1
	}
	C.lab_escape_send_response(f, C.uint32_t(status), &headers[0], C.size_t(n), buf(body), buf(details))
}
