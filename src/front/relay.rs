//! Relaying one answer from the answering side to the client. A small answer is taken whole
//! at once, so the worker that wrote it is free whatever the client's pace; a file (or a body
//! kept in memory) is handed over instead, and the client's own connection streams it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::head::Head;

/// The header of an answer whose body was handed over: its value is the body's ticket. The
/// front takes it out before the answer reaches the client.
pub const HANDED_BODY: &str = "X-Plenary-Body";
/// An answer longer than this (none is, but for files, which are handed over) is relayed as
/// it comes rather than taken whole.
const MAX_TAKEN: u64 = 4 << 20;
/// The longest answer head tiny_http writes for us.
const MAX_ANSWER_HEAD: u64 = 64 << 10;
/// How long the front waits for tiny_http to take a request or send a piece of its answer.
const BACKEND_PATIENCE: Duration = Duration::from_secs(60);
/// A body handed over and not collected by then is let go: its connection failed.
const UNCOLLECTED: Duration = Duration::from_secs(60);

/// A body the answering side hands over rather than writing it through tiny_http.
pub enum Handed {
    /// An open file, sent from disk at the client's pace.
    File(std::fs::File),
    /// A body kept in memory (a compressed file), shared, not copied.
    Shared(Arc<Vec<u8>>),
}

/// Bodies handed over, by ticket, until their connection collects them.
#[derive(Default)]
pub struct Handoffs {
    bodies: Mutex<HashMap<u64, (Instant, Handed)>>,
    next: AtomicU64,
}

impl Handoffs {
    /// Keeps `body` for the front; the ticket goes in the answer's `X-Plenary-Body` header.
    pub fn hand_over(&self, body: Handed) -> u64 {
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        let mut bodies = self.lock();
        bodies.retain(|_, (since, _)| since.elapsed() < UNCOLLECTED);
        bodies.insert(ticket, (Instant::now(), body));
        ticket
    }

    fn collect(&self, ticket: u64) -> Option<Handed> {
        self.lock().remove(&ticket).map(|(_, body)| body)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (Instant, Handed)>> {
        self.bodies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Sends one request to tiny_http and its answer to the client.
pub fn relay(
    head: &Head,
    backend: &Path,
    handoffs: &Handoffs,
    client: &mut TcpStream,
) -> std::io::Result<()> {
    let mut server = UnixStream::connect(backend)?;
    // Workers answer in milliseconds; a connection waiting longer than this lets go rather
    // than wait for ever on a server that no longer answers. (The live channel is pinged far
    // more often.)
    server.set_read_timeout(Some(BACKEND_PATIENCE))?;
    server.set_write_timeout(Some(BACKEND_PATIENCE))?;
    server.write_all(&head.forwarded)?;
    let mut server = BufReader::new(server);
    let answer = read_answer_head(&mut server)?;
    let ticket = header(&answer, HANDED_BODY).and_then(|t| t.parse().ok());
    if let Some(ticket) = ticket {
        drop(server);
        let Some(body) = handoffs.collect(ticket) else {
            return Err(std::io::Error::other("a handed-over body was not found"));
        };
        return send_handed(&answer, body, head.head_only, client);
    }
    let streaming =
        header(&answer, "Content-Type").is_some_and(|t| t.starts_with("text/event-stream"));
    if streaming {
        client.write_all(&answer)?;
        client.flush()?;
        std::io::copy(&mut server, client)?;
        return client.flush();
    }
    // Taken whole before the client is written to: tiny_http's worker is then free.
    let mut body = Vec::new();
    (&mut server).take(MAX_TAKEN).read_to_end(&mut body)?;
    client.write_all(&answer)?;
    client.write_all(&body)?;
    std::io::copy(&mut server, client)?;
    client.flush()
}

/// The answer's status line and headers, up to the empty line.
fn read_answer_head(server: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut limited = server.take(MAX_ANSWER_HEAD);
    loop {
        let before = head.len();
        if limited.read_until(b'\n', &mut head)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if matches!(&head[before..], b"\r\n" | b"\n") {
            return Ok(head);
        }
    }
}

/// The value of header `name` in an answer head.
fn header<'a>(head: &'a [u8], name: &str) -> Option<&'a str> {
    std::str::from_utf8(head)
        .ok()?
        .lines()
        .skip(1)
        .find_map(|line| {
            let (field, value) = line.split_once(':')?;
            field
                .trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim())
        })
}

/// The answer head with the handed-over body's real length, then the body unless the
/// request was HEAD.
fn send_handed(
    answer: &[u8],
    body: Handed,
    head_only: bool,
    client: &mut TcpStream,
) -> std::io::Result<()> {
    let length = match &body {
        Handed::File(file) => file.metadata()?.len(),
        Handed::Shared(bytes) => bytes.len() as u64,
    };
    client.write_all(&with_length(answer, length))?;
    if !head_only {
        match body {
            // std copies a file to a socket with sendfile(2): no buffer of ours at all.
            Handed::File(file) => {
                std::io::copy(&mut file.take(length), client)?;
            }
            Handed::Shared(bytes) => client.write_all(&bytes)?,
        }
    }
    client.flush()
}

/// `answer` without the ticket and tiny_http's length of the empty body it sent, with
/// `Content-Length: length` instead.
fn with_length(answer: &[u8], length: u64) -> Vec<u8> {
    let text = String::from_utf8_lossy(answer);
    let mut out = String::with_capacity(text.len() + 24);
    for line in text.split_inclusive('\n') {
        let name = line.split(':').next().unwrap_or("").trim();
        let dropped = [HANDED_BODY, "Content-Length", "Transfer-Encoding"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n));
        if line.trim().is_empty() {
            out.push_str(&format!("Content-Length: {length}\r\n\r\n"));
            break;
        }
        if !dropped {
            out.push_str(line);
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handed_over_body_gets_its_own_length_and_no_ticket() {
        let answer = b"HTTP/1.1 200 OK\r\nServer: tiny-http (Rust)\r\nContent-Type: application/pdf\r\nX-Plenary-Body: 7\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(
            String::from_utf8(with_length(answer, 1234)).unwrap(),
            "HTTP/1.1 200 OK\r\nServer: tiny-http (Rust)\r\nContent-Type: application/pdf\r\nContent-Length: 1234\r\n\r\n"
        );
        assert_eq!(header(answer, "x-plenary-body"), Some("7"));
        assert_eq!(header(answer, "Content-Type"), Some("application/pdf"));
        assert_eq!(header(answer, "ETag"), None);
    }

    #[test]
    fn handed_over_bodies_are_collected_once() {
        let handoffs = Handoffs::default();
        let ticket = handoffs.hand_over(Handed::Shared(Arc::new(b"x".to_vec())));
        let other = handoffs.hand_over(Handed::Shared(Arc::new(b"y".to_vec())));
        assert_ne!(ticket, other);
        assert!(matches!(handoffs.collect(ticket), Some(Handed::Shared(b)) if *b == b"x"));
        assert!(handoffs.collect(ticket).is_none());
    }
}
