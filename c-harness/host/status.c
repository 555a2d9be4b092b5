/*
 * The words of each lab_status (lab.h's conventions).
 */
#include "host_internal.h"

const char *lab_status_str(lab_status status) {
  switch (status) {
  case LAB_OK:
    return "ok";
  case LAB_ERR_NULL:
    return "null pointer";
  case LAB_ERR_RANGE:
    return "offset or length past the buffer";
  case LAB_ERR_NOT_FOUND:
    return "header not found";
  case LAB_ERR_CAPACITY:
    return "caller buffer too small";
  case LAB_ERR_INVALID_NAME:
    return "invalid header name";
  case LAB_ERR_NOMEM:
    return "out of memory";
  case LAB_ERR_BAD_HANDLE:
    return "null, dangling or destroyed request handle";
  case LAB_ERR_PANIC:
    return "the extension panicked";
  case LAB_ERR_ABI:
    return "extension and host disagree on the ABI version";
  case LAB_ERR_UNSUPPORTED:
    return "filter or access strategy not implemented by the extension";
  case LAB_ERR_INVALID_DATA:
    return "data not representable (interior NUL, invalid UTF-8)";
  }
  return "unknown status";
}
