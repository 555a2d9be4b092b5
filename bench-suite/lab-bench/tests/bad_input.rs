//! Bad input at the boundary: every case gets a clear error, never undefined behaviour. The raw
//! (ptr, len) cases call the C host directly, as a careless extension would; the Rust wrappers
//! cannot even express them, and return a `Result` for everything else.

use std::mem::MaybeUninit;
use std::ptr;

use lab_bench::r2c::{s02_pass_string as s02, s03_unknown_length as s03, s05_pass_batch as s05};
use lab_sys::host::{self, check, HostHeader, LabError, Request};
use lab_sys::sys;

#[test]
fn interior_nul_is_a_clear_error_for_cstring() {
    let err = s02::cstring(&s02::Payload::new(b"abc\0def".to_vec())).unwrap_err();
    assert_eq!(err, LabError::InteriorNul { position: 3 });
    assert!(err.to_string().contains("interior NUL byte at 3"), "{err}");
    // The prechecked copy refuses them too, from where the payload's one check found the NUL.
    let err = s02::cstring_prechecked(&s02::Payload::new(b"abc\0def".to_vec())).unwrap_err();
    assert_eq!(err, LabError::InteriorNul { position: 3 });
    // ptr_len carries the same bytes without complaint: a length needs no terminator.
    assert!(s02::ptr_len(&s02::Payload::new(b"abc\0def".to_vec())).is_ok());
}

#[test]
fn interior_nul_in_a_batch_fails_the_batch_and_leaks_nothing() {
    let batch =
        || s05::Batch::from_items(vec![b"ok".to_vec(), b"also ok".to_vec(), b"bad\0".to_vec()]);
    let (res, usage) = lab_sys::alloc::usage_of(|| s05::cstring_each(&batch()));
    assert_eq!(res.unwrap_err(), LabError::InteriorNul { position: 3 });
    assert_eq!(
        usage.rust_allocs, usage.rust_frees,
        "the CStrings made before the bad item are freed"
    );
    assert!(s05::pinned_batch(&batch()).is_ok());
    assert!(s05::packed(&batch()).is_ok());
}

#[test]
fn invalid_utf8_is_an_error_for_clone_utf8_only() {
    let mut fx = s03::HeaderFixture::new(8);
    fx.req.set_header(s03::NAME, b"ab\xffcd").unwrap();
    let err = s03::clone_utf8(&fx).unwrap_err();
    assert_eq!(err, LabError::InvalidUtf8 { valid_up_to: 2 });
    assert!(err.to_string().contains("not UTF-8"));
    assert!(
        s03::clone_on_return(&fx).is_ok(),
        "bytes need no validation"
    );
    assert!(s03::borrow(&fx).is_ok());
}

#[test]
fn null_pointer_with_length_is_refused_by_the_host() {
    let mut sum = 0u64;
    // SAFETY (of each call below): the host checks (NULL, len > 0) before any dereference; this is
    // the behaviour under test.
    unsafe {
        assert_eq!(
            check(sys::lab_consume_str(ptr::null(), 5, &mut sum)),
            Err(LabError::Null)
        );
        assert_eq!(
            check(sys::lab_consume_cstr(ptr::null(), &mut sum)),
            Err(LabError::Null)
        );
        assert_eq!(
            check(sys::lab_consume_str_array(ptr::null(), 2, &mut sum)),
            Err(LabError::Null)
        );
        assert_eq!(
            check(sys::lab_consume_cstr_array(ptr::null(), 1, &mut sum)),
            Err(LabError::Null)
        );
        let items = [sys::lab_str {
            ptr: ptr::null(),
            len: 3,
        }];
        assert_eq!(
            check(sys::lab_consume_str_array(items.as_ptr(), 1, &mut sum)),
            Err(LabError::Null)
        );
        let cstrs = [c"ok".as_ptr(), ptr::null()];
        assert_eq!(
            check(sys::lab_consume_cstr_array(cstrs.as_ptr(), 2, &mut sum)),
            Err(LabError::Null)
        );
        assert_eq!(
            check(sys::lab_consume_packed(
                ptr::null(),
                4,
                [0u32, 4].as_ptr(),
                1,
                &mut sum
            )),
            Err(LabError::Null)
        );
        // (NULL, 0) is the empty string, not an error.
        assert_eq!(
            check(sys::lab_consume_str(ptr::null(), 0, &mut sum)),
            Ok(())
        );
        assert_eq!(sum, 0);

        let req = sys::lab_request_new_realistic(4, 1);
        let mut view = sys::lab_str::default();
        assert_eq!(
            check(sys::lab_header_get(req, ptr::null(), 3, &mut view)),
            Err(LabError::Null)
        );
        assert_eq!(
            check(sys::lab_header_get(
                ptr::null(),
                b"a".as_ptr(),
                1,
                &mut view
            )),
            Err(LabError::Null)
        );
        let mut len = 0;
        assert_eq!(
            check(sys::lab_header_copy(
                req,
                b":path".as_ptr(),
                5,
                ptr::null_mut(),
                10,
                &mut len
            )),
            Err(LabError::Null)
        );
        let mut count = 0;
        assert_eq!(
            check(sys::lab_headers_view_all(
                req,
                ptr::null_mut(),
                4,
                &mut count
            )),
            Err(LabError::Null)
        );
        assert_eq!(
            check(sys::lab_header_set(req, b"x".as_ptr(), 1, ptr::null(), 2)),
            Err(LabError::Null)
        );
        sys::lab_request_free(req);
    }
}

