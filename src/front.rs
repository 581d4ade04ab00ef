//! The connection side of `plenary serve`: accepts connections up to a bound (and a bound per
//! client), reads each request's head within size limits and a deadline, and passes
//! well-formed requests to tiny_http over a private local socket, relaying the answers back.
//!
//! Why a front: tiny_http starts a thread for every connection, reads request heads of any
//! length at any pace, and its workers write answers at the client's pace. Here a connection
//! beyond the bounds is answered 503 at once, a head past the limits 414 or 431, a head not
//! complete by the deadline 408; answers are taken from tiny_http at once, and files are
//! streamed from disk by the client's own connection, so slow clients hold no worker.

mod head;
mod relay;

pub use head::{read_head, Head, Refusal, MAX_HEAD, MAX_HEADERS, MAX_REQUEST_LINE};
pub use relay::{Handed, Handoffs, HANDED_BODY};

use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::net::{IpAddr, Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the front treats connections.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; more are answered 503 and closed.
    pub connections: usize,
    /// Connections one client (one IP address) may have open at once: one client holding
    /// open connections cannot take them all.
    pub per_client: usize,
    /// How long a request head may take to arrive, and a client not read what it is sent.
    pub timeout: Duration,
}

/// Accepts connections on `listener` and relays their requests to the tiny_http server
/// listening at `backend`, until `stop` says so (asked a few times a second: the listener
/// must have a receive timeout).
pub fn run(
    listener: &TcpListener,
    backend: &Path,
    handoffs: &Arc<Handoffs>,
    limits: &Limits,
    stop: impl Fn() -> bool,
) {
    let open = Arc::new(Open::default());
    while !stop() {
        let (client, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if head::is_timeout(&e) => continue,
            Err(e) => {
                // Out of file descriptors, say: wait for connections to close.
                eprintln!("serve: cannot accept a connection: {e}");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let Some(slot) = Slot::take(&open, peer.ip(), limits) else {
            refuse(client);
            continue;
        };
        let (backend, handoffs, timeout) =
            (backend.to_path_buf(), handoffs.clone(), limits.timeout);
        // A thread that cannot start drops its slot with the closure.
        let _ = std::thread::Builder::new()
            .name("plenary-connection".into())
            .stack_size(256 << 10)
            .spawn(move || {
                let _slot = slot;
                serve_connection(client, &backend, &handoffs, timeout);
            });
    }
}

/// The connections open, in all and by client.
#[derive(Default)]
struct Open {
    total: AtomicUsize,
    by_client: Mutex<HashMap<IpAddr, usize>>,
}

/// One open connection's place in the counts, given back when dropped: when the connection
/// ends, however it ends.
struct Slot {
    open: Arc<Open>,
    client: IpAddr,
}

impl Slot {
    fn take(open: &Arc<Open>, client: IpAddr, limits: &Limits) -> Option<Slot> {
        let mut by_client = lock(&open.by_client);
        let mine = by_client.entry(client).or_default();
        if open.total.load(Ordering::Acquire) >= limits.connections || *mine >= limits.per_client {
            return None;
        }
        *mine += 1;
        open.total.fetch_add(1, Ordering::AcqRel);
        Some(Slot {
            open: open.clone(),
            client,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut by_client = lock(&self.open.by_client);
        if let Some(mine) = by_client.get_mut(&self.client) {
            *mine -= 1;
            if *mine == 0 {
                by_client.remove(&self.client);
            }
        }
        self.open.total.fetch_sub(1, Ordering::AcqRel);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
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
/// sends something that is not a request, or does not send a whole head within `timeout`.
fn serve_connection(client: TcpStream, backend: &Path, handoffs: &Handoffs, timeout: Duration) {
    let _ = client.set_nodelay(true);
    let _ = client.set_write_timeout(Some(timeout));
    let Ok(mut writer) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(head::Deadline::new(client));
    loop {
        reader.get_mut().restart(timeout);
        let head = match read_head(&mut reader) {
            Ok(Some(head)) => head,
            Ok(None) => break,
            Err(Refusal { status, reason }) => {
                let _ = writer.write_all(refusal(status, reason).as_bytes());
                break;
            }
        };
        if relay::relay(&head, backend, handoffs, &mut writer).is_err() || !head.keep_alive {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

fn refusal(status: u16, reason: &str) -> String {
    let title = match status {
        400 => "Bad Request",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
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

    #[test]
    fn slots_are_bounded_in_all_and_by_client_and_given_back() {
        let open = Arc::new(Open::default());
        let limits = Limits {
            connections: 4,
            per_client: 2,
            timeout: Duration::from_secs(1),
        };
        let (a, b, c): (IpAddr, IpAddr, IpAddr) = (
            "10.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
            "10.0.0.3".parse().unwrap(),
        );
        let a1 = Slot::take(&open, a, &limits).unwrap();
        let _a2 = Slot::take(&open, a, &limits).unwrap();
        assert!(
            Slot::take(&open, a, &limits).is_none(),
            "a third for one client"
        );
        let _b1 = Slot::take(&open, b, &limits).unwrap();
        let _b2 = Slot::take(&open, b, &limits).unwrap();
        assert!(Slot::take(&open, c, &limits).is_none(), "a fifth in all");
        drop(a1);
        let c1 = Slot::take(&open, c, &limits);
        assert!(c1.is_some(), "a slot given back");
        assert!(Slot::take(&open, a, &limits).is_none(), "taken again by c");
        drop(c1);
        assert!(Slot::take(&open, a, &limits).is_some(), "given back again");
    }
}
