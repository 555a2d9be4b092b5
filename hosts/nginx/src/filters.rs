//! The filters' own work, apart from nginx: the directive's names, base64 and the credential check.

/// `ffi_lab FILTER …`: the filter a location runs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// No `ffi_lab` directive in this location (or its parents): the handler declines.
    #[default]
    Off,
    BasicAuth,
    HeaderGetSet,
    /// Panics on purpose: the bad-input test counts 500s and a worker that keeps serving.
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

/// `ffi_lab … STRATEGY`: how the filter reaches nginx's headers (the names of the lab's
/// strategies; see lib.rs).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    #[default]
    Borrow,
    CopyPerHeader,
    BulkCopy,
}

impl Strategy {
    pub fn parse(name: &[u8]) -> Option<Strategy> {
        match name {
            b"borrow" => Some(Strategy::Borrow),
            b"copy_per_header" => Some(Strategy::CopyPerHeader),
            b"bulk_copy" => Some(Strategy::BulkCopy),
            _ => None,
        }
    }
}

/// The one valid user and password (S14's `lab:secret`), in memory as in the C module, the floor
/// (hosts/nginx/c); the `nginx_builtin` reference's password file holds `lab:{PLAIN}secret`.
const USER: &[u8] = b"lab";
const PASSWORD: &[u8] = b"secret";

/// Longest credentials decoded: longer ones cannot be `lab:secret` and are refused without
/// decoding, so a 64 KiB header costs no 48 KiB buffer. Decoding happens on the stack.
const MAX_DECODED: usize = 256;

/// Basic auth over the `Authorization` value (None: no header). Same rules as nginx's
/// `ngx_http_auth_basic_user`: scheme `Basic` in any case, spaces after it, base64 of
/// `user:password`, split at the first colon.
pub fn basic_auth_ok(value: Option<&[u8]>) -> bool {
    let Some(value) = value else {
        return false;
    };
    if value.len() < 6 || !value[..6].eq_ignore_ascii_case(b"basic ") {
        return false;
    }
    let encoded = value[6..].trim_ascii_start();
    let mut buf = [0u8; MAX_DECODED];
    let Some(n) = decode_base64(encoded, &mut buf) else {
        return false;
    };
    let decoded = &buf[..n];
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    &decoded[..colon] == USER && &decoded[colon + 1..] == PASSWORD
}

/// Standard base64 (padding optional, as nginx's `ngx_decode_base64`) into `out`; None when the
/// input is not base64 or its decoding does not fit.
pub fn decode_base64(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let input = match input {
        [rest @ .., b'=', b'='] => rest,
        [rest @ .., b'='] => rest,
        all => all,
    };
    if input.len() % 4 == 1 || input.len() > (out.len() / 3 + 1) * 4 {
        return None;
    }
    let sextet = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut n = 0;
    for chunk in input.chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            acc = acc << 6 | sextet(c)?;
        }
        let bytes = chunk.len() * 6 / 8;
        acc <<= 6 * (4 - chunk.len());
        if n + bytes > out.len() {
            return None;
        }
        for (i, slot) in out[n..n + bytes].iter_mut().enumerate() {
            *slot = (acc >> (16 - 8 * i)) as u8;
        }
        n += bytes;
    }
    Some(n)
}
