//! The access strategies: how a filter reaches Envoy's request headers (`filter_config`).
//!
//! - `borrow`: one `get_header` per read, a view into Envoy's map (zero copy).
//! - `bulk_borrow`: `get_headers_size`, then `get_headers` into a caller array of views (on the
//!   stack up to [`STACK_HEADERS`] entries), then lookups in that array (zero copy).
//! - `copy_per_header`: one `get_header` per read and an owned copy of the value.
//! - `bulk_copy`: at the first access every header is copied into one arena (the Go filter's way
//!   in Envoy's documents); reads are then lookups in the arena.

use crate::abi::{envoy_dynamic_module_type_envoy_http_header, header_view, Stream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Borrow,
    BulkBorrow,
    CopyPerHeader,
    BulkCopy,
}

impl Strategy {
    pub fn parse(name: &[u8]) -> Option<Strategy> {
        match name {
            b"borrow" => Some(Strategy::Borrow),
            b"bulk_borrow" => Some(Strategy::BulkBorrow),
            b"copy_per_header" => Some(Strategy::CopyPerHeader),
            b"bulk_copy" => Some(Strategy::BulkCopy),
            _ => None,
        }
    }
}

/// Header maps up to this size are viewed in a stack array; larger ones in a heap one.
pub const STACK_HEADERS: usize = 32;

/// The request headers, reached in one strategy's way for the duration of a hook.
// A Reader lives on the hook's stack; bulk_borrow's inline array of views is the strategy (no
// heap), so its variant is large on purpose.
#[allow(clippy::large_enum_variant)]
pub enum Reader<'h> {
    Borrow(Stream<'h>),
    BulkBorrow(Views<'h>),
    CopyPerHeader(Stream<'h>),
    BulkCopy(Arena),
}

impl<'h> Reader<'h> {
    /// Prepares the strategy: the bulk ones fetch every header here (the first access).
    pub fn new(stream: Stream<'h>, strategy: Strategy) -> Reader<'h> {
        match strategy {
            Strategy::Borrow => Reader::Borrow(stream),
            Strategy::CopyPerHeader => Reader::CopyPerHeader(stream),
            Strategy::BulkBorrow => Reader::BulkBorrow(Views::fetch(stream)),
            Strategy::BulkCopy => Reader::BulkCopy(Arena::copy(&Views::fetch(stream))),
        }
    }

    /// Calls `use_value` with the first value of header `key` (None when absent): a view for the
    /// borrowing strategies, an owned copy for `copy_per_header`, the arena's bytes for
    /// `bulk_copy`.
    pub fn read<R>(&self, key: &[u8], use_value: impl FnOnce(Option<&[u8]>) -> R) -> R {
        match self {
            Reader::Borrow(stream) => use_value(stream.request_header(key)),
            Reader::CopyPerHeader(stream) => {
                let owned: Option<Vec<u8>> = stream.request_header(key).map(<[u8]>::to_vec);
                use_value(owned.as_deref())
            }
            Reader::BulkBorrow(views) => use_value(views.get(key)),
            Reader::BulkCopy(arena) => use_value(arena.get(key)),
        }
    }
}

/// `bulk_borrow`: views of every request header, fetched in one call.
pub struct Views<'h> {
    stack: [envoy_dynamic_module_type_envoy_http_header; STACK_HEADERS],
    heap: Vec<envoy_dynamic_module_type_envoy_http_header>,
    len: usize,
    hook: std::marker::PhantomData<&'h ()>,
}

const NO_HEADER: envoy_dynamic_module_type_envoy_http_header =
    envoy_dynamic_module_type_envoy_http_header {
        key_ptr: std::ptr::null(),
        key_length: 0,
        value_ptr: std::ptr::null(),
        value_length: 0,
    };

impl<'h> Views<'h> {
    fn fetch(stream: Stream<'h>) -> Views<'h> {
        let n = stream.request_headers_len();
        let mut views = Views {
            stack: [NO_HEADER; STACK_HEADERS],
            heap: Vec::new(),
            len: 0,
            hook: std::marker::PhantomData,
        };
        let out: &mut [envoy_dynamic_module_type_envoy_http_header] = if n <= STACK_HEADERS {
            &mut views.stack[..n]
        } else {
            views.heap = vec![NO_HEADER; n];
            &mut views.heap
        };
        let filled = stream.request_headers(out).len();
        views.len = filled;
        views
    }

    fn all(&self) -> &[envoy_dynamic_module_type_envoy_http_header] {
        if self.heap.is_empty() {
            &self.stack[..self.len]
        } else {
            &self.heap[..self.len]
        }
    }

    /// Every (key, value) view, in Envoy's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'h [u8], &'h [u8])> + '_ {
        self.all().iter().filter_map(header_view)
    }

    /// The first value of `key` (Envoy's keys are lower case).
    pub fn get(&self, key: &[u8]) -> Option<&'h [u8]> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// `bulk_copy`: every request header copied into one arena at the first access.
pub struct Arena {
    bytes: Vec<u8>,
    /// (key start, key end = value start, value end) in `bytes`.
    index: Vec<(usize, usize, usize)>,
}

impl Arena {
    fn copy(views: &Views<'_>) -> Arena {
        let total = views.iter().map(|(k, v)| k.len() + v.len()).sum();
        let mut arena = Arena {
            bytes: Vec::with_capacity(total),
            index: Vec::with_capacity(views.len),
        };
        for (k, v) in views.iter() {
            let start = arena.bytes.len();
            arena.bytes.extend_from_slice(k);
            arena.bytes.extend_from_slice(v);
            arena
                .index
                .push((start, start + k.len(), arena.bytes.len()));
        }
        arena
    }

    /// The first value of `key`, in the arena.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.index
            .iter()
            .find(|&&(s, m, _)| &self.bytes[s..m] == key)
            .map(|&(_, m, e)| &self.bytes[m..e])
    }
}
