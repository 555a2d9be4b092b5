// No view of a request survives a write to it: the setter takes `&mut`, the view holds `&`.
use lab_sys::host::Request;

fn main() {
    let mut req = Request::realistic(4, 1).unwrap();
    let path = req.header(b":path").unwrap();
    req.set_header(b"x-lab-seen", b"1").unwrap();
    println!("{:?}", path);
}
