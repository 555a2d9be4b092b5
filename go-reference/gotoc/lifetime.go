//go:build go1.24

package gotoc

// S09 (FINDINGS.md, request lifetime) in Go: its owner is freed by runtime.AddCleanup and
// upgraded through weak.Pointer, both Go 1.24, so this file (and its benchmark and tests) is
// Go 1.24's: an older toolchain of go-reference/toolchains builds the package without S09.

/*
#include "lab.h"

// S09 generation_handle: Go cannot call a C function pointer, so this trampoline calls the host
// table's headers_size for it (the table is fetched once, at setup, as an extension gets it at
// init).
static lab_status table_headers_size(const lab_host_api *api, lab_handle h, size_t *count,
                                     size_t *bytes) {
  return api->headers_size(h, count, bytes);
}
*/
import "C"

import (
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"
	"weak"
)

// ---------------------------------------------------------------------------------------------
// S09 request lifetime
// ---------------------------------------------------------------------------------------------

// Threads is Rust's s09 THREADS.
var Threads = []int{1, 2}

const lifetimeHeaders = 16

// RequestOwner is the Go object that owns a host request (weak_upgrade's target).
//
// Ownership: the request is freed by a cleanup (runtime.AddCleanup) once the owner is
// unreachable, so a goroutine that upgraded its weak pointer holds the owner, and with it the
// request, alive through its call: the garbage collector plays Arc's strong count, and no call
// can read freed memory. An explicit Close that freed the request would break that (a goroutine
// that upgraded just before could still be inside the request).
//
// But a weak.Pointer only answers nil after a collection finds the owner unreachable, and a
// collection that runs while a goroutine is inside a call sees the owner on its stack: with a
// goroutine calling in a loop, dropping the strong reference and running runtime.GC() did not
// expire the pointer (TestRequestDestroyedUnderCalls hung for 10 minutes, and nothing allocated
// to trigger another collection). So destroy also sets `destroyed`, which every upgrade checks
// after Value(): the request is destroyed at once for callers, and its memory goes back at the
// first collection after the last call out (Rust's Arc frees it at the last call out).
type RequestOwner struct {
	req       *C.lab_request
	destroyed atomic.Bool
}

func newOwner(req *C.lab_request) *RequestOwner {
	o := &RequestOwner{req: req}
	runtime.AddCleanup(o, func(r *C.lab_request) { C.lab_request_free(r) }, req)
	return o
}

// Lifetime is S09's input, Rust's s09 Input: the owner (the strong reference, which the host
// side holds), a weak pointer to it, and a request of the same shape in the host's handle
// registry with the host API table.
type Lifetime struct {
	owner  *RequestOwner
	weak   weak.Pointer[RequestOwner]
	handle C.lab_handle
	api    *C.lab_host_api
}

func NewLifetime() (*Lifetime, error) {
	a := C.lab_request_new_realistic(lifetimeHeaders, 9)
	b := C.lab_request_new_realistic(lifetimeHeaders, 9)
	if a == nil || b == nil {
		C.lab_request_free(a)
		C.lab_request_free(b)
		return nil, fmt.Errorf("lab_request_new_realistic: out of memory")
	}
	h := C.lab_handle_register(b)
	if h == 0 {
		C.lab_request_free(a)
		C.lab_request_free(b)
		return nil, fmt.Errorf("lab_handle_register: registry full")
	}
	o := newOwner(a)
	return &Lifetime{owner: o, weak: weak.Make(o), handle: h, api: C.lab_host_api_get()}, nil
}

// Destroy is Envoy's onDestroy, Rust's Input::destroy: the host side marks the owner destroyed,
// drops its strong reference and destroys the handle; every later call gets ErrBadHandle. The
// weak_upgrade request's memory goes back when its cleanup runs, after a collection.
func (l *Lifetime) Destroy() error {
	if l.owner != nil {
		l.owner.destroyed.Store(true)
		l.owner = nil
	}
	return check("lab_handle_destroy", C.lab_handle_destroy(l.handle))
}

// Free releases both requests (already destroyed is fine).
func (l *Lifetime) Free() { _ = l.Destroy() }

// RealisticHeaders copies every (name, value) of lab_request_new_realistic(n, seed), for tests
// that compute an expected result from the host's data.
func RealisticHeaders(n int, seed uint64) ([][2][]byte, error) {
	req := C.lab_request_new_realistic(C.size_t(n), C.uint64_t(seed))
	if req == nil {
		return nil, fmt.Errorf("lab_request_new_realistic: out of memory")
	}
	defer C.lab_request_free(req)
	views := make([]C.lab_header, n+8)
	var count C.size_t
	if err := check("lab_headers_view_all", C.lab_headers_view_all(req, unsafe.SliceData(views), C.size_t(len(views)), &count)); err != nil {
		return nil, err
	}
	out := make([][2][]byte, count)
	for i := range out {
		out[i] = [2][]byte{bytes.Clone(view(views[i].name)), bytes.Clone(view(views[i].value))}
	}
	return out, nil
}

func lifetimeChecksum(count, bytes C.size_t) uint64 { return uint64(count)<<32 ^ uint64(bytes) }

// Unchecked calls lab_headers_size on the request directly: the floor, correct only because the
// input holds the owner.
func Unchecked(l *Lifetime) (uint64, error) {
	var count, size C.size_t
	st := C.lab_headers_size(l.owner.req, &count, &size)
	return lifetimeChecksum(count, size), check("lab_headers_size", st)
}

// WeakUpgrade upgrades the weak pointer (weak.Pointer.Value) on every call: nil, or an owner
// marked destroyed, means the request was destroyed (see RequestOwner). The upgraded owner is
// kept alive until the call returns.
//
// Not the same atomics as Rust's twin, and that is Go's design, not a shortcut: Rust's
// Weak::upgrade is a compare-and-swap loop on the strong count and the Arc's drop a fetch_sub,
// two read-modify-writes of the count's cache line per call. Go keeps no count: the strong
// pointer on the goroutine's stack keeps the owner alive, and the collector finds it there.
// Value() (runtime's internal_weak_runtime_makeStrongFromWeak, go1.27) bumps and drops the M's
// own m.locks (plain, per thread), loads the handle twice (atomic loads: plain MOVs on amd64),
// looks up the span and calls span.ensureSwept, which between collections — the benchmark
// allocates nothing on this path, so that is every call in practice — is two more atomic
// loads (the sweeper's state, the span's sweepgen). Only while a sweep is running does it do a
// CAS pair on the global sweeper count, and only while marking does it shade the object.
// destroyed.Load() is one more load (Rust's upgrade reads the same fact from the count). So the
// upgrade writes nothing shared, and at threads=2 no cache line moves between cores; the cost
// Rust pays per call, Go pays in the collector. Adding RMWs here would measure work Go does not do.
func WeakUpgrade(l *Lifetime) (uint64, error) {
	o := l.weak.Value()
	if o == nil || o.destroyed.Load() {
		return 0, ErrBadHandle
	}
	var count, size C.size_t
	st := C.lab_headers_size(o.req, &count, &size)
	runtime.KeepAlive(o)
	return lifetimeChecksum(count, size), check("lab_headers_size", st)
}

// GenerationHandle calls the host API table's headers_size with the handle (through a C
// trampoline): the host checks the generation and counts the call in and out of the slot.
func GenerationHandle(l *Lifetime) (uint64, error) {
	var count, size C.size_t
	st := C.table_headers_size(l.api, l.handle, &count, &size)
	if st == C.LAB_ERR_BAD_HANDLE {
		return 0, ErrBadHandle
	}
	return lifetimeChecksum(count, size), check("headers_size", st)
}
