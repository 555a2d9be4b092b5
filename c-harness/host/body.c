/*
 * S13: body data hand-off, body buffers and streams.
 *
 * A stream's chunks are generated once, so a receive is one memcpy (host_copy, counted) from
 * memory the host owns, as a socket read copies out of the kernel's buffer. Every body buffer
 * starts a page and the stream's chunks start half a page in, so no receive is 4 KiB-aliased and
 * every strategy's and the floor's receive is placed alike (host_alloc_pages).
 */
#include "host_internal.h"

struct lab_stream {
  uint8_t *block; /* the allocation: data starts PAGE / 2 into it */
  uint8_t *data;  /* n_chunks * chunk_len bytes */
  size_t chunk_len;
  size_t n_chunks;
  size_t next; /* index of the chunk the next receive delivers */
};

lab_status lab_body_buf_alloc(size_t cap, lab_body_buf *out) {
  if (out == NULL) {
    return LAB_ERR_NULL;
  }
  uint8_t *ptr = NULL;
  if (cap > 0) {
    ptr = host_alloc_pages(cap);
    if (ptr == NULL) {
      return LAB_ERR_NOMEM;
    }
  }
  *out = (lab_body_buf){ptr, 0, cap};
  return LAB_OK;
}

void lab_body_buf_free(lab_body_buf *buf) {
  if (buf == NULL) {
    return;
  }
  host_free(buf->ptr);
  *buf = (lab_body_buf){NULL, 0, 0};
}

lab_stream *lab_stream_new(size_t chunk_len, size_t n_chunks, uint64_t seed) {
  if (chunk_len == 0 || n_chunks == 0 || chunk_len > SIZE_MAX / n_chunks) {
    return NULL;
  }
  size_t total = chunk_len * n_chunks;
  if (total > SIZE_MAX - PAGE / 2) {
    return NULL;
  }
  lab_stream *s = host_alloc(sizeof *s);
  if (s == NULL) {
    return NULL;
  }
  s->block = host_alloc_pages(PAGE / 2 + total);
  if (s->block == NULL) {
    host_free(s);
    return NULL;
  }
  s->data = s->block + PAGE / 2;
  s->chunk_len = chunk_len;
  s->n_chunks = n_chunks;
  s->next = 0;
  uint64_t state = seed;
  for (size_t at = 0; at < total; at += 8) {
    uint64_t word = splitmix64(&state);
    size_t n = total - at < 8 ? total - at : 8;
    memcpy(s->data + at, &word, n);
  }
  return s;
}

void lab_stream_free(lab_stream *s) {
  if (s == NULL) {
    return;
  }
  host_free(s->block);
  host_free(s);
}

lab_status lab_stream_receive(lab_stream *s, lab_body_buf *into) {
  if (s == NULL || into == NULL || !str_ok(into->ptr, into->cap)) {
    return LAB_ERR_NULL;
  }
  if (into->len > into->cap) {
    return LAB_ERR_RANGE;
  }
  if (s->chunk_len > into->cap) {
    return LAB_ERR_CAPACITY;
  }
  host_copy(into->ptr, s->data + s->next * s->chunk_len, s->chunk_len);
  into->len = s->chunk_len;
  if (++s->next == s->n_chunks) {
    s->next = 0;
  }
  return LAB_OK;
}
