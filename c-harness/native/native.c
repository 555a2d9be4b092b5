/* Native floors: the work of each R->C scenario done by C calling the host directly (lab.h, section
 * "Native floors"). The Rust strategies of a scenario are compared with these: strategy - native is
 * what crossing from Rust costs, and the bench checks both compute the same checksum.
 *
 * This file is its own translation unit and the build uses no LTO, so each host call below is a
 * real call, as it is from Rust; only the digests are inlined, as Rust inlines its `digest`. */
#include <pthread.h>
#include <string.h>

#include "lab.h"
#include "lab_digest.h"

/* Rust's lab_sys::digest: the same checksum, inlined as Rust inlines its. */
static inline uint64_t digest(const uint8_t *p, size_t len) { return lab_digest(p, len); }

/* S13's checksum: the length rotated by 32 plus every little-endian 8-byte word, the tail padded
 * with zeros (bench-suite/lab-bench/src/r2c/s13_ownership.rs). Written as the loop LLVM makes of the
 * Rust one (objdump of the bench binary): two 16-byte sums of two words each, 32 bytes a step,
 * then the words left one by one. Left to itself gcc 12 -O2 made other loops of it - a 32-byte
 * store to the stack and four reloads per step (25 % slower than Rust's), or, with four scalar
 * sums, a 64-byte step (20-30 % faster) - and the floor measured the two compilers instead of the
 * boundary. The sums are mod 2^64, so any order agrees. */
typedef uint64_t u64x2 __attribute__((vector_size(16)));

static inline uint64_t words_checksum(const uint8_t *p, size_t len) {
  uint64_t l = (uint64_t)len;
  u64x2 s0 = {(l << 32) | (l >> 32), 0}, s1 = {0, 0};
  size_t i = 0;
  for (; i + 32 <= len; i += 32) {
    u64x2 w0, w1;
    memcpy(&w0, p + i, 16); /* x86-64 is little-endian, as u64::from_le_bytes reads */
    memcpy(&w1, p + i + 16, 16);
    s0 += w0;
    s1 += w1;
  }
  uint64_t a = s0[0] + s0[1] + s1[0] + s1[1];
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    a += w;
  }
  uint64_t last = 0;
  if (i < len) {
    memcpy(&last, p + i, len - i);
  }
  return a + last;
}

uint64_t lab_native_s01_call_floor(uint64_t iters) {
  for (uint64_t i = 0; i < iters; i++) {
    lab_noop();
  }
  return iters;
}

uint64_t lab_native_s02_pass_string(const uint8_t *ptr, size_t len, uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    uint64_t c;
    if (lab_consume_str(ptr, len, &c) != LAB_OK) {
      return 0;
    }
    sum += c;
  }
  return sum;
}

uint64_t lab_native_s03_unknown_length(const lab_request *req, const uint8_t *name, size_t name_len,
                                       uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    lab_str v;
    if (lab_header_get(req, name, name_len, &v) != LAB_OK) {
      return 0;
    }
    sum += digest(v.ptr, v.len);
  }
  return sum;
}

uint64_t lab_native_s04_known_length(const lab_request *req, const uint8_t *name, size_t name_len,
                                     uint8_t *buf, size_t cap, uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    size_t len;
    if (lab_header_copy(req, name, name_len, buf, cap, &len) != LAB_OK) {
      return 0;
    }
    sum += digest(buf, len);
  }
  return sum;
}

uint64_t lab_native_s05_pass_batch(const lab_str *items, size_t n, uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    uint64_t c;
    if (lab_consume_str_array(items, n, &c) != LAB_OK) {
      return 0;
    }
    sum += c;
  }
  return sum;
}

uint64_t lab_native_s06_read_headers(const lab_request *req, const lab_str *names, size_t k,
                                     uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    for (size_t j = 0; j < k; j++) {
      lab_str v;
      if (lab_header_get(req, names[j].ptr, names[j].len, &v) != LAB_OK) {
        return 0;
      }
      sum += digest(v.ptr, v.len);
    }
  }
  return sum;
}

/* One lock for S08's native request: its writers share it, as they share the request. */
static pthread_mutex_t s08_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t lab_native_s08_cross_thread_writes(lab_request *req, const uint8_t *name, size_t name_len,
                                            const uint8_t *value, size_t value_len,
                                            uint64_t writes) {
  for (uint64_t i = 0; i < writes; i++) {
    pthread_mutex_lock(&s08_lock);
    lab_status st = lab_header_set(req, name, name_len, value, value_len);
    pthread_mutex_unlock(&s08_lock);
    if (st != LAB_OK) {
      return 0;
    }
  }
  return lab_touch(value, value_len) * writes;
}

uint64_t lab_native_s09_request_lifetime(const lab_request *req, uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    size_t count, bytes;
    if (lab_headers_size(req, &count, &bytes) != LAB_OK) {
      return 0;
    }
    sum += ((uint64_t)count << 32) ^ (uint64_t)bytes;
  }
  return sum;
}

uint64_t lab_native_s13_ownership(lab_stream *s, lab_body_buf *buf, uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    if (lab_stream_receive(s, buf) != LAB_OK) {
      return 0;
    }
    sum += words_checksum(buf->ptr, buf->len);
  }
  return sum;
}
