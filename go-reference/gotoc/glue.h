/*
 * The Go glue's own C allocations (C.CString's, cstring_each's, S08's posted tasks), made through
 * the host's counting allocator (c-harness/host/alloc.c, reached from host.c here), so they
 * show in the calling thread's lab_alloc_stats and in c-allocs/op. Rust's twins allocate with
 * Rust's counted allocator; with libc's malloc Go's C allocations would count nowhere.
 */
#ifndef GOTOC_GLUE_H
#define GOTOC_GLUE_H

#include <stddef.h>

/* malloc(size), counted as one allocation of the calling thread. */
void *gotoc_alloc(size_t size);
/* free(p), counted as one free of the calling thread (NULL: nothing). */
void gotoc_free(void *p);

#endif
