//! `plenary serve`: builds the site and serves it over HTTP, with the search API at
//! `/_search` and search pages rendered with their results for browsers without scripts.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use anyhow::Context as _;
use tiny_http::{Header, Method, Request, Response, Server};

use crate::build::{self, Checked, Loaded, Report};
use crate::query::{Invalid, Searcher};
use crate::search_page::{self, SEARCH_PATH};
use crate::views::Context;

pub struct Options {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub drafts: bool,
}

/// Requests answered at once; more wait their turn.
const WORKERS: usize = 8;
/// Where `serve` builds the site: under the site root, never in `public/`.
pub const SERVE_DIR: &str = ".plenary/serve/public";

/// A built site being served.
pub struct Site {
    dir: PathBuf,
    loaded: Loaded,
    searcher: Option<Searcher>,
}

/// Builds the site into `<root>/.plenary/serve/public`; the diagnostics if it cannot be built.
pub fn build(options: &Options) -> anyhow::Result<Checked<(Report, Site)>> {
    let dir = options.root.join(SERVE_DIR);
    let built = build::build_site(build::Options {
        root: options.root.clone(),
        out: Some(dir.clone()),
        drafts: options.drafts,
        progress: None,
    })?;
    let (report, loaded) = match built {
        Ok(built) => built,
        Err(diags) => return Ok(Err(diags)),
    };
    let searcher = if loaded.config.search_index {
        Some(Searcher::open(&dir)?)
    } else {
        None
    };
    Ok(Ok((
        report,
        Site {
            dir,
            loaded,
            searcher,
        },
    )))
}

/// Serves `site` until the process ends; `ready` gets the address once requests are accepted.
pub fn serve(site: Site, options: &Options, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let address = format!("{}:{}", options.bind, options.port);
    let listener = std::net::TcpListener::bind(&address)
        .with_context(|| format!("cannot listen on {address}"))?;
    send_without_delay(&listener).context("cannot set up the listening socket")?;
    let server = Server::from_listener(listener, None)
        .map_err(|e| anyhow::anyhow!("cannot listen on {address}: {e}"))?;
    let local = server
        .server_addr()
        .to_ip()
        .context("the server is not listening on an IP address")?;
    ready(local);
    let server = Arc::new(server);
    let site = Arc::new(site);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            let server = server.clone();
            let site = site.clone();
            scope.spawn(move || loop {
                match server.recv() {
                    Ok(request) => site.answer(request),
                    Err(e) => eprintln!("serve: a connection failed: {e}"),
                }
            });
        }
    });
    Ok(())
}

/// Turns off Nagle's algorithm for every connection the listener accepts (Linux gives each
/// the listener's setting). tiny_http writes a response's head and body separately: with
/// Nagle on, the body waited for the client's delayed ACK, 40 ms on every keep-alive request.
fn send_without_delay(listener: &std::net::TcpListener) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: the descriptor is the listener's own, open for as long as `listener` is
    // borrowed; the option value is a c_int that outlives the call, its size given exactly.
    let result = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// What a path names inside the built site.
#[derive(Debug, PartialEq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    NotFound,
}

impl Site {
    fn context(&self) -> Context<'_> {
        Context {
            config: &self.loaded.config,
            content: &self.loaded.content,
            bodies: &self.loaded.bodies,
            messages: &self.loaded.messages,
        }
    }

    fn answer(&self, request: Request) {
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let response = match request.method() {
            Method::Get | Method::Head => self.respond(path, query, &request),
            _ => {
                Reply::text(405, "only GET and HEAD are answered here").header("Allow", "GET, HEAD")
            }
        };
        let Reply {
            status,
            body,
            headers,
        } = response;
        let mut response = Response::from_data(body).with_status_code(status);
        for (name, value) in headers {
            if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(header);
            }
        }
        // The client may have gone: nothing to do about it.
        let _ = request.respond(response);
    }

    fn respond(&self, path: &str, query: &str, request: &Request) -> Reply {
        if path == "/_search" {
            return self.api(query);
        }
        if let Some(lang) = self.search_page_language(path) {
            if search_page::parse_query_string(query)
                .iter()
                .any(|(name, _)| name == "q")
            {
                return self.search_page(&lang, query);
            }
        }
        match resolve(&self.dir, path) {
            Resolved::File(file) => self.file(&file, request),
            Resolved::Redirect(to) => Reply::text(301, "moved").header("Location", &to),
            Resolved::NotFound => self.not_found(path),
        }
    }

    /// `GET /_search?q=...`: JSON, 200 with zero or more hits, or 400 naming the mistake.
    fn api(&self, query: &str) -> Reply {
        let Some(searcher) = &self.searcher else {
            return Reply::json(
                404,
                &serde_json::json!({"error": "this site is built without a search index"}),
            );
        };
        let answer = search_page::request_from_query(query, "all")
            .and_then(|request| searcher.search(&request));
        match answer {
            Ok(response) => Reply::json(200, &response),
            Err(Invalid(message)) => Reply::json(400, &serde_json::json!({ "error": message })),
        }
    }

    /// The language whose search page `path` is, if it is one.
    fn search_page_language(&self, path: &str) -> Option<String> {
        let config = &self.loaded.config;
        config
            .languages
            .iter()
            .find(|l| path == format!("{}{SEARCH_PATH}", config.lang_prefix(&l.code)))
            .map(|l| l.code.clone())
    }

    fn search_page(&self, lang: &str, query: &str) -> Reply {
        let context = self.context();
        let request = search_page::request_from_query(query, lang);
        let answer = match (&request, &self.searcher) {
            (Ok(request), Some(searcher)) => searcher.search(request),
            (Ok(_), None) => Err(Invalid("this site is built without a search index".into())),
            (Err(e), _) => Err(Invalid(e.0.clone())),
        };
        let request = request.unwrap_or_default();
        let status = if answer.is_ok() { 200 } else { 400 };
        let view = search_page::view(&context, lang, &request, Some(&answer));
        match self
            .loaded
            .templates
            .render_search_page(&context, &self.loaded.site, lang, view)
        {
            Ok(html) => Reply {
                status,
                body: html.into_bytes(),
                headers: vec![
                    ("Content-Type".into(), "text/html; charset=utf-8".into()),
                    ("Cache-Control".into(), "no-store".into()),
                ],
            },
            Err(e) => {
                eprintln!("serve: {e:#}");
                Reply::text(500, "the search page could not be rendered")
            }
        }
    }

    fn file(&self, file: &Path, request: &Request) -> Reply {
        let Ok(metadata) = std::fs::metadata(file) else {
            return Reply::text(404, "not found");
        };
        let modified = metadata
            .modified()
            .ok()
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let etag = format!("\"{:x}-{:x}\"", metadata.len(), modified);
        let headers = vec![
            ("Content-Type".to_string(), content_type(file).to_string()),
            ("ETag".to_string(), etag.clone()),
            ("Cache-Control".to_string(), "no-cache".to_string()),
            ("X-Content-Type-Options".to_string(), "nosniff".to_string()),
        ];
        let unchanged = request
            .headers()
            .iter()
            .filter(|h| h.field.equiv("If-None-Match"))
            .any(|h| h.value.as_str().split(',').any(|tag| tag.trim() == etag));
        if unchanged {
            return Reply {
                status: 304,
                body: Vec::new(),
                headers,
            };
        }
        match std::fs::read(file) {
            Ok(body) => Reply {
                status: 200,
                body,
                headers,
            },
            Err(_) => Reply::text(404, "not found"),
        }
    }

    /// The 404 page in the language the path is in.
    fn not_found(&self, path: &str) -> Reply {
        let config = &self.loaded.config;
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let prefix = config
            .languages
            .iter()
            .find(|l| l.code == first && !config.lang_prefix(&l.code).is_empty())
            .map(|l| config.lang_prefix(&l.code))
            .unwrap_or_default();
        let page = self
            .dir
            .join(prefix.trim_start_matches('/'))
            .join("404.html");
        match std::fs::read(page) {
            Ok(body) => Reply {
                status: 404,
                body,
                headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            },
            Err(_) => Reply::text(404, "not found"),
        }
    }
}

