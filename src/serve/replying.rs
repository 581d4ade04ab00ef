//! How each request is answered and the answer leaves: in watch mode only for this machine's
//! own pages (the Host check) and never readable by other sites; the live script; gzip; the
//! body handed to the front; and a panic contained to its own request.

use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response};

use super::answers::{Body, Reply};
use super::{lock, Served};
use crate::front::{Handed, HANDED_BODY};
use crate::gzip::{accepts_gzip, gzip, gzip_etag, is_compressible, GZIP_FROM};
use crate::live::{self, Channel, LIVE_PATH};

/// Files larger than this are sent as they are: compressing one would hold it in memory.
const GZIP_UP_TO: u64 = 8 << 20;

/// Answers `request` with `answer`, and if answering panics, that request alone fails: it is
/// answered 500 (tiny_http answers a request dropped unanswered so) and the worker goes on.
pub(super) fn contained(request: Request, answer: impl FnOnce(Request)) {
    let url = request.url().to_string();
    let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| answer(request)));
    if answered.is_err() {
        eprintln!("serve: answering `{url}` failed; it was answered 500 and the server goes on");
    }
}

impl Served {
    pub(super) fn answer(&self, request: Request) {
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        if self.live.is_some() && !self.host_allowed(header(&request, "Host").as_deref()) {
            let reply = Reply::text(
                421,
                "this preview answers requests for localhost or an IP address only; open it at the address `plenary serve` printed",
            );
            return self.send(request, reply);
        }
        if let (Some(live), LIVE_PATH) = (&self.live, path) {
            return self.listen(live, request);
        }
        let reply = match (request.method(), self.current()) {
            (Method::Get | Method::Head, Some(site)) => site.respond(path, query, &request),
            (Method::Get | Method::Head, None) => Reply::html(
                503,
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <title>Not built yet</title></head><body><h1>The site has not built yet</h1>\
                 <p>Fix what the box below says: this page reloads by itself once it builds.</p>\
                 </body></html>",
            ),
            _ => {
                Reply::text(405, "only GET and HEAD are answered here").header("Allow", "GET, HEAD")
            }
        };
        let mut reply = match &self.live {
            Some(_) => self.previewed(reply),
            None => reply,
        };
        if self.private {
            // Drafts and unpublished work are shown: no other site may read them.
            reply
                .headers
                .retain(|(name, _)| name != "Access-Control-Allow-Origin");
        }
        let reply = if accepts_gzip(&request) {
            self.gzipped(path, reply)
        } else {
            reply
        };
        self.send(request, reply);
    }

