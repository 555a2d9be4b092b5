/*
 * c_ext — an ffi-lab extension written in plain C: the lab_ext_* symbols of lab.h over the host API
 * table, nothing resolved against the host at link time. It is the driver's test extension and the
 * C->C reference (no language boundary beyond an indirect call through dlsym'd pointers).
 *
 * Its filters mirror the Rust extension's (bench-suite/lab-ext/src/filters.rs) copy for copy and lookup
 * for lookup — same headers read and written, same digest, same arena use (eager: the push copied
 * into one arena taken once; lazy: one arena per callback, each value read appended), views on the
 * stack up to the same 16 headers, thread state made only where eager or lazy need it — so the
 * C rows are the floor of the same work, and checksums compare. C cannot panic: LAB_FILTER_PANIC is answered with
 * LAB_ERR_PANIC and counted in panics_caught, as a caught panic would be.
 *
 * Build (from the repository root):
 *   cc -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -I c-harness/include \
 *      c-harness/driver/c_ext.c -o /tmp/c_ext.so
 */
#include "lab.h"
#include "lab_digest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
/* Views live on the stack up to this many headers and on the heap above: the Rust extension's
 * DEFAULT_STACK_SLOTS and Go's maxStackAllocedHeaderSize, so all three allocate alike. */
#define STACK_VIEWS 16

/* A header name as a (ptr, len) view with its length known at compile time, as Rust's and Go's
 * names are: no strlen per lookup. */
#define NAME(s) ((lab_str){(const uint8_t *)(s), sizeof(s) - 1})

static const lab_host_api *H;

/* ------------------------------------------------------------------------------------------------
 * Counters: allocations per thread, gauges per process
 * ---------------------------------------------------------------------------------------------- */

static _Thread_local struct {
  uint64_t allocs, frees, bytes, copied;
} tls_counts;
static _Atomic uint64_t live_thread_states;
static _Atomic uint64_t panics_caught;

static void *ext_alloc(size_t n) {
  tls_counts.allocs++;
  tls_counts.bytes += n;
  return malloc(n);
}

/* A realloc of a live block counts as one allocation and one free (the host's convention). */
static void *ext_realloc(void *p, size_t n) {
  tls_counts.allocs++;
  if (p != NULL) {
    tls_counts.frees++;
  }
  tls_counts.bytes += n;
  return realloc(p, n);
}

static void ext_free(void *p) {
  if (p != NULL) {
    tls_counts.frees++;
    free(p);
  }
}

/* ------------------------------------------------------------------------------------------------
 * Per-thread state: an arena, made on a thread's first callback, released when the thread exits
 * ---------------------------------------------------------------------------------------------- */

typedef struct {
  uint8_t *arena;
  size_t cap;
} thread_state;

static pthread_key_t state_key;
static int key_made;

static void state_release(void *p) {
  thread_state *s = p;
  ext_free(s->arena);
  ext_free(s);
  atomic_fetch_sub_explicit(&live_thread_states, 1, memory_order_relaxed);
}

static thread_state *state_get(void) {
  thread_state *s = pthread_getspecific(state_key);
  if (s == NULL) {
    s = ext_alloc(sizeof *s);
    if (s == NULL) {
      return NULL;
    }
    /* Empty until a callback copies, then as large as its copies, as the Rust extension's. */
    s->cap = 0;
    s->arena = NULL;
    if (pthread_setspecific(state_key, s) != 0) {
      ext_free(s->arena);
      ext_free(s);
      return NULL;
    }
    atomic_fetch_add_explicit(&live_thread_states, 1, memory_order_relaxed);
  }
  return s;
}

/* Grows the thread's arena to room for n bytes (doubling, contents kept); NULL when out of memory.
 * Out of line and cold, like Vec's growth path: the capacity check stays inline in the copies. */
__attribute__((noinline, cold)) static uint8_t *arena_grow(thread_state *s, size_t n) {
  /* Vec's growth: twice the capacity, or what is needed if more, and at least 8 bytes. */
  size_t cap = 2 * s->cap > n ? 2 * s->cap : n;
  cap = cap < 8 ? 8 : cap;
  uint8_t *grown = ext_realloc(s->arena, cap);
  if (grown == NULL) {
    return NULL;
  }
  s->arena = grown;
  s->cap = cap;
  return s->arena;
}

/* Makes room for n bytes in the thread's arena; 0 when out of memory. (Not the arena pointer: an
 * arena that never grew is NULL with room for 0 bytes.) */
