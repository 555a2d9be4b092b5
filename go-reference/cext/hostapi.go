package main

// The host API table as Go sees it. Go cannot call a C function pointer, so each entry of
// lab_host_api is called through a static inline C helper below (one cgo call per host call, as
// for any C function). The helpers are noescape and nocallback (noescape.go, Go 1.24 and later):
// the host keeps no pointer it is given (lab.h's conventions) and never calls back into Go, so
// out-parameters and the stack arrays of views stay on the goroutine stack.

/*
// The code generation flags are exports.go's (cgo applies them package-wide).
#cgo CFLAGS: -I${SRCDIR}/../../c-harness/include

#include "lab.h"

static inline lab_status call_header_get(const lab_host_api *api, lab_handle h, const uint8_t *name,
                                         size_t name_len, lab_str *value) {
  return api->header_get != NULL ? api->header_get(h, name, name_len, value) : LAB_ERR_UNSUPPORTED;
}

static inline lab_status call_headers_view_all(const lab_host_api *api, lab_handle h,
                                               lab_header *views, size_t cap, size_t *count) {
  return api->headers_view_all != NULL ? api->headers_view_all(h, views, cap, count)
                                       : LAB_ERR_UNSUPPORTED;
}

static inline lab_status call_headers_copy_all(const lab_host_api *api, lab_handle h, uint8_t *buf,
                                               size_t buf_cap, lab_header *views, size_t views_cap,
                                               size_t *count, size_t *bytes) {
  return api->headers_copy_all != NULL
             ? api->headers_copy_all(h, buf, buf_cap, views, views_cap, count, bytes)
             : LAB_ERR_UNSUPPORTED;
}

static inline lab_status call_header_set(const lab_host_api *api, lab_handle h, const uint8_t *name,
                                         size_t name_len, const uint8_t *value, size_t value_len) {
  return api->header_set != NULL ? api->header_set(h, name, name_len, value, value_len)
                                 : LAB_ERR_UNSUPPORTED;
}

static inline lab_status call_body_get(const lab_host_api *api, lab_handle h, lab_str *body) {
  return api->body_get != NULL ? api->body_get(h, body) : LAB_ERR_UNSUPPORTED;
}

static inline lab_status call_send_local_reply(const lab_host_api *api, lab_handle h,
                                               uint32_t status_code, const uint8_t *body,
                                               size_t body_len) {
  return api->send_local_reply != NULL ? api->send_local_reply(h, status_code, body, body_len)
                                       : LAB_ERR_UNSUPPORTED;
}
*/
import "C"

import "unsafe"

// status is a lab_status; statusOK is LAB_OK.
type status = C.lab_status

const (
	statusOK          status = C.LAB_OK
	statusNull        status = C.LAB_ERR_NULL
	statusNotFound    status = C.LAB_ERR_NOT_FOUND
	statusCapacity    status = C.LAB_ERR_CAPACITY
	statusNomem       status = C.LAB_ERR_NOMEM
	statusPanic       status = C.LAB_ERR_PANIC
	statusABI         status = C.LAB_ERR_ABI
	statusUnsupported status = C.LAB_ERR_UNSUPPORTED
)

// The lab_filter and lab_access values, as the entry's uint32 fields hold them.
const (
	filterNothing      = uint32(C.LAB_FILTER_NOTHING)
	filterOneHeader    = uint32(C.LAB_FILTER_ONE_HEADER)
	filterAllHeaders   = uint32(C.LAB_FILTER_ALL_HEADERS)
	filterBody         = uint32(C.LAB_FILTER_BODY)
	filterBasicAuth    = uint32(C.LAB_FILTER_BASIC_AUTH)
	filterHeaderGetSet = uint32(C.LAB_FILTER_HEADER_GET_SET)
	filterCloneAll     = uint32(C.LAB_FILTER_CLONE_ALL)
	filterPanic        = uint32(C.LAB_FILTER_PANIC)

	accessEager         = uint32(C.LAB_ACCESS_EAGER)
	accessLazy          = uint32(C.LAB_ACCESS_LAZY)
	accessPerHeaderCall = uint32(C.LAB_ACCESS_PER_HEADER_CALL)
	accessBulkCopy      = uint32(C.LAB_ACCESS_BULK_COPY)
	accessBulkBorrow    = uint32(C.LAB_ACCESS_BULK_BORROW)
)

