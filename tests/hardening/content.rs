//! What hostile content cannot do: quadratic inputs, script from members, special files, links and Fluent loops.

use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::common;

/// However hostile its input, a command ends within this; one that does not fails its test.
const DEADLINE: Duration = Duration::from_secs(120);

const SITE_TOML: &str = "title = \"T\"\nbase_url = \"https://x.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"fr\"]\n";

const MEMBER_SOURCE: &str =
    "\n[[sources]]\nid = \"kenya-igf\"\npath = \"../kenya\"\nmount = \"nri/kenya\"\n";

/// A site under `site/` of a temporary folder (the built-in theme), members' trees beside it.
struct Site {
    dir: tempfile::TempDir,
}

/// How a command ended: its exit code and what it wrote to standard error.
struct Ran {
    code: Option<i32>,
    stderr: String,
}

impl Site {
    fn new() -> Site {
        let site = Site {
            dir: tempfile::tempdir().unwrap(),
        };
        site.write("site/site.toml", SITE_TOML).write(
            "site/content/_index.md",
            "+++\ntitle = \"Home\"\n+++\nHome.\n",
        );
        site
    }

    /// With a member tree in `../kenya`, mounted at `nri/kenya`, not trusted.
    fn with_member() -> Site {
        let site = Site::new();
        site.write("site/site.toml", &format!("{SITE_TOML}{MEMBER_SOURCE}"))
            .write(
                "kenya/member.toml",
                "name = \"Kenya IGF\"\nkind = \"nri\"\n",
            )
            .write(
                "kenya/content/_index.md",
                "+++\ntitle = \"Kenya IGF\"\n+++\nThe forum.\n",
            )
            .write(
                "kenya/content/report/index.md",
                "+++\ntitle = \"Report\"\n+++\nThe report.\n",
            );
        site
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        common::write_file(self.dir.path(), rel, text);
        self
    }

    fn read(&self, rel: &str) -> String {
        common::read_file(self.dir.path(), rel)
    }

    /// A named pipe at `rel`: opening it for reading waits for a writer that never comes.
    fn fifo(&self, rel: &str) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let status = Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(status.success(), "mkfifo {}", path.display());
        self
    }

    fn symlink(&self, target: &str, rel: &str) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
        self
    }

    /// `plenary <args> --root site`, which must end before the deadline.
    fn plenary(&self, args: &[&str]) -> Ran {
        self.plenary_with(args, &[])
    }

    fn plenary_with(&self, args: &[&str], env: &[(&str, &Path)]) -> Ran {
        let mut command = Command::new(env!("CARGO_BIN_EXE_plenary"));
        command
            .args(args)
            .arg("--root")
            .arg(self.path("site"))
            .envs(env.iter().copied());
        run(command)
    }

    /// A build that succeeds; its warnings.
    fn build_ok(&self) -> String {
        let ran = self.plenary(&["build"]);
        assert_eq!(ran.code, Some(0), "build failed:\n{}", ran.stderr);
        ran.stderr
    }

    /// A build and a check that both fail on the user's files; what the build said.
    fn build_and_check_fail(&self) -> String {
        for command in ["check", "build"] {
            let ran = self.plenary(&[command]);
            assert_eq!(ran.code, Some(1), "{command}:\n{}", ran.stderr);
            if command == "build" {
                return ran.stderr;
            }
        }
        unreachable!()
    }
}

/// Runs `command` to its end, killing it and failing the test if it outlives the deadline.
/// Standard error goes to a file: a pipe nobody reads would block a talkative process.
fn run(mut command: Command) -> Ran {
    let mut log = tempfile::tempfile().unwrap();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log.try_clone().unwrap());
    let shown = format!("{command:?}");
    let mut child = command.spawn().unwrap();
    let code = wait_or_kill(&mut child, &shown);
    let mut stderr = String::new();
    log.rewind().unwrap();
    log.read_to_string(&mut stderr).unwrap();
    Ran { code, stderr }
}

fn wait_or_kill(child: &mut Child, shown: &str) -> Option<i32> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{shown} did not end within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn page(front: &str, body: &str) -> String {
    format!("+++\ntitle = \"{front}\"\n+++\n{body}")
}

// Class 5: every per-document cost near linear, nesting bounded.