static inline int arena_reserve(thread_state *s, size_t n) {
  return n <= s->cap || arena_grow(s, n) != NULL;
}

/* ------------------------------------------------------------------------------------------------
 * Reading headers, whatever the access strategy
 * ---------------------------------------------------------------------------------------------- */

/* The Rust extension's digest (lab_sys::digest): the same checksum, lab_digest.h's. */
static uint64_t digest(const uint8_t *p, size_t n) { return lab_digest(p, n); }

typedef struct {
  const lab_entry *entry;
  int per_call;              /* ask the host for each header */
  const lab_header *views;   /* otherwise: views of every header (host memory or copies) */
  size_t count;
  lab_header stack[STACK_VIEWS];
  lab_header *heap;          /* when the request has more than STACK_VIEWS headers */
  uint8_t *copy_buf;         /* bulk_copy's buffer */
} lookup;

static lab_header *views_for(lookup *l, size_t n) {
  if (n <= STACK_VIEWS) {
    return l->stack;
  }
  ext_free(l->heap);
  l->heap = ext_alloc(n * sizeof *l->heap);
  return l->heap;
}

static void lookup_done(lookup *l) {
  ext_free(l->heap);
  ext_free(l->copy_buf);
  l->heap = NULL;
  l->copy_buf = NULL;
}

/* Copies src to arena + *at (reserved by the caller) and returns the view of the copy. */
static inline lab_str arena_put(uint8_t *arena, size_t *at, lab_str src) {
  lab_str copy = {arena + *at, src.len};
  if (src.len > 0) {
    memcpy(arena + *at, src.ptr, src.len);
  }
  *at += src.len;
  return copy;
}

/* Makes the request's headers reachable as the entry's access strategy says. In eager, every
 * pushed header and the body are copied into the thread's arena first (eager pays for all of it);
 * *body_sum receives the digest of the body copy. */
static lab_status lookup_open(lookup *l, const lab_entry *e, uint64_t *body_sum) {
  memset(l, 0, offsetof(lookup, stack));
  l->heap = NULL;
  l->copy_buf = NULL;
  l->entry = e;
  *body_sum = 0;
  switch (e->access) {
  case LAB_ACCESS_LAZY:
  case LAB_ACCESS_PER_HEADER_CALL:
    l->per_call = 1;
    return LAB_OK;
  case LAB_ACCESS_BULK_BORROW: {
    size_t n = e->header_count;
    for (;;) {
      lab_header *v = views_for(l, n);
      if (v == NULL) {
        return LAB_ERR_NOMEM;
      }
      size_t cap = n > STACK_VIEWS ? n : STACK_VIEWS;
      lab_status st = H->headers_view_all(e->request, v, cap, &n);
      if (st == LAB_ERR_CAPACITY) {
        continue;
      }
      if (st != LAB_OK) {
        return st;
      }
      l->views = v;
      l->count = n;
      return LAB_OK;
    }
  }
  case LAB_ACCESS_BULK_COPY: {
    size_t n = e->header_count, bytes = e->header_bytes;
    for (;;) {
      lab_header *v = views_for(l, n);
      ext_free(l->copy_buf);
      l->copy_buf = ext_alloc(bytes > 0 ? bytes : 1);
      if (v == NULL || l->copy_buf == NULL) {
        return LAB_ERR_NOMEM;
      }
      size_t cap = n > STACK_VIEWS ? n : STACK_VIEWS;
      lab_status st = H->headers_copy_all(e->request, l->copy_buf, bytes, v, cap, &n, &bytes);
      if (st == LAB_ERR_CAPACITY) {
        continue;
      }
      if (st != LAB_OK) {
        return st;
      }
      l->views = v;
      l->count = n;
      return LAB_OK;
    }
  }
  case LAB_ACCESS_EAGER: {
    if ((e->headers == NULL && e->header_count > 0) || (e->body == NULL && e->body_len > 0)) {
      return LAB_ERR_NULL;
    }
    thread_state *s = state_get();
    if (s == NULL) {
      return LAB_ERR_NOMEM;
    }
    lab_header *v = views_for(l, e->header_count);
    if (v == NULL) {
      return LAB_ERR_NOMEM;
    }
    /* Reserve everything first so the arena does not move under the views. */
    size_t total = e->body_len;
    for (size_t i = 0; i < e->header_count; i++) {
      total += e->headers[i].name.len + e->headers[i].value.len;
    }
    if (!arena_reserve(s, total)) {
      return LAB_ERR_NOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < e->header_count; i++) {
      v[i].name = arena_put(s->arena, &at, e->headers[i].name);
      v[i].value = arena_put(s->arena, &at, e->headers[i].value);
    }
    lab_str body = arena_put(s->arena, &at, (lab_str){e->body, e->body_len});
    tls_counts.copied += at; /* counted once per callback, as Rust's note_copy */
    *body_sum = digest(body.ptr, body.len);
    l->views = v;
    l->count = e->header_count;
    return LAB_OK;
  }
  default:
    return LAB_ERR_UNSUPPORTED;
  }
}

