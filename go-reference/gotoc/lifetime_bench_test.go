//go:build go1.24

package gotoc

import (
	"fmt"
	"testing"
)

func Benchmark_s09_request_lifetime(b *testing.B) {
	for _, threads := range pick(Threads) {
		l, err := NewLifetime()
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []strategy[*Lifetime]{
			{"unchecked", Unchecked}, {"weak_upgrade", WeakUpgrade}, {"generation_handle", GenerationHandle},
		} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, threads), func(b *testing.B) {
				if threads == 1 {
					run(b, l, s.f)
					return
				}
				crewRun(b, threads, func(_, calls int) (uint64, error) {
					var sum uint64
					for i := 0; i < calls; i++ {
						c, err := s.f(l)
						if err != nil {
							return 0, err
						}
						sum += c
					}
					return sum, nil
				}, nil)
			})
		}
		l.Free()
	}
}
