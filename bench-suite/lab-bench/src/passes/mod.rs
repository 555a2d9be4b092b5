//! The machinery of the passes that observe an engine's cases other than by timing: callgrind's
//! counts ([`callgrind`]) and where they go by function ([`attribution`]) and the profilers' flame graphs ([`profile`]). Each engine's `count` and
//! `profile` use them on its own cases.

pub mod attribution;
pub mod callgrind;
pub mod profile;
