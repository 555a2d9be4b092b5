//! S15 `s15_real_proxy`: the lab's two filters (S14's `basic_auth` and `header_get_set`) as an
//! nginx dynamic module, so the boundary is priced inside a real proxy under load.
//!
//! One directive selects the filter and the access strategy, so one binary serves every case:
//!
//! ```nginx
//! load_module /path/to/libffi_lab_nginx.so;
//! location /auth { ffi_lab basic_auth borrow; empty_gif; }
//! ```
//!
//! Filters: `basic_auth` (read `Authorization`, decode base64, compare `lab:secret`, 401 on
//! failure), `header_get_set` (read `:path`, `user-agent`, `x-request-id`, `accept`; set
//! `x-lab-seen`, `x-lab-route`, `x-lab-response`), `panic` (panics on purpose: the request gets a
//! 500 and the worker keeps serving).
//!
//! Strategies (how the filter reaches nginx's headers):
//! - `borrow`: views of nginx's own `ngx_str_t`s, zero copy; set values point at static bytes.
//! - `copy_per_header`: every header read is an owned copy (`Vec<u8>`), every value set is copied
//!   into the request pool, as a host that copies across the boundary on each call.
//! - `bulk_copy`: at first access every request header is copied into one arena (Envoy's Go
//!   filter's approach); reads are then lookups in the arena; set values are copied as above.
//!
//! The handler runs in nginx's access phase (as `auth_basic` does), under `catch_unwind`.

use std::ffi::{c_char, c_void};
use std::hint::black_box;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use ngx::core::{NGX_CONF_ERROR, NGX_CONF_OK};
use ngx::ffi::{
    ngx_array_push, ngx_command_t, ngx_conf_t, ngx_http_add_variable, ngx_http_handler_pt,
    ngx_http_module_t, ngx_http_phases_NGX_HTTP_ACCESS_PHASE, ngx_http_request_t,
    ngx_http_variable_value_t, ngx_int_t, ngx_list_part_t, ngx_list_push, ngx_list_t, ngx_module_t,
    ngx_pnalloc, ngx_str_t, ngx_table_elt_t, ngx_uint_t, NGX_CONF_TAKE2, NGX_DECLINED,
    NGX_HTTP_INTERNAL_SERVER_ERROR, NGX_HTTP_LOC_CONF, NGX_HTTP_LOC_CONF_OFFSET, NGX_HTTP_MODULE,
    NGX_HTTP_UNAUTHORIZED, NGX_HTTP_VAR_NOCACHEABLE, NGX_OK,
};
use ngx::http::{
    HttpModule, HttpModuleLocationConf, HttpModuleMainConf, Merge, MergeConfigError,
    NgxHttpCoreModule,
};

mod counting;
mod strategy;

use counting::note_copy;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

use lab_filters::basic_auth::plain_ok;
use lab_filters::header_get_set::READ;
pub use lab_filters::Filter;
pub use strategy::Strategy;

/// The location configuration: which filter runs (None: no `ffi_lab` directive in this location
/// or its parents, the handler declines), over which strategy.
#[derive(Debug, Default, Clone, Copy)]
pub struct LocConf {
    filter: Option<Filter>,
    strategy: Strategy,
}

impl Merge for LocConf {
    fn merge(&mut self, prev: &Self) -> Result<(), MergeConfigError> {
        if self.filter.is_none() {
            *self = *prev;
        }
        Ok(())
    }
}

struct Module;