#[test]
fn eight_thousand_identical_headings_get_eight_thousand_ids() {
    let site = Site::new();
    site.write(
        "site/content/same.md",
        &page("Same", &"## Same\n\n".repeat(8000)),
    );
    site.build_ok();
    let html = site.read("site/public/same/index.html");
    let ids: std::collections::BTreeSet<&str> = html
        .split("<h2 id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .filter(|id| id.starts_with("same"))
        .collect();
    assert_eq!(ids.len(), 8000, "distinct heading ids");
    assert!(ids.contains("same") && ids.contains("same-7999"));
}

#[test]
fn deep_quotes_lists_and_emphasis_are_flattened_with_a_warning_where_they_get_too_deep() {
    let site = Site::new();
    // 100,000 quote markers on line 4, then lines that keep every quote open.
    let quotes = format!("{} deep\n{}", ">".repeat(100_000), "lazy\n".repeat(20_000));
    let lists = format!("{}item\n{}", "- ".repeat(10_000), "lazy\n".repeat(20_000));
    let open: String = (0..5_000).map(|i| ["*a ", "_a "][i % 2]).collect();
    let close: String = (0..5_000).rev().map(|i| [" a*", " a_"][i % 2]).collect();
    let emphasis = format!("{open}x{close}\n");
    site.write("site/content/quotes.md", &page("Q", &quotes))
        .write("site/content/lists.md", &page("L", &lists))
        .write("site/content/emphasis.md", &page("E", &emphasis));
    let warnings = site.build_ok();
    for (file, position) in [("quotes", "4:33"), ("lists", "4:65"), ("emphasis", "4:97")] {
        let expected = format!("content/{file}.md:{position}");
        let line = warnings
            .lines()
            .find(|l| l.starts_with(&expected))
            .unwrap_or_else(|| panic!("no warning at `{expected}` in:\n{warnings}"));
        assert!(line.contains("warning: nested deeper than"), "{line}");
    }
    for (file, tag, input) in [
        ("quotes", "<blockquote>", quotes.len()),
        ("lists", "<ul>", lists.len()),
        ("emphasis", "<em>", emphasis.len()),
    ] {
        let html = site.read(&format!("site/public/{file}/index.html"));
        assert!(
            html.matches(tag).count() <= 64,
            "{file}: {tag} nested past the limit"
        );
        assert!(
            html.len() < 6 * input + 50_000,
            "{file}: {} bytes of HTML from {input} of Markdown",
            html.len()
        );
    }
    assert_eq!(
        site.plenary(&["check"]).code,
        Some(1),
        "check fails on warnings"
    );
}

#[test]
fn fifty_thousand_broken_links_on_one_line_are_each_reported_at_their_column() {
    let site = Site::new();
    for i in 0..500 {
        site.write(&format!("site/content/p{i}.md"), &page("P", "A page.\n"));
    }
    let links: String = (0..50_000)
        .map(|i| format!("[x](@/gone-{i}.md) "))
        .collect();
    site.write("site/content/links.md", &page("L", &links));
    let err = site.build_and_check_fail();
    let reported = err.matches("error: broken internal link").count();
    assert_eq!(reported, 50_000, "one error per link");
    let last_col = links.len() - "[x](@/gone-49999.md) ".len() + 1;
    let expected =
        format!("content/links.md:4:{last_col}: error: broken internal link `@/gone-49999.md`");
    assert!(err.contains(&expected), "no `{expected}`");
}

#[test]
fn a_members_deeply_nested_raw_html_is_cut_short_and_sanitised() {
    let site = Site::with_member();
    let divs = format!("<div>\n{}x\n", "<div>".repeat(200_000));
    site.write("kenya/content/divs.md", &page("D", &divs));
    let warnings = site.build_ok();
    assert!(
        warnings.contains("../kenya/content/divs.md:5:316: warning: raw HTML nested deeper than"),
        "{warnings}"
    );
    let html = site.read("site/public/nri/kenya/divs/index.html");
    assert!(html.matches("<div").count() < 200, "the nesting was kept");
    assert!(html.len() < 6 * divs.len() + 50_000, "{} bytes", html.len());
}

// Class 6: nothing a member publishes runs script on the site's origin.

#[test]
fn an_untrusted_member_publishes_only_documents_images_and_data() {
    let site = Site::with_member();
    let refused = [
        "evil.html",
        "evil.htm",
        "SHOUT.HTML",
        "evil.xhtml",
        "evil.xml",
        "evil.js",
        "evil.mjs",
        "evil.wasm",
        "evil.swf",
        "evil.css",
        "Makefile",
    ];
    let published = [
        "report.pdf",
        "chart.png",
        "photo.JPG",
        "data.csv",
        "notes.txt",
        "deck.pptx",
    ];
    for name in refused.iter().chain(&published) {
        site.write(
            &format!("kenya/content/report/{name}"),
            "<script>steal()</script>",
        );
    }
    let err = site.build_and_check_fail();
    for name in refused {
        let expected = format!("../kenya/content/report/{name}:1:1: error:");
        assert!(err.contains(&expected), "`{name}` not refused:\n{err}");
    }
    for name in published {
        assert!(
            !err.contains(&format!("report/{name}")),
            "`{name}` refused:\n{err}"
        );
    }
    assert!(
        err.contains("trusted = true"),
        "no hint on trusting:\n{err}"
    );
    assert!(
        err.contains("pdf"),
        "no hint on what may be published:\n{err}"
    );

    // A trusted source publishes what it likes.
    site.write(
        "site/site.toml",
        &format!("{SITE_TOML}{MEMBER_SOURCE}trusted = true\n"),
    );
    site.build_ok();
    assert!(site.path("site/public/nri/kenya/report/evil.html").exists());
}

#[test]
fn svg_addresses_are_read_as_browsers_read_them() {
    let site = Site::with_member();
    let vectors = [
        "java&#9;script:alert(1)",
        "java&#x09;script:alert(1)",
        "java&#x9script:alert(1)",
        "java&Tab;script:alert(1)",
        "java&#10;script:alert(1)",
        "java&NewLine;script:alert(1)",
        "java\tscript:alert(1)",
        "javascript&colon;alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#32; \u{1}javascript:alert(1)",
        "vb&#9;script:msgbox(1)",
        "data&colon;text/html;base64,PHNjcmlwdD4=",
        "da&#x0A;ta:text/html;base64,PHNjcmlwdD4=",
    ];
    for (i, vector) in vectors.iter().enumerate() {
        site.write(
            &format!("kenya/content/report/v{i}.svg"),
            &format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<a href=\"{vector}\">x</a>\n</svg>\n"
            ),
        );
    }
    let err = site.build_and_check_fail();
    for (i, vector) in vectors.iter().enumerate() {
        let expected = format!("../kenya/content/report/v{i}.svg:2:");
        assert!(err.contains(&expected), "{vector:?} passed:\n{err}");
    }
    assert!(
        err.contains("this SVG could run script on the site"),
        "{err}"
    );
}

