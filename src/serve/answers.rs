//! What the server answers: files of the built site (typed, with ETags, gzip), the search API and search pages, and replies for what it cannot answer.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use tiny_http::Request;

use super::Site;
use crate::gzip::gzip_etag;
use crate::query::Invalid;
use crate::search_page::{self, SEARCH_PATH};
use crate::views::Context;

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
        self.loaded.context()
    }

    pub(super) fn respond(&self, path: &str, query: &str, request: &Request) -> Reply {
        let base_path = self.loaded.config.base_path.as_str();
        let path = match place(base_path, path) {
            Place::Inside(path) => path,
            Place::Base => return moved(301, &format!("{base_path}/"), query),
            // The host's root leads to the site; the rest of the host is not the site's.
            Place::Outside if path == "/" => return moved(302, &format!("{base_path}/"), query),
            Place::Outside => {
                return Reply::text(
                    404,
                    &format!("not found: this site is served under `{base_path}/`"),
                )
            }
        };
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
            Resolved::Redirect(to) => {
                Reply::text(301, "moved").header("Location", &format!("{base_path}{to}"))
            }
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
                body: Body::Bytes(html.into_bytes()),
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

    /// A file of the site, opened now and handed to the front to send from disk: the
    /// length and tag are those of the file opened, even if a rebuild replaces it meanwhile.
    fn file(&self, path: &Path, request: &Request) -> Reply {
        let opened = std::fs::File::open(path).and_then(|file| Ok((file.metadata()?, file)));
        let Ok((metadata, file)) = opened else {
            return Reply::text(404, "not found");
        };
        if !metadata.is_file() {
            return Reply::text(404, "not found");
        }
        let modified = metadata
            .modified()
            .ok()
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let etag = format!("\"{:x}-{:x}\"", metadata.len(), modified);
        let mut headers = vec![
            ("Content-Type".to_string(), content_type(path).to_string()),
            ("ETag".to_string(), etag.clone()),
            ("Cache-Control".to_string(), "no-cache".to_string()),
            ("X-Content-Type-Options".to_string(), "nosniff".to_string()),
        ];
        // An SVG opened on its own is a document that could run script as the site: it may
        // only draw (members' files come from many hands).
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
        {
            headers.push((
                "Content-Security-Policy".to_string(),
                SVG_POLICY.to_string(),
            ));
        }
        let gzipped = gzip_etag(&etag);
        let unchanged = request
            .headers()
            .iter()
            .filter(|h| h.field.equiv("If-None-Match"))
            .any(|h| {
                h.value
                    .as_str()
                    .split(',')
                    .any(|tag| tag.trim() == etag || tag.trim() == gzipped)
            });
        let (status, body) = if unchanged {
            (304, Body::Bytes(Vec::new()))
        } else {
            (200, Body::File(file, metadata.len()))
        };
        Reply {
            status,
            body,
            headers,
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
                body: Body::Bytes(body),
                headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            },
            Err(_) => Reply::text(404, "not found"),
        }
    }
}

/// Where a request's path is, for a site served under `base_path` (`/igf`, or empty).
#[derive(Debug, PartialEq)]
enum Place<'a> {
    /// Inside the site: the path from the site's root (`/igf/fr/` -> `/fr/`).
    Inside(&'a str),
    /// The base path without its last `/` (`/igf`).
    Base,
    Outside,
}

fn place<'a>(base_path: &str, path: &'a str) -> Place<'a> {
    if base_path.is_empty() {
        return Place::Inside(path);
    }
    match path.strip_prefix(base_path) {
        Some("") => Place::Base,
        Some(rest) if rest.starts_with('/') => Place::Inside(rest),
        _ => Place::Outside,
    }
}

/// A redirect to `to`, the query string kept.
fn moved(status: u16, to: &str, query: &str) -> Reply {
    let location = match query {
        "" => to.to_string(),
        query => format!("{to}?{query}"),
    };
    Reply::text(status, "moved").header("Location", &location)
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
        // The index too may be a link, and must not lead out.
        return match real.join("index.html").canonicalize() {
            Ok(index) if index.starts_with(&root) && index.is_file() => Resolved::File(index),
            _ => Resolved::NotFound,
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
    crate::url::decode(path)
}

/// What an SVG document may do when opened on its own: draw, with its own styles and
/// embedded images; no script, no requests, no forms, in a sandbox of its own origin.
pub const SVG_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

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

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) body: Body,
    pub(super) headers: Vec<(String, String)>,
}

/// What a reply carries.
pub(super) enum Body {
    /// Made for this request: sent through tiny_http.
    Bytes(Vec<u8>),
    /// A file of the site, open, and its length: the front sends it from disk.
    File(std::fs::File, u64),
    /// Kept in memory for many requests (a compressed file): the front sends it.
    Shared(Arc<Vec<u8>>),
}

impl Body {
    pub(super) fn len(&self) -> u64 {
        match self {
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::File(_, length) => *length,
            Body::Shared(bytes) => bytes.len() as u64,
        }
    }

    /// The bytes themselves, for a reply that is changed before it is sent.
    pub(super) fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        match self {
            Body::Bytes(bytes) => Ok(bytes),
            Body::File(file, length) => {
                let mut bytes = Vec::with_capacity(length as usize);
                file.take(length).read_to_end(&mut bytes)?;
                Ok(bytes)
            }
            Body::Shared(bytes) => Ok(bytes.to_vec()),
        }
    }
}

impl Reply {
    pub(super) fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            body: Body::Bytes(text.as_bytes().to_vec()),
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        }
    }

    pub(super) fn json(status: u16, value: &impl serde::Serialize) -> Reply {
        let mut body = Vec::new();
        if serde_json::to_writer(&mut body, value).is_err() {
            body.clear();
            let _ = body.write_all(br#"{"error":"the answer could not be written"}"#);
        }
        Reply {
            status,
            body: Body::Bytes(body),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Cache-Control".into(), "no-store".into()),
                ("Access-Control-Allow-Origin".into(), "*".into()),
            ],
        }
    }

    pub(super) fn html(status: u16, html: &str) -> Reply {
        Reply {
            status,
            body: Body::Bytes(html.as_bytes().to_vec()),
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        }
    }

    pub(super) fn is_html(&self) -> bool {
        self.headers
            .iter()
            .any(|(name, value)| name == "Content-Type" && value.starts_with("text/html"))
    }

    pub(super) fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_placed_against_the_base_path() {
        for (base, path, place_) in [
            ("", "/fr/", Place::Inside("/fr/")),
            ("", "/", Place::Inside("/")),
            ("/igf", "/igf/fr/", Place::Inside("/fr/")),
            ("/igf", "/igf/", Place::Inside("/")),
            ("/igf", "/igf", Place::Base),
            ("/igf", "/", Place::Outside),
            ("/igf", "/igfx/", Place::Outside),
            ("/igf", "/fr/igf/", Place::Outside),
            ("/a/b", "/a/b/_search", Place::Inside("/_search")),
            ("/a/b", "/a/", Place::Outside),
        ] {
            assert_eq!(place(base, path), place_, "{base} {path}");
        }
    }

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
        std::fs::create_dir_all(site.join("linked")).unwrap();
        std::os::unix::fs::symlink(
            root.path().join("outside.txt"),
            site.join("linked/index.html"),
        )
        .unwrap();
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
            "/linked/",
            "//etc/passwd",
            "/C:/Windows",
            "outside.txt",
        ] {
            assert_eq!(resolve(&site, hostile), Resolved::NotFound, "{hostile}");
        }
    }
}
