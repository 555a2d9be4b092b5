//! The host API table with arbitrary handles.

use std::ptr;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use lab_sys::host::EntrySizes;
use lab_sys::sys;

use crate::config;
use crate::models::model_valid_name;
use crate::registry::{registry_lock, Registered};
use crate::strategies::{
    bytes, fixture_headers, name, view_sentinel, GUARD, LEN_SENTINEL, SENTINEL_NAME,
};

fn api() -> &'static sys::lab_host_api {
    // SAFETY: lab_host_api_get returns a pointer to the host's static table.
    unsafe { &*sys::lab_host_api_get() }
}

/// How a property picks a handle to call with, resolved against the live requests at run time.
#[derive(Debug, Clone)]
enum Pick {
    Any(u64),
    Zero,
    /// One of the registered handles, as is.
    Real(Index),
    /// A registered handle's slot with another generation.
    OtherGeneration(Index, u32),
    /// A registered handle's generation in a nearby slot.
    OtherSlot(Index, i32),
    /// Slot and generation in the registry's range.
    InRange(u32, u32),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        2 => any::<u64>().prop_map(Pick::Any),
        1 => Just(Pick::Zero),
        3 => any::<Index>().prop_map(Pick::Real),
        2 => (any::<Index>(), 1u32..6).prop_map(|(i, d)| Pick::OtherGeneration(i, d)),
        2 => (any::<Index>(), -3i32..=3).prop_map(|(i, d)| Pick::OtherSlot(i, d)),
        1 => (0u32..4100, 0u32..8).prop_map(|(s, g)| Pick::InRange(s, g)),
    ]
}

fn resolve(p: &Pick, regs: &[Registered]) -> u64 {
    let real = |i: &Index| regs[i.index(regs.len())].handle;
    match p {
        Pick::Any(h) => *h,
        Pick::Zero => 0,
        Pick::Real(i) => real(i),
        Pick::OtherGeneration(i, d) => real(i).wrapping_add(u64::from(*d) << 32),
        Pick::OtherSlot(i, d) => {
            let h = real(i);
            (h & !0xFFFF_FFFF) | u64::from((h as u32).wrapping_add_signed(*d))
        }
        Pick::InRange(slot, gen) => (u64::from(*gen) << 32) | u64::from(*slot),
    }
}

