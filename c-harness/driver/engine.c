/*
 * The driver's engine: the run's state, the one timing loop, the allocation counts, the records
 * (JSON Lines) and the interleaved plan that times a scenario's cases of one work in turn. The
 * scenario files (scenarios/sNN_*.c) call it through engine.h; the callgrind pass is count.c, the
 * fixtures fixture.c, the options and main main.c.
 */
#include "engine.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------
 * The run: the extension, the options, the output
 * ---------------------------------------------------------------------------------------------- */

ext_api ext;

/* The floor: a private copy of the C extension (a copy, so that it is a separate instance even
 * when it is the extension measured), all NULL without --floor-ext. S11 calls it first on each new
 * thread; the interleaved pass times its cases in the same rounds as the measured extension's, so
 * both sides of a ratio to the floor run in this process, milliseconds apart. */
ext_api floor_ext;
int floor_is_self;

const lab_host_api *host;
int quick;
int counting;
/* A garbage-collected extension needs a few: its counts are process-wide, and its runtime may
 * start a thread (and allocate its structures) mid-run. */
uint64_t leak_tolerance;
int skip_panics;
FILE *out;
const char *out_path;

char current_case[256] = "setup";

volatile uint64_t sink;

__attribute__((format(printf, 1, 2), noreturn)) void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("lab-driver: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  if (out != NULL) {
    fflush(out);
  }
  exit(1);
}

__attribute__((noreturn)) void fail_status(const char *what, lab_status st) {
  fail("%s: %s returned %d (%s)", current_case, what, (int)st, lab_status_str(st));
}

/* ------------------------------------------------------------------------------------------------
 * Measurement: the one timing loop, the allocation counts
 * ---------------------------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Quantile q of sorted v[0 .. n), linearly interpolated. */
static double quantile(const double *v, size_t n, double q) {
  if (n == 0) {
    return 0;
  }
  double pos = q * (double)(n - 1);
  size_t i = (size_t)pos;
  if (i + 1 >= n) {
    return v[n - 1];
  }
  double frac = pos - (double)i;
  return v[i] + (v[i + 1] - v[i]) * frac;
}

summary summarize(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return (summary){quantile(v, n, 0.5), quantile(v, n, 0.25), quantile(v, n, 0.75)};
}

#define MAX_SAMPLES 41

/* Calibrates iters so one sample lasts >= 2 ms (50 us quick): long enough that a timer read and
 * the odd interrupt vanish in the batch. Runs one warm-up sample, then 41 (9) samples; returns
 * median, p25 and p75 of the per-call ns. */
static summary measure(run_fn run, void *ctx) {
  const double target = quick ? 50e3 : 2e6;
  const size_t samples = quick ? 9 : MAX_SAMPLES;
  uint64_t iters = 1;
  for (;;) {
    double t0 = now_ns();
    sink += run(ctx, iters);
    double dt = now_ns() - t0;
    if (dt >= target) {
      break;
    }
    uint64_t next = iters * 2;
    if (dt > 0) {
      double guess = (double)iters * target / dt * 1.1;
      if (guess > (double)next) {
        next = guess > (double)iters * 100 ? iters * 100 : (uint64_t)guess;
      }
    }
    iters = next;
  }
  sink += run(ctx, iters); /* warm-up sample */
  double per_call[MAX_SAMPLES];
  for (size_t s = 0; s < samples; s++) {
    double t0 = now_ns();
    sink += run(ctx, iters);
    per_call[s] = (now_ns() - t0) / (double)iters;
  }
  return summarize(per_call, samples);
}

alloc_counts alloc_delta(const counters *a, const counters *b, double n) {
  alloc_counts r;
  r.c = (double)(b->c.allocs - a->c.allocs) / n;
  r.ext = (double)(b->e.allocs - a->e.allocs) / n;
  r.bytes = (double)((b->c.bytes_allocated - a->c.bytes_allocated) +
                     (b->e.bytes_allocated - a->e.bytes_allocated)) /
            n;
  /* The extension's own copies plus the host's copies into the extension's buffers (bulk_copy). */
  r.copied = (double)((b->c.bytes_copied - a->c.bytes_copied) +
                      (b->e.bytes_copied - a->e.bytes_copied)) /
             n;
  r.retained = NAN;
  return r;
}

#define ALLOC_N 64