// Class 7: special files neither hang nor exhaust a build.

#[test]
fn fifos_devices_and_sockets_in_content_end_build_and_check_with_located_errors() {
    let site = Site::new();
    site.fifo("site/content/bpf/f.md")
        .write("site/content/report/index.md", &page("R", "The report.\n"))
        .fifo("site/content/report/data.csv")
        .symlink("/dev/zero", "site/content/zero.md");
    let _socket = std::os::unix::net::UnixListener::bind(site.path("site/content/s.md")).unwrap();
    let err = site.build_and_check_fail();
    for (file, what) in [
        ("content/bpf/f.md", "a FIFO"),
        ("content/report/data.csv", "a FIFO"),
        ("content/zero.md", "a character device"),
        ("content/s.md", "a socket"),
    ] {
        let expected = format!("{file}:1:1: error: `");
        let line = err
            .lines()
            .find(|l| l.starts_with(&expected))
            .unwrap_or_else(|| panic!("`{file}` not reported:\n{err}"));
        assert!(line.contains(what), "{line}");
    }
    assert!(!site.path("site/public").exists(), "nothing was written");
}

#[test]
fn a_fifo_in_a_members_tree_is_a_located_error() {
    let site = Site::with_member();
    site.fifo("kenya/content/report/f.md")
        .fifo("kenya/content/report/map.png");
    let err = site.build_and_check_fail();
    for file in ["f.md", "map.png"] {
        let expected = format!("../kenya/content/report/{file}:1:1: error: `{file}` is a FIFO");
        assert!(err.contains(&expected), "no `{expected}` in:\n{err}");
    }
}

