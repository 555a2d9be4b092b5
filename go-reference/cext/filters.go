package main

// The filters the driver runs, each over every access strategy (lab_access of lab.h): the Go
// twin of bench-suite/lab-ext/src/filters.rs, same headers read and written, same digest, so the
// checksums compare with Rust's and C's.
//
//   - S07: eager copies everything the host pushed (every header, the body) into an arena before
//     the filter runs; lazy copies only what the filter reads, when it reads it, into the same
//     kind of arena, taken once per callback (a cache for the callback: every value read is
//     appended). Rust and C keep one arena per thread; Go has no thread-locals (a goroutine
//     may run on any thread, and a C thread's calls run on whatever extra M it is bound to), so
//     the arena comes from a sync.Pool for the duration of one callback and goes back after it.
//     That is correct under concurrency (s11's threads, or a real host's workers) and allocation
//     free in steady state; the pool is emptied by GC, after which the next callback allocates.
//   - S06/S14: per_header_call, bulk_copy, bulk_borrow as in gotoc's S06, over the host table.

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"ffilab/goref/digest"
)

// maxStackAllocedHeaderSize: arrays of views live on the stack up to this many headers and on
// the heap above (the documents' threshold, Rust's DEFAULT_STACK_SLOTS).
const maxStackAllocedHeaderSize = 16

// ---------------------------------------------------------------------------------------------
// The arena (eager and lazy copies)
// ---------------------------------------------------------------------------------------------

type arena struct {
	buf    []byte   // header copies (eager)
	views  []header // views of the copies in buf (eager), reused
	tmp    []byte   // copy on demand (lazy) and eager's body copy
	copied uint64   // bytes copied into the arena during this callback (flushed by putArena)
	held   int64    // the capacity counted in bytesRetained
}

// The extension's copy count and retained-bytes gauge (lab_ext_counters): process-wide, as Go has
// no per-thread state to hang them on. An arena adds its copies once per callback (putArena), so
// the atomic costs one add per callback, not one per copy.
var (
	bytesCopied   atomic.Uint64
	bytesRetained atomic.Int64
)

var arenas = sync.Pool{New: func() any {
	a := &arena{buf: make([]byte, 0, 4096), tmp: make([]byte, 0, 4096)}
	a.account()
	// The pool drops arenas at GC; what it drops is no longer retained.
	runtime.SetFinalizer(a, func(a *arena) { bytesRetained.Add(-a.held) })
	return a
}}

// getArena takes an arena for one callback, its cache emptied.
func getArena() *arena {
	a := arenas.Get().(*arena)
	a.tmp = a.tmp[:0]
	return a
}

// account brings bytesRetained up to date with the arena's capacity (it only grows).
func (a *arena) account() {
	held := int64(cap(a.buf)) + int64(cap(a.tmp)) + int64(cap(a.views))*int64(unsafe.Sizeof(header{}))
	if held != a.held {
		bytesRetained.Add(held - a.held)
		a.held = held
	}
}

// copyOnDemand copies b to the end of the callback's cache (a.tmp) and digests the copy.
func (a *arena) copyOnDemand(b []byte) uint64 {
	at := len(a.tmp)
	a.tmp = append(a.tmp, b...)
	a.copied += uint64(len(b))
	return digest.Sum(a.tmp[at:])
}

// copyPushed copies every pushed header into a.buf (reserved first so it does not move under the
// views) and returns views of the copies.
func (a *arena) copyPushed(pushed []header) []header {
	total := 0
	for i := range pushed {
		total += int(pushed[i].name.len) + int(pushed[i].value.len)
	}
	if cap(a.buf) < total {
		a.buf = make([]byte, 0, total)
	}
	if cap(a.views) < len(pushed) {
		a.views = make([]header, len(pushed))
	}
	buf := a.buf[:0]
	views := a.views[:len(pushed)]
	for i := range pushed {
		at := len(buf)
		buf = append(buf, bytesOf(pushed[i].name)...)
		buf = append(buf, bytesOf(pushed[i].value)...)
		views[i] = viewsInto(buf, at, int(pushed[i].name.len), int(pushed[i].value.len))
	}
	a.buf = buf
	a.copied += uint64(total)
	return views
}

// ---------------------------------------------------------------------------------------------
// Lookup: the headers a filter reads, wherever the access strategy put them
// ---------------------------------------------------------------------------------------------

type lookup struct {
	cb      callback
	perCall bool     // ask the host for each header (per_header_call, lazy)
	views   []header // views fetched in one call, or of copies made in one pass
}