/* Untimed: one warm-up call, then ALLOC_N calls between two reads of both sides' counters (on this
 * thread: the counters are per thread). *checksum receives the ALLOC_N calls' checksum. */
alloc_counts measure_allocs(run_fn run, void *ctx, uint64_t *checksum) {
  sink += run(ctx, 1);
  counters a = counters_now();
  uint64_t sum = run(ctx, ALLOC_N);
  counters b = counters_now();
  sink += sum;
  *checksum = sum;
  return alloc_delta(&a, &b, ALLOC_N);
}

/* ------------------------------------------------------------------------------------------------
 * Records
 * ---------------------------------------------------------------------------------------------- */

/* The line of a counted case: what lab-bench files the counts of `<scenario>/<strategy>/<params
 * label>` under. */
void emit_counted(const char *scenario, const char *strategy, const char *params) {
  fprintf(out, "{\"scenario\":\"%s\",\"strategy\":\"%s\",\"params\":%s,\"counted\":true}\n",
          scenario, strategy, params);
  fflush(out);
  if (ferror(out)) {
    fail("cannot write %s: %s", out_path != NULL ? out_path : "stdout", strerror(errno));
  }
  fprintf(stderr, "%s/%s %s: counted\n", scenario, strategy, params);
}

/* A JSON array of n ns figures, or null for none. */
static void emit_rounds(const char *key, const double *v, size_t n) {
  fprintf(out, ",\"%s\":", key);
  if (v == NULL) {
    fputs("null", out);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    fprintf(out, "%c%.3f", i == 0 ? '[' : ',', v[i]);
  }
  fputs(n == 0 ? "[]" : "]", out);
}

/* One record. per_round / floor_per_round (NULL where not measured so): the case's ns per call in
 * each of the `rounds` interleaved rounds, and the floor extension's same case in the same rounds;
 * lab-bench turns them into ratios (driver.rs), so the ratio arithmetic exists once. */
void emit_interleaved(const char *scenario, const char *strategy, const char *params, summary s,
                      alloc_counts a, const char *percentiles, uint64_t checksum,
                      const double *per_round, const double *floor_per_round, size_t rounds) {
  char retained[32] = "null";
  if (!isnan(a.retained)) {
    snprintf(retained, sizeof retained, "%.3f", a.retained);
  }
  fprintf(out,
          "{\"scenario\":\"%s\",\"strategy\":\"%s\",\"params\":%s,"
          "\"ns_per_call\":{\"median\":%.3f,\"low\":%.3f,\"high\":%.3f},"
          "\"allocs_per_call\":{\"ext\":%.3f,\"c\":%.3f},\"bytes_allocated_per_call\":%.3f,"
          "\"bytes_copied_per_call\":%.3f,\"retained_bytes\":%s,"
          "\"percentiles_ns\":%s,\"checksum\":%llu",
          scenario, strategy, params, s.median, s.low, s.high, a.ext, a.c, a.bytes, a.copied,
          retained, percentiles != NULL ? percentiles : "null", (unsigned long long)checksum);
  emit_rounds("per_round", per_round, rounds);
  emit_rounds("floor_per_round", floor_per_round, rounds);
  fputs("}\n", out);
  fflush(out);
  if (ferror(out)) {
    fail("cannot write %s: %s", out_path != NULL ? out_path : "stdout", strerror(errno));
  }
  fprintf(stderr, "%s/%s %s: %.2f ns [%.2f .. %.2f], allocs ext %.3f c %.3f%s%s\n", scenario,
          strategy, params, s.median, s.low, s.high, a.ext, a.c,
          percentiles != NULL ? ", percentiles " : "", percentiles != NULL ? percentiles : "");
}

typedef struct {
  run_fn run;
  void *ctx;
  uint64_t retained;
} retained_run;

static void *retained_thread(void *p) {
  retained_run *r = p;
  sink += r->run(r->ctx, 2);
  lab_ext_counters k;
  memset(&k, 0, sizeof k);
  ext.stats(&k);
  r->retained = k.bytes_retained;
  return NULL;
}

/* Runs body(arg) on a new thread and waits for it; a thread that cannot be made or joined ends
 * the run (current_case names where). */
