/*
 * S10: panic containment. What catching a panic at the boundary costs: a bare call; the empty
 * body of the guard called alone, inside catch_unwind alone, inside the quiet-hook flag alone; one
 * thread-local write alone; the whole guard every callback runs; a request whose filter panics.
 * Then the survival run: 10,000 panicking requests on fresh requests, checked to leak nothing on
 * either side.
 */
#include "../engine.h"

#include <inttypes.h>
#include <string.h>

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
    lab_status st = EXT(on_request_headers)(&e, &r);
    lab_cg_toggle();
    survival_close(h, st, i);
    lab_cg_toggle();
    sum += r;
  }
  return sum;
}

/* The strategies timed in the plan, in the order of their records. bare: the loop of a bare call
 * of the ext_api, on the extension under test and the floor; NULL: the requests of a fixture whose
 * filter panics, each callback expected to return LAB_ERR_PANIC. */
static const struct {
  const char *name;
  run_fn bare;
} strategies[] = {
    {"bare_call", run_empty},
    {"body_call", run_body_call},
    {"catch_unwind", run_catch_unwind},
    {"quiet_hook", run_quiet_hook},
    {"thread_local", run_thread_local},
    {"guarded", run_guarded},
    {"panic", NULL},
};

void s10_panic(void) {
  const char *sc = "s10_panic";
  plan *p = plan_new(sc);
  if (skip_panics) {
    fprintf(stderr, "%s: --skip-panics: the panic and panic_survival cases left out (a panic ends "
                    "the process of an extension built with panic = \"abort\")\n",
            sc);
  }
  for (size_t s = 0; s < TABLE_LEN(strategies); s++) {
    if (strategies[s].bare != NULL) {
      plan_add(p, strategies[s].name, "{}", strategies[s].bare, &ext, floor_table(), 0, 0);
      continue;
    }
    if (skip_panics) {
      continue;
    }
    snprintf(current_case, sizeof current_case, "%s/%s", sc, strategies[s].name);
    fixture *f = fixture_new(0, AUTH_IS_VALID, LAB_FILTER_PANIC, LAB_ACCESS_LAZY);
    f->expect = LAB_ERR_PANIC;
    plan_add_fixture(p, strategies[s].name, "{}", f, 0);
  }
  plan_finish(p);
  if (skip_panics) {
    return;
  }

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
    lab_status st = EXT(on_request_headers)(&e, &r);
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

