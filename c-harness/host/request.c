/*
 * Requests and their header maps: create, free, set the body, set a header, the realistic fixture,
 * and the header reads of S03, S04 and S06.
 */
#include "host_internal.h"

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
