/* The callgrind pass's markers (bench-suite/lab-bench/src/callgrind.rs): valgrind's client requests,
 * which are a few no-op instructions when the program does not run under valgrind. Callgrind
 * collects from the start (--collect-atstart=yes, every thread) but inside the functions where a
 * thread waits (--toggle-collect, callgrind.rs's WAITS), so lab_cg_start zeroes every thread's
 * counters and lab_cg_stop_dump writes them out under `name`: a dump holds exactly what ran
 * between the two but the waits, the calls into the host and the C host included. */
#include <valgrind/callgrind.h>

#include "lab_cg.h"

void lab_cg_start(void) { CALLGRIND_ZERO_STATS; }

void lab_cg_stop_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }

void lab_cg_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }

int lab_cg_running(void) { return RUNNING_ON_VALGRIND ? 1 : 0; }
