/*
 * The lab's host: plays Envoy's role for the R->C scenarios (FINDINGS.md S01-S06). It owns requests
 * and their header maps, and implements every function of lab.h. Every allocation goes through
 * host_alloc/host_free so the extension can read exact per-thread allocation counts.
 *
 * One role per file, one translation unit: every build compiles this file alone (lab-sys's and
 * lab-bench's build.rs, go-reference/gotoc/host.c), and it includes the others, never compiled on
 * their own; host_internal.h declares what they share.
 *
 * One unit because the host's functions are what the lab times and counts, and gcc compiles them
 * into each other; split into units, measured code would change:
 *  - the allocation counters are a static of the unit, so gcc knows that no outside call (memcpy,
 *    free) touches them and keeps a count in a register across a loop of copies
 *    (lab_headers_copy_all, lab_header_set, lab_request_free); counters shared between units are a
 *    global, stored and reloaded around every such call;
 *  - the API table's entries (api.c) are compiled with what they call: under lab-sys's -O3 and
 *    -fno-semantic-interposition gcc inlines the handle guard (handle.c) and the header reads
 *    (request.c) into them, and calls lab_request_free's out-of-line part directly; under the C
 *    driver's -O2 request_enter stays a call, and valid_name's out-of-line part is shared by
 *    lab_header_set and the table. Across units the first would become calls; made static inline
 *    in a header, request_enter would be inlined at -O2 as well (every entry's code changes).
 * The files are included in the order the one file had them.
 */
#include "host_internal.h"

#include "alloc.c"
#include "status.c"
#include "consume.c"
#include "request.c"
#include "body.c"
#include "handle.c"
#include "api.c"
#include "worker.c"
