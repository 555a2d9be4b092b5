/*
 * lab_digest.h — the checksum every consumer computes over the bytes it receives, in C.
 *
 * The host's consumers (lab_touch and the lab_consume_* functions), the native floors and the C
 * extension compute it; Rust's lab_sys::digest (bench-suite/lab-sys/src/lib.rs) and Go's
 * digest.Sum (go-reference/digest) are the same function, and tests check all three agree on every
 * length. It reads every byte, so a consumer pays for what it is handed as a real one does:
 *
 *   h = 0; for each 8-byte little-endian word w: h = rotl(h ^ w, 29);
 *   the last len % 8 bytes, if any, packed little-endian into one word w: h = rotl(h ^ w, 29);
 *   result = h ^ (len * 0x9E3779B97F4A7C15); NULL or len 0 gives 0.
 *
 * One serial chain of load, xor and rotate per 8 bytes: each step needs the one before, so no
 * compiler can vectorize it or reorder it into a loop of another shape, and the C, Rust and Go
 * loops do the same work. Not part of the ABI (lab.h): a static inline function, inlined into its
 * callers as Rust inlines its digest.
 */
#ifndef FFI_LAB_DIGEST_H
#define FFI_LAB_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LAB_DIGEST_ROT 29
#define LAB_DIGEST_LEN_MIX 0x9E3779B97F4A7C15ull

static inline uint64_t lab_digest_step(uint64_t h, uint64_t w) {
  uint64_t x = h ^ w;
  return (x << LAB_DIGEST_ROT) | (x >> (64 - LAB_DIGEST_ROT));
}

static inline uint64_t lab_digest(const uint8_t *p, size_t len) {
  if (p == NULL || len == 0) {
    return 0;
  }
  uint64_t h = 0;
  size_t i = 0;
  /* Four words a step, as LLVM unrolls Rust's loop (the rustc of rust-toolchain.toml): both then
   * run 11 instructions per 32 bytes (4 xor with the load folded in, 4 rol, 3 of loop), and a C
   * floor does the instructions of the Rust strategy it is compared with. */
#pragma GCC unroll 4
  for (; len - i >= 8; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8); /* one unaligned load; memcpy, as a cast would break aliasing rules */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    h = lab_digest_step(h, w);
  }
  if (i < len) {
    /* The tail, last byte first: byte k of the tail lands in bits 8k..8k+7 (little-endian). */
    uint64_t w = 0;
    for (size_t j = len; j > i; j--) {
      w = (w << 8) | p[j - 1];
    }
    h = lab_digest_step(h, w);
  }
  return h ^ ((uint64_t)len * LAB_DIGEST_LEN_MIX);
}

#endif /* FFI_LAB_DIGEST_H */
