//! The engines: each a way of running the lab's cases, driven by every pass through
//! [`crate::engine::Engine`].
//!
//! | engine | runs | bench targets |
//! |---|---|---|
//! | [`criterion::R2c`] | Rust calling the C host, in this process (R→C) | `sNN_*` |
//! | [`driver::C2r`] | the C driver calling the Rust extension and its C twin (C→R) | `c2r_driver` |
//! | [`go::GoReference`] | Go through cgo, both ways, across Go releases | `go_reference` |
//! | [`nginx::NginxHost`] | the filters as modules of the packaged nginx, under wrk | `s15_real_proxy` |
//! | [`lto::LtoBuild`] | every R→C scenario in the cross-language LTO build | `lto_build` |
//! | [`link::LinkModes`] | S01, S10, S11 (C→R) with the extension linked statically, with cross-language LTO, and built with `panic = "abort"` | `c2r_link` |
//! | [`envoy::EnvoyHost`] | the filters as dynamic modules of Envoy, beside its C++ and Lua, under wrk | `s16_envoy` |

pub mod criterion;
pub mod driver;
pub mod envoy;
pub mod go;
pub mod link;
pub mod lto;
pub mod nginx;
