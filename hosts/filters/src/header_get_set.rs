//! `header_get_set`: the request headers the filter reads (every byte goes into a checksum) and
//! the headers it sets, lower case as HTTP/2 and Envoy's maps hold them.

/// The request headers read, after the path (`:path` in Envoy, the URI in nginx).
pub const READ: [&[u8]; 3] = [b"user-agent", b"x-request-id", b"accept"];

/// The path's pseudo-header in Envoy's request map.
pub const PATH: &[u8] = b":path";

/// Set on the request: (name, value).
pub const SET_ON_REQUEST: [(&[u8], &[u8]); 2] =
    [(b"x-lab-seen", b"1"), (b"x-lab-route", b"cluster-a")];

/// Set on the response; the value names the module's language (`rust`, `go`).
pub const RESPONSE_HEADER: &[u8] = b"x-lab-response";
