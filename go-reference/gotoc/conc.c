/* The glue declared in conc.h. */
#include "conc.h"

#include "glue.h"

#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct s08_progress {
  alignas(64) _Atomic uint64_t applied;
  _Atomic uint64_t failed;
};

/* _Atomic uint64_t is a plain 8-byte word here (lock-free), so Go may load it with sync/atomic. */
_Static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t), "atomic u64 is a plain word");
_Static_assert(sizeof(struct s08_progress) == 64, "one writer per cache line");

s08_progress *s08_progress_new(size_t n) {
  s08_progress *p = aligned_alloc(64, (n == 0 ? 1 : n) * sizeof *p);
  if (p == NULL) {
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    atomic_init(&p[i].applied, 0);
    atomic_init(&p[i].failed, 0);
  }
  return p;
}

void s08_progress_free(s08_progress *p) { free(p); }

const uint64_t *s08_applied_ptr(s08_progress *p, size_t i) {
  return (const uint64_t *)&p[i].applied;
}

uint64_t s08_failed(s08_progress *p, size_t i) {
  return atomic_load_explicit(&p[i].failed, memory_order_relaxed);
}

/* A posted write: the request, where to report, and name then value inline (one allocation,
 * counted on the posting thread; its free is counted on the worker). */
typedef struct set_task {
  lab_request *req;
  s08_progress *done;
  size_t name_len;
  size_t value_len;
  uint8_t bytes[];
} set_task;

static void apply_set(void *ctx) {
  set_task *t = ctx;
  if (lab_header_set(t->req, t->bytes, t->name_len, t->bytes + t->name_len, t->value_len) !=
      LAB_OK) {
    atomic_fetch_add_explicit(&t->done->failed, 1, memory_order_relaxed);
  }
  s08_progress *done = t->done;
  gotoc_free(t);
  atomic_fetch_add_explicit(&done->applied, 1, memory_order_release);
}

lab_status s08_post_set(lab_worker *w, lab_request *req, s08_progress *p, size_t i,
                        const uint8_t *name, size_t name_len, const uint8_t *value,
                        size_t value_len) {
  if ((name == NULL && name_len > 0) || (value == NULL && value_len > 0)) {
    return LAB_ERR_NULL;
  }
  set_task *t = gotoc_alloc(sizeof *t + name_len + value_len);
  if (t == NULL) {
    return LAB_ERR_NOMEM;
  }
  t->req = req;
  t->done = &p[i];
  t->name_len = name_len;
  t->value_len = value_len;
  if (name_len > 0) {
    memcpy(t->bytes, name, name_len);
  }
  if (value_len > 0) {
    memcpy(t->bytes + name_len, value, value_len);
  }
  lab_status st = lab_worker_post(w, apply_set, t);
  if (st != LAB_OK) {
    gotoc_free(t);
  }
  return st;
}

/* A task on the poster's stack: the poster waits for `done`, so the slot outlives the task. */
typedef struct sync_slot {
  void (*fn)(struct sync_slot *);
  lab_alloc_stats stats;
  const lab_request *req;
  const uint8_t *name;
  size_t name_len;
  uint8_t *buf;
  size_t cap;
  size_t len;
  lab_status status;
  _Atomic int done;
} sync_slot;

static void run_slot(void *ctx) {
  sync_slot *s = ctx;
  s->fn(s);
  atomic_store_explicit(&s->done, 1, memory_order_release);
}

static void run_sync(lab_worker *w, sync_slot *s) {
  atomic_init(&s->done, 0);
  if (lab_worker_post(w, run_slot, s) != LAB_OK) {
    s->status = LAB_ERR_NULL;
    return;
  }
  for (unsigned spins = 0; !atomic_load_explicit(&s->done, memory_order_acquire); spins++) {
    if (spins >= 200) {
      sched_yield();
    }
  }
}

static void read_stats(sync_slot *s) { lab_alloc_stats_get(&s->stats); }

void s08_worker_stats(lab_worker *w, lab_alloc_stats *out) {
  sync_slot s = {.fn = read_stats};
  run_sync(w, &s);
  *out = s.stats;
}

static void copy_header(sync_slot *s) {
  s->status = lab_header_copy(s->req, s->name, s->name_len, s->buf, s->cap, &s->len);
}

lab_status s08_worker_header_copy(lab_worker *w, const lab_request *req, const uint8_t *name,
                                  size_t name_len, uint8_t *buf, size_t cap, size_t *len) {
  sync_slot s = {.fn = copy_header, .req = req, .name = name, .name_len = name_len, .buf = buf,
                 .cap = cap};
  run_sync(w, &s);
  if (s.status == LAB_OK) {
    *len = s.len;
  }
  return s.status;
}
