//! The machinery of the passes that observe an engine's cases other than by timing: callgrind's
//! counts ([`callgrind`]) and the profilers' flame graphs ([`profile`]). Each engine's `count` and
//! `profile` use them on its own cases.

pub mod callgrind;
pub mod profile;
