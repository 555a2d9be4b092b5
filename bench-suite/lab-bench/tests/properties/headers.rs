//! The safe wrappers: set_header / header / header_copy / view_all / copy_all.

use std::mem::MaybeUninit;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use lab_sys::host::{LabError, Request};

use crate::config;
use crate::models::{model_valid_name, pairs, Model};
use crate::strategies::{
    bytes, bytes_untouched, capacity_around, name, sentinel_header, slots_untouched, GUARD,
};

fn check_header_copy(
    req: &Request,
    model: &Model,
    name: &[u8],
    cap: usize,
) -> Result<(), TestCaseError> {
    let mut buf = vec![MaybeUninit::new(GUARD); cap + 8];
    let got = req.header_copy(name, &mut buf[..cap]).map(|b| b.to_vec());
    let expected = match model.get(name) {
        None => Err(LabError::NotFound),
        Some(v) if v.len() > cap => Err(LabError::Capacity {
            needed: v.len(),
            capacity: cap,
        }),
        Some(v) => Ok(v.to_vec()),
    };
    let written = expected.as_ref().map_or(0, Vec::len);
    prop_assert_eq!(got, expected, "header_copy({:?}, cap {})", name, cap);
    prop_assert!(
        bytes_untouched(&buf, written),
        "header_copy wrote past the value or on an error"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary names and values through `set_header`, read back through every read path.
    #[test]
    fn headers_read_back_what_was_written(
        sets in vec((name(), bytes(40)), 0..14),
        probes in vec((name(), any::<Index>(), 0usize..64), 0..6),
        view_cap in any::<Index>(),
        copy_caps in (any::<Index>(), any::<Index>(), 0usize..4),
    ) {
        let mut req = Request::new().unwrap();
        let mut model = Model::default();
        for (n, v) in &sets {
            let got = req.set_header(n, v);
            if model_valid_name(n) {
                prop_assert_eq!(got, Ok(()), "valid name {:?}", n);
                model.set(n, v);
            } else {
                prop_assert_eq!(got, Err(LabError::InvalidName), "invalid name {:?}", n);
            }
        }
        let sizes = model.sizes();
        prop_assert_eq!(req.headers_size(), Ok(sizes));

        // header and header_copy: every stored name (capacities len - 1, len, arbitrary) and
        // arbitrary probes (the direct path does not validate reads: an invalid name is NotFound).
        for (n, v) in &model.headers {
            prop_assert_eq!(req.header(n).map(|s| s.as_bytes().to_vec()), Ok(v.clone()));
            for cap in [v.len().saturating_sub(1), v.len(), v.len() + 1] {
                check_header_copy(&req, &model, n, cap)?;
            }
        }
        for (n, pick, far) in &probes {
            let expected = model.get(n).map(<[u8]>::to_vec).ok_or(LabError::NotFound);
            prop_assert_eq!(req.header(n).map(|s| s.as_bytes().to_vec()), expected);
            let len = model.get(n).map_or(0, <[u8]>::len);
            check_header_copy(&req, &model, n, capacity_around(len, *pick, *far))?;
        }

        // view_all with an arbitrary number of slots, a guard slot after them.
        let cap = view_cap.index(sizes.count + 3);
        let mut slots = vec![MaybeUninit::new(sentinel_header()); cap + 1];
        let got = req.view_all(&mut slots[..cap]).map(pairs);
        let expected = if sizes.count > cap {
            Err(LabError::Capacity { needed: sizes.count, capacity: cap })
        } else {
            Ok(model.headers.clone())
        };
        let written = expected.as_ref().map_or(0, Vec::len);
        prop_assert_eq!(got, expected, "view_all, {} slots", cap);
        prop_assert!(slots_untouched(&slots, written), "view_all wrote past count or on an error");

        // copy_all with arbitrary buffer and slot capacities; views must point into the buffer.
        let (buf_pick, slot_pick, far) = copy_caps;
        let buf_cap = if far == 0 { 0 } else { buf_pick.index(sizes.bytes + 4) };
        let slot_cap = slot_pick.index(sizes.count + 3);
        let mut buf = vec![MaybeUninit::new(GUARD); buf_cap + 8];
        let mut slots = vec![MaybeUninit::new(sentinel_header()); slot_cap + 1];
        let base = buf.as_ptr() as usize;
        let got = req.copy_all(&mut buf[..buf_cap], &mut slots[..slot_cap]).map(|views| {
            let inside = views.iter().all(|h| {
                [h.name(), h.value()].iter().all(|s| {
                    let at = s.as_bytes().as_ptr() as usize;
                    s.is_empty() || (at >= base && at + s.len() <= base + buf_cap)
                })
            });
            (pairs(views), inside)
        });
        let expected = if sizes.count > slot_cap {
            Err(LabError::Capacity { needed: sizes.count, capacity: slot_cap })
        } else if sizes.bytes > buf_cap {
            Err(LabError::Capacity { needed: sizes.bytes, capacity: buf_cap })
        } else {
            Ok((model.headers.clone(), true))
        };
        let (bytes_written, slots_written) = if expected.is_ok() {
            (sizes.bytes, sizes.count)
        } else {
            (0, 0)
        };
        prop_assert_eq!(got, expected, "copy_all, buf {} slots {}", buf_cap, slot_cap);
        // The slots borrow buf: check them, and be done with them, first.
        prop_assert!(slots_untouched(&slots, slots_written), "copy_all wrote past count");
        drop(slots);
        prop_assert!(bytes_untouched(&buf, bytes_written), "copy_all wrote past the bytes needed");
    }
}
