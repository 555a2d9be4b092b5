package gotoc

// The Go half of the concurrency and ownership scenarios (FINDINGS.md S08, S09, S13), mirroring
// bench-suite/lab-bench/src/r2c/s08_cross_thread_writes.rs, s09_request_lifetime.rs and s13_ownership.rs:
// the same ids, strategies, fixtures and work per call. The C glue they need (a task posted to the
// host's worker, the host API table's function pointers, which Go cannot call) is in conc.c and
// the preamble below; it is the extension's, not the host's, but the task a write posts is
// allocated through the host's counting allocator (glue.h), so c-allocs/op counts it.

/*
#include <stdlib.h>
#include "lab.h"
#include "conc.h"

*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// ErrBadHandle is LAB_ERR_BAD_HANDLE: a call on a request that was destroyed.
var ErrBadHandle = &StatusError{Op: "request", Status: int(C.LAB_ERR_BAD_HANDLE)}

// RequestsLive is lab_requests_live: host requests created and not yet freed.
func RequestsLive() int { return int(C.lab_requests_live()) }

// WaitUntil is Rust's worker::wait_until: spin while ready comes quickly, then yield the core
// with sched_yield, as Rust's thread::yield_now does. The host's worker is an OS thread outside
// Go's scheduler: runtime.Gosched yields only the P, keeps the OS thread spinning, and with as many
// waiting writers as cores starved the worker until the kernel preempted one (several times
// Rust's latency, and noisy).
func WaitUntil(ready func() bool) {
	for spins := 0; !ready(); spins++ {
		if spins >= 200 {
			syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// S08 writes from another thread
// ---------------------------------------------------------------------------------------------

// Writers is Rust's s08 WRITERS; WriterNames the header each writer sets (pre-set at setup, so
// every measured write replaces one); ValueLen a tracing-id-sized value.
var (
	Writers     = []int{1, 2, 4}
	WriterNames = [][]byte{[]byte("x-writer-0"), []byte("x-writer-1"), []byte("x-writer-2"), []byte("x-writer-3")}
)

const ValueLen = 32

// Writes is S08's input, Rust's s08 Input: a host worker owning the `post` request, a second
// request behind a sync.Mutex for `mutex`, the value (r2c::payload(32, 8)), whether writers wait
// for each write, and each writer's progress counters (C memory, written by the worker).
type Writes struct {
	worker   *C.lab_worker
	onWorker *C.lab_request // touched only by tasks on the worker once the worker runs
	mu       sync.Mutex
	locked   *C.lab_request
	Value    []byte
	Wait     bool
	progress *C.s08_progress
	applied  []*uint64
}

func writesRequest(value []byte) (*C.lab_request, error) {
	req := C.lab_request_new_realistic(16, 8)
	if req == nil {
		return nil, fmt.Errorf("lab_request_new_realistic: out of memory")
	}
	for _, name := range WriterNames {
		if err := check("lab_header_set", C.lab_header_set(req, cbytes(name), C.size_t(len(name)),
			cbytes(value), C.size_t(len(value)))); err != nil {
			C.lab_request_free(req)
			return nil, err
		}
	}
	return req, nil
}

func NewWrites(wait bool) (*Writes, error) {
	w := &Writes{Value: Payload(ValueLen, 8), Wait: wait}
	var err error
	if w.onWorker, err = writesRequest(w.Value); err != nil {
		return nil, err
	}
	if w.locked, err = writesRequest(w.Value); err != nil {
		C.lab_request_free(w.onWorker)
		return nil, err
	}
	w.progress = C.s08_progress_new(C.size_t(len(WriterNames)))
	// The request is handed to the worker here: from now on only its tasks touch onWorker.
	w.worker = C.lab_worker_start(0)
	if w.progress == nil || w.worker == nil {
		w.Free()
		return nil, fmt.Errorf("s08: out of memory")
	}
	for i := range WriterNames {
		w.applied = append(w.applied, (*uint64)(unsafe.Pointer(C.s08_applied_ptr(w.progress, C.size_t(i)))))
	}
	return w, nil
}

// Free stops the worker (running what was posted) and frees both requests.
func (w *Writes) Free() {
	C.lab_worker_stop(w.worker)
	w.worker = nil
	C.lab_request_free(w.onWorker)
	C.lab_request_free(w.locked)
	C.s08_progress_free(w.progress)
	w.onWorker, w.locked, w.progress = nil, nil, nil
}

// PostedValue is the value of writer i's header in the `post` request, read on the worker.
func (w *Writes) PostedValue(i int) ([]byte, error) {
	buf := make([]byte, 4096)
	var n C.size_t
	name := WriterNames[i]
	st := C.s08_worker_header_copy(w.worker, w.onWorker, cbytes(name), C.size_t(len(name)), cbytes(buf),
		C.size_t(len(buf)), &n)
	return buf[:n], check("lab_header_copy", st)
}

// LockedValue is the value of writer i's header in the `mutex` request.
func (w *Writes) LockedValue(i int) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	buf := make([]byte, 4096)
	var n C.size_t
	name := WriterNames[i]
	st := C.lab_header_copy(w.locked, cbytes(name), C.size_t(len(name)), cbytes(buf), C.size_t(len(buf)), &n)
	return buf[:n], check("lab_header_copy", st)
}

// WorkerStats reads the worker thread's host counters, on the worker (after every task posted
// before).
func (w *Writes) WorkerStats() CStats {
	var s C.lab_alloc_stats
	C.s08_worker_stats(w.worker, &s)
	return CStats{uint64(s.allocs), uint64(s.frees), uint64(s.bytes_allocated), uint64(s.bytes_copied)}
}

// Writer is one writer's share of a round: `writes` writes by writer `i`; it returns the sum of
// their checksums, Touch(value) per write, as Rust's does.
type Writer func(w *Writes, i int, writes int) (uint64, error)

// Post is Envoy's Go filter's header.Set from a goroutine: one cgo call, in which C copies name
// and value into one task (a counted C allocation) and posts it to the worker (dispatcher.post);
// the worker sets the header and bumps the writer's applied counter. wait=1: the goroutine waits
// until this write is applied before the next; wait=0: only at the end of its share. Either way
// every write is applied before the share ends, so the worker's work is inside the timed round.
// Rust's twin also clones two Arcs per write (the writer's progress, the worker's cell) and drops
// them on the worker: four atomic read-modify-writes the C task, holding plain pointers, skips.
func Post(w *Writes, i int, writes int) (uint64, error) {
	applied := w.applied[i]
	start := atomic.LoadUint64(applied)
	failed := uint64(C.s08_failed(w.progress, C.size_t(i)))
	name := WriterNames[i]
	for n := uint64(1); n <= uint64(writes); n++ {
		st := C.s08_post_set(w.worker, w.onWorker, w.progress, C.size_t(i), cbytes(name), C.size_t(len(name)),
			cbytes(w.Value), C.size_t(len(w.Value)))
		if err := check("s08_post_set", st); err != nil {
			return 0, err
		}
		if w.Wait {
			want := start + n
			WaitUntil(func() bool { return atomic.LoadUint64(applied) >= want })
		}
	}
	want := start + uint64(writes)
	WaitUntil(func() bool { return atomic.LoadUint64(applied) >= want })
	if uint64(C.s08_failed(w.progress, C.size_t(i))) != failed {
		return 0, &StatusError{Op: "lab_header_set on the worker", Status: int(C.LAB_ERR_NOMEM)}
	}
	return Touch(w.Value) * uint64(writes), nil
}

// Mutex takes a sync.Mutex and sets the header on the writer's own thread (one cgo call under
// the lock). A write is applied when the call returns, so wait=1 and wait=0 are the same loop.
func Mutex(w *Writes, i int, writes int) (uint64, error) {
	name := WriterNames[i]
	for n := 0; n < writes; n++ {
		w.mu.Lock()
		st := C.lab_header_set(w.locked, cbytes(name), C.size_t(len(name)), cbytes(w.Value), C.size_t(len(w.Value)))
		w.mu.Unlock()
		if err := check("lab_header_set", st); err != nil {
			return 0, err
		}
	}
	return Touch(w.Value) * uint64(writes), nil
}

// ---------------------------------------------------------------------------------------------
// A crew: exactly `size` goroutines sharing a round's calls (S08's writers, S09's callers)
// ---------------------------------------------------------------------------------------------

// Share is Rust's Crew split: member m of size makes calls/size calls, the first calls%size
// members one more.
func Share(calls, size, m int) int {
	n := calls / size
	if m < calls%size {
		n++
	}
	return n
}

// Crew runs job on `size` goroutines, member m making Share(calls, size, m) calls, and returns
// the sum of their checksums (the first error, if any). lockThreads wires each goroutine to its
// OS thread for the round and reports the host allocations made on it (the host counts per
// thread); without it, allocs is 0.
func Crew(size, calls int, lockThreads bool, job func(m, calls int) (uint64, error)) (sum uint64, allocs uint64, err error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for m := 0; m < size; m++ {
		wg.Add(1)
		go func(m int) {
			defer wg.Done()
			var before CStats
			if lockThreads {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				before = AllocStats()
			}
			s, e := job(m, Share(calls, size, m))
			var a uint64
			if lockThreads {
				a = AllocStats().Allocs - before.Allocs
			}
			mu.Lock()
			sum += s
			allocs += a
			if err == nil {
				err = e
			}
			mu.Unlock()
		}(m)
	}
	wg.Wait()
	return sum, allocs, err
}

// ---------------------------------------------------------------------------------------------
// S13 ownership of body data
// ---------------------------------------------------------------------------------------------

// BodyLens is Rust's s13 LENS; BodySeed the seed of every stream.
var BodyLens = []int{1024, 4096, 16384, 65536, 262144}

const BodySeed = 13

// Checksum is s13_ownership::checksum: the length rotated left 32, plus the wrapping sum of the
// little-endian u64 words, plus the tail bytes as one more word (zero-padded).
func Checksum(b []byte) uint64 {
	sum := bits.RotateLeft64(uint64(len(b)), 32)
	n := len(b) &^ 7
	for i := 0; i < n; i += 8 {
		sum += binary.LittleEndian.Uint64(b[i:])
	}
	var last [8]byte
	copy(last[:], b[n:])
	return sum + binary.LittleEndian.Uint64(last[:])
}

// Body is one point of S13's sweep, Rust's s13 Body: each strategy's own stream (the same
// chunks) and host buffers of exactly len bytes.
type Body struct {
	Len int
	// copy: the host's one receive buffer and the extension's own []byte, reused across chunks.
	copyStream *C.lab_stream
	receiving  C.lab_body_buf
	own        []byte
	// double_buffer: the buffer the host receives into and the one the extension holds.
	handoffStream *C.lab_stream
	hostBuf       C.lab_body_buf
	held          C.lab_body_buf
}

func NewBody(n, chunks int) (*Body, error) {
	b := &Body{Len: n, own: make([]byte, 0, n)}
	b.copyStream = C.lab_stream_new(C.size_t(n), C.size_t(chunks), BodySeed)
	b.handoffStream = C.lab_stream_new(C.size_t(n), C.size_t(chunks), BodySeed)
	if b.copyStream == nil || b.handoffStream == nil {
		b.Free()
		return nil, fmt.Errorf("lab_stream_new: out of memory")
	}
	// Each buffer by its field's address: cgo's pointer check then looks at that field only, not
	// at the whole Body (whose `own` is a Go pointer).
	for _, st := range []C.lab_status{
		C.lab_body_buf_alloc(C.size_t(n), &b.receiving),
		C.lab_body_buf_alloc(C.size_t(n), &b.hostBuf),
		C.lab_body_buf_alloc(C.size_t(n), &b.held),
	} {
		if err := check("lab_body_buf_alloc", st); err != nil {
			b.Free()
			return nil, err
		}
	}
	return b, nil
}

func (b *Body) Free() {
	C.lab_stream_free(b.copyStream)
	C.lab_stream_free(b.handoffStream)
	C.lab_body_buf_free(&b.receiving)
	C.lab_body_buf_free(&b.hostBuf)
	C.lab_body_buf_free(&b.held)
	b.copyStream, b.handoffStream = nil, nil
}

func bufView(buf *C.lab_body_buf) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(buf.ptr)), int(buf.len))
}

// CopyBody: the host receives into its one buffer; the extension copies the borrowed view into
// its own []byte (reused: no allocation per chunk) and reads its copy. Two copies per chunk.
func CopyBody(b *Body) (uint64, error) {
	if err := check("lab_stream_receive", C.lab_stream_receive(b.copyStream, &b.receiving)); err != nil {
		return 0, err
	}
	src := bufView(&b.receiving)
	b.own = b.own[:len(src)]
	copy(b.own, src)
	return Checksum(b.own), nil
}

// DoubleBuffer: the host receives into the buffer it holds, hands it to the extension and takes
// back the one the extension held; the extension reads the buffer it now holds, a view over C
// memory (unsafe.Slice, no copy). One copy per chunk: the receive. Go's type system does not
// stop the host from touching the buffer it handed away; the swap is the whole discipline.
func DoubleBuffer(b *Body) (uint64, error) {
	if err := check("lab_stream_receive", C.lab_stream_receive(b.handoffStream, &b.hostBuf)); err != nil {
		return 0, err
	}
	b.hostBuf, b.held = b.held, b.hostBuf
	return Checksum(bufView(&b.held)), nil
}
