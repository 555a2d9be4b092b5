//! C calls Rust (C→R): the Rust extension that the C driver (`c-harness/driver`) `dlopen()`s, as
//! Envoy loads a Go filter. FINDINGS.md S01 (C→R floor), S07 (copy on demand), S10 (panic
//! containment), S11 (first call from a new thread), S12 (tail latency), S14 (filters).
//!
//! It depends on the boundary crate alone (`lab-sys`: the host API table as a
//! [`lab_sys::callback::Callback`], the counting allocator), so the shared object the host loads
//! carries no benchmark machinery.
//!
//! - [`filters`]: the filters, each over every access strategy;
//! - [`exports`]: the `lab_ext_*` symbols of lab.h, each checked against its typedef there and
//!   wrapped in `catch_unwind`, so a panic ends its request and never unwinds into C.

pub mod exports;
pub mod filters;
