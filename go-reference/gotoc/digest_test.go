package gotoc

import (
	"testing"

	"ffilab/goref/digest"
)

// filler is bytes of every value (high bits set included), the same for the same seed: the
// filler of lab-bench's properties test strings.rs.
func filler(n int, seed uint64) []byte {
	state := seed | 1
	out := make([]byte, n)
	for i := range out {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		out[i] = byte(state >> 56)
	}
	return out
}

// TestDigestIsTouch: Go's digest.Sum and the host's lab_touch (C, through cgo) are one function:
// every length up to 80 (each tail length, and 0) and large ones, from slices starting at each
// offset within an 8-byte word, over several fillers.
func TestDigestIsTouch(t *testing.T) {
	lens := []int{127, 128, 129, 1023, 1024, 1031, 4096, 65535, 65536, 65543}
	for n := 0; n <= 80; n++ {
		lens = append(lens, n)
	}
	for _, n := range lens {
		for _, seed := range []uint64{1, 0x9E3779B9, 0xDEADBEEFCAFE} {
			buf := filler(n+7, seed)
			for off := 0; off < 8; off++ {
				b := buf[off : off+n]
				if got, want := digest.Sum(b), Touch(b); got != want {
					t.Fatalf("len %d seed %#x offset %d: digest.Sum %#x, lab_touch %#x", n, seed, off, got, want)
				}
			}
		}
	}
	if got := digest.Sum(nil); got != 0 || Touch(nil) != 0 {
		t.Fatalf("empty: digest.Sum %#x, lab_touch %#x; want 0", got, Touch(nil))
	}
}

// TestDigestReadsEveryByte: changing any one byte changes the checksum.
func TestDigestReadsEveryByte(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 64, 1027} {
		b := filler(n, 7)
		d := digest.Sum(b)
		for i := range b {
			c := append([]byte(nil), b...)
			c[i] ^= 1
			if digest.Sum(c) == d {
				t.Fatalf("len %d: byte %d not read", n, i)
			}
		}
	}
}
