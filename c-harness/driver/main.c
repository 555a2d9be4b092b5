/*
 * lab-driver — the C->R (C->extension) side of ffi-lab: plays Envoy loading a filter from a shared
 * object. It dlopen()s an extension, resolves the lab_ext_* symbols of lab.h, hands it the host API
 * table and calls it for every request of the scenarios of scenarios.c (one file each under
 * scenarios/). It does not know which language the extension is written in.
 *
 *   lab-driver EXTENSION.so [--quick] [--out FILE] [--only SUBSTRING[,SUBSTRING...]]
 *              [--leak-tolerance N] [--floor-ext C_EXTENSION.so] [--count PLAN] [--skip-panics]
 *
 * Built with -DLAB_EXT_LINKED and linked with an extension's static library (the link modes of
 * bench-suite/lab-bench/src/engines/link/), it takes no EXTENSION.so: the extension is the one
 * linked in, its exports called directly (engine.h's EXT and EXT_CALL).
 *
 * Output: JSON Lines, one record per line (stdout or FILE); progress on stderr. With --count (the
 * callgrind pass, under valgrind --tool=callgrind: bench-suite/lab-bench/src/driver.rs) nothing is
 * timed: each case is counted between callgrind's client requests, and a line names each case
 * counted.
 * Exit: 0 ok, 1 a failed check, 2 the extension cannot be loaded or initialised, 64 bad usage.
 *
 * Build (from the repository root):
 *   d=c-harness/driver
 *   cc -std=c11 -O2 -Wall -Wextra -Werror -fno-omit-frame-pointer -D_GNU_SOURCE -I c-harness/include \
 *      -I c-harness/callgrind c-harness/host/host.c c-harness/callgrind/lab_cg.c $d/engine.c \
 *      $d/count.c $d/fixture.c $d/main.c $d/scenarios.c $d/scenarios/s[0-9][0-9]_*.c \
 *      -o lab-driver -ldl -lpthread -lm
 * (in this order, as bench-suite/lab-bench/build.rs links it)
 */
#include "engine.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *floor_path;
static const char *only;

/* --only: a comma-separated list of substrings; a scenario runs when its id contains one (an item
 * longer than an id is cut to 255 bytes). */
static int selected(const char *scenario) {
  if (only == NULL) {
    return 1;
  }
  char item[256];
  size_t n = 0;
  for (const char *c = only;; c++) {
    if (*c == ',' || *c == '\0') {
      item[n] = '\0';
      if (strstr(scenario, item) != NULL) {
        return 1;
      }
      if (*c == '\0') {
        return 0;
      }
      n = 0;
    } else if (n + 1 < sizeof item) {
      item[n++] = *c;
    }
  }
}

/* ------------------------------------------------------------------------------------------------
 * Self-check: bad handles and bad entries must be refused, not dereferenced
 * ---------------------------------------------------------------------------------------------- */