void run_on_new_thread(void *(*body)(void *), void *arg) {
  pthread_t tid;
  int err = pthread_create(&tid, NULL, body, arg);
  if (err != 0) {
    fail("%s: pthread_create: %s", current_case, strerror(err));
  }
  err = pthread_join(tid, NULL);
  if (err != 0) {
    fail("%s: pthread_join: %s", current_case, strerror(err));
  }
}

/* What the extension keeps between requests after serving this case on a thread of its own: its
 * per-thread state starts fresh there, so the gauge is this case's, not what earlier cases grew
 * on the driver's thread (an arena never shrinks). The fixture is only used by that thread while
 * this one waits in the join. */
static double retained_on_fresh_thread(run_fn run, void *ctx) {
  retained_run r = {run, ctx, 0};
  run_on_new_thread(retained_thread, &r);
  return (double)r.retained;
}

/* ------------------------------------------------------------------------------------------------
 * A scenario's batch-timed cases, then their interleaved rounds
 *
 * Each case is measured on its own first (measure(): its median and quartiles, then its allocation
 * counts), as always. The ratios a conclusion compares are measured apart, so that they reproduce:
 * the cases of one work (equal params: the strategies and references of the extension under test,
 * and the floor extension's same cases) are timed in turn, one short batch each, round after
 * round, the first case of each round rotating, so both sides of a ratio run milliseconds apart
 * and see the same state of a shared machine; a slow moment slows every case of its round. The
 * same pass as the R->C runner's interleave() (bench-suite/lab-bench/src/runner.rs), here in C, because
 * the calls must come from the driver.
 * ---------------------------------------------------------------------------------------------- */

#define MAX_ROUNDS 31 /* as the R->C runner's full pass */
#define PLAN_MAX 40

static size_t n_rounds(void) { return quick ? 5 : MAX_ROUNDS; }

/* One case's batch in a round, in ns: long enough that the clock reads and the odd interrupt
 * vanish in it, short enough that 31 rounds of every case of a work stay within a few seconds. */
static double round_batch_ns(void) { return quick ? 300e3 : 2e6; }

/* Whether the floor extension's cases are timed in the rounds. Not in the C extension's own run:
 * there the floor is the extension itself (the report's C rows are their own floor, x1.00 by
 * definition), and a private copy of the same code would only add time and a ratio of 1 that
 * measures placement noise, not a boundary. Those rows carry no to_floor. */
int floor_in_rounds(void) { return floor_ext.init != NULL && !floor_is_self && !counting; }

/* The floor extension's ext_api as the ctx of the bare-call loops (S01, S10), or NULL when it is not timed. */
void *floor_table(void) { return floor_in_rounds() ? (void *)&floor_ext : NULL; }

typedef struct {
  char strategy[64];
  char params[128];
  run_fn run;
  void *ctx;
  /* The same case on the floor extension (run by the same run_fn), or NULL: none is timed. */
  void *floor_ctx;
  /* ctx and floor_ctx are fixtures that plan_finish frees. */
  int owns_fixtures;
  summary s;
  alloc_counts a;
  uint64_t checksum;
  int interleaved;
  double per_round[MAX_ROUNDS];
  double floor_per_round[MAX_ROUNDS];
} plan_case;

struct plan {
  const char *scenario;
  size_t n;
  plan_case c[PLAN_MAX];
};

plan *plan_new(const char *scenario) {
  plan *p = calloc(1, sizeof *p);
  if (p == NULL) {
    fail("out of memory");
  }
  p->scenario = scenario;
  return p;
}

/* Measures one case now (time, then allocations, and with `retained` the bytes the extension keeps
 * after it); its record is emitted by plan_finish, after the rounds. With --count: counts it
 * instead (plan_finish names it in the output). */
void plan_add(plan *p, const char *strategy, const char *params, run_fn run, void *ctx,
              void *floor_ctx, int retained, int owns_fixtures) {
  snprintf(current_case, sizeof current_case, "%s/%s %s", p->scenario, strategy, params);
  if (p->n == PLAN_MAX) {
    fail("%s: more than %d cases in one scenario", current_case, PLAN_MAX);
  }
  plan_case *c = &p->c[p->n++];
  snprintf(c->strategy, sizeof c->strategy, "%s", strategy);
  snprintf(c->params, sizeof c->params, "%s", params);
  c->run = run;
  c->ctx = ctx;
  c->floor_ctx = floor_ctx;
  c->owns_fixtures = owns_fixtures;
  if (counting) {
    count_case(p->scenario, strategy, params, run, ctx);
    return;
  }
  c->s = measure(run, ctx);
  c->a = measure_allocs(run, ctx, &c->checksum);
  if (retained) {
    c->a.retained = retained_on_fresh_thread(run, ctx);
  }
}

