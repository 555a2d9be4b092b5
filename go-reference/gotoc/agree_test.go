package gotoc

import (
	"errors"
	"testing"
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
		{"cstring", CString}, {"ptr_len", PtrLen}, {"ptr_len_escape", PtrLenEscape},
	})

	f, err := NewHeaderFixture(n)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Free()
	value := Digest(Payload(n, 3))
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
		agree(t, "s06", h, want, []strategy[*Headers]{{"bulk_copy", BulkCopy}})
		h.Free()
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
	_, err := CString(&String{B: b, S: string(b)})
	var nul *InteriorNulError
	if !errors.As(err, &nul) || nul.Position != 3 {
		t.Fatalf("cstring with an interior NUL: err = %v, want an InteriorNulError at 3", err)
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
	if got := reads(16); len(got) != 3 || got[0] != 1 || got[1] != 8 || got[2] != 16 {
		t.Errorf("reads(16) = %v", got)
	}
	if got := reads(1); len(got) != 1 || got[0] != 1 {
		t.Errorf("reads(1) = %v", got)
	}
	if got := reads(2); len(got) != 2 {
		t.Errorf("reads(2) = %v", got)
	}
}
