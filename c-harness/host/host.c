/*
 * The lab's host: plays Envoy's role for the R->C scenarios (FINDINGS.md S01-S06). It owns requests
 * and their header maps, and implements every function of lab.h. Every allocation goes through
 * host_alloc/host_free so the extension can read exact per-thread allocation counts.
 */
#include "lab.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct lab_request {
  /* Each header's name and value live in one block starting at headers[i].name.ptr. */
  lab_header *headers;
  size_t count;
  size_t cap;
  size_t bytes; /* sum of all name and value lengths */
  uint8_t *body;
  size_t body_len;
  uint32_t local_reply; /* status of the last local reply, 0 = none */
};

/* ------------------------------------------------------------------------------------------------
 * Counting allocator (per thread)
 * ---------------------------------------------------------------------------------------------- */

static _Thread_local lab_alloc_stats tls_stats;

/* The page size of the placement of S13's buffers. */
#define PAGE 4096u

static void *host_alloc(size_t size) {
  tls_stats.allocs++;
  tls_stats.bytes_allocated += size;
  return malloc(size);
}

/* Whole pages, counted as host_alloc counts: for S13's buffers, whose placement must not be left to
 * malloc. Two blocks from malloc can sit at the same offset in their pages, and a copy between them
 * then has every load 4 KiB-alias a store in flight (S01 measured a 4 KiB copy at 97-166 ns so,
 * 43 ns not): whether a strategy's copy is aliased would depend on malloc, not on the strategy. */
static void *host_alloc_pages(size_t size) {
  /* C11's aligned_alloc wants a whole number of pages. */
  if (size > SIZE_MAX - PAGE) {
    return NULL;
  }
  void *p = aligned_alloc(PAGE, (size + PAGE - 1) / PAGE * PAGE);
  if (p == NULL) {
    return NULL;
  }
  tls_stats.allocs++;
  tls_stats.bytes_allocated += size;
  return p;
}

/* A realloc of a live block counts as one allocation and one free, so allocs == frees still means
 * nothing leaked. */
static void *host_realloc(void *p, size_t size) {
  tls_stats.allocs++;
  if (p != NULL) {
    tls_stats.frees++;
  }
  tls_stats.bytes_allocated += size;
  return realloc(p, size);
}

static void host_free(void *p) {
  if (p != NULL) {
    tls_stats.frees++;
    free(p);
  }
}

/* Every copy of string bytes goes through here so bytes_copied is exact: into caller memory, and
 * into the host's own header blocks when a header is set (a write copies its name and value). */
static void host_copy(uint8_t *dst, const uint8_t *src, size_t len) {
  if (len > 0) {
    memcpy(dst, src, len);
  }
  tls_stats.bytes_copied += len;
}

void lab_alloc_stats_get(lab_alloc_stats *out) {
  if (out != NULL) {
    *out = tls_stats;
  }
}

const char *lab_status_str(lab_status status) {
  switch (status) {
  case LAB_OK:
    return "ok";
  case LAB_ERR_NULL:
    return "null pointer";
  case LAB_ERR_RANGE:
    return "offset or length past the buffer";
  case LAB_ERR_NOT_FOUND:
    return "header not found";
  case LAB_ERR_CAPACITY:
    return "caller buffer too small";
  case LAB_ERR_INVALID_NAME:
    return "invalid header name";
  case LAB_ERR_NOMEM:
    return "out of memory";
  case LAB_ERR_BAD_HANDLE:
    return "null, dangling or destroyed request handle";
  case LAB_ERR_PANIC:
    return "the extension panicked";
  case LAB_ERR_ABI:
    return "extension and host disagree on the ABI version";
  case LAB_ERR_UNSUPPORTED:
    return "filter or access strategy not implemented by the extension";
  case LAB_ERR_INVALID_DATA:
    return "data not representable (interior NUL, invalid UTF-8)";
  }
  return "unknown status";
}

/* A (ptr, len) pair is readable when it is non-NULL or empty. */
static int str_ok(const void *ptr, size_t len) { return ptr != NULL || len == 0; }

/* ------------------------------------------------------------------------------------------------
 * S01
 * ---------------------------------------------------------------------------------------------- */

void lab_noop(void) {}

