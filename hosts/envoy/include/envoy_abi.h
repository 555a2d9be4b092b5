/*
 * envoy_abi.h: the part of Envoy 1.40's dynamic-module ABI that the lab's Envoy modules use
 * (S16), declared in the lab's words from the documented signatures of Envoy's
 * source/extensions/dynamic_modules/abi/abi.h. One header for every module: Rust reads it with
 * bindgen (hosts/envoy/rust/build.rs), Go with cgo's #include (hosts/envoy/go).
 *
 * Three kinds of declarations, named as Envoy names them (the names are the symbols):
 *   envoy_dynamic_module_type_*      types shared by both sides;
 *   envoy_dynamic_module_on_*        event hooks the MODULE exports and Envoy calls;
 *   envoy_dynamic_module_callback_*  callbacks ENVOY exports and the module calls.
 *
 * Envoy refuses an HTTP filter whose module lacks any of the "required" hooks below (the load
 * fails at configuration time naming the missing symbol), so a module exports all of them even
 * when the lab's filters do nothing in one. Every callback declared here is exported by the Envoy
 * binary the lab installs: hosts/envoy/rust's test checks it with `nm -D`.
 *
 * Lifetimes: a buffer Envoy hands out (a header key or value) is valid until the hook that asked
 * for it returns, or until the module changes that header map; a buffer the module passes in is
 * read during the call only.
 */
#ifndef LAB_ENVOY_ABI_H
#define LAB_ENVOY_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The ABI version a module returns from envoy_dynamic_module_on_program_init. Envoy 1.40 compares
 * it with its own string: equal logs "Dynamic module ABI version v0.2.0 matched." (info), a
 * different one logs "... is deprecated ..." (a warning) and loads the module anyway; only a null
 * return refuses the module. The lab's test reads Envoy's log to check the match.
 */
#define LAB_ENVOY_ABI_VERSION "v0.2.0"

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Bytes owned by Envoy, valid for the duration described above; not NUL-terminated. */
typedef struct envoy_dynamic_module_type_envoy_buffer {
  const char *ptr;
  size_t length;
} envoy_dynamic_module_type_envoy_buffer;

/* Bytes owned by the module, read by Envoy during the call; not NUL-terminated. */
typedef struct envoy_dynamic_module_type_module_buffer {
  const char *ptr;
  size_t length;
} envoy_dynamic_module_type_module_buffer;

/* One header whose key and value the module owns (a local reply's headers). */
typedef struct envoy_dynamic_module_type_module_http_header {
  const char *key_ptr;
  size_t key_length;
  const char *value_ptr;
  size_t value_length;
} envoy_dynamic_module_type_module_http_header;

/* One header whose key and value live in Envoy's header map (a view). */
typedef struct envoy_dynamic_module_type_envoy_http_header {
  const char *key_ptr;
  size_t key_length;
  const char *value_ptr;
  size_t value_length;
} envoy_dynamic_module_type_envoy_http_header;

/* Which of the stream's four header maps a header callback reads or writes. */
typedef enum envoy_dynamic_module_type_http_header_type {
  envoy_dynamic_module_type_http_header_type_RequestHeader,
  envoy_dynamic_module_type_http_header_type_RequestTrailer,
  envoy_dynamic_module_type_http_header_type_ResponseHeader,
  envoy_dynamic_module_type_http_header_type_ResponseTrailer,
} envoy_dynamic_module_type_http_header_type;

/* The outcome of an HTTP callout (in a required hook's signature; the lab makes no callout). */
typedef enum envoy_dynamic_module_type_http_callout_result {
  envoy_dynamic_module_type_http_callout_result_Success,
  envoy_dynamic_module_type_http_callout_result_Reset,
  envoy_dynamic_module_type_http_callout_result_ExceedResponseBufferLimit,
} envoy_dynamic_module_type_http_callout_result;

/* Why a streamed HTTP callout was reset (in a required hook's signature). */
typedef enum envoy_dynamic_module_type_http_stream_reset_reason {
  envoy_dynamic_module_type_http_stream_reset_reason_ConnectionFailure,
  envoy_dynamic_module_type_http_stream_reset_reason_ConnectionTermination,
  envoy_dynamic_module_type_http_stream_reset_reason_LocalReset,
  envoy_dynamic_module_type_http_stream_reset_reason_LocalRefusedStreamReset,
  envoy_dynamic_module_type_http_stream_reset_reason_Overflow,
  envoy_dynamic_module_type_http_stream_reset_reason_RemoteReset,
  envoy_dynamic_module_type_http_stream_reset_reason_RemoteRefusedStreamReset,
  envoy_dynamic_module_type_http_stream_reset_reason_ProtocolError,
} envoy_dynamic_module_type_http_stream_reset_reason;