static void self_check(void) {
  snprintf(current_case, sizeof current_case, "self-check");
  const uint8_t *name = (const uint8_t *)"user-agent";
  lab_str v;
  lab_status st = host->header_get(0, name, 10, &v);
  if (st != LAB_ERR_BAD_HANDLE) {
    fail("self-check failed: host header_get(handle 0) returned %s, expected LAB_ERR_BAD_HANDLE",
         lab_status_str(st));
  }
  st = host->header_get((lab_handle)0xdeadbeef00000001ull, name, 10, &v);
  if (st != LAB_ERR_BAD_HANDLE) {
    fail("self-check failed: host header_get(handle 0xdeadbeef00000001) returned %s, "
         "expected LAB_ERR_BAD_HANDLE",
         lab_status_str(st));
  }
  lab_request *req = request_new(0, AUTH_IS_VALID);
  lab_handle h = lab_handle_register(req);
  if (h == 0) {
    fail("self-check failed: lab_handle_register returned 0");
  }
  st = host->header_get(h, name, 10, &v);
  if (st != LAB_OK) {
    fail("self-check failed: host header_get(live handle) returned %s", lab_status_str(st));
  }
  lab_entry e;
  memset(&e, 0, sizeof e);
  e.request = h;
  e.filter = LAB_FILTER_ONE_HEADER;
  e.access = LAB_ACCESS_LAZY;
  check_host(lab_headers_size(req, &e.header_count, &e.header_bytes), "lab_headers_size");
  if (lab_handle_destroy(h) != LAB_OK) {
    fail("self-check failed: lab_handle_destroy(live handle) failed");
  }
  st = host->header_get(h, name, 10, &v);
  if (st != LAB_ERR_BAD_HANDLE) {
    fail("self-check failed: host header_get(destroyed handle) returned %s, "
         "expected LAB_ERR_BAD_HANDLE",
         lab_status_str(st));
  }
  if (lab_handle_destroy(h) != LAB_ERR_BAD_HANDLE) {
    fail("self-check failed: a second lab_handle_destroy did not return LAB_ERR_BAD_HANDLE");
  }
  uint64_t r = 0;
  st = ext.on_request_headers(&e, &r);
  if (st == LAB_OK) {
    fail("self-check failed: lab_ext_on_request_headers with a destroyed request handle returned "
         "ok, expected LAB_ERR_BAD_HANDLE");
  }
  if (st != LAB_ERR_BAD_HANDLE) {
    fprintf(stderr,
            "lab-driver: self-check note: a destroyed handle gave %s (non-ok, accepted; "
            "LAB_ERR_BAD_HANDLE expected)\n",
            lab_status_str(st));
  }
  st = ext.on_request_headers(NULL, &r);
  if (st != LAB_ERR_NULL) {
    fail("self-check failed: lab_ext_on_request_headers(NULL entry) returned %s, "
         "expected LAB_ERR_NULL",
         lab_status_str(st));
  }
  fprintf(stderr, "self-check: ok (bad handles refused by the host and the extension, NULL entry "
                  "refused)\n");
}

/* ------------------------------------------------------------------------------------------------
 * Loading the extension, main
 * ---------------------------------------------------------------------------------------------- */

static void usage(void) {
#ifdef LAB_EXT_LINKED
  fputs("usage: lab-driver [--quick] [--out FILE] [--only SUBSTRING[,SUBSTRING...]]\n"
        "                  [--leak-tolerance N] [--floor-ext C_EXT.so] [--count PLAN]\n"
        "                  [--skip-panics]\n"
        "  Calls the extension linked into it (its lab_ext_* symbols, resolved at link time) and\n"
        "  runs the C->extension scenarios",
        stderr);
#else
  fputs("usage: lab-driver EXTENSION.so [--quick] [--out FILE] [--only SUBSTRING[,SUBSTRING...]]\n"
        "                  [--leak-tolerance N] [--floor-ext C_EXT.so] [--count PLAN]\n"
        "                  [--skip-panics]\n"
        "  Loads EXTENSION.so (any language exporting the lab_ext_* symbols of lab.h) and runs\n"
        "  the C->extension scenarios",
        stderr);
#endif
  /* The ids of scenarios.c, so that this list names what main runs; wrapped at 90 columns. */
  size_t col = strlen("  the C->extension scenarios");
  for (size_t i = 0; i < n_scenarios; i++) {
    size_t width = 1 + strlen(scenarios[i].id) + 1;
    if (col + width > 90) {
      fputs("\n ", stderr);
      col = 1;
    }
    fprintf(stderr, " %s%c", scenarios[i].id, i + 1 < n_scenarios ? ',' : ';');
    col += width;
  }
  fputs(" JSON Lines on stdout or FILE.\n"
        "  --quick  short run (smoke test, ~seconds), not for quoting\n"
        "  --only SUBSTRING[,SUBSTRING...]  the scenarios whose id contains one of them\n"
        "  --skip-panics  leave out the cases whose filter panics (s10's panic and\n"
        "           panic_survival): a panic ends an extension built with panic = \"abort\"\n"
        "  --leak-tolerance N  s10: let the extension's allocs and frees over the panicking\n"
        "           requests differ by up to N (default 0: equal), for a garbage-collected\n"
        "           runtime whose counts are process-wide\n"
        "  --floor-ext C_EXT.so  the floor, the same work in C, loaded beside the extension:\n"
        "           s11 calls it first on each new thread, timed, so the measured extension's\n"
        "           first call is left with its own thread state; s01, s07, s10 and s14 time its\n"
        "           cases in the same interleaved rounds as the extension's (per_round and\n"
        "           floor_per_round of each record; not when it is EXTENSION.so itself)\n"
        "  --count CALIBRATE,MOST:N1:N2,...  under callgrind (lab-bench's callgrind pass):\n"
        "           time nothing; count each batch case (a calibrating batch of CALIBRATE\n"
        "           calls, whose Ir per call picks the first level of at most MOST, a warm-up of\n"
        "           N1 calls, then N1 and N2 calls, each dumped as <case id>#<n>); one line per\n"
        "           case counted\n",
        stderr);
  exit(64);
}

