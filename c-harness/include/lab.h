/*
 * lab.h — the one ABI of ffi-lab.
 *
 * This header is the single source of truth for everything that crosses the boundary: the C host
 * compiles it, the Rust side reads it through bindgen (bench-suite/lab-sys/build.rs) and the Go reference
 * through cgo. Nothing declared here is declared again by hand anywhere else.
 *
 * The host plays Envoy's role: it owns requests and their header maps, and the extension (Rust or
 * Go) calls the functions below to read and write them — the "R->C" direction of FINDINGS.md.
 *
 * Conventions every function follows:
 *  - Functions that can fail return a lab_status; results travel through out-parameters, which are
 *    written only on LAB_OK unless the function says otherwise (LAB_ERR_CAPACITY writes the size
 *    that would have been needed).
 *  - A (ptr, len) pair with len > 0 and ptr == NULL is LAB_ERR_NULL, never a dereference.
 *    A (NULL, 0) pair is a valid empty string.
 *  - "Borrowed" means the pointer stays owned by the host and is valid until the request is
 *    destroyed or the same header is written again (lab_header_set). The caller never frees it.
 *  - "Caller-allocated" means the caller owns the buffer; the host writes at most its capacity and
 *    keeps no pointer into it after returning.
 *  - Input pointers are only read during the call; the host never keeps them.
 */
#ifndef FFI_LAB_H
#define FFI_LAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------------
 * Status codes
 * ---------------------------------------------------------------------------------------------- */
typedef enum lab_status {
  LAB_OK = 0,
  /* A required pointer was NULL, or a (ptr, len) pair had ptr == NULL and len > 0. */
  LAB_ERR_NULL = 1,
  /* An offset or length points past the end of the buffer it describes. */
  LAB_ERR_RANGE = 2,
  /* No header with that name. */
  LAB_ERR_NOT_FOUND = 3,
  /* The caller's buffer or array is too small; the needed size is written to the size out-param. */
  LAB_ERR_CAPACITY = 4,
  /* A header name that is not an RFC 9110 token (lower-case here) or an empty name. */
  LAB_ERR_INVALID_NAME = 5,
  /* The host could not allocate. */
  LAB_ERR_NOMEM = 6,
  /* C->R: a request handle that is null, dangling or already destroyed. */
  LAB_ERR_BAD_HANDLE = 7,
  /* C->R: the extension's filter panicked; the request ends, the host goes on. */
  LAB_ERR_PANIC = 8,
  /* C->R: the extension and the host disagree on LAB_ABI_VERSION. */
  LAB_ERR_ABI = 9,
  /* C->R: a filter or access strategy the extension does not implement. */
  LAB_ERR_UNSUPPORTED = 10,
  /* Data the callee cannot represent: an interior NUL in a C string, bytes that are not UTF-8. */
  LAB_ERR_INVALID_DATA = 11
} lab_status;

/* ------------------------------------------------------------------------------------------------
 * Data that crosses the boundary
 * ---------------------------------------------------------------------------------------------- */

/* A view of bytes: not NUL-terminated, may contain any byte. Ownership is stated by each function
 * that hands one out or takes one in. */
typedef struct lab_str {
  const uint8_t *ptr;
  size_t len;
} lab_str;

/* One header as a pair of views. */
typedef struct lab_header {
  lab_str name;
  lab_str value;
} lab_header;

/* The host's request: a header map. Opaque to the extension. */
typedef struct lab_request lab_request;

/* The host's allocation and copy counters for the calling thread (thread-local, so tests running
 * in parallel threads do not see each other's counts). */
typedef struct lab_alloc_stats {
  uint64_t allocs;          /* malloc/realloc calls made by the host */
  uint64_t frees;           /* free calls, and reallocs of a live block */
  uint64_t bytes_allocated; /* bytes requested by those allocations */
  uint64_t bytes_copied;    /* string bytes (names, values) the host copied: into caller buffers,
                             * and into its own header blocks when a header is set */
} lab_alloc_stats;

