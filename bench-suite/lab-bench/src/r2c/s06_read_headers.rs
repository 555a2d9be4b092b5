//! S06 read all headers of a request (FINDINGS.md). Envoy copies all headers into Go at the first
//! read, because several are usually read and a cgo call costs more than a copy; Go pre-sizes the
//! slice from the count passed on entry and keeps it on the stack up to 16 headers — a threshold
//! "picked by gut feeling, never measured". In Rust, reading k of n headers:
//! `per_header_call` (one FFI call per header, borrowed value), `per_header_copy` (one FFI call per
//! header, its value copied into an owned buffer: Envoy's per-header get into a Go string),
//! `bulk_copy` (one call copies every header into a caller buffer), `bulk_borrow` (one call fills views into host memory, no copy),
//! `bulk_copy_per_request` (Envoy's pattern: the copy made at a request's first read serves its
//! later callbacks too);
//! and `stack_slots`, the threshold sweep: the view slots on the stack up to `threshold`, on the
//! heap above, for every header count.

use std::cell::RefCell;
use std::rc::Rc;

use crate::case::{Case, Expect, Scenario, Sweep};
use crate::{params, strategies};
use lab_sys::alloc::note_copy;
use lab_sys::digest;
use lab_sys::headers::KeptHeaders;
use lab_sys::host::{EntrySizes, HostHeader, LabError, Request};
use lab_sys::slots::{with_slots, DEFAULT_STACK_SLOTS as N};

pub const SCENARIO: Scenario = Scenario {
    id: "s06_read_headers",
    strategies_agree: true,
    cases,
};

pub const COUNTS: &[usize] = &[1, 2, 4, 8, 16, 32, 64, 128];
/// The stack thresholds swept, in views (32 bytes each): past 128 the slots outgrow a 4 KiB page,
/// and the frame needs a stack probe on every call, whatever the request's count.
pub const THRESHOLDS: &[usize] = &[0, 4, 16, 64, 128, 256, 512, 1024];
/// The header counts of the threshold sweep: each side of every threshold, up to the largest.
pub const THRESHOLD_COUNTS: &[usize] = &[1, 4, 16, 64, 256, 1024];

/// A realistic request of `n` headers, the sizes Envoy would pass on entry, and the names of the
/// `k` headers the filter reads: spread evenly over the request, each in the middle of its share,
/// so a lookup scans as far as an average one would (k = 1 reads the middle header, not the first).
pub struct Headers {
    pub req: Request,
    pub entry: EntrySizes,
    pub wanted: Vec<Vec<u8>>,
    /// The bytes of the wanted headers' values: what `per_header_copy` copies per call.
    pub wanted_value_bytes: usize,
    /// Views of `wanted`, as a C filter holds the names it reads (the native floor's input).
    raw_wanted: Vec<lab_sys::sys::lab_str>,
    /// `bulk_copy_per_request`'s copy of the request, and the callbacks it still serves.
    kept: RefCell<(KeptHeaders, usize)>,
}

impl Headers {
    pub fn new(n: usize, k: usize) -> Self {
        let req = Request::realistic(n, 42).expect("host allocation");
        let entry = req.headers_size().expect("live request");
        let (wanted, wanted_value_bytes) =
            with_slots::<HostHeader<'_>, 0, _>(entry.count, |slots| {
                let all = req
                    .view_all(slots)
                    .expect("slots sized from the entry count");
                let picked: Vec<&HostHeader<'_>> =
                    (0..k).map(|i| &all[(2 * i + 1) * n / (2 * k)]).collect();
                (
                    picked
                        .iter()
                        .map(|h| h.name().as_bytes().to_vec())
                        .collect::<Vec<_>>(),
                    picked.iter().map(|h| h.value().as_bytes().len()).sum(),
                )
            });
        Headers {
            req,
            entry,
            raw_wanted: lab_sys::native::raw_views(&wanted),
            wanted,
            wanted_value_bytes,
            kept: RefCell::new((KeptHeaders::default(), 0)),
        }
    }
}

/// Looks each wanted header up in `views`, as a filter reading a cached copy does.
#[inline(always)]
fn read_wanted(views: &[HostHeader<'_>], wanted: &[Vec<u8>]) -> Result<u64, LabError> {
    let mut sum = 0u64;
    for name in wanted {
        let h = views
            .iter()
            .find(|h| h.name().as_bytes() == name.as_slice())
            .ok_or(LabError::NotFound)?;
        sum = sum.wrapping_add(digest(h.value().as_bytes()));
    }
    Ok(sum)
}

/// One FFI call per header read; each returns a borrowed view (Envoy's `GetRaw` path).
pub fn per_header_call(h: &Headers) -> Result<u64, LabError> {
    let mut sum = 0u64;
    for name in &h.wanted {
        sum = sum.wrapping_add(digest(h.req.header(name)?.as_bytes()));
    }
    Ok(sum)
}

/// One FFI call per header read, its value copied into an owned buffer: a call, an allocation and
/// a copy per read (Envoy's per-header get, which copies into a Go string).
pub fn per_header_copy(h: &Headers) -> Result<u64, LabError> {
    let mut sum = 0u64;
    for name in &h.wanted {
        let owned: Box<[u8]> = h.req.header(name)?.as_bytes().into();
        note_copy(owned.len());
        sum = sum.wrapping_add(digest(&owned));
    }
    Ok(sum)
}

/// One call copies every name and value into a caller buffer sized from the entry bytes, with
/// views into that buffer (Envoy's `HttpCopyHeaders`: one `[]byte` and a slice of strings).
pub fn bulk_copy(h: &Headers) -> Result<u64, LabError> {
    let mut buf: Vec<u8> = Vec::with_capacity(h.entry.bytes);
    with_slots::<HostHeader<'_>, N, _>(h.entry.count, |slots| {
        let views = h.req.copy_all(buf.spare_capacity_mut(), slots)?;
        read_wanted(views, &h.wanted)
    })
}

