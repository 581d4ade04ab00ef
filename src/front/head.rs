//! Reading one request head from a client: within size limits and a deadline for the whole
//! head, checked, and written again with only what the answering side reads.

use std::io::{BufRead, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The longest request line: a URL of 8 KiB is more than any page or search needs.
pub const MAX_REQUEST_LINE: usize = 8 << 10;
/// The longest request head, request line and headers together.
pub const MAX_HEAD: usize = 16 << 10;
/// The most header lines one request may have.
pub const MAX_HEADERS: usize = 100;

/// The headers the answering side reads; the others are not passed on. tiny_http takes only
/// ASCII, and what it is not shown cannot trouble it.
const PASSED_ON: [&str; 4] = ["host", "origin", "accept-encoding", "if-none-match"];

/// A request head as read, checked, and written again for tiny_http.
#[derive(Debug, PartialEq)]
pub struct Head {
    /// The head to send on: the request line (its target percent-encoded where it was not
    /// ASCII), the headers the server reads, and `Connection: close` (one request per
    /// backend connection).
    pub forwarded: Vec<u8>,
    /// Whether the client wants the connection kept for another request.
    pub keep_alive: bool,
    /// A HEAD request: the answer has no body.
    pub head_only: bool,
}

/// Why a head is not passed on: the status to answer, and why in words.
#[derive(Debug, PartialEq)]
pub struct Refusal {
    pub status: u16,
    pub reason: &'static str,
}

/// Reads from a client until a deadline: each read waits only for the time left, so a
/// client sending a byte now and then cannot stretch one request head for ever (a timeout
/// per read, which each byte would reset, could not stop it).
pub struct Deadline {
    stream: TcpStream,
    until: Instant,
}

impl Deadline {
    pub fn new(stream: TcpStream) -> Deadline {
        Deadline {
            stream,
            until: Instant::now(),
        }
    }

    /// Gives the next reads `time` from now.
    pub fn restart(&mut self, time: Duration) {
        self.until = Instant::now() + time;
    }
}

impl Read for Deadline {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// Reads one request head. `Ok(None)`: the client closed, or stayed silent, before sending
/// anything of a request.
pub fn read_head(reader: &mut impl BufRead) -> Result<Option<Head>, Refusal> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut size = 0;
    loop {
        let room = if lines.is_empty() {
            MAX_REQUEST_LINE
        } else {
            MAX_HEAD - size
        };
        let mut line = Vec::new();
        let read = reader
            .by_ref()
            .take(room as u64 + 1)
            .read_until(b'\n', &mut line);
        match read {
            Ok(0) | Err(_) if lines.is_empty() && line.is_empty() => return Ok(None),
            Err(e) if is_timeout(&e) => {
                return Err(Refusal {
                    status: 408,
                    reason: "the request's head took too long to arrive",
                })
            }
            Ok(0) | Err(_) => return Err(bad("the request ended before its head did")),
            Ok(_) => {}
        }
        if line.len() > room || !line.ends_with(b"\n") {
            return Err(if lines.is_empty() {
                Refusal {
                    status: 414,
                    reason: "the request line is longer than 8 KiB",
                }
            } else {
                too_large()
            });
        }
        let text = trim_line_end(&line);
        if text.is_empty() {
            if lines.is_empty() {
                // Clients may send an empty line before a request: skip it.
                continue;
            }
            return parse(&lines).map(Some);
        }
        size += line.len();
        lines.push(text.to_vec());
        if lines.len() > MAX_HEADERS + 1 {
            return Err(too_large());
        }
    }
}

pub fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn too_large() -> Refusal {
    Refusal {
        status: 431,
        reason: "the request's headers are longer than 16 KiB or more than 100",
    }
}

fn bad(reason: &'static str) -> Refusal {
    Refusal {
        status: 400,
        reason,
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

const REQUEST_LINE: &str = "a request line is: METHOD /path HTTP/1.1";

/// Checks the request line and headers and writes the head tiny_http gets.
fn parse(lines: &[Vec<u8>]) -> Result<Head, Refusal> {
    let mut parts = lines[0].split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(REQUEST_LINE));
    };
    if method.is_empty() || !method.iter().all(u8::is_ascii_uppercase) || target.is_empty() {
        return Err(bad(REQUEST_LINE));
    }
    let http11 = match version {
        b"HTTP/1.1" => true,
        b"HTTP/1.0" => false,
        _ if !version.starts_with(b"HTTP/") => return Err(bad(REQUEST_LINE)),
        _ => {
            return Err(Refusal {
                status: 505,
                reason: "only HTTP/1.0 and HTTP/1.1 are spoken here",
            })
        }
    };
    if target.iter().any(|b| b.is_ascii_control()) {
        return Err(bad("the request's target has control characters"));
    }
    let mut keep_alive = http11;
    let mut forwarded = Vec::with_capacity(lines.iter().map(|l| l.len() + 2).sum::<usize>() + 20);
    forwarded.extend_from_slice(method);
    forwarded.push(b' ');
    forwarded.extend_from_slice(&ascii_target(target));
    forwarded.push(b' ');
    forwarded.extend_from_slice(version);
    forwarded.extend_from_slice(b"\r\n");
    for line in &lines[1..] {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(bad("a header line has no colon"));
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
            return Err(bad("a header name is empty or has spaces"));
        }
        let Ok(value) = std::str::from_utf8(value) else {
            return Err(bad("a header's value is not text (UTF-8)"));
        };
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let value = value.trim();
        match name.as_str() {
            "connection" => {
                let tokens = value.to_ascii_lowercase();
                if tokens.split(',').any(|v| v.trim() == "close") {
                    keep_alive = false;
                } else if tokens.split(',').any(|v| v.trim() == "keep-alive") {
                    keep_alive = true;
                }
            }
            // Only GET and HEAD are answered, and neither has a body.
            "transfer-encoding" => return Err(no_body(method)),
            "content-length" if value != "0" => return Err(no_body(method)),
            name if PASSED_ON.contains(&name) => {
                if !value
                    .bytes()
                    .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
                {
                    return Err(bad("a header the server reads (Host, Origin, Accept-Encoding, If-None-Match) is not ASCII text"));
                }
                forwarded.extend_from_slice(name.as_bytes());
                forwarded.extend_from_slice(b": ");
                forwarded.extend_from_slice(value.as_bytes());
                forwarded.extend_from_slice(b"\r\n");
            }
            _ => {}
        }
    }
    forwarded.extend_from_slice(b"Connection: close\r\n\r\n");
    Ok(Head {
        forwarded,
        keep_alive,
        head_only: method == b"HEAD",
    })
}

