/*
 * C->R: requests behind handles, and the guard that holds a request alive during a call through
 * the host API table (api.c)
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
 */
#include "host_internal.h"

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