/* The value of header `name`: *found = 0 when absent. */
static lab_status lookup_get(const lookup *l, lab_str name, lab_str *value, int *found) {
  size_t n = name.len;
  *found = 0;
  if (l->per_call) {
    lab_status st = H->header_get(l->entry->request, name.ptr, n, value);
    if (st == LAB_ERR_NOT_FOUND) {
      return LAB_OK;
    }
    if (st == LAB_OK) {
      *found = 1;
    }
    return st;
  }
  for (size_t i = 0; i < l->count; i++) {
    if (l->views[i].name.len == n && memcmp(l->views[i].name.ptr, name.ptr, n) == 0) {
      *value = l->views[i].value;
      *found = 1;
      return LAB_OK;
    }
  }
  return LAB_OK;
}

static lab_status lookup_digest(const lookup *l, lab_str name, uint64_t *sum) {
  lab_str v;
  int found;
  lab_status st = lookup_get(l, name, &v, &found);
  if (st == LAB_OK && found) {
    *sum += digest(v.ptr, v.len);
  }
  return st;
}

/* Lazy's cache for one callback (the Rust extension's with_cache): the thread's arena, taken once;
 * each value read is copied to its end at *at and the copy digested. The caller counts the copies
 * once, at the end. Inlined, as Rust inlines its cache(): a call per value would be work the Rust
 * extension does not do. */
static inline __attribute__((always_inline)) lab_status cache(thread_state *s, size_t *at,
                                                              const uint8_t *p, size_t n,
                                                              uint64_t *sum) {
  if (!arena_reserve(s, *at + n)) {
    return LAB_ERR_NOMEM;
  }
  if (n > 0) {
    memcpy(s->arena + *at, p, n);
  }
  *sum += digest(s->arena + *at, n);
  *at += n;
  return LAB_OK;
}

/* ------------------------------------------------------------------------------------------------
 * Filters
 * ---------------------------------------------------------------------------------------------- */

static const char EXPECTED_AUTHORIZATION[] = "Basic bGFiOnNlY3JldA==";

static lab_status set(const lab_entry *e, lab_str name, lab_str value) {
  return H->header_set(e->request, name.ptr, name.len, value.ptr, value.len);
}

static lab_status filter_lazy(const lab_entry *e, uint64_t *out) {
  uint64_t sum = 0;
  size_t at = 0;
  thread_state *s = NULL;
  lab_status st = LAB_OK;
  switch (e->filter) {
  case LAB_FILTER_NOTHING:
    break;
  case LAB_FILTER_ONE_HEADER: {
    lab_str v;
    lab_str ua = NAME("user-agent");
    st = H->header_get(e->request, ua.ptr, ua.len, &v);
    if (st == LAB_OK) {
      s = state_get();
      st = s == NULL ? LAB_ERR_NOMEM : cache(s, &at, v.ptr, v.len, &sum);
    }
    break;
  }
  case LAB_FILTER_ALL_HEADERS: {
    lookup l;
    uint64_t unused;
    /* bulk_borrow the views, then copy each value into the callback's cache */
    lab_entry borrow = *e;
    borrow.access = LAB_ACCESS_BULK_BORROW;
    st = lookup_open(&l, &borrow, &unused);
    if (st == LAB_OK) {
      s = state_get();
      /* The values fit in header_bytes: at most one growth per callback. */
      if (s == NULL || !arena_reserve(s, e->header_bytes)) {
        st = LAB_ERR_NOMEM;
      }
    }
    for (size_t i = 0; st == LAB_OK && i < l.count; i++) {
      st = cache(s, &at, l.views[i].value.ptr, l.views[i].value.len, &sum);
    }
    lookup_done(&l);
    break;
  }
  case LAB_FILTER_BODY: {
    lab_str b;
    st = H->body_get(e->request, &b);
    if (st == LAB_OK) {
      s = state_get();
      st = s == NULL ? LAB_ERR_NOMEM : cache(s, &at, b.ptr, b.len, &sum);
    }
    break;
  }
  default:
    return LAB_ERR_UNSUPPORTED;
  }
  tls_counts.copied += at;
  if (st == LAB_OK) {
    *out = sum;
  }
  return st;
}

