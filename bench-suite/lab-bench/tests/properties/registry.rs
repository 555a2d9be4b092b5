//! Requests registered in the host's handle registry, each with its model, and the lock that keeps
//! the properties that register them apart.

use std::sync::{Mutex, MutexGuard};

use lab_sys::sys;

use crate::models::Model;

static REGISTRY: Mutex<()> = Mutex::new(());

/// Serialises the properties that register requests, so no other test's handle is live while
/// one runs. A property that failed poisons the lock; the next one goes on.
pub(crate) fn registry_lock() -> MutexGuard<'static, ()> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered request and its model; destroyed on drop unless already destroyed.
pub(crate) struct Registered {
    pub(crate) handle: sys::lab_handle,
    pub(crate) model: Model,
    pub(crate) body: Vec<u8>,
    pub(crate) live: bool,
    /// The status of the last local reply sent (0 = none).
    pub(crate) reply: u32,
}

impl Registered {
    pub(crate) fn new(headers: &[(Vec<u8>, Vec<u8>)], body: &[u8]) -> Self {
        let mut model = Model::default();
        // SAFETY: every pointer comes from a live slice with its own length; the request is owned
        // here until lab_handle_register takes it.
        let handle = unsafe {
            let req = sys::lab_request_new();
            assert!(!req.is_null());
            for (n, v) in headers {
                let st = sys::lab_header_set(req, n.as_ptr(), n.len(), v.as_ptr(), v.len());
                assert_eq!(st, sys::LAB_OK, "fixture names are valid");
                model.set(n, v);
            }
            assert_eq!(
                sys::lab_request_set_body(req, body.as_ptr(), body.len()),
                sys::LAB_OK
            );
            sys::lab_handle_register(req)
        };
        assert_ne!(handle, 0, "registry full");
        Registered {
            handle,
            model,
            body: body.to_vec(),
            live: true,
            reply: 0,
        }
    }

    pub(crate) fn destroy(&mut self) -> sys::lab_status {
        self.live = false;
        // SAFETY: destroying a handle has no preconditions; a dead one is BAD_HANDLE.
        unsafe { sys::lab_handle_destroy(self.handle) }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if self.live {
            self.destroy();
        }
    }
}
