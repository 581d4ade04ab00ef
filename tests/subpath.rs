//! A site published under a path (`base_url = "https://example.org/igf/"`), through the real
//! binary: every link of every built page leads to a file of the site under that path, the
//! machine-read files name it, and `plenary serve` serves the site there.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const HOST: &str = "https://example.org";

/// The `basic` fixture with what a sub-path can break besides its own pages: a member and
/// its page, the translation dashboard, the search export, a bundle's image and a Markdown
/// link written from the site's root. `site/` is the site, `kenya/` the member's tree.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(base_url: &str) -> Fixture {
        let copy = common::fixture_copy("basic");
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(copy.path(), &dir.path().join("site"));
        let site = dir.path().join("site");
        let toml = common::read_file(&site, "site.toml").replace(
            "base_url = \"https://fixture.example.org\"",
            &format!("base_url = \"{base_url}\""),
        );
        assert!(toml.contains(base_url), "the fixture names its base_url");
        let more = "\n[search]\nexport = true\n\n[i18n]\ndashboard = true\n\n[[sources]]\nid = \"kenya-igf\"\npath = \"../kenya\"\nmount = \"nri/kenya\"\n";
        common::write_file(&site, "site.toml", &format!("{toml}{more}"));
        let report = "content/reports/annual-2020/index.md";
        let text = common::read_file(&site, report);
        common::write_file(
            &site,
            report,
            &format!("{text}\n![Participation](participation.svg)\n\nAll [reports](/reports/) and the [French home](/fr/).\n"),
        );
        let root = dir.path();
        common::write_file(root, "kenya/member.toml", "name = \"Kenya IGF\"\nkind = \"nri\"\nregion = \"africa\"\nwebsite = \"https://kigf.or.ke\"\n");
        common::write_file(root, "kenya/content/_index.md", "+++\ntitle = \"Kenya IGF\"\n+++\nThe Kenya forum. Its [report](@/report-2020/index.md).\n");
        common::write_file(root, "kenya/content/report-2020/index.md", "+++\ntitle = \"Kenya IGF 2020 report\"\ndate = 2020-09-24\n+++\nAffordable access. ![chart](chart.png)\n");
        common::write_file(root, "kenya/content/report-2020/chart.png", "PNG");
        Fixture { dir }
    }

    fn site(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    /// Builds the site into `out/` and returns that folder.
    fn build(&self) -> PathBuf {
        let out = self.dir.path().join("out");
        let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
            .arg("build")
            .arg("--root")
            .arg(self.site())
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        out
    }
}

