// Package digest is the checksum every consumer computes over the bytes it receives, in Go: the
// same function as the host's lab_touch (c-harness/include/lab_digest.h) and Rust's
// lab_sys::digest, and tests check they agree (gotoc's agree_test.go).
//
// It reads every byte, so a consumer pays for what it is handed as a real one does: a serial chain
// h = rotl(h ^ w, 29) over every 8-byte little-endian word w, then the last len%8 bytes packed
// little-endian into one word, then h ^ len*0x9E3779B97F4A7C15; empty gives 0. Each step needs the
// one before, so C, Rust and Go run the same loop: one load, xor and rotate per 8 bytes.
package digest

import (
	"encoding/binary"
	"math/bits"
)

const (
	rot    = 29
	lenMix = 0x9E3779B97F4A7C15
)

// Sum is the checksum of b. Four words a step, written out, as LLVM unrolls Rust's loop and
// lab_digest.h asks of gcc: gc unrolls no loop itself, and pays its loop arithmetic and bounds
// check once per 32 bytes instead of once per word.
func Sum(b []byte) uint64 {
	var h uint64
	i := 0
	for ; len(b)-i >= 32; i += 32 {
		c := b[i : i+32 : i+32] // one bounds check for the four loads
		h = bits.RotateLeft64(h^binary.LittleEndian.Uint64(c[0:8]), rot)
		h = bits.RotateLeft64(h^binary.LittleEndian.Uint64(c[8:16]), rot)
		h = bits.RotateLeft64(h^binary.LittleEndian.Uint64(c[16:24]), rot)
		h = bits.RotateLeft64(h^binary.LittleEndian.Uint64(c[24:32]), rot)
	}
	for ; len(b)-i >= 8; i += 8 {
		h = bits.RotateLeft64(h^binary.LittleEndian.Uint64(b[i:i+8]), rot)
	}
	if i < len(b) {
		// Last byte first: byte k of the tail lands in bits 8k..8k+7 (little-endian).
		var w uint64
		for j := len(b) - 1; j >= i; j-- {
			w = w<<8 | uint64(b[j])
		}
		h = bits.RotateLeft64(h^w, rot)
	}
	return h ^ uint64(len(b))*lenMix
}
