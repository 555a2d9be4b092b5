// A header view borrowed inside a callback cannot be kept after the callback returns.
use lab_sys::callback::Callback;
use lab_sys::host::HostStr;
use lab_sys::sys;

fn keep(api: &sys::lab_host_api, entry: &sys::lab_entry) -> HostStr<'static> {
    let cb = Callback::new(api, entry);
    cb.header(b"user-agent").unwrap()
}

fn main() {}
