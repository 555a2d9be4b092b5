/*
 * S01's floor and the S02 / S05 consumers: the host functions a caller passes data to, each
 * reading every byte it receives (lab_touch: lab_digest.h's checksum).
 */
#include "host_internal.h"
#include "lab_digest.h"

/* ------------------------------------------------------------------------------------------------
 * S01
 * ---------------------------------------------------------------------------------------------- */

void lab_noop(void) {}

uint64_t lab_noop_args(uint64_t a, uint64_t b, const void *ptr, size_t len) {
  return (a ^ b) + (uint64_t)(uintptr_t)ptr + (uint64_t)len;
}

/* ------------------------------------------------------------------------------------------------
 * S02 / S05 consumers
 * ---------------------------------------------------------------------------------------------- */

uint64_t lab_touch(const uint8_t *ptr, size_t len) { return lab_digest(ptr, len); }

lab_status lab_consume_cstr(const char *s, uint64_t *checksum) {
  if (s == NULL || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  *checksum = lab_touch((const uint8_t *)s, strlen(s));
  return LAB_OK;
}

lab_status lab_consume_str(const uint8_t *ptr, size_t len, uint64_t *checksum) {
  if (!str_ok(ptr, len) || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  *checksum = lab_touch(ptr, len);
  return LAB_OK;
}

lab_status lab_consume_cstr_array(const char *const *items, size_t n, uint64_t *checksum) {
  if (!str_ok(items, n) || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (items[i] == NULL) {
      return LAB_ERR_NULL;
    }
    sum += lab_touch((const uint8_t *)items[i], strlen(items[i]));
  }
  *checksum = sum;
  return LAB_OK;
}

lab_status lab_consume_str_array(const lab_str *items, size_t n, uint64_t *checksum) {
  if (!str_ok(items, n) || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (!str_ok(items[i].ptr, items[i].len)) {
      return LAB_ERR_NULL;
    }
    sum += lab_touch(items[i].ptr, items[i].len);
  }
  *checksum = sum;
  return LAB_OK;
}

lab_status lab_consume_packed(const uint8_t *buf, size_t buf_len, const uint32_t *offsets, size_t n,
                              uint64_t *checksum) {
  if (!str_ok(buf, buf_len) || offsets == NULL || checksum == NULL) {
    return LAB_ERR_NULL;
  }
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    size_t start = offsets[i];
    size_t end = offsets[i + 1];
    if (start > end || end > buf_len) {
      return LAB_ERR_RANGE;
    }
    sum += lab_touch(buf + start, end - start);
  }
  *checksum = sum;
  return LAB_OK;
}