/// The target with every byte beyond ASCII percent-encoded: what a browser sends for a path
/// typed in any script, and all tiny_http can read.
fn ascii_target(target: &[u8]) -> Vec<u8> {
    let mut ascii = Vec::with_capacity(target.len());
    for &b in target {
        if b.is_ascii() {
            ascii.push(b);
        } else {
            ascii.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    ascii
}

fn no_body(method: &[u8]) -> Refusal {
    match method {
        b"GET" | b"HEAD" => bad("a GET or HEAD request has no body"),
        _ => Refusal {
            status: 405,
            reason: "only GET and HEAD are answered here",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &[u8]) -> Result<Option<Head>, Refusal> {
        read_head(&mut &text[..])
    }

    #[test]
    fn heads_are_checked_and_passed_on_with_what_the_server_reads() {
        let got = head(b"GET /fr/ HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nAccept: */*\r\nIf-None-Match: \"1\"\r\nCookie: a=b\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            String::from_utf8(got.forwarded).unwrap(),
            "GET /fr/ HTTP/1.1\r\nhost: x\r\nif-none-match: \"1\"\r\nConnection: close\r\n\r\n"
        );
        assert!(got.keep_alive);
        assert!(!got.head_only);
        let cases: [(&[u8], bool); 4] = [
            (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false),
            (b"GET / HTTP/1.0\r\n\r\n", false),
            (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            (b"\r\nGET / HTTP/1.1\n\n", true),
        ];
        for (text, keep_alive) in cases {
            assert_eq!(
                head(text).unwrap().unwrap().keep_alive,
                keep_alive,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        assert!(head(b"HEAD / HTTP/1.1\r\n\r\n").unwrap().unwrap().head_only);
        assert_eq!(head(b""), Ok(None));
    }

    #[test]
    fn targets_beyond_ascii_are_percent_encoded() {
        let got = head("GET /fr/recherche/?q=données HTTP/1.1\r\n\r\n".as_bytes())
            .unwrap()
            .unwrap();
        assert!(got
            .forwarded
            .starts_with(b"GET /fr/recherche/?q=donn%C3%A9es HTTP/1.1\r\n"));
        let raw = head(b"GET /\xff HTTP/1.1\r\n\r\n").unwrap().unwrap();
        assert!(raw.forwarded.starts_with(b"GET /%FF HTTP/1.1\r\n"));
    }

    #[test]
    fn heads_past_the_limits_or_malformed_are_refused() {
        let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_REQUEST_LINE));
        let long_header = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "b".repeat(MAX_HEAD));
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "X: y\r\n".repeat(MAX_HEADERS + 1)
        );
        let cases: [(&[u8], u16); 15] = [
            (long_line.as_bytes(), 414),
            (long_header.as_bytes(), 431),
            (many.as_bytes(), 431),
            (b"GET / HTTP/1.1\r\nHost: x\r\n", 400),
            (b"GET /\r\n\r\n", 400),
            (b"get / HTTP/1.1\r\n\r\n", 400),
            (b"NOT A REQUEST\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\n\r\n", 505),
            (b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
            (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 405),
            (b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nX-Name: caf\xe9\r\n\r\n", 400),
            (
                "GET / HTTP/1.1\r\nHost: café.example\r\n\r\n".as_bytes(),
                400,
            ),
            (b"GET /\x01 HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nBad\x01Name: x\r\n\r\n", 400),
        ];
        for (text, status) in cases {
            let got = head(text).map(|_| 200).unwrap_or_else(|r| r.status);
            assert_eq!(
                got,
                status,
                "{:?}",
                String::from_utf8_lossy(&text[..text.len().min(60)])
            );
        }
    }
}
