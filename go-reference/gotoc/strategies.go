// Package gotoc is the Go half of the R->C scenarios (FINDINGS.md S01-S06 here; S08, S09 and S13
// in conc.go): Go calls the lab's C host (c-harness/host/host.c, compiled into this package by
// host.c) through cgo, with the same
// strategies, fixtures and checksums as bench-suite/lab-bench/src/r2c/*.rs. The strategies live here, not
// in the _test.go files, because test files cannot use cgo; bench_test.go times them.
//
// Every host function except the S01 floor and the deliberately plain consume_str_plain is
// declared noescape and nocallback (noescape.go, Go 1.24 and later): the host never keeps a
// pointer it was passed (lab.h's conventions) and never calls Go, so out-parameters and stack
// arrays stay on the Go stack. This
// is what a careful Go filter does (Envoy's Go filter marks its cgo API the same way); without it
// every out-parameter (&checksum, &value) is a heap allocation.
package gotoc

/*
// The host must be the same machine code Rust calls, so the code generation flags are
// bench-suite/lab-sys/build.rs's under the bench profile (opt-level 3, debug on). The cc crate passes
// -O3 -ffunction-sections -fdata-sections -fPIC -gdwarf-4 -m64 -march=x86-64 -fno-omit-frame-pointer
// -mno-omit-leaf-frame-pointer (the last two because debug is on), build.rs adds -std=c11
// -fno-omit-frame-pointer -fno-semantic-interposition and warnings. cgo passes -fPIC -m64 and
// its default CGO_CFLAGS (-O2 -g) first, so the -O3 below wins. cgo refuses
// -fno-semantic-interposition, -ffunction-sections, -fdata-sections and
// -mno-omit-leaf-frame-pointer in a #cgo line: host.c sets the first with a pragma; the other
// three place functions in sections and keep a frame in leaf functions, and change no host code
// here: with gcc 12, every one of the host's 46 functions in cgo's object disassembles as in
// lab-sys's host.o, but for one reference -ffunction-sections leaves to a relocation.
// The warnings (-Wall -Wextra -Werror) change no code and are left out: cgo's generated C is not
// written for them.
#cgo CFLAGS: -I${SRCDIR}/../../c-harness/include -O3 -march=x86-64 -std=c11 -fno-omit-frame-pointer
#cgo LDFLAGS: -lpthread

#include "lab.h"
#include "glue.h"

// S02 ptr_len_escape: the same call as lab_consume_str through a function cgo knows nothing
// about (no noescape, no nocallback), so the Go compiler must assume C keeps every pointer it is
// given: the out-parameter escapes to the heap. The documents' 87 -> 61 ns comparison.
static lab_status consume_str_plain(const uint8_t *ptr, size_t len, uint64_t *checksum) {
  return lab_consume_str(ptr, len, checksum);
}
*/
import "C"

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"ffilab/goref/digest"
)

// ---------------------------------------------------------------------------------------------
// Errors, checksums, fixtures shared by every scenario
// ---------------------------------------------------------------------------------------------

// StatusError is a non-OK lab_status returned by the host.
type StatusError struct {
	Op     string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: %s (%d)", e.Op, C.GoString(C.lab_status_str(C.lab_status(e.Status))), e.Status)
}

// InteriorNulError is what Rust's CString::new returns: a C string cannot carry a NUL byte. Go's
// C.CString silently truncates at it instead, so cstring checks first.
type InteriorNulError struct{ Position int }

func (e *InteriorNulError) Error() string {
	return fmt.Sprintf("interior NUL byte at position %d: not representable as a C string", e.Position)
}

func check(op string, st C.lab_status) error {
	if st != C.LAB_OK {
		return &StatusError{Op: op, Status: int(st)}
	}
	return nil
}

// Touch is the host's lab_touch, the checksum every consumer computes (for expected values): the
// same function as digest.Sum, which Go uses on bytes it read from the host.
func Touch(b []byte) uint64 {
	return uint64(C.lab_touch((*C.uint8_t)(unsafe.SliceData(b)), C.size_t(len(b))))
}

