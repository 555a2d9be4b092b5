/* Native floors: the work of each R->C scenario done by C calling the host directly (lab.h, section
 * "Native floors"). The Rust strategies of a scenario are compared with these: strategy - native is
 * what crossing from Rust costs, and the bench checks both compute the same checksum.
 *
 * This file is its own translation unit: in the normal build each host call below is a real call,
 * as it is from Rust, and only the digests are inlined, as Rust inlines its `digest`; in the
 * cross-language LTO build (LAB_BUILD=lto) the host calls are inlined here as they are into Rust. */
#define _GNU_SOURCE /* syscall(2), for S08's futex lock */
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab.h"
#include "lab_digest.h"

/* The floor's input made opaque to the optimiser once per call, at no instruction, as the Rust
 * side's loop makes its input (case::opaque): where the host call is inlined here (the LTO build),
 * nothing computed from the input, nor the memory it points to, is hoisted out of the loop. */
#define LAB_OPAQUE(x) __asm__ volatile("" : "+r"(x) : : "memory")

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
    /* Keeps the loop, which an inlined empty call would otherwise let the compiler remove: the
     * counter read, not rewritten (LAB_OPAQUE's "+r" costs a move a call here, where the call's
     * input is nothing). */
    __asm__ volatile("" : : "r"(i) : "memory");
  }
  return iters;
}

uint64_t lab_native_s02_pass_string(const uint8_t *ptr, size_t len, uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    uint64_t c;
    LAB_OPAQUE(ptr);
    LAB_OPAQUE(len);
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
    LAB_OPAQUE(req);
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
    LAB_OPAQUE(req);
    if (lab_header_copy(req, name, name_len, buf, cap, &len) != LAB_OK) {
      return 0;
    }
    sum += digest(buf, len);
  }
  return sum;
}

/* The floors' own allocations, counted per thread as the host's allocator counts its own (and as
 * Rust's counting allocator counts the strategies'), so a floor's allocation costs what a row's
 * does. */
static _Thread_local lab_alloc_stats native_stats;

static void *native_alloc(size_t size) {
  native_stats.allocs++;
  native_stats.bytes_allocated += size;
  return malloc(size);
}

static void native_free(void *p) {
  native_stats.frees++;
  free(p);
}

void lab_native_alloc_stats_get(lab_alloc_stats *out) {
  if (out != NULL) {
    *out = native_stats;
  }
}

/* S05's view array lives on the stack up to this many items, on the heap above: `pinned_batch`'s
 * slots (lab_sys::slots::DEFAULT_STACK_SLOTS, S06's threshold). */
#define S05_STACK_VIEWS 16

uint64_t lab_native_s05_pass_batch(const lab_native_bytes *items, size_t n, uint64_t iters) {
  if (n > SIZE_MAX / sizeof(lab_str)) {
    return 0;
  }
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    LAB_OPAQUE(items);
    lab_str stack[S05_STACK_VIEWS];
    lab_str *views = n <= S05_STACK_VIEWS ? stack : native_alloc(n * sizeof(lab_str));
    if (views == NULL) {
      return 0;
    }
    for (size_t j = 0; j < n; j++) {
      views[j].ptr = items[j].ptr;
      views[j].len = items[j].len;
    }
    uint64_t c;
    lab_status st = lab_consume_str_array(views, n, &c);
    if (views != stack) {
      native_free(views);
    }
    if (st != LAB_OK) {
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
    LAB_OPAQUE(req);
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

/* S08's lock: the algorithm of Rust's std::sync::Mutex on Linux (std's sys/sync/mutex/futex.rs,
 * Rust 1.95), so the floor and the `mutex` row take the same lock and differ by the crossing (and
 * std's poison flag, two loads and a branch). A pthread mutex is another algorithm - no spinning
 * before it sleeps - and made the floor 1-230 ns slower than the row it floors under contention.
 * One lock for the native request: its writers share it, as they share the request.
 * States: 0 unlocked, 1 locked, 2 locked with waiters (a futex word). */
enum { S08_UNLOCKED = 0, S08_LOCKED = 1, S08_CONTENDED = 2 };
static uint32_t s08_lock;

/* std's spin(): up to 100 relaxed loads while another thread holds the lock without waiters. */
static uint32_t s08_spin(void) {
  for (int spin = 100;; spin--) {
    uint32_t state = __atomic_load_n(&s08_lock, __ATOMIC_RELAXED);
    if (state != S08_LOCKED || spin == 0) {
      return state;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause(); /* std's hint::spin_loop */
#endif
  }
}

/* std's futex_wait without a timeout: sleeps while the word is still `expected`, again after EINTR. */
static void s08_futex_wait(uint32_t expected) {
  while (__atomic_load_n(&s08_lock, __ATOMIC_RELAXED) == expected) {
    long r = syscall(SYS_futex, &s08_lock, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, NULL,
                     NULL, FUTEX_BITSET_MATCH_ANY);
    if (r >= 0 || errno != EINTR) {
      return;
    }
  }
}

/* std's lock_contended: spin, then mark the lock contended and sleep until it is released. */
__attribute__((cold, noinline)) static void s08_lock_contended(void) {
  uint32_t state = s08_spin();
  if (state == S08_UNLOCKED) {
    uint32_t expected = S08_UNLOCKED;
    if (__atomic_compare_exchange_n(&s08_lock, &expected, S08_LOCKED, 0, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
      return;
    }
    state = expected;
  }
  for (;;) {
    if (state != S08_CONTENDED &&
        __atomic_exchange_n(&s08_lock, S08_CONTENDED, __ATOMIC_ACQUIRE) == S08_UNLOCKED) {
      return;
    }
    s08_futex_wait(S08_CONTENDED);
    state = s08_spin();
  }
}

static inline void s08_acquire(void) {
  uint32_t expected = S08_UNLOCKED;
  if (!__atomic_compare_exchange_n(&s08_lock, &expected, S08_LOCKED, 0, __ATOMIC_ACQUIRE,
                                   __ATOMIC_RELAXED)) {
    s08_lock_contended();
  }
}

/* std's wake(): one waiter; it marks the lock contended again when it takes it, so the others are
 * woken in turn. */
__attribute__((cold, noinline)) static void s08_wake(void) {
  syscall(SYS_futex, &s08_lock, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1);
}

static inline void s08_release(void) {
  if (__atomic_exchange_n(&s08_lock, S08_UNLOCKED, __ATOMIC_RELEASE) == S08_CONTENDED) {
    s08_wake();
  }
}

uint64_t lab_native_s08_cross_thread_writes(lab_request *req, const uint8_t *name, size_t name_len,
                                            const uint8_t *value, size_t value_len,
                                            uint64_t writes) {
  for (uint64_t i = 0; i < writes; i++) {
    s08_acquire();
    lab_status st = lab_header_set(req, name, name_len, value, value_len);
    s08_release();
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
    LAB_OPAQUE(req);
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
    LAB_OPAQUE(s);
    if (lab_stream_receive(s, buf) != LAB_OK) {
      return 0;
    }
    sum += words_checksum(buf->ptr, buf->len);
  }
  return sum;
}
