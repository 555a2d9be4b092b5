/*
 * S15 `s15_real_proxy`, the floor `c_module`: the lab's two filters as a C nginx module, the same
 * work as the Rust module's `borrow` strategy (hosts/nginx/src/lib.rs and filters.rs) line for
 * line: the same header lookups, base64 decode and comparison of in-memory credentials, the same
 * 401 and the same three response headers pointing at static bytes. Only the language differs,
 * so the difference of the two rows is what Rust and its boundary add.
 *
 *   load_module /path/to/ngx_http_lab_c_module.so;
 *   location /auth { lab_c basic_auth; empty_gif; }
 *
 * Filters: `basic_auth` (read `Authorization`, decode base64, compare `lab:secret`, 401 with
 * `WWW-Authenticate` on failure), `header_get_set` (read the path, `user-agent`, `x-request-id`,
 * `accept` into a checksum; set `x-lab-seen`, `x-lab-route`, `x-lab-response`). The handler runs
 * in nginx's access phase, as the Rust module's does.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

/* The filter a location runs (`lab_c FILTER`); OFF: no directive here or in the parents. */
typedef enum {
    LAB_C_OFF = 0,
    LAB_C_BASIC_AUTH,
    LAB_C_HEADER_GET_SET
} lab_c_filter_e;

typedef struct {
    ngx_uint_t filter;
} ngx_http_lab_c_loc_conf_t;

/* The one valid user and password (S14's `lab:secret`, the Rust module's). */
static const u_char LAB_USER[] = "lab";
static const u_char LAB_PASSWORD[] = "secret";

/* Longest credentials decoded, on the stack: longer ones cannot be `lab:secret` and are refused
 * without decoding (the Rust module's MAX_DECODED). */
#define LAB_MAX_DECODED 256

static ngx_int_t ngx_http_lab_c_init(ngx_conf_t *cf);
static void *ngx_http_lab_c_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_lab_c_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
static char *ngx_http_lab_c_set(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

static ngx_command_t ngx_http_lab_c_commands[] = {
    { ngx_string("lab_c"),
      NGX_HTTP_LOC_CONF | NGX_CONF_TAKE1,
      ngx_http_lab_c_set,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },
    ngx_null_command
};

static ngx_http_module_t ngx_http_lab_c_module_ctx = {
    NULL,                            /* preconfiguration */
    ngx_http_lab_c_init,             /* postconfiguration */
    NULL,                            /* create main configuration */
    NULL,                            /* init main configuration */
    NULL,                            /* create server configuration */
    NULL,                            /* merge server configuration */
    ngx_http_lab_c_create_loc_conf,  /* create location configuration */
    ngx_http_lab_c_merge_loc_conf    /* merge location configuration */
};

ngx_module_t ngx_http_lab_c_module = {
    NGX_MODULE_V1,
    &ngx_http_lab_c_module_ctx,
    ngx_http_lab_c_commands,
    NGX_HTTP_MODULE,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NGX_MODULE_V1_PADDING
};

static void *
ngx_http_lab_c_create_loc_conf(ngx_conf_t *cf)
{
    /* pcalloc: filter = LAB_C_OFF. */
    return ngx_pcalloc(cf->pool, sizeof(ngx_http_lab_c_loc_conf_t));
}

static char *
ngx_http_lab_c_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_lab_c_loc_conf_t *prev = parent;
    ngx_http_lab_c_loc_conf_t *conf = child;

    (void) cf;
    if (conf->filter == LAB_C_OFF) {
        conf->filter = prev->filter;
    }
    return NGX_CONF_OK;
}

static char *
ngx_http_lab_c_set(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_lab_c_loc_conf_t *lcf = conf;
    ngx_str_t *args = cf->args->elts;

    (void) cmd;
    if (args[1].len == sizeof("basic_auth") - 1
        && ngx_strncmp(args[1].data, "basic_auth", args[1].len) == 0)
    {
        lcf->filter = LAB_C_BASIC_AUTH;
    } else if (args[1].len == sizeof("header_get_set") - 1
               && ngx_strncmp(args[1].data, "header_get_set", args[1].len) == 0)
    {
        lcf->filter = LAB_C_HEADER_GET_SET;
    } else {
        return NGX_CONF_ERROR;
    }
    return NGX_CONF_OK;
}