static lab_status run_filter(const lab_entry *e, uint64_t *out) {
  if (e->filter == LAB_FILTER_PANIC) {
    atomic_fetch_add_explicit(&panics_caught, 1, memory_order_relaxed);
    return LAB_ERR_PANIC;
  }
  if (e->access == LAB_ACCESS_LAZY && e->filter <= LAB_FILTER_BODY) {
    return filter_lazy(e, out);
  }
  if (e->filter > LAB_FILTER_CLONE_ALL) {
    return LAB_ERR_UNSUPPORTED;
  }
  /* Body filter outside eager/lazy: read the body, no header access needed. */
  if (e->filter == LAB_FILTER_BODY && e->access != LAB_ACCESS_EAGER) {
    lab_str b;
    lab_status st = H->body_get(e->request, &b);
    if (st == LAB_OK) {
      *out = digest(b.ptr, b.len);
    }
    return st;
  }
  lookup l;
  uint64_t body_sum = 0, sum = 0;
  lab_status st = lookup_open(&l, e, &body_sum);
  if (st != LAB_OK) {
    lookup_done(&l);
    return st;
  }
  switch (e->filter) {
  case LAB_FILTER_NOTHING: /* eager copied the push; the filter reads nothing */
    break;
  case LAB_FILTER_ONE_HEADER:
    st = lookup_digest(&l, NAME("user-agent"), &sum);
    break;
  case LAB_FILTER_ALL_HEADERS:
    if (l.per_call) {
      lookup_done(&l);
      lab_entry borrow = *e;
      borrow.access = LAB_ACCESS_BULK_BORROW;
      uint64_t unused;
      st = lookup_open(&l, &borrow, &unused);
    }
    for (size_t i = 0; st == LAB_OK && i < l.count; i++) {
      sum += digest(l.views[i].value.ptr, l.views[i].value.len);
    }
    break;
  case LAB_FILTER_BODY: /* eager: the body copy */
    sum = body_sum;
    break;
  case LAB_FILTER_BASIC_AUTH: {
    lab_str v;
    int found;
    st = lookup_get(&l, NAME("authorization"), &v, &found);
    if (st != LAB_OK) {
      break;
    }
    size_t n = sizeof EXPECTED_AUTHORIZATION - 1;
    if (found && v.len == n && memcmp(v.ptr, EXPECTED_AUTHORIZATION, n) == 0) {
      sum = 200;
    } else {
      st = H->send_local_reply(e->request, 401, (const uint8_t *)"unauthorized", 12);
      sum = 401;
    }
    break;
  }
  case LAB_FILTER_HEADER_GET_SET: {
    const lab_str names[] = {NAME(":path"), NAME("user-agent"), NAME("x-request-id"),
                             NAME("accept")};
    for (size_t i = 0; st == LAB_OK && i < 4; i++) {
      st = lookup_digest(&l, names[i], &sum);
    }
    /* The views may point at headers about to be rewritten: done with them first. */
    lookup_done(&l);
    if (st == LAB_OK) {
      st = set(e, NAME("x-lab-seen"), NAME("1"));
    }
    if (st == LAB_OK) {
      st = set(e, NAME("x-lab-route"), NAME("cluster-a"));
    }
    break;
  }
  case LAB_FILTER_CLONE_ALL: {
    if (l.per_call) {
      st = LAB_ERR_UNSUPPORTED;
      break;
    }
    /* Allocation-heavy on purpose (S12): an owned copy per header value, then freed. */
    uint8_t **owned = ext_alloc((l.count > 0 ? l.count : 1) * sizeof *owned);
    if (owned == NULL) {
      st = LAB_ERR_NOMEM;
      break;
    }
    size_t made = 0, copied = 0;
    for (; made < l.count; made++) {
      size_t n = l.views[made].value.len;
      owned[made] = ext_alloc(n > 0 ? n : 1);
      if (owned[made] == NULL) {
        st = LAB_ERR_NOMEM;
        break;
      }
      if (n > 0) {
        memcpy(owned[made], l.views[made].value.ptr, n);
      }
      copied += n;
      sum += digest(owned[made], n);
    }
    tls_counts.copied += copied;
    for (size_t i = 0; i < made; i++) {
      ext_free(owned[i]);
    }
    ext_free(owned);
    break;
  }
  default:
    st = LAB_ERR_UNSUPPORTED;
  }
  lookup_done(&l);
  if (st == LAB_OK) {
    *out = sum;
  }
  return st;
}