static void *resolve(void *lib, const char *path, const char *symbol) {
  dlerror();
  void *p = dlsym(lib, symbol);
  if (p == NULL) {
    fprintf(stderr, "lab-driver: %s lacks symbol %s\n", path, symbol);
    exit(2);
  }
  return p;
}

static void resolve_all(void *lib, const char *path, ext_api *x) {
  x->init = (lab_ext_init_fn)resolve(lib, path, LAB_EXT_INIT);
  x->noop = (lab_ext_noop_fn)resolve(lib, path, LAB_EXT_NOOP);
  x->noop_args = (lab_ext_noop_args_fn)resolve(lib, path, LAB_EXT_NOOP_ARGS);
  x->noop_guarded = (lab_ext_noop_guarded_fn)resolve(lib, path, LAB_EXT_NOOP_GUARDED);
  x->noop_body_call = (lab_ext_noop_body_call_fn)resolve(lib, path, LAB_EXT_NOOP_BODY_CALL);
  x->noop_catch_unwind =
      (lab_ext_noop_catch_unwind_fn)resolve(lib, path, LAB_EXT_NOOP_CATCH_UNWIND);
  x->noop_quiet_hook = (lab_ext_noop_quiet_hook_fn)resolve(lib, path, LAB_EXT_NOOP_QUIET_HOOK);
  x->noop_thread_local =
      (lab_ext_noop_thread_local_fn)resolve(lib, path, LAB_EXT_NOOP_THREAD_LOCAL);
  x->on_request_headers = (lab_ext_callback_fn)resolve(lib, path, LAB_EXT_ON_REQUEST_HEADERS);
  x->on_request_body = (lab_ext_callback_fn)resolve(lib, path, LAB_EXT_ON_REQUEST_BODY);
  x->on_response_headers = (lab_ext_callback_fn)resolve(lib, path, LAB_EXT_ON_RESPONSE_HEADERS);
  x->stats = (lab_ext_stats_fn)resolve(lib, path, LAB_EXT_STATS);
  x->destroy = (lab_ext_destroy_fn)resolve(lib, path, LAB_EXT_DESTROY);
}

#ifdef LAB_EXT_LINKED
/* The extension linked into the driver: its symbols, resolved at link time. */
static void link_all(ext_api *x) {
  x->init = lab_ext_init;
  x->noop = lab_ext_noop;
  x->noop_args = lab_ext_noop_args;
  x->noop_guarded = lab_ext_noop_guarded;
  x->noop_body_call = lab_ext_noop_body_call;
  x->noop_catch_unwind = lab_ext_noop_catch_unwind;
  x->noop_quiet_hook = lab_ext_noop_quiet_hook;
  x->noop_thread_local = lab_ext_noop_thread_local;
  x->on_request_headers = lab_ext_on_request_headers;
  x->on_request_body = lab_ext_on_request_body;
  x->on_response_headers = lab_ext_on_response_headers;
  x->stats = lab_ext_stats;
  x->destroy = lab_ext_destroy;
}
#endif

