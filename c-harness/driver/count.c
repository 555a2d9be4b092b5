/*
 * The driver's callgrind pass (--count): counts instead of times.
 *
 * The C->R half of bench-suite/lab-bench/src/callgrind.rs's count_cases, with the same steps and the
 * same dump names: per case a calibrating batch, whose instructions per call choose how many calls
 * the case is counted over (the levels of --count, which lab-bench passes from its LEVELS), n1
 * calls of warm-up, then a batch of n1 and one of n2 calls, each between lab_cg_start() and
 * lab_cg_stop_dump("<case id>#<n>") (c-harness/callgrind/lab_cg.c). Only run(ctx, n) runs in
 * between; lab-bench reads the dumps and keeps (total at n2 - total at n1) / (n2 - n1). Nothing is
 * timed and no allocation is read in this mode: the timed run (without --count) measures and
 * checks those. The windows of a single call (S11's first call) are engine.h's count_window_open
 * and count_window_close.
 */
#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COUNT_LEVELS_MAX 8

typedef struct {
  double most; /* the most instructions per call of the calibrating batch this level takes */
  uint64_t n1, n2;
} count_level;

static uint64_t count_calibrate;
static count_level count_levels[COUNT_LEVELS_MAX];
static size_t count_n_levels;
/* Where callgrind writes the dumps (--callgrind-out-file=<dir>/cg.%p, so <dir>/cg.<pid>.<k> for
 * the k-th dump), from LAB_CALLGRIND_DIR; and how many this process has dumped. */
const char *count_dir;
unsigned count_dumps;

/* Parses --count's PLAN, `CALIBRATE,MOST:N1:N2,...` (MOST may be `inf`); 0 when malformed. */
int parse_count_plan(const char *plan) {
  char *end = NULL;
  errno = 0;
  count_calibrate = strtoull(plan, &end, 10);
  if (errno != 0 || end == plan || count_calibrate == 0) {
    return 0;
  }
  count_n_levels = 0;
  while (*end == ',') {
    if (count_n_levels == COUNT_LEVELS_MAX) {
      return 0;
    }
    count_level *l = &count_levels[count_n_levels++];
    const char *p = end + 1;
    l->most = strtod(p, &end);
    if (end == p || *end != ':') {
      return 0;
    }
    p = end + 1;
    l->n1 = strtoull(p, &end, 10);
    if (end == p || *end != ':') {
      return 0;
    }
    p = end + 1;
    l->n2 = strtoull(p, &end, 10);
    if (end == p || l->n1 == 0 || l->n2 <= l->n1) {
      return 0;
    }
  }
  return *end == '\0' && count_n_levels > 0 && isinf(count_levels[count_n_levels - 1].most);
}

/* lab_record::params_label of the driver's flat JSON params: `{"filter":"basic_auth","body":0}`
 * is `filter=basic_auth,body=0` (no quotes; keys in their order; `{}` is empty). */
void params_label(char *dst, size_t cap, const char *params) {
  size_t n = 0;
  for (const char *p = params; *p != '\0' && n + 1 < cap; p++) {
    if (*p == '{' || *p == '}' || *p == '"') {
      continue;
    }
    dst[n++] = *p == ':' ? '=' : *p;
  }
  dst[n] = '\0';
}

/* Zeroes the counters, runs iters calls, dumps them as `name`; returns the dump's number. */
static unsigned count_batch(const char *name, run_fn run, void *ctx, uint64_t iters) {
  lab_cg_start();
  sink += run(ctx, iters);
  lab_cg_stop_dump(name);
  return ++count_dumps;
}

/* The instructions (Ir, the summary's figure under the events' `Ir`) of dump number k, or -1 when
 * it cannot be read. */
static double dump_ir(unsigned k) {
  char path[4096];
  snprintf(path, sizeof path, "%s/cg.%ld.%u", count_dir, (long)getpid(), k);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    return -1;
  }
  char line[1024];
  int ir = -1;
  double total = -1;
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "events: ", 8) == 0) {
      ir = -1;
      int i = 0;
      for (char *tok = strtok(line + 8, " \n"); tok != NULL; tok = strtok(NULL, " \n"), i++) {
        if (strcmp(tok, "Ir") == 0) {
          ir = i;
        }
      }
    } else if (strncmp(line, "summary: ", 9) == 0 && ir >= 0) {
      int i = 0;
      for (char *tok = strtok(line + 9, " \n"); tok != NULL; tok = strtok(NULL, " \n"), i++) {
        if (i == ir) {
          total = strtod(tok, NULL);
        }
      }
      break;
    }
  }
  fclose(f);
  return total;
}

/* A dump outside any case at the start of each scenario: whatever the first requests of a window
 * cost lands in a dump no case reads (as count_cases does per scenario). */
void count_prime(const char *scenario) {
  char name[256];
  snprintf(name, sizeof name, "%s#prime", scenario);
  count_throwaway(name);
}

/* Counts one case: calibrate, choose the level, warm up, then the two counted batches. */
void count_case(const char *scenario, const char *strategy, const char *params, run_fn run,
                void *ctx) {
  char label[256], id[512], name[600];
  params_label(label, sizeof label, params);
  snprintf(id, sizeof id, "%s/%s/%s", scenario, strategy, label);
  snprintf(current_case, sizeof current_case, "%s/%s %s (counted)", scenario, strategy, params);
  snprintf(name, sizeof name, "%s#calibrate", id);
  double ir = dump_ir(count_batch(name, run, ctx, count_calibrate));
  double per_call = ir < 0 ? INFINITY : ir / (double)count_calibrate;
  const count_level *l = &count_levels[count_n_levels - 1];
  for (size_t i = 0; i < count_n_levels; i++) {
    if (per_call <= count_levels[i].most) {
      l = &count_levels[i];
      break;
    }
  }
  sink += run(ctx, l->n1); /* warm-up */
  const uint64_t ns[2] = {l->n1, l->n2};
  for (size_t i = 0; i < 2; i++) {
    snprintf(name, sizeof name, "%s#%" PRIu64, id, ns[i]);
    count_batch(name, run, ctx, ns[i]);
  }
}

/* `<id>#0` and `<id>#1`, the names of the empty window and the window of one call. */
void window_names_of(window_names *w, const char *id) {
  snprintf(w->empty, sizeof w->empty, "%s#0", id);
  snprintf(w->full, sizeof w->full, "%s#1", id);
}

