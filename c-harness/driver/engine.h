/*
 * The C driver's engine as a scenario file sees it (scenarios/sNN_*.c): the run's state, the
 * timing loop and its records, the interleaved plan, the callgrind pass's windows and the
 * fixtures. The engine is engine.c (measurement, records, the plan), count.c (the callgrind
 * pass), fixture.c (requests, fixtures and the loops several scenarios time), histogram.h (S12's
 * histogram) and main.c (options, loading, main); scenarios.c lists the scenarios main runs.
 *
 * What runs inside a timed or counted window is code of the loop's own file or a static inline
 * function of a header (this one, histogram.h), never a call into another file: a call across
 * files would add its own cost to what is measured, and the compiler could no longer produce the
 * same code for the loop. A loop run through a run_fn pointer may live in any file. The thin
 * wrappers a scenario calls (emit, count_and_emit, fixture_new, plan_add_fixture) are static
 * inline too, so that a scenario's function compiles as it would beside the engine: the registers
 * of its timed loop and the stack depth of its cases follow from its own code.
 */
#ifndef LAB_DRIVER_ENGINE_H
#define LAB_DRIVER_ENGINE_H

#include "lab.h"
#include "lab_cg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The driver with the extension linked in (-DLAB_EXT_LINKED: the extension is a static library
 * linked into the driver, bench-suite/lab-bench/src/engines/link/): the exports of lab.h, which
 * the calls on the extension under test reach directly, resolved at link time; the dlopen()ed
 * driver reaches them through dlsym'd pointers instead. */
#ifdef LAB_EXT_LINKED
lab_status lab_ext_init(const lab_host_api *host);
void lab_ext_noop(void);
uint64_t lab_ext_noop_args(uint64_t a, uint64_t b, const void *ptr, size_t len);
void lab_ext_noop_guarded(void);
void lab_ext_noop_body_call(void);
void lab_ext_noop_catch_unwind(void);
void lab_ext_noop_quiet_hook(void);
void lab_ext_noop_thread_local(void);
lab_status lab_ext_on_request_headers(const lab_entry *entry, uint64_t *result);
lab_status lab_ext_on_request_body(const lab_entry *entry, uint64_t *result);
lab_status lab_ext_on_response_headers(const lab_entry *entry, uint64_t *result);
void lab_ext_stats(lab_ext_counters *out);
void lab_ext_destroy(void);
#endif

/* Everything the engine's files share is hidden: the driver is one executable, and a hidden
 * variable is read with one RIP-relative load, as a file's own static is, where a default one is
 * read through the GOT, a load more inside the timed loops that read ext, host or sink. */
#pragma GCC visibility push(hidden)

/* The number of rows of a table (an array, not a pointer): every loop over a scenario's strategies
 * takes its length from the table, so a new strategy is a new row. */
#define TABLE_LEN(table) (sizeof(table) / sizeof *(table))

/* ------------------------------------------------------------------------------------------------
 * The run: the extensions, the options, the output (engine.c; main.c sets them)
 * ---------------------------------------------------------------------------------------------- */

/* An extension's entry points, resolved with dlsym (or, for the extension linked in, its symbols). */
typedef struct {
  lab_ext_init_fn init;
  lab_ext_noop_fn noop;
  lab_ext_noop_args_fn noop_args;
  lab_ext_noop_guarded_fn noop_guarded;
  lab_ext_noop_body_call_fn noop_body_call;
  lab_ext_noop_catch_unwind_fn noop_catch_unwind;
  lab_ext_noop_quiet_hook_fn noop_quiet_hook;
  lab_ext_noop_thread_local_fn noop_thread_local;
  lab_ext_callback_fn on_request_headers;
  lab_ext_callback_fn on_request_body;
  lab_ext_callback_fn on_response_headers;
  lab_ext_stats_fn stats;
  lab_ext_destroy_fn destroy;
} ext_api;

/* The extension under test. */
extern ext_api ext;
/* The floor: a private copy of the C extension, all NULL without --floor-ext (main.c). */
extern ext_api floor_ext;
/* Whether --floor-ext is the very file under test (the C extension's own run). */
extern int floor_is_self;
extern const lab_host_api *host;
/* --quick: the short sweep. */
extern int quick;
/* --count: this run counts under callgrind instead of timing. */
extern int counting;
/* S10 survival: how far the extension's allocs and frees over the panicking requests may differ
 * (--leak-tolerance; 0 demands equality). */
extern uint64_t leak_tolerance;
extern FILE *out;
extern const char *out_path;

/* --skip-panics: leave out the cases whose filter panics (S10's panic and panic_survival), which
 * end the process in an extension built with panic = "abort". */
extern int skip_panics;

/* The export `fn` of the extension under test, called: directly in the driver with the extension
 * linked in, through its dlsym'd pointer otherwise. */
#ifdef LAB_EXT_LINKED
#define EXT(fn) lab_ext_##fn
#else
#define EXT(fn) ext.fn
#endif

