/*
 * The counting allocator (per thread): every allocation, free and copy of string bytes of the
 * host, counted for lab_alloc_stats_get.
 */
#include "host_internal.h"

/* Static: no call out of the host (memcpy, malloc, free) can reach it, so gcc may keep a count in
 * a register across such calls. */
static _Thread_local lab_alloc_stats tls_stats;

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