#[test]
fn special_settings_strings_templates_and_static_files_are_located_errors() {
    type Make = dyn Fn(&Site);
    let cases: [(&str, &Make); 7] = [
        ("site.toml", &|s| {
            std::fs::remove_file(s.path("site/site.toml")).unwrap();
            s.fifo("site/site.toml");
        }),
        ("i18n/en/extra.ftl", &|s| {
            s.fifo("site/i18n/en/extra.ftl");
        }),
        ("i18n/en/zero.ftl", &|s| {
            s.symlink("/dev/zero", "site/i18n/en/zero.ftl");
        }),
        ("templates/page.html", &|s| {
            s.fifo("site/templates/page.html");
        }),
        ("templates/zero.html", &|s| {
            s.symlink("/dev/zero", "site/templates/zero.html");
        }),
        ("static/site.css", &|s| {
            s.fifo("site/static/site.css");
        }),
        ("../kenya/member.toml", &|s| {
            std::fs::remove_file(s.path("kenya/member.toml")).unwrap();
            s.fifo("kenya/member.toml");
        }),
    ];
    for (file, make) in cases {
        let site = Site::with_member();
        make(&site);
        let err = site.build_and_check_fail();
        assert!(
            err.contains(&format!("{file}:1:1: error: `")) && err.contains("not a regular file"),
            "{file}:\n{err}"
        );
    }
}

#[test]
fn symbolic_link_loops_in_content_are_located_errors() {
    let site = Site::new();
    site.symlink(".", "site/content/a")
        .symlink("..", "site/content/b/c");
    let err = site.build_and_check_fail();
    assert!(
        err.contains("content/a:1:1: error: `a` is a symbolic link back to a folder that holds it"),
        "{err}"
    );
}

/// The preview server of `site`, watching; stopped when dropped.
struct Served {
    child: Child,
    address: String,
}

impl Served {
    fn start(site: &Site) -> Served {
        let (child, address) = common::spawn_server(&site.path("site"), &[]);
        Served { child, address }
    }

    /// The live channel, its response head read.
    fn listen(&self) -> BufReader<std::net::TcpStream> {
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream
            .write_all(b"GET /_plenary/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let mut reader = BufReader::new(stream);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                return reader;
            }
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The next named event of the live channel and its data; fails after a minute without one
/// (pings keep the connection itself busy).
fn next_event(live: &mut BufReader<std::net::TcpStream>) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut name, mut data) = (String::new(), String::new());
    loop {
        assert!(
            Instant::now() < deadline,
            "no event from the live channel within a minute"
        );
        let mut line = String::new();
        let read = live
            .read_line(&mut line)
            .expect("no event from the live channel within a minute");
        assert!(read > 0, "the live channel closed");
        let line = line.trim_end();
        if let Some(event) = line.strip_prefix("event: ") {
            name = event.to_string();
        } else if let Some(text) = line.strip_prefix("data: ") {
            data.push_str(text);
            data.push('\n');
        } else if line.is_empty() && !name.is_empty() {
            return (name, data);
        }
    }
}

#[test]
fn the_preview_reports_a_fifo_saved_into_content_and_goes_on_watching() {
    let site = Site::new();
    let served = Served::start(&site);
    let mut live = served.listen();
    site.fifo("site/content/f.md");
    let (event, text) = next_event(&mut live);
    assert_eq!(event, "broken", "{text}");
    assert!(
        text.contains("content/f.md:1:1: error: `f.md` is a FIFO"),
        "{text}"
    );
    std::fs::remove_file(site.path("site/content/f.md")).unwrap();
    assert_eq!(next_event(&mut live).0, "reload");
}

// Class 10: Fluent loops, anchors, git.

#[test]
fn a_fluent_message_cycle_is_an_error_at_the_reference_that_closes_it() {
    let site = Site::new();
    site.write(
        "site/i18n/en/extra.ftl",
        "footer-feed = Feed { footer-feed }\n",
    );
    let err = site.build_and_check_fail();
    assert!(
        err.contains("i18n/en/extra.ftl:1:22: error: message `footer-feed` refers to itself"),
        "{err}"
    );
    assert!(!site.path("site/public").exists(), "nothing was published");

    // Through several messages and a term: reported once, where the loop closes.
    site.write(
        "site/i18n/en/extra.ftl",
        "a = A { b }\nb = B { -t }\n-t = T { a }\n",
    );
    let err = site.build_and_check_fail();
    assert!(
        err.contains("i18n/en/extra.ftl:3:10: error: messages refer to each other in a loop: `a` → `b` → `-t` → `a`"),
        "{err}"
    );
    assert_eq!(err.matches("in a loop").count(), 1, "{err}");
}

#[test]
fn fluent_placeables_nested_thousands_deep_are_an_error_not_a_crash() {
    let site = Site::new();
    let deep = 100_000;
    site.write(
        "site/i18n/en/extra.ftl",
        &format!("deep = {}\"x\"{}\n", "{".repeat(deep), "}".repeat(deep)),
    );
    let err = site.build_and_check_fail();
    assert!(
        err.contains("i18n/en/extra.ftl:1:40: error: placeables nested deeper than 32"),
        "{err}"
    );
}

