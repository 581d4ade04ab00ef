//! What `build --out` cannot do: delete what Plenary did not write, publish half a site, write one path twice.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use super::common;

fn plenary(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

fn build_into(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plenary"));
    command
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out);
    command.args(extra).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file, folder and link under `dir`, with the bytes of files and the targets of links:
/// what must not change when a build is refused. Links are not followed.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(base).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, format!("link to {}", target.display()));
            } else if meta.is_dir() {
                out.insert(rel, "folder".into());
                walk(&path, base, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(rel, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// The lines of the diagnostics (`path:line:col: error: ...`) a run printed.
fn diagnostic_lines(output: &Output) -> Vec<String> {
    stderr(output)
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .map(str::to_string)
        .collect()
}

/// A temporary folder holding the `basic` fixture at `site/` with a `static/` folder, a
/// member's tree at `member/` (listed in `site.toml`), a `.plenary/cache` and a link
/// `link` to the site's `content/`.
fn site_with_neighbours() -> tempfile::TempDir {
    let top = tempfile::tempdir().unwrap();
    let site = top.path().join("site");
    let fixture = common::fixture_copy("basic");
    common::copy_dir(fixture.path(), &site);
    let toml = common::read_file(&site, "site.toml");
    common::write_file(
        &site,
        "site.toml",
        &format!("{toml}\n[[sources]]\nid = \"kenya-igf\"\npath = \"../member\"\nmount = \"nri/kenya\"\n"),
    );
    common::write_file(&site, "static/robots-extra.txt", "kept");
    common::write_file(&site, ".plenary/cache/keep", "cached");
    let member = top.path().join("member");
    common::write_file(
        &member,
        "member.toml",
        "name = \"Kenya IGF\"\nkind = \"nri\"\nregion = \"africa\"\n",
    );
    common::write_file(
        &member,
        "content/report.md",
        "+++\ntitle = \"Kenya report\"\ndate = 2020-01-01\n+++\nText.\n",
    );
    std::os::unix::fs::symlink(site.join("content"), top.path().join("link")).unwrap();
    top
}

#[test]
fn an_output_that_holds_or_lies_in_the_sources_is_refused_even_forced() {
    // (what it is, `--out` relative to the folder holding `site/`)
    let cases = [
        ("the content folder", "site/content"),
        ("the content folder with a trailing slash", "site/content/"),
        ("the content folder through `..`", "site/themes/../content"),
        ("a folder inside content", "site/content/public"),
        ("the site root", "site"),
        ("the site root as `.`", "site/."),
        ("a folder holding the site root", "."),
        ("the theme", "site/themes"),
        ("the interface strings", "site/i18n"),
        ("the static files", "site/static"),
        ("the git cache", "site/.plenary"),
        ("a member's tree", "member"),
        ("a folder inside a member's tree", "member/content/public"),
        ("a link to the content folder", "link"),
        ("a folder under a link to the content folder", "link/x"),
    ];
    for force in [false, true] {
        for (what, out) in cases {
            let top = site_with_neighbours();
            let before = snapshot(top.path());
            let out = format!("{}/{out}", top.path().display());
            let args: &[&str] = if force { &["--force"] } else { &[] };
            let output = build_into(&top.path().join("site"), Path::new(&out), args);
            let text = stderr(&output);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{what} (force: {force}): {text}"
            );
            assert!(
                text.contains(&format!("`{out}`")) && text.contains("hint:"),
                "{what}: the message names the folder and says what to do: {text}"
            );
            assert_eq!(
                snapshot(top.path()),
                before,
                "{what} (force: {force}): nothing may change"
            );
        }
    }
}

#[test]
fn a_folder_plenary_did_not_write_is_replaced_only_when_forced() {
    let top = site_with_neighbours();
    let site = top.path().join("site");
    let out = top.path().join("mine");
    common::write_file(&out, "notes.txt", "my notes");
    common::write_file(&out, "drafts/plan.md", "my plan");
    let output = build_into(&site, &out, &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("notes.txt") && text.contains("--force"),
        "the message says what is there and how to replace it: {text}"
    );
    assert_eq!(common::read_file(&out, "notes.txt"), "my notes");
    assert_eq!(common::read_file(&out, "drafts/plan.md"), "my plan");

    // A `public/` from before builds left a mark is refused the same way.
    common::write_file(&site, "public/index.html", "an older site");
    let output = plenary(&site, &["build"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    assert_eq!(
        common::read_file(&site, "public/index.html"),
        "an older site"
    );

    // Forced once, the folder is Plenary's from then on.
    let output = build_into(&site, &out, &["--force"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!out.join("notes.txt").exists());
    assert!(out.join("index.html").exists());
    let output = build_into(&site, &out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));

    // An empty folder is fine.
    let empty = top.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = build_into(&site, &empty, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(empty.join("index.html").exists());

    // A file is not a folder to build into, forced or not.
    let file = top.path().join("file.txt");
    std::fs::write(&file, "a file").unwrap();
    for args in [&[][..], &["--force"][..]] {
        let output = build_into(&site, &file, args);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "a file");
    }
}

/// The `basic` fixture with `pages` more pages, so that a build takes a while.
fn big_site(pages: usize) -> tempfile::TempDir {
    let site = common::fixture_copy("basic");
    for n in 0..pages {
        common::write_file(
            site.path(),
            &format!("content/reports/generated-{n:04}.md"),
            &format!(
                "+++\ntitle = \"Generated report {n}\"\ndate = 2019-01-{:02}\nthemes = [\"theme-{}\"]\nregion = \"global\"\n+++\n{}\n",
                n % 28 + 1,
                n % 7,
                "Words about the forum's work in this year. ".repeat(40)
            ),
        );
    }
    site
}

#[test]
fn two_builds_into_one_folder_leave_one_complete_site() {
    let site = big_site(300);
    let top = tempfile::tempdir().unwrap();
    let clean = top.path().join("clean");
    let output = build_into(site.path(), &clean, &[]);
    assert!(output.status.success(), "{}", stderr(&output));

    let out = top.path().join("out");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_plenary"))
            .arg("build")
            .arg("--root")
            .arg(site.path())
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (start(), start());
    let pids = [first.id(), second.id()];
    let outputs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    let built: Vec<usize> = (0..2).filter(|&i| outputs[i].status.success()).collect();
    assert_eq!(
        built.len(),
        1,
        "one build goes ahead and the other is refused:\n{}\n----\n{}",
        stderr(&outputs[0]),
        stderr(&outputs[1])
    );
    let refused = &outputs[1 - built[0]];
    let text = stderr(refused);
    assert_eq!(refused.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!("another build (process {})", pids[built[0]])),
        "the refused build names the other: {text}"
    );
    let (got, want) = (common::site_files(&out), common::site_files(&clean));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the site is whole"
    );
    assert!(got == want, "the site is the one a clean build makes");
}

/// A built site at `<site>/public`, and a broken page, so that the next build fails early.
fn built_then_broken() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let site = common::fixture_copy("basic");
    let output = plenary(site.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let built = common::site_files(&site.path().join("public"));
    common::write_file(
        site.path(),
        "content/broken.md",
        "+++\ntitel = \"x\"\n+++\n",
    );
    (site, built)
}

#[test]
fn a_crash_between_the_two_renames_is_recovered_by_the_next_build() {
    // Killed after the previous site was moved aside and before the new one was moved in.
    let (site, built) = built_then_broken();
    let root = site.path();
    std::fs::rename(root.join("public"), root.join(".public.staging.old")).unwrap();
    common::write_file(root, ".public.staging/index.html", "half a site");
    let output = plenary(root, &["build"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        root.join("public").is_dir(),
        "the previous site is back in place"
    );
    assert!(common::site_files(&root.join("public")) == built);
    assert!(!root.join(".public.staging.old").exists());
    assert!(!root.join(".public.staging").exists());

    // Killed after the new site was moved in, before the previous one was removed.
    let (site, built) = built_then_broken();
    let root = site.path();
    common::write_file(root, ".public.staging.old/index.html", "the site before");
    let output = plenary(root, &["build"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(common::site_files(&root.join("public")) == built);
    assert!(
        !root.join(".public.staging.old").exists(),
        "the leftover previous site is removed"
    );
}

/// The `basic` fixture (two pages a listing page) with `n` more pages in the region `global`.
fn site_with_global_pages(n: usize) -> tempfile::TempDir {
    let site = common::fixture_copy("basic");
    for i in 0..n {
        common::write_file(
            site.path(),
            &format!("content/reports/global-{i}.md"),
            &format!("+++\ntitle = \"Global {i}\"\ndate = 2018-01-0{}\nregion = \"global\"\n+++\nText.\n", i % 9 + 1),
        );
    }
    site
}

#[test]
fn a_term_value_cannot_take_the_place_of_another_listing() {
    let site = site_with_global_pages(5);
    let output = plenary(site.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page_two = common::read_file(site.path(), "public/regions/global/page/2/index.html");
    common::write_file(
        site.path(),
        "content/reports/evil.md",
        "+++\ntitle = \"Evil\"\nregion = \"global/page/2\"\n+++\nText.\n",
    );
    let output = plenary(site.path(), &["build"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines = diagnostic_lines(&output);
    assert!(
        lines.len() == 1
            && lines[0].starts_with("content/reports/evil.md:3:10: error: ")
            && lines[0].contains("global/page/2"),
        "located at the value: {lines:?}"
    );
    assert!(stderr(&output).contains("hint:"), "{}", stderr(&output));
    assert_eq!(
        common::read_file(site.path(), "public/regions/global/page/2/index.html"),
        page_two
    );
}

#[test]
fn a_members_term_value_is_checked_as_the_sites_are() {
    let top = site_with_neighbours();
    common::write_file(
        top.path(),
        "member/content/evil.md",
        "+++\ntitle = \"Evil\"\nregion = \"global/page/2\"\n+++\nText.\n",
    );
    let output = plenary(&top.path().join("site"), &["build"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        diagnostic_lines(&output)
            .iter()
            .map(|l| l.split(": error: ").next().unwrap())
            .collect::<Vec<_>>(),
        ["../member/content/evil.md:3:10"]
    );
}

#[test]
fn term_values_are_one_plain_url_segment() {
    // (front matter line, column of the bad value)
    let cases = [
        ("group = \"A/B\"", 9),
        ("group = \"..\"", 9),
        ("group = \".\"", 9),
        ("group = \"\"", 9),
        ("kind = \"a\\\\b\"", 8),
        ("region = \"a\\u0000b\"", 10),
        ("region = \"tab\\there\"", 10),
        ("themes = [\"ok\", \"a?b\"]", 17),
        ("themes = [\"a#b\"]", 11),
        ("themes = [\"100%\"]", 11),
        ("themes = [\"two words\"]", 11),
        ("themes = [\"zero\\u200Bwidth\"]", 11),
        ("themes = [\"rtl\\u202Eoverride\"]", 11),
        ("themes = [\".hidden\"]", 11),
    ];
    for (line, col) in cases {
        let site = common::fixture_copy("basic");
        common::write_file(
            site.path(),
            "content/reports/term.md",
            &format!("+++\ntitle = \"T\"\n{line}\n+++\nText.\n"),
        );
        let output = plenary(site.path(), &["build"]);
        assert_eq!(output.status.code(), Some(1), "{line}: {}", stderr(&output));
        let lines = diagnostic_lines(&output);
        assert!(
            lines.len() == 1
                && lines[0].starts_with(&format!("content/reports/term.md:3:{col}: error: ")),
            "{line}: {lines:?}"
        );
        assert!(
            stderr(&output).contains("hint:"),
            "{line}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn two_writers_of_one_path_are_an_error_naming_both() {
    // (what, files to add, the file the error is on, the other writer it names)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            "a page and the second page of its section",
            &[("content/reports/page/2.md", "+++\ntitle = \"Two\"\n+++\n")],
            "content/reports/page/2.md",
            "content/reports/_index.md",
        ),
        (
            "a page's slug and a pagination page",
            &[
                ("content/reports/x.md", "+++\ntitle = \"X\"\n+++\n"),
                (
                    "content/reports/page/y.md",
                    "+++\ntitle = \"Y\"\nslug = \"2\"\n+++\n",
                ),
            ],
            "content/reports/page/y.md",
            "content/reports/_index.md",
        ),
        (
            "a page and a term listing",
            &[(
                "content/regions/global.md",
                "+++\ntitle = \"Global\"\n+++\n",
            )],
            "content/regions/global.md",
            "content/reports/annual-2020/index.md",
        ),
        (
            "a section and the list of a taxonomy",
            &[("content/years/_index.md", "+++\ntitle = \"Years\"\n+++\n")],
            "content/years/_index.md",
            "site.toml",
        ),
        (
            "a bundle file and a page",
            &[("content/reports/annual-2020/index.html", "<p>a file</p>")],
            "content/reports/annual-2020/index.html",
            "content/reports/annual-2020/index.md",
        ),
        (
            "a static file and a page",
            &[("static/reports/index.html", "<p>static</p>")],
            "static/reports/index.html",
            "content/reports/_index.md",
        ),
        (
            "a static file and a bundle file",
            &[("static/reports/annual-2020/report.pdf", "PDF")],
            "static/reports/annual-2020/report.pdf",
            "content/reports/annual-2020/report.pdf",
        ),
        (
            "a static file where a page needs a folder",
            &[("static/reports", "a file")],
            "static/reports",
            "content/reports/_index.md",
        ),
        (
            "a static file and the feed",
            &[("static/atom.xml", "<feed/>")],
            "static/atom.xml",
            "atom",
        ),
        (
            "a page in the search index's folder",
            &[("content/_search.md", "+++\ntitle = \"S\"\n+++\n")],
            "content/_search.md",
            "search index",
        ),
        (
            "two names that differ in case",
            &[
                ("content/reports/Report.md", "+++\ntitle = \"A\"\n+++\n"),
                ("content/reports/report.md", "+++\ntitle = \"B\"\n+++\n"),
            ],
            "content/reports/report.md",
            "content/reports/Report.md",
        ),
        (
            "two names that differ in Unicode form",
            &[
                ("content/reports/caf\u{e9}.md", "+++\ntitle = \"A\"\n+++\n"),
                (
                    "content/reports/cafe\u{301}.md",
                    "+++\ntitle = \"B\"\n+++\n",
                ),
            ],
            "content/reports/caf\u{e9}.md",
            "content/reports/cafe\u{301}.md",
        ),
    ];
    for (what, files, on, other) in cases {
        let site = common::fixture_copy("basic");
        for (rel, text) in *files {
            common::write_file(site.path(), rel, text);
        }
        let output = plenary(site.path(), &["build"]);
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{what}: {text}");
        let lines = diagnostic_lines(&output);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{on}:")) && l.contains(other)),
            "{what}: an error on `{on}` naming `{other}`: {text}"
        );
        assert!(text.contains("hint:"), "{what}: {text}");
        assert!(
            !site.path().join("public").exists(),
            "{what}: nothing written"
        );
    }
}

#[test]
fn names_that_need_encoding_or_hide_characters_are_refused() {
    let cases = [
        "content/reports/a?b#c.md",
        "content/reports/two words.md",
        "content/reports/a%20b.md",
        "content/reports/zero\u{200B}width.md",
        "content/reports/tab\there.md",
        "content/reports/rtl\u{202E}fdp.md",
        "content/reports/what?/index.md",
        "content/reports/annual-2020/re port#1.pdf",
        "content/reports/annual-2020/bell\u{7}.pdf",
        "static/odd?.css",
    ];
    for rel in cases {
        let site = common::fixture_copy("basic");
        let text = if rel.ends_with(".md") {
            "+++\ntitle = \"T\"\n+++\n"
        } else {
            "x"
        };
        common::write_file(site.path(), rel, text);
        let output = plenary(site.path(), &["build"]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{rel:?}: {}",
            stderr(&output)
        );
        let lines = diagnostic_lines(&output);
        assert!(
            lines.len() == 1 && lines[0].starts_with(&format!("{rel}:1:1: error: ")),
            "{rel:?}: {lines:?}"
        );
        assert!(
            stderr(&output).contains("hint:"),
            "{rel:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_clash_made_while_serving_is_reported_and_the_served_site_kept() {
    use plenary::serve::Served;
    use plenary::watch::Changes;
    let site = common::fixture_copy("basic");
    let root = site.path().to_path_buf();
    let options = common::preview_options(&root);
    let (_, served) = Served::start(&options).unwrap().unwrap();
    let dir = served.serving().unwrap();
    let page_two = common::read_file(&dir, "reports/page/2/index.html");
    let added = "content/reports/page/2.md";
    common::write_file(&root, added, "+++\ntitle = \"Two\"\n+++\nText.\n");
    let changes = Changes {
        paths: vec![root.join(added)],
        rescan: false,
    };
    let error = served
        .rebuild(&options, &changes)
        .expect("a change")
        .expect_err("the clash is an error");
    assert!(
        error.contains(&format!("{added}:1:1: error: "))
            && error.contains("content/reports/_index.md"),
        "{error}"
    );
    assert_eq!(
        common::read_file(&dir, "reports/page/2/index.html"),
        page_two,
        "the served listing stays"
    );
}