/* ------------------------------------------------------------------------------------------------
 * Host bookkeeping
 * ---------------------------------------------------------------------------------------------- */

/* Copies the calling thread's counters into *out (no-op when out is NULL). */
void lab_alloc_stats_get(lab_alloc_stats *out);

/* A short human-readable name for a status (static storage, never NULL). */
const char *lab_status_str(lab_status status);

/* ------------------------------------------------------------------------------------------------
 * S01: the call floor
 * ---------------------------------------------------------------------------------------------- */

/* Does nothing: the cost of the call itself. */
void lab_noop(void);

/* Does almost nothing with four arguments and returns a value that depends on all of them, so a
 * caller can chain calls (x = f(x, ...)) and no call can be skipped. Reads no memory through ptr. */
uint64_t lab_noop_args(uint64_t a, uint64_t b, const void *ptr, size_t len);

/* ------------------------------------------------------------------------------------------------
 * S02 / S05: strings and batches handed from the extension to the host (read during the call only)
 *
 * Each consumer computes a checksum of what it received (lab_touch of every string), reading every
 * byte as a real consumer does, so a strategy's cost includes what using the bytes costs and a
 * benchmark can check the host really saw them.
 * ---------------------------------------------------------------------------------------------- */

/* The checksum every consumer uses (lab_digest.h: a serial chain over every 8-byte little-endian
 * word, the tail and the length; NULL or len 0 gives 0), the same function as Rust's
 * lab_sys::digest and Go's digest.Sum; exported so callers can compute the expected value. */
uint64_t lab_touch(const uint8_t *ptr, size_t len);

/* A NUL-terminated C string; the host must scan it for its length (strlen). */
lab_status lab_consume_cstr(const char *s, uint64_t *checksum);

/* A (ptr, len) string: no terminator, no scan. */
lab_status lab_consume_str(const uint8_t *ptr, size_t len, uint64_t *checksum);

/* An array of n C strings. Any NULL item is LAB_ERR_NULL. */
lab_status lab_consume_cstr_array(const char *const *items, size_t n, uint64_t *checksum);

/* An array of n (ptr, len) views. */
lab_status lab_consume_str_array(const lab_str *items, size_t n, uint64_t *checksum);

/* n strings packed into one buffer: item i is buf[offsets[i] .. offsets[i + 1]], so offsets has
 * n + 1 entries. Offsets that decrease or exceed buf_len are LAB_ERR_RANGE. */
lab_status lab_consume_packed(const uint8_t *buf, size_t buf_len, const uint32_t *offsets, size_t n,
                              uint64_t *checksum);

/* ------------------------------------------------------------------------------------------------
 * Requests (the host side of the test fixture)
 * ---------------------------------------------------------------------------------------------- */

/* An empty request. NULL when out of memory. Owned by the caller; release with lab_request_free. */
lab_request *lab_request_new(void);

/* A request holding n_headers realistic HTTP request headers (pseudo-headers, user-agent, accept,
 * cookie, tracing ids, custom x- headers; values 8 B .. 4 KiB), deterministic for a given seed.
 * NULL when out of memory. */
lab_request *lab_request_new_realistic(size_t n_headers, uint64_t seed);

/* Frees the request and every header it owns. NULL is a no-op. */
void lab_request_free(lab_request *req);

/* ------------------------------------------------------------------------------------------------
 * Header access: what the extension calls (S03, S04, S06)
 * ---------------------------------------------------------------------------------------------- */

/* S03 borrow: the value of the first header named `name`, as a borrowed view into host memory. */
lab_status lab_header_get(const lab_request *req, const uint8_t *name, size_t name_len,
                          lab_str *value);

/* S04 known length: copies the value of header `name` into the caller-allocated buf of capacity
 * cap and writes its length to *len. If cap is too small: LAB_ERR_CAPACITY, nothing copied, and
 * *len holds the length needed. */
