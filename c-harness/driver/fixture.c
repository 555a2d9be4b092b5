/*
 * The driver's fixtures: a registered request and its entry, as the host hands them to an
 * extension's callbacks, and the loops several scenarios time (a fixture's requests, the bare
 * calls). fixture_entry runs inside every timed request: it stays static inline here, in the file
 * of run_request and fixture_request, so that it is compiled into them.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

uint8_t *body_bytes;

static const char AUTH_VALID[] = "Basic bGFiOnNlY3JldA==";  /* lab:secret */
static const char AUTH_INVALID[] = "Basic bGFiOndyb25n";    /* lab:wrong */

static void set_header(lab_request *req, const char *name, const char *value, size_t value_len) {
  check_host(lab_header_set(req, (const uint8_t *)name, strlen(name), (const uint8_t *)value,
                            value_len),
             "lab_header_set");
}

/* lab_request_new_realistic(16, 42) with the given authorization and a body of body_len 'b's.
 * The realistic set's header 12 is `authorization`; for AUTH_IS_MISSING it is left out and a
 * header with a name and value of the same lengths appended instead, so all three requests have
 * 16 headers of the same total size. */
lab_request *request_new(size_t body_len, auth_mode auth) {
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

fixture *fixture_new_on(const ext_api *x, size_t body_len, auth_mode auth, lab_filter filter,
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

/* The same case on the floor extension, for the interleaved pass: a request of its own (built as
 * f's was), so neither extension's calls touch the other's fixture. NULL when no floor is timed. */
fixture *fixture_twin(const fixture *f) {
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

void fixture_free(fixture *f) {
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

uint64_t fixture_request(fixture *f) {
  lab_entry e;
  fixture_entry(f, &e);
  uint64_t r = 0;
  lab_status st = EXT_CALL(f->x, on_request_headers, &e, &r);
  if (st != f->expect) {
    fail_status("lab_ext_on_request_headers", st);
  }
  if (f->with_response) {
    uint64_t r2 = 0;
    fixture_entry(f, &e);
    st = EXT_CALL(f->x, on_response_headers, &e, &r2);
    if (st != f->expect) {
      fail_status("lab_ext_on_response_headers", st);
    }
    r += r2;
  }
  return r;
}

uint64_t run_request(void *ctx, uint64_t iters) { return fixture_requests(ctx, iters); }

/* ------------------------------------------------------------------------------------------------
 * The bare calls (S01, S10)
 *
 * Every bare-call loop (these and S01's) has one shape: the function pointer is loaded once, then
 * called iters times with independent arguments, the results summed, so that the loops differ in
 * the call alone. ctx: the ext_api to call (the measured extension, or the floor in the
 * interleaved pass). In the driver with the extension linked in, the loop on the extension under
 * test calls its export directly (LINKED_LOOP), the floor's still through its pointer.
 * ---------------------------------------------------------------------------------------------- */

/* One bare-call loop over an argument-less export of the ext_api, each of the run_* below in one
 * shape. */
static inline uint64_t run_void(void (*f)(void), uint64_t iters) {
  for (uint64_t i = 0; i < iters; i++) {
    f();
  }
  return iters;
}

#ifdef LAB_EXT_LINKED
/* The same loop on the extension linked into the driver, its export f called directly. The empty
 * asm statement (no instruction) keeps every iteration when cross-language LTO inlines the call
 * into nothing, as black_box keeps the R->C loops': what is left is the loop's own cost. */
static inline __attribute__((always_inline)) uint64_t run_linked(void (*f)(void),
                                                                 uint64_t iters) {
  for (uint64_t i = 0; i < iters; i++) {
    f();
    __asm__ volatile("");
  }
  return iters;
}

/* The loop of a direct call of lab_ext_<fn> when ctx is the extension linked into the driver. */
#define LINKED_LOOP(ctx, fn, iters)                                                                \
  if ((ctx) == (void *)&ext) {                                                                     \
    return run_linked(lab_ext_##fn, iters);                                                        \
  }
#else
#define LINKED_LOOP(ctx, fn, iters)
#endif

uint64_t run_empty(void *ctx, uint64_t iters) {
  LINKED_LOOP(ctx, noop, iters)
  lab_ext_noop_fn f = ((const ext_api *)ctx)->noop;
  for (uint64_t i = 0; i < iters; i++) {
    f();
  }
  return iters;
}

uint64_t run_guarded(void *ctx, uint64_t iters) {
  LINKED_LOOP(ctx, noop_guarded, iters)
  return run_void(((const ext_api *)ctx)->noop_guarded, iters);
}

uint64_t run_body_call(void *ctx, uint64_t iters) {
  LINKED_LOOP(ctx, noop_body_call, iters)
  return run_void(((const ext_api *)ctx)->noop_body_call, iters);
}

uint64_t run_catch_unwind(void *ctx, uint64_t iters) {
  LINKED_LOOP(ctx, noop_catch_unwind, iters)
  return run_void(((const ext_api *)ctx)->noop_catch_unwind, iters);
}

uint64_t run_quiet_hook(void *ctx, uint64_t iters) {
  LINKED_LOOP(ctx, noop_quiet_hook, iters)
  return run_void(((const ext_api *)ctx)->noop_quiet_hook, iters);
}

uint64_t run_thread_local(void *ctx, uint64_t iters) {
  LINKED_LOOP(ctx, noop_thread_local, iters)
  return run_void(((const ext_api *)ctx)->noop_thread_local, iters);
}
