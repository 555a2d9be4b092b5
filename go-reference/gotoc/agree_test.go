package gotoc

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"ffilab/goref/digest"
)

// The Rust runner checks that the strategies of a scenario agree at each sweep point; so does
// this test, at one point of each sweep, against the checksum computed independently in Go.

func agree[T any](t *testing.T, scenario string, in T, want uint64, strategies []strategy[T]) {
	t.Helper()
	for _, s := range strategies {
		got, err := s.f(in)
		if err != nil {
			t.Fatalf("%s/%s: %v", scenario, s.name, err)
		}
		if got != want {
			t.Errorf("%s/%s: checksum %#x, want %#x", scenario, s.name, got, want)
		}
	}
}

func TestStrategiesAgree(t *testing.T) {
	const n = 1024
	p := NewString(n)
	agree(t, "s02", p, Touch(p.B), []strategy[*String]{
		{"cstring", CString}, {"cstring_prechecked", CStringPrechecked}, {"ptr_len", PtrLen},
		{"ptr_len_escape", PtrLenEscape},
	})

	f, err := NewHeaderFixture(n)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Free()
	value := digest.Sum(Payload(n, 3))
	agree(t, "s03/s04", f, value, []strategy[*HeaderFixture]{
		{"borrow", Borrow}, {"clone_on_return", CloneOnReturn}, {"prealloc_heap", PreallocHeap},
	})

	for _, size := range []int{16, 128} { // the stack array and the heap slice of pinned_batch
		bt := NewBatch(size)
		var want uint64
		for _, it := range bt.Items {
			want += Touch(it)
		}
		agree(t, "s05", bt, want, []strategy[*Batch]{
			{"cstring_each", CStringEach}, {"pinned_batch", PinnedBatch},
		})
	}

	for _, hk := range [][2]int{{16, 8}, {32, 16}} { // bulk_copy's stack views and heap views
		h, err := NewHeaders(hk[0], hk[1])
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Wanted) != hk[1] {
			t.Fatalf("s06: %d wanted names, want %d", len(h.Wanted), hk[1])
		}
		want, err := PerHeaderCall(h)
		if err != nil {
			t.Fatal(err)
		}
		if want == 0 {
			t.Fatal("s06: per_header_call read nothing")
		}
		agree(t, "s06", h, want, []strategy[*Headers]{{"per_header_copy", PerHeaderCopy}, {"bulk_copy", BulkCopy}})
		h.Free()
	}
}

// The Go glue's C allocations count on the calling thread, exactly: one per C string, every one
// freed, and none for the pointer array (stack up to 16 items, a Go slice above).
func TestGlueCAllocsCounted(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	counted := func(name string, f func() (uint64, error)) CStats {
		t.Helper()
		before := AllocStats()
		if _, err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		after := AllocStats()
		return CStats{Allocs: after.Allocs - before.Allocs, Frees: after.Frees - before.Frees,
			BytesAllocated: after.BytesAllocated - before.BytesAllocated}
	}
	for _, n := range []int{0, 8, 1024} {
		p := NewString(n)
		got := counted("cstring", func() (uint64, error) { return CString(p) })
		if want := (CStats{Allocs: 1, Frees: 1, BytesAllocated: uint64(n + 1)}); got != want {
			t.Errorf("s02/cstring len=%d: C allocations %+v, want %+v", n, got, want)
		}
		got = counted("cstring_prechecked", func() (uint64, error) { return CStringPrechecked(p) })
		if want := (CStats{Allocs: 1, Frees: 1, BytesAllocated: uint64(n + 1)}); got != want {
			t.Errorf("s02/cstring_prechecked len=%d: C allocations %+v, want %+v", n, got, want)
		}
		if got := counted("ptr_len", func() (uint64, error) { return PtrLen(p) }); got != (CStats{}) {
			t.Errorf("s02/ptr_len len=%d: C allocations %+v, want none", n, got)
		}
	}
	for _, n := range []int{1, 16, 17, 128} {
		bt := NewBatch(n)
		var size uint64
		for _, it := range bt.Items {
			size += uint64(len(it) + 1)
		}
		got := counted("cstring_each", func() (uint64, error) { return CStringEach(bt) })
		if want := (CStats{Allocs: uint64(n), Frees: uint64(n), BytesAllocated: size}); got != want {
			t.Errorf("s05/cstring_each n=%d: C allocations %+v, want %+v", n, got, want)
		}
		if got := counted("pinned_batch", func() (uint64, error) { return PinnedBatch(bt) }); got != (CStats{}) {
			t.Errorf("s05/pinned_batch n=%d: C allocations %+v, want none", n, got)
		}
	}
}

