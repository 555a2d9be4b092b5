//go:build go1.24

package gotoc

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

func lifetimeStrategies() []strategy[*Lifetime] {
	return []strategy[*Lifetime]{
		{"unchecked", Unchecked}, {"weak_upgrade", WeakUpgrade}, {"generation_handle", GenerationHandle},
	}
}

// waitRequestsLive collects garbage until the host's live requests fall back to want (the
// weak_upgrade request is freed by a cleanup, after a collection).
func waitRequestsLive(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for RequestsLive() != want {
		if time.Now().After(deadline) {
			t.Fatalf("lab_requests_live = %d, want %d", RequestsLive(), want)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

func TestRequestLifetime(t *testing.T) {
	live := RequestsLive()
	headers, err := RealisticHeaders(lifetimeHeaders, 9)
	if err != nil {
		t.Fatal(err)
	}
	var size uint64
	for _, h := range headers {
		size += uint64(len(h[0]) + len(h[1]))
	}
	want := uint64(len(headers))<<32 ^ size
	if len(headers) != lifetimeHeaders || size == 0 {
		t.Fatalf("s09: realistic request of %d headers, %d bytes", len(headers), size)
	}

	l, err := NewLifetime()
	if err != nil {
		t.Fatal(err)
	}
	agree(t, "s09", l, want, lifetimeStrategies())
	sum, _, err := Crew(2, 100, false, func(_, n int) (uint64, error) {
		var s uint64
		for i := 0; i < n; i++ {
			c, err := GenerationHandle(l)
			if err != nil {
				return 0, err
			}
			s += c
		}
		return s, nil
	})
	if err != nil || sum != want*100 {
		t.Fatalf("s09 threads=2: sum %#x, err %v; want %#x", sum, err, want*100)
	}
	if err := l.Destroy(); err != nil {
		t.Fatal(err)
	}
	for _, s := range lifetimeStrategies()[1:] {
		if _, err := s.f(l); !errors.Is(err, ErrBadHandle) {
			t.Errorf("s09/%s on a destroyed request: err = %v, want %v", s.name, err, ErrBadHandle)
		}
	}
	waitRequestsLive(t, live)
}

// Callers on two goroutines while the request is destroyed: every call returns the right sizes
// or ErrBadHandle, then only ErrBadHandle, and no request leaks.
func TestRequestDestroyedUnderCalls(t *testing.T) {
	live := RequestsLive()
	for round := 0; round < 20; round++ {
		l, err := NewLifetime()
		if err != nil {
			t.Fatal(err)
		}
		want, err := Unchecked(l)
		if err != nil {
			t.Fatal(err)
		}
		var started sync.WaitGroup
		started.Add(2)
		_, _, err = Crew(3, 3, false, func(m, _ int) (uint64, error) {
			if m == 2 {
				started.Wait()
				return 0, l.Destroy()
			}
			f := []func(*Lifetime) (uint64, error){WeakUpgrade, GenerationHandle}[m]
			for i := 0; ; i++ {
				if i == 10 {
					started.Done()
				}
				c, err := f(l)
				if errors.Is(err, ErrBadHandle) {
					if i < 10 {
						started.Done()
					}
					return 0, nil
				}
				if err != nil || c != want {
					return 0, fmt.Errorf("call %d: %#x, %v", i, c, err)
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		l.Free()
	}
	waitRequestsLive(t, live)
}
