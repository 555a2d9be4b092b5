/*
 * lab-driver — the C->R (C->extension) side of ffi-lab: plays Envoy loading a filter from a shared
 * object. It dlopen()s an extension, resolves the lab_ext_* symbols of lab.h, hands it the host API
 * table and calls it for every request of scenarios S01, S07, S10, S11, S12 and S14. It does not
 * know which language the extension is written in.
 *
 *   lab-driver EXTENSION.so [--quick] [--out FILE] [--only SCENARIO_SUBSTRING] [--leak-tolerance N]
 *              [--floor-ext C_EXTENSION.so] [--count PLAN]
 *
 * Output: JSON Lines, one record per line (stdout or FILE); progress on stderr. With --count (the
 * callgrind pass, under valgrind --tool=callgrind: bench-suite/lab-bench/src/driver.rs) nothing is
 * timed: each case is counted between callgrind's client requests, and a line names each case
 * counted.
 * Exit: 0 ok, 1 a failed check, 2 the extension cannot be loaded or initialised, 64 bad usage.
 *
 * Build (from the repository root):
 *   cc -std=c11 -O2 -Wall -Wextra -Werror -fno-omit-frame-pointer -D_GNU_SOURCE -I c-harness/include \
 *      c-harness/driver/driver.c c-harness/host/host.c c-harness/callgrind/lab_cg.c -I c-harness/callgrind \
 *      -o lab-driver -ldl -lpthread -lm
 */
#include "lab.h"
#include "lab_cg.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------------
 * Globals: options, the extension, the output
 * ---------------------------------------------------------------------------------------------- */

/* An extension's entry points, resolved with dlsym. */
typedef struct {
  lab_ext_init_fn init;
  lab_ext_noop_fn noop;
  lab_ext_noop_args_fn noop_args;
  lab_ext_noop_guarded_fn noop_guarded;
  lab_ext_callback_fn on_request_headers;
  lab_ext_callback_fn on_request_body;
  lab_ext_callback_fn on_response_headers;
  lab_ext_stats_fn stats;
  lab_ext_destroy_fn destroy;
} ext_api;

/* The extension under test. */
static ext_api ext;

/* The floor: a private copy of the C extension (a copy, so that it is a separate instance even
 * when it is the extension measured), all NULL without --floor-ext. S11 calls it first on each new
 * thread; the interleaved pass times its cases in the same rounds as the measured extension's, so
 * both sides of a ratio to the floor run in this process, milliseconds apart. */
static ext_api floor_ext;
static const char *floor_path;
/* Whether --floor-ext is the very file under test (the C extension's own run). */
static int floor_is_self;

static const lab_host_api *host;
static int quick;
/* S10 survival: how far the extension's allocs and frees over the panicking requests may differ.
 * 0 (the default) demands equality. A garbage-collected extension needs a few: its counts are
 * process-wide, and its runtime may start a thread (and allocate its structures) mid-run. */
static uint64_t leak_tolerance;
static const char *only;
static FILE *out;
static const char *out_path;

/* What is running now, for failure messages. */
static char current_case[256] = "setup";

/* Every checksum lands here so no call can be optimised away. */
static volatile uint64_t sink;

#define VIEWS_CAP 256
#define BODY_MAX (1u << 20)
static uint8_t *body_bytes; /* BODY_MAX bytes of 'b' */