/// The attributes of the tags of an HTML document, each with the byte range of its value as
/// written (entities left as they are). Comments, doctypes, end tags and the text of scripts
/// and styles hold no attributes.
fn attributes(html: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(at) = html[i..].find('<').map(|at| i + at) {
        i = at + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(bytes.len(), |end| i + end + 3);
            continue;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = html[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(bytes.len(), |end| i + end);
        let tag = html[i..name_end].to_ascii_lowercase();
        i = name_end;
        loop {
            while bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
            {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let name_start = i;
            while bytes
                .get(i)
                .is_some_and(|b| !b.is_ascii_whitespace() && !b"=>/".contains(b))
            {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            if bytes.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            let value = match bytes.get(i) {
                Some(&quote) if quote == b'"' || quote == b'\'' => {
                    let end = html[i + 1..]
                        .find(quote as char)
                        .map_or(bytes.len(), |end| i + 1 + end);
                    let range = i + 1..end;
                    i = end + 1;
                    range
                }
                _ => {
                    let start = i;
                    while bytes
                        .get(i)
                        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                    {
                        i += 1;
                    }
                    start..i
                }
            };
            found.push((name, value));
        }
        if tag == "script" || tag == "style" {
            let close = format!("</{tag}");
            i = html[i..].find(&close).map_or(bytes.len(), |end| i + end);
        }
    }
    found
}

/// The attributes that lead somewhere: links, sources, forms, the search API's address and
/// what the search page searches with on a static host (its manifest and worker).
const URL_ATTRIBUTES: [&str; 6] = [
    "href",
    "src",
    "action",
    "data-api",
    "data-index",
    "data-worker",
];

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every file under `dir` with `extension`, by path relative to it.
fn files_with(dir: &Path, extension: &str) -> BTreeMap<String, String> {
    common::site_files(dir)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(extension))
        .map(|(rel, bytes)| (rel, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// Why `url`, found in `file`, does not lead to a file of the site built in `out` and
/// published at `HOST` + `base_path`; `None` when it does (or leads off the site).
fn broken(url: &str, out: &Path, base_path: &str) -> Option<String> {
    let path = if let Some(rest) = url.strip_prefix(HOST) {
        rest
    } else if url.starts_with('/') && !url.starts_with("//") {
        url
    } else {
        return None;
    };
    let Some(inside) = path.strip_prefix(base_path) else {
        return Some(format!("`{url}` is not under `{base_path}/`"));
    };
    if inside.is_empty() && url.starts_with(HOST) {
        // The site's address itself (the search export's header).
        return None;
    }
    if !inside.starts_with('/') {
        return Some(format!("`{url}` is not under `{base_path}/`"));
    }
    let inside = inside.split(['?', '#']).next().unwrap_or_default();
    let mut rel = plenary::url::decode(inside.trim_start_matches('/'));
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    }
    if inside == "/_search" {
        return None;
    }
    (!out.join(&rel).is_file()).then(|| format!("`{url}` names `{rel}`, which is not built"))
}

/// Every URL of every page, feed, sitemap, `robots.txt` and search export line that leads
/// into the site leads to a file that was built, under `base_path`.
fn assert_links_lead_to_built_files(out: &Path, base_path: &str) {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (rel, html) in files_with(out, ".html") {
        for (name, range) in attributes(&html) {
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                checked += 1;
                let url = unescape(&html[range]);
                problems
                    .extend(broken(&url, out, base_path).map(|p| format!("{rel}: {name}: {p}")));
            }
        }
    }
    let machine_read = files_with(out, ".xml")
        .into_iter()
        .chain(files_with(out, ".txt"))
        .chain(files_with(out, ".jsonl"));
    for (rel, text) in machine_read {
        for found in text.match_indices(HOST) {
            let url: String = text[found.0..]
                .chars()
                .take_while(|c| !"\"<> \n".contains(*c))
                .collect();
            checked += 1;
            problems.extend(broken(&url, out, base_path).map(|p| format!("{rel}: {p}")));
        }
    }
    assert!(
        checked > 500,
        "only {checked} URLs found: the scanner missed them"
    );
    assert!(
        problems.is_empty(),
        "{} broken:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_link_of_a_site_under_a_path_leads_to_a_built_file_under_that_path() {
    let fixture = Fixture::new("https://example.org/igf/");
    let out = fixture.build();
    assert_links_lead_to_built_files(&out, "/igf");
    let robots = common::read_file(&out, "robots.txt");
    assert!(
        robots.contains("Sitemap: https://example.org/igf/sitemap.xml"),
        "{robots}"
    );
    let search = common::read_file(&out, "fr/search/index.html");
    for wanted in [
        "action=\"/igf/fr/search/\"",
        "data-api=\"/igf/_search\"",
        "data-base-path=\"/igf\"",
        "src=\"/igf/search.js\"",
    ] {
        assert!(search.contains(wanted), "no {wanted} on the search page");
    }
}

/// `html` of a site at the host's root as it reads under `base_path`: the path before every
/// URL that leads into the site.
fn moved_under(html: &str, base_path: &str) -> String {
    let mut moved = String::with_capacity(html.len());
    let mut copied = 0;
    for (name, range) in attributes(html) {
        if !URL_ATTRIBUTES.contains(&name.as_str()) {
            continue;
        }
        let value = &html[range.clone()];
        let rooted = value.starts_with('/') && !value.starts_with("//");
        let at = if rooted {
            range.start
        } else if value.starts_with(HOST) {
            range.start + HOST.len()
        } else {
            continue;
        };
        moved.push_str(&html[copied..at]);
        moved.push_str(base_path);
        copied = at;
    }
    moved.push_str(&html[copied..]);
    moved
}

#[test]
fn a_site_under_a_path_differs_from_one_at_the_root_only_by_that_path_before_its_urls() {
    // The site at the root is checked too: its links lead to its files, as they always did.
    let (root_site, path_site) = (Fixture::new(HOST), Fixture::new("https://example.org/igf/"));
    let (at_root, under) = (root_site.build(), path_site.build());
    assert_links_lead_to_built_files(&at_root, "");
    let search = common::read_file(&at_root, "search/index.html");
    assert!(
        !search.contains("data-base-path"),
        "a base path for a site without one"
    );
    let (root_pages, path_pages) = (files_with(&at_root, ".html"), files_with(&under, ".html"));
    assert_eq!(
        root_pages.keys().collect::<Vec<_>>(),
        path_pages.keys().collect::<Vec<_>>(),
        "the same files, at the root of the output"
    );
    for (rel, html) in &root_pages {
        let expected = moved_under(html, "/igf");
        let got = path_pages[rel].replace(" data-base-path=\"/igf\"", "");
        if got != expected {
            let at = got
                .bytes()
                .zip(expected.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let around = |s: &str| {
                let bytes = &s.as_bytes()[at.saturating_sub(120)..(at + 120).min(s.len())];
                String::from_utf8_lossy(bytes).into_owned()
            };
            panic!(
                "{rel}: differs at byte {at}:\n{}\n---- expected:\n{}",
                around(&got),
                around(&expected)
            );
        }
    }
}

#[test]
fn base_paths_that_cannot_be_written_as_they_are_are_refused_where_they_are_written() {
    for base_url in [
        "https://example.org/a b/",
        "https://example.org/%7Eigf/",
        "https://example.org/igf?x=1",
        "https://example.org/a//b/",
        "https://example.org/a/../b/",
    ] {
        let fixture = Fixture::new(base_url);
        let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
            .args(["check", "--root"])
            .arg(fixture.site())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{base_url}: {stderr}");
        assert!(
            stderr.contains("site.toml:2:"),
            "{base_url}: the line of `base_url`: {stderr}"
        );
        assert!(stderr.contains("base_url"), "{base_url}: {stderr}");
    }
}

/// The site served by the real binary; stopped when dropped.
struct Server {
    child: Child,
    address: String,
    _fixture: Fixture,
}

impl Server {
    fn start(fixture: Fixture, options: &[&str]) -> Server {
        let (child, printed) = common::spawn_server(&fixture.site(), options);
        let mut server = Server {
            child,
            address: String::new(),
            _fixture: fixture,
        };
        // The server prints the address to open: the site's own, under its path. (A failed
        // assertion drops `server`, which stops the process.)
        let address = printed.strip_suffix("/igf");
        assert!(
            address.is_some(),
            "the address printed is not the site's: {printed}"
        );
        server.address = address.unwrap_or_default().to_string();
        server
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream
    }

    fn get(&self, target: &str) -> (u16, String, String) {
        let mut stream = self.connect();
        let request =
            format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).unwrap();
        let reply = String::from_utf8_lossy(&reply).into_owned();
        let (head, body) = reply.split_once("\r\n\r\n").expect("a whole response");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_string(), body.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn location(head: &str) -> Option<&str> {
    head.lines().find_map(|line| {
        line.strip_prefix("Location: ")
            .or_else(|| line.strip_prefix("location: "))
    })
}

#[test]
fn the_server_serves_the_site_under_its_path_as_the_host_will() {
    let server = Server::start(Fixture::new("https://example.org/igf/"), &["--no-watch"]);
    let (status, _, home) = server.get("/igf/");
    assert_eq!(status, 200);
    assert!(home.contains("href=\"/igf/style.css\""), "{home}");
    let (status, _, css) = server.get("/igf/style.css");
    assert_eq!(status, 200);
    assert!(css.contains('{'), "not the stylesheet: {css}");
    let (status, _, french) = server.get("/igf/fr/");
    assert_eq!(status, 200);
    assert!(french.contains("lang=\"fr\""));
    for (target, to) in [("/", "/igf/"), ("/igf", "/igf/"), ("/igf/fr", "/igf/fr/")] {
        let (status, head, _) = server.get(target);
        assert!(matches!(status, 301 | 302), "{target}: {head}");
        assert_eq!(location(&head), Some(to), "{target}: {head}");
    }
    let (status, _, page) = server.get("/igf/search/?q=cybersecurity");
    assert_eq!(status, 200);
    assert!(
        page.contains("href=\"/igf/reports/annual-2020/\""),
        "no hit under the path: {page}"
    );
    let (status, _, json) = server.get("/igf/_search?q=cybersecurity");
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        answer["hits"][0]["url"], "/reports/annual-2020/",
        "{answer}"
    );
    // Outside the path there is no site: what the host would answer there is not Plenary's.
    for outside in ["/fr/", "/style.css", "/_search?q=cybersecurity", "/igfx/"] {
        assert_eq!(server.get(outside).0, 404, "{outside}");
    }
    let (status, _, missing) = server.get("/igf/fr/nothing-here/");
    assert_eq!(status, 404);
    assert!(
        missing.contains("href=\"/igf/fr/\""),
        "the 404 page links the French home: {missing}"
    );
}

#[test]
fn the_preview_under_a_path_has_its_dashboard_live_channel_and_patched_pages() {
    let server = Server::start(Fixture::new("https://example.org/igf/"), &[]);
    let (status, _, dashboard) = server.get("/igf/translations/");
    assert_eq!(status, 200);
    assert!(
        dashboard.contains("href=\"/igf/reports/notes/\""),
        "{dashboard}"
    );
    assert!(dashboard.contains("/_plenary/live"), "no live script");
    let mut stream = server.connect();
    stream
        .write_all(b"GET /_plenary/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut live = BufReader::new(stream);
    let notes = server._fixture.site().join("content/reports/notes.md");
    let text = std::fs::read_to_string(&notes).unwrap();
    std::fs::write(
        &notes,
        format!("{text}\nSee the [section](@/reports/_index.md).\n"),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "no reload within a minute");
        let mut line = String::new();
        assert!(
            live.read_line(&mut line).unwrap() > 0,
            "the live channel closed"
        );
        if line.trim() == "event: reload" {
            break;
        }
    }
    let (status, _, page) = server.get("/igf/reports/notes/");
    assert_eq!(status, 200);
    assert!(
        page.contains("<a href=\"/igf/reports/\">section</a>"),
        "{page}"
    );
}