/* The first request header named `lower` (already lower case), as nginx's own bytes; NULL when
 * there is none. The Rust module's `find`. */
static ngx_str_t *
lab_c_find(ngx_list_t *headers, const u_char *lower, size_t len)
{
    ngx_list_part_t *part;
    ngx_table_elt_t *h;
    ngx_uint_t i;

    for (part = &headers->part; part != NULL; part = part->next) {
        h = part->elts;
        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == len && h[i].lowcase_key != NULL
                && ngx_memcmp(h[i].lowcase_key, lower, len) == 0)
            {
                return &h[i].value;
            }
        }
    }
    return NULL;
}

/* Standard base64 (padding optional, as nginx's ngx_decode_base64) into `out`; -1 when the input
 * is not base64 or its decoding does not fit. The Rust module's `decode_base64`. */
static ssize_t
lab_c_decode_base64(const u_char *in, size_t len, u_char *out, size_t cap)
{
    size_t n, at, chunk, bytes, k;
    uint32_t acc;
    u_char c;
    uint32_t sextet;

    if (len >= 2 && in[len - 1] == '=' && in[len - 2] == '=') {
        len -= 2;
    } else if (len >= 1 && in[len - 1] == '=') {
        len -= 1;
    }
    if (len % 4 == 1 || len > (cap / 3 + 1) * 4) {
        return -1;
    }
    n = 0;
    for (at = 0; at < len; at += chunk) {
        chunk = len - at < 4 ? len - at : 4;
        acc = 0;
        for (k = 0; k < chunk; k++) {
            c = in[at + k];
            if (c >= 'A' && c <= 'Z') {
                sextet = c - 'A';
            } else if (c >= 'a' && c <= 'z') {
                sextet = c - 'a' + 26;
            } else if (c >= '0' && c <= '9') {
                sextet = c - '0' + 52;
            } else if (c == '+') {
                sextet = 62;
            } else if (c == '/') {
                sextet = 63;
            } else {
                return -1;
            }
            acc = acc << 6 | sextet;
        }
        bytes = chunk * 6 / 8;
        acc <<= 6 * (4 - chunk);
        if (n + bytes > cap) {
            return -1;
        }
        for (k = 0; k < bytes; k++) {
            out[n + k] = (u_char) (acc >> (16 - 8 * k));
        }
        n += bytes;
    }
    return (ssize_t) n;
}

/* Basic auth over the `Authorization` value (NULL: no header): scheme `Basic` in any case, ASCII
 * whitespace after it, base64 of `user:password`, split at the first colon. The Rust module's
 * `basic_auth_ok`. */
static ngx_flag_t
lab_c_basic_auth_ok(const ngx_str_t *value)
{
    static const u_char scheme[] = "basic ";
    u_char buf[LAB_MAX_DECODED];
    const u_char *p, *end, *colon;
    ssize_t n;
    size_t i;

    if (value == NULL || value->len < 6) {
        return 0;
    }
    for (i = 0; i < 6; i++) {
        if (ngx_tolower(value->data[i]) != scheme[i]) {
            return 0;
        }
    }
    p = value->data + 6;
    end = value->data + value->len;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\f' || *p == '\r')) {
        p++;
    }
    n = lab_c_decode_base64(p, (size_t) (end - p), buf, sizeof(buf));
    if (n < 0) {
        return 0;
    }
    colon = ngx_strlchr(buf, buf + n, ':');
    if (colon == NULL) {
        return 0;
    }
    return (size_t) (colon - buf) == sizeof(LAB_USER) - 1
           && ngx_memcmp(buf, LAB_USER, sizeof(LAB_USER) - 1) == 0
           && (size_t) (buf + n - colon - 1) == sizeof(LAB_PASSWORD) - 1
           && ngx_memcmp(colon + 1, LAB_PASSWORD, sizeof(LAB_PASSWORD) - 1) == 0;
}

