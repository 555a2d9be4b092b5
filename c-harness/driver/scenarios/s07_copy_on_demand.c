/*
 * S07: copy on demand. Each filter (what the extension reads: nothing, one header, every header,
 * the body) at each body size, by each strategy: eager (the host pushes views of every header and
 * the body with each callback) or lazy (the extension asks for what it reads).
 */
#include "../engine.h"

static const size_t bodies_full[] = {0, 1024, 65536, 1048576};
static const size_t bodies_quick[] = {0, 1048576};

static const struct {
  const char *name;
  lab_filter filter;
} filters[] = {{"nothing", LAB_FILTER_NOTHING},
               {"one_header", LAB_FILTER_ONE_HEADER},
               {"all_headers", LAB_FILTER_ALL_HEADERS},
               {"body", LAB_FILTER_BODY}};

/* The strategies: the access each fixture's entry asks for. */
static const struct {
  const char *name;
  lab_access access;
} strategies[] = {{"eager", LAB_ACCESS_EAGER}, {"lazy", LAB_ACCESS_LAZY}};

void s07_copy_on_demand(void) {
  const char *sc = "s07_copy_on_demand";
  const size_t *bodies = quick ? bodies_quick : bodies_full;
  plan *p = plan_new(sc);
  size_t n_bodies = quick ? TABLE_LEN(bodies_quick) : TABLE_LEN(bodies_full);
  for (size_t b = 0; b < n_bodies; b++) {
    for (size_t fi = 0; fi < TABLE_LEN(filters); fi++) {
      for (size_t si = 0; si < TABLE_LEN(strategies); si++) {
        char params[128];
        snprintf(params, sizeof params, "{\"filter\":\"%s\",\"body\":%zu}", filters[fi].name,
                 bodies[b]);
        snprintf(current_case, sizeof current_case, "%s/%s %s", sc, strategies[si].name, params);
        fixture *f =
            fixture_new(bodies[b], AUTH_IS_VALID, filters[fi].filter, strategies[si].access);
        plan_add_fixture(p, strategies[si].name, params, f, 1);
      }
    }
  }
  plan_finish(p);
}