// header is lab_header: two views, into host memory (bulk_borrow) or Go memory (copies).
type header = C.lab_header

// callback is one callback of one request: the host table and the entry it was called with.
type callback struct {
	api   *C.lab_host_api
	entry *C.lab_entry
}

func (cb callback) handle() C.lab_handle { return cb.entry.request }
func (cb callback) access() uint32       { return uint32(cb.entry.access) }
func (cb callback) filter() uint32       { return uint32(cb.entry.filter) }

// bytesOf is a []byte over a view: host memory, valid until the request ends or the header is
// written (by discipline: Go has no lifetime to tie it to the callback).
func bytesOf(s C.lab_str) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(s.ptr)), int(s.len))
}

func strPtr(s string) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s))) }

// header returns one header's value, borrowed from the host.
func (cb callback) header(name string) ([]byte, status) {
	var v C.lab_str
	st := C.call_header_get(cb.api, cb.handle(), strPtr(name), C.size_t(len(name)), &v)
	if st != statusOK {
		return nil, st
	}
	return bytesOf(v), statusOK
}

// viewAll fills views (len = capacity) with borrowed views of every header.
func (cb callback) viewAll(views []header) ([]header, status) {
	var count C.size_t
	st := C.call_headers_view_all(cb.api, cb.handle(), unsafe.SliceData(views), C.size_t(len(views)), &count)
	if st != statusOK {
		return nil, st
	}
	return views[:count], statusOK
}

// copyAll copies every header into buf, with views into it.
func (cb callback) copyAll(buf []byte, views []header) ([]header, status) {
	var count, size C.size_t
	st := C.call_headers_copy_all(cb.api, cb.handle(), (*C.uint8_t)(unsafe.SliceData(buf)), C.size_t(len(buf)),
		unsafe.SliceData(views), C.size_t(len(views)), &count, &size)
	if st != statusOK {
		return nil, st
	}
	return views[:count], statusOK
}

// body returns the request body, borrowed from the host.
func (cb callback) body() ([]byte, status) {
	var b C.lab_str
	st := C.call_body_get(cb.api, cb.handle(), &b)
	if st != statusOK {
		return nil, st
	}
	return bytesOf(b), statusOK
}

func (cb callback) setHeader(name, value string) status {
	return C.call_header_set(cb.api, cb.handle(), strPtr(name), C.size_t(len(name)), strPtr(value), C.size_t(len(value)))
}

func (cb callback) sendLocalReply(code uint32, body string) status {
	return C.call_send_local_reply(cb.api, cb.handle(), C.uint32_t(code), strPtr(body), C.size_t(len(body)))
}

// pushed returns what the host pushed on entry (eager): every header and the body, borrowed for
// the duration of the call.
func (cb callback) pushed() ([]header, []byte, status) {
	e := cb.entry
	if (e.headers == nil && e.header_count > 0) || (e.body == nil && e.body_len > 0) {
		return nil, nil, statusNull
	}
	var hs []header
	if e.header_count > 0 {
		hs = unsafe.Slice(e.headers, int(e.header_count))
	}
	var body []byte
	if e.body_len > 0 {
		body = unsafe.Slice((*byte)(unsafe.Pointer(e.body)), int(e.body_len))
	}
	return hs, body, statusOK
}

// viewsInto is a lab_header of views into Go memory: buf[at:at+n] and buf[at+n:at+n+v].
func viewsInto(buf []byte, at, n, v int) header {
	var h header
	h.name.ptr = (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(buf[at:])))
	h.name.len = C.size_t(n)
	h.value.ptr = (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(buf[at+n:])))
	h.value.len = C.size_t(v)
	return h
}
