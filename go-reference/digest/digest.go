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

// Sum is the checksum of b.
func Sum(b []byte) uint64 {
	n := uint64(len(b))
	var h uint64
	for len(b) >= 8 {
		h = bits.RotateLeft64(h^binary.LittleEndian.Uint64(b), rot)
		b = b[8:]
	}
	if len(b) > 0 {
		// Last byte first: byte k of the tail lands in bits 8k..8k+7 (little-endian).
		var w uint64
		for i := len(b) - 1; i >= 0; i-- {
			w = w<<8 | uint64(b[i])
		}
		h = bits.RotateLeft64(h^w, rot)
	}
	return h ^ n*lenMix
}
