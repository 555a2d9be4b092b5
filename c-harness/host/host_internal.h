/*
 * What the host's files share. Internal to the host, which is one translation unit (host.c
 * includes the files that include this, and says why): lab.h is the one ABI, and nothing here
 * crosses the boundary. The helpers are static functions of that unit, each defined in the file
 * named beside it, so gcc inlines them into their callers in every file.
 */
#ifndef LAB_HOST_INTERNAL_H
#define LAB_HOST_INTERNAL_H

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

/* The page size of the placement of S13's buffers. */
#define PAGE 4096u

/* The counting allocator (alloc.c): every allocation and copy of string bytes of the host. */
static void *host_alloc(size_t size);
static void *host_alloc_pages(size_t size);
static void *host_realloc(void *p, size_t size);
static void host_free(void *p);
static void host_copy(uint8_t *dst, const uint8_t *src, size_t len);

/* A (ptr, len) pair is readable when it is non-NULL or empty. */
static int str_ok(const void *ptr, size_t len) { return ptr != NULL || len == 0; }

/* RFC 9110 header names (request.c); the fixtures' generator (request.c, body.c). */
static int valid_name(const uint8_t *name, size_t len);
static uint64_t splitmix64(uint64_t *state);

/* The guard of a call through the API table (handle.c, api.c). */
static lab_request *request_enter(lab_handle h);
static void request_leave(lab_handle h, lab_request *req);

#endif