lab_status lab_header_copy(const lab_request *req, const uint8_t *name, size_t name_len,
                           uint8_t *buf, size_t cap, size_t *len);

/* Number of headers and the total bytes of their names and values (what Envoy passes to the Go
 * filter on entry, so Go can size its buffers before the copy). */
lab_status lab_headers_size(const lab_request *req, size_t *count, size_t *bytes);

/* S06 bulk_borrow: fills views[0 .. count) with borrowed views of every header, in order, and
 * writes count. If cap < count: LAB_ERR_CAPACITY, nothing written, *count holds the number needed. */
lab_status lab_headers_view_all(const lab_request *req, lab_header *views, size_t cap,
                                size_t *count);

/* S06 bulk_copy: copies every name and value into the caller-allocated buf (capacity buf_cap),
 * packed from buf[0] in header order (name, then value; *bytes in all), and fills views[0 .. count)
 * with views that point into buf — not into host memory, so they stay valid as long as the caller
 * keeps buf. If either capacity is too small: LAB_ERR_CAPACITY,
 * nothing written, *count and *bytes hold what is needed. */
lab_status lab_headers_copy_all(const lab_request *req, uint8_t *buf, size_t buf_cap,
                                lab_header *views, size_t views_cap, size_t *count,
                                size_t *bytes);

/* Sets header `name` to `value`, replacing the first header of that name or appending one. The
 * host copies both; views previously borrowed for this header become invalid. */
lab_status lab_header_set(lab_request *req, const uint8_t *name, size_t name_len,
                          const uint8_t *value, size_t value_len);

/* Replaces the request body with a copy of (body, len). */
lab_status lab_request_set_body(lab_request *req, const uint8_t *body, size_t len);

/* ------------------------------------------------------------------------------------------------
 * S13: body data hand-off
 *
 * Envoy's Go filter passes body data through two buffers: one receives the stream while the other
 * is handed to Go. A lab_body_buf is such a buffer; a lab_stream plays the socket that fills it.
 * ---------------------------------------------------------------------------------------------- */

/* A body buffer in host memory: ptr[0 .. len) holds received bytes, ptr[len .. cap) is spare.
 * Allocated and freed by the host (counted by its allocator, like every host allocation), but
 * owned by whoever holds the struct: the host keeps no pointer to it, so the holder may pass it
 * to another thread, and exactly one holder frees it. Views of ptr[0 .. len) stay valid until the
 * buffer receives again or is freed. */
typedef struct lab_body_buf {
  uint8_t *ptr;
  size_t len;
  size_t cap;
} lab_body_buf;

/* A simulated socket delivering a body in chunks. Opaque; owned by the caller. */
typedef struct lab_stream lab_stream;

/* Allocates a buffer of capacity cap with len 0 and writes it to *out; the caller owns it and
 * releases it with lab_body_buf_free. cap == 0 writes {NULL, 0, 0} and allocates nothing. */
lab_status lab_body_buf_alloc(size_t cap, lab_body_buf *out);

/* Frees the buffer's memory and resets *buf to {NULL, 0, 0}. NULL, or a buffer with ptr NULL, is
 * a no-op. */
void lab_body_buf_free(lab_body_buf *buf);

/* A stream of n_chunks distinct chunks of chunk_len pseudo-random bytes, deterministic for a given
 * seed, generated up front; after the last chunk it starts again at the first. NULL when
 * chunk_len or n_chunks is 0, when chunk_len * n_chunks overflows, or when out of memory.
 * Owned by the caller; release with lab_stream_free. */
lab_stream *lab_stream_new(size_t chunk_len, size_t n_chunks, uint64_t seed);

/* Frees the stream. NULL is a no-op. */
void lab_stream_free(lab_stream *s);

