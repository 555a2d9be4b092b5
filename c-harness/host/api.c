/*
 * The host API table handed to extensions (C->R): each entry runs on the request behind a handle,
 * held alive meanwhile (handle.c).
 */
#include "host_internal.h"

/* Reads through the table validate the name, unlike the direct R->C path: an extension loaded from
 * a shared object is untrusted input, and a clear LAB_ERR_INVALID_NAME beats a silent miss. */
static lab_status check_name(const uint8_t *name, size_t name_len) {
  if (!str_ok(name, name_len)) {
    return LAB_ERR_NULL;
  }
  return valid_name(name, name_len) ? LAB_OK : LAB_ERR_INVALID_NAME;
}

/* The body of every table function: `call` runs on the request behind h, held alive meanwhile. */
#define WITH_REQUEST(h, call)                                                                      \
  lab_request *req = request_enter(h);                                                             \
  if (req == NULL) {                                                                               \
    return LAB_ERR_BAD_HANDLE;                                                                     \
  }                                                                                                \
  lab_status st = (call);                                                                          \
  request_leave(h, req);                                                                           \
  return st;

static lab_status body_view(const lab_request *req, lab_str *body) {
  if (body == NULL) {
    return LAB_ERR_NULL;
  }
  *body = (lab_str){req->body, req->body_len};
  return LAB_OK;
}

static lab_status local_reply(lab_request *req, uint32_t status_code, const uint8_t *body,
                              size_t body_len) {
  if (!str_ok(body, body_len)) {
    return LAB_ERR_NULL;
  }
  req->local_reply = status_code;
  return LAB_OK;
}

static lab_status checked_get(const lab_request *req, const uint8_t *name, size_t name_len,
                              lab_str *value) {
  lab_status st = check_name(name, name_len);
  return st != LAB_OK ? st : lab_header_get(req, name, name_len, value);
}

static lab_status checked_copy(const lab_request *req, const uint8_t *name, size_t name_len,
                               uint8_t *buf, size_t cap, size_t *len) {
  lab_status st = check_name(name, name_len);
  return st != LAB_OK ? st : lab_header_copy(req, name, name_len, buf, cap, len);
}

static lab_status api_header_get(lab_handle h, const uint8_t *name, size_t name_len, lab_str *value) {
  WITH_REQUEST(h, checked_get(req, name, name_len, value));
}

static lab_status api_header_copy(lab_handle h, const uint8_t *name, size_t name_len, uint8_t *buf,
                                  size_t cap, size_t *len) {
  WITH_REQUEST(h, checked_copy(req, name, name_len, buf, cap, len));
}

static lab_status api_headers_size(lab_handle h, size_t *count, size_t *bytes) {
  WITH_REQUEST(h, lab_headers_size(req, count, bytes));
}

static lab_status api_headers_view_all(lab_handle h, lab_header *views, size_t cap, size_t *count) {
  WITH_REQUEST(h, lab_headers_view_all(req, views, cap, count));
}

static lab_status api_headers_copy_all(lab_handle h, uint8_t *buf, size_t buf_cap, lab_header *views,
                                       size_t views_cap, size_t *count, size_t *bytes) {
  WITH_REQUEST(h, lab_headers_copy_all(req, buf, buf_cap, views, views_cap, count, bytes));
}

static lab_status api_header_set(lab_handle h, const uint8_t *name, size_t name_len,
                                 const uint8_t *value, size_t value_len) {
  WITH_REQUEST(h, lab_header_set(req, name, name_len, value, value_len));
}

static lab_status api_body_get(lab_handle h, lab_str *body) { WITH_REQUEST(h, body_view(req, body)); }

static lab_status api_send_local_reply(lab_handle h, uint32_t status_code, const uint8_t *body,
                                       size_t body_len) {
  WITH_REQUEST(h, local_reply(req, status_code, body, body_len));
}

static const lab_host_api HOST_API = {
    .abi_version = LAB_ABI_VERSION,
    .header_get = api_header_get,
    .header_copy = api_header_copy,
    .headers_size = api_headers_size,
    .headers_view_all = api_headers_view_all,
    .headers_copy_all = api_headers_copy_all,
    .header_set = api_header_set,
    .body_get = api_body_get,
    .send_local_reply = api_send_local_reply,
};

const lab_host_api *lab_host_api_get(void) { return &HOST_API; }
