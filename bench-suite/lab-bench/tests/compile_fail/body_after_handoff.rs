// A body buffer handed to the extension is the extension's: the host cannot receive into it (nor
// read it) until the extension gives a buffer back. Envoy's Go filter checks this with a state
// machine at run time; here the hand-off is a move and the compiler checks it.
use lab_sys::host::{BodyBuf, Stream};
use lab_bench::r2c::s13_ownership::HandoffExtension;

fn main() {
    let mut stream = Stream::new(16, 2, 7).unwrap();
    let mut ext = HandoffExtension::new(BodyBuf::with_capacity(16).unwrap());
    let mut buf = BodyBuf::with_capacity(16).unwrap();
    stream.receive(&mut buf).unwrap();
    let _returned = ext.hand_off(buf);
    stream.receive(&mut buf).unwrap();
}