/* Receives the next chunk into the caller's buffer: copies chunk_len bytes to into->ptr (counted
 * as bytes copied), sets into->len = chunk_len and advances the stream. The buffer's previous
 * contents are replaced, so views of them become invalid. Errors leave the stream and *into
 * unchanged: LAB_ERR_NULL for a NULL s or into, or into->ptr NULL with into->cap > 0;
 * LAB_ERR_RANGE when into->len > into->cap (not a buffer this host made); LAB_ERR_CAPACITY when
 * chunk_len > into->cap (the size needed is the chunk_len the caller chose). */
lab_status lab_stream_receive(lab_stream *s, lab_body_buf *into);

/* ------------------------------------------------------------------------------------------------
 * Native floors (FINDINGS.md S02-S06, S13; c-harness/native/native.c)
 *
 * The floor of an R->C row is the same work done without the boundary: C calling the host
 * directly, as a C or C++ filter in the proxy would. Each function does, `iters` times, what one
 * call of the scenario's strategies does, with the data already in the form C would hold it, and
 * returns the sum of the per-iteration checksums, which equal the Rust strategies' checksums (the
 * bench checks they agree). A separate translation unit, without LTO: every host call is a real
 * call, as it is from Rust. Errors from the host end the loop and return 0.
 * ---------------------------------------------------------------------------------------------- */

/* S01: lab_noop(), the empty call, from C; returns iters (the empty call has no checksum). */
uint64_t lab_native_s01_call_floor(uint64_t iters);

/* S02: lab_consume_str(ptr, len). */
uint64_t lab_native_s02_pass_string(const uint8_t *ptr, size_t len, uint64_t iters);

/* S03: lab_header_get(req, name) and a digest of the borrowed value (Rust's `digest`). */
uint64_t lab_native_s03_unknown_length(const lab_request *req, const uint8_t *name, size_t name_len,
                                       uint64_t iters);

/* S04: lab_header_copy(req, name) into the caller's buffer of cap bytes and a digest of the copy. */
uint64_t lab_native_s04_known_length(const lab_request *req, const uint8_t *name, size_t name_len,
                                     uint8_t *buf, size_t cap, uint64_t iters);

/* S05's batch as its owner holds it: each item a byte string of its own (bytes, length, capacity:
 * the three words of a Rust Vec<u8>), so a caller must build the views it passes. */
typedef struct lab_native_bytes {
  const uint8_t *ptr;
  size_t len;
  size_t cap;
} lab_native_bytes;

/* S05: on every call, views of the n items built into an array - on the stack up to 16 items, one
 * malloc above (S05's `pinned_batch`, S06's threshold) - then lab_consume_str_array(views, n). */
uint64_t lab_native_s05_pass_batch(const lab_native_bytes *items, size_t n, uint64_t iters);

/* The native floors' own allocations on the calling thread (S05's view arrays), counted as
 * lab_alloc_stats_get counts the host's (copies: none). */
void lab_native_alloc_stats_get(lab_alloc_stats *out);

/* S06: lab_header_get for each of the k names and the sum of the values' digests. */
uint64_t lab_native_s06_read_headers(const lab_request *req, const lab_str *names, size_t k,
                                     uint64_t iters);

/* S08: `writes` header writes (lab_header_set of name, value) from the calling thread, each under
 * native.c's one lock - the algorithm of Rust's std::sync::Mutex, which S08's `mutex` row takes -
 * as C writers on several threads would share a request; returns lab_touch(value) * writes, as
 * S08's strategies do. Any number of threads may call it on the same request: the lock serialises
 * their writes. */
uint64_t lab_native_s08_cross_thread_writes(lab_request *req, const uint8_t *name, size_t name_len,
                                            const uint8_t *value, size_t value_len,
                                            uint64_t writes);

/* S09: lab_headers_size(req) on a request the caller knows lives, and S09's checksum of the two
 * numbers ((count << 32) ^ bytes): the call every lifetime check guards, with no check. */
uint64_t lab_native_s09_request_lifetime(const lab_request *req, uint64_t iters);