/* FNV-1a over the bytes: a checksum that makes every read byte count (the Rust module's
 * `digest`). */
static uint64_t
lab_c_digest(const u_char *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

/* Adds a response header whose key, lower-case key and value point at static bytes (the Rust
 * module's `set_header` under `borrow`). */
static ngx_int_t
lab_c_set_header(ngx_http_request_t *r, const u_char *key, size_t key_len, const u_char *lower,
                 const u_char *value, size_t value_len)
{
    ngx_table_elt_t *h = ngx_list_push(&r->headers_out.headers);

    if (h == NULL) {
        return NGX_ERROR;
    }
    /* Zeroed first: every field this nginx version has is cleared, then the ones nginx reads
     * are set (nginx never writes through a response header's key, value or lowcase_key). */
    ngx_memzero(h, sizeof(ngx_table_elt_t));
    h->hash = 1;
    h->key.len = key_len;
    h->key.data = (u_char *) key;
    h->value.len = value_len;
    h->value.data = (u_char *) value;
    h->lowcase_key = (u_char *) lower;
    return NGX_OK;
}

/* lab_c_set_header with string literals, their lengths known at compile time. */
#define LAB_C_SET_HEADER(r, key, lower, value)                                                \
    lab_c_set_header(r, (const u_char *) key, sizeof(key) - 1, (const u_char *) lower,       \
                     (const u_char *) value, sizeof(value) - 1)

static ngx_int_t
ngx_http_lab_c_handler(ngx_http_request_t *r)
{
    static const struct { const u_char *name; size_t len; } names[3] = {
        { (const u_char *) "user-agent", sizeof("user-agent") - 1 },
        { (const u_char *) "x-request-id", sizeof("x-request-id") - 1 },
        { (const u_char *) "accept", sizeof("accept") - 1 },
    };
    ngx_http_lab_c_loc_conf_t *lcf;
    ngx_str_t *v;
    uint64_t sum;
    ngx_uint_t i;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_lab_c_module);
    if (lcf == NULL || lcf->filter == LAB_C_OFF || r->main != r) {
        return NGX_DECLINED;
    }
    if (lcf->filter == LAB_C_BASIC_AUTH) {
        if (lab_c_basic_auth_ok(lab_c_find(&r->headers_in.headers,
                                           (const u_char *) "authorization",
                                           sizeof("authorization") - 1)))
        {
            return NGX_OK;
        }
        /* As auth_basic does: the challenge header, then 401. */
        if (LAB_C_SET_HEADER(r, "WWW-Authenticate", "www-authenticate",
                             "Basic realm=\"lab\"") != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
        return NGX_HTTP_UNAUTHORIZED;
    }
    sum = lab_c_digest(r->uri.data, r->uri.len);
    for (i = 0; i < 3; i++) {
        v = lab_c_find(&r->headers_in.headers, names[i].name, names[i].len);
        sum += v == NULL ? 0 : lab_c_digest(v->data, v->len);
    }
    /* The checksum is kept, as Rust's black_box keeps it: its address escapes to an empty asm. */
    __asm__ __volatile__("" : : "r"(&sum) : "memory");
    if (LAB_C_SET_HEADER(r, "X-Lab-Seen", "x-lab-seen", "1") != NGX_OK
        || LAB_C_SET_HEADER(r, "X-Lab-Route", "x-lab-route", "cluster-a") != NGX_OK
        || LAB_C_SET_HEADER(r, "X-Lab-Response", "x-lab-response", "rust") != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    return NGX_DECLINED;
}

static ngx_int_t
ngx_http_lab_c_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt *h;
    ngx_http_core_main_conf_t *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }
    *h = ngx_http_lab_c_handler;
    return NGX_OK;
}
