//! The models: what lab.h and host.c say an answer is, written from them, not from what the code
//! happens to return.

use lab_sys::host::{EntrySizes, HostHeader, LabError};

/// RFC 9110 tchar punctuation; with lower-case letters and digits, what the host accepts in a name.
pub(crate) const TCHAR_PUNCT: &[u8] = b"!#$%&'*+-.^_`|~";

/// The host's `valid_name` (c-harness/host/request.c): non-empty; lower-case tchars, plus a
/// leading ':' when more follows.
pub(crate) fn model_valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.iter().enumerate().all(|(i, &c)| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || TCHAR_PUNCT.contains(&c)
                || (c == b':' && i == 0 && name.len() > 1)
        })
}

/// lab.h's `lab_touch` (lab_digest.h): every 8-byte group of bytes, the last one possibly shorter,
/// read as a little-endian word `w` and chained as `h = rotl(h ^ w, 29)` from 0; then
/// `h ^ len * 0x9E3779B97F4A7C15` (wrapping). Empty gives 0.
pub(crate) fn model_touch(b: &[u8]) -> u64 {
    let h = b.chunks(8).fold(0u64, |h, group| {
        let w = group
            .iter()
            .enumerate()
            .fold(0u64, |w, (k, &byte)| w | u64::from(byte) << (8 * k));
        (h ^ w).rotate_left(29)
    });
    h ^ (b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// `lab_consume_packed` through `host::consume_packed`: item i is `buf[o[i]..o[i + 1]]`.
pub(crate) fn model_packed(buf: &[u8], offsets: &[u32]) -> Result<u64, LabError> {
    if offsets.is_empty() {
        return Err(LabError::Range);
    }
    let mut sum = 0u64;
    for w in offsets.windows(2) {
        let (start, end) = (w[0] as usize, w[1] as usize);
        if start > end || end > buf.len() {
            return Err(LabError::Range);
        }
        sum = sum.wrapping_add(model_touch(&buf[start..end]));
    }
    Ok(sum)
}

/// A header map as lab.h describes it: insertion order, a set replaces the first header of that
/// name in place, or appends.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    pub(crate) headers: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Model {
    pub(crate) fn set(&mut self, name: &[u8], value: &[u8]) {
        match self.headers.iter_mut().find(|(n, _)| n == name) {
            Some(h) => h.1 = value.to_vec(),
            None => self.headers.push((name.to_vec(), value.to_vec())),
        }
    }

    pub(crate) fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    pub(crate) fn sizes(&self) -> EntrySizes {
        EntrySizes {
            count: self.headers.len(),
            bytes: self.headers.iter().map(|(n, v)| n.len() + v.len()).sum(),
        }
    }
}

pub(crate) fn pairs(views: &[HostHeader<'_>]) -> Vec<(Vec<u8>, Vec<u8>)> {
    views
        .iter()
        .map(|h| (h.name().as_bytes().to_vec(), h.value().as_bytes().to_vec()))
        .collect()
}
