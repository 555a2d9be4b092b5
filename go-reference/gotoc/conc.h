/*
 * The C half of the Go reference's S08 and S09 glue (conc.c): what a Go filter's cgo layer adds
 * around the host, as Envoy's Go filter adds C++ around Envoy. None of it is the host, but the
 * task a write posts is allocated through the host's counting allocator (glue.h), so it counts
 * in c-allocs/op; the progress counters (setup, not per call) are libc's.
 */
#ifndef GOTOC_CONC_H
#define GOTOC_CONC_H

#include <stddef.h>
#include <stdint.h>

#include "lab.h"

/* S08: one writer's progress as the worker sees it (on its own cache line, C11 atomics). Opaque
 * to Go, which reads `applied` through the pointer s08_applied_ptr gives it (sync/atomic). */
typedef struct s08_progress s08_progress;

/* `n` progress counters (one per writer), zeroed; NULL when out of memory. */
s08_progress *s08_progress_new(size_t n);
void s08_progress_free(s08_progress *p);
/* The applied counter of writer i, for Go's atomic loads. */
const uint64_t *s08_applied_ptr(s08_progress *p, size_t i);
/* How many of writer i's posted writes failed on the worker. */
uint64_t s08_failed(s08_progress *p, size_t i);

/* Envoy's Go filter's header.Set from a goroutine: copies name and value into one task (counted)
 * and posts it to the worker, which sets the header on req (a request only the worker touches)
 * and bumps writer i's applied counter (and failed, on an error), then frees the task. Returns
 * at once. LAB_ERR_NOMEM when the task cannot be allocated. */
lab_status s08_post_set(lab_worker *w, lab_request *req, s08_progress *p, size_t i,
                        const uint8_t *name, size_t name_len, const uint8_t *value,
                        size_t value_len);

/* Runs on the worker and waits for it: writes the worker thread's host allocation counters to
 * *out (after every task posted before). */
void s08_worker_stats(lab_worker *w, lab_alloc_stats *out);

/* Runs on the worker and waits for it: copies the value of header `name` of req (a request the
 * worker owns) into buf, as lab_header_copy does. */
lab_status s08_worker_header_copy(lab_worker *w, const lab_request *req, const uint8_t *name,
                                  size_t name_len, uint8_t *buf, size_t cap, size_t *len);

#endif