/* Envoy's per-listener filter configuration object (opaque to the module). */
typedef void *envoy_dynamic_module_type_http_filter_config_envoy_ptr;
/* The module's configuration, returned by ..._config_new; null refuses the configuration. */
typedef const void *envoy_dynamic_module_type_http_filter_config_module_ptr;
/* Envoy's per-stream filter object: the first argument of every per-stream callback. */
typedef void *envoy_dynamic_module_type_http_filter_envoy_ptr;
/* The module's per-stream filter, returned by ..._filter_new; null closes the stream. */
typedef const void *envoy_dynamic_module_type_http_filter_module_ptr;

/* What the filter chain does after a hook; the values mirror Envoy's Filter*Status enums. */
typedef enum envoy_dynamic_module_type_on_http_filter_request_headers_status {
  envoy_dynamic_module_type_on_http_filter_request_headers_status_Continue,
  envoy_dynamic_module_type_on_http_filter_request_headers_status_StopIteration,
  envoy_dynamic_module_type_on_http_filter_request_headers_status_ContinueAndDontEndStream,
  envoy_dynamic_module_type_on_http_filter_request_headers_status_StopAllIterationAndBuffer,
  envoy_dynamic_module_type_on_http_filter_request_headers_status_StopAllIterationAndWatermark,
} envoy_dynamic_module_type_on_http_filter_request_headers_status;

typedef enum envoy_dynamic_module_type_on_http_filter_request_body_status {
  envoy_dynamic_module_type_on_http_filter_request_body_status_Continue,
  envoy_dynamic_module_type_on_http_filter_request_body_status_StopIterationAndBuffer,
  envoy_dynamic_module_type_on_http_filter_request_body_status_StopIterationAndWatermark,
  envoy_dynamic_module_type_on_http_filter_request_body_status_StopIterationNoBuffer,
} envoy_dynamic_module_type_on_http_filter_request_body_status;

typedef enum envoy_dynamic_module_type_on_http_filter_request_trailers_status {
  envoy_dynamic_module_type_on_http_filter_request_trailers_status_Continue,
  envoy_dynamic_module_type_on_http_filter_request_trailers_status_StopIteration,
} envoy_dynamic_module_type_on_http_filter_request_trailers_status;

typedef enum envoy_dynamic_module_type_on_http_filter_response_headers_status {
  envoy_dynamic_module_type_on_http_filter_response_headers_status_Continue,
  envoy_dynamic_module_type_on_http_filter_response_headers_status_StopIteration,
  envoy_dynamic_module_type_on_http_filter_response_headers_status_ContinueAndDontEndStream,
  envoy_dynamic_module_type_on_http_filter_response_headers_status_StopAllIterationAndBuffer,
  envoy_dynamic_module_type_on_http_filter_response_headers_status_StopAllIterationAndWatermark,
} envoy_dynamic_module_type_on_http_filter_response_headers_status;

typedef enum envoy_dynamic_module_type_on_http_filter_response_body_status {
  envoy_dynamic_module_type_on_http_filter_response_body_status_Continue,
  envoy_dynamic_module_type_on_http_filter_response_body_status_StopIterationAndBuffer,
  envoy_dynamic_module_type_on_http_filter_response_body_status_StopIterationAndWatermark,
  envoy_dynamic_module_type_on_http_filter_response_body_status_StopIterationNoBuffer,
} envoy_dynamic_module_type_on_http_filter_response_body_status;

typedef enum envoy_dynamic_module_type_on_http_filter_response_trailers_status {
  envoy_dynamic_module_type_on_http_filter_response_trailers_status_Continue,
  envoy_dynamic_module_type_on_http_filter_response_trailers_status_StopIteration,
} envoy_dynamic_module_type_on_http_filter_response_trailers_status;

/* ------------------------------------------------------------------------------------------ */
/* Event hooks the module exports                                                              */
/* ------------------------------------------------------------------------------------------ */

/* Called once on Envoy's main thread after dlopen: returns LAB_ENVOY_ABI_VERSION (a string the
 * module owns for the rest of the process), or null to refuse the module. */
const char *envoy_dynamic_module_on_program_init(void);

/* Main thread, once per filter configuration: `name` is the config's filter_name, `config` its
 * filter_config (both valid during the call only). Null makes Envoy refuse the configuration. */
envoy_dynamic_module_type_http_filter_config_module_ptr envoy_dynamic_module_on_http_filter_config_new(
    envoy_dynamic_module_type_http_filter_config_envoy_ptr filter_config_envoy_ptr,
    envoy_dynamic_module_type_envoy_buffer name, envoy_dynamic_module_type_envoy_buffer config);

/* The configuration is gone: release what ..._config_new returned. */
void envoy_dynamic_module_on_http_filter_config_destroy(
    envoy_dynamic_module_type_http_filter_config_module_ptr filter_config_ptr);

/* A new stream (worker thread): returns the module's per-stream filter. */
envoy_dynamic_module_type_http_filter_module_ptr envoy_dynamic_module_on_http_filter_new(
    envoy_dynamic_module_type_http_filter_config_module_ptr filter_config_ptr,
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr);

