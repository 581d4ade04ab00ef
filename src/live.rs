//! The preview's live channel: Server-Sent Events that tell open pages to reload or to show
//! why the last save did not build, and the script and overlay watch mode adds to each page.
//!
//! Only `plenary serve` in watch mode has it. The events carry no file paths beyond the
//! site-relative ones the diagnostics name, and a page from another origin cannot listen.

use std::io::Write;
use std::sync::Mutex;

/// Where pages listen for events.
pub const LIVE_PATH: &str = "/_plenary/live";

/// The pages listening, each a connection the server has handed over for good.
#[derive(Default)]
pub struct Channel {
    listeners: Mutex<Vec<Box<dyn Write + Send>>>,
}

/// What pages are told.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The site was rebuilt: reload.
    Reload,
    /// The last save did not build: show this (the diagnostics) over the page.
    Broken(String),
    /// Sent now and then, so that connections the browser has dropped are noticed.
    Ping,
}

impl Channel {
    /// Adds a listener: `stream` is the raw connection, its request already read.
    pub fn join(&self, mut stream: Box<dyn Write + Send>, broken: Option<&str>) {
        let mut head = String::from(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n",
        );
        // A browser that reconnects after a restart waits this long before trying again.
        head.push_str("retry: 500\n\n");
        if let Some(text) = broken {
            head.push_str(&Event::Broken(text.to_string()).to_wire());
        }
        if stream.write_all(head.as_bytes()).is_ok() && stream.flush().is_ok() {
            self.lock().push(stream);
        }
    }

    /// Tells every listener; those whose connection has gone are dropped.
    pub fn send(&self, event: &Event) {
        let wire = event.to_wire();
        self.lock().retain_mut(|stream| {
            stream.write_all(wire.as_bytes()).is_ok() && stream.flush().is_ok()
        });
    }

    pub fn listeners(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Box<dyn Write + Send>>> {
        self.listeners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Event {
    /// The event as sent: `event:` and one `data:` line per line of text.
    pub fn to_wire(&self) -> String {
        match self {
            Event::Reload => "event: reload\ndata: \n\n".to_string(),
            Event::Ping => ": ping\n\n".to_string(),
            Event::Broken(text) => {
                let mut wire = String::from("event: broken\n");
                for line in text.lines() {
                    wire.push_str("data: ");
                    wire.push_str(line);
                    wire.push('\n');
                }
                wire.push('\n');
                wire
            }
        }
    }
}

/// Whether a request for the channel may listen: browsers send `Origin` with cross-origin
/// requests, and it must name this server as the page's `Host` does.
pub fn origin_allowed(origin: Option<&str>, host: Option<&str>) -> bool {
    match (origin, host) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            let origin = origin.trim();
            origin
                .strip_prefix("http://")
                .is_some_and(|o| o == host.trim())
        }
        (Some(_), None) => false,
    }
}

/// Listens for events: reloads on `reload`, shows the overlay on `broken`.
const SCRIPT: &str = r#"<script>(()=>{const s=new EventSource("/_plenary/live");s.addEventListener("reload",()=>location.reload());s.addEventListener("broken",e=>{let o=document.getElementById("plenary-overlay");if(!o){o=document.createElement("pre");o.id="plenary-overlay";o.setAttribute("role","alert");o.setAttribute("style",document.documentElement.dataset.plenaryOverlay||"");document.body.append(o)}o.textContent=e.data})})()</script>"#;

const OVERLAY_STYLE: &str = "position:fixed;inset:auto 0 0 0;z-index:2147483647;margin:0;\
max-height:60vh;overflow:auto;padding:1rem 1.25rem;background:#5c0011;color:#fff;\
font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;direction:ltr;text-align:left";

/// `html` with the live script, and the overlay showing `broken` if the last save did not
/// build, added before `</body>` (or at the end when there is none).
pub fn inject(html: &[u8], broken: Option<&str>) -> Vec<u8> {
    let mut added = String::new();
    // The script reads the overlay's style from here when it makes one itself.
    added.push_str(&format!(
        "<script>document.documentElement.dataset.plenaryOverlay={:?}</script>",
        OVERLAY_STYLE
    ));
    if let Some(text) = broken {
        added.push_str(&format!(
            "<pre id=\"plenary-overlay\" role=\"alert\" style=\"{OVERLAY_STYLE}\">{}</pre>",
            crate::query::escape(text)
        ));
    }
    added.push_str(SCRIPT);
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + added.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(added.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_written_as_server_sent_events() {
        assert_eq!(Event::Reload.to_wire(), "event: reload\ndata: \n\n");
        assert_eq!(
            Event::Broken("a.md:1:2: error: x\n  hint".into()).to_wire(),
            "event: broken\ndata: a.md:1:2: error: x\ndata:   hint\n\n"
        );
    }

    #[test]
    fn only_this_server_origin_may_listen() {
        assert!(origin_allowed(None, Some("127.0.0.1:1111")));
        assert!(origin_allowed(
            Some("http://127.0.0.1:1111"),
            Some("127.0.0.1:1111")
        ));
        assert!(!origin_allowed(
            Some("http://evil.example"),
            Some("127.0.0.1:1111")
        ));
        assert!(!origin_allowed(Some("null"), Some("127.0.0.1:1111")));
        assert!(!origin_allowed(Some("http://127.0.0.1:1111"), None));
    }

    #[test]
    fn the_overlay_and_script_go_before_the_body_ends_escaped() {
        let page = b"<html><body><p>x</p></body></html>";
        let out = String::from_utf8(inject(page, Some("a.md:1:2: error: <b>"))).unwrap();
        assert!(out.ends_with("</body></html>"), "{out}");
        assert!(out.contains("a.md:1:2: error: &lt;b&gt;</pre>"), "{out}");
        assert!(out.contains(LIVE_PATH), "{out}");
        let clean = String::from_utf8(inject(page, None)).unwrap();
        assert!(!clean.contains("<pre id=\"plenary-overlay\""), "{clean}");
    }
}
