package gotoc

// The Go->C benchmarks: one top-level benchmark per scenario id, one sub-benchmark per
// strategy and sweep point, named `<strategy>/<params>` as the Rust runner labels them, so
// bench-suite/lab-bench/src/engines/go/ files them beside Rust's records.
//
//	go test -run '^$' -bench . -benchmem ./gotoc          # full sweep
//	go test -run '^$' -bench . -benchmem -short ./gotoc   # quick sweep (first, middle, last)
//
// allocs/op and B/op are Go's (from -benchmem); c-allocs/op is the host's, read from
// lab_alloc_stats_get around 64 untimed calls on one locked OS thread (the host counts per
// thread). The Go glue's own C allocations (C.CString's, cstring_each's, S08's posted task) go
// through the same counters (glue.h), so c-allocs/op includes them.
//
// S08 and S09 run on exactly `writers`/`threads` goroutines (crewRun); their c-allocs/op adds up
// every thread involved: each goroutine locked to its OS thread reads its own counters, and S08
// reads the host worker's on the worker (a posted task). S08's post is 2 C allocations per write:
// the glue's task (conc.c, name and value inline) and the host's header copy; Rust's post is 1
// Rust allocation (its task, the value inline) and 1 C allocation (the header copy).

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
)

// Sweeps, identical to Rust's.
var (
	lens    = []int{8, 16, 64, 256, 1024, 4096, 16384, 65536}
	batches = []int{1, 2, 4, 8, 16, 32, 64, 128, 256}
	counts  = []int{1, 2, 4, 8, 16, 32, 64, 128}
)

// pick is Rust's Sweep::pick: everything, or with -short the first, middle and last element.
func pick(all []int) []int {
	if !testing.Short() {
		return all
	}
	idx := []int{0, len(all) / 2, len(all) - 1}
	var out []int
	for i, j := range idx {
		if i > 0 && j == idx[i-1] {
			continue
		}
		out = append(out, all[j])
	}
	return out
}

// reads is Rust's s06 reads: k in {1, n/4, n/2, n}, k >= 1, without repeats.
func reads(n int) []int {
	var out []int
	for _, k := range []int{1, n / 4, n / 2, n} {
		if k >= 1 && (len(out) == 0 || out[len(out)-1] != k) {
			out = append(out, k)
		}
	}
	return out
}

// sink receives every checksum so no call can be optimised away.
var sink uint64

const allocCalls = 64

// cAllocs reports the host's allocations per call: 64 untimed calls between two reads of the
// calling thread's counters, with the goroutine locked to that thread.
func cAllocs(b *testing.B, f func() (uint64, error)) {
	b.StopTimer()
	runtime.LockOSThread()
	before := AllocStats()
	for i := 0; i < allocCalls; i++ {
		s, err := f()
		if err != nil {
			runtime.UnlockOSThread()
			b.Fatal(err)
		}
		sink += s
	}
	after := AllocStats()
	runtime.UnlockOSThread()
	b.ReportMetric(float64(after.Allocs-before.Allocs)/allocCalls, "c-allocs/op")
}

// run times f over b.N calls, then counts its C allocations.
func run[T any](b *testing.B, in T, f func(T) (uint64, error)) {
	var sum uint64
	gcs := gcCycles()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := f(in)
		if err != nil {
			b.Fatal(err)
		}
		sum += s
	}
	b.StopTimer()
	reportGC(b, gcs)
	sink += sum
	cAllocs(b, func() (uint64, error) { return f(in) })
}

// gcCycles is the number of garbage collections completed so far (the runtime's own counter).
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// reportGC reports the collections completed during the timed calls, per call (gc/op): the share
// of a collection each call paid for, which an allocating strategy's ns/op includes.
func reportGC(b *testing.B, since uint64) {
	b.ReportMetric(float64(gcCycles()-since)/float64(b.N), "gc/op")
}

type strategy[T any] struct {
	name string
	f    func(T) (uint64, error)
}

func Benchmark_s01_call_floor(b *testing.B) {
	in := NewCallInput()
	// The floor runs in the loop every strategy runs in (run: an indirect call and an error check
	// per call), as Rust's floor runs in Case::new's loop like its strategies: a bare loop here
	// left the loop's cost out of the floor alone.
	b.Run("empty_call", func(b *testing.B) {
		run(b, in, func(*CallInput) (uint64, error) { EmptyCall(); return 0, nil })
	})
	// The same arguments every call and the results summed, as Rust's call_with_args: chaining a
	// through the calls (as this did) made each call wait for the last one's result, a dependency
	// Rust's loop does not have. A cgo call is never elided, so nothing is lost without it.
	b.Run("call_with_args", func(b *testing.B) {
		run(b, in, func(in *CallInput) (uint64, error) { return CallWithArgs(in, in.A), nil })
	})
}