/// Finds the file a URL path names inside `dir`, refusing anything that would lead out of
/// it (`..`, encoded or not, backslashes, NUL, symlinks pointing outside) and dotfiles.
pub fn resolve(dir: &Path, url_path: &str) -> Resolved {
    let decoded = decode_path(url_path);
    if !decoded.starts_with('/') || decoded.contains(['\0', '\\']) {
        return Resolved::NotFound;
    }
    let mut file = dir.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(':') {
            return Resolved::NotFound;
        }
        file.push(segment);
    }
    let (Ok(real), Ok(root)) = (file.canonicalize(), dir.canonicalize()) else {
        return Resolved::NotFound;
    };
    if !real.starts_with(&root) {
        return Resolved::NotFound;
    }
    if real.is_dir() {
        if !url_path.ends_with('/') {
            return Resolved::Redirect(format!("{url_path}/"));
        }
        let index = real.join("index.html");
        return if index.is_file() {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if real.is_file() {
        Resolved::File(real)
    } else {
        Resolved::NotFound
    }
}

/// Percent-decodes a URL path (where `+` is itself).
fn decode_path(path: &str) -> String {
    search_page::percent_decode(&path.replace('+', "%2B"))
}

fn content_type(file: &Path) -> &'static str {
    let extension = file
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "csv" => "text/csv; charset=utf-8",
        "zip" => "application/zip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    }
}

struct Reply {
    status: u16,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Reply {
    fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            body: text.as_bytes().to_vec(),
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        }
    }

    fn json(status: u16, value: &impl serde::Serialize) -> Reply {
        let mut body = Vec::new();
        if serde_json::to_writer(&mut body, value).is_err() {
            body.clear();
            let _ = body.write_all(br#"{"error":"the answer could not be written"}"#);
        }
        Reply {
            status,
            body,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Cache-Control".into(), "no-store".into()),
                ("Access-Control-Allow-Origin".into(), "*".into()),
            ],
        }
    }

    fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_lead_out_of_the_site() {
        let root = tempfile::tempdir().unwrap();
        let site = root.path().join("site");
        std::fs::create_dir_all(site.join("fr")).unwrap();
        std::fs::write(site.join("index.html"), "home").unwrap();
        std::fs::write(site.join("fr/index.html"), "accueil").unwrap();
        std::fs::write(site.join(".secret"), "no").unwrap();
        std::fs::write(root.path().join("outside.txt"), "no").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.path().join("outside.txt"), site.join("link.txt")).unwrap();
        assert_eq!(
            resolve(&site, "/"),
            Resolved::File(site.canonicalize().unwrap().join("index.html"))
        );
        assert_eq!(resolve(&site, "/fr"), Resolved::Redirect("/fr/".into()));
        for hostile in [
            "/../outside.txt",
            "/%2e%2e/outside.txt",
            "/fr/..%2f..%2foutside.txt",
            "/..\\outside.txt",
            "/fr%5c..%5c..%5coutside.txt",
            "/index.html%00.css",
            "/.secret",
            "/%2esecret",
            "/link.txt",
            "//etc/passwd",
            "/C:/Windows",
            "outside.txt",
        ] {
            assert_eq!(resolve(&site, hostile), Resolved::NotFound, "{hostile}");
        }
    }
}
