//! A small HTTP/1.1 client for the proxies the lab starts (nginx, Envoy): one request on a fresh
//! connection, and a keep-alive connection that reads each response whole, as wrk's do.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One HTTP/1.1 request on a fresh connection (`Connection: close`): the status and the response
/// head. `raw_headers` are written as they are (so a test can send repeated or invalid ones).
pub fn request(port: u16, path: &str, raw_headers: &[u8]) -> Result<(u16, String), String> {
    exchange(port, path, raw_headers).map(|(status, head, _)| (status, head))
}

/// [`request`] with the response body.
pub fn exchange(
    port: u16,
    path: &str,
    raw_headers: &[u8],
) -> Result<(u16, String, Vec<u8>), String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut req =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n").into_bytes();
    req.extend_from_slice(raw_headers);
    req.extend_from_slice(b"\r\n");
    s.write_all(&req).map_err(|e| e.to_string())?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).map_err(|e| e.to_string())?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(resp.len());
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    let body = resp.get(split + 4..).unwrap_or_default().to_vec();
    Ok((status_of(&head)?, head, body))
}

/// The status code of a response head.
pub fn status_of(head: &str) -> Result<u16, String> {
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))
}

pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    pub fn open(port: u16) -> Result<Connection, String> {
        let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        // Under valgrind a request takes milliseconds, not microseconds.
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        Ok(Connection {
            stream,
            buf: Vec::new(),
        })
    }

    /// `GET path` with `raw_headers`: the status and the body.
    pub fn get(&mut self, path: &str, raw_headers: &[u8]) -> Result<(u16, Vec<u8>), String> {
        let mut req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
        req.extend_from_slice(raw_headers);
        req.extend_from_slice(b"\r\n");
        self.stream.write_all(&req).map_err(|e| e.to_string())?;
        let head_end = loop {
            if let Some(at) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            self.fill()?;
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        let status = status_of(&head)?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .ok_or_else(|| format!("{path}: no Content-Length in {head:?}"))?;
        while self.buf.len() < head_end + length {
            self.fill()?;
        }
        let body = self.buf[head_end..head_end + length].to_vec();
        self.buf.drain(..head_end + length);
        Ok((status, body))
    }

    fn fill(&mut self) -> Result<(), String> {
        let mut chunk = [0u8; 16384];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err("the proxy closed the connection".into()),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Connection {
    /// `n` requests of `path`, each answered 200.
    pub fn requests(&mut self, path: &str, headers: &[u8], n: u64) -> Result<(), String> {
        for _ in 0..n {
            let (status, _) = self.get(path, headers)?;
            if status != 200 {
                return Err(format!("{path}: status {status}"));
            }
        }
        Ok(())
    }
}