/// Calls every entry of the table with `h` and checks each answer against `target`'s model
/// (`None`: the handle is not live, every call is LAB_ERR_BAD_HANDLE and writes nothing).
fn check_table(
    h: sys::lab_handle,
    target: Option<&mut Registered>,
    probe: &[u8],
    cap: usize,
    null_len: usize,
) -> Result<(), TestCaseError> {
    let api = api();
    let bad = sys::LAB_ERR_BAD_HANDLE;
    let mut view = view_sentinel();
    let (mut n, mut bytes) = (LEN_SENTINEL, LEN_SENTINEL);
    let mut buf = [GUARD; 64];
    let mut views = [sys::lab_header {
        name: view_sentinel(),
        value: view_sentinel(),
    }; 8];
    let views_untouched =
        |v: &[sys::lab_header]| v.iter().all(|v| v.name.ptr == SENTINEL_NAME.as_ptr());
    // SAFETY (all table calls below): the table's functions have lab.h's signatures; every
    // pointer is valid for the length or capacity passed with it (buf 64 bytes, views 8 slots,
    // `cap` at most those), or NULL with a length (refused before any dereference); a live
    // handle's views are read only while its request lives and is not written.
    unsafe {
        let Some(reg) = target else {
            let statuses = [
                (api.headers_size.unwrap())(h, &mut n, &mut bytes),
                (api.header_get.unwrap())(h, probe.as_ptr(), probe.len(), &mut view),
                (api.header_copy.unwrap())(
                    h,
                    probe.as_ptr(),
                    probe.len(),
                    buf.as_mut_ptr(),
                    64,
                    &mut n,
                ),
                (api.headers_view_all.unwrap())(h, views.as_mut_ptr(), 8, &mut n),
                (api.headers_copy_all.unwrap())(
                    h,
                    buf.as_mut_ptr(),
                    64,
                    views.as_mut_ptr(),
                    8,
                    &mut n,
                    &mut bytes,
                ),
                (api.header_set.unwrap())(h, b"x-set".as_ptr(), 5, b"v".as_ptr(), 1),
                (api.body_get.unwrap())(h, &mut view),
                (api.send_local_reply.unwrap())(h, 500, b"no".as_ptr(), 2),
                // A bad handle wins over a NULL pointer: the handle is checked first.
                (api.header_get.unwrap())(h, ptr::null(), null_len, &mut view),
                sys::lab_handle_destroy(h),
            ];
            prop_assert!(
                statuses.iter().all(|&s| s == bad),
                "handle {:#x}: {:?}",
                h,
                statuses
            );
            prop_assert_eq!(sys::lab_handle_local_reply(h), 0);
            prop_assert!(sys::lab_handle_resolve(h).is_null());
            prop_assert_eq!(
                (view.ptr, n, bytes),
                (view_sentinel().ptr, LEN_SENTINEL, LEN_SENTINEL)
            );
            prop_assert!(buf.iter().all(|&b| b == GUARD));
            prop_assert!(views_untouched(&views));
            return Ok(());
        };

        prop_assert!(!sys::lab_handle_resolve(h).is_null());
        let sizes = reg.model.sizes();
        prop_assert_eq!(
            (api.headers_size.unwrap())(h, &mut n, &mut bytes),
            sys::LAB_OK
        );
        prop_assert_eq!(EntrySizes { count: n, bytes }, sizes);

        // Reads through the table validate the name (unlike the direct path).
        let expected_get = if !model_valid_name(probe) {
            Err(sys::LAB_ERR_INVALID_NAME)
        } else {
            reg.model.get(probe).ok_or(sys::LAB_ERR_NOT_FOUND)
        };
        let st = (api.header_get.unwrap())(h, probe.as_ptr(), probe.len(), &mut view);
        match expected_get {
            Ok(v) => {
                prop_assert_eq!(st, sys::LAB_OK);
                let got = if view.len == 0 {
                    &[][..]
                } else {
                    std::slice::from_raw_parts(view.ptr, view.len)
                };
                prop_assert_eq!(got, v);
            }
            Err(e) => prop_assert_eq!((st, view.ptr), (e, view_sentinel().ptr)),
        }
        let cap = cap.min(buf.len());
        n = LEN_SENTINEL;
        let st = (api.header_copy.unwrap())(
            h,
            probe.as_ptr(),
            probe.len(),
            buf.as_mut_ptr(),
            cap,
            &mut n,
        );
        match expected_get {
            Ok(v) if v.len() > cap => {
                prop_assert_eq!((st, n), (sys::LAB_ERR_CAPACITY, v.len()));
                prop_assert!(buf.iter().all(|&b| b == GUARD));
            }
            Ok(v) => {
                prop_assert_eq!((st, n), (sys::LAB_OK, v.len()));
                prop_assert_eq!(&buf[..v.len()], v);
                prop_assert!(buf[v.len()..].iter().all(|&b| b == GUARD));
                buf = [GUARD; 64];
            }
            Err(e) => prop_assert_eq!((st, n), (e, LEN_SENTINEL)),
        }

        // view_all and copy_all with the capacity picked for the copy (slots: at most 8).
        let slots = cap.min(8);
        let st = (api.headers_view_all.unwrap())(h, views.as_mut_ptr(), slots, &mut n);
        prop_assert_eq!(n, sizes.count);
        if sizes.count > slots {
            prop_assert_eq!(st, sys::LAB_ERR_CAPACITY);
            prop_assert!(views_untouched(&views));
        } else {
            prop_assert_eq!(st, sys::LAB_OK);
            prop_assert!(views_untouched(&views[sizes.count..]));
            views = [sys::lab_header {
                name: view_sentinel(),
                value: view_sentinel(),
            }; 8];
        }
        let st = (api.headers_copy_all.unwrap())(
            h,
            buf.as_mut_ptr(),
            cap,
            views.as_mut_ptr(),
            slots,
            &mut n,
            &mut bytes,
        );
        prop_assert_eq!(EntrySizes { count: n, bytes }, sizes);
        if sizes.count > slots || sizes.bytes > cap {
            prop_assert_eq!(st, sys::LAB_ERR_CAPACITY);
            prop_assert!(buf.iter().all(|&b| b == GUARD));
            prop_assert!(views_untouched(&views));
        } else {
            prop_assert_eq!(st, sys::LAB_OK);
            prop_assert!(buf[sizes.bytes..].iter().all(|&b| b == GUARD));
            prop_assert!(views_untouched(&views[sizes.count..]));
        }

        prop_assert_eq!((api.body_get.unwrap())(h, &mut view), sys::LAB_OK);
        let body = if view.len == 0 {
            &[][..]
        } else {
            std::slice::from_raw_parts(view.ptr, view.len)
        };
        prop_assert_eq!(body, &reg.body[..]);

        // NULL with a length through the table, on a live handle.
        let null_statuses = [
            (api.header_get.unwrap())(h, ptr::null(), null_len, &mut view),
            (api.header_copy.unwrap())(h, b"a".as_ptr(), 1, ptr::null_mut(), null_len, &mut n),
            (api.headers_view_all.unwrap())(h, ptr::null_mut(), null_len, &mut n),
            (api.header_set.unwrap())(h, ptr::null(), null_len, b"v".as_ptr(), 1),
            (api.header_set.unwrap())(h, b"a".as_ptr(), 1, ptr::null(), null_len),
            (api.send_local_reply.unwrap())(h, 500, ptr::null(), null_len),
            (api.headers_size.unwrap())(h, ptr::null_mut(), &mut bytes),
        ];
        prop_assert!(
            null_statuses.iter().all(|&s| s == sys::LAB_ERR_NULL),
            "{:?}",
            null_statuses
        );
        prop_assert_eq!(
            sys::lab_handle_local_reply(h),
            reg.reply,
            "a refused reply changes nothing"
        );

        // Writes: a set follows the model (or is refused for an invalid name); a local reply sticks.
        let st = (api.header_set.unwrap())(h, probe.as_ptr(), probe.len(), b"set".as_ptr(), 3);
        if model_valid_name(probe) {
            prop_assert_eq!(st, sys::LAB_OK);
            reg.model.set(probe, b"set");
        } else {
            prop_assert_eq!(st, sys::LAB_ERR_INVALID_NAME);
        }
        prop_assert_eq!(
            (api.headers_size.unwrap())(h, &mut n, &mut bytes),
            sys::LAB_OK
        );
        prop_assert_eq!(EntrySizes { count: n, bytes }, reg.model.sizes());
        prop_assert_eq!(
            (api.send_local_reply.unwrap())(h, 403, b"no".as_ptr(), 2),
            sys::LAB_OK
        );
        reg.reply = 403;
        prop_assert_eq!(sys::lab_handle_local_reply(h), reg.reply);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary u64 handles against a few registered requests: a live handle behaves as its
    /// model says, every other one (including destroyed ones) is LAB_ERR_BAD_HANDLE.
    #[test]
    fn table_calls_with_arbitrary_handles(
        fixtures in vec((fixture_headers(), bytes(16)), 1..4),
        calls in vec((pick(), any::<bool>(), name(), any::<Index>()), 1..8),
        null_len in 1..=usize::MAX,
    ) {
        let _lock = registry_lock();
        let mut regs: Vec<Registered> =
            fixtures.iter().map(|(h, b)| Registered::new(h, b)).collect();
        for (p, destroy_first, probe, cap) in &calls {
            let h = resolve(p, &regs);
            let target = regs.iter().position(|r| r.live && r.handle == h);
            if *destroy_first {
                if let Some(i) = target {
                    prop_assert_eq!(regs[i].destroy(), sys::LAB_OK);
                }
            }
            let target = target.filter(|&i| regs[i].live).map(|i| &mut regs[i]);
            check_table(h, target, probe, cap.index(65), null_len)?;
        }
        for r in &mut regs {
            let h = r.handle;
            if r.live {
                prop_assert_eq!(r.destroy(), sys::LAB_OK);
            }
            // Destroyed: every call is refused, and a second destroy too.
            check_table(h, None, b"a", 0, null_len)?;
        }
    }
}