impl HttpModule for Module {
    fn module() -> &'static ngx_module_t {
        // SAFETY: nginx writes the module's indices once, at configuration time, before any
        // request; afterwards the static is only read.
        unsafe { &*ptr::addr_of!(ngx_http_ffi_lab_module) }
    }

    unsafe extern "C" fn preconfiguration(cf: *mut ngx_conf_t) -> ngx_int_t {
        let variables = VARIABLES
            .iter()
            .enumerate()
            .map(|(i, name)| (*name, get_counter as VariableGet, i))
            .chain([(CALLGRIND_VARIABLE, get_callgrind as VariableGet, 0)]);
        for (name, get, data) in variables {
            let mut name = ngx_str(name);
            // SAFETY: nginx calls preconfiguration with a valid configuration; add_variable
            // copies the name and returns the variable or NULL.
            let v = unsafe {
                ngx_http_add_variable(cf, &mut name, NGX_HTTP_VAR_NOCACHEABLE as ngx_uint_t)
            };
            if v.is_null() {
                return ngx::ffi::NGX_ERROR as ngx_int_t;
            }
            // SAFETY: v is the variable nginx just added, alive as long as the configuration.
            unsafe {
                (*v).get_handler = Some(get);
                (*v).data = data;
            }
        }
        NGX_OK as ngx_int_t
    }

    unsafe extern "C" fn postconfiguration(cf: *mut ngx_conf_t) -> ngx_int_t {
        // SAFETY: nginx calls postconfiguration with a valid configuration whose http main
        // configuration is the core module's.
        let Some(cmcf) = (unsafe { NgxHttpCoreModule::main_conf_mut(&*cf) }) else {
            return ngx::ffi::NGX_ERROR as ngx_int_t;
        };
        let phase = &mut cmcf.phases[ngx_http_phases_NGX_HTTP_ACCESS_PHASE as usize].handlers;
        // SAFETY: the access phase's handlers array holds ngx_http_handler_pt elements;
        // ngx_array_push returns room for one or NULL.
        let slot = unsafe { ngx_array_push(phase) } as *mut ngx_http_handler_pt;
        if slot.is_null() {
            return ngx::ffi::NGX_ERROR as ngx_int_t;
        }
        // SAFETY: slot points at a fresh, properly aligned element of the array.
        unsafe { *slot = Some(access_handler) };
        NGX_OK as ngx_int_t
    }
}

// SAFETY: LocationConf is the type create_loc_conf allocates for this module (the trait's default).
unsafe impl HttpModuleLocationConf for Module {
    type LocationConf = LocConf;
}

static NGX_HTTP_FFI_LAB_MODULE_CTX: ngx_http_module_t = ngx_http_module_t {
    preconfiguration: Some(Module::preconfiguration),
    postconfiguration: Some(Module::postconfiguration),
    create_main_conf: None,
    init_main_conf: None,
    create_srv_conf: None,
    merge_srv_conf: None,
    create_loc_conf: Some(Module::create_loc_conf),
    merge_loc_conf: Some(Module::merge_loc_conf),
};

const fn ngx_str(s: &'static [u8]) -> ngx_str_t {
    ngx_str_t {
        len: s.len(),
        data: s.as_ptr() as *mut u8,
    }
}

// nginx reads the command table and writes nothing into it; it is `static mut` because the
// module struct holds a `*mut` to it (nginx's C type).
static mut NGX_HTTP_FFI_LAB_COMMANDS: [ngx_command_t; 2] = [
    ngx_command_t {
        name: ngx_str(b"ffi_lab"),
        type_: (NGX_HTTP_LOC_CONF | NGX_CONF_TAKE2) as ngx_uint_t,
        set: Some(set_ffi_lab),
        conf: NGX_HTTP_LOC_CONF_OFFSET,
        offset: 0,
        post: ptr::null_mut(),
    },
    ngx_command_t::empty(),
];

ngx::ngx_modules!(ngx_http_ffi_lab_module);

/// The module nginx's `load_module` finds (named in `ngx_modules`).
#[used]
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static mut ngx_http_ffi_lab_module: ngx_module_t = ngx_module_t {
    ctx: ptr::addr_of!(NGX_HTTP_FFI_LAB_MODULE_CTX) as *mut c_void,
    commands: ptr::addr_of_mut!(NGX_HTTP_FFI_LAB_COMMANDS) as *mut ngx_command_t,
    type_: NGX_HTTP_MODULE as ngx_uint_t,
    ..ngx_module_t::default()
};

/// The counters' variables, in the order `get_counter`'s `data` indexes them.
const VARIABLES: [&[u8]; 2] = [b"ffi_lab_allocs", b"ffi_lab_copied"];

/// A variable's get handler, as nginx calls it.
type VariableGet = unsafe extern "C" fn(
    *mut ngx_http_request_t,
    *mut ngx_http_variable_value_t,
    usize,
) -> ngx_int_t;

extern "C" {
    fn lab_cg_start();
    fn lab_cg_stop_dump(name: *const c_char);
}

/// `$ffi_lab_callgrind`: S15's callgrind pass (bench-suite/lab-bench/src/engines/nginx/count.rs, `count_pass`)
/// requests a location that returns it, with the query `zero` to zero the worker's counts and
/// `dump=NAME` (percent-encoded) to dump them as NAME (lab_cg.c's markers, which do nothing outside valgrind). The
/// value says which was done: `zero`, `dump`, or `none` for any other query.
const CALLGRIND_VARIABLE: &[u8] = b"ffi_lab_callgrind";