/* Whether two paths name one file (the C extension measured with itself as --floor-ext). */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Loads a private copy of the floor extension: dlopen() of the measured extension's own path would
 * return the same instance, whose thread state the floor's call would then create. */
static void load_floor(const char *path) {
  char copy[] = "/tmp/lab-floor-XXXXXX.so";
  int fd = mkstemps(copy, 3);
  FILE *in = fopen(path, "rb");
  FILE *to = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (in == NULL || to == NULL) {
    fprintf(stderr, "lab-driver: cannot copy the floor extension %s: %s\n", path, strerror(errno));
    exit(2);
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    if (fwrite(buf, 1, n, to) != n) {
      fprintf(stderr, "lab-driver: cannot copy the floor extension: %s\n", strerror(errno));
      exit(2);
    }
  }
  fclose(in);
  if (fclose(to) != 0) {
    fprintf(stderr, "lab-driver: cannot copy the floor extension: %s\n", strerror(errno));
    exit(2);
  }
  void *lib = dlopen(copy, RTLD_NOW | RTLD_LOCAL);
  unlink(copy);
  if (lib == NULL) {
    const char *err = dlerror();
    fprintf(stderr, "lab-driver: cannot load the floor extension %s: %s\n", path,
            err != NULL ? err : "unknown error");
    exit(2);
  }
  resolve_all(lib, path, &floor_ext);
  lab_status st = floor_ext.init(host);
  if (st != LAB_OK) {
    fprintf(stderr, "lab-driver: the floor extension's lab_ext_init failed: %s\n",
            lab_status_str(st));
    exit(2);
  }
}

/* Every selected scenario, in the order of scenarios.c. */
static void *run_scenarios(void *unused) {
  (void)unused;
  if (counting) {
    /* The main thread, which started this one, reaches its pthread_join before anything is
     * counted: else the rest of its pthread_create and its join run in a counted window (S01's
     * first batch took 178 instructions more than its others). */
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
  }
  for (size_t i = 0; i < n_scenarios; i++) {
    if (selected(scenarios[i].id)) {
      if (counting) {
        count_prime(scenarios[i].id);
      }
      scenarios[i].run();
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--quick") == 0) {
      quick = 1;
    } else if (strcmp(a, "--out") == 0) {
      if (++i >= argc || strncmp(argv[i], "--", 2) == 0) {
        fputs("lab-driver: --out needs a file\n", stderr);
        usage();
      }
      out_path = argv[i];
    } else if (strcmp(a, "--only") == 0) {
      if (++i >= argc || strncmp(argv[i], "--", 2) == 0) {
        fputs("lab-driver: --only needs scenario substrings\n", stderr);
        usage();
      }
      only = argv[i];
    } else if (strcmp(a, "--floor-ext") == 0) {
      if (++i >= argc || strncmp(argv[i], "--", 2) == 0) {
        fputs("lab-driver: --floor-ext needs a shared object\n", stderr);
        usage();
      }
      floor_path = argv[i];
    } else if (strcmp(a, "--count") == 0) {
      if (++i >= argc || !parse_count_plan(argv[i])) {
        fputs("lab-driver: --count needs CALIBRATE,MOST:N1:N2,... (the last MOST inf)\n", stderr);
        usage();
      }
      counting = 1;
    } else if (strcmp(a, "--leak-tolerance") == 0) {
      char *end = NULL;
      if (++i >= argc || argv[i][0] < '0' || argv[i][0] > '9') {
        fputs("lab-driver: --leak-tolerance needs a non-negative integer\n", stderr);
        usage();
      }
      errno = 0;
      unsigned long long n = strtoull(argv[i], &end, 10);
      if (errno != 0 || end == argv[i] || *end != '\0') {
        fprintf(stderr, "lab-driver: --leak-tolerance: not a number: %s\n", argv[i]);
        usage();
      }
      leak_tolerance = (uint64_t)n;
    } else if (strcmp(a, "--skip-panics") == 0) {
      skip_panics = 1;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage();
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "lab-driver: unknown flag %s\n", a);
      usage();
    } else if (path == NULL) {
      path = a;
    } else {
      fprintf(stderr, "lab-driver: unexpected argument %s\n", a);
      usage();
    }
  }