// Payload is r2c::payload: len printable bytes without NUL, the same for the same seed.
func Payload(n int, seed uint64) []byte {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=;/ "
	state := seed*0x9E3779B97F4A7C15 | 1
	out := make([]byte, n)
	for i := range out {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		out[i] = chars[state%uint64(len(chars))]
	}
	return out
}

// CStats is the calling thread's lab_alloc_stats (lock the goroutine to its thread around reads).
type CStats struct{ Allocs, Frees, BytesAllocated, BytesCopied uint64 }

// AllocStats reads the host's counters of the calling OS thread.
func AllocStats() CStats {
	var s C.lab_alloc_stats
	C.lab_alloc_stats_get(&s)
	return CStats{uint64(s.allocs), uint64(s.frees), uint64(s.bytes_allocated), uint64(s.bytes_copied)}
}

func cbytes(b []byte) *C.uint8_t { return (*C.uint8_t)(unsafe.SliceData(b)) }

// view is a []byte over host memory: valid only while the host keeps it (by discipline).
func view(s C.lab_str) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(s.ptr)), int(s.len))
}

// ---------------------------------------------------------------------------------------------
// S01 call floor
// ---------------------------------------------------------------------------------------------

// CallInput is S01's input: two integers and a 16-byte buffer.
type CallInput struct {
	A, B uint64
	Src  []byte
}

func NewCallInput() *CallInput { return &CallInput{A: 0x1234, B: 0x5678, Src: Payload(16, 1)} }

// EmptyCall is lab_noop(): runtime.cgocall and nothing else.
func EmptyCall() { C.lab_noop() }

// CallWithArgs is lab_noop_args(a, b, ptr, len).
func CallWithArgs(in *CallInput, a uint64) uint64 {
	return uint64(C.lab_noop_args(C.uint64_t(a), C.uint64_t(in.B), unsafe.Pointer(unsafe.SliceData(in.Src)),
		C.size_t(len(in.Src))))
}

// ---------------------------------------------------------------------------------------------
// S02 pass a string
// ---------------------------------------------------------------------------------------------

// String is S02's input: the bytes, the same bytes as a Go string (what C.CString takes), and
// where their first NUL is (-1: none), found once when it was made (what CStringPrechecked relies
// on: the bytes never change after).
type String struct {
	B     []byte
	S     string
	NulAt int
}

// StringOf makes S02's input of b.
func StringOf(b []byte) *String {
	return &String{B: b, S: string(b), NulAt: bytes.IndexByte(b, 0)}
}

func NewString(n int) *String {
	return StringOf(Payload(n, 2))
}

// cString is C.CString with the host's counting allocator in place of libc's malloc, so its C
// allocation counts in c-allocs/op as Rust's CString counts in Rust's. It does what C.CString
// does (cmd/cgo's _Cfunc_CString): one cgo call to allocate len+1 bytes, then a Go copy of the
// bytes and the NUL; like C.CString, it panics when C is out of memory. Release with gotoc_free.
func cString(s string) *C.char {
	p := C.gotoc_alloc(C.size_t(len(s) + 1))
	if p == nil {
		panic("runtime: C malloc failed")
	}
	dst := unsafe.Slice((*byte)(p), len(s)+1)
	copy(dst, s)
	dst[len(s)] = 0
	return (*C.char)(p)
}

// CString: C.CString (cString: allocation + copy + NUL), the host's strlen, the free. An interior
// NUL is refused, as Rust's CString::new refuses it (C.CString would truncate the string there
// without a word).
func CString(p *String) (uint64, error) {
	if i := bytes.IndexByte(p.B, 0); i >= 0 {
		return 0, &InteriorNulError{Position: i}
	}
	return consumeCString(p.S)
}

