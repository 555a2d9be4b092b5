// Command cext is the Go extension of ffi-lab (the C->Go direction): a -buildmode=c-shared
// library exporting the lab_ext_* symbols of lab.h, loaded by the same C driver as the Rust and C
// extensions (c-harness/driver/), as Envoy loads a Go filter.
//
//	go build -buildmode=c-shared -o libgoext.so ./cext
//
// Every callback runs under a deferred recover: a panic in a filter ends its request with
// LAB_ERR_PANIC and counts in panics_caught; it never unwinds into C (where Go would crash the
// host). abi_check.c checks at build time that each export has the exact type of its lab.h
// typedef.
package main

/*
// The code generation flags of the host and of the Rust extension's C side, as far as cgo allows
// them in a #cgo line (bench-suite/lab-sys/build.rs under the bench profile; the full reasoning is in
// go-reference/gotoc/strategies.go). They apply to every C file of the package: hostapi.go's
// helpers and abi_check.c too.
#cgo CFLAGS: -I${SRCDIR}/../../c-harness/include -O3 -march=x86-64 -std=c11 -fno-omit-frame-pointer

#include "lab.h"

// cgo drops const from the types it writes into the exported prototypes (_cgo_export.h): a
// parameter of Go type *C.lab_entry becomes `lab_entry *`, not lab.h's `const lab_entry *`. These
// typedefs carry the const through, so the prototypes match lab.h's lab_ext_*_fn exactly.
typedef const lab_host_api lab_const_host_api;
typedef const lab_entry lab_const_entry;
typedef const void *lab_const_voidp;
*/
import "C"

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// host is the table handed over at init (static storage in the host), nil before init and
// after destroy.
var host atomic.Pointer[C.lab_host_api]

var panicsCaught atomic.Uint64

func main() {} // required by -buildmode=c-shared, never run

//export lab_ext_init
func lab_ext_init(api *C.lab_const_host_api) C.lab_status {
	if api == nil {
		return C.LAB_ERR_NULL
	}
	if api.abi_version != C.LAB_ABI_VERSION {
		return C.LAB_ERR_ABI
	}
	host.Store((*C.lab_host_api)(unsafe.Pointer(api)))
	return C.LAB_OK
}

// S01: the empty call.
//
//export lab_ext_noop
func lab_ext_noop() {}

// S01: a call with four arguments whose result depends on all of them.
//
//export lab_ext_noop_args
func lab_ext_noop_args(a, b C.uint64_t, ptr C.lab_const_voidp, n C.size_t) C.uint64_t {
	return (a ^ b) + C.uint64_t(uintptr(unsafe.Pointer(ptr))) + C.uint64_t(n)
}

// S10: the empty body inside the panic guard every callback has.
//
//export lab_ext_noop_guarded
func lab_ext_noop_guarded() {
	defer func() {
		if r := recover(); r != nil {
			panicsCaught.Add(1)
		}
	}()
}

// S10's parts of the guard, each alone. Go's whole guard is the deferred recover, so its
// catch_unwind is the same; recover prints nothing, so Go has no hook to keep quiet and no
// thread-local flag for it: body_call, quiet_hook and thread_local are the empty body.
//
//export lab_ext_noop_catch_unwind
func lab_ext_noop_catch_unwind() {
	defer func() {
		if r := recover(); r != nil {
			panicsCaught.Add(1)
		}
	}()
}

//export lab_ext_noop_body_call
func lab_ext_noop_body_call() {}

//export lab_ext_noop_quiet_hook
func lab_ext_noop_quiet_hook() {}

//export lab_ext_noop_thread_local
func lab_ext_noop_thread_local() {}

// guarded runs one callback: validates the entry, recovers any panic of the filter.
func guarded(entry *C.lab_const_entry, result *C.uint64_t, filter func(callback) (uint64, status)) (st C.lab_status) {
	if entry == nil {
		return C.LAB_ERR_NULL
	}
	api := host.Load()
	if api == nil {
		return C.LAB_ERR_ABI
	}
	defer func() {
		if r := recover(); r != nil {
			panicsCaught.Add(1)
			st = C.LAB_ERR_PANIC
		}
	}()
	sum, st := filter(callback{api: api, entry: (*C.lab_entry)(unsafe.Pointer(entry))})
	if st == statusOK && result != nil {
		*result = C.uint64_t(sum)
	}
	return st
}

//export lab_ext_on_request_headers
func lab_ext_on_request_headers(entry *C.lab_const_entry, result *C.uint64_t) C.lab_status {
	return guarded(entry, result, onRequestHeaders)
}

//export lab_ext_on_request_body
func lab_ext_on_request_body(entry *C.lab_const_entry, result *C.uint64_t) C.lab_status {
	return guarded(entry, result, onRequestBody)
}

//export lab_ext_on_response_headers
func lab_ext_on_response_headers(entry *C.lab_const_entry, result *C.uint64_t) C.lab_status {
	return guarded(entry, result, onResponseHeaders)
}

// lab_ext_stats: Go has no per-thread allocation counts, so the counts (bytes_copied too) are
// process-wide
// (runtime.MemStats: Mallocs, Frees, TotalAlloc as bytes_allocated). Go frees only when the
// collector sweeps, so a full GC runs first: after it, Mallocs - Frees is the number of live
// objects, and a run that leaks nothing leaves it where it was. The driver calls this only
// outside its timed loops; the GC and ReadMemStats (a stop-the-world) make it milliseconds.
//
// live_thread_states is 0, always: Go's per-thread state is the extra M the runtime binds to a C
// thread on its first call into Go and releases when the thread exits (since Go 1.21), and no
// public API counts those. bytes_retained is the capacity of the pooled arenas, process-wide,
// until the GC drops them from the pool (a finalizer takes them off the gauge). The extension itself keeps no per-thread state (its arenas are pooled
// per callback, not per thread), so there is nothing of its own to count either.
//
//export lab_ext_stats
func lab_ext_stats(out *C.lab_ext_counters) {
	if out == nil {
		return
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	out.allocs = C.uint64_t(m.Mallocs)
	out.frees = C.uint64_t(m.Frees)
	out.bytes_allocated = C.uint64_t(m.TotalAlloc)
	out.live_thread_states = 0
	out.panics_caught = C.uint64_t(panicsCaught.Load())
	out.bytes_copied = C.uint64_t(bytesCopied.Load())
	out.bytes_retained = C.uint64_t(max(bytesRetained.Load(), 0))
}

// lab_ext_destroy forgets the host's table; later callbacks answer LAB_ERR_ABI until the next
// init.
//
//export lab_ext_destroy
func lab_ext_destroy() {
	host.Store(nil)
}