/* S13: lab_stream_receive into buf and the checksum of every byte received (S13's `checksum`). */
uint64_t lab_native_s13_ownership(lab_stream *s, lab_body_buf *buf, uint64_t iters);

/* ================================================================================================
 * C->R: the extension API (FINDINGS.md S01, S07, S10-S12, S14)
 *
 * The host plays Envoy loading a Go filter: the driver (c-harness/driver) dlopen()s an extension
 * shared object, resolves the lab_ext_* symbols below, hands it the host API table at init and
 * calls it for every request. The extension resolves nothing against the host at link time: all of
 * its calls into the host go through the table (Rust and Go alike).
 * ============================================================================================== */

/* A request as an extension sees it: a handle (slot index and generation), never a pointer, so the
 * host can answer a null, dangling or destroyed handle with LAB_ERR_BAD_HANDLE instead of reading
 * freed memory. 0 is never a valid handle. */
typedef uint64_t lab_handle;

/* The ABI version an extension checks at init. 2: lab_ext_counters gained bytes_copied and
 * bytes_retained (an extension of version 1 would write a shorter struct). */
#define LAB_ABI_VERSION 2

/* The host functions an extension may call: the handle-based twins of the functions above, with
 * the same ownership rules. Views handed out stay valid until the request is destroyed or the
 * header written. Every call holds the request alive while it runs (S09: a generation check and a
 * count of calls in flight), so any thread may call with any handle; but a view outlives that
 * guard, so only the request's own thread, inside a callback, may keep one. Another thread copies
 * (header_copy, headers_copy_all). */
typedef struct lab_host_api {
  uint32_t abi_version;
  lab_status (*header_get)(lab_handle req, const uint8_t *name, size_t name_len, lab_str *value);
  lab_status (*header_copy)(lab_handle req, const uint8_t *name, size_t name_len, uint8_t *buf,
                            size_t cap, size_t *len);
  lab_status (*headers_size)(lab_handle req, size_t *count, size_t *bytes);
  lab_status (*headers_view_all)(lab_handle req, lab_header *views, size_t cap, size_t *count);
  lab_status (*headers_copy_all)(lab_handle req, uint8_t *buf, size_t buf_cap, lab_header *views,
                                 size_t views_cap, size_t *count, size_t *bytes);
  lab_status (*header_set)(lab_handle req, const uint8_t *name, size_t name_len,
                           const uint8_t *value, size_t value_len);
  /* The request body, borrowed. */
  lab_status (*body_get)(lab_handle req, lab_str *body);
  /* Ends the request with a local reply (Envoy's SendLocalReply). */
  lab_status (*send_local_reply)(lab_handle req, uint32_t status_code, const uint8_t *body,
                                 size_t body_len);
} lab_host_api;

/* Which filter a request runs, and how it reaches the request's data. */
typedef enum lab_filter {
  LAB_FILTER_NOTHING = 0,      /* reads nothing (S07) */
  LAB_FILTER_ONE_HEADER = 1,   /* reads one header (S07, S11, S12) */
  LAB_FILTER_ALL_HEADERS = 2,  /* reads every header (S07) */
  LAB_FILTER_BODY = 3,         /* reads the body (S07) */
  LAB_FILTER_BASIC_AUTH = 4,   /* S14: checks `authorization`, 401 local reply on failure */
  LAB_FILTER_HEADER_GET_SET = 5, /* S14: gets several headers, sets several */
  LAB_FILTER_CLONE_ALL = 6,    /* S12: copies every header value into an allocation of its own */
  LAB_FILTER_PANIC = 7         /* S10: panics */
} lab_filter;

typedef enum lab_access {
  LAB_ACCESS_EAGER = 0,           /* S07: the host pushed everything in the entry; copy it all */
  LAB_ACCESS_LAZY = 1,            /* S07: fetch on first access, cache for the request */
  LAB_ACCESS_PER_HEADER_CALL = 2, /* S06/S14: one host call per header read */
  LAB_ACCESS_BULK_COPY = 3,       /* S06/S14: one host call copies every header */
  LAB_ACCESS_BULK_BORROW = 4      /* S06/S14: one host call fills views of every header */
} lab_access;