extern "C" fn get_callgrind(
    r: *mut ngx_http_request_t,
    v: *mut ngx_http_variable_value_t,
    _data: usize,
) -> ngx_int_t {
    // SAFETY: nginx calls a variable's get handler with a live request, whose args are a
    // (possibly empty) slice of its header buffer.
    let args = unsafe { (*r).args.as_bytes() };
    let done: &[u8] = if args == b"zero" {
        // SAFETY: a client request; no preconditions.
        unsafe { lab_cg_start() };
        b"zero"
    } else if let Some(name) = args.strip_prefix(b"dump=") {
        // The name percent-decoded (a dump's name holds `#`), at most 255 bytes, NUL-terminated
        // here (the args are not).
        let mut z = [0u8; 256];
        let mut n = 0;
        let mut i = 0;
        while i < name.len() && n < z.len() - 1 {
            let hex = |b: u8| (b as char).to_digit(16);
            z[n] = match (
                name[i],
                name.get(i + 1).copied().and_then(hex),
                name.get(i + 2).copied().and_then(hex),
            ) {
                (b'%', Some(hi), Some(lo)) => {
                    i += 2;
                    (hi * 16 + lo) as u8
                }
                (b, _, _) => b,
            };
            n += 1;
            i += 1;
        }
        // SAFETY: z is NUL-terminated and outlives the call.
        unsafe { lab_cg_stop_dump(z.as_ptr().cast()) };
        b"dump"
    } else {
        b"none"
    };
    set_value(r, v, done)
}

/// `$ffi_lab_allocs` / `$ffi_lab_copied`: the running total, as decimal text in the request pool.
extern "C" fn get_counter(
    r: *mut ngx_http_request_t,
    v: *mut ngx_http_variable_value_t,
    data: usize,
) -> ngx_int_t {
    let n = match data {
        0 => counting::ALLOCS.load(std::sync::atomic::Ordering::Relaxed),
        _ => counting::COPIED.load(std::sync::atomic::Ordering::Relaxed),
    };
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    set_value(r, v, &digits[at..])
}

/// Sets a variable's value to a copy of `text` in the request's pool.
fn set_value(
    r: *mut ngx_http_request_t,
    v: *mut ngx_http_variable_value_t,
    text: &[u8],
) -> ngx_int_t {
    // SAFETY: called from get handlers, with the live request and the value slot nginx gave
    // them; ngx_pnalloc returns text.len() bytes from the request's pool or NULL.
    unsafe {
        let data = ngx_pnalloc((*r).pool, text.len()) as *mut u8;
        if data.is_null() {
            return ngx::ffi::NGX_ERROR as ngx_int_t;
        }
        ptr::copy_nonoverlapping(text.as_ptr(), data, text.len());
        let v = &mut *v;
        v.data = data;
        v.set_len(text.len() as u32);
        v.set_valid(1);
        v.set_no_cacheable(1);
        v.set_not_found(0);
    }
    NGX_OK as ngx_int_t
}

/// `ffi_lab FILTER STRATEGY;`
extern "C" fn set_ffi_lab(
    cf: *mut ngx_conf_t,
    _cmd: *mut ngx_command_t,
    conf: *mut c_void,
) -> *mut c_char {
    // SAFETY: nginx passes this command's arguments (the name and two values, NGX_CONF_TAKE2)
    // as an array of ngx_str_t, and conf is this module's LocConf for the location.
    let (args, conf) = unsafe {
        let args = (*(*cf).args).as_slice::<ngx_str_t>();
        (args, &mut *(conf as *mut LocConf))
    };
    let (Some(filter), Some(strategy)) = (
        args.get(1).and_then(|a| Filter::parse(a.as_bytes())),
        args.get(2).and_then(|a| Strategy::parse(a.as_bytes())),
    ) else {
        return NGX_CONF_ERROR;
    };
    conf.filter = Some(filter);
    conf.strategy = strategy;
    NGX_CONF_OK
}

