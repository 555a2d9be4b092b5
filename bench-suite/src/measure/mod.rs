//! Measurement shared by every benchmark: allocation and copy counting on both sides of the
//! boundary ([`alloc`]), the result records and machine fingerprint of DESIGN.md ([`record`]),
//! criterion's estimate files ([`criterion_json`]) and the runner that ties them together for a
//! scenario ([`runner`]), and the C driver that measures the C→R direction ([`driver`]).

pub mod alloc;
pub mod crew;
pub mod criterion_json;
pub mod driver;
pub mod go;
pub mod profile;
pub mod record;
pub mod runner;