/// The callbacks of one request that read headers (decodeHeaders, encodeHeaders, the access log,
/// …): what `bulk_copy_per_request` spreads its one copy over.
pub const CALLBACKS: usize = 4;

/// What Envoy's Go filter does: the first read of a request copies every header (one call), and
/// that copy serves every later callback of the request. Each call is one callback reading the
/// same k headers; every [`CALLBACKS`] calls a new request is copied.
pub fn bulk_copy_per_request(h: &Headers) -> Result<u64, LabError> {
    let mut state = h.kept.borrow_mut();
    let (kept, left) = &mut *state;
    if *left == 0 {
        h.req.keep_all(kept)?;
        *left = CALLBACKS;
    }
    *left -= 1;
    let mut sum = 0u64;
    for name in &h.wanted {
        let value = kept.get(name).ok_or(LabError::NotFound)?;
        sum = sum.wrapping_add(digest(value));
    }
    Ok(sum)
}

/// One call fills views of every header into host memory: no copy of any byte.
pub fn bulk_borrow(h: &Headers) -> Result<u64, LabError> {
    with_slots::<HostHeader<'_>, N, _>(h.entry.count, |slots| {
        let views = h.req.view_all(slots)?;
        read_wanted(views, &h.wanted)
    })
}

/// The threshold sweep: views of all headers in slots on the stack up to `T`, on the heap above,
/// each value digested once (a filter that consumes every header, e.g. an access log).
pub fn stack_slots<const T: usize>(h: &Headers) -> Result<u64, LabError> {
    with_slots::<HostHeader<'_>, T, _>(h.entry.count, |slots| {
        let views = h.req.view_all(slots)?;
        Ok(views.iter().fold(0u64, |sum, v| {
            sum.wrapping_add(digest(v.value().as_bytes()))
        }))
    })
}

/// The floor: C calling `lab_header_get` for each of the k names and digesting the values
/// (`lab_native_s06_read_headers`): the same lookups as `per_header_call`, without the boundary.
pub fn native(h: &Headers, iters: u64) -> Result<u64, LabError> {
    // SAFETY: `raw_wanted` views `wanted`, whose heap bytes live with `h` and are never modified.
    unsafe { lab_sys::native::s06_read_headers(&h.req, &h.raw_wanted, iters) }
}

/// `k` in {1, n/4, n/2, n}, without repeats: the crossover of a bulk copy lies between a quarter
/// and all of the headers (earlier runs).
pub fn reads(n: usize) -> Vec<usize> {
    let mut ks = vec![1, n / 4, n / 2, n];
    ks.retain(|&k| k >= 1);
    ks.dedup();
    ks
}

fn cases(sweep: Sweep) -> Vec<Case> {
    cases_at(
        &sweep.pick(COUNTS),
        &sweep.pick(THRESHOLD_COUNTS),
        &sweep.pick(THRESHOLDS),
    )
}

/// The cases at each header count of `counts` (the sweep's, or any other: tests check counts one
/// past a threshold), and the threshold sweep at each of `threshold_counts` over `thresholds`,
/// each of which must be in [`THRESHOLDS`].
pub fn cases_at(counts: &[usize], threshold_counts: &[usize], thresholds: &[usize]) -> Vec<Case> {
    let mut cases = Vec::new();
    for &n in counts {
        for k in reads(n) {
            let input = Rc::new(Headers::new(n, k));
            let bytes = input.entry.bytes;
            let wanted_bytes = input.wanted_value_bytes;
            // Above N headers the view slots are one heap allocation.
            let slots = usize::from(n > N);
            cases.push(Case::native(&params!(n, k), Expect::NONE, &input, native));
            strategies!(cases, params!(n, k), input, [
                per_header_call => Expect::NONE,
                // An owned copy of each of the k values read.
                per_header_copy => Expect::new(k, 0, wanted_bytes),
                bulk_copy => Expect::new(1 + slots, 0, bytes),
                bulk_borrow => Expect::new(slots, 0, 0),
                // Once per request of CALLBACKS callbacks: the copy, and its slots above 16.
                bulk_copy_per_request => Expect::every(CALLBACKS, slots, 0, bytes),
            ]);
        }
    }
    for &n in threshold_counts {
        let input = Rc::new(Headers::new(n, 1));
        for &threshold in thresholds {
            let p = params!(n, threshold);
            // The slots go to the heap above the threshold: one allocation, no copy.
            let e = Expect::new(usize::from(n > threshold), 0, 0);
            // One arm per threshold: each is its own monomorphised function, called directly.
            let case = match threshold {
                0 => Case::new("stack_slots", &p, e, &input, stack_slots::<0>),
                4 => Case::new("stack_slots", &p, e, &input, stack_slots::<4>),
                16 => Case::new("stack_slots", &p, e, &input, stack_slots::<16>),
                64 => Case::new("stack_slots", &p, e, &input, stack_slots::<64>),
                128 => Case::new("stack_slots", &p, e, &input, stack_slots::<128>),
                256 => Case::new("stack_slots", &p, e, &input, stack_slots::<256>),
                512 => Case::new("stack_slots", &p, e, &input, stack_slots::<512>),
                1024 => Case::new("stack_slots", &p, e, &input, stack_slots::<1024>),
                other => unreachable!("threshold {other} is not in THRESHOLDS"),
            };
            cases.push(case);
        }
    }
    cases
}