/// The access-phase handler: runs the location's filter, a panic becomes a 500 for this request.
extern "C" fn access_handler(r: *mut ngx_http_request_t) -> ngx_int_t {
    let conf = {
        // SAFETY: nginx calls phase handlers with a live request; the location configuration
        // was allocated by create_loc_conf for this module. The borrow ends with this block, so
        // it never overlaps the `&mut` below.
        let request = unsafe { ngx::http::Request::from_ngx_http_request(r) };
        Module::location_conf(&*request).copied()
    };
    let Some(conf) = conf else {
        return NGX_DECLINED as ngx_int_t;
    };
    // SAFETY: as above; the only reference to the request from here on.
    let req = unsafe { &mut *r };
    if conf.filter.is_none() || !ptr::eq(req.main, r) {
        return NGX_DECLINED as ngx_int_t;
    }
    // AssertUnwindSafe: after a panic the request is finalised with a 500 and never read again
    // by this module, so no half-updated state is observed.
    match catch_unwind(AssertUnwindSafe(|| run(req, conf))) {
        Ok(Ok(rc)) => rc,
        Ok(Err(())) | Err(_) => NGX_HTTP_INTERNAL_SERVER_ERROR as ngx_int_t,
    }
}

fn run(r: &mut ngx_http_request_t, conf: LocConf) -> Result<ngx_int_t, ()> {
    match conf.filter {
        None => Ok(NGX_DECLINED as ngx_int_t),
        Some(Filter::BasicAuth) => {
            let ok = match conf.strategy {
                Strategy::Borrow => plain_ok(find(&r.headers_in.headers, b"authorization")),
                Strategy::CopyPerHeader => {
                    let v: Option<Vec<u8>> =
                        find(&r.headers_in.headers, b"authorization").map(owned);
                    plain_ok(v.as_deref())
                }
                Strategy::BulkCopy => {
                    let all = Bulk::copy(r);
                    plain_ok(all.get(b"authorization"))
                }
            };
            if ok {
                Ok(NGX_OK as ngx_int_t)
            } else {
                // As auth_basic does: the challenge header, then 401.
                set_header(
                    r,
                    conf.strategy,
                    b"WWW-Authenticate",
                    b"www-authenticate",
                    b"Basic realm=\"lab\"",
                )?;
                Ok(NGX_HTTP_UNAUTHORIZED as ngx_int_t)
            }
        }
        Some(Filter::HeaderGetSet) => {
            let sum = match conf.strategy {
                Strategy::Borrow => {
                    let mut sum = digest(r.uri.as_bytes());
                    for name in READ {
                        sum = sum.wrapping_add(find(&r.headers_in.headers, name).map_or(0, digest));
                    }
                    sum
                }
                Strategy::CopyPerHeader => {
                    let path = owned(r.uri.as_bytes());
                    let mut sum = digest(&path);
                    for name in READ {
                        let v: Option<Vec<u8>> = find(&r.headers_in.headers, name).map(owned);
                        sum = sum.wrapping_add(v.as_deref().map_or(0, digest));
                    }
                    sum
                }
                Strategy::BulkCopy => {
                    let all = Bulk::copy(r);
                    let mut sum = all.get(b":path").map_or(0, digest);
                    for name in READ {
                        sum = sum.wrapping_add(all.get(name).map_or(0, digest));
                    }
                    sum
                }
            };
            black_box(sum);
            set_header(r, conf.strategy, b"X-Lab-Seen", b"x-lab-seen", b"1")?;
            set_header(
                r,
                conf.strategy,
                b"X-Lab-Route",
                b"x-lab-route",
                b"cluster-a",
            )?;
            set_header(
                r,
                conf.strategy,
                b"X-Lab-Response",
                b"x-lab-response",
                b"rust",
            )?;
            Ok(NGX_DECLINED as ngx_int_t)
        }
        Some(Filter::Panic) => panic!("ffi_lab panic filter: panicked on purpose (S15 bad input)"),
    }
}

/// `copy_per_header`: an owned copy of one header's bytes.
fn owned(bytes: &[u8]) -> Vec<u8> {
    note_copy(bytes.len());
    bytes.to_vec()
}

/// FNV-1a over the bytes: a checksum that makes every read byte count.
fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// Every element of an `ngx_list_t` of `ngx_table_elt_t` (nginx's header lists).
fn elements(list: &ngx_list_t) -> impl Iterator<Item = &ngx_table_elt_t> {
    let mut part: *const ngx_list_part_t = &list.part;
    std::iter::from_fn(move || {
        if part.is_null() {
            return None;
        }
        // SAFETY: part is the list's first part or a `next` of a valid part; each holds nelts
        // initialised ngx_table_elt_t at elts.
        let p = unsafe { &*part };
        part = p.next;
        let elts: &[ngx_table_elt_t] = if p.nelts == 0 {
            &[]
        } else {
            // SAFETY: as above.
            unsafe { std::slice::from_raw_parts(p.elts as *const ngx_table_elt_t, p.nelts) }
        };
        Some(elts)
    })
    .flatten()
}