#[test]
fn packed_offsets_past_the_buffer_are_range_errors() {
    let buf = b"hello world";
    assert_eq!(
        host::consume_packed(buf, &[0, 5, 11]),
        Ok(host::touch(b"hello").wrapping_add(host::touch(b" world")))
    );
    assert_eq!(
        host::consume_packed(buf, &[0, 12]),
        Err(LabError::Range),
        "end past the buffer"
    );
    assert_eq!(
        host::consume_packed(buf, &[6, 5]),
        Err(LabError::Range),
        "decreasing offsets"
    );
    assert_eq!(
        host::consume_packed(buf, &[]),
        Err(LabError::Range),
        "no offsets at all"
    );
    assert_eq!(host::consume_packed(buf, &[0]), Ok(0), "zero items");
}

#[test]
fn more_headers_than_capacity_is_reported_not_overflowed() {
    let req = Request::realistic(20, 7).unwrap();
    let mut slots = [MaybeUninit::<HostHeader<'_>>::uninit(); 8];
    assert_eq!(
        req.view_all(&mut slots).unwrap_err(),
        LabError::Capacity {
            needed: 20,
            capacity: 8
        }
    );

    let entry = req.headers_size().unwrap();
    let mut small_buf = vec![MaybeUninit::<u8>::uninit(); entry.bytes - 1];
    let mut enough = vec![MaybeUninit::<HostHeader<'_>>::uninit(); 20];
    assert_eq!(
        req.copy_all(&mut small_buf, &mut enough).unwrap_err(),
        LabError::Capacity {
            needed: entry.bytes,
            capacity: entry.bytes - 1
        }
    );
    let mut buf = vec![MaybeUninit::<u8>::uninit(); entry.bytes];
    assert_eq!(
        req.copy_all(&mut buf, &mut slots).unwrap_err(),
        LabError::Capacity {
            needed: 20,
            capacity: 8
        }
    );

    let value_len = req.header(b"cookie").unwrap().len();
    let mut tiny = [MaybeUninit::<u8>::uninit(); 4];
    let err = req.header_copy(b"cookie", &mut tiny).unwrap_err();
    assert_eq!(
        err,
        LabError::Capacity {
            needed: value_len,
            capacity: 4
        }
    );
    assert!(err.to_string().contains("too small"));
}

#[test]
fn a_capacity_error_writes_nothing() {
    let req = Request::realistic(20, 7).unwrap();
    let sentinel = sys::lab_header {
        name: sys::lab_str {
            ptr: ptr::null(),
            len: 0xdead,
        },
        value: sys::lab_str::default(),
    };
    let mut views = [sentinel; 9];
    let mut count = 0;
    // SAFETY: views has room for the 8 slots offered; the 9th is a guard the host must not touch.
    let status =
        unsafe { sys::lab_headers_view_all(req_raw(&req), views.as_mut_ptr(), 8, &mut count) };
    assert_eq!(
        check(status),
        Err(LabError::Capacity {
            needed: 0,
            capacity: 0
        })
    );
    assert_eq!(count, 20);
    assert!(
        views.iter().all(|v| v.name.len == 0xdead),
        "nothing written on a capacity error"
    );
}

/// The raw handle of a request, for calling the host directly (the wrappers never expose it).
fn req_raw(req: &Request) -> *const sys::lab_request {
    req.as_raw()
}

#[test]
fn header_names_must_be_tokens() {
    let mut req = Request::new().unwrap();
    for bad in [
        &b""[..],
        b"Upper",
        b"sp ace",
        b"colon:",
        b"nul\0",
        b":",
        b"caf\xc3\xa9",
    ] {
        assert_eq!(
            req.set_header(bad, b"v"),
            Err(LabError::InvalidName),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    req.set_header(b":path", b"/").unwrap();
    req.set_header(b"x-ok_1.2~", b"v").unwrap();
    assert_eq!(req.headers_size().unwrap().count, 2);
    assert_eq!(req.header(b"missing").unwrap_err(), LabError::NotFound);
}

#[test]
fn set_replaces_and_views_follow_the_request() {
    let mut req = Request::new().unwrap();
    req.set_header(b"a", b"one").unwrap();
    req.set_header(b"a", b"three").unwrap();
    assert_eq!(req.header(b"a").unwrap().as_bytes(), b"three");
    assert_eq!(
        req.headers_size().unwrap(),
        host::EntrySizes { count: 1, bytes: 6 }
    );
}

#[test]
fn host_frees_every_request_it_makes() {
    let before = host::host_stats();
    for n in [0, 1, 20, 128] {
        drop(Request::realistic(n, n as u64).unwrap());
    }
    let after = host::host_stats();
    assert_eq!(after.allocs - before.allocs, after.frees - before.frees);
    assert!(after.allocs > before.allocs);
}

/// S09: a handle that never was, or no longer is, gets `BadHandle` from every call; destroying
/// twice is refused the second time.
#[test]
fn dead_handles_are_refused() {
    use lab_sys::host::Handle;
    let mut buf = [MaybeUninit::uninit(); 64];
    for h in [0, 1, u64::MAX, (2u64 << 32) | 1, (1u64 << 32) | 5000] {
        assert_eq!(Handle(h).headers_size(), Err(LabError::BadHandle), "{h:#x}");
        assert_eq!(
            Handle(h).header_copy(b"accept", &mut buf),
            Err(LabError::BadHandle)
        );
        assert_eq!(Handle(h).destroy(), Err(LabError::BadHandle));
    }
    let h = Handle::register(Request::realistic(4, 1).unwrap()).unwrap();
    assert!(h.headers_size().is_ok());
    h.destroy().unwrap();
    assert_eq!(h.headers_size(), Err(LabError::BadHandle));
    assert_eq!(h.destroy(), Err(LabError::BadHandle));
}

/// S09: once the host destroyed them, both checked strategies refuse the request.
#[test]
fn destroyed_requests_are_refused_by_both_checks() {
    use lab_bench::r2c::s09_request_lifetime as s09;
    let mut input = s09::Input::new().unwrap();
    assert!(s09::weak_upgrade(&input).is_ok() && s09::generation_handle(&input).is_ok());
    input.destroy().unwrap();
    assert_eq!(s09::weak_upgrade(&input), Err(LabError::BadHandle));
    assert_eq!(s09::generation_handle(&input), Err(LabError::BadHandle));
}

/// S08: a NULL worker or task is refused; a task that panics is caught on the worker (it cannot
/// unwind into the host's C loop), counted, and the worker goes on; a panic in a synchronous task
/// reaches the poster.
#[test]
fn worker_refuses_null_and_survives_panicking_tasks() {
    use lab_sys::worker::{task_panics, Worker};
    // SAFETY: NULL worker and NULL task are the inputs under test; the host checks both first.
    let st = unsafe { sys::lab_worker_post(ptr::null_mut(), None, ptr::null_mut()) };
    assert_eq!(st, sys::LAB_ERR_NULL);
    let worker = Worker::start(4).unwrap();
    // SAFETY: a live worker and a NULL task: refused before anything is queued.
    let st = unsafe { sys::lab_worker_post(worker_raw(&worker), None, ptr::null_mut()) };
    assert_eq!(st, sys::LAB_ERR_NULL);
    let before = task_panics();
    worker.post(|| panic!("a task panics")).unwrap();
    assert_eq!(worker.run_sync(|| 7), 7, "the worker runs on after a panic");
    assert!(task_panics() > before);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        worker.run_sync(|| -> u32 { panic!("a sync task panics") })
    }));
    assert!(r.is_err(), "the poster sees the sync task's panic");
    assert_eq!(worker.run_sync(|| 8), 8);
}

/// The raw worker behind a [`lab_sys::worker::Worker`], for the NULL-task case (the safe API has no
/// way to post without a task).
fn worker_raw(w: &lab_sys::worker::Worker) -> *mut sys::lab_worker {
    w.as_raw()
}

/// S13: a buffer smaller than the stream's chunks is a capacity error naming both sizes; nothing
/// is written and the stream does not advance, so a big enough buffer then gets the first chunk.
#[test]
fn stream_receive_into_a_small_buffer_is_a_capacity_error() {
    use lab_sys::host::{BodyBuf, Stream};
    let mut stream = Stream::new(64, 2, 5).unwrap();
    let mut small = BodyBuf::with_capacity(63).unwrap();
    let before = host::host_stats();
    let err = stream.receive(&mut small).unwrap_err();
    assert_eq!(
        err,
        LabError::Capacity {
            needed: 64,
            capacity: 63
        }
    );
    assert!(small.is_empty(), "nothing received");
    assert_eq!(host::host_stats().bytes_copied, before.bytes_copied);
    let mut empty = BodyBuf::with_capacity(0).unwrap();
    assert!(matches!(
        stream.receive(&mut empty),
        Err(LabError::Capacity { needed: 64, .. })
    ));

    let mut big = BodyBuf::with_capacity(100).unwrap();
    assert_eq!(stream.receive(&mut big), Ok(64));
    let mut again = Stream::new(64, 2, 5).unwrap();
    let mut first = BodyBuf::with_capacity(64).unwrap();
    again.receive(&mut first).unwrap();
    assert_eq!(
        big.as_bytes(),
        first.as_bytes(),
        "the failed receive did not advance"
    );
}

#[test]
fn streams_of_no_bytes_are_refused() {
    use lab_sys::host::Stream;
    assert_eq!(Stream::new(0, 4, 1).err(), Some(LabError::Range));
    assert_eq!(Stream::new(4, 0, 1).err(), Some(LabError::Range));
    assert_eq!(Stream::new(usize::MAX, 2, 1).err(), Some(LabError::Range));
    // SAFETY: lab_stream_new checks its sizes before allocating; NULL is the answer under test.
    unsafe {
        assert!(sys::lab_stream_new(0, 1, 1).is_null());
        assert!(sys::lab_stream_new(1, 0, 1).is_null());
        assert!(sys::lab_stream_new(usize::MAX, 2, 1).is_null());
    }
}

/// S13 at the raw ABI: NULL streams, NULL buffers and NULL memory behind a capacity are
/// LAB_ERR_NULL, an inconsistent descriptor LAB_ERR_RANGE, a short one LAB_ERR_CAPACITY; none
/// writes anything. Freeing NULL or an empty buffer is a no-op.
#[test]
fn null_body_buffers_and_streams_are_refused_by_the_host() {
    // SAFETY (of each call below): the host checks every pointer and size before any dereference;
    // the buffers handed in are the host's own or hold NULL, which is the behaviour under test.
    unsafe {
        assert_eq!(
            check(sys::lab_body_buf_alloc(16, ptr::null_mut())),
            Err(LabError::Null)
        );
        let s = sys::lab_stream_new(8, 1, 3);
        assert!(!s.is_null());
        let mut buf = sys::lab_body_buf::default();
        assert_eq!(check(sys::lab_body_buf_alloc(16, &mut buf)), Ok(()));
        assert_eq!((buf.len, buf.cap), (0, 16));

        assert_eq!(
            check(sys::lab_stream_receive(ptr::null_mut(), &mut buf)),
            Err(LabError::Null)
        );
        assert_eq!(
            check(sys::lab_stream_receive(s, ptr::null_mut())),
            Err(LabError::Null)
        );
        let mut dangling = sys::lab_body_buf {
            ptr: ptr::null_mut(),
            len: 0,
            cap: 8,
        };
        assert_eq!(
            check(sys::lab_stream_receive(s, &mut dangling)),
            Err(LabError::Null)
        );
        assert_eq!(dangling.len, 0, "nothing written");
        let mut inconsistent = sys::lab_body_buf { len: 17, ..buf };
        assert_eq!(
            check(sys::lab_stream_receive(s, &mut inconsistent)),
            Err(LabError::Range)
        );
        assert_eq!(inconsistent.len, 17, "nothing written");
        let mut short = sys::lab_body_buf { cap: 7, ..buf };
        assert_eq!(
            check(sys::lab_stream_receive(s, &mut short)),
            Err(LabError::Capacity {
                needed: 0,
                capacity: 0
            })
        );
        assert_eq!(short.len, 0, "nothing written");

        assert_eq!(check(sys::lab_stream_receive(s, &mut buf)), Ok(()));
        assert_eq!(buf.len, 8);

        sys::lab_body_buf_free(&mut buf);
        assert!(buf.ptr.is_null() && buf.len == 0 && buf.cap == 0);
        sys::lab_body_buf_free(&mut buf);
        sys::lab_body_buf_free(ptr::null_mut());
        sys::lab_stream_free(s);
        sys::lab_stream_free(ptr::null_mut());
    }
}