// consumeCString makes s a C string (cString), hands it to the host's strlen and frees it: the
// work of both C-string strategies once their NUL check is done.
func consumeCString(s string) (uint64, error) {
	cs := cString(s)
	var sum C.uint64_t
	st := C.lab_consume_cstr(cs, &sum)
	C.gotoc_free(unsafe.Pointer(cs))
	return uint64(sum), check("lab_consume_cstr", st)
}

// CStringPrechecked: C.CString's own work (cString: allocation + copy + NUL), the host's strlen,
// the free, with no scan: the bytes were checked for a NUL once, when the String was made, and one
// there is refused as CString refuses it (Rust's cstring_prechecked).
func CStringPrechecked(p *String) (uint64, error) {
	if p.NulAt >= 0 {
		return 0, &InteriorNulError{Position: p.NulAt}
	}
	return consumeCString(p.S)
}

// PtrLen: the Go bytes where they are, pointer and length, through a noescape/nocallback call.
func PtrLen(p *String) (uint64, error) {
	var sum C.uint64_t
	st := C.lab_consume_str(cbytes(p.B), C.size_t(len(p.B)), &sum)
	return uint64(sum), check("lab_consume_str", st)
}

// PtrLenEscape: the same, through consume_str_plain (no directives): &sum escapes to the heap.
func PtrLenEscape(p *String) (uint64, error) {
	var sum C.uint64_t
	st := C.consume_str_plain(cbytes(p.B), C.size_t(len(p.B)), &sum)
	return uint64(sum), check("consume_str_plain", st)
}

// ---------------------------------------------------------------------------------------------
// S03 / S04 one header value
// ---------------------------------------------------------------------------------------------

// HeaderName is the header every S03/S04 strategy reads.
var HeaderName = []byte("x-payload")

// HeaderFixture is Rust's HeaderFixture: lab_request_new_realistic(8, 3) plus an x-payload header
// of len printable bytes. Len is the length Envoy would pass on entry (S04 uses it, S03 must not).
type HeaderFixture struct {
	req *C.lab_request
	Len int
}

func NewHeaderFixture(n int) (*HeaderFixture, error) {
	req := C.lab_request_new_realistic(8, 3)
	if req == nil {
		return nil, fmt.Errorf("lab_request_new_realistic: out of memory")
	}
	v := Payload(n, 3)
	if err := check("lab_header_set", C.lab_header_set(req, cbytes(HeaderName), C.size_t(len(HeaderName)),
		cbytes(v), C.size_t(len(v)))); err != nil {
		C.lab_request_free(req)
		return nil, err
	}
	return &HeaderFixture{req: req, Len: n}, nil
}

func (f *HeaderFixture) Free() { C.lab_request_free(f.req); f.req = nil }

func (f *HeaderFixture) get() (C.lab_str, error) {
	var v C.lab_str
	st := C.lab_header_get(f.req, cbytes(HeaderName), C.size_t(len(HeaderName)), &v)
	return v, check("lab_header_get", st)
}

// Borrow: an unsafe.String over C memory, valid while the host keeps the header. No copy.
func Borrow(f *HeaderFixture) (uint64, error) {
	v, err := f.get()
	if err != nil {
		return 0, err
	}
	s := unsafe.String((*byte)(unsafe.Pointer(v.ptr)), int(v.len))
	return digest.Sum(unsafe.Slice(unsafe.StringData(s), len(s))), nil
}

// sinkString keeps clone_on_return's clone observable, so the compiler cannot drop or stack it.
var sinkString string

// CloneOnReturn: strings.Clone of the borrowed value (an owned Go string: one allocation).
func CloneOnReturn(f *HeaderFixture) (uint64, error) {
	v, err := f.get()
	if err != nil {
		return 0, err
	}
	owned := strings.Clone(unsafe.String((*byte)(unsafe.Pointer(v.ptr)), int(v.len)))
	sinkString = owned
	return digest.Sum(unsafe.Slice(unsafe.StringData(owned), len(owned))), nil
}

