/* Markers of the callgrind pass: see lab_cg.c. */
#ifndef LAB_CG_H
#define LAB_CG_H

/* Zeroes callgrind's counters (all threads): what follows, up to lab_cg_stop_dump, is counted. */
void lab_cg_start(void);
/* Dumps callgrind's counters since lab_cg_start, the dump named `name`. */
void lab_cg_stop_dump(const char *name);
/* Turns collection off on this thread if it is on, on if it is off: around work inside a counted
 * window that is not the counted call (S10's survival run sets up and destroys a request per
 * call, and times only the call). */
void lab_cg_toggle(void);
/* 1 under valgrind, else 0. */
int lab_cg_running(void);

#endif
