/*
 * Build-time check that every lab_ext_* symbol cgo exports (prototypes in the generated
 * _cgo_export.h) has exactly the type of its typedef in lab.h, as bench-suite/lab-ext/src/exports.rs
 * checks the Rust exports with `const _: sys::lab_ext_..._fn = Some(...)`. A mismatch (a changed
 * lab.h, a Go signature edited by hand) fails `go build`. Nothing here ends up in the library.
 */
#include "lab.h"
#include "_cgo_export.h"

#define LAB_SAME_TYPE(fn, type)                                                                    \
  _Static_assert(__builtin_types_compatible_p(__typeof__(&fn), type),                              \
                 #fn " does not have lab.h's type " #type)

LAB_SAME_TYPE(lab_ext_init, lab_ext_init_fn);
LAB_SAME_TYPE(lab_ext_noop, lab_ext_noop_fn);
LAB_SAME_TYPE(lab_ext_noop_args, lab_ext_noop_args_fn);
LAB_SAME_TYPE(lab_ext_noop_guarded, lab_ext_noop_guarded_fn);
LAB_SAME_TYPE(lab_ext_noop_body_call, lab_ext_noop_body_call_fn);
LAB_SAME_TYPE(lab_ext_noop_catch_unwind, lab_ext_noop_catch_unwind_fn);
LAB_SAME_TYPE(lab_ext_noop_quiet_hook, lab_ext_noop_quiet_hook_fn);
LAB_SAME_TYPE(lab_ext_noop_thread_local, lab_ext_noop_thread_local_fn);
LAB_SAME_TYPE(lab_ext_on_request_headers, lab_ext_callback_fn);
LAB_SAME_TYPE(lab_ext_on_request_body, lab_ext_callback_fn);
LAB_SAME_TYPE(lab_ext_on_response_headers, lab_ext_callback_fn);
LAB_SAME_TYPE(lab_ext_stats, lab_ext_stats_fn);
LAB_SAME_TYPE(lab_ext_destroy, lab_ext_destroy_fn);
