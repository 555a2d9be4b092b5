// A header view cannot be sent to another thread (a goroutine, in the documents' terms): it
// borrows memory the host's worker thread owns.
use lab_sys::host::Request;

fn main() {
    let req = Request::realistic(4, 1).unwrap();
    let view = req.header(b":path").unwrap();
    std::thread::scope(|s| {
        s.spawn(move || view.len());
    });
}