uint64_t lab_noop_args(uint64_t a, uint64_t b, const void *ptr, size_t len) {
  return (a ^ b) + (uint64_t)(uintptr_t)ptr + (uint64_t)len;
}

/* ------------------------------------------------------------------------------------------------
 * S02 / S05 consumers
 * ---------------------------------------------------------------------------------------------- */

uint64_t lab_touch(const uint8_t *ptr, size_t len) {
  if (ptr == NULL || len == 0) {
    return 0;
  }
  return (uint64_t)len * 0x9E3779B97F4A7C15ull + ((uint64_t)ptr[0] << 8) + ptr[len - 1];
}

lab_status lab_consume_cstr(const char *s, uint64_t *checksum) {
  if (s == NULL || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  *checksum = lab_touch((const uint8_t *)s, strlen(s));
  return LAB_OK;
}

lab_status lab_consume_str(const uint8_t *ptr, size_t len, uint64_t *checksum) {
  if (!str_ok(ptr, len) || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  *checksum = lab_touch(ptr, len);
  return LAB_OK;
}

lab_status lab_consume_cstr_array(const char *const *items, size_t n, uint64_t *checksum) {
  if (!str_ok(items, n) || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (items[i] == NULL) {
      return LAB_ERR_NULL;
    }
    sum += lab_touch((const uint8_t *)items[i], strlen(items[i]));
  }
  *checksum = sum;
  return LAB_OK;
}

lab_status lab_consume_str_array(const lab_str *items, size_t n, uint64_t *checksum) {
  if (!str_ok(items, n) || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (!str_ok(items[i].ptr, items[i].len)) {
      return LAB_ERR_NULL;
    }
    sum += lab_touch(items[i].ptr, items[i].len);
  }
  *checksum = sum;
  return LAB_OK;
}

lab_status lab_consume_packed(const uint8_t *buf, size_t buf_len, const uint32_t *offsets, size_t n,
                              uint64_t *checksum) {
  if (!str_ok(buf, buf_len) || offsets == NULL || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    size_t start = offsets[i];
    size_t end = offsets[i + 1];
    if (start > end || end > buf_len) {
      return LAB_ERR_RANGE;
    }
    sum += lab_touch(buf + start, end - start);
  }
  *checksum = sum;
  return LAB_OK;
}

/* ------------------------------------------------------------------------------------------------
 * Requests
 * ---------------------------------------------------------------------------------------------- */

/* Process-wide, unlike the allocation counters: S09's stress test destroys requests on one thread
 * while others still call into them, and the last call out may free a request on its own thread. */
static _Atomic size_t requests_live;

size_t lab_requests_live(void) { return atomic_load_explicit(&requests_live, memory_order_relaxed); }

lab_request *lab_request_new(void) {
  lab_request *req = host_alloc(sizeof *req);
  if (req != NULL) {
    memset(req, 0, sizeof *req);
    atomic_fetch_add_explicit(&requests_live, 1, memory_order_relaxed);
  }
  return req;
}

void lab_request_free(lab_request *req) {
  if (req == NULL) {
    return;
  }
  atomic_fetch_sub_explicit(&requests_live, 1, memory_order_relaxed);
  for (size_t i = 0; i < req->count; i++) {
    host_free((void *)req->headers[i].name.ptr);
  }
  host_free(req->headers);
  host_free(req->body);
  host_free(req);
}

lab_status lab_request_set_body(lab_request *req, const uint8_t *body, size_t len) {
  if (req == NULL || !str_ok(body, len)) {
    return LAB_ERR_NULL;
  }
  uint8_t *copy = NULL;
  if (len > 0) {
    copy = host_alloc(len);
    if (copy == NULL) {
      return LAB_ERR_NOMEM;
    }
    memcpy(copy, body, len);
  }
  host_free(req->body);
  req->body = copy;
  req->body_len = len;
  return LAB_OK;
}

/* RFC 9110 tchar, lower-case only (HTTP/2 and Envoy keep names lower-case), plus the leading ':'
 * of pseudo-headers. */
static int valid_name(const uint8_t *name, size_t len) {
  if (name == NULL || len == 0) {
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    uint8_t c = name[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL) ||
             (c == ':' && i == 0 && len > 1);
    if (!ok) {
      return 0;
    }
  }
  return 1;
}

static lab_header *find(const lab_request *req, const uint8_t *name, size_t name_len) {
  for (size_t i = 0; i < req->count; i++) {
    lab_header *h = &req->headers[i];
    if (h->name.len == name_len && memcmp(h->name.ptr, name, name_len) == 0) {
      return h;
    }
  }
  return NULL;
}

/* Fills *h with a fresh block holding name then value. */
static lab_status make_header(lab_header *h, const uint8_t *name, size_t name_len,
                              const uint8_t *value, size_t value_len) {
  uint8_t *block = host_alloc(name_len + value_len + 1);
  if (block == NULL) {
    return LAB_ERR_NOMEM;
  }
  host_copy(block, name, name_len);
  host_copy(block + name_len, value, value_len);
  h->name = (lab_str){block, name_len};
  h->value = (lab_str){block + name_len, value_len};
  return LAB_OK;
}

lab_status lab_header_set(lab_request *req, const uint8_t *name, size_t name_len,
                          const uint8_t *value, size_t value_len) {
  if (req == NULL || !str_ok(name, name_len) || !str_ok(value, value_len)) {
    return LAB_ERR_NULL;
  }
  if (!valid_name(name, name_len)) {
    return LAB_ERR_INVALID_NAME;
  }
  lab_header fresh;
  lab_status st = make_header(&fresh, name, name_len, value, value_len);
  if (st != LAB_OK) {
    return st;
  }
  lab_header *old = find(req, name, name_len);
  if (old != NULL) {
    req->bytes = req->bytes - old->value.len + value_len;
    host_free((void *)old->name.ptr);
    *old = fresh;
    return LAB_OK;
  }
  if (req->count == req->cap) {
    size_t cap = req->cap == 0 ? 8 : req->cap * 2;
    lab_header *grown = host_realloc(req->headers, cap * sizeof *grown);
    if (grown == NULL) {
      host_free((void *)fresh.name.ptr);
      return LAB_ERR_NOMEM;
    }
    req->headers = grown;
    req->cap = cap;
  }
  req->headers[req->count++] = fresh;
  req->bytes += name_len + value_len;
  return LAB_OK;
}

/* --- realistic fixture ------------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Names and value-length ranges of a typical browser/API request as a proxy sees it. */
static const struct {
  const char *name;
  uint16_t min_len, max_len;
} COMMON[] = {
    {":method", 3, 7},          {":path", 16, 256},          {":scheme", 4, 5},
    {":authority", 12, 40},     {"user-agent", 40, 160},     {"accept", 8, 160},
    {"accept-encoding", 8, 32}, {"accept-language", 8, 48},  {"cookie", 512, 4096},
    {"x-request-id", 36, 36},   {"x-forwarded-for", 8, 64},  {"traceparent", 55, 55},
    {"authorization", 64, 1024}, {"content-type", 10, 40},   {"referer", 24, 200},
    {"cache-control", 8, 24},   {"x-forwarded-proto", 4, 5}, {"x-envoy-expected-rq-timeout-ms", 2, 5},
    {"sec-fetch-mode", 4, 11},  {"sec-ch-ua", 24, 96},
};

static const char VALUE_CHARS[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=;/ ";

lab_request *lab_request_new_realistic(size_t n_headers, uint64_t seed) {
  lab_request *req = lab_request_new();
  if (req == NULL) {
    return NULL;
  }
  uint64_t state = seed;
  uint8_t value[4096];
  char custom[32];
  size_t n_common = sizeof COMMON / sizeof COMMON[0];
  for (size_t i = 0; i < n_headers; i++) {
    const char *name;
    size_t min_len, max_len;
    if (i < n_common) {
      name = COMMON[i].name;
      min_len = COMMON[i].min_len;
      max_len = COMMON[i].max_len;
    } else {
      /* Custom headers: mostly short, one in sixteen up to 4 KiB (tokens, JSON blobs). */
      size_t k = i - n_common;
      size_t digits = 0;
      char rev[24];
      do {
        rev[digits++] = (char)('0' + k % 10);
        k /= 10;
      } while (k > 0);
      memcpy(custom, "x-custom-", 9);
      for (size_t d = 0; d < digits; d++) {
        custom[9 + d] = rev[digits - 1 - d];
      }
      custom[9 + digits] = '\0';
      name = custom;
      min_len = 8;
      max_len = (splitmix64(&state) % 16 == 0) ? 4096 : 128;
    }
    size_t len = min_len + (size_t)(splitmix64(&state) % (max_len - min_len + 1));
    for (size_t j = 0; j < len; j++) {
      value[j] = (uint8_t)VALUE_CHARS[splitmix64(&state) % (sizeof VALUE_CHARS - 1)];
    }
    if (lab_header_set(req, (const uint8_t *)name, strlen(name), value, len) != LAB_OK) {
      lab_request_free(req);
      return NULL;
    }
  }
  return req;
}

/* ------------------------------------------------------------------------------------------------
 * Header access
 * ---------------------------------------------------------------------------------------------- */

/* Names are validated when stored, so looking up a name that is not a token simply finds nothing:
 * the read path stays a plain scan, as Envoy's is. */
lab_status lab_header_get(const lab_request *req, const uint8_t *name, size_t name_len,
                          lab_str *value) {
  if (req == NULL || !str_ok(name, name_len) || value == NULL) {
    return LAB_ERR_NULL;
  }
  const lab_header *h = find(req, name, name_len);
  if (h == NULL) {
    return LAB_ERR_NOT_FOUND;
  }
  *value = h->value;
  return LAB_OK;
}

lab_status lab_header_copy(const lab_request *req, const uint8_t *name, size_t name_len,
                           uint8_t *buf, size_t cap, size_t *len) {
  if (req == NULL || !str_ok(name, name_len) || !str_ok(buf, cap) || len == NULL) {
    return LAB_ERR_NULL;
  }
  const lab_header *h = find(req, name, name_len);
  if (h == NULL) {
    return LAB_ERR_NOT_FOUND;
  }
  *len = h->value.len;
  if (h->value.len > cap) {
    return LAB_ERR_CAPACITY;
  }
  host_copy(buf, h->value.ptr, h->value.len);
  return LAB_OK;
}

lab_status lab_headers_size(const lab_request *req, size_t *count, size_t *bytes) {
  if (req == NULL || count == NULL || bytes == NULL) {
    return LAB_ERR_NULL;
  }
  *count = req->count;
  *bytes = req->bytes;
  return LAB_OK;
}

lab_status lab_headers_view_all(const lab_request *req, lab_header *views, size_t cap,
                                size_t *count) {
  if (req == NULL || !str_ok(views, cap) || count == NULL) {
    return LAB_ERR_NULL;
  }
  *count = req->count;
  if (req->count > cap) {
    return LAB_ERR_CAPACITY;
  }
  if (req->count > 0) {
    memcpy(views, req->headers, req->count * sizeof *views);
  }
  return LAB_OK;
}

lab_status lab_headers_copy_all(const lab_request *req, uint8_t *buf, size_t buf_cap,
                                lab_header *views, size_t views_cap, size_t *count,
                                size_t *bytes) {
  if (req == NULL || !str_ok(buf, buf_cap) || !str_ok(views, views_cap) || count == NULL ||
      bytes == NULL) {
    return LAB_ERR_NULL;
  }
  *count = req->count;
  *bytes = req->bytes;
  if (req->count > views_cap || req->bytes > buf_cap) {
    return LAB_ERR_CAPACITY;
  }
  uint8_t *at = buf;
  for (size_t i = 0; i < req->count; i++) {
    const lab_header *h = &req->headers[i];
    host_copy(at, h->name.ptr, h->name.len);
    views[i].name = (lab_str){at, h->name.len};
    at += h->name.len;
    host_copy(at, h->value.ptr, h->value.len);
    views[i].value = (lab_str){at, h->value.len};
    at += h->value.len;
  }
  return LAB_OK;
}

/* ------------------------------------------------------------------------------------------------
 * S13: body data hand-off
 *
 * A stream's chunks are generated once, so a receive is one memcpy (host_copy, counted) from
 * memory the host owns, as a socket read copies out of the kernel's buffer. Every body buffer
 * starts a page and the stream's chunks start half a page in, so no receive is 4 KiB-aliased and
 * every strategy's and the floor's receive is placed alike (host_alloc_pages).
 * ---------------------------------------------------------------------------------------------- */

struct lab_stream {
  uint8_t *block; /* the allocation: data starts PAGE / 2 into it */
  uint8_t *data;  /* n_chunks * chunk_len bytes */
  size_t chunk_len;
  size_t n_chunks;
  size_t next; /* index of the chunk the next receive delivers */
};

lab_status lab_body_buf_alloc(size_t cap, lab_body_buf *out) {
  if (out == NULL) {
    return LAB_ERR_NULL;
  }
  uint8_t *ptr = NULL;
  if (cap > 0) {
    ptr = host_alloc_pages(cap);
    if (ptr == NULL) {
      return LAB_ERR_NOMEM;
    }
  }
  *out = (lab_body_buf){ptr, 0, cap};
  return LAB_OK;
}

void lab_body_buf_free(lab_body_buf *buf) {
  if (buf == NULL) {
    return;
  }
  host_free(buf->ptr);
  *buf = (lab_body_buf){NULL, 0, 0};
}

lab_stream *lab_stream_new(size_t chunk_len, size_t n_chunks, uint64_t seed) {
  if (chunk_len == 0 || n_chunks == 0 || chunk_len > SIZE_MAX / n_chunks) {
    return NULL;
  }
  size_t total = chunk_len * n_chunks;
  if (total > SIZE_MAX - PAGE / 2) {
    return NULL;
  }
  lab_stream *s = host_alloc(sizeof *s);
  if (s == NULL) {
    return NULL;
  }
  s->block = host_alloc_pages(PAGE / 2 + total);
  if (s->block == NULL) {
    host_free(s);
    return NULL;
  }
  s->data = s->block + PAGE / 2;
  s->chunk_len = chunk_len;
  s->n_chunks = n_chunks;
  s->next = 0;
  uint64_t state = seed;
  for (size_t at = 0; at < total; at += 8) {
    uint64_t word = splitmix64(&state);
    size_t n = total - at < 8 ? total - at : 8;
    memcpy(s->data + at, &word, n);
  }
  return s;
}

void lab_stream_free(lab_stream *s) {
  if (s == NULL) {
    return;
  }
  host_free(s->block);
  host_free(s);
}

lab_status lab_stream_receive(lab_stream *s, lab_body_buf *into) {
  if (s == NULL || into == NULL || !str_ok(into->ptr, into->cap)) {
    return LAB_ERR_NULL;
  }
  if (into->len > into->cap) {
    return LAB_ERR_RANGE;
  }
  if (s->chunk_len > into->cap) {
    return LAB_ERR_CAPACITY;
  }
  host_copy(into->ptr, s->data + s->next * s->chunk_len, s->chunk_len);
  into->len = s->chunk_len;
  if (++s->next == s->n_chunks) {
    s->next = 0;
  }
  return LAB_OK;
}

/* ------------------------------------------------------------------------------------------------
 * C->R: requests behind handles, and the host API table over them
 *
 * A handle is (generation << 32) | (slot + 1). A slot's generation is odd while a request lives in
 * it and even once it is destroyed, so a stale handle never matches again (until the 32-bit
 * generation wraps, 2^31 reuses of one slot later).
 *
 * S09: Envoy may destroy a request while a goroutine still calls into it; the Go filter guards
 * every call with a weak_ptr lock. Here a slot's state packs its generation with the number of
 * table calls inside the request: a call enters with one compare-and-swap that checks the
 * generation and counts itself in (acquire), and leaves with one decrement (release). Destroy
 * flips the generation under the registry lock without waiting: if calls are inside, the last one
 * out frees the request. A slot is reused only once it is destroyed and empty. lab_handle_resolve
 * skips the count: it is for the request's own thread, the only one that destroys it.
 * ---------------------------------------------------------------------------------------------- */

#define LAB_MAX_HANDLES 4096u
#define SLOT_STATE(gen, calls) (((uint64_t)(gen) << 32) | (uint64_t)(calls))
#define STATE_GEN(state) ((uint32_t)((state) >> 32))
#define STATE_CALLS(state) ((uint32_t)(state))

static struct {
  _Atomic uint64_t state;
  /* Written by register (slot destroyed and empty) only, read by calls holding the slot. */
  lab_request *req;
} registry[LAB_MAX_HANDLES];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t registry_cursor;

/* The slot of a well-formed live-looking handle, or LAB_MAX_HANDLES. */
static uint32_t handle_slot(lab_handle h) {
  uint32_t slot = (uint32_t)h - 1u; /* handle 0 wraps to a slot past the end */
  if (slot >= LAB_MAX_HANDLES || (STATE_GEN(h) & 1u) == 0) {
    return LAB_MAX_HANDLES;
  }
  return slot;
}

lab_handle lab_handle_register(lab_request *req) {
  if (req == NULL) {
    return 0;
  }
  lab_handle h = 0;
  pthread_mutex_lock(&registry_lock);
  for (uint32_t i = 0; i < LAB_MAX_HANDLES; i++) {
    uint32_t slot = (registry_cursor + i) % LAB_MAX_HANDLES;
    uint64_t state = atomic_load_explicit(&registry[slot].state, memory_order_acquire);
    if ((STATE_GEN(state) & 1u) == 0 && STATE_CALLS(state) == 0) {
      uint32_t gen = STATE_GEN(state) + 1;
      registry[slot].req = req;
      atomic_store_explicit(&registry[slot].state, SLOT_STATE(gen, 0), memory_order_release);
      registry_cursor = slot + 1;
      h = ((uint64_t)gen << 32) | (uint64_t)(slot + 1);
      break;
    }
  }
  pthread_mutex_unlock(&registry_lock);
  return h;
}

lab_request *lab_handle_resolve(lab_handle h) {
  uint32_t slot = handle_slot(h);
  if (slot == LAB_MAX_HANDLES ||
      STATE_GEN(atomic_load_explicit(&registry[slot].state, memory_order_acquire)) != STATE_GEN(h)) {
    return NULL;
  }
  return registry[slot].req;
}

/* Enters the request behind h: NULL if the handle is not live, else the request, which stays alive
 * until the matching request_leave. */
static lab_request *request_enter(lab_handle h) {
  uint32_t slot = handle_slot(h);
  if (slot == LAB_MAX_HANDLES) {
    return NULL;
  }
  uint64_t state = atomic_load_explicit(&registry[slot].state, memory_order_relaxed);
  do {
    if (STATE_GEN(state) != STATE_GEN(h)) {
      return NULL;
    }
  } while (!atomic_compare_exchange_weak_explicit(&registry[slot].state, &state, state + 1,
                                                  memory_order_acquire, memory_order_relaxed));
  return registry[slot].req;
}

/* Leaves a request entered with request_enter(h); frees it if it was destroyed meanwhile and this
 * was the last call inside. */
static void request_leave(lab_handle h, lab_request *req) {
  uint32_t slot = (uint32_t)h - 1u;
  uint64_t before = atomic_fetch_sub_explicit(&registry[slot].state, 1, memory_order_acq_rel);
  if (STATE_CALLS(before) == 1 && STATE_GEN(before) != STATE_GEN(h)) {
    lab_request_free(req);
  }
}

lab_status lab_handle_destroy(lab_handle h) {
  uint32_t slot = handle_slot(h);
  if (slot == LAB_MAX_HANDLES) {
    return LAB_ERR_BAD_HANDLE;
  }
  lab_request *req = NULL;
  pthread_mutex_lock(&registry_lock);
  uint64_t state = atomic_load_explicit(&registry[slot].state, memory_order_relaxed);
  /* Only destroy and register change the generation, both under the lock: the loop retries only
   * for calls entering or leaving. */
  while (STATE_GEN(state) == STATE_GEN(h)) {
    if (atomic_compare_exchange_weak_explicit(&registry[slot].state, &state,
                                              SLOT_STATE(STATE_GEN(h) + 1, STATE_CALLS(state)),
                                              memory_order_acq_rel, memory_order_relaxed)) {
      /* No call inside: nobody else can reach the request, free it below. Otherwise the last
       * call out frees it. */
      req = STATE_CALLS(state) == 0 ? registry[slot].req : NULL;
      pthread_mutex_unlock(&registry_lock);
      lab_request_free(req);
      return LAB_OK;
    }
  }
  pthread_mutex_unlock(&registry_lock);
  return LAB_ERR_BAD_HANDLE;
}

uint32_t lab_handle_local_reply(lab_handle h) {
  lab_request *req = lab_handle_resolve(h);
  return req == NULL ? 0 : req->local_reply;
}

/* Reads through the table validate the name, unlike the direct R->C path: an extension loaded from
 * a shared object is untrusted input, and a clear LAB_ERR_INVALID_NAME beats a silent miss. */
static lab_status check_name(const uint8_t *name, size_t name_len) {
  if (!str_ok(name, name_len)) {
    return LAB_ERR_NULL;
  }
  return valid_name(name, name_len) ? LAB_OK : LAB_ERR_INVALID_NAME;
}

/* The body of every table function: `call` runs on the request behind h, held alive meanwhile. */
#define WITH_REQUEST(h, call)                                                                      \
  lab_request *req = request_enter(h);                                                             \
  if (req == NULL) {                                                                               \
    return LAB_ERR_BAD_HANDLE;                                                                     \
  }                                                                                                \
  lab_status st = (call);                                                                          \
  request_leave(h, req);                                                                           \
  return st;

static lab_status body_view(const lab_request *req, lab_str *body) {
  if (body == NULL) {
    return LAB_ERR_NULL;
  }
  *body = (lab_str){req->body, req->body_len};
  return LAB_OK;
}

static lab_status local_reply(lab_request *req, uint32_t status_code, const uint8_t *body,
                              size_t body_len) {
  if (!str_ok(body, body_len)) {
    return LAB_ERR_NULL;
  }
  req->local_reply = status_code;
  return LAB_OK;
}

static lab_status checked_get(const lab_request *req, const uint8_t *name, size_t name_len,
                              lab_str *value) {
  lab_status st = check_name(name, name_len);
  return st != LAB_OK ? st : lab_header_get(req, name, name_len, value);
}

static lab_status checked_copy(const lab_request *req, const uint8_t *name, size_t name_len,
                               uint8_t *buf, size_t cap, size_t *len) {
  lab_status st = check_name(name, name_len);
  return st != LAB_OK ? st : lab_header_copy(req, name, name_len, buf, cap, len);
}

static lab_status api_header_get(lab_handle h, const uint8_t *name, size_t name_len, lab_str *value) {
  WITH_REQUEST(h, checked_get(req, name, name_len, value));
}

static lab_status api_header_copy(lab_handle h, const uint8_t *name, size_t name_len, uint8_t *buf,
                                  size_t cap, size_t *len) {
  WITH_REQUEST(h, checked_copy(req, name, name_len, buf, cap, len));
}

static lab_status api_headers_size(lab_handle h, size_t *count, size_t *bytes) {
  WITH_REQUEST(h, lab_headers_size(req, count, bytes));
}

static lab_status api_headers_view_all(lab_handle h, lab_header *views, size_t cap, size_t *count) {
  WITH_REQUEST(h, lab_headers_view_all(req, views, cap, count));
}

static lab_status api_headers_copy_all(lab_handle h, uint8_t *buf, size_t buf_cap, lab_header *views,
                                       size_t views_cap, size_t *count, size_t *bytes) {
  WITH_REQUEST(h, lab_headers_copy_all(req, buf, buf_cap, views, views_cap, count, bytes));
}

static lab_status api_header_set(lab_handle h, const uint8_t *name, size_t name_len,
                                 const uint8_t *value, size_t value_len) {
  WITH_REQUEST(h, lab_header_set(req, name, name_len, value, value_len));
}

static lab_status api_body_get(lab_handle h, lab_str *body) { WITH_REQUEST(h, body_view(req, body)); }

static lab_status api_send_local_reply(lab_handle h, uint32_t status_code, const uint8_t *body,
                                       size_t body_len) {
  WITH_REQUEST(h, local_reply(req, status_code, body, body_len));
}

static const lab_host_api HOST_API = {
    .abi_version = LAB_ABI_VERSION,
    .header_get = api_header_get,
    .header_copy = api_header_copy,
    .headers_size = api_headers_size,
    .headers_view_all = api_headers_view_all,
    .headers_copy_all = api_headers_copy_all,
    .header_set = api_header_set,
    .body_get = api_body_get,
    .send_local_reply = api_send_local_reply,
};

const lab_host_api *lab_host_api_get(void) { return &HOST_API; }

/* ------------------------------------------------------------------------------------------------
 * S08: the worker loop (Envoy's worker thread and dispatcher.post)
 *
 * Posters append to a ring under the lock; the worker takes every queued task at once into a
 * second ring and runs them outside the lock, as Envoy's dispatcher swaps out its post list. Both
 * rings are allocated at start: a post costs a lock, a store and, when the worker sleeps, a wake.
 * ---------------------------------------------------------------------------------------------- */

typedef struct lab_task {
  lab_task_fn fn;
  void *ctx;
} lab_task;

struct lab_worker {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t not_empty; /* the worker waits here when the queue is empty */
  pthread_cond_t not_full;  /* posters wait here when the queue is full */
  lab_task *queue;          /* ring of cap tasks: queue[head], ... count of them */
  lab_task *running;        /* the batch the worker runs, outside the lock */
  size_t cap;
  size_t head;
  size_t count;
  int stopping;
};

static void *worker_main(void *arg) {
  lab_worker *w = arg;
  pthread_mutex_lock(&w->lock);
  for (;;) {
    while (w->count == 0 && !w->stopping) {
      pthread_cond_wait(&w->not_empty, &w->lock);
    }
    size_t n = w->count;
    if (n == 0) {
      break; /* stopping, and every task posted before stop has run */
    }
    for (size_t i = 0; i < n; i++) {
      w->running[i] = w->queue[(w->head + i) % w->cap];
    }
    int was_full = n == w->cap;
    w->head = (w->head + n) % w->cap;
    w->count = 0;
    if (was_full) {
      pthread_cond_broadcast(&w->not_full);
    }
    pthread_mutex_unlock(&w->lock);
    for (size_t i = 0; i < n; i++) {
      w->running[i].fn(w->running[i].ctx);
    }
    pthread_mutex_lock(&w->lock);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

lab_worker *lab_worker_start(size_t capacity) {
  size_t cap = capacity == 0 ? 1024 : capacity;
  if (cap > SIZE_MAX / sizeof(lab_task)) {
    return NULL;
  }
  lab_worker *w = host_alloc(sizeof *w);
  if (w == NULL) {
    return NULL;
  }
  memset(w, 0, sizeof *w);
  w->cap = cap;
  w->queue = host_alloc(cap * sizeof(lab_task));
  w->running = host_alloc(cap * sizeof(lab_task));
  if (w->queue == NULL || w->running == NULL) {
    goto fail;
  }
  if (pthread_mutex_init(&w->lock, NULL) != 0) {
    goto fail;
  }
  if (pthread_cond_init(&w->not_empty, NULL) != 0 || pthread_cond_init(&w->not_full, NULL) != 0 ||
      pthread_create(&w->thread, NULL, worker_main, w) != 0) {
    pthread_cond_destroy(&w->not_empty);
    pthread_cond_destroy(&w->not_full);
    pthread_mutex_destroy(&w->lock);
    goto fail;
  }
  return w;
fail:
  host_free(w->queue);
  host_free(w->running);
  host_free(w);
  return NULL;
}

lab_status lab_worker_post(lab_worker *w, lab_task_fn fn, void *ctx) {
  if (w == NULL || fn == NULL) {
    return LAB_ERR_NULL;
  }
  pthread_mutex_lock(&w->lock);
  while (w->count == w->cap) {
    pthread_cond_wait(&w->not_full, &w->lock);
  }
  w->queue[(w->head + w->count) % w->cap] = (lab_task){fn, ctx};
  /* The worker sleeps only on an empty queue: only the post that fills it must wake it. */
  if (w->count++ == 0) {
    pthread_cond_signal(&w->not_empty);
  }
  pthread_mutex_unlock(&w->lock);
  return LAB_OK;
}

void lab_worker_stop(lab_worker *w) {
  if (w == NULL) {
    return;
  }
  pthread_mutex_lock(&w->lock);
  w->stopping = 1;
  pthread_cond_signal(&w->not_empty);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->not_empty);
  pthread_cond_destroy(&w->not_full);
  pthread_mutex_destroy(&w->lock);
  host_free(w->queue);
  host_free(w->running);
  host_free(w);
}
