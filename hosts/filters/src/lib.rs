//! The filters' own work, apart from any proxy: what S15's nginx module and S16's Envoy modules
//! compute identically, so a difference between them is the boundary's and not the filter's.
//!
//! - [`Filter`]: the filter names a configuration selects (`basic_auth`, `header_get_set`, `panic`).
//! - [`basic_auth`]: the `Authorization: Basic` parser and the two credential checks.
//! - [`base64`]: the decoder the parser uses and the encoder the `{SHA}` check uses.
//! - [`header_get_set`]: the headers that filter reads and the values it sets.

pub mod base64;
pub mod basic_auth;
pub mod header_get_set;

/// The lab's filters, by the name a proxy's configuration gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    BasicAuth,
    HeaderGetSet,
    /// Panics on purpose: the bad-input test counts 500s and a proxy that keeps serving.
    Panic,
}

impl Filter {
    pub fn parse(name: &[u8]) -> Option<Filter> {
        match name {
            b"basic_auth" => Some(Filter::BasicAuth),
            b"header_get_set" => Some(Filter::HeaderGetSet),
            b"panic" => Some(Filter::Panic),
            _ => None,
        }
    }
}