// openLookup makes the request's headers reachable as the entry's access strategy says. stack
// is the caller's array of views, used when the request has at most 16 headers. In eager the
// views point into an arena from the pool (the body copy is its tmp), returned with them: the
// caller puts it back (with putArena) once done with the views. The lookup is returned by value, not written through a
// pointer: a store through a pointer parameter would move the caller's stack array to the heap.
func openLookup(cb callback, stack *[maxStackAllocedHeaderSize]header) (lookup, *arena, status) {
	l := lookup{cb: cb}
	count := int(cb.entry.header_count)
	var slots []header
	if count <= maxStackAllocedHeaderSize {
		slots = stack[:count]
	}
	switch cb.access() {
	case accessPerHeaderCall, accessLazy:
		l.perCall = true
		return l, nil, statusOK
	case accessBulkBorrow:
		if slots == nil {
			slots = make([]header, count)
		}
		views, st := cb.viewAll(slots)
		l.views = views
		return l, nil, st
	case accessBulkCopy:
		if slots == nil {
			slots = make([]header, count)
		}
		buf := make([]byte, int(cb.entry.header_bytes))
		views, st := cb.copyAll(buf, slots)
		l.views = views
		return l, nil, st
	case accessEager:
		// One arena per callback for everything pushed: the headers into a.buf, then the body
		// into a.tmp (eager pays for the whole push whatever the filter reads).
		pushed, body, st := cb.pushed()
		if st != statusOK {
			return l, nil, st
		}
		a := getArena()
		l.views = a.copyPushed(pushed)
		a.copyOnDemand(body)
		return l, a, statusOK
	default:
		return l, nil, statusUnsupported
	}
}

// putArena returns an arena to the pool (views into it die here), after counting what it
// copied and how much it holds; nil is a no-op.
func putArena(a *arena) {
	if a != nil {
		if a.copied != 0 {
			bytesCopied.Add(a.copied)
			a.copied = 0
		}
		a.account()
		arenas.Put(a)
	}
}

// get returns the value of header name, or nil, false when it is absent.
func (l *lookup) get(name string) ([]byte, bool, status) {
	if l.perCall {
		v, st := l.cb.header(name)
		switch st {
		case statusOK:
			return v, true, statusOK
		case statusNotFound:
			return nil, false, statusOK
		default:
			return nil, false, st
		}
	}
	for i := range l.views {
		if string(bytesOf(l.views[i].name)) == name {
			return bytesOf(l.views[i].value), true, statusOK
		}
	}
	return nil, false, statusOK
}

func (l *lookup) digestOf(name string) (uint64, status) {
	v, _, st := l.get(name)
	return digest.Sum(v), st
}

