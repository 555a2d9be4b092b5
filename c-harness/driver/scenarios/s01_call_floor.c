/*
 * S01: the call floor. The cost of one empty call across the boundary, one with four arguments, and
 * the same four-argument call made in C without a boundary; all three in the interleaved rounds,
 * beside the floor extension's same loops. The loops have the shape of fixture.c's bare calls.
 */
#include "../engine.h"

static uint8_t args_buf[64];

/* ctx: the ext_api to call (the measured extension, or the floor in the interleaved pass). In the
 * driver with the extension linked in, the loop on the extension under test calls it directly;
 * the empty asm statement (no instruction) keeps each call's result computed in its iteration
 * when cross-language LTO inlines the call, as black_box keeps the R->C loops'. */
static uint64_t run_args(void *ctx, uint64_t iters) {
#ifdef LAB_EXT_LINKED
  if (ctx == (void *)&ext) {
    uint64_t sum = 0;
    for (uint64_t i = 0; i < iters; i++) {
      sum += lab_ext_noop_args(1, i, args_buf, sizeof args_buf);
      __asm__ volatile("" : "+r"(sum));
    }
    return sum;
  }
#endif
  lab_ext_noop_args_fn f = ((const ext_api *)ctx)->noop_args;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    sum += f(1, i, args_buf, sizeof args_buf);
  }
  return sum;
}

/* The no-boundary reference: the same shape and body as lab_noop_args, in this file, reached
 * through a pointer read once from a volatile so that it is called, not inlined. */
__attribute__((noinline)) static uint64_t c_noop_args(uint64_t a, uint64_t b, const void *ptr,
                                                      size_t len) {
  return (a ^ b) + (uint64_t)(uintptr_t)ptr + (uint64_t)len;
}
static uint64_t (*volatile c_noop_args_ptr)(uint64_t, uint64_t, const void *, size_t) = c_noop_args;

/* ctx (an ext_api, as for the other S01 loops) is unused: this call crosses no boundary. */
static uint64_t run_c_call(void *ctx, uint64_t iters) {
  (void)ctx;
  uint64_t (*f)(uint64_t, uint64_t, const void *, size_t) = c_noop_args_ptr;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < iters; i++) {
    sum += f(1, i, args_buf, sizeof args_buf);
  }
  return sum;
}

/* The strategies, in the order of their records: each loop runs on the extension under test and,
 * in the rounds, on the floor extension. */
static const struct {
  const char *name;
  run_fn run;
} strategies[] = {
    {"empty_call", run_empty},
    {"call_with_args", run_args},
    {"c_call", run_c_call},
};

void s01_call_floor(void) {
  plan *p = plan_new("s01_call_floor");
  for (size_t s = 0; s < TABLE_LEN(strategies); s++) {
    plan_add(p, strategies[s].name, "{}", strategies[s].run, &ext, floor_table(), 0, 0);
  }
  plan_finish(p);
}
