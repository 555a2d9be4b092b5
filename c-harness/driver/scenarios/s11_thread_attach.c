/*
 * S11: the first call from a new thread. On each of many fresh threads: the timer's own cost, the
 * floor extension's first call, the measured extension's first call (its per-thread state made),
 * then its steady calls; and that the extension's thread states are released when the threads end.
 */
#include "../engine.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STEADY_CALLS 1000

typedef struct {
  const fixture *f;
  double timer_ns, floor_first_ns, first_ns, steady_ns;
  uint64_t sum, floor_sum;
  lab_status st;
  counters after_first, after_steady;
} attach_run;

static void *attach_thread(void *p) {
  attach_run *a = p;
  lab_entry e = a->f->entry;
  uint64_t r = 0;
  /* The timer's own cost on this thread: an empty interval, the first this thread times. */
  double t0 = now_ns();
  double t1 = now_ns();
  a->timer_ns = t1 - t0;
  /* The C extension's first call on this thread pays what any first call pays here (stack pages,
   * the host's thread-locals, code and data not yet in this core's caches), so the measured
   * extension's first call after it is left with its own per-thread state. */
  if (floor_ext.on_request_headers != NULL) {
    uint64_t fr = 0;
    t0 = now_ns();
    lab_status fst = floor_ext.on_request_headers(&e, &fr);
    t1 = now_ns();
    if (fst != LAB_OK) {
      a->st = fst;
      return NULL;
    }
    a->floor_first_ns = t1 - t0;
    a->floor_sum = fr;
  }
  /* Nothing in the measured extension runs on this thread before this call. */
  t0 = now_ns();
  lab_status st = EXT(on_request_headers)(&e, &r);
  t1 = now_ns();
  a->first_ns = t1 - t0;
  a->sum = r;
  if (st != LAB_OK) {
    a->st = st;
    return NULL;
  }
  a->after_first = counters_now();
  t0 = now_ns();
  for (int i = 0; i < STEADY_CALLS; i++) {
    st = EXT(on_request_headers)(&e, &r);
    if (st != LAB_OK) {
      a->st = st;
      return NULL;
    }
    a->sum += r;
  }
  t1 = now_ns();
  a->steady_ns = (t1 - t0) / STEADY_CALLS;
  a->after_steady = counters_now();
  a->st = LAB_OK;
  return NULL;
}

/* The callgrind pass's S11: a first call is one call per thread, so it is counted on a fresh
 * thread, in a window of its own beside an empty one (`#0`, the markers' own cost, which the
 * counts subtract as the batch of no calls), the thread's first clock reads (the timer row) the
 * same way just before it. The main thread waits in pthread_join meanwhile, running nothing. The
 * counted thread comes after ATTACH_WARM_THREADS that do the same uncounted, so that it finds
 * the process as the timed run's typical thread does: the first new thread of the process pays
 * more in its first call, on either extension (counted first: 2542 instructions for the C
 * extension's first call, 2851 for Rust's, against 1601 and 1910 after two threads). No floor extension runs here:
 * the C extension's first call is its own run's first_call row. */
#define ATTACH_WARM_THREADS 2

typedef struct {
  const fixture *f;
  const window_names *timer, *first; /* NULL: run uncounted */
  const char *aside;
  uint64_t sum;
  lab_status st;
} attach_count;

static void *attach_count_thread(void *p) {
  attach_count *a = p;
  lab_entry e = a->f->entry;
  uint64_t r = 0;
  if (a->timer != NULL) {
    /* The thread's own start (pthread_create's side of it) stays with it until its first dump:
     * a dump no case reads takes it (without it, the timer row's empty window held ~1300 more
     * instructions than its full one). */
    count_throwaway(a->aside);
    count_window_open(a->timer);
  }
  double t0 = now_ns();
  double t1 = now_ns();
  if (a->timer != NULL) {
    count_window_close(a->timer);
    count_window_open(a->first);
  }
  a->st = EXT(on_request_headers)(&e, &r);
  if (a->first != NULL) {
    count_window_close(a->first);
  }
  a->sum = r;
  sink += (uint64_t)(t1 - t0);
  return NULL;
}

static void count_first_calls(const char *sc, const char *params, const fixture *f) {
  char label[256], id[512];
  window_names timer, first;
  params_label(label, sizeof label, params);
  snprintf(id, sizeof id, "%s/timer/%s", sc, label);
  window_names_of(&timer, id);
  snprintf(id, sizeof id, "%s/first_call/%s", sc, label);
  window_names_of(&first, id);
  char aside[256];
  snprintf(aside, sizeof aside, "%s#aside", sc);
  snprintf(current_case, sizeof current_case, "%s/first_call %s (counted)", sc, params);
  for (int t = 0; t <= ATTACH_WARM_THREADS; t++) {
    int counted = t == ATTACH_WARM_THREADS;
    attach_count a = {f, counted ? &timer : NULL, counted ? &first : NULL, aside, 0, LAB_OK};
    run_on_new_thread(attach_count_thread, &a);
    if (a.st != LAB_OK) {
      fail("%s: thread %d: lab_ext_on_request_headers returned %d (%s)", current_case, t,
           (int)a.st, lab_status_str(a.st));
    }
    sink += a.sum;
    /* An ended thread's costs stay with it until the next dump, which zeroing does not reach: a
     * dump no case reads takes them (the warm threads' whole run, the counted one's exit). */
    count_throwaway(aside);
  }
  emit_counted(sc, "timer", params);
  emit_counted(sc, "first_call", params);
}

