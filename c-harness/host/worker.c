/*
 * S08: the worker loop (Envoy's worker thread and dispatcher.post)
 *
 * Posters append to a ring under the lock; the worker takes every queued task at once into a
 * second ring and runs them outside the lock, as Envoy's dispatcher swaps out its post list. Both
 * rings are allocated at start: a post costs a lock, a store and, when the worker sleeps, a wake.
 */
#include "host_internal.h"

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