#ifdef LAB_EXT_LINKED
  if (path != NULL) {
    fprintf(stderr, "lab-driver: %s: this driver runs the extension linked into it, no other\n",
            path);
    usage();
  }
  path = "the linked extension";
#else
  if (path == NULL) {
    usage();
  }
#endif
  if (counting) {
    count_dir = getenv("LAB_CALLGRIND_DIR");
    if (!lab_cg_running() || count_dir == NULL) {
      fputs("lab-driver: --count runs under valgrind --tool=callgrind, with LAB_CALLGRIND_DIR "
            "naming the directory of --callgrind-out-file=<dir>/cg.%p (lab-bench's callgrind "
            "pass starts it so)\n",
            stderr);
      return 64;
    }
  }

#ifdef LAB_EXT_LINKED
  const char *load = path;
  link_all(&ext);
#else
  /* A bare file name is the file in the current directory, not a library search. */
  char local[4096];
  const char *load = path;
  if (strchr(path, '/') == NULL) {
    snprintf(local, sizeof local, "./%s", path);
    load = local;
  }
  void *lib = dlopen(load, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    const char *err = dlerror();
    fprintf(stderr, "lab-driver: cannot load %s: %s\n", path, err != NULL ? err : "unknown error");
    return 2;
  }
  resolve_all(lib, path, &ext);
#endif

  host = lab_host_api_get();
  lab_status st = ext.init(host);
  if (st != LAB_OK) {
    fprintf(stderr, "lab-driver: lab_ext_init failed: %s\n", lab_status_str(st));
    return 2;
  }

  if (floor_path != NULL) {
    load_floor(floor_path);
    floor_is_self = same_file(load, floor_path);
  }

  if (out_path != NULL) {
    out = fopen(out_path, "w");
    if (out == NULL) {
      fprintf(stderr, "lab-driver: cannot open %s: %s\n", out_path, strerror(errno));
      return 1;
    }
  } else {
    out = stdout;
  }
  body_bytes = malloc(BODY_MAX);
  if (body_bytes == NULL) {
    fail("out of memory");
  }
  memset(body_bytes, 'b', BODY_MAX);

  double t0 = now_ns();
  fprintf(stderr, "lab-driver: %s, %s mode\n", path, quick ? "quick" : "full");
  self_check();
  if (counting) {
    /* Counted on a thread of its own, as lab-bench's R->C cases are: its stack and malloc arena
     * are mappings of their own, placed alike whatever the environment and the main thread's
     * heap, which move the alignment-dependent paths of memcpy and strlen. */
    pthread_t tid;
    int err = pthread_create(&tid, NULL, run_scenarios, NULL);
    if (err == 0) {
      err = pthread_join(tid, NULL);
    }
    if (err != 0) {
      fail("the counting thread: %s", strerror(err));
    }
  } else {
    run_scenarios(NULL);
  }

  ext.destroy();
  if (out != stdout) {
    if (fclose(out) != 0) {
      fprintf(stderr, "lab-driver: cannot write %s: %s\n", out_path, strerror(errno));
      return 1;
    }
  } else if (fflush(out) != 0 || ferror(out)) {
    fprintf(stderr, "lab-driver: cannot write stdout\n");
    return 1;
  }
  out = NULL;
  free(body_bytes);
#ifndef LAB_EXT_LINKED
  dlclose(lib);
#endif
  fprintf(stderr, "lab-driver: done in %.1f s\n", (now_ns() - t0) / 1e9);
  return 0;
}