// PreallocHeap: S04, a []byte of exactly the known length, the host copies straight into it.
// Not quite Rust's work: make zeroes the bytes (Go has no uninitialised []byte) before the host
// overwrites them, where Rust's Vec::with_capacity leaves them uninitialised.
func PreallocHeap(f *HeaderFixture) (uint64, error) {
	buf := make([]byte, f.Len)
	var n C.size_t
	st := C.lab_header_copy(f.req, cbytes(HeaderName), C.size_t(len(HeaderName)), cbytes(buf), C.size_t(len(buf)), &n)
	if err := check("lab_header_copy", st); err != nil {
		return 0, err
	}
	sinkBytes = buf
	return digest.Sum(buf[:n]), nil
}

var sinkBytes []byte

// ---------------------------------------------------------------------------------------------
// S05 pass a batch
// ---------------------------------------------------------------------------------------------

// maxStackAllocedHeaderSize is the documents' threshold (Envoy's Go filter, Rust's
// DEFAULT_STACK_SLOTS): arrays of views live on the stack up to this many entries.
const maxStackAllocedHeaderSize = 16

// Batch is Rust's Batch::new: names of 8-24 bytes alternating with values of 8-128 bytes.
type Batch struct{ Items [][]byte }

func NewBatch(n int) *Batch {
	items := make([][]byte, n)
	for i := range items {
		l := 8 + (i*37)%121
		if i%2 == 0 {
			l = 8 + (i*7)%17
		}
		items[i] = Payload(l, uint64(i)+5)
	}
	return &Batch{Items: items}
}

// CStringEach: a C string per item (cString: n counted C allocations and copies), their pointers
// in an array on the stack up to 16 items and in a Go slice above (Rust's cstring_each keeps its
// pointers in stack slots up to 16 and a Vec above; the array holds only C pointers, so cgo lets
// Go memory carry it), one call, then every string freed.
func CStringEach(bt *Batch) (uint64, error) {
	n := len(bt.Items)
	for _, it := range bt.Items {
		if i := bytes.IndexByte(it, 0); i >= 0 {
			return 0, &InteriorNulError{Position: i}
		}
	}
	var stack [maxStackAllocedHeaderSize]*C.char
	var ptrs []*C.char
	if n <= maxStackAllocedHeaderSize {
		ptrs = stack[:n]
	} else {
		ptrs = make([]*C.char, n)
	}
	for i, it := range bt.Items {
		ptrs[i] = cString(unsafe.String(unsafe.SliceData(it), len(it)))
	}
	var sum C.uint64_t
	st := C.lab_consume_cstr_array(unsafe.SliceData(ptrs), C.size_t(n), &sum)
	for _, p := range ptrs {
		C.gotoc_free(unsafe.Pointer(p))
	}
	return uint64(sum), check("lab_consume_cstr_array", st)
}

// PinnedBatch: each item's bytes pinned with runtime.Pinner, an array of {ptr, len} views of
// them (on the stack up to 16 items, a heap slice above), one call, Unpin.
func PinnedBatch(bt *Batch) (uint64, error) {
	var pinner runtime.Pinner
	var stack [maxStackAllocedHeaderSize]C.lab_str
	n := len(bt.Items)
	var views []C.lab_str
	if n <= maxStackAllocedHeaderSize {
		views = stack[:n]
	} else {
		views = make([]C.lab_str, n)
	}
	for i, it := range bt.Items {
		p := unsafe.SliceData(it)
		pinner.Pin(p)
		views[i] = C.lab_str{ptr: (*C.uint8_t)(unsafe.Pointer(p)), len: C.size_t(len(it))}
	}
	var sum C.uint64_t
	st := C.lab_consume_str_array(unsafe.SliceData(views), C.size_t(n), &sum)
	pinner.Unpin()
	return uint64(sum), check("lab_consume_str_array", st)
}

// ---------------------------------------------------------------------------------------------
// S06 read k of n headers
// ---------------------------------------------------------------------------------------------