func Benchmark_s02_pass_string(b *testing.B) {
	for _, n := range pick(lens) {
		p := NewString(n)
		for _, s := range []strategy[*String]{
			{"cstring", CString}, {"cstring_prechecked", CStringPrechecked}, {"ptr_len", PtrLen},
			{"ptr_len_escape", PtrLenEscape},
		} {
			b.Run(fmt.Sprintf("%s/len=%d", s.name, n), func(b *testing.B) { run(b, p, s.f) })
		}
	}
}

func headerFixture(b *testing.B, n int) *HeaderFixture {
	f, err := NewHeaderFixture(n)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func Benchmark_s03_unknown_length(b *testing.B) {
	for _, n := range pick(lens) {
		f := headerFixture(b, n)
		for _, s := range []strategy[*HeaderFixture]{
			{"borrow", Borrow}, {"clone_on_return", CloneOnReturn},
		} {
			b.Run(fmt.Sprintf("%s/len=%d", s.name, n), func(b *testing.B) { run(b, f, s.f) })
		}
		f.Free()
	}
}

func Benchmark_s04_known_length(b *testing.B) {
	for _, n := range pick(lens) {
		f := headerFixture(b, n)
		// clone_on_return is S03's, the baseline that does not use the known length (as in Rust).
		for _, s := range []strategy[*HeaderFixture]{
			{"prealloc_heap", PreallocHeap}, {"clone_on_return", CloneOnReturn},
		} {
			b.Run(fmt.Sprintf("%s/len=%d", s.name, n), func(b *testing.B) { run(b, f, s.f) })
		}
		f.Free()
	}
}

func Benchmark_s05_pass_batch(b *testing.B) {
	for _, n := range pick(batches) {
		bt := NewBatch(n)
		for _, s := range []strategy[*Batch]{
			{"cstring_each", CStringEach}, {"pinned_batch", PinnedBatch},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", s.name, n), func(b *testing.B) { run(b, bt, s.f) })
		}
	}
}

func Benchmark_s06_read_headers(b *testing.B) {
	for _, n := range pick(counts) {
		for _, k := range reads(n) {
			h, err := NewHeaders(n, k)
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range []strategy[*Headers]{
				{"per_header_call", PerHeaderCall}, {"per_header_copy", PerHeaderCopy},
				{"bulk_copy", BulkCopy},
			} {
				b.Run(fmt.Sprintf("%s/n=%d,k=%d", s.name, n, k), func(b *testing.B) { run(b, h, s.f) })
			}
			h.Free()
		}
	}
}

// crewRun times b.N calls shared by exactly `size` goroutines (not b.RunParallel, which runs
// GOMAXPROCS of them): ns/op is wall time over all calls. Then it counts the host's allocations
// of allocCalls untimed calls on every thread involved: each goroutine locked to its OS thread
// reads its own counters around its share, and `other` (when not nil) reads another thread's
// counters (S08's worker) before and after the round.
func crewRun(b *testing.B, size int, job func(m, calls int) (uint64, error), other func() uint64) {
	gcs := gcCycles()
	b.ResetTimer()
	sum, _, err := Crew(size, b.N, false, job)
	b.StopTimer()
	reportGC(b, gcs)
	if err != nil {
		b.Fatal(err)
	}
	sink += sum
	var before uint64
	if other != nil {
		before = other()
	}
	s, allocs, err := Crew(size, allocCalls, true, job)
	if err != nil {
		b.Fatal(err)
	}
	if other != nil {
		allocs += other() - before
	}
	sink += s
	b.ReportMetric(float64(allocs)/allocCalls, "c-allocs/op")
}

func Benchmark_s08_cross_thread_writes(b *testing.B) {
	for _, wait := range []bool{true, false} {
		w, err := NewWrites(wait)
		if err != nil {
			b.Fatal(err)
		}
		waitParam := 0
		if wait {
			waitParam = 1
		}
		for _, n := range pick(Writers) {
			for _, s := range []struct {
				name string
				f    Writer
			}{{"post", Post}, {"mutex", Mutex}} {
				b.Run(fmt.Sprintf("%s/writers=%d,wait=%d", s.name, n, waitParam), func(b *testing.B) {
					crewRun(b, n, func(m, calls int) (uint64, error) { return s.f(w, m, calls) },
						func() uint64 { return w.WorkerStats().Allocs })
				})
			}
		}
		w.Free()
	}
}

func Benchmark_s13_ownership(b *testing.B) {
	for _, n := range pick(BodyLens) {
		body, err := NewBody(n, 1)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []strategy[*Body]{{"copy", CopyBody}, {"double_buffer", DoubleBuffer}} {
			b.Run(fmt.Sprintf("%s/len=%d", s.name, n), func(b *testing.B) { run(b, body, s.f) })
		}
		body.Free()
	}
}
