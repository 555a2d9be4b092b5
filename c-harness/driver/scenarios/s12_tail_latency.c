/*
 * S12: tail latency. Every call timed singly into a log-bucket histogram, for a filter that
 * allocates nothing and one that clones every header; then the timer's own share, the same two
 * clock reads with nothing between them.
 */
#include "../engine.h"
#include "../histogram.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* S12's timer row as the callgrind pass counts it: iters pairs of the clock reads that bracket
 * each timed call. */
static uint64_t run_clock_pairs(void *ctx, uint64_t iters) {
  (void)ctx;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    sum += (uint64_t)(b.tv_nsec - a.tv_nsec);
  }
  return sum;
}

/* The strategies: the filter each one's requests run (through bulk_borrow). */
static const struct {
  const char *name;
  lab_filter filter;
} strategies[] = {{"alloc_free", LAB_FILTER_ONE_HEADER}, {"alloc_heavy", LAB_FILTER_CLONE_ALL}};

void s12_tail_latency(void) {
  const char *sc = "s12_tail_latency";
  uint64_t calls = quick ? 20000 : 1000000;
  histogram *hist = malloc(sizeof *hist);
  if (hist == NULL) {
    fail("out of memory");
  }
  for (size_t s = 0; s < TABLE_LEN(strategies); s++) {
    char params[64];
    snprintf(params, sizeof params, "{\"calls\":%" PRIu64 "}", calls);
    snprintf(current_case, sizeof current_case, "%s/%s %s", sc, strategies[s].name, params);
    fixture *f = fixture_new(0, AUTH_IS_VALID, strategies[s].filter, LAB_ACCESS_BULK_BORROW);
    if (counting) {
      /* The calls the histogram times one by one, counted as a batch (the clock reads aside). */
      count_and_emit(sc, strategies[s].name, params, run_request, f);
      fixture_free(f);
      continue;
    }
    memset(hist, 0, sizeof *hist);
    sink += fixture_requests(f, 1000); /* warm-up */
    uint64_t sum = 0;
    for (uint64_t i = 0; i < calls; i++) {
      lab_entry e = f->entry;
      uint64_t r = 0;
      struct timespec a, b;
      clock_gettime(CLOCK_MONOTONIC, &a);
      lab_status st = ext.on_request_headers(&e, &r);
      clock_gettime(CLOCK_MONOTONIC, &b);
      if (st != LAB_OK) {
        fail_status("lab_ext_on_request_headers", st);
      }
      sum += r;
      int64_t ns = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
      hist_record(hist, ns > 0 ? (uint64_t)ns : 0);
    }
    sink += sum;
    uint64_t alloc_sum = 0;
    alloc_counts al = measure_allocs(run_request, f, &alloc_sum);
    summary sm = {hist_quantile(hist, 0.5), hist_quantile(hist, 0.25), hist_quantile(hist, 0.99)};
    char pct[192];
    snprintf(pct, sizeof pct, "{\"p50\":%.3f,\"p99\":%.3f,\"p99.9\":%.3f,\"max\":%.3f}",
             hist_quantile(hist, 0.5), hist_quantile(hist, 0.99), hist_quantile(hist, 0.999),
             (double)hist->max);
    emit(sc, strategies[s].name, params, sm, al, pct, sum);
    fixture_free(f);
  }
  {
    /* The timer's own share of every single-call figure: the same two clock reads with nothing
     * between them (an S12 p50 of ~60 ns holds ~20 ns of it). After the strategies, so that their
     * rows come first in the record and the report. */
    char params[64];
    snprintf(params, sizeof params, "{\"calls\":%" PRIu64 "}", calls);
    snprintf(current_case, sizeof current_case, "%s/timer %s", sc, params);
    if (counting) {
      count_and_emit(sc, "timer", params, run_clock_pairs, NULL);
      free(hist);
      return;
    }
    memset(hist, 0, sizeof *hist);
    for (uint64_t i = 0; i < calls; i++) {
      struct timespec a, b;
      clock_gettime(CLOCK_MONOTONIC, &a);
      clock_gettime(CLOCK_MONOTONIC, &b);
      int64_t ns = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
      hist_record(hist, ns > 0 ? (uint64_t)ns : 0);
    }
    summary sm = {hist_quantile(hist, 0.5), hist_quantile(hist, 0.25), hist_quantile(hist, 0.99)};
    char pct[192];
    snprintf(pct, sizeof pct, "{\"p50\":%.3f,\"p99\":%.3f,\"p99.9\":%.3f,\"max\":%.3f}",
             hist_quantile(hist, 0.5), hist_quantile(hist, 0.99), hist_quantile(hist, 0.999),
             (double)hist->max);
    alloc_counts none = {0, 0, 0, 0, NAN};
    emit(sc, "timer", params, sm, none, pct, 0);
  }
  free(hist);
}