/// `borrow`: the first header named `lower` (already lower case), as a view of nginx's bytes.
fn find<'r>(headers: &'r ngx_list_t, lower: &[u8]) -> Option<&'r [u8]> {
    elements(headers)
        .find(|h| h.key.len == lower.len() && lowcase_key(h) == lower)
        .map(|h| h.value.as_bytes())
}

fn lowcase_key(h: &ngx_table_elt_t) -> &[u8] {
    if h.lowcase_key.is_null() {
        return &[];
    }
    // SAFETY: nginx's parser fills lowcase_key with key.len lower-cased bytes for request headers.
    unsafe { std::slice::from_raw_parts(h.lowcase_key, h.key.len) }
}

/// `bulk_copy`: every request header (and `:path`) copied at first access into one arena.
struct Bulk {
    arena: Vec<u8>,
    /// (name start, name end, value end) in `arena`; the value starts at the name's end.
    index: Vec<(u32, u32, u32)>,
}

impl Bulk {
    fn copy(r: &ngx_http_request_t) -> Bulk {
        let headers = &r.headers_in.headers;
        let (mut n, mut bytes) = (1usize, 5 + r.uri.len);
        for h in elements(headers) {
            n += 1;
            bytes += h.key.len + h.value.len;
        }
        let mut bulk = Bulk {
            arena: Vec::with_capacity(bytes),
            index: Vec::with_capacity(n),
        };
        bulk.push(b":path", r.uri.as_bytes());
        for h in elements(headers) {
            bulk.push(lowcase_key(h), h.value.as_bytes());
        }
        note_copy(bulk.arena.len());
        bulk
    }

    fn push(&mut self, name: &[u8], value: &[u8]) {
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(name);
        let mid = self.arena.len() as u32;
        self.arena.extend_from_slice(value);
        self.index.push((start, mid, self.arena.len() as u32));
    }

    fn get(&self, lower: &[u8]) -> Option<&[u8]> {
        self.index
            .iter()
            .find(|&&(s, m, _)| &self.arena[s as usize..m as usize] == lower)
            .map(|&(_, m, e)| &self.arena[m as usize..e as usize])
    }
}

/// Adds a response header. `borrow` points nginx at static bytes; the copying strategies copy
/// the value into the request pool, as a host copies what crosses into it.
fn set_header(
    r: &mut ngx_http_request_t,
    strategy: Strategy,
    key: &'static [u8],
    lower: &'static [u8],
    value: &'static [u8],
) -> Result<(), ()> {
    let value = match strategy {
        Strategy::Borrow => ngx_str(value),
        Strategy::CopyPerHeader | Strategy::BulkCopy => {
            // SAFETY: r.pool is the request's pool; ngx_pnalloc returns value.len() bytes or NULL.
            let data = unsafe { ngx_pnalloc(r.pool, value.len()) } as *mut u8;
            if data.is_null() {
                return Err(());
            }
            // SAFETY: data has room for value.len() bytes and does not overlap the static value.
            unsafe { ptr::copy_nonoverlapping(value.as_ptr(), data, value.len()) };
            note_copy(value.len());
            ngx_str_t {
                len: value.len(),
                data,
            }
        }
    };
    // SAFETY: headers_out.headers is the request's initialised list of ngx_table_elt_t;
    // ngx_list_push returns room for one element or NULL.
    let h = unsafe { ngx_list_push(&mut r.headers_out.headers) } as *mut ngx_table_elt_t;
    if h.is_null() {
        return Err(());
    }
    // SAFETY: h is a fresh element; zeroing it first clears every field this nginx version has
    // (e.g. `next` where it exists), then the ones nginx reads are set. nginx never writes
    // through key, value or lowcase_key of a response header.
    unsafe {
        ptr::write_bytes(h, 0, 1);
        (*h).hash = 1;
        (*h).key = ngx_str(key);
        (*h).value = value;
        (*h).lowcase_key = lower.as_ptr() as *mut u8;
    }
    Ok(())
}