/* What the host passes on entry to each callback. The sizes are current at every callback (a filter
 * that set headers in one callback sees the new sizes in the next), so an extension may size its
 * buffers from them; a stale size is a LAB_ERR_CAPACITY, never an overflow. In LAB_ACCESS_EAGER the
 * host also pushes every header and the body, borrowed for the duration of the call only (an
 * extension that needs them later copies them); otherwise those are NULL/0 and the extension
 * fetches through the host API. */
typedef struct lab_entry {
  lab_handle request;
  uint32_t filter; /* a lab_filter */
  uint32_t access; /* a lab_access */
  size_t header_count;
  size_t header_bytes;
  size_t body_len;
  const lab_header *headers; /* eager only: header_count views */
  const uint8_t *body;       /* eager only: body_len bytes */
} lab_entry;

/* Counters of the extension's own side (its allocator, its copies, its per-thread state). The
 * allocation and copy counts are the calling thread's: they start at zero on a thread the
 * extension has not seen (an extension without per-thread counts, Go's, reports process-wide
 * ones). */
typedef struct lab_ext_counters {
  uint64_t allocs;
  uint64_t frees;
  uint64_t bytes_allocated;
  uint64_t live_thread_states; /* per-thread states created and not yet released */
  uint64_t panics_caught;
  /* Bytes the extension itself copied out of host memory or pushed views (eager's copies,
   * lazy's copy on demand, owned clones). Copies the host makes for it (headers_copy_all,
   * header_copy) are the host's, in lab_alloc_stats.bytes_copied, not here. */
  uint64_t bytes_copied;
  /* Heap bytes the extension keeps between requests for the calling thread: its per-thread
   * state (arena capacity included) now. An extension without per-thread state (Go's pooled
   * arenas) reports what it keeps process-wide. A gauge, not a count. */
  uint64_t bytes_retained;
} lab_ext_counters;

/* The symbols every extension exports (the driver resolves each with dlsym, through these
 * pointer types; an extension implementation is checked against them). */
typedef lab_status (*lab_ext_init_fn)(const lab_host_api *host);
typedef void (*lab_ext_noop_fn)(void);
typedef uint64_t (*lab_ext_noop_args_fn)(uint64_t a, uint64_t b, const void *ptr, size_t len);
/* S10: an empty body inside the extension's whole panic guard, the one every callback runs. */
typedef void (*lab_ext_noop_guarded_fn)(void);
/* S10, the guard's parts each alone (a C extension, with no unwinding to guard against, exports
 * empty bodies): body_call, the empty body called through a pointer the compiler cannot see
 * through, as the guard calls it; catch_unwind, that call inside the unwinding catch alone;
 * quiet_hook, that call inside what keeps the panic message quiet (a thread-local flag set and
 * cleared); thread_local, one write of that thread-local flag alone. */
typedef void (*lab_ext_noop_body_call_fn)(void);
typedef void (*lab_ext_noop_catch_unwind_fn)(void);
typedef void (*lab_ext_noop_quiet_hook_fn)(void);
typedef void (*lab_ext_noop_thread_local_fn)(void);
/* One callback of one request. On LAB_OK *result receives a checksum of what the filter read (it is
 * left untouched on an error); a panic in the filter is LAB_ERR_PANIC for this request only. */
typedef lab_status (*lab_ext_callback_fn)(const lab_entry *entry, uint64_t *result);
/* The calling thread's allocation counts of the extension and the process-wide gauges. */
typedef void (*lab_ext_stats_fn)(lab_ext_counters *out);
/* Ends the extension's use of the host table. Per-thread state is released by each thread's exit,
 * not here. */