// all digests every header value (per-call strategies fetch views of all in one call).
func (l *lookup) all(stack *[maxStackAllocedHeaderSize]header) (uint64, status) {
	views := l.views
	if l.perCall {
		count := int(l.cb.entry.header_count)
		var slots []header
		if count <= maxStackAllocedHeaderSize {
			slots = stack[:count]
		} else {
			slots = make([]header, count)
		}
		var st status
		if views, st = l.cb.viewAll(slots); st != statusOK {
			return 0, st
		}
	}
	var sum uint64
	for i := range views {
		sum += digest.Sum(bytesOf(views[i].value))
	}
	return sum, statusOK
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

const (
	oneHeader             = "user-agent"
	expectedAuthorization = "Basic bGFiOnNlY3JldA==" // lab:secret
)

// onRequestHeaders runs entry.filter with entry.access; returns a checksum of what it read.
func onRequestHeaders(cb callback) (uint64, status) {
	access := cb.access()
	var stack [maxStackAllocedHeaderSize]header
	switch cb.filter() {
	case filterNothing:
		if access != accessEager {
			return 0, statusOK
		}
		// Eager copies the push; the filter reads nothing, so its checksum is lazy's: 0.
		_, a, st := openLookup(cb, &stack)
		putArena(a)
		return 0, st

	case filterOneHeader:
		if access == accessLazy {
			v, st := cb.header(oneHeader)
			if st != statusOK {
				return 0, st
			}
			a := getArena()
			sum := a.copyOnDemand(v)
			putArena(a)
			return sum, statusOK
		}
		l, a, st := openLookup(cb, &stack)
		defer putArena(a)
		if st != statusOK {
			return 0, st
		}
		return l.digestOf(oneHeader)

	case filterAllHeaders:
		if access == accessLazy {
			count := int(cb.entry.header_count)
			var slots []header
			if count <= maxStackAllocedHeaderSize {
				slots = stack[:count]
			} else {
				slots = make([]header, count)
			}
			views, st := cb.viewAll(slots)
			if st != statusOK {
				return 0, st
			}
			a := getArena()
			// The values fit in header_bytes: at most one growth per callback.
			if need := int(cb.entry.header_bytes); cap(a.tmp) < need {
				a.tmp = make([]byte, 0, need)
			}
			var sum uint64
			for i := range views {
				sum += a.copyOnDemand(bytesOf(views[i].value))
			}
			putArena(a)
			return sum, statusOK
		}
		l, a, st := openLookup(cb, &stack)
		defer putArena(a)
		if st != statusOK {
			return 0, st
		}
		var stack2 [maxStackAllocedHeaderSize]header
		return l.all(&stack2)

	case filterBody:
		switch access {
		case accessLazy:
			b, st := cb.body()
			if st != statusOK {
				return 0, st
			}
			a := getArena()
			sum := a.copyOnDemand(b)
			putArena(a)
			return sum, statusOK
		case accessEager:
			_, a, st := openLookup(cb, &stack)
			if st != statusOK {
				putArena(a)
				return 0, st
			}
			sum := digest.Sum(a.tmp) // the body copy
			putArena(a)
			return sum, statusOK
		default:
			b, st := cb.body()
			return digest.Sum(b), st
		}

	case filterBasicAuth:
		l, a, st := openLookup(cb, &stack)
		var ok bool
		if st == statusOK {
			var v []byte
			var found bool
			v, found, st = l.get("authorization")
			ok = found && string(v) == expectedAuthorization
		}
		putArena(a)
		if st != statusOK {
			return 0, st
		}
		if ok {
			return 200, statusOK
		}
		if st := cb.sendLocalReply(401, "unauthorized"); st != statusOK {
			return 0, st
		}
		return 401, statusOK

	case filterHeaderGetSet:
		l, a, st := openLookup(cb, &stack)
		var sum uint64
		for _, name := range [...]string{":path", "user-agent", "x-request-id", "accept"} {
			if st != statusOK {
				break
			}
			var d uint64
			d, st = l.digestOf(name)
			sum += d
		}
		// The views may point at headers about to be rewritten: done with them first.
		putArena(a)
		if st != statusOK {
			return 0, st
		}
		if st := cb.setHeader("x-lab-seen", "1"); st != statusOK {
			return 0, st
		}
		if st := cb.setHeader("x-lab-route", "cluster-a"); st != statusOK {
			return 0, st
		}
		return sum, statusOK

	case filterCloneAll:
		l, a, st := openLookup(cb, &stack)
		defer putArena(a)
		if st != statusOK {
			return 0, st
		}
		if l.perCall {
			return 0, statusUnsupported
		}
		// Allocation-heavy on purpose (S12): an owned copy of each header value (one allocation
		// and one copy, no validation), as the C floor's malloc and memcpy and Rust's to_vec.
		owned := make([][]byte, len(l.views))
		var copied uint64
		for i := range l.views {
			v := bytesOf(l.views[i].value)
			owned[i] = make([]byte, len(v))
			copy(owned[i], v)
			copied += uint64(len(v))
		}
		bytesCopied.Add(copied)
		var sum uint64
		for _, v := range owned {
			sum += digest.Sum(v)
		}
		return sum, statusOK

	case filterPanic:
		panic("lab filter panicked on purpose (S10)")

	default:
		return 0, statusUnsupported
	}
}

// onResponseHeaders: header_get_set reads one header and sets one; other filters pass.
func onResponseHeaders(cb callback) (uint64, status) {
	if cb.filter() != filterHeaderGetSet {
		return 0, statusOK
	}
	var stack [maxStackAllocedHeaderSize]header
	l, a, st := openLookup(cb, &stack)
	var sum uint64
	if st == statusOK {
		sum, st = l.digestOf("x-lab-seen")
	}
	putArena(a)
	if st != statusOK {
		return 0, st
	}
	if st := cb.setHeader("x-lab-response", "go"); st != statusOK {
		return 0, st
	}
	return sum, statusOK
}

// onRequestBody: the body filter reads the body; others pass.
func onRequestBody(cb callback) (uint64, status) {
	if cb.filter() != filterBody {
		return 0, statusOK
	}
	b, st := cb.body()
	return digest.Sum(b), st
}
