//! Basic auth: the `Authorization` value's parser and the two credential checks the floors do.
//!
//! - [`plain_ok`]: the password compared as is, as nginx's C module (S15's floor) does.
//! - [`Htpasswd::sha_ok`]: the password hashed with SHA-1 and compared, base64-encoded, with the
//!   stored `{SHA}` hash, as Envoy's C++ `envoy.filters.http.basic_auth` (S16's floor) does on
//!   every request; the stored user is [`HTPASSWD`]'s.

use crate::base64;

/// The one valid user and password (S14's `lab:secret`).
pub const USER: &[u8] = b"lab";
pub const PASSWORD: &[u8] = b"secret";

/// The same user htpasswd-style, as Envoy's basic_auth filter is configured (`{SHA}` then the
/// base64 of SHA-1(`secret`)); S16's modules and its C++ floor read this line.
pub const HTPASSWD: &str = "lab:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=";

/// Longest credentials decoded: longer ones cannot be `lab:secret` and are refused without
/// decoding, so a 64 KiB header costs no 48 KiB buffer. Decoding happens on the stack.
pub const MAX_DECODED: usize = 256;

/// The (user, password) of an `Authorization` value, decoded into `buf`; None when there is no
/// value or it is not Basic credentials. Same rules as nginx's `ngx_http_auth_basic_user`: scheme
/// `Basic` in any case, spaces after it, base64 of `user:password`, split at the first colon.
pub fn parse<'b>(
    value: Option<&[u8]>,
    buf: &'b mut [u8; MAX_DECODED],
) -> Option<(&'b [u8], &'b [u8])> {
    let value = value?;
    if value.len() < 6 || !value[..6].eq_ignore_ascii_case(b"basic ") {
        return None;
    }
    let encoded = value[6..].trim_ascii_start();
    let n = base64::decode(encoded, buf)?;
    let decoded = &buf[..n];
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some((&decoded[..colon], &decoded[colon + 1..]))
}

/// Basic auth with the plain compare (nginx's floor): true for `lab:secret`.
pub fn plain_ok(value: Option<&[u8]>) -> bool {
    let mut buf = [0u8; MAX_DECODED];
    parse(value, &mut buf).is_some_and(|(user, password)| user == USER && password == PASSWORD)
}

/// Length of a base64-encoded SHA-1 digest.
const SHA_B64: usize = base64::encoded_len(20);

/// One htpasswd user with a `{SHA}` hash, parsed once at configuration time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Htpasswd {
    user: Vec<u8>,
    /// base64(SHA-1(password)), as stored after `{SHA}`.
    hash: [u8; SHA_B64],
}

impl Htpasswd {
    /// Parses `user:{SHA}base64`; None for any other form (Envoy's filter accepts only `{SHA}`).
    pub fn parse(line: &str) -> Option<Htpasswd> {
        let (user, hash) = line.split_once(':')?;
        let hash = hash.strip_prefix("{SHA}")?.as_bytes();
        let mut digest = [0u8; 21];
        if user.is_empty() || base64::decode(hash, &mut digest) != Some(20) {
            return None;
        }
        Some(Htpasswd {
            user: user.as_bytes().to_vec(),
            hash: hash.try_into().ok()?,
        })
    }

    /// Basic auth with the `{SHA}` compare (Envoy's floor): the user must match, and the base64
    /// of SHA-1 of the presented password must equal the stored hash.
    pub fn sha_ok(&self, value: Option<&[u8]>) -> bool {
        let mut buf = [0u8; MAX_DECODED];
        let Some((user, password)) = parse(value, &mut buf) else {
            return false;
        };
        if user != self.user.as_slice() {
            return false;
        }
        let digest = sha1_smol::Sha1::from(password).digest().bytes();
        let mut encoded = [0u8; SHA_B64];
        base64::encode(&digest, &mut encoded) == Some(SHA_B64) && encoded == self.hash
    }
}