static const char AUTH_VALID[] = "Basic bGFiOnNlY3JldA==";  /* lab:secret */
static const char AUTH_INVALID[] = "Basic bGFiOndyb25n";    /* lab:wrong */

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *fmt, ...) {
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

__attribute__((noreturn)) static void fail_status(const char *what, lab_status st) {
  fail("%s: %s returned %d (%s)", current_case, what, (int)st, lab_status_str(st));
}

static int selected(const char *scenario) { return only == NULL || strstr(scenario, only) != NULL; }

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------------------------------------
 * Measurement: the one timing loop, the allocation counts, the record
 * ---------------------------------------------------------------------------------------------- */

/* Performs iters calls and returns a checksum (the sum of their results). */
typedef uint64_t (*run_fn)(void *ctx, uint64_t iters);

typedef struct {
  double median, low, high;
} summary;

/* Per call: allocations on each side, bytes allocated and bytes copied (both sides together).
 * retained: the extension's bytes_retained gauge where a scenario reports it, NAN elsewhere. */
typedef struct {
  double ext, c, bytes, copied, retained;
} alloc_counts;

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

static summary summarize(double *v, size_t n) {
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

typedef struct {
  lab_alloc_stats c;
  lab_ext_counters e;
} counters;

static counters counters_now(void) {
  counters k;
  memset(&k, 0, sizeof k);
  lab_alloc_stats_get(&k.c);
  ext.stats(&k.e);
  return k;
}

static alloc_counts alloc_delta(const counters *a, const counters *b, double n) {
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
static alloc_counts measure_allocs(run_fn run, void *ctx, uint64_t *checksum) {
  sink += run(ctx, 1);
  counters a = counters_now();
  uint64_t sum = run(ctx, ALLOC_N);
  counters b = counters_now();
  sink += sum;
  *checksum = sum;
  return alloc_delta(&a, &b, ALLOC_N);
}

/* ------------------------------------------------------------------------------------------------
 * The callgrind pass (--count): counts instead of times
 *
 * The C->R half of bench-suite/lab-bench/src/callgrind.rs's count_cases, with the same steps and the
 * same dump names: per case a calibrating batch, whose instructions per call choose how many calls
 * the case is counted over (the levels of --count, which lab-bench passes from its LEVELS), n1
 * calls of warm-up, then a batch of n1 and one of n2 calls, each between lab_cg_start() and
 * lab_cg_stop_dump("<case id>#<n>") (c-harness/callgrind/lab_cg.c). Only run(ctx, n) runs in
 * between; lab-bench reads the dumps and keeps (total at n2 - total at n1) / (n2 - n1). Nothing is
 * timed and no allocation is read in this mode: the timed run (without --count) measures and
 * checks those.
 * ---------------------------------------------------------------------------------------------- */

#define COUNT_LEVELS_MAX 8

typedef struct {
  double most; /* the most instructions per call of the calibrating batch this level takes */
  uint64_t n1, n2;
} count_level;

/* Whether this run counts (--count) instead of timing. */
static int counting;
static uint64_t count_calibrate;
static count_level count_levels[COUNT_LEVELS_MAX];
static size_t count_n_levels;
/* Where callgrind writes the dumps (--callgrind-out-file=<dir>/cg.%p, so <dir>/cg.<pid>.<k> for
 * the k-th dump), from LAB_CALLGRIND_DIR; and how many this process has dumped. */
static const char *count_dir;
static unsigned count_dumps;

/* Parses --count's PLAN, `CALIBRATE,MOST:N1:N2,...` (MOST may be `inf`); 0 when malformed. */
static int parse_count_plan(const char *plan) {
  char *end = NULL;
  errno = 0;
  count_calibrate = strtoull(plan, &end, 10);
  if (errno != 0 || end == plan || count_calibrate == 0) {
    return 0;
  }
  count_n_levels = 0;
  while (*end == ',') {
    if (count_n_levels == COUNT_LEVELS_MAX) {
      return 0;
    }
    count_level *l = &count_levels[count_n_levels++];
    const char *p = end + 1;
    l->most = strtod(p, &end);
    if (end == p || *end != ':') {
      return 0;
    }
    p = end + 1;
    l->n1 = strtoull(p, &end, 10);
    if (end == p || *end != ':') {
      return 0;
    }
    p = end + 1;
    l->n2 = strtoull(p, &end, 10);
    if (end == p || l->n1 == 0 || l->n2 <= l->n1) {
      return 0;
    }
  }
  return *end == '\0' && count_n_levels > 0 && isinf(count_levels[count_n_levels - 1].most);
}

/* lab_record::params_label of the driver's flat JSON params: `{"filter":"basic_auth","body":0}`
 * is `filter=basic_auth,body=0` (no quotes; keys in their order; `{}` is empty). */
static void params_label(char *dst, size_t cap, const char *params) {
  size_t n = 0;
  for (const char *p = params; *p != '\0' && n + 1 < cap; p++) {
    if (*p == '{' || *p == '}' || *p == '"') {
      continue;
    }
    dst[n++] = *p == ':' ? '=' : *p;
  }
  dst[n] = '\0';
}

/* Zeroes the counters, runs iters calls, dumps them as `name`; returns the dump's number. */
static unsigned count_batch(const char *name, run_fn run, void *ctx, uint64_t iters) {
  lab_cg_start();
  sink += run(ctx, iters);
  lab_cg_stop_dump(name);
  return ++count_dumps;
}

/* The instructions (Ir, the summary's figure under the events' `Ir`) of dump number k, or -1 when
 * it cannot be read. */
static double dump_ir(unsigned k) {
  char path[4096];
  snprintf(path, sizeof path, "%s/cg.%ld.%u", count_dir, (long)getpid(), k);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    return -1;
  }
  char line[1024];
  int ir = -1;
  double total = -1;
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "events: ", 8) == 0) {
      ir = -1;
      int i = 0;
      for (char *tok = strtok(line + 8, " \n"); tok != NULL; tok = strtok(NULL, " \n"), i++) {
        if (strcmp(tok, "Ir") == 0) {
          ir = i;
        }
      }
    } else if (strncmp(line, "summary: ", 9) == 0 && ir >= 0) {
      int i = 0;
      for (char *tok = strtok(line + 9, " \n"); tok != NULL; tok = strtok(NULL, " \n"), i++) {
        if (i == ir) {
          total = strtod(tok, NULL);
        }
      }
      break;
    }
  }
  fclose(f);
  return total;
}

/* Zeroes and dumps at once, as `name`: a dump no case reads, which takes what ran before it. */
static void count_throwaway(const char *name) {
  lab_cg_start();
  lab_cg_stop_dump(name);
  count_dumps++;
}

/* A dump outside any case at the start of each scenario: whatever the first requests of a window
 * cost lands in a dump no case reads (as count_cases does per scenario). */
static void count_prime(const char *scenario) {
  char name[256];
  snprintf(name, sizeof name, "%s#prime", scenario);
  count_throwaway(name);
}

/* Counts one case: calibrate, choose the level, warm up, then the two counted batches. */
static void count_case(const char *scenario, const char *strategy, const char *params, run_fn run,
                       void *ctx) {
  char label[256], id[512], name[600];
  params_label(label, sizeof label, params);
  snprintf(id, sizeof id, "%s/%s/%s", scenario, strategy, label);
  snprintf(current_case, sizeof current_case, "%s/%s %s (counted)", scenario, strategy, params);
  snprintf(name, sizeof name, "%s#calibrate", id);
  double ir = dump_ir(count_batch(name, run, ctx, count_calibrate));
  double per_call = ir < 0 ? INFINITY : ir / (double)count_calibrate;
  const count_level *l = &count_levels[count_n_levels - 1];
  for (size_t i = 0; i < count_n_levels; i++) {
    if (per_call <= count_levels[i].most) {
      l = &count_levels[i];
      break;
    }
  }
  sink += run(ctx, l->n1); /* warm-up */
  const uint64_t ns[2] = {l->n1, l->n2};
  for (size_t i = 0; i < 2; i++) {
    snprintf(name, sizeof name, "%s#%" PRIu64, id, ns[i]);
    count_batch(name, run, ctx, ns[i]);
  }
}

/* The line of a counted case: what lab-bench files the counts of `<scenario>/<strategy>/<params
 * label>` under. */
static void emit_counted(const char *scenario, const char *strategy, const char *params) {
  fprintf(out, "{\"scenario\":\"%s\",\"strategy\":\"%s\",\"params\":%s,\"counted\":true}\n",
          scenario, strategy, params);
  fflush(out);
  if (ferror(out)) {
    fail("cannot write %s: %s", out_path != NULL ? out_path : "stdout", strerror(errno));
  }
  fprintf(stderr, "%s/%s %s: counted\n", scenario, strategy, params);
}

