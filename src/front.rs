//! The connection side of `plenary serve`: accepts connections up to a bound, reads each
//! request's head within size limits and a timeout, and passes well-formed requests to
//! tiny_http over a private local socket, relaying the answers back.
//!
//! Why a front: tiny_http starts a thread for every connection and reads request heads of any
//! length, so a few hundred idle or endless connections hold a thread each. Here a connection
//! beyond the bound is answered 503 at once, a head past the limits 414 or 431, and a client
//! that stays silent is let go after the read timeout.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The longest request line: a URL of 8 KiB is more than any page or search needs.
pub const MAX_REQUEST_LINE: usize = 8 << 10;
/// The longest request head, request line and headers together.
pub const MAX_HEAD: usize = 16 << 10;
/// The most header lines one request may have.
pub const MAX_HEADERS: usize = 100;

/// How the front treats connections.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; more are answered 503 and closed.
    pub connections: usize,
    /// How long a connection may stay silent, or not read what it is sent.
    pub timeout: Duration,
}

/// Accepts connections on `listener` and relays their requests to the tiny_http server
/// listening at `backend`, until `stop` says so (asked a few times a second: the listener
/// must have a receive timeout).
pub fn run(listener: &TcpListener, backend: &Path, limits: &Limits, stop: impl Fn() -> bool) {
    let open = Arc::new(AtomicUsize::new(0));
    while !stop() {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(e) if is_timeout(&e) => continue,
            Err(e) => {
                // Out of file descriptors, say: wait for connections to close.
                eprintln!("serve: cannot accept a connection: {e}");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if open.load(Ordering::Acquire) >= limits.connections {
            refuse(client);
            continue;
        }
        open.fetch_add(1, Ordering::AcqRel);
        let (still_open, backend, timeout) = (open.clone(), backend.to_path_buf(), limits.timeout);
        let spawned = std::thread::Builder::new()
            .name("plenary-connection".into())
            .spawn(move || {
                serve_connection(client, &backend, timeout);
                still_open.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            open.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// More connections than the bound: a short answer, then the connection is closed.
fn refuse(mut client: TcpStream) {
    let _ = client.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = client.write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 31\r\nConnection: close\r\n\r\ntoo many connections; try again",
    );
    let _ = client.shutdown(Shutdown::Both);
}

/// Relays the requests of one connection, one at a time, until it closes, asks to close,
/// sends something that is not a request, or stays silent too long.
fn serve_connection(client: TcpStream, backend: &Path, timeout: Duration) {
    let _ = client.set_nodelay(true);
    let _ = client.set_read_timeout(Some(timeout));
    let _ = client.set_write_timeout(Some(timeout));
    let Ok(writer) = client.try_clone() else {
        return;
    };
    let mut writer = writer;
    let mut reader = BufReader::new(client);
    loop {
        let head = match read_head(&mut reader) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(Refusal { status, reason }) => {
                let _ = writer.write_all(refusal(status, reason).as_bytes());
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        };
        if relay(&head, backend, &mut writer).is_err() || !head.keep_alive {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// A request head as read, checked, and written again for tiny_http.
#[derive(Debug, PartialEq)]
pub struct Head {
    /// The head to send on: the client's, with `Connection: close` (one request per
    /// backend connection).
    pub forwarded: Vec<u8>,
    /// Whether the client wants the connection kept for another request.
    pub keep_alive: bool,
}

/// Why a head is not passed on: the status to answer, and why in words.
#[derive(Debug, PartialEq)]
pub struct Refusal {
    pub status: u16,
    pub reason: &'static str,
}

fn refusal(status: u16, reason: &str) -> String {
    let title = match status {
        400 => "Bad Request",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
    let allow = if status == 405 {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    format!(
        "HTTP/1.1 {status} {title}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n{allow}Connection: close\r\n\r\n{reason}",
        reason.len()
    )
}

/// Reads one request head. `Ok(None)`: the client closed or stayed silent between requests.
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

/// Checks the request line and headers and writes the head tiny_http gets.
fn parse(lines: &[Vec<u8>]) -> Result<Head, Refusal> {
    let request_line =
        std::str::from_utf8(&lines[0]).map_err(|_| bad("the request line is not text"))?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("a request line is: METHOD /path HTTP/1.1"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || target.is_empty() {
        return Err(bad("a request line is: METHOD /path HTTP/1.1"));
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ if !version.starts_with("HTTP/") => {
            return Err(bad("a request line is: METHOD /path HTTP/1.1"))
        }
        _ => {
            return Err(Refusal {
                status: 505,
                reason: "only HTTP/1.0 and HTTP/1.1 are spoken here",
            })
        }
    };
    let mut keep_alive = http11;
    let mut forwarded = Vec::with_capacity(lines.iter().map(|l| l.len() + 2).sum::<usize>() + 20);
    forwarded.extend_from_slice(&lines[0]);
    forwarded.extend_from_slice(b"\r\n");
    for line in &lines[1..] {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(bad("a header line has no colon"));
        };
        let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
        if name.is_empty() || name.contains(' ') || name.contains('\t') {
            return Err(bad("a header name is empty or has spaces"));
        }
        let value = String::from_utf8_lossy(&line[colon + 1..])
            .trim()
            .to_ascii_lowercase();
        match name.as_str() {
            "connection" => {
                if value.split(',').any(|v| v.trim() == "close") {
                    keep_alive = false;
                } else if value.split(',').any(|v| v.trim() == "keep-alive") {
                    keep_alive = true;
                }
                continue;
            }
            "keep-alive" | "proxy-connection" => continue,
            // Only GET and HEAD are answered, and neither has a body.
            "transfer-encoding" => return Err(no_body(method)),
            "content-length" if value != "0" => return Err(no_body(method)),
            _ => {}
        }
        forwarded.extend_from_slice(line);
        forwarded.extend_from_slice(b"\r\n");
    }
    forwarded.extend_from_slice(b"Connection: close\r\n\r\n");
    Ok(Head {
        forwarded,
        keep_alive,
    })
}

fn no_body(method: &str) -> Refusal {
    match method {
        "GET" | "HEAD" => bad("a GET or HEAD request has no body"),
        _ => Refusal {
            status: 405,
            reason: "only GET and HEAD are answered here",
        },
    }
}

/// Sends one request to tiny_http and the whole answer to the client.
fn relay(head: &Head, backend: &Path, client: &mut TcpStream) -> std::io::Result<()> {
    let mut server = UnixStream::connect(backend)?;
    server.write_all(&head.forwarded)?;
    std::io::copy(&mut server, client)?;
    client.flush()
}

/// A folder only this user can enter, for the socket between the front and tiny_http.
pub fn private_socket_path() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt as _;
    static MADE: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "plenary-{}-{}",
        std::process::id(),
        MADE.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir.join("http.sock"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Option<Head>, Refusal> {
        read_head(&mut text.as_bytes())
    }

    #[test]
    fn heads_are_checked_and_passed_on_with_connection_close() {
        let got =
            head("GET /fr/ HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n")
                .unwrap()
                .unwrap();
        assert_eq!(
            String::from_utf8(got.forwarded).unwrap(),
            "GET /fr/ HTTP/1.1\r\nHost: x\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        );
        assert!(got.keep_alive);
        let cases = [
            ("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            ("\r\nGET / HTTP/1.1\n\n", true),
        ];
        for (text, keep_alive) in cases {
            assert_eq!(
                head(text).unwrap().unwrap().keep_alive,
                keep_alive,
                "{text:?}"
            );
        }
        assert_eq!(head(""), Ok(None));
    }

    #[test]
    fn heads_past_the_limits_or_malformed_are_refused() {
        let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_REQUEST_LINE));
        let long_header = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "b".repeat(MAX_HEAD));
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "X: y\r\n".repeat(MAX_HEADERS + 1)
        );
        let cases = [
            (long_line.as_str(), 414),
            (long_header.as_str(), 431),
            (many.as_str(), 431),
            ("GET / HTTP/1.1\r\nHost: x\r\n", 400),
            ("GET /\r\n\r\n", 400),
            ("get / HTTP/1.1\r\n\r\n", 400),
            ("NOT A REQUEST\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\n\r\n", 505),
            ("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 405),
            ("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ];
        for (text, status) in cases {
            let got = head(text).map(|_| 200).unwrap_or_else(|r| r.status);
            assert_eq!(got, status, "{:?}", &text[..text.len().min(60)]);
        }
    }
}