func TestWantedSpread(t *testing.T) {
	// k = 1 reads the middle header, not the first.
	h, err := NewHeaders(16, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Free()
	if got := string(h.Wanted[0]); got != "cookie" { // header 8 of the realistic set
		t.Errorf("n=16,k=1 reads %q, want the middle header", got)
	}
}

func TestCStringRefusesInteriorNul(t *testing.T) {
	b := []byte("abc\x00def")
	_, err := CString(StringOf(b))
	var nul *InteriorNulError
	if !errors.As(err, &nul) || nul.Position != 3 {
		t.Fatalf("cstring with an interior NUL: err = %v, want an InteriorNulError at 3", err)
	}
	_, err = CStringPrechecked(StringOf(b))
	if !errors.As(err, &nul) || nul.Position != 3 {
		t.Fatalf("cstring_prechecked with an interior NUL: err = %v, want an InteriorNulError at 3", err)
	}
	bt := &Batch{Items: [][]byte{[]byte("fine"), b}}
	if _, err := CStringEach(bt); !errors.As(err, &nul) {
		t.Fatalf("cstring_each with an interior NUL: err = %v, want an InteriorNulError", err)
	}
	// pinned_batch carries the NUL: (ptr, len) strings may hold any byte.
	if _, err := PinnedBatch(bt); err != nil {
		t.Fatalf("pinned_batch: %v", err)
	}
}

func TestSweeps(t *testing.T) {
	if got := reads(16); len(got) != 4 || got[0] != 1 || got[1] != 4 || got[2] != 8 || got[3] != 16 {
		t.Errorf("reads(16) = %v", got)
	}
	if got := reads(1); len(got) != 1 || got[0] != 1 {
		t.Errorf("reads(1) = %v", got)
	}
	if got := reads(2); len(got) != 2 {
		t.Errorf("reads(2) = %v", got)
	}
}

// ---------------------------------------------------------------------------------------------
// S08, S09, S13
// ---------------------------------------------------------------------------------------------

func TestCrossThreadWritesApplied(t *testing.T) {
	for _, wait := range []bool{true, false} {
		w, err := NewWrites(wait)
		if err != nil {
			t.Fatal(err)
		}
		for _, writers := range Writers {
			for _, s := range []struct {
				name string
				f    Writer
			}{{"post", Post}, {"mutex", Mutex}} {
				// A value the headers do not hold yet, so reading it back proves the writes landed.
				w.Value = Payload(ValueLen, uint64(100+writers))
				const writes = 37
				before := w.WorkerStats().Allocs
				sum, allocs, err := Crew(writers, writes, true, func(m, n int) (uint64, error) { return s.f(w, m, n) })
				if err != nil {
					t.Fatalf("s08/%s writers=%d wait=%v: %v", s.name, writers, wait, err)
				}
				allocs += w.WorkerStats().Allocs - before
				if want := Touch(w.Value) * writes; sum != want {
					t.Errorf("s08/%s writers=%d: checksum %#x, want %#x", s.name, writers, sum, want)
				}
				// Per write, the header's new block (on the worker for post, on the writer for
				// mutex) and, for post, the glue's task on the writer: the count covers the
				// writers' threads and the worker's.
				perWrite := uint64(1)
				if s.name == "post" {
					perWrite = 2
				}
				if allocs != perWrite*writes {
					t.Errorf("s08/%s writers=%d wait=%v: %d C allocations for %d writes, want %d", s.name, writers, wait, allocs, writes, perWrite*writes)
				}
				for i := 0; i < writers; i++ {
					read := w.LockedValue
					if s.name == "post" {
						read = w.PostedValue
					}
					got, err := read(i)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, w.Value) {
						t.Errorf("s08/%s writers=%d: writer %d's header is %q, want %q", s.name, writers, i, got, w.Value)
					}
				}
			}
		}
		w.Free()
	}
	if got := Share(10, 4, 0) + Share(10, 4, 1) + Share(10, 4, 2) + Share(10, 4, 3); got != 10 || Share(10, 4, 1) != 3 || Share(10, 4, 2) != 2 {
		t.Errorf("Share splits 10 calls over 4 members wrongly")
	}
}

// bodyChecksum is s13_ownership::checksum written byte by byte, from its definition: the length
// rotated left by 32, plus byte i shifted left by 8*(i mod 8), all wrapping (the sum of the
// little-endian words, the zero-padded tail included).
func bodyChecksum(b []byte) uint64 {
	sum := uint64(len(b))<<32 | uint64(len(b))>>32
	for i, c := range b {
		sum += uint64(c) << (8 * (i % 8))
	}
	return sum
}

// streamBytes is what lab_stream_new(chunk, n, seed) generates: splitmix64 words from `seed`,
// little-endian, over chunk*n bytes.
func streamBytes(chunk, n int, seed uint64) []byte {
	out := make([]byte, chunk*n)
	state := seed
	for at := 0; at < len(out); at += 8 {
		state += 0x9E3779B97F4A7C15
		z := state
		z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
		z = (z ^ z>>27) * 0x94D049BB133111EB
		z ^= z >> 31
		for j := 0; j < 8 && at+j < len(out); j++ {
			out[at+j] = byte(z >> (8 * j))
		}
	}
	return out
}

func TestBodyChecksum(t *testing.T) {
	if Checksum(nil) != 0 {
		t.Errorf("checksum of nothing = %#x, want 0", Checksum(nil))
	}
	base := make([]byte, 37)
	for i := range base {
		base[i] = byte(i)
	}
	if got, want := Checksum(base), bodyChecksum(base); got != want {
		t.Errorf("checksum(0..37) = %#x, want %#x", got, want)
	}
	for i := range base {
		changed := bytes.Clone(base)
		changed[i] ^= 1
		if Checksum(changed) == Checksum(base) {
			t.Errorf("checksum misses byte %d", i)
		}
	}
	if Checksum(base) == Checksum(base[:36]) {
		t.Error("checksum misses the length")
	}
}

// Both strategies over streams of three distinct chunks: each call reads the chunk just
// received (not the buffer handed back), and its checksum is the definition's over the host's data.
func TestBodyHandoff(t *testing.T) {
	for _, n := range []int{1021, 1024, 16384} { // 1021: a tail shorter than a word
		b, err := NewBody(n, 3)
		if err != nil {
			t.Fatal(err)
		}
		data := streamBytes(n, 3, BodySeed)
		for call := 0; call < 7; call++ {
			want := bodyChecksum(data[call%3*n : (call%3+1)*n])
			agree(t, fmt.Sprintf("s13 len=%d call %d", n, call), b, want, []strategy[*Body]{
				{"copy", CopyBody}, {"double_buffer", DoubleBuffer},
			})
		}
		b.Free()
	}
}