/* The export `fn` of the extension x (the one under test, or the floor) called with the rest: a
 * direct call when x is the extension linked into the driver, else through x's pointer. */
#ifdef LAB_EXT_LINKED
#define EXT_CALL(x, fn, ...) ((x) == &ext ? lab_ext_##fn(__VA_ARGS__) : (x)->fn(__VA_ARGS__))
#else
#define EXT_CALL(x, fn, ...) ((x)->fn(__VA_ARGS__))
#endif

/* What is running now, for failure messages. */
extern char current_case[256];

/* Every checksum lands here so no call can be optimised away. */
extern volatile uint64_t sink;

__attribute__((format(printf, 1, 2), noreturn)) void fail(const char *fmt, ...);
__attribute__((noreturn)) void fail_status(const char *what, lab_status st);

/* Static inline: the timing loops of several files read the clock through it, and a call to
 * another file inside the timed interval would be timed with it. */
static inline double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------------------------------------
 * Measurement and records (engine.c)
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

typedef struct {
  lab_alloc_stats c;
  lab_ext_counters e;
} counters;

/* Sorts v[0 .. n) and returns its median, p25 and p75. */
summary summarize(double *v, size_t n);
/* Both sides' allocation counters now (the host's are this thread's). Static inline: S11 reads
 * them on the thread it times, between its timed calls. */
static inline counters counters_now(void) {
  counters k;
  memset(&k, 0, sizeof k);
  lab_alloc_stats_get(&k.c);
  ext.stats(&k.e);
  return k;
}
/* The counts per call between a and b, over n calls. */
alloc_counts alloc_delta(const counters *a, const counters *b, double n);
/* Untimed: one warm-up call, then 64 calls between two reads of the counters; *checksum receives
 * the 64 calls' checksum. */
alloc_counts measure_allocs(run_fn run, void *ctx, uint64_t *checksum);

/* One record. per_round / floor_per_round (NULL where not measured so): the case's ns per call in
 * each of the `rounds` interleaved rounds, and the floor extension's same case in the same rounds. */
void emit_interleaved(const char *scenario, const char *strategy, const char *params, summary s,
                      alloc_counts a, const char *percentiles, uint64_t checksum,
                      const double *per_round, const double *floor_per_round, size_t rounds);
/* A record measured without interleaved rounds (S10's survival, S11, S12). */
static inline void emit(const char *scenario, const char *strategy, const char *params, summary s,
                        alloc_counts a, const char *percentiles, uint64_t checksum) {
  emit_interleaved(scenario, strategy, params, s, a, percentiles, checksum, NULL, NULL, 0);
}
/* The line of a counted case (--count). */
void emit_counted(const char *scenario, const char *strategy, const char *params);

/* Runs body(arg) on a new thread and waits for it; a thread that cannot be made or joined ends
 * the run. */
void run_on_new_thread(void *(*body)(void *), void *arg);

/* ------------------------------------------------------------------------------------------------
 * The interleaved plan (engine.c): a scenario's batch-timed cases, then their rounds
 * ---------------------------------------------------------------------------------------------- */

typedef struct plan plan;

plan *plan_new(const char *scenario);
/* Measures one case now (time, then allocations, and with `retained` the bytes the extension keeps
 * after it on a fresh thread); floor_ctx: the same case on the floor extension, run by the same
 * run_fn in the rounds, or NULL; owns_fixtures: ctx and floor_ctx are fixtures plan_finish frees.
 * With --count: counts it instead. */
void plan_add(plan *p, const char *strategy, const char *params, run_fn run, void *ctx,
              void *floor_ctx, int retained, int owns_fixtures);
/* The rounds of every work of the plan (cases with equal params), then every record in the order
 * the cases were added, then the fixtures freed. With --count: a line per case. */
void plan_finish(plan *p);
/* Whether the floor extension's cases are timed in the rounds. */
int floor_in_rounds(void);
/* The floor extension's ext_api as the ctx of a bare-call loop, or NULL when it is not timed. */
void *floor_table(void);

/* ------------------------------------------------------------------------------------------------
 * The callgrind pass (count.c)
 * ---------------------------------------------------------------------------------------------- */

/* How many dumps this process has made: dump k is <dir>/cg.<pid>.<k>. */
extern unsigned count_dumps;

/* Counts one case: calibrate, choose the level, warm up, then the two counted batches. */
void count_case(const char *scenario, const char *strategy, const char *params, run_fn run,
                void *ctx);
/* Counts a case (--count) and names it in the output: for the cases outside a plan. */
static inline void count_and_emit(const char *scenario, const char *strategy, const char *params,
                                  run_fn run, void *ctx) {
  count_case(scenario, strategy, params, run, ctx);
  emit_counted(scenario, strategy, params);
}
/* lab_record::params_label of the driver's flat JSON params. */
void params_label(char *dst, size_t cap, const char *params);

/* A window's dump names, written before it opens: formatting one inside it would be counted (and a
 * thread's first snprintf costs more than its next). */
typedef struct {
  char empty[600], full[600];
} window_names;