    /// Whether a request naming `host` may be answered while previewing. A page of another
    /// site whose name is made to point at this machine (DNS rebinding) names its own host;
    /// the preview answers only to localhost, an IP address, and the name it was bound to.
    fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            // HTTP/1.0 clients may send none; browsers always do.
            return true;
        };
        let name = host_name(host).to_ascii_lowercase();
        name == "localhost"
            || name.ends_with(".localhost")
            || name.parse::<std::net::IpAddr>().is_ok()
            || name == self.bind.to_ascii_lowercase()
    }

    /// What the preview changes in a reply: pages get the live script, and the overlay
    /// while the last save does not build; what they show depends on that, so they are never
    /// cached.
    fn previewed(&self, mut reply: Reply) -> Reply {
        if !reply.is_html() || reply.status == 304 {
            return reply;
        }
        let bytes = match std::mem::replace(&mut reply.body, Body::Bytes(Vec::new())).into_bytes() {
            Ok(bytes) => bytes,
            Err(_) => return Reply::text(404, "not found"),
        };
        reply.body = Body::Bytes(live::inject(&bytes, self.broken().as_deref()));
        reply
            .headers
            .retain(|(name, _)| name != "ETag" && name != "Cache-Control");
        reply.header("Cache-Control", "no-store")
    }

    /// `reply` in gzip, when that is worth it: text of a kilobyte or more, and not so large
    /// that it should rather stream from disk. Files (which have an ETag) are compressed
    /// once, at the best ratio, and kept; made-up replies (search answers, pages with the
    /// live script) are compressed quickly, each time.
    fn gzipped(&self, path: &str, reply: Reply) -> Reply {
        let compressible = reply
            .headers
            .iter()
            .any(|(name, value)| name == "Content-Type" && is_compressible(value));
        let length = reply.body.len();
        if !compressible || length < GZIP_FROM as u64 || length > GZIP_UP_TO || reply.status != 200
        {
            return reply;
        }
        let etag = reply
            .headers
            .iter()
            .find(|(name, _)| name == "ETag")
            .map(|(_, value)| value.clone());
        let Reply {
            status,
            body,
            headers,
        } = reply;
        let body = match &etag {
            Some(etag) => {
                let key = (path.to_string(), etag.clone());
                let cached = lock(&self.gzip_cache).get(&key).cloned();
                match cached {
                    Some(body) => body,
                    None => {
                        let Ok(bytes) = body.into_bytes() else {
                            return Reply::text(404, "not found");
                        };
                        let body = Arc::new(gzip(&bytes, flate2::Compression::best()));
                        lock(&self.gzip_cache).insert(key, body.clone());
                        body
                    }
                }
            }
            None => match body.into_bytes() {
                Ok(bytes) => Arc::new(gzip(&bytes, flate2::Compression::fast())),
                Err(_) => return Reply::text(404, "not found"),
            },
        };
        let mut headers: Vec<(String, String)> = headers
            .into_iter()
            .map(|(name, value)| match name.as_str() {
                // The gzip bytes are another representation: another tag.
                "ETag" => (name, gzip_etag(&value)),
                _ => (name, value),
            })
            .collect();
        headers.push(("Content-Encoding".into(), "gzip".into()));
        headers.push(("Vary".into(), "Accept-Encoding".into()));
        Reply {
            status,
            body: Body::Shared(body),
            headers,
        }
    }

    /// `GET /_plenary/live`: the connection becomes a listener of the live channel.
    fn listen(&self, live: &Channel, request: Request) {
        if !live::origin_allowed(
            header(&request, "Origin").as_deref(),
            header(&request, "Host").as_deref(),
        ) {
            let reply = Reply::text(403, "pages of other sites may not listen here");
            return self.send(request, reply);
        }
        if request.method() != &Method::Get {
            let reply = Reply::text(405, "only GET is answered here").header("Allow", "GET");
            return self.send(request, reply);
        }
        live.join(request.into_writer(), self.broken().as_deref());
    }

    /// Sends `reply`: bytes made for this request through tiny_http; files and kept bodies
    /// handed to the front, which sends them at the client's pace without a worker.
    fn send(&self, request: Request, reply: Reply) {
        let Reply {
            status,
            body,
            mut headers,
        } = reply;
        let data = match body {
            Body::Bytes(bytes) => bytes,
            Body::File(file, _) => {
                let ticket = self.handoffs.hand_over(Handed::File(file));
                headers.push((HANDED_BODY.into(), ticket.to_string()));
                Vec::new()
            }
            Body::Shared(bytes) => {
                let ticket = self.handoffs.hand_over(Handed::Shared(bytes));
                headers.push((HANDED_BODY.into(), ticket.to_string()));
                Vec::new()
            }
        };
        let mut response = Response::from_data(data).with_status_code(status);
        for (name, value) in headers {
            if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(header);
            }
        }
        // The client may have gone: nothing to do about it.
        let _ = request.respond(response);
    }
}

fn header(request: &Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
}

/// `example.org:8080` -> `example.org`; `[::1]:1111` -> `::1`.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_read_without_their_port() {
        for (host, name) in [
            ("localhost:1111", "localhost"),
            ("localhost", "localhost"),
            ("127.0.0.1:8080", "127.0.0.1"),
            ("[::1]:1111", "::1"),
            ("[::1]", "::1"),
            ("attacker.example:1111", "attacker.example"),
            (" Site.Example ", "Site.Example"),
        ] {
            assert_eq!(host_name(host), name, "{host}");
        }
    }

    #[test]
    fn a_panic_while_answering_is_that_requests_500() {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let address = server.server_addr().to_ip().unwrap();
        let client = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream
                .write_all(b"GET /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            answer
        });
        let request = server.recv().unwrap();
        contained(request, |_| panic!("a bug met while answering"));
        let answer = client.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
    }
}
