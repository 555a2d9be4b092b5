/*
 * S14: real filters. Basic auth over valid, invalid and missing credentials, and a filter that
 * reads and sets headers on the request and the response, by each of S06's access strategies.
 */
#include "../engine.h"

/* The strategies: the access each fixture's entry asks for. */
static const struct {
  const char *name;
  lab_access access;
} strategies[] = {{"per_header_call", LAB_ACCESS_PER_HEADER_CALL},
                  {"bulk_copy", LAB_ACCESS_BULK_COPY},
                  {"bulk_borrow", LAB_ACCESS_BULK_BORROW}};

/* basic_auth's credentials, and the local reply each must leave after its run. */
static const struct {
  const char *name;
  auth_mode mode;
  uint32_t reply;
} creds[] = {{"valid", AUTH_IS_VALID, 0}, {"invalid", AUTH_IS_INVALID, 401},
             {"missing", AUTH_IS_MISSING, 401}};

void s14_filters(void) {
  const char *sc = "s14_filters";
  plan *p = plan_new(sc);
  for (size_t s = 0; s < TABLE_LEN(strategies); s++) {
    for (size_t c = 0; c < TABLE_LEN(creds); c++) {
      char params[128];
      snprintf(params, sizeof params, "{\"filter\":\"basic_auth\",\"credentials\":\"%s\"}",
               creds[c].name);
      snprintf(current_case, sizeof current_case, "%s/%s %s", sc, strategies[s].name, params);
      fixture *f = fixture_new(0, creds[c].mode, LAB_FILTER_BASIC_AUTH, strategies[s].access);
      plan_add_fixture(p, strategies[s].name, params, f, 0);
      uint32_t reply = lab_handle_local_reply(f->h);
      if (reply != creds[c].reply) {
        fail("%s: local reply %u after the run, expected %u", current_case, reply, creds[c].reply);
      }
    }
  }
  for (size_t s = 0; s < TABLE_LEN(strategies); s++) {
    const char *params = "{\"filter\":\"header_get_set\"}";
    snprintf(current_case, sizeof current_case, "%s/%s %s", sc, strategies[s].name, params);
    fixture *f = fixture_new(0, AUTH_IS_VALID, LAB_FILTER_HEADER_GET_SET, strategies[s].access);
    f->with_response = 1;
    f->refresh_sizes = 1; /* the filter adds headers: Envoy passes the current sizes each time */
    sink += fixture_request(f); /* the first request appends the headers the filter sets */
    fixture *twin = fixture_twin(f);
    if (twin != NULL) {
      sink += fixture_request(twin); /* the same on the floor's own request */
    }
    plan_add(p, strategies[s].name, params, run_request, f, twin, 0, 1);
  }
  plan_finish(p);
}