void s11_thread_attach(void) {
  const char *sc = "s11_thread_attach";
  const char *params = "{\"filter\":\"one_header\"}";
  size_t threads = quick ? 20 : 200;
  snprintf(current_case, sizeof current_case, "%s %s", sc, params);
  fixture *f = fixture_new(0, AUTH_IS_VALID, LAB_FILTER_ONE_HEADER, LAB_ACCESS_LAZY);
  if (counting) {
    count_first_calls(sc, params, f);
    /* The steady calls are a batch: counted on the counting thread, whose state the warm-up made,
     * as a fresh thread's after its first call. */
    count_and_emit(sc, "steady", params, run_request, f);
    fixture_free(f);
    return;
  }
  lab_ext_counters before;
  memset(&before, 0, sizeof before);
  ext.stats(&before);

  double *first = calloc(threads, sizeof *first);
  double *steady = calloc(threads, sizeof *steady);
  double *timer = calloc(threads, sizeof *timer);
  double *floor_first = calloc(threads, sizeof *floor_first);
  if (first == NULL || steady == NULL || timer == NULL || floor_first == NULL) {
    fail("out of memory");
  }
  /* Per-call allocations: first call = the thread's counters after it (a new thread's counters
   * start at zero; the floor's first call before it counts in the floor's own counters, and
   * its lazy one_header read borrows, so it allocates and copies nothing in the host);
   * steady = the delta over the batch. */
  counters zero;
  memset(&zero, 0, sizeof zero);
  alloc_counts first_allocs = {0, 0, 0, 0, 0}, steady_allocs = {0, 0, 0, 0, 0};
  uint64_t sum = 0, floor_sum = 0;
  for (size_t t = 0; t < threads; t++) {
    attach_run a;
    memset(&a, 0, sizeof a);
    a.f = f;
    run_on_new_thread(attach_thread, &a);
    if (a.st != LAB_OK) {
      fail("%s: thread %zu: lab_ext_on_request_headers returned %d (%s)", current_case, t,
           (int)a.st, lab_status_str(a.st));
    }
    first[t] = a.first_ns;
    steady[t] = a.steady_ns;
    timer[t] = a.timer_ns;
    floor_first[t] = a.floor_first_ns;
    sum += a.sum;
    floor_sum += a.floor_sum;
    alloc_counts fa = alloc_delta(&zero, &a.after_first, 1);
    alloc_counts sa = alloc_delta(&a.after_first, &a.after_steady, STEADY_CALLS);
    first_allocs.ext += fa.ext / (double)threads;
    first_allocs.c += fa.c / (double)threads;
    first_allocs.bytes += fa.bytes / (double)threads;
    first_allocs.copied += fa.copied / (double)threads;
    first_allocs.retained += (double)a.after_first.e.bytes_retained / (double)threads;
    steady_allocs.ext += sa.ext / (double)threads;
    steady_allocs.c += sa.c / (double)threads;
    steady_allocs.bytes += sa.bytes / (double)threads;
    steady_allocs.copied += sa.copied / (double)threads;
    steady_allocs.retained += (double)a.after_steady.e.bytes_retained / (double)threads;
  }
  lab_ext_counters after;
  memset(&after, 0, sizeof after);
  ext.stats(&after);
  if (after.live_thread_states != before.live_thread_states) {
    fail("%s: thread-local state leaked: %lld states (%" PRIu64 " live before, %" PRIu64
         " after %zu threads exited)",
         current_case, (long long)(after.live_thread_states - before.live_thread_states),
         before.live_thread_states, after.live_thread_states, threads);
  }
  fprintf(stderr, "%s: ok: live_thread_states back to %" PRIu64 " after %zu threads\n",
          current_case, after.live_thread_states, threads);
  sink += sum;
  alloc_counts none = {0, 0, 0, 0, NAN};
  /* The rows, in the order of their records: each one's ns per thread, its counts and checksum,
   * and whether it was measured. */
  const struct {
    const char *name;
    double *ns;
    alloc_counts allocs;
    uint64_t checksum;
    int measured;
  } rows[] = {
      /* What the timer adds to every first-call figure: subtract it, or compare against it. */
      {"timer", timer, none, 0, 1},
      /* The C extension's first call on the same threads, just before the measured one's. */
      {"c_first_call", floor_first, none, floor_sum, floor_ext.on_request_headers != NULL},
      {"first_call", first, first_allocs, sum, 1},
      {"steady", steady, steady_allocs, sum, 1},
  };
  for (size_t r = 0; r < TABLE_LEN(rows); r++) {
    if (rows[r].measured) {
      emit(sc, rows[r].name, params, summarize(rows[r].ns, threads), rows[r].allocs, NULL,
           rows[r].checksum);
    }
  }
  free(first);
  free(steady);
  free(timer);
  free(floor_first);
  fixture_free(f);
}