typedef struct {
  run_fn run;
  void *ctx;
  uint64_t iters;
  double *per_round;
} round_slot;

/* The rounds of the cases idx[0 .. m) of one work. */
static void interleave(plan *p, const size_t *idx, size_t m) {
  const size_t rounds = n_rounds();
  const double batch = round_batch_ns();
  round_slot slots[2 * PLAN_MAX];
  size_t n = 0;
  for (size_t k = 0; k < m; k++) {
    plan_case *c = &p->c[idx[k]];
    snprintf(current_case, sizeof current_case, "%s/%s %s (rounds)", p->scenario, c->strategy,
             c->params);
    /* A batch of about `batch` from the case's measured median. */
    double per = c->s.median > 0.1 ? c->s.median : 0.1;
    uint64_t iters = (uint64_t)ceil(batch / per);
    slots[n++] = (round_slot){c->run, c->ctx, iters > 0 ? iters : 1, c->per_round};
    if (c->floor_ctx != NULL) {
      /* The floor's median was measured in another process (its own driver run): size its batch
       * from a timed batch of the measured case's length, after an untimed one that brings the
       * floor's code and data in (its first calls here fault in the pages of its private copy). */
      sink += c->run(c->floor_ctx, iters);
      double t0 = now_ns();
      sink += c->run(c->floor_ctx, iters);
      double dt = now_ns() - t0;
      uint64_t fi = dt > 0 ? (uint64_t)ceil((double)iters * batch / dt) : iters;
      slots[n++] = (round_slot){c->run, c->floor_ctx, fi > 0 ? fi : 1, c->floor_per_round};
    }
    c->interleaved = 1;
  }
  snprintf(current_case, sizeof current_case, "%s %s (rounds)", p->scenario, p->c[idx[0]].params);
  for (size_t r = 0; r < rounds; r++) {
    for (size_t k = 0; k < n; k++) {
      round_slot *sl = &slots[(k + r) % n];
      double t0 = now_ns();
      sink += sl->run(sl->ctx, sl->iters);
      sl->per_round[r] = (now_ns() - t0) / (double)sl->iters;
    }
  }
}

/* The rounds of every work of the plan (cases with equal params), then every record in the order
 * the cases were added, then the fixtures freed. With --count: no rounds, a line per case. */
void plan_finish(plan *p) {
  if (counting) {
    for (size_t i = 0; i < p->n; i++) {
      plan_case *c = &p->c[i];
      emit_counted(p->scenario, c->strategy, c->params);
      if (c->owns_fixtures) {
        fixture_free(c->ctx);
        fixture_free(c->floor_ctx);
      }
    }
    free(p);
    return;
  }
  double t0 = now_ns();
  size_t works = 0, floors = 0;
  for (size_t i = 0; i < p->n; i++) {
    floors += p->c[i].floor_ctx != NULL;
    if (p->c[i].interleaved) {
      continue;
    }
    works++;
    size_t idx[PLAN_MAX], m = 0;
    for (size_t j = i; j < p->n; j++) {
      if (strcmp(p->c[j].params, p->c[i].params) == 0) {
        idx[m++] = j;
      }
    }
    interleave(p, idx, m);
  }
  /* What the rounds add to the run (about cases x rounds x batch, twice with the floor). */
  fprintf(stderr,
          "%s: interleaved rounds: %zu works, %zu cases + %zu floor cases, %zu rounds, %.2f s\n",
          p->scenario, works, p->n, floors, n_rounds(), (now_ns() - t0) / 1e9);
  for (size_t i = 0; i < p->n; i++) {
    plan_case *c = &p->c[i];
    emit_interleaved(p->scenario, c->strategy, c->params, c->s, c->a, NULL, c->checksum,
                     c->per_round, c->floor_ctx != NULL ? c->floor_per_round : NULL, n_rounds());
    if (c->owns_fixtures) {
      fixture_free(c->ctx);
      fixture_free(c->floor_ctx);
    }
  }
  free(p);
}
