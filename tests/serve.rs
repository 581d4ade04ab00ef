//! `plenary serve` through real sockets: the search API, the search page without scripts, the
//! HTTP edge (paths that lead out, methods, HEAD, ETag), and in watch mode the rebuild after a
//! save, the live channel's events and the error overlay.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::time::Duration;

/// The fixture site served by the real binary on a free port; stopped when dropped.
struct Served {
    dir: tempfile::TempDir,
    child: Child,
    address: String,
}

impl Served {
    fn fixture(name: &str) -> Served {
        Served::start(name, &["--no-watch"])
    }

    /// The fixture site served in watch mode, as authors preview it.
    fn watching(name: &str) -> Served {
        Served::start(name, &[])
    }

    fn start(name: &str, options: &[&str]) -> Served {
        Served::start_with(name, options, &[])
    }

    fn start_with(name: &str, options: &[&str], env: &[(&str, &std::path::Path)]) -> Served {
        let dir = common::fixture_copy(name);
        let (child, address) = common::spawn_server_with(dir.path(), options, env);
        Served {
            dir,
            child,
            address,
        }
    }

    /// Sends `request` as written and returns (status, headers, body).
    fn raw(&self, request: &[u8]) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream.write_all(request).unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).unwrap();
        let split = reply
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete response head");
        let head = String::from_utf8_lossy(&reply[..split]).into_owned();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head, reply[split + 4..].to_vec())
    }

    fn get(&self, target: &str) -> (u16, String, Vec<u8>) {
        self.raw(
            format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    }

    fn json(&self, target: &str) -> (u16, serde_json::Value) {
        let (status, head, body) = self.get(target);
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{target}: {head}"
        );
        (status, serde_json::from_slice(&body).unwrap())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn the_search_api_answers_json_with_hits_facets_and_paging() {
    let site = Served::fixture("basic");
    let (status, answer) = site.json("/_search?q=cybersecurity&lang=en");
    assert_eq!(status, 200);
    assert_eq!(answer["query"], "cybersecurity");
    assert_eq!(answer["lang"], "en");
    let first = &answer["hits"][0];
    assert_eq!(first["url"], "/reports/annual-2020/");
    assert_eq!(first["kind"], "bpf-output");
    assert!(answer["facets"]["kind"]["bpf-output"].as_u64() >= Some(1));
    for key in ["title", "lang", "score", "date", "group", "excerpt"] {
        assert!(first.get(key).is_some(), "hit without {key}: {first}");
    }
    let (_, filtered) = site.json("/_search?q=cybersecurity&lang=en&kind=page");
    assert!(filtered["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "page"));
    let (_, french) = site.json("/_search?q=cybersecurite&lang=all");
    assert!(
        french["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["lang"] == "fr"),
        "{french}"
    );
}

#[test]
fn odd_queries_get_200_and_invalid_parameters_400_never_500() {
    let site = Served::fixture("basic");
    // Longer than a query is read (the rest is dropped), within a request line's 8 KiB.
    let long = "cyber ".repeat(950);
    let odd = [
        "",
        long.as_str(),
        "\"unbalanced",
        "((report",
        "title:report",
        "*",
        "the of and",
        "😀",
        "\u{202E}report\u{202C}",
        "%00",
    ];
    for query in odd {
        for lang in ["en", "ar", "zh", "all"] {
            let (status, answer) = site.json(&format!("/_search?q={}&lang={lang}", encode(query)));
            assert_eq!(status, 200, "{lang} {query:?}: {answer}");
            assert!(answer["hits"].is_array(), "{answer}");
        }
    }
    // Past 8 KiB, the request line itself is refused.
    let (status, _, _) = site.get(&format!("/_search?q={}", encode(&"cyber ".repeat(1700))));
    assert_eq!(status, 414);
    for (target, mentions) in [
        ("/_search?q=x&lang=de", "unknown language `de`"),
        ("/_search?q=x&colour=red&lang=xx", "unknown language `xx`"),
        ("/_search?q=x&page=two", "`page` must be a whole number"),
        (
            "/_search?q=x&per_page=-1",
            "`per_page` must be a whole number",
        ),
    ] {
        let (status, answer) = site.json(target);
        assert_eq!(status, 400, "{target}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(mentions), "{target}: {error}");
    }
}

#[test]
fn no_path_leads_out_of_the_site() {
    let site = Served::fixture("basic");
    for target in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E%2Fsite.toml",
        "/reports/..%2f..%2fsite.toml",
        "/..\\site.toml",
        "/%5c..%5csite.toml",
        "/index.html%00",
        "/.plenary",
        "/_search/.managed.json",
        "/reports/",
    ] {
        let (status, _, body) = site.get(target);
        assert!(
            status == 404 || (target == "/reports/" && status == 200),
            "{target}: {status}"
        );
        assert!(
            !String::from_utf8_lossy(&body).contains("base_url"),
            "{target} leaked site.toml"
        );
    }
    let (status, head, _) = site.get("/fr");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /fr/"), "{head}");
    let (status, _, body) = site.get("/fr/no-such-page/");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("lang=\"fr\""));
}

#[test]
fn files_have_types_etags_and_heads() {
    let site = Served::fixture("basic");
    let (status, head, body) = site.get("/style.css");
    assert_eq!(status, 200);
    assert!(
        head.contains("Content-Type: text/css; charset=utf-8"),
        "{head}"
    );
    assert!(!body.is_empty());
    let etag = head
        .lines()
        .find_map(|l| l.strip_prefix("ETag: "))
        .expect("an ETag")
        .to_string();
    let (status, _, body) = site.raw(
        format!("GET /style.css HTTP/1.1\r\nHost: t\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!((status, body.len()), (304, 0));
    let (status, head, body) =
        site.raw(b"HEAD /index.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 200);
    assert!(head.contains("text/html; charset=utf-8"), "{head}");
    assert!(body.is_empty(), "HEAD sent a body");
    let (status, head, _) =
        site.raw(b"DELETE /index.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 405);
    assert!(head.contains("Allow: GET, HEAD"), "{head}");
    let (_, head, _) = site.get("/reports/annual-2020/report.pdf");
    assert!(head.contains("Content-Type: application/pdf"), "{head}");
    // An SVG opened on its own may draw, not run script.
    let (_, head, _) = site.get("/reports/annual-2020/participation.svg");
    assert!(head.contains("Content-Type: image/svg+xml"), "{head}");
    assert!(
        head.contains("Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"),
        "{head}"
    );
}

#[test]
fn text_is_gzipped_for_clients_that_take_it() {
    use std::io::Read as _;
    let site = Served::fixture("basic");
    let (_, plain_head, plain) = site.get("/index.html");
    assert!(!plain_head.contains("Content-Encoding"), "{plain_head}");
    let ask = |path: &str, accept: &str| {
        site.raw(
            format!("GET {path} HTTP/1.1\r\nHost: t\r\nAccept-Encoding: {accept}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    };
    for accept in ["gzip", "br, gzip;q=0.5", "*", "x-gzip"] {
        let (status, head, body) = ask("/index.html", accept);
        assert_eq!(status, 200, "{accept}");
        assert!(head.contains("Content-Encoding: gzip"), "{accept}: {head}");
        assert!(head.contains("Vary: Accept-Encoding"), "{accept}: {head}");
        assert!(body.len() < plain.len(), "{accept}: smaller");
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, plain, "{accept}: the same page");
        // The gzip version has its own tag, which revalidates too.
        let etag = head
            .lines()
            .find_map(|l| l.strip_prefix("ETag: "))
            .expect("an ETag");
        assert!(etag.ends_with("-gz\""), "{etag}");
        let (status, _, _) = site.raw(
            format!("GET /index.html HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(status, 304, "{accept}: revalidated");
    }
    for accept in ["gzip;q=0", "identity", "br", "*;q=0"] {
        let (_, head, body) = ask("/index.html", accept);
        assert!(!head.contains("Content-Encoding"), "{accept}: {head}");
        assert_eq!(body, plain, "{accept}");
    }
    // The search API's JSON too (when over a kilobyte); a PDF is compressed already.
    let query = "/_search?q=internet&lang=all&per_page=50";
    let (_, _, json) = site.get(query);
    assert!(json.len() > 1024, "a long answer: {}", json.len());
    let (_, head, _) = ask(query, "gzip");
    assert!(head.contains("Content-Encoding: gzip"), "{head}");
    let (_, head, _) = ask("/reports/annual-2020/report.pdf", "gzip");
    assert!(!head.contains("Content-Encoding"), "{head}");
}

#[test]
fn the_search_page_shows_results_without_scripts() {
    let site = Served::fixture("basic");
    let (status, _, body) = site.get("/search/");
    assert_eq!(status, 200);
    let empty = String::from_utf8_lossy(&body).into_owned();
    assert!(empty.contains("<form"), "no form on the search page");
    let (status, head, body) = site.get("/fr/search/?q=cybersecurite&lang=fr");
    assert_eq!(status, 200, "{head}");
    let page = String::from_utf8_lossy(&body);
    assert!(page.contains("lang=\"fr\""));
    assert!(
        page.contains("/fr/reports/annual-2020/"),
        "the French result is not on the page"
    );
    assert!(page.contains("<mark>"), "no marked excerpt");
    let (status, _, body) = site.get("/ar/search/?q=report&lang=de");
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("dir=\"rtl\""));
}

/// A page listening on the live channel: the raw connection, its response head read.
struct Listener {
    reader: BufReader<TcpStream>,
}

impl Listener {
    fn connect(site: &Served) -> Listener {
        let mut stream = TcpStream::connect(&site.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream
            .write_all(b"GET /_plenary/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            head.push_str(&line);
        }
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
            "{head}"
        );
        Listener { reader }
    }

    /// The next named event: (name, data lines joined), pings and settings skipped. Fails
    /// after a minute without one (pings keep the connection itself busy).
    fn next(&mut self) -> (String, String) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            assert!(
                std::time::Instant::now() < deadline,
                "no event from the live channel within a minute"
            );
            let (mut name, mut data) = (String::new(), Vec::new());
            loop {
                let mut line = String::new();
                let read = self.reader.read_line(&mut line).unwrap();
                assert!(read > 0, "the live channel closed");
                let line = line.trim_end_matches(['\r', '\n']);
                if line.is_empty() {
                    break;
                }
                if let Some(event) = line.strip_prefix("event: ") {
                    name = event.to_string();
                } else if let Some(text) = line.strip_prefix("data: ") {
                    data.push(text.to_string());
                }
            }
            if !name.is_empty() {
                return (name, data.join("\n"));
            }
        }
    }
}

impl Served {
    fn root(&self) -> &std::path::Path {
        self.dir.path()
    }

    fn page(&self, target: &str) -> (u16, String, String) {
        let (status, head, body) = self.get(target);
        (status, head, String::from_utf8(body).unwrap())
    }
}

#[test]
fn a_save_rebuilds_and_reloads_and_a_broken_save_shows_its_error_until_fixed() {
    let site = Served::watching("basic");
    let mut live = Listener::connect(&site);
    let page = site.root().join("content/reports/notes.md");
    let original = std::fs::read_to_string(&page).unwrap();

    // A save: the page reloads with the new text, and search finds it.
    let edited = format!("{original}\nThe coordinators reviewed the zanzibar findings.\n");
    std::fs::write(&page, &edited).unwrap();
    assert_eq!(live.next().0, "reload");
    let (status, head, html) = site.page("/reports/notes/");
    assert_eq!(status, 200);
    assert!(html.contains("zanzibar findings"), "{html}");
    assert!(
        html.contains("/_plenary/live"),
        "no live script in the page"
    );
    assert!(
        !html.contains("<pre id=\"plenary-overlay\""),
        "an overlay without an error"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("cache-control: no-store"),
        "{head}"
    );
    let (status, found) = site.json("/_search?q=zanzibar&lang=en");
    assert_eq!(status, 200);
    assert_eq!(found["total"], 1, "{found}");

    // A broken save: the last good site stays, with the diagnostic over every page.
    std::fs::write(&page, "+++\ntitle = \n+++\n\nText.\n").unwrap();
    let (event, text) = live.next();
    assert_eq!(event, "broken");
    assert!(text.contains("content/reports/notes.md:2:"), "{text}");
    assert!(
        !text.contains(&*site.root().to_string_lossy()),
        "a local path in {text}"
    );
    let (status, _, html) = site.page("/reports/notes/");
    assert_eq!(status, 200);
    assert!(
        html.contains("zanzibar findings"),
        "the last good page is served"
    );
    assert!(
        html.contains("<pre id=\"plenary-overlay\""),
        "no overlay: {html}"
    );
    assert!(
        html.contains("content/reports/notes.md:2:"),
        "no diagnostic in the overlay"
    );
    // A page opened now hears of the error at once.
    let mut late = Listener::connect(&site);
    assert_eq!(late.next().0, "broken");

    // Fixed: reload, and the overlay is gone.
    std::fs::write(&page, &original).unwrap();
    assert_eq!(live.next().0, "reload");
    let (_, _, html) = site.page("/reports/notes/");
    assert!(!html.contains("zanzibar"), "{html}");
    assert!(
        !html.contains("<pre id=\"plenary-overlay\""),
        "the overlay stayed"
    );

    // Deleted: the page is gone.
    assert_eq!(site.page("/reports/old/").0, 200);
    std::fs::remove_file(site.root().join("content/reports/old.md")).unwrap();
    assert_eq!(live.next().0, "reload");
    assert_eq!(site.page("/reports/old/").0, 404);

    // A new folder with a page, written the way editors save (a temporary file renamed).
    let folder = site.root().join("content/reports/new-report");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(".index.md.swp"), "swap").unwrap();
    std::fs::write(
        folder.join("index.md.tmp"),
        "+++\ntitle = \"Fresh report\"\n+++\n\nNew.\n",
    )
    .unwrap();
    std::fs::rename(folder.join("index.md.tmp"), folder.join("index.md")).unwrap();
    std::fs::remove_file(folder.join(".index.md.swp")).unwrap();
    assert_eq!(live.next().0, "reload");
    let (status, _, html) = site.page("/reports/new-report/");
    assert_eq!(status, 200);
    assert!(html.contains("Fresh report"), "{html}");
}

#[test]
fn a_storm_of_saves_ends_in_the_last_version() {
    let site = Served::watching("basic");
    let mut live = Listener::connect(&site);
    let page = site.root().join("content/reports/notes.md");
    let original = std::fs::read_to_string(&page).unwrap();
    for i in 0..40 {
        let text = format!("{original}\nRevision number {i} here.\n");
        std::fs::write(&page, text).unwrap();
    }
    // However the saves were grouped, the site settles on the last one.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        assert_eq!(live.next().0, "reload");
        let (_, _, html) = site.page("/reports/notes/");
        if html.contains("Revision number 39 here") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never saw the last save"
        );
    }
}

#[test]
fn the_live_channel_is_for_this_site_in_watch_mode_only() {
    let watching = Served::watching("basic");
    let (status, _, _) = watching.raw(
        b"GET /_plenary/live HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 403);
    let (status, _, _) = watching.raw(
        b"POST /_plenary/live HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 405);

    let production = Served::fixture("basic");
    assert_eq!(production.get("/_plenary/live").0, 404);
    let (_, _, html) = production.page("/reports/notes/");
    assert!(
        !html.contains("/_plenary/live"),
        "the live script outside watch mode"
    );
}

#[test]
fn silent_clients_are_let_go_and_serving_outlives_idle_spells() {
    let site = Served::start("basic", &["--no-watch", "--read-timeout", "1"]);
    // Half a request line, then silence: the server closes the connection.
    let mut slow = TcpStream::connect(&site.address).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    slow.write_all(b"GET /inde").unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "a silent client held its connection for {:?}",
        started.elapsed()
    );
    // No one connecting for longer than the timeout (`accept()` has the same timeout), and
    // a connection kept open across it: both are still answered.
    let mut kept = TcpStream::connect(&site.address).unwrap();
    kept.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(900));
        kept.write_all(b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        // The response head, up to its blank line (HEAD has no body).
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            kept.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        assert!(
            head.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&head)
        );
    }
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(site.get("/").0, 200);
        assert_eq!(site.get("/reports/").0, 200);
    }
}

#[test]
fn connections_are_bounded_and_request_heads_capped() {
    let site = Served::start(
        "basic",
        &[
            "--no-watch",
            "--max-connections",
            "4",
            "--max-connections-per-client",
            "4",
        ],
    );
    // Four idle connections take every place: the fifth is told to come back.
    let idle: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(&site.address).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (status, head, _) = site.get("/");
    assert_eq!(status, 503, "{head}");
    assert!(head.contains("Retry-After: 1"), "{head}");
    drop(idle);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(site.get("/").0, 200, "places are given back");
    // Heads past the limits are refused before anything else reads them.
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Filler: {}\r\n\r\n",
        "x".repeat(20_000)
    );
    assert_eq!(site.raw(huge.as_bytes()).0, 431);
    let many = format!(
        "GET / HTTP/1.1\r\nHost: t\r\n{}\r\n",
        "X-A: b\r\n".repeat(150)
    );
    assert_eq!(site.raw(many.as_bytes()).0, 431);
    assert_eq!(site.raw(b"NOT A REQUEST\r\n\r\n").0, 400);
    assert_eq!(site.raw(b"GET / HTTP/3.0\r\nHost: t\r\n\r\n").0, 505);
    let (status, head, _) =
        site.raw(b"POST /_search HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nq=x");
    assert_eq!(status, 405, "{head}");
    assert!(head.contains("Allow: GET, HEAD"), "{head}");
    // Two requests sent at once on one connection get two answers, in order.
    let mut stream = TcpStream::connect(&site.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(b"GET /style.css HTTP/1.1\r\nHost: t\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut both = Vec::new();
    stream.read_to_end(&mut both).unwrap();
    let both = String::from_utf8_lossy(&both);
    let statuses: Vec<&str> = both
        .match_indices("HTTP/1.1 ")
        .map(|(at, _)| &both[at + 9..at + 12])
        .collect();
    assert_eq!(statuses, ["200", "404"], "{both}");
}

#[test]
fn open_shows_the_site_in_the_browser() {
    // A stand-in browser that notes the address it is given.
    let tools = tempfile::tempdir().unwrap();
    let noted = tools.path().join("opened.txt");
    let browser = tools.path().join("browser");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\necho \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            noted.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let site = Served::start_with("basic", &["--no-watch", "--open"], &[("BROWSER", &browser)]);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !noted.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let opened = std::fs::read_to_string(&noted).unwrap_or_default();
    assert_eq!(opened.trim(), format!("http://{}/", site.address));
}

#[test]
fn ctrl_c_stops_the_server_cleanly_and_removes_its_builds() {
    let mut site = Served::watching("basic");
    assert_eq!(site.get("/").0, 200);
    let builds = site.root().join(".plenary/serve");
    assert!(builds.is_dir());
    let interrupted = Command::new("kill")
        .args(["-INT", &site.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = site.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running 10 s after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(!builds.exists(), "the serve builds were left behind");
    assert!(!site.root().join("public").exists(), "serve wrote public/");
}

/// The bundled site copied to a temporary folder.
fn bundled_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    for folder in ["content", "themes", "i18n"] {
        common::copy_dir(&repo.join(folder), &root.join(folder));
    }
    std::fs::copy(repo.join("site.toml"), root.join("site.toml")).unwrap();
    let root = root.canonicalize().unwrap();
    (dir, root)
}

/// What a search shows: the pages found with their excerpts, and the facets. Sorted: a
/// page replaced in an index still counts in its term statistics until its segment is
/// merged (as in any Lucene-style index), so hits of near-equal score may swap places.
fn search_answer(site: &std::path::Path, query: &str, lang: &str) -> String {
    let searcher = plenary::query::Searcher::open(site).unwrap();
    let request = plenary::query::Request {
        query: query.to_string(),
        lang: lang.to_string(),
        per_page: 100,
        page: 1,
        ..Default::default()
    };
    let response = searcher.search(&request).unwrap();
    let mut hits: Vec<String> = response
        .hits
        .iter()
        .map(|h| format!("{} {} {}", h.url, h.title, h.excerpt))
        .collect();
    hits.sort();
    format!("{} {:?} {:?}", response.total, hits, response.facets)
}

#[test]
fn a_site_patched_after_each_kind_of_edit_equals_a_clean_build() {
    use plenary::serve::Served as Server;
    use plenary::watch::Changes;
    let (dir, root) = bundled_site();
    let options = common::preview_options(&root);
    let (_, server) = Server::start(&options).unwrap().unwrap();
    let patched = server.serving().unwrap();
    let path = |rel: &str| root.join(rel);
    let read = |rel: &str| std::fs::read_to_string(path(rel)).unwrap();
    let write = |rel: &str, text: &str| {
        std::fs::create_dir_all(path(rel).parent().unwrap()).unwrap();
        std::fs::write(path(rel), text).unwrap();
    };
    let how = "content/bpf/how-bpfs-work/index.md";
    let cyber = "content/bpf/cybersecurity-2020/index.md";
    let new_page = "+++\ntitle = \"Marmalade policies\"\ndate = 2030-02-03\nkind = \"page\"\ngroup = \"igf-secretariat\"\nthemes = [\"inclusion\"]\n+++\n\nA page about marmalade, linking [how BPFs work](@/bpf/how-bpfs-work/index.md).\n";
    type Edit<'a> = (&'a str, Box<dyn Fn() -> Vec<&'a str> + 'a>);
    let edits: Vec<Edit> = vec![
        (
            "a body edit",
            Box::new(|| {
                write(how, &format!("{}\nThe marmalade paragraph.\n", read(how)));
                vec![how]
            }),
        ),
        (
            "a title edit",
            Box::new(|| {
                write(
                    cyber,
                    &read(cyber).replacen("title = \"", "title = \"Marmalade and ", 1),
                );
                vec![cyber]
            }),
        ),
        (
            "a date edit that reorders listings",
            Box::new(|| {
                let text = read(cyber);
                let date = text
                    .lines()
                    .find(|l| l.starts_with("date ="))
                    .unwrap()
                    .to_string();
                write(cyber, &text.replacen(&date, "date = 2031-05-06", 1));
                vec![cyber]
            }),
        ),
        (
            "a new page",
            Box::new(|| {
                write("content/bpf/marmalade.md", new_page);
                vec!["content/bpf/marmalade.md"]
            }),
        ),
        (
            "a new translation",
            Box::new(|| {
                write(
                    "content/bpf/marmalade.fr.md",
                    &new_page.replace("Marmalade policies", "Politiques de la confiture"),
                );
                vec!["content/bpf/marmalade.fr.md"]
            }),
        ),
        (
            "a new file in a bundle, linked",
            Box::new(|| {
                write("content/nri/weog-2020/chart.txt", "marmalade figures\n");
                let page = "content/nri/weog-2020/index.md";
                write(page, &format!("{}\n[The figures](chart.txt)\n", read(page)));
                vec!["content/nri/weog-2020/chart.txt", page]
            }),
        ),
        (
            "a slug change on a page others link to",
            Box::new(|| {
                write(
                    how,
                    &read(how).replacen("+++\n", "+++\nslug = \"bpfs-explained\"\n", 1),
                );
                vec![how]
            }),
        ),
        (
            "a page deleted",
            Box::new(|| {
                std::fs::remove_file(path("content/bpf/marmalade.md")).unwrap();
                std::fs::remove_file(path("content/bpf/marmalade.fr.md")).unwrap();
                vec!["content/bpf/marmalade.md", "content/bpf/marmalade.fr.md"]
            }),
        ),
        (
            "a new section folder with a page",
            Box::new(|| {
                write(
                    "content/youth/_index.md",
                    "+++\ntitle = \"Youth IGFs\"\n+++\n\nMarmalade youth.\n",
                );
                write(
                    "content/youth/first/index.md",
                    &new_page.replace("Marmalade policies", "Youth marmalade"),
                );
                vec!["content/youth"]
            }),
        ),
        (
            "a section renamed in every page's menu",
            Box::new(|| {
                let section = "content/dc/_index.md";
                write(
                    section,
                    &read(section).replacen("title = \"", "title = \"Marmalade ", 1),
                );
                vec![section]
            }),
        ),
        (
            "a translation's first paragraph, shown in listings",
            Box::new(|| {
                let page = "content/bpf/cybersecurity-2020/index.fr.md";
                let text = read(page);
                let body = text.rfind("+++\n").unwrap() + 4;
                write(
                    page,
                    &format!(
                        "{}\nConfiture : un premier paragraphe.\n{}",
                        &text[..body],
                        &text[body..]
                    ),
                );
                vec![page]
            }),
        ),
        (
            "a page made a draft",
            Box::new(|| {
                let page = "content/nri/africa-2020/index.md";
                write(
                    page,
                    &read(page).replacen("+++\n", "+++\ndraft = true\n", 1),
                );
                vec![page]
            }),
        ),
        (
            "a folder removed",
            Box::new(|| {
                std::fs::remove_dir_all(path("content/nri/asia-pacific-2020")).unwrap();
                vec!["content/nri/asia-pacific-2020"]
            }),
        ),
    ];
    for (what, edit) in &edits {
        let changed = edit();
        let changes = Changes {
            paths: changed.iter().map(|rel| path(rel)).collect(),
            rescan: false,
        };
        server
            .rebuild(&options, &changes)
            .expect("a change")
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            server.serving().unwrap(),
            patched,
            "{what}: patched in place"
        );
        let clean = dir.path().join("clean");
        common::assert_same_as_clean_build(&root, &patched, &clean, what);
        for (query, lang) in [
            ("marmalade", "all"),
            ("cybersecurity", "en"),
            ("youth", "all"),
        ] {
            assert_eq!(
                search_answer(&patched, query, lang),
                search_answer(&clean, query, lang),
                "{what}: search for {query:?}"
            );
        }
    }
    // A broken save is reported, and its fix patches the site again.
    write(how, &read(how).replacen("+++\n", "+++\ntitel = 3\n", 1));
    let broken = Changes {
        paths: vec![path(how)],
        rescan: false,
    };
    let error = server
        .rebuild(&options, &broken)
        .expect("a change")
        .unwrap_err();
    assert!(
        error.contains("content/bpf/how-bpfs-work/index.md:2:"),
        "{error}"
    );
    write(how, &read(how).replacen("titel = 3\n", "", 1));
    server
        .rebuild(&options, &broken)
        .expect("a change")
        .unwrap();
    assert_eq!(
        server.serving().unwrap(),
        patched,
        "the fix is patched in place"
    );
    // When the watcher loses track, the files' sizes and times say what changed.
    write(
        "content/bpf/rescanned.md",
        &new_page.replace("Marmalade policies", "Found by a rescan"),
    );
    let rescan = Changes {
        paths: Vec::new(),
        rescan: true,
    };
    server
        .rebuild(&options, &rescan)
        .expect("the new page is found")
        .unwrap();
    assert!(
        patched.join("bpf/rescanned/index.html").exists(),
        "the rescan patched the site"
    );
    assert!(
        server.rebuild(&options, &rescan).is_none(),
        "a second rescan finds nothing new"
    );
    // A template change builds the site whole, into a new folder.
    let template = "themes/default/templates/page.html";
    write(template, &format!("{}\n", read(template)));
    let changes = Changes {
        paths: vec![path(template)],
        rescan: false,
    };
    server
        .rebuild(&options, &changes)
        .expect("a change")
        .unwrap();
    assert_ne!(
        server.serving().unwrap(),
        patched,
        "a template change builds whole"
    );
}