/* `<id>#0` and `<id>#1`: the empty window and the window of one call. */
void window_names_of(window_names *w, const char *id);

/* Zeroes and dumps at once, as `name`: a dump no case reads, which takes what ran before it.
 * Static inline, as the windows below, which a thread opens right after it. */
static inline void count_throwaway(const char *name) {
  lab_cg_start();
  lab_cg_stop_dump(name);
  count_dumps++;
}

/* An empty window, then the window that count_window_close closes after what it counts. Static
 * inline, as now_ns: what runs between the two is counted. */
static inline void count_window_open(const window_names *w) {
  lab_cg_start();
  lab_cg_stop_dump(w->empty);
  lab_cg_start();
  count_dumps++;
}

static inline void count_window_close(const window_names *w) {
  lab_cg_stop_dump(w->full);
  count_dumps++;
}

/* ------------------------------------------------------------------------------------------------
 * Fixtures: a registered request and its entry (fixture.c)
 * ---------------------------------------------------------------------------------------------- */

#define VIEWS_CAP 256

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

/* Fails the run unless the host call returned LAB_OK. */
static inline void check_host(lab_status st, const char *what) {
  if (st != LAB_OK) {
    fail("%s: host %s failed: %s", current_case, what, lab_status_str(st));
  }
}

/* The realistic 16 headers (seed 42) with the given authorization and a body of body_len 'b's. */
lab_request *request_new(size_t body_len, auth_mode auth);
/* A fixture whose requests go to the extension x. */
fixture *fixture_new_on(const ext_api *x, size_t body_len, auth_mode auth, lab_filter filter,
                        lab_access access);
/* A fixture whose requests go to the extension under test. */
static inline fixture *fixture_new(size_t body_len, auth_mode auth, lab_filter filter,
                                   lab_access access) {
  return fixture_new_on(&ext, body_len, auth, filter, access);
}
/* The same case on the floor extension, for the interleaved pass, or NULL when no floor is timed. */
fixture *fixture_twin(const fixture *f);
void fixture_free(fixture *f);
/* One request of the fixture: its callbacks, checked against f->expect; their results' sum. */
uint64_t fixture_request(fixture *f);

/* iters requests of f, their results summed. Static inline, so that a scenario calling it directly
 * (S12's warm-up) has the loop compiled into its own function, beside its timed loop. */
static inline uint64_t fixture_requests(fixture *f, uint64_t iters) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    sum += fixture_request(f);
  }
  return sum;
}

/* The loops several scenarios time. run_request: fixture_requests of the fixture ctx. run_empty,
 * run_guarded and S10's run_body_call, run_catch_unwind, run_quiet_hook, run_thread_local: iters
 * bare calls of lab_ext_noop, lab_ext_noop_guarded, lab_ext_noop_body_call, ... of the ext_api
 * ctx. */
uint64_t run_request(void *ctx, uint64_t iters);
uint64_t run_empty(void *ctx, uint64_t iters);
uint64_t run_guarded(void *ctx, uint64_t iters);
uint64_t run_body_call(void *ctx, uint64_t iters);
uint64_t run_catch_unwind(void *ctx, uint64_t iters);
uint64_t run_quiet_hook(void *ctx, uint64_t iters);
uint64_t run_thread_local(void *ctx, uint64_t iters);

/* A fixture case: its requests to the extension under test, and, when the floor is timed, a twin
 * fixture's to the floor; plan_finish frees both. Static inline, so that the case runs at the
 * stack depth of the scenario's own plan_add: the path memcpy takes into the extension's stack
 * buffers, and with it the counted instructions, depends on that depth. */
static inline void plan_add_fixture(plan *p, const char *strategy, const char *params, fixture *f,
                                    int retained) {
  fixture *twin = fixture_twin(f);
  plan_add(p, strategy, params, run_request, f, twin, retained, 1);
}

/* ------------------------------------------------------------------------------------------------
 * Between the engine's own files (no scenario needs these)
 * ---------------------------------------------------------------------------------------------- */

#define BODY_MAX (1u << 20)
/* BODY_MAX bytes of 'b', the requests' bodies (fixture.c; main.c fills it). */
extern uint8_t *body_bytes;

/* Where callgrind writes the dumps, from LAB_CALLGRIND_DIR (count.c; main.c sets it). */
extern const char *count_dir;
/* Parses --count's PLAN, `CALIBRATE,MOST:N1:N2,...` (MOST may be `inf`); 0 when malformed. */
int parse_count_plan(const char *plan);
/* The dump no case reads at the start of each scenario. */
void count_prime(const char *scenario);

/* ------------------------------------------------------------------------------------------------
 * The scenarios (scenarios.c)
 * ---------------------------------------------------------------------------------------------- */

typedef struct {
  const char *id;
  void (*run)(void);
} scenario;

/* Every C->R scenario, in the order main runs them (the order of the records). */
extern const scenario scenarios[];
extern const size_t n_scenarios;

#pragma GCC visibility pop

#endif
