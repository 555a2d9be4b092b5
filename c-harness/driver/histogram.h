/*
 * The driver's log-bucket histogram (HDR style), for a scenario that times every call singly
 * (S12): values < 32 exact; above, each power of two [2^e, 2^(e+1)) is split into 32 linear
 * sub-buckets of width 2^(e-5), so a value's bucket is within 1/32 of it.
 *
 * Static functions in a header, compiled into the file of the loop that records: hist_record runs
 * between two timed calls, and a call into another file there would change the loop. They are
 * marked unused so that a file may include the header without calling every function.
 */
#ifndef LAB_DRIVER_HISTOGRAM_H
#define LAB_DRIVER_HISTOGRAM_H

#include <math.h>
#include <stdint.h>

#define HIST_SUB 32u
#define HIST_BUCKETS ((64u - 4u) * HIST_SUB)

typedef struct {
  uint64_t counts[HIST_BUCKETS];
  uint64_t total;
  uint64_t max;
} histogram;

__attribute__((unused)) static unsigned hist_index(uint64_t v) {
  if (v < HIST_SUB) {
    return (unsigned)v;
  }
  unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= 5 */
  unsigned sub = (unsigned)(v >> (e - 5u)) & (HIST_SUB - 1u);
  return (e - 4u) * HIST_SUB + sub;
}

/* The highest value that lands in bucket i. */
__attribute__((unused)) static uint64_t hist_upper(unsigned i) {
  if (i < HIST_SUB) {
    return i;
  }
  unsigned e = i / HIST_SUB + 4u;
  uint64_t sub = i % HIST_SUB;
  uint64_t width = 1ull << (e - 5u);
  return (1ull << e) + sub * width + (width - 1u);
}

__attribute__((unused)) static void hist_record(histogram *h, uint64_t v) {
  h->counts[hist_index(v)]++;
  h->total++;
  if (v > h->max) {
    h->max = v;
  }
}

/* The value at quantile q (0 < q <= 1): highest equivalent value of the bucket holding the
 * ceil(q * total)-th smallest value, capped at the exact max. */
__attribute__((unused)) static double hist_quantile(const histogram *h, double q) {
  if (h->total == 0) {
    return 0;
  }
  uint64_t rank = (uint64_t)ceil(q * (double)h->total);
  if (rank < 1) {
    rank = 1;
  }
  uint64_t seen = 0;
  for (unsigned i = 0; i < HIST_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen >= rank) {
      uint64_t v = hist_upper(i);
      return (double)(v < h->max ? v : h->max);
    }
  }
  return (double)h->max;
}

#endif
