/*
 * The lab's host compiled into package gotoc. cgo compiles only the C files that sit in the
 * package's own directory, so this file pulls in the one host implementation (c-harness/host/host.c,
 * the host's one translation unit, which includes the other files of c-harness/host/) instead of
 * copying it: Go calls exactly the code Rust links.
 */

/* bench-suite/lab-sys/build.rs compiles the host with -fno-semantic-interposition (so gcc may inline
 * the host's own exported helpers, lab_touch, despite -fPIC); cgo refuses that flag in a #cgo
 * line, and this pragma is the same switch for the whole file. */
#pragma GCC optimize("no-semantic-interposition")

#include "../../c-harness/host/host.c"

#include "glue.h"

/* host_alloc and host_free are static in the host's translation unit (c-harness/host/alloc.c,
 * included by host.c): only this translation unit, which includes it, can route the glue's
 * allocations through the same per-thread counters. */
void *gotoc_alloc(size_t size) { return host_alloc(size); }

void gotoc_free(void *p) { host_free(p); }
