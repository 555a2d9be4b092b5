//! Standard base64 (RFC 4648 alphabet): the decoder basic auth reads credentials with, and the
//! encoder the `{SHA}` check writes a digest with. Both work in caller buffers: no allocation.

/// Decodes `input` (padding optional, as nginx's `ngx_decode_base64` and Envoy's
/// `decodeWithoutPadding` accept) into `out`; None when the input is not base64 or its decoding
/// does not fit.
pub fn decode(input: &[u8], out: &mut [u8]) -> Option<usize> {
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

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes `input` with padding into `out`, which must hold `encoded_len(input.len())` bytes;
/// returns that length, or None when `out` is too short.
pub fn encode(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let n = encoded_len(input.len());
    if out.len() < n {
        return None;
    }
    for (chunk, slot) in input.chunks(3).zip(out.chunks_mut(4)) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let acc = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, c) in slot.iter_mut().enumerate() {
            *c = if i <= chunk.len() {
                ALPHABET[(acc >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            };
        }
    }
    Some(n)
}

/// The padded base64 length of `len` bytes.
pub const fn encoded_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}