// Headers is Rust's s06 Headers: a realistic request of n headers, the sizes Envoy passes on
// entry, and the names of the k headers the filter reads, spread evenly over the request, each
// in the middle of its share (index (2i+1)*n/(2k)).
type Headers struct {
	req          *C.lab_request
	Count, Bytes int
	Wanted       [][]byte
}

func NewHeaders(n, k int) (*Headers, error) {
	req := C.lab_request_new_realistic(C.size_t(n), 42)
	if req == nil {
		return nil, fmt.Errorf("lab_request_new_realistic: out of memory")
	}
	h := &Headers{req: req}
	var count, size C.size_t
	if err := check("lab_headers_size", C.lab_headers_size(req, &count, &size)); err != nil {
		h.Free()
		return nil, err
	}
	h.Count, h.Bytes = int(count), int(size)
	all := make([]C.lab_header, h.Count)
	if err := check("lab_headers_view_all", C.lab_headers_view_all(req, unsafe.SliceData(all), C.size_t(len(all)), &count)); err != nil {
		h.Free()
		return nil, err
	}
	for i := 0; i < k; i++ {
		h.Wanted = append(h.Wanted, bytes.Clone(view(all[(2*i+1)*n/(2*k)].name)))
	}
	return h, nil
}

func (h *Headers) Free() { C.lab_request_free(h.req); h.req = nil }

// PerHeaderCall: one cgo call per header read, each returning a borrowed view (Envoy's GetRaw).
func PerHeaderCall(h *Headers) (uint64, error) {
	var sum uint64
	for _, name := range h.Wanted {
		var v C.lab_str
		st := C.lab_header_get(h.req, cbytes(name), C.size_t(len(name)), &v)
		if err := check("lab_header_get", st); err != nil {
			return 0, err
		}
		sum += digest.Sum(view(v))
	}
	return sum, nil
}

// PerHeaderCopy: one cgo call per header read, each value copied into a Go string (Envoy's
// per-header get, C.GoStringN): a call, an allocation and a copy per read.
func PerHeaderCopy(h *Headers) (uint64, error) {
	var sum uint64
	for _, name := range h.Wanted {
		var v C.lab_str
		st := C.lab_header_get(h.req, cbytes(name), C.size_t(len(name)), &v)
		if err := check("lab_header_get", st); err != nil {
			return 0, err
		}
		owned := C.GoStringN((*C.char)(unsafe.Pointer(v.ptr)), C.int(v.len))
		sum += digest.Sum(unsafe.Slice(unsafe.StringData(owned), len(owned)))
	}
	return sum, nil
}

// BulkCopy: Envoy's HttpCopyHeaders. One []byte sized from the entry bytes, the views in a
// [16]lab_header on the stack when n <= 16 (maxStackAllocedHeaderSize) and a heap slice above,
// one call copies every name and value, then the k names are looked up in the views. As in S04,
// Go zeroes what Rust leaves uninitialised: the buffer (make) and the stack array of views
// (Rust's slots are MaybeUninit), every call.
func BulkCopy(h *Headers) (uint64, error) {
	buf := make([]byte, h.Bytes)
	var stack [maxStackAllocedHeaderSize]C.lab_header
	var views []C.lab_header
	if h.Count <= maxStackAllocedHeaderSize {
		views = stack[:h.Count]
	} else {
		views = make([]C.lab_header, h.Count)
	}
	var count, size C.size_t
	st := C.lab_headers_copy_all(h.req, cbytes(buf), C.size_t(len(buf)), unsafe.SliceData(views),
		C.size_t(len(views)), &count, &size)
	if err := check("lab_headers_copy_all", st); err != nil {
		return 0, err
	}
	views = views[:count]
	var sum uint64
	for _, name := range h.Wanted {
		found := false
		for i := range views {
			if bytes.Equal(view(views[i].name), name) {
				sum += digest.Sum(view(views[i].value))
				found = true
				break
			}
		}
		if !found {
			return 0, &StatusError{Op: "lookup", Status: int(C.LAB_ERR_NOT_FOUND)}
		}
	}
	runtime.KeepAlive(buf)
	return sum, nil
}