/* The request headers arrived: the header callbacks read and write them during this hook. */
envoy_dynamic_module_type_on_http_filter_request_headers_status
envoy_dynamic_module_on_http_filter_request_headers(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, bool end_of_stream);

envoy_dynamic_module_type_on_http_filter_request_body_status
envoy_dynamic_module_on_http_filter_request_body(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, bool end_of_stream);

envoy_dynamic_module_type_on_http_filter_request_trailers_status
envoy_dynamic_module_on_http_filter_request_trailers(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr);

/* The response headers are about to leave (also for a local reply). */
envoy_dynamic_module_type_on_http_filter_response_headers_status
envoy_dynamic_module_on_http_filter_response_headers(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, bool end_of_stream);

envoy_dynamic_module_type_on_http_filter_response_body_status
envoy_dynamic_module_on_http_filter_response_body(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, bool end_of_stream);

envoy_dynamic_module_type_on_http_filter_response_trailers_status
envoy_dynamic_module_on_http_filter_response_trailers(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr);

/* The stream is complete (before ..._filter_destroy and the access logs). */
void envoy_dynamic_module_on_http_filter_stream_complete(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr);

/* The stream is gone: release what ..._filter_new returned. */
void envoy_dynamic_module_on_http_filter_destroy(
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr);

/* Required by Envoy although the lab starts no callout, stream or scheduled event. */
void envoy_dynamic_module_on_http_filter_http_callout_done(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, uint64_t callout_id,
    envoy_dynamic_module_type_http_callout_result result,
    envoy_dynamic_module_type_envoy_http_header *headers, size_t headers_size,
    envoy_dynamic_module_type_envoy_buffer *body_chunks, size_t body_chunks_size);

void envoy_dynamic_module_on_http_filter_http_stream_headers(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, uint64_t stream_id,
    envoy_dynamic_module_type_envoy_http_header *headers, size_t headers_size, bool end_stream);

void envoy_dynamic_module_on_http_filter_http_stream_data(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, uint64_t stream_id,
    const envoy_dynamic_module_type_envoy_buffer *data, size_t data_count, bool end_stream);

void envoy_dynamic_module_on_http_filter_http_stream_trailers(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, uint64_t stream_id,
    envoy_dynamic_module_type_envoy_http_header *trailers, size_t trailers_size);

void envoy_dynamic_module_on_http_filter_http_stream_complete(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, uint64_t stream_id);

void envoy_dynamic_module_on_http_filter_http_stream_reset(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, uint64_t stream_id,
    envoy_dynamic_module_type_http_stream_reset_reason reason);

void envoy_dynamic_module_on_http_filter_scheduled(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr, uint64_t event_id);

void envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr);

void envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_filter_module_ptr filter_module_ptr);

/* ------------------------------------------------------------------------------------------ */
/* Callbacks Envoy exports (per stream; call them only inside that stream's hooks)              */
/* ------------------------------------------------------------------------------------------ */

/* The value at `index` of header `key` (lower-case) in map `header_type`: *result_buffer points
 * into Envoy's map, or is {NULL, 0} when the key or the index is absent. `optional_size`, when not
 * null, receives how many values the key has. Returns false when the map is unavailable. */
bool envoy_dynamic_module_callback_http_get_header(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_header_type header_type,
    envoy_dynamic_module_type_module_buffer key, envoy_dynamic_module_type_envoy_buffer *result_buffer,
    size_t index, size_t *optional_size);

/* How many entries map `header_type` holds (0 when it is unavailable). */
size_t envoy_dynamic_module_callback_http_get_headers_size(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_header_type header_type);

/* Writes a view of every entry of map `header_type` into `result_headers`, which the caller sized
 * with ..._get_headers_size. Returns false when the map is unavailable. */
bool envoy_dynamic_module_callback_http_get_headers(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_header_type header_type,
    envoy_dynamic_module_type_envoy_http_header *result_headers);

/* Replaces every value of header `key` with `value` (Envoy copies both); a null value.ptr removes
 * the header. Returns false when the map is unavailable. */
bool envoy_dynamic_module_callback_http_set_header(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr,
    envoy_dynamic_module_type_http_header_type header_type,
    envoy_dynamic_module_type_module_buffer key, envoy_dynamic_module_type_module_buffer value);

/* Answers the stream locally (Envoy's sendLocalReply): status, extra headers, body, and the
 * response-code details for the access log (may be empty). The hook then returns StopIteration. */
void envoy_dynamic_module_callback_http_send_response(
    envoy_dynamic_module_type_http_filter_envoy_ptr filter_envoy_ptr, uint32_t status_code,
    envoy_dynamic_module_type_module_http_header *headers_vector, size_t headers_vector_size,
    envoy_dynamic_module_type_module_buffer body, envoy_dynamic_module_type_module_buffer details);

#ifdef __cplusplus
}
#endif

#endif /* LAB_ENVOY_ABI_H */