#[test]
fn internal_links_to_headings_a_page_lacks_are_errors_with_a_suggestion() {
    let site = Site::new();
    site.write(
        "site/content/b.md",
        &page("B", "## Introduction\n\n## Own words {#mine}\n\n[^note]: A note.\n"),
    )
    .write(
        "site/content/b.fr.md",
        &page("B", "## Présentation\n\n## Mots {#mine}\n"),
    )
    .write(
        "site/content/a.md",
        &page(
            "A",
            "[ok](@/b.md#introduction) [own](@/b.md#mine) [note](@/b.md#note)\n\n[typo](@/b.md#introductio) [none](@/b.md#zzz)\n",
        ),
    )
    .write(
        "site/content/a.fr.md",
        &page("A", "[fr](@/b.md#introduction) [own](@/b.md#mine)\n"),
    );
    let err = site.build_and_check_fail();
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error:")).collect();
    assert_eq!(errors.len(), 3, "{err}");
    assert!(err.contains("content/a.md:6:1: error: broken internal link `@/b.md#introductio`: `b.md` has no heading `#introductio`\n  = hint: did you mean `#introduction`?"), "{err}");
    assert!(
        err.contains("content/a.md:6:28: error: broken internal link `@/b.md#zzz`"),
        "{err}"
    );
    assert!(err.contains("content/a.fr.md:4:1: error: broken internal link `@/b.md#introduction`: `b.fr.md` has no heading `#introduction`"), "{err}");
}

/// A git repository of a member tree at `rel`, with one commit.
fn git_member(site: &Site, rel: &str) {
    site.write(
        &format!("{rel}/member.toml"),
        "name = \"DC\"\nkind = \"dc\"\n",
    )
    .write(
        &format!("{rel}/content/good.md"),
        &page("Good", "Good practice.\n"),
    );
    let dir = site.path(rel);
    for args in [
        &["init", "--quiet", "--initial-branch=main"][..],
        &["add", "--all"],
        &["commit", "--quiet", "-m", "first"],
    ] {
        let status = Command::new("git")
            .current_dir(&dir)
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }
}

fn git_source(url: &str) -> String {
    format!("{SITE_TOML}\n[[sources]]\nid = \"dc-iot\"\ngit = \"{url}\"\nrev = \"main\"\nmount = \"dc/iot\"\n")
}

#[test]
fn a_git_fetch_error_shows_gits_whole_message() {
    let site = Site::new();
    site.write("site/site.toml", &git_source("../nowhere.git"));
    let err = site.build_and_check_fail();
    assert!(
        err.contains("error: source `dc-iot` at `main`: cannot fetch"),
        "{err}"
    );
    assert!(
        err.contains("does not appear to be a git repository"),
        "{err}"
    );
}

#[test]
fn the_users_own_git_hooks_never_run_on_members_checkouts() {
    let site = Site::new();
    git_member(&site, "iot");
    site.write("site/site.toml", &git_source("../iot"));
    // A home whose git configuration runs a hook at every step git could take.
    let home = site.path("home");
    let ran = site.path("a-hook-ran");
    for hook in [
        "post-checkout",
        "reference-transaction",
        "post-merge",
        "post-rewrite",
        "pre-auto-gc",
        "post-index-change",
    ] {
        let path = home.join("hooks").join(hook);
        site.write(
            &format!("home/hooks/{hook}"),
            &format!("#!/bin/sh\necho {hook} >> '{}'\n", ran.display()),
        );
        let mut permissions = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&path, permissions).unwrap();
    }
    let config = home.join(".gitconfig");
    std::fs::write(
        &config,
        format!("[core]\n\thooksPath = {}\n", home.join("hooks").display()),
    )
    .unwrap();
    let env = [
        ("HOME", home.as_path()),
        ("GIT_CONFIG_GLOBAL", config.as_path()),
    ];
    let ran_build = site.plenary_with(&["build"], &env);
    assert_eq!(ran_build.code, Some(0), "{}", ran_build.stderr);
    assert!(site.path("site/public/dc/iot/good/index.html").exists());
    assert!(
        !ran.exists(),
        "the user's hooks ran: {}",
        std::fs::read_to_string(&ran).unwrap_or_default()
    );
}