typedef void (*lab_ext_destroy_fn)(void);

/* Exported names, for dlsym. */
#define LAB_EXT_INIT "lab_ext_init"
#define LAB_EXT_NOOP "lab_ext_noop"
#define LAB_EXT_NOOP_ARGS "lab_ext_noop_args"
#define LAB_EXT_NOOP_GUARDED "lab_ext_noop_guarded"
#define LAB_EXT_NOOP_BODY_CALL "lab_ext_noop_body_call"
#define LAB_EXT_NOOP_CATCH_UNWIND "lab_ext_noop_catch_unwind"
#define LAB_EXT_NOOP_QUIET_HOOK "lab_ext_noop_quiet_hook"
#define LAB_EXT_NOOP_THREAD_LOCAL "lab_ext_noop_thread_local"
#define LAB_EXT_ON_REQUEST_HEADERS "lab_ext_on_request_headers"
#define LAB_EXT_ON_REQUEST_BODY "lab_ext_on_request_body"
#define LAB_EXT_ON_RESPONSE_HEADERS "lab_ext_on_response_headers"
#define LAB_EXT_STATS "lab_ext_stats"
#define LAB_EXT_DESTROY "lab_ext_destroy"

/* ------------------------------------------------------------------------------------------------
 * The host side of C->R: requests behind handles (used by the driver)
 * ---------------------------------------------------------------------------------------------- */

/* The host API table over this host's handle registry (static storage). */
const lab_host_api *lab_host_api_get(void);

/* Registers req (taking ownership) and returns its handle; 0 when the registry is full. */
lab_handle lab_handle_register(lab_request *req);

/* The request behind a live handle, or NULL (null, dangling or destroyed handle). Unguarded: only
 * the thread that owns the request (the one that would destroy it) may use the pointer. */
lab_request *lab_handle_resolve(lab_handle h);

/* Destroys the request; later calls with the handle get LAB_ERR_BAD_HANDLE. Any thread may call it
 * at any time (S09): a host-table call already inside the request when it is destroyed finishes on
 * the live request, and the last such call out frees it; destroy never waits. */
lab_status lab_handle_destroy(lab_handle h);

/* The status of the last local reply sent for the handle (0 = none). */
uint32_t lab_handle_local_reply(lab_handle h);

/* ================================================================================================
 * Concurrency and lifetime (FINDINGS.md S08, S09)
 * ============================================================================================== */

/* S08: a worker thread with its event queue — Envoy's worker and dispatcher.post. The worker owns
 * its requests and runs posted tasks one at a time, in the order they were posted, so a task may
 * touch the worker's requests without a lock. Any thread may post. */
typedef struct lab_worker lab_worker;

/* A posted task: fn(ctx) runs once, on the worker thread. The poster hands ctx over with the post;
 * fn owns it from then on (and frees it, if it was allocated). */
typedef void (*lab_task_fn)(void *ctx);

/* Starts a worker thread whose queue holds `capacity` tasks (0: a default of 1024). The queue is a
 * ring allocated here, so posting allocates nothing in the host. NULL when out of memory or when
 * the thread cannot start. */
lab_worker *lab_worker_start(size_t capacity);

/* Queues fn(ctx) to run on the worker. A full queue blocks the poster until the worker makes room
 * (back-pressure; Envoy's queue is unbounded instead). LAB_ERR_NULL for a NULL worker or fn, and
 * then ctx stays the poster's. */
lab_status lab_worker_post(lab_worker *w, lab_task_fn fn, void *ctx);

/* Runs every task posted before the call, stops the thread and frees the worker. No thread may post
 * to it after (or during) the call. NULL is a no-op. */
void lab_worker_stop(lab_worker *w);

/* S09: requests created and not yet freed, process-wide. A destroy race that leaks a request, or
 * frees one twice, shows here. */
size_t lab_requests_live(void);

#ifdef __cplusplus
}
#endif

#endif /* FFI_LAB_H */
