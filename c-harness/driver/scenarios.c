/*
 * The C->R scenarios the driver runs: one file each under scenarios/, defining the function of its
 * id, and one row here. main runs the rows in this order (the order of the records), each when
 * --only selects its id; a new scenario is its file and its row, and the engine stays as it is.
 */
#include "engine.h"

void s01_call_floor(void);
void s07_copy_on_demand(void);
void s10_panic(void);
void s11_thread_attach(void);
void s12_tail_latency(void);
void s14_filters(void);

const scenario scenarios[] = {
    {"s01_call_floor", s01_call_floor},
    {"s07_copy_on_demand", s07_copy_on_demand},
    {"s10_panic", s10_panic},
    {"s11_thread_attach", s11_thread_attach},
    {"s12_tail_latency", s12_tail_latency},
    {"s14_filters", s14_filters},
};
const size_t n_scenarios = TABLE_LEN(scenarios);
