//! The lab's filters on Envoy's hooks: what each does with the request and response headers.

use std::hint::black_box;

use lab_filters::basic_auth::{Htpasswd, HTPASSWD};
use lab_filters::header_get_set::{PATH, READ, RESPONSE_HEADER, SET_ON_REQUEST};
use lab_filters::Filter;

use crate::abi::{
    envoy_dynamic_module_type_http_header_type_RequestHeader as REQUEST,
    envoy_dynamic_module_type_http_header_type_ResponseHeader as RESPONSE, Stream,
};
use crate::access::{Reader, Strategy};

/// One filter configuration (`filter_name`, `filter_config`), built on Envoy's main thread and
/// shared read-only by every stream; each stream's module pointer is this configuration, as the
/// filters keep no per-stream state.
#[derive(Debug)]
pub struct Config {
    pub filter: Filter,
    pub strategy: Strategy,
    /// basic_auth's user, `{SHA}`-hashed as Envoy's C++ basic_auth filter stores it.
    users: Htpasswd,
}

impl Config {
    /// The configuration for `filter_name` and `filter_config`; None for an unknown filter or
    /// strategy (Envoy then refuses the configuration at start).
    pub fn parse(name: &[u8], strategy: &[u8]) -> Option<Config> {
        Some(Config {
            filter: Filter::parse(name)?,
            strategy: Strategy::parse(strategy)?,
            users: Htpasswd::parse(HTPASSWD)?,
        })
    }
}

/// What the request-headers hook tells Envoy.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Continue,
    /// A local reply was sent: stop the chain.
    Replied,
}

/// The challenge sent with a 401, as nginx's modules send it.
pub const CHALLENGE: (&[u8], &[u8]) = (b"www-authenticate", b"Basic realm=\"lab\"");

pub fn on_request_headers(config: &Config, stream: Stream<'_>) -> Verdict {
    match config.filter {
        Filter::BasicAuth => {
            let reader = Reader::new(stream, config.strategy);
            if reader.read(b"authorization", |v| config.users.sha_ok(v)) {
                Verdict::Continue
            } else {
                stream.send_response(401, &[CHALLENGE], b"lab_basic_auth_denied");
                Verdict::Replied
            }
        }
        Filter::HeaderGetSet => {
            let reader = Reader::new(stream, config.strategy);
            let mut sum = reader.read(PATH, digest);
            for key in READ {
                sum = sum.wrapping_add(reader.read(key, digest));
            }
            black_box(sum);
            drop(reader);
            for (key, value) in SET_ON_REQUEST {
                stream.set_header(REQUEST, key, value);
            }
            Verdict::Continue
        }
        Filter::Panic => panic!("ffi_lab_envoy panic filter: panicked on purpose (S16 bad input)"),
    }
}

pub fn on_response_headers(config: &Config, stream: Stream<'_>) {
    if config.filter == Filter::HeaderGetSet {
        stream.set_header(RESPONSE, RESPONSE_HEADER, b"rust");
    }
}

/// The lab's checksum of a value read (0 when absent): every byte is read.
fn digest(value: Option<&[u8]>) -> u64 {
    value.map_or(0, lab_sys::digest)
}