/* Counts a case and names it in the output: for the cases outside a plan (S11, S12). */
static void count_and_emit(const char *scenario, const char *strategy, const char *params,
                           run_fn run, void *ctx) {
  count_case(scenario, strategy, params, run, ctx);
  emit_counted(scenario, strategy, params);
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
static void emit_interleaved(const char *scenario, const char *strategy, const char *params,
                             summary s, alloc_counts a, const char *percentiles, uint64_t checksum,
                             const double *per_round, const double *floor_per_round,
                             size_t rounds) {
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

/* A record measured without interleaved rounds (S10's survival, S11, S12). */
static void emit(const char *scenario, const char *strategy, const char *params, summary s,
                 alloc_counts a, const char *percentiles, uint64_t checksum) {
  emit_interleaved(scenario, strategy, params, s, a, percentiles, checksum, NULL, NULL, 0);
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
static void run_on_new_thread(void *(*body)(void *), void *arg) {
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
 * Log-bucket histogram (HDR style): values < 32 exact; above, each power of two [2^e, 2^(e+1)) is
 * split into 32 linear sub-buckets of width 2^(e-5), so a value's bucket is within 1/32 of it.
 * ---------------------------------------------------------------------------------------------- */

#define HIST_SUB 32u
#define HIST_BUCKETS ((64u - 4u) * HIST_SUB)

typedef struct {
  uint64_t counts[HIST_BUCKETS];
  uint64_t total;
  uint64_t max;
} histogram;

static unsigned hist_index(uint64_t v) {
  if (v < HIST_SUB) {
    return (unsigned)v;
  }
  unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= 5 */
  unsigned sub = (unsigned)(v >> (e - 5u)) & (HIST_SUB - 1u);
  return (e - 4u) * HIST_SUB + sub;
}

/* The highest value that lands in bucket i. */
static uint64_t hist_upper(unsigned i) {
  if (i < HIST_SUB) {
    return i;
  }
  unsigned e = i / HIST_SUB + 4u;
  uint64_t sub = i % HIST_SUB;
  uint64_t width = 1ull << (e - 5u);
  return (1ull << e) + sub * width + (width - 1u);
}

static void hist_record(histogram *h, uint64_t v) {
  h->counts[hist_index(v)]++;
  h->total++;
  if (v > h->max) {
    h->max = v;
  }
}

/* The value at quantile q (0 < q <= 1): highest equivalent value of the bucket holding the
 * ceil(q * total)-th smallest value, capped at the exact max. */
static double hist_quantile(const histogram *h, double q) {
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

/* ------------------------------------------------------------------------------------------------
 * Fixtures: a registered request and its entry
 * ---------------------------------------------------------------------------------------------- */

typedef enum { AUTH_IS_VALID, AUTH_IS_INVALID, AUTH_IS_MISSING } auth_mode;

typedef struct fixture {
  const ext_api *x;   /* the extension its requests go to */
  auth_mode auth;
  lab_request *req;
  lab_handle h;
  lab_entry entry;
  lab_status expect;  /* what every callback must return: LAB_OK, or LAB_ERR_PANIC */
  int with_response;  /* one request = on_request_headers + on_response_headers */
  int refresh_sizes;  /* the filter writes headers: recompute count/bytes on every callback */
  lab_header views[VIEWS_CAP];
} fixture;

static void check_host(lab_status st, const char *what) {
  if (st != LAB_OK) {
    fail("%s: host %s failed: %s", current_case, what, lab_status_str(st));
  }
}

static void set_header(lab_request *req, const char *name, const char *value, size_t value_len) {
  check_host(lab_header_set(req, (const uint8_t *)name, strlen(name), (const uint8_t *)value,
                            value_len),
             "lab_header_set");
}

/* lab_request_new_realistic(16, 42) with the given authorization and a body of body_len 'b's.
 * The realistic set's header 12 is `authorization`; for AUTH_IS_MISSING it is left out and a
 * header with a name and value of the same lengths appended instead, so all three requests have
 * 16 headers of the same total size. */
static lab_request *request_new(size_t body_len, auth_mode auth) {
  lab_request *req = lab_request_new_realistic(16, 42);
  if (req == NULL) {
    fail("%s: lab_request_new_realistic failed", current_case);
  }
  set_header(req, "authorization", auth == AUTH_IS_INVALID ? AUTH_INVALID : AUTH_VALID,
             auth == AUTH_IS_INVALID ? strlen(AUTH_INVALID) : strlen(AUTH_VALID));
  if (auth == AUTH_IS_MISSING) {
    lab_header views[VIEWS_CAP];
    size_t n = 0;
    check_host(lab_headers_view_all(req, views, VIEWS_CAP, &n), "lab_headers_view_all");
    lab_request *bare = lab_request_new();
    if (bare == NULL) {
      fail("%s: lab_request_new failed", current_case);
    }
    for (size_t i = 0; i < n; i++) {
      if (views[i].name.len == 13 && memcmp(views[i].name.ptr, "authorization", 13) == 0) {
        continue;
      }
      check_host(lab_header_set(bare, views[i].name.ptr, views[i].name.len, views[i].value.ptr,
                                views[i].value.len),
                 "lab_header_set");
    }
    /* Same name length as "authorization" (13), same value length as the valid credentials. */
    set_header(bare, "x-lab-no-auth", "xxxxxxxxxxxxxxxxxxxxxx", strlen(AUTH_VALID));
    lab_request_free(req);
    req = bare;
  }
  check_host(lab_request_set_body(req, body_len > 0 ? body_bytes : NULL, body_len),
             "lab_request_set_body");
  return req;
}

static void fixture_sizes(fixture *f) {
  check_host(lab_headers_size(f->req, &f->entry.header_count, &f->entry.header_bytes),
             "lab_headers_size");
}

static fixture *fixture_new_on(const ext_api *x, size_t body_len, auth_mode auth, lab_filter filter,
                               lab_access access) {
  fixture *f = calloc(1, sizeof *f);
  if (f == NULL) {
    fail("out of memory");
  }
  f->x = x;
  f->auth = auth;
  f->req = request_new(body_len, auth);
  f->h = lab_handle_register(f->req);
  if (f->h == 0) {
    fail("%s: lab_handle_register failed (registry full)", current_case);
  }
  f->entry.request = f->h;
  f->entry.filter = (uint32_t)filter;
  f->entry.access = (uint32_t)access;
  fixture_sizes(f);
  f->entry.body_len = body_len;
  f->entry.headers = NULL;
  f->entry.body = NULL;
  f->expect = LAB_OK;
  return f;
}

/* A fixture whose requests go to the extension under test. */
static fixture *fixture_new(size_t body_len, auth_mode auth, lab_filter filter, lab_access access) {
  return fixture_new_on(&ext, body_len, auth, filter, access);
}

static int floor_in_rounds(void);

/* The same case on the floor extension, for the interleaved pass: a request of its own (built as
 * f's was), so neither extension's calls touch the other's fixture. NULL when no floor is timed. */
static fixture *fixture_twin(const fixture *f) {
  if (!floor_in_rounds()) {
    return NULL;
  }
  fixture *t = fixture_new_on(&floor_ext, f->entry.body_len, f->auth, (lab_filter)f->entry.filter,
                              (lab_access)f->entry.access);
  t->expect = f->expect;
  t->with_response = f->with_response;
  t->refresh_sizes = f->refresh_sizes;
  return t;
}

static void fixture_free(fixture *f) {
  if (f != NULL) {
    if (lab_handle_destroy(f->h) != LAB_OK) {
      fail("%s: lab_handle_destroy of a live handle failed", current_case);
    }
    free(f);
  }
}

/* The entry of one callback. In eager the host pushes every header and the body, per request:
 * that push is the host's cost of eager and is inside the timed loop. */
static inline void fixture_entry(fixture *f, lab_entry *e) {
  if (f->refresh_sizes) {
    fixture_sizes(f);
  }
  *e = f->entry;
  if (f->entry.access == LAB_ACCESS_EAGER) {
    size_t n = 0;
    lab_status st = lab_headers_view_all(f->req, f->views, VIEWS_CAP, &n);
    if (st != LAB_OK) {
      fail_status("lab_headers_view_all", st);
    }
    lab_str body;
    st = host->body_get(f->h, &body);
    if (st != LAB_OK) {
      fail_status("host body_get", st);
    }
    e->headers = f->views;
    e->header_count = n;
    e->body = body.ptr;
    e->body_len = body.len;
  }
}

static inline uint64_t fixture_request(fixture *f) {
  lab_entry e;
  fixture_entry(f, &e);
  uint64_t r = 0;
  lab_status st = f->x->on_request_headers(&e, &r);
  if (st != f->expect) {
    fail_status("lab_ext_on_request_headers", st);
  }
  if (f->with_response) {
    uint64_t r2 = 0;
    fixture_entry(f, &e);
    st = f->x->on_response_headers(&e, &r2);
    if (st != f->expect) {
      fail_status("lab_ext_on_response_headers", st);
    }
    r += r2;
  }
  return r;
}

static uint64_t run_request(void *ctx, uint64_t iters) {
  fixture *f = ctx;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    sum += fixture_request(f);
  }
  return sum;
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
static int floor_in_rounds(void) { return floor_ext.init != NULL && !floor_is_self && !counting; }

/* The floor extension's ext_api as the ctx of the S01/S10 loops, or NULL when it is not timed. */
static void *floor_table(void) { return floor_in_rounds() ? (void *)&floor_ext : NULL; }

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

typedef struct {
  const char *scenario;
  size_t n;
  plan_case c[PLAN_MAX];
} plan;

static plan *plan_new(const char *scenario) {
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
static void plan_add(plan *p, const char *strategy, const char *params, run_fn run, void *ctx,
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

/* A fixture case: its requests to the extension under test, and, when the floor is timed, a twin
 * fixture's to the floor; plan_finish frees both. */
static void plan_add_fixture(plan *p, const char *strategy, const char *params, fixture *f,
                             int retained) {
  fixture *twin = fixture_twin(f);
  plan_add(p, strategy, params, run_request, f, twin, retained, 1);
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
static void plan_finish(plan *p) {
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

/* ------------------------------------------------------------------------------------------------
 * S01: the call floor
 * ---------------------------------------------------------------------------------------------- */

static uint8_t args_buf[64];

/* S01's three C->R loops have one shape: the function pointer is loaded once, then called iters
 * times with independent arguments, the results summed. Before, the empty call loaded it from the
 * extension table each time, the four-argument call chained each result into the next call's
 * argument (a dependency the others did not have), and the C reference loaded a volatile pointer
 * per call: three loops timed three different things, and their order moved between runs. */
/* ctx: the ext_api to call (the measured extension, or the floor in the interleaved pass). */
static uint64_t run_empty(void *ctx, uint64_t iters) {
  lab_ext_noop_fn f = ((const ext_api *)ctx)->noop;
  for (uint64_t i = 0; i < iters; i++) {
    f();
  }
  return iters;
}

static uint64_t run_guarded(void *ctx, uint64_t iters) {
  lab_ext_noop_guarded_fn f = ((const ext_api *)ctx)->noop_guarded;
  for (uint64_t i = 0; i < iters; i++) {
    f();
  }
  return iters;
}

static uint64_t run_args(void *ctx, uint64_t iters) {
  lab_ext_noop_args_fn f = ((const ext_api *)ctx)->noop_args;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    sum += f(1, i, args_buf, sizeof args_buf);
  }
  return sum;
}

/* The no-boundary reference: the same shape and body as lab_noop_args, in this file, reached
 * through a pointer read once from a volatile so that it is called, not inlined. */
__attribute__((noinline)) static uint64_t c_noop_args(uint64_t a, uint64_t b, const void *ptr,
                                                      size_t len) {
  return (a ^ b) + (uint64_t)(uintptr_t)ptr + (uint64_t)len;
}
static uint64_t (*volatile c_noop_args_ptr)(uint64_t, uint64_t, const void *, size_t) = c_noop_args;

/* ctx (an ext_api, as for the other S01 loops) is unused: this call crosses no boundary. */
static uint64_t run_c_call(void *ctx, uint64_t iters) {
  (void)ctx;
  uint64_t (*f)(uint64_t, uint64_t, const void *, size_t) = c_noop_args_ptr;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    sum += f(1, i, args_buf, sizeof args_buf);
  }
  return sum;
}

static void s01_call_floor(void) {
  plan *p = plan_new("s01_call_floor");
  plan_add(p, "empty_call", "{}", run_empty, &ext, floor_table(), 0, 0);
  plan_add(p, "call_with_args", "{}", run_args, &ext, floor_table(), 0, 0);
  plan_add(p, "c_call", "{}", run_c_call, &ext, floor_table(), 0, 0);
  plan_finish(p);
}

/* ------------------------------------------------------------------------------------------------
 * S07: copy on demand
 * ---------------------------------------------------------------------------------------------- */

static void s07_copy_on_demand(void) {
  const char *sc = "s07_copy_on_demand";
  static const size_t bodies_full[] = {0, 1024, 65536, 1048576};
  static const size_t bodies_quick[] = {0, 1048576};
  const size_t *bodies = quick ? bodies_quick : bodies_full;
  plan *p = plan_new(sc);
  size_t n_bodies = quick ? 2 : 4;
  static const struct {
    const char *name;
    lab_filter filter;
  } filters[] = {{"nothing", LAB_FILTER_NOTHING},
                 {"one_header", LAB_FILTER_ONE_HEADER},
                 {"all_headers", LAB_FILTER_ALL_HEADERS},
                 {"body", LAB_FILTER_BODY}};
  static const struct {
    const char *name;
    lab_access access;
  } strategies[] = {{"eager", LAB_ACCESS_EAGER}, {"lazy", LAB_ACCESS_LAZY}};
  for (size_t b = 0; b < n_bodies; b++) {
    for (size_t fi = 0; fi < 4; fi++) {
      for (size_t si = 0; si < 2; si++) {
        char params[128];
        snprintf(params, sizeof params, "{\"filter\":\"%s\",\"body\":%zu}", filters[fi].name,
                 bodies[b]);
        snprintf(current_case, sizeof current_case, "%s/%s %s", sc, strategies[si].name, params);
        fixture *f =
            fixture_new(bodies[b], AUTH_IS_VALID, filters[fi].filter, strategies[si].access);
        plan_add_fixture(p, strategies[si].name, params, f, 1);
      }
    }
  }
  plan_finish(p);
}

/* ------------------------------------------------------------------------------------------------
 * S10: panic containment
 * ---------------------------------------------------------------------------------------------- */

#define SURVIVAL_REQUESTS 10000

/* A survival request: a fresh request in the registry, its entry for the panicking filter. */
static lab_handle survival_open(lab_entry *e) {
  lab_request *req = request_new(0, AUTH_IS_VALID);
  lab_handle h = lab_handle_register(req);
  if (h == 0) {
    fail("%s: lab_handle_register failed (registry full)", current_case);
  }
  memset(e, 0, sizeof *e);
  e->request = h;
  e->filter = LAB_FILTER_PANIC;
  e->access = LAB_ACCESS_LAZY;
  check_host(lab_headers_size(req, &e->header_count, &e->header_bytes), "lab_headers_size");
  return h;
}

/* Checks that request i's call panicked (and was caught), then destroys the request. */
static void survival_close(lab_handle h, lab_status st, uint64_t i) {
  if (st != LAB_ERR_PANIC) {
    fail("%s: request %" PRIu64 ": lab_ext_on_request_headers returned %d (%s), expected %s",
         current_case, i, (int)st, lab_status_str(st), lab_status_str(LAB_ERR_PANIC));
  }
  if (lab_handle_destroy(h) != LAB_OK) {
    fail("%s: lab_handle_destroy failed", current_case);
  }
}

/* The survival run's calls counted as they are timed: collection is off while each request is
 * set up and destroyed, on for the call alone. */
static uint64_t run_survival_counted(void *ctx, uint64_t iters) {
  (void)ctx;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    lab_entry e;
    uint64_t r = 0;
    lab_cg_toggle();
    lab_handle h = survival_open(&e);
    lab_cg_toggle();
    lab_status st = ext.on_request_headers(&e, &r);
    lab_cg_toggle();
    survival_close(h, st, i);
    lab_cg_toggle();
    sum += r;
  }
  return sum;
}

static void s10_panic(void) {
  const char *sc = "s10_panic";
  plan *p = plan_new(sc);
  plan_add(p, "bare_call", "{}", run_empty, &ext, floor_table(), 0, 0);
  plan_add(p, "catch_unwind", "{}", run_guarded, &ext, floor_table(), 0, 0);

  snprintf(current_case, sizeof current_case, "%s/panic", sc);
  fixture *f = fixture_new(0, AUTH_IS_VALID, LAB_FILTER_PANIC, LAB_ACCESS_LAZY);
  f->expect = LAB_ERR_PANIC;
  plan_add_fixture(p, "panic", "{}", f, 0);
  plan_finish(p);

  /* Survival: 10,000 panicking requests, each on a fresh request destroyed afterwards. */
  const char *params = "{\"requests\":10000}";
  snprintf(current_case, sizeof current_case, "%s/panic_survival %s", sc, params);
  if (counting) {
    /* A panic on a fresh request each time; the leak checks are the timed run's. */
    count_and_emit(sc, "panic_survival", params, run_survival_counted, NULL);
    return;
  }
  counters before = counters_now();
  double total_ns = 0;
  uint64_t sum = 0, panicked = 0;
  for (uint64_t i = 0; i < SURVIVAL_REQUESTS; i++) {
    lab_entry e;
    lab_handle h = survival_open(&e);
    uint64_t r = 0;
    double t0 = now_ns();
    lab_status st = ext.on_request_headers(&e, &r);
    total_ns += now_ns() - t0;
    survival_close(h, st, i);
    panicked++;
    sum += r;
  }
  counters after = counters_now();
  uint64_t c_allocs = after.c.allocs - before.c.allocs, c_frees = after.c.frees - before.c.frees;
  uint64_t e_allocs = after.e.allocs - before.e.allocs, e_frees = after.e.frees - before.e.frees;
  uint64_t caught = after.e.panics_caught - before.e.panics_caught;
  if (c_allocs != c_frees) {
    fail("%s: host memory leaked: %" PRIu64 " allocs, %" PRIu64 " frees over %d requests",
         current_case, c_allocs, c_frees, SURVIVAL_REQUESTS);
  }
  uint64_t e_diff = e_allocs > e_frees ? e_allocs - e_frees : e_frees - e_allocs;
  if (e_diff > leak_tolerance) {
    fail("%s: extension memory leaked: %" PRIu64 " allocs, %" PRIu64 " frees over %d panics"
         " (--leak-tolerance %" PRIu64 ")",
         current_case, e_allocs, e_frees, SURVIVAL_REQUESTS, leak_tolerance);
  }
  if (e_diff > 0) {
    fprintf(stderr,
            "%s: note: extension allocs and frees differ by %" PRIu64 " (%" PRIu64 " allocs, %" PRIu64
            " frees), within --leak-tolerance %" PRIu64 "\n",
            current_case, e_diff, e_allocs, e_frees, leak_tolerance);
  }
  if (caught != SURVIVAL_REQUESTS) {
    fail("%s: panics_caught grew by %" PRIu64 ", expected %d", current_case, caught,
         SURVIVAL_REQUESTS);
  }
  fprintf(stderr,
          "%s: ok: %" PRIu64 "/%d requests returned LAB_ERR_PANIC, host allocs == frees (%" PRIu64
          "), extension allocs %s frees (%" PRIu64 "), panics_caught +%" PRIu64 "\n",
          current_case, panicked, SURVIVAL_REQUESTS, c_allocs, e_diff == 0 ? "==" : "~=", e_allocs,
          caught);
  sink += sum;
  double mean = total_ns / SURVIVAL_REQUESTS;
  emit(sc, "panic_survival", params, (summary){mean, mean, mean},
       alloc_delta(&before, &after, SURVIVAL_REQUESTS), NULL, sum);
}

/* ------------------------------------------------------------------------------------------------
 * S11: the first call from a new thread
 * ---------------------------------------------------------------------------------------------- */

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
  lab_status st = ext.on_request_headers(&e, &r);
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
    st = ext.on_request_headers(&e, &r);
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

/* A window's dump names, written before it opens: formatting one inside it would be counted (and a
 * thread's first snprintf costs more than its next). */
typedef struct {
  char empty[600], full[600];
} window_names;

typedef struct {
  const fixture *f;
  const window_names *timer, *first; /* NULL: run uncounted */
  const char *aside;
  uint64_t sum;
  lab_status st;
} attach_count;

static void window_names_of(window_names *w, const char *id) {
  snprintf(w->empty, sizeof w->empty, "%s#0", id);
  snprintf(w->full, sizeof w->full, "%s#1", id);
}

/* An empty window, then the window that `attach_count_thread` closes after what it counts. */
static void count_window_open(const window_names *w) {
  lab_cg_start();
  lab_cg_stop_dump(w->empty);
  lab_cg_start();
  count_dumps++;
}

static void count_window_close(const window_names *w) {
  lab_cg_stop_dump(w->full);
  count_dumps++;
}

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
  a->st = ext.on_request_headers(&e, &r);
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

static void s11_thread_attach(void) {
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
  /* What the timer adds to every first-call figure: subtract it, or compare against it. */
  emit(sc, "timer", params, summarize(timer, threads), none, NULL, 0);
  if (floor_ext.on_request_headers != NULL) {
    /* The C extension's first call on the same threads, just before the measured one's. */
    emit(sc, "c_first_call", params, summarize(floor_first, threads), none, NULL, floor_sum);
  }
  emit(sc, "first_call", params, summarize(first, threads), first_allocs, NULL, sum);
  emit(sc, "steady", params, summarize(steady, threads), steady_allocs, NULL, sum);
  free(first);
  free(steady);
  free(timer);
  free(floor_first);
  fixture_free(f);
}

/* ------------------------------------------------------------------------------------------------
 * S12: tail latency
 * ---------------------------------------------------------------------------------------------- */

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

static void s12_tail_latency(void) {
  const char *sc = "s12_tail_latency";
  uint64_t calls = quick ? 20000 : 1000000;
  static const struct {
    const char *name;
    lab_filter filter;
  } strategies[] = {{"alloc_free", LAB_FILTER_ONE_HEADER}, {"alloc_heavy", LAB_FILTER_CLONE_ALL}};
  histogram *hist = malloc(sizeof *hist);
  if (hist == NULL) {
    fail("out of memory");
  }
  for (size_t s = 0; s < 2; s++) {
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
    sink += run_request(f, 1000); /* warm-up */
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

/* ------------------------------------------------------------------------------------------------
 * S14: real filters
 * ---------------------------------------------------------------------------------------------- */

static void s14_filters(void) {
  const char *sc = "s14_filters";
  static const struct {
    const char *name;
    lab_access access;
  } strategies[] = {{"per_header_call", LAB_ACCESS_PER_HEADER_CALL},
                    {"bulk_copy", LAB_ACCESS_BULK_COPY},
                    {"bulk_borrow", LAB_ACCESS_BULK_BORROW}};
  static const struct {
    const char *name;
    auth_mode mode;
    uint32_t reply;
  } creds[] = {{"valid", AUTH_IS_VALID, 0}, {"invalid", AUTH_IS_INVALID, 401},
               {"missing", AUTH_IS_MISSING, 401}};
  plan *p = plan_new(sc);
  for (size_t s = 0; s < 3; s++) {
    for (size_t c = 0; c < 3; c++) {
      char params[128];
      snprintf(params, sizeof params, "{\"filter\":\"basic_auth\",\"credentials\":\"%s\"}",
               creds[c].name);
      snprintf(current_case, sizeof current_case, "%s/%s %s", sc, strategies[s].name, params);
      fixture *f = fixture_new(0, creds[c].mode, LAB_FILTER_BASIC_AUTH, strategies[s].access);
      plan_add_fixture(p, strategies[s].name, params, f, 0);
      uint32_t reply = lab_handle_local_reply(f->h);
      if (reply != creds[c].reply) {
        fail("%s: local reply %u after the run, expected %u", current_case, reply, creds[c].reply);
      }
    }
  }
  for (size_t s = 0; s < 3; s++) {
    const char *params = "{\"filter\":\"header_get_set\"}";
    snprintf(current_case, sizeof current_case, "%s/%s %s", sc, strategies[s].name, params);
    fixture *f = fixture_new(0, AUTH_IS_VALID, LAB_FILTER_HEADER_GET_SET, strategies[s].access);
    f->with_response = 1;
    f->refresh_sizes = 1; /* the filter adds headers: Envoy passes the current sizes each time */
    sink += fixture_request(f); /* the first request appends the headers the filter sets */
    fixture *twin = fixture_twin(f);
    if (twin != NULL) {
      sink += fixture_request(twin); /* the same on the floor's own request */
    }
    plan_add(p, strategies[s].name, params, run_request, f, twin, 0, 1);
  }
  plan_finish(p);
}

/* ------------------------------------------------------------------------------------------------
 * Self-check: bad handles and bad entries must be refused, not dereferenced
 * ---------------------------------------------------------------------------------------------- */

static void self_check(void) {
  snprintf(current_case, sizeof current_case, "self-check");
  const uint8_t *name = (const uint8_t *)"user-agent";
  lab_str v;
  lab_status st = host->header_get(0, name, 10, &v);
  if (st != LAB_ERR_BAD_HANDLE) {
    fail("self-check failed: host header_get(handle 0) returned %s, expected LAB_ERR_BAD_HANDLE",
         lab_status_str(st));
  }
  st = host->header_get((lab_handle)0xdeadbeef00000001ull, name, 10, &v);
  if (st != LAB_ERR_BAD_HANDLE) {
    fail("self-check failed: host header_get(handle 0xdeadbeef00000001) returned %s, "
         "expected LAB_ERR_BAD_HANDLE",
         lab_status_str(st));
  }
  lab_request *req = request_new(0, AUTH_IS_VALID);
  lab_handle h = lab_handle_register(req);
  if (h == 0) {
    fail("self-check failed: lab_handle_register returned 0");
  }
  st = host->header_get(h, name, 10, &v);
  if (st != LAB_OK) {
    fail("self-check failed: host header_get(live handle) returned %s", lab_status_str(st));
  }
  lab_entry e;
  memset(&e, 0, sizeof e);
  e.request = h;
  e.filter = LAB_FILTER_ONE_HEADER;
  e.access = LAB_ACCESS_LAZY;
  check_host(lab_headers_size(req, &e.header_count, &e.header_bytes), "lab_headers_size");
  if (lab_handle_destroy(h) != LAB_OK) {
    fail("self-check failed: lab_handle_destroy(live handle) failed");
  }
  st = host->header_get(h, name, 10, &v);
  if (st != LAB_ERR_BAD_HANDLE) {
    fail("self-check failed: host header_get(destroyed handle) returned %s, "
         "expected LAB_ERR_BAD_HANDLE",
         lab_status_str(st));
  }
  if (lab_handle_destroy(h) != LAB_ERR_BAD_HANDLE) {
    fail("self-check failed: a second lab_handle_destroy did not return LAB_ERR_BAD_HANDLE");
  }
  uint64_t r = 0;
  st = ext.on_request_headers(&e, &r);
  if (st == LAB_OK) {
    fail("self-check failed: lab_ext_on_request_headers with a destroyed request handle returned "
         "ok, expected LAB_ERR_BAD_HANDLE");
  }
  if (st != LAB_ERR_BAD_HANDLE) {
    fprintf(stderr,
            "lab-driver: self-check note: a destroyed handle gave %s (non-ok, accepted; "
            "LAB_ERR_BAD_HANDLE expected)\n",
            lab_status_str(st));
  }
  st = ext.on_request_headers(NULL, &r);
  if (st != LAB_ERR_NULL) {
    fail("self-check failed: lab_ext_on_request_headers(NULL entry) returned %s, "
         "expected LAB_ERR_NULL",
         lab_status_str(st));
  }
  fprintf(stderr, "self-check: ok (bad handles refused by the host and the extension, NULL entry "
                  "refused)\n");
}

/* ------------------------------------------------------------------------------------------------
 * Loading the extension, main
 * ---------------------------------------------------------------------------------------------- */

static void usage(void) {
  fputs("usage: lab-driver EXTENSION.so [--quick] [--out FILE] [--only SCENARIO_SUBSTRING]\n"
        "                  [--leak-tolerance N] [--floor-ext C_EXT.so] [--count PLAN]\n"
        "  Loads EXTENSION.so (any language exporting the lab_ext_* symbols of lab.h) and runs\n"
        "  the C->extension scenarios s01_call_floor, s07_copy_on_demand, s10_panic,\n"
        "  s11_thread_attach, s12_tail_latency, s14_filters; JSON Lines on stdout or FILE.\n"
        "  --quick  short run (smoke test, ~seconds), not for quoting\n"
        "  --leak-tolerance N  s10: let the extension's allocs and frees over the panicking\n"
        "           requests differ by up to N (default 0: equal), for a garbage-collected\n"
        "           runtime whose counts are process-wide\n"
        "  --floor-ext C_EXT.so  the floor, the same work in C, loaded beside the extension:\n"
        "           s11 calls it first on each new thread, timed, so the measured extension's\n"
        "           first call is left with its own thread state; s01, s07, s10 and s14 time its\n"
        "           cases in the same interleaved rounds as the extension's (per_round and\n"
        "           floor_per_round of each record; not when it is EXTENSION.so itself)\n"
        "  --count CALIBRATE,MOST:N1:N2,...  under callgrind (lab-bench's callgrind pass):\n"
        "           time nothing; count each batch case (a calibrating batch of CALIBRATE\n"
        "           calls, whose Ir per call picks the first level of at most MOST, a warm-up of\n"
        "           N1 calls, then N1 and N2 calls, each dumped as <case id>#<n>); one line per\n"
        "           case counted\n",
        stderr);
  exit(64);
}

static void *resolve(void *lib, const char *path, const char *symbol) {
  dlerror();
  void *p = dlsym(lib, symbol);
  if (p == NULL) {
    fprintf(stderr, "lab-driver: %s lacks symbol %s\n", path, symbol);
    exit(2);
  }
  return p;
}

static void resolve_all(void *lib, const char *path, ext_api *x) {
  x->init = (lab_ext_init_fn)resolve(lib, path, LAB_EXT_INIT);
  x->noop = (lab_ext_noop_fn)resolve(lib, path, LAB_EXT_NOOP);
  x->noop_args = (lab_ext_noop_args_fn)resolve(lib, path, LAB_EXT_NOOP_ARGS);
  x->noop_guarded = (lab_ext_noop_guarded_fn)resolve(lib, path, LAB_EXT_NOOP_GUARDED);
  x->on_request_headers = (lab_ext_callback_fn)resolve(lib, path, LAB_EXT_ON_REQUEST_HEADERS);
  x->on_request_body = (lab_ext_callback_fn)resolve(lib, path, LAB_EXT_ON_REQUEST_BODY);
  x->on_response_headers = (lab_ext_callback_fn)resolve(lib, path, LAB_EXT_ON_RESPONSE_HEADERS);
  x->stats = (lab_ext_stats_fn)resolve(lib, path, LAB_EXT_STATS);
  x->destroy = (lab_ext_destroy_fn)resolve(lib, path, LAB_EXT_DESTROY);
}

/* Whether two paths name one file (the C extension measured with itself as --floor-ext). */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Loads a private copy of the floor extension: dlopen() of the measured extension's own path would
 * return the same instance, whose thread state the floor's call would then create. */
static void load_floor(const char *path) {
  char copy[] = "/tmp/lab-floor-XXXXXX.so";
  int fd = mkstemps(copy, 3);
  FILE *in = fopen(path, "rb");
  FILE *to = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (in == NULL || to == NULL) {
    fprintf(stderr, "lab-driver: cannot copy the floor extension %s: %s\n", path, strerror(errno));
    exit(2);
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    if (fwrite(buf, 1, n, to) != n) {
      fprintf(stderr, "lab-driver: cannot copy the floor extension: %s\n", strerror(errno));
      exit(2);
    }
  }
  fclose(in);
  if (fclose(to) != 0) {
    fprintf(stderr, "lab-driver: cannot copy the floor extension: %s\n", strerror(errno));
    exit(2);
  }
  void *lib = dlopen(copy, RTLD_NOW | RTLD_LOCAL);
  unlink(copy);
  if (lib == NULL) {
    const char *err = dlerror();
    fprintf(stderr, "lab-driver: cannot load the floor extension %s: %s\n", path,
            err != NULL ? err : "unknown error");
    exit(2);
  }
  resolve_all(lib, path, &floor_ext);
  lab_status st = floor_ext.init(host);
  if (st != LAB_OK) {
    fprintf(stderr, "lab-driver: the floor extension's lab_ext_init failed: %s\n",
            lab_status_str(st));
    exit(2);
  }
}

/* Every selected scenario, in order. */
static void *run_scenarios(void *unused) {
  (void)unused;
  if (counting) {
    /* The main thread, which started this one, reaches its pthread_join before anything is
     * counted: else the rest of its pthread_create and its join run in a counted window (S01's
     * first batch took 178 instructions more than its others). */
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
  }
  static const struct {
    const char *id;
    void (*run)(void);
  } scenarios[] = {{"s01_call_floor", s01_call_floor},     {"s07_copy_on_demand", s07_copy_on_demand},
                   {"s10_panic", s10_panic},               {"s11_thread_attach", s11_thread_attach},
                   {"s12_tail_latency", s12_tail_latency}, {"s14_filters", s14_filters}};
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
    if (selected(scenarios[i].id)) {
      if (counting) {
        count_prime(scenarios[i].id);
      }
      scenarios[i].run();
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--quick") == 0) {
      quick = 1;
    } else if (strcmp(a, "--out") == 0) {
      if (++i >= argc || strncmp(argv[i], "--", 2) == 0) {
        fputs("lab-driver: --out needs a file\n", stderr);
        usage();
      }
      out_path = argv[i];
    } else if (strcmp(a, "--only") == 0) {
      if (++i >= argc || strncmp(argv[i], "--", 2) == 0) {
        fputs("lab-driver: --only needs a scenario substring\n", stderr);
        usage();
      }
      only = argv[i];
    } else if (strcmp(a, "--floor-ext") == 0) {
      if (++i >= argc || strncmp(argv[i], "--", 2) == 0) {
        fputs("lab-driver: --floor-ext needs a shared object\n", stderr);
        usage();
      }
      floor_path = argv[i];
    } else if (strcmp(a, "--count") == 0) {
      if (++i >= argc || !parse_count_plan(argv[i])) {
        fputs("lab-driver: --count needs CALIBRATE,MOST:N1:N2,... (the last MOST inf)\n", stderr);
        usage();
      }
      counting = 1;
    } else if (strcmp(a, "--leak-tolerance") == 0) {
      char *end = NULL;
      if (++i >= argc || argv[i][0] < '0' || argv[i][0] > '9') {
        fputs("lab-driver: --leak-tolerance needs a non-negative integer\n", stderr);
        usage();
      }
      errno = 0;
      unsigned long long n = strtoull(argv[i], &end, 10);
      if (errno != 0 || end == argv[i] || *end != '\0') {
        fprintf(stderr, "lab-driver: --leak-tolerance: not a number: %s\n", argv[i]);
        usage();
      }
      leak_tolerance = (uint64_t)n;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage();
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "lab-driver: unknown flag %s\n", a);
      usage();
    } else if (path == NULL) {
      path = a;
    } else {
      fprintf(stderr, "lab-driver: unexpected argument %s\n", a);
      usage();
    }
  }
  if (path == NULL) {
    usage();
  }
  if (counting) {
    count_dir = getenv("LAB_CALLGRIND_DIR");
    if (!lab_cg_running() || count_dir == NULL) {
      fputs("lab-driver: --count runs under valgrind --tool=callgrind, with LAB_CALLGRIND_DIR "
            "naming the directory of --callgrind-out-file=<dir>/cg.%p (lab-bench's callgrind "
            "pass starts it so)\n",
            stderr);
      return 64;
    }
  }

  /* A bare file name is the file in the current directory, not a library search. */
  char local[4096];
  const char *load = path;
  if (strchr(path, '/') == NULL) {
    snprintf(local, sizeof local, "./%s", path);
    load = local;
  }
  void *lib = dlopen(load, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    const char *err = dlerror();
    fprintf(stderr, "lab-driver: cannot load %s: %s\n", path, err != NULL ? err : "unknown error");
    return 2;
  }
  resolve_all(lib, path, &ext);

  host = lab_host_api_get();
  lab_status st = ext.init(host);
  if (st != LAB_OK) {
    fprintf(stderr, "lab-driver: lab_ext_init failed: %s\n", lab_status_str(st));
    return 2;
  }

  if (floor_path != NULL) {
    load_floor(floor_path);
    floor_is_self = same_file(load, floor_path);
  }

  if (out_path != NULL) {
    out = fopen(out_path, "w");
    if (out == NULL) {
      fprintf(stderr, "lab-driver: cannot open %s: %s\n", out_path, strerror(errno));
      return 1;
    }
  } else {
    out = stdout;
  }
  body_bytes = malloc(BODY_MAX);
  if (body_bytes == NULL) {
    fail("out of memory");
  }
  memset(body_bytes, 'b', BODY_MAX);

  double t0 = now_ns();
  fprintf(stderr, "lab-driver: %s, %s mode\n", path, quick ? "quick" : "full");
  self_check();
  if (counting) {
    /* Counted on a thread of its own, as lab-bench's R->C cases are: its stack and malloc arena
     * are mappings of their own, placed alike whatever the environment and the main thread's
     * heap, which move the alignment-dependent paths of memcpy and strlen. */
    pthread_t tid;
    int err = pthread_create(&tid, NULL, run_scenarios, NULL);
    if (err == 0) {
      err = pthread_join(tid, NULL);
    }
    if (err != 0) {
      fail("the counting thread: %s", strerror(err));
    }
  } else {
    run_scenarios(NULL);
  }

  ext.destroy();
  if (out != stdout) {
    if (fclose(out) != 0) {
      fprintf(stderr, "lab-driver: cannot write %s: %s\n", out_path, strerror(errno));
      return 1;
    }
  } else if (fflush(out) != 0 || ferror(out)) {
    fprintf(stderr, "lab-driver: cannot write stdout\n");
    return 1;
  }
  out = NULL;
  free(body_bytes);
  dlclose(lib);
  fprintf(stderr, "lab-driver: done in %.1f s\n", (now_ns() - t0) / 1e9);
  return 0;
}