/* ------------------------------------------------------------------------------------------------
 * Exports
 * ---------------------------------------------------------------------------------------------- */

EXPORT lab_status lab_ext_init(const lab_host_api *host) {
  if (host == NULL) {
    return LAB_ERR_NULL;
  }
  if (host->abi_version != LAB_ABI_VERSION) {
    return LAB_ERR_ABI;
  }
  if (!key_made) {
    if (pthread_key_create(&state_key, state_release) != 0) {
      return LAB_ERR_NOMEM;
    }
    key_made = 1;
  }
  H = host;
  return LAB_OK;
}

EXPORT void lab_ext_noop(void) {}

EXPORT uint64_t lab_ext_noop_args(uint64_t a, uint64_t b, const void *ptr, size_t len) {
  return (a ^ b) + (uint64_t)(uintptr_t)ptr + (uint64_t)len;
}

/* C has no unwinding to guard against and no panic message to keep quiet: the whole guard and
 * each of its parts (S10) are the same empty body. */
EXPORT void lab_ext_noop_guarded(void) {}
EXPORT void lab_ext_noop_body_call(void) {}
EXPORT void lab_ext_noop_catch_unwind(void) {}
EXPORT void lab_ext_noop_quiet_hook(void) {}
EXPORT void lab_ext_noop_thread_local(void) {}

static lab_status callback_ok(const lab_entry *entry, uint64_t *result) {
  if (entry == NULL || result == NULL) {
    return LAB_ERR_NULL;
  }
  if (H == NULL) {
    return LAB_ERR_ABI;
  }
  return LAB_OK;
}

EXPORT lab_status lab_ext_on_request_headers(const lab_entry *entry, uint64_t *result) {
  lab_status st = callback_ok(entry, result);
  if (st != LAB_OK) {
    return st;
  }
  /* The thread state is made where eager and lazy first need the arena, as in the Rust
   * extension: the other strategies never touch it. */
  return run_filter(entry, result);
}

/* The body filter reads the body; others pass. */
EXPORT lab_status lab_ext_on_request_body(const lab_entry *entry, uint64_t *result) {
  lab_status st = callback_ok(entry, result);
  if (st != LAB_OK) {
    return st;
  }
  if (entry->filter != LAB_FILTER_BODY) {
    *result = 0;
    return LAB_OK;
  }
  lab_str b;
  st = H->body_get(entry->request, &b);
  if (st == LAB_OK) {
    *result = digest(b.ptr, b.len);
  }
  return st;
}

/* header_get_set reads one header and sets one; other filters pass. */
EXPORT lab_status lab_ext_on_response_headers(const lab_entry *entry, uint64_t *result) {
  lab_status st = callback_ok(entry, result);
  if (st != LAB_OK) {
    return st;
  }
  if (entry->filter != LAB_FILTER_HEADER_GET_SET) {
    *result = 0;
    return LAB_OK;
  }
  lookup l;
  uint64_t body_sum, sum = 0;
  st = lookup_open(&l, entry, &body_sum);
  if (st == LAB_OK) {
    st = lookup_digest(&l, NAME("x-lab-seen"), &sum);
  }
  lookup_done(&l);
  if (st == LAB_OK) {
    st = set(entry, NAME("x-lab-response"), NAME("c"));
  }
  if (st == LAB_OK) {
    *result = sum;
  }
  return st;
}

EXPORT void lab_ext_stats(lab_ext_counters *out) {
  if (out == NULL) {
    return;
  }
  out->allocs = tls_counts.allocs;
  out->frees = tls_counts.frees;
  out->bytes_allocated = tls_counts.bytes;
  out->live_thread_states = atomic_load_explicit(&live_thread_states, memory_order_relaxed);
  out->panics_caught = atomic_load_explicit(&panics_caught, memory_order_relaxed);
  out->bytes_copied = tls_counts.copied;
  /* The state struct and its arena, both on the heap (Rust keeps its state in the TLS block). */
  const thread_state *s = key_made ? pthread_getspecific(state_key) : NULL;
  out->bytes_retained = s != NULL ? sizeof *s + s->cap : 0;
}

/* Releases the calling thread's state (other threads' states go when they exit). */
EXPORT void lab_ext_destroy(void) {
  if (!key_made) {
    return;
  }
  thread_state *s = pthread_getspecific(state_key);
  if (s != NULL) {
    pthread_setspecific(state_key, NULL);
    state_release(s);
  }
  pthread_key_delete(state_key);
  key_made = 0;
  H = NULL;
}
