//! End-to-end tests of `plenary build` and `plenary check` on fixture sites, through the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixture site copied to a temporary folder, with the repository's theme and interface strings.
struct SiteTest {
    dir: tempfile::TempDir,
}

impl SiteTest {
    fn fixture(name: &str) -> SiteTest {
        SiteTest {
            dir: common::fixture_copy(name),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self) -> PathBuf {
        self.root().join("public")
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        self.write_bytes(rel, text.as_bytes())
    }

    fn write_bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_plenary"))
            .args(args)
            .arg("--root")
            .arg(self.root())
            .output()
            .unwrap()
    }

    fn build(&self) -> Output {
        self.run(&["build"])
    }

    fn build_ok(&self) -> &Self {
        let output = self.build();
        assert!(
            output.status.success(),
            "build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        self
    }

    fn read(&self, rel: &str) -> String {
        let path = self.out().join(rel);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()))
    }

    fn assert_contains(&self, rel: &str, wanted: &[&str]) -> &Self {
        let text = self.read(rel);
        for w in wanted {
            assert!(text.contains(w), "`{rel}` lacks {w:?}:\n{text}");
        }
        self
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The diagnostic lines (`path:line:col: severity: message`) of a run, without hints and summary.
fn diagnostic_lines(output: &Output) -> Vec<String> {
    stderr(output)
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .map(str::to_string)
        .collect()
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(all_files(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_language_gets_every_page_with_fallbacks_marked() {
    let site = SiteTest::fixture("basic");
    site.build_ok();
    site.assert_contains(
        "index.html",
        &[r#"<html lang="en" dir="ltr">"#, "Fixture Archive"],
    )
    .assert_contains(
        "fr/index.html",
        &[
            r#"<html lang="fr" dir="ltr">"#,
            "Archives de test",
            r#"href="/fr/reports/""#,
        ],
    )
    // Arabic has no home translation: the English text inside Arabic chrome, marked as such.
    .assert_contains(
        "ar/index.html",
        &[
            r#"<html lang="ar" dir="rtl">"#,
            r#"class="hero" lang="en" dir="ltr""#,
            r#"class="notice""#,
            r#"href="/" hreflang="en""#,
        ],
    )
    // An English-only page under /zh/, with its links kept in Chinese.
    .assert_contains(
        "zh/reports/notes/index.html",
        &[
            r#"<html lang="zh" dir="ltr">"#,
            r#"<article class="page" lang="en" dir="ltr">"#,
            r#"href="/zh/reports/annual-2020/""#,
            r#"rel="canonical" href="https://fixture.example.org/reports/notes/""#,
        ],
    )
    // A translated page is not a fallback and links in its own language.
    .assert_contains(
        "fr/reports/annual-2020/index.html",
        &[
            r#"<article class="page" lang="fr" dir="ltr">"#,
            r#"href="/fr/reports/notes/""#,
            "Forum sur les meilleures pratiques en matière de cybersécurité",
        ],
    );
    let translated = site.read("fr/reports/annual-2020/index.html");
    assert!(
        !translated.contains(r#"class="notice""#),
        "a translation is not a fallback:\n{translated}"
    );
}

#[test]
fn alternates_and_the_switcher_land_on_the_same_page() {
    let site = SiteTest::fixture("basic");
    site.build_ok();
    site.assert_contains(
        "ar/reports/annual-2020/index.html",
        &[
            r#"<link rel="alternate" hreflang="en" href="https://fixture.example.org/reports/annual-2020/">"#,
            r#"<link rel="alternate" hreflang="fr" href="https://fixture.example.org/fr/reports/annual-2020/">"#,
            r#"<link rel="alternate" hreflang="x-default" href="https://fixture.example.org/reports/annual-2020/">"#,
            r#"<a href="/zh/reports/annual-2020/" lang="zh" hreflang="zh">中文</a>"#,
            r#"<a href="/ar/reports/annual-2020/" lang="ar" hreflang="ar" aria-current="true">العربية</a>"#,
        ],
    );
    let page = site.read("ar/reports/annual-2020/index.html");
    assert!(
        !page.contains(r#"hreflang="ar" href="https://fixture.example.org/ar/"#),
        "no hreflang for a language without translation:\n{page}"
    );
}

#[test]
fn listings_feeds_and_sitemap_cover_every_language() {
    let site = SiteTest::fixture("basic");
    site.build_ok();
    // per_page = 2 and three published pages: two pages of listing; the draft is left out.
    site.assert_contains("ar/reports/index.html", &["Cybersecurity report 2020", r#"href="/ar/reports/page/2/""#])
        .assert_contains("ar/reports/page/2/index.html", &["An older report"])
        .assert_contains("fr/groups/bpf-cybersecurity/index.html", &["Rapport sur la cybersécurité 2020"])
        .assert_contains("years/2015/index.html", &["An older report"])
        .assert_contains("zh/themes/trust/index.html", &["Notes on international agreements"])
        .assert_contains("fr/atom.xml", &[r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">"#, "<title>Rapport sur la cybersécurité 2020</title>"])
        .assert_contains("sitemap.xml", &[r#"<xhtml:link rel="alternate" hreflang="fr" href="https://fixture.example.org/fr/reports/annual-2020/"/>"#])
        .assert_contains("robots.txt", &["Sitemap: https://fixture.example.org/sitemap.xml"])
        .assert_contains("ar/404.html", &[r#"<html lang="ar" dir="rtl">"#]);
    assert!(
        !site.out().join("reports/draft/index.html").exists(),
        "drafts are not published"
    );
    let drafts = site.run(&["build", "--drafts"]);
    assert!(drafts.status.success(), "{}", stderr(&drafts));
    assert!(
        site.out().join("reports/draft/index.html").exists(),
        "--drafts publishes drafts"
    );
}

#[test]
fn bundle_files_and_attachments_are_published_once() {
    let site = SiteTest::fixture("basic");
    site.build_ok();
    assert_eq!(
        std::fs::read(site.out().join("reports/annual-2020/report.pdf")).unwrap(),
        b"%PDF-1.4\n% fixture\n"
    );
    site.assert_contains("fr/reports/annual-2020/index.html", &[r#"<a href="/reports/annual-2020/report.pdf" hreflang="en">Rapport complet (anglais, PDF)</a>"#])
        .assert_contains("reports/annual-2020/index.html", &[r#"<a href="/reports/annual-2020/report.pdf">report</a>"#]);
}

#[test]
fn no_invisible_bidi_marks_reach_the_output() {
    let site = SiteTest::fixture("basic");
    site.build_ok();
    for file in all_files(&site.out()) {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let found = text
                .chars()
                .find(|c| matches!(c, '\u{2066}'..='\u{2069}' | '\u{202A}'..='\u{202E}'));
            assert_eq!(found, None, "`{}` holds a BiDi control", file.display());
        }
    }
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let site = SiteTest::fixture("basic");
    // The search index is left out: tantivy names its files with random identifiers.
    let published = |site: &SiteTest| -> Vec<(PathBuf, Vec<u8>)> {
        all_files(&site.out())
            .into_iter()
            .filter(|f| !f.starts_with(site.out().join("_search")))
            .map(|f| (f.clone(), std::fs::read(&f).unwrap()))
            .collect()
    };
    site.build_ok();
    let first = published(&site);
    site.build_ok();
    let second = published(&site);
    assert!(first.len() > 50, "only {} files", first.len());
    assert!(first == second, "two builds of the same site differ");
}

#[test]
fn every_bad_input_is_reported_in_one_run_and_the_previous_site_stays() {
    let site = SiteTest::fixture("basic");
    site.build_ok();
    let before = site.read("index.html");
    site.write("content/a.md", "+++\ntitle = \"A\"\ntitel = \"B\"\n+++\n")
        .write("content/b.md", "+++\ndate = 2020-01-01\n+++\n")
        .write(
            "content/c.md",
            "+++\ntitle = \"C\"\ndate = 2020-02-30\n+++\n",
        )
        .write("content/d.de.md", "+++\ntitle = \"D\"\n+++\n")
        .write("content/e.md", "+++\ntitle = \"E\"\nslug = \"f\"\n+++\n")
        .write("content/f.md", "+++\ntitle = \"F\"\n+++\n")
        .write(
            "content/g.md",
            "+++\ntitle = \"G\"\n+++\n\nSee [x](@/nowhere.md).\n",
        )
        .write_bytes("content/h.md", b"+++\ntitle = \"caf\xE9\"\n+++\n")
        .write("content/i.md", "")
        .write("content/j.md", "+++\ntitle = \"J\"\n[extra\n+++\n")
        .write(
            "i18n/fr/broken.ftl",
            "read-more = Lire la suite\nbroken = { $x\n",
        );
    let output = site.build();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        diagnostic_lines(&output),
        [
            "content/a.md:3:1: error: unknown field `titel`",
            "content/b.md:1:1: error: missing `title` in front matter",
            "content/c.md:3:8: error: bad date: invalid date, expected day between 01 and 29",
            "content/d.de.md:1:1: error: unknown language suffix `.de`",
            "content/f.md:1:1: error: `content/e.md` and `content/f.md` both publish `/f/`",
            "content/g.md:5:5: error: broken internal link `@/nowhere.md`: no such content file",
            "content/h.md:2:13: error: file is not valid UTF-8",
            "content/i.md:1:1: error: file is empty",
            "content/j.md:3:7: error: invalid TOML: unclosed table, expected `]`",
            "i18n/fr/broken.ftl:2:14: error: Fluent syntax error: Expected a token starting with \"}\"",
        ]
    );
    let text = stderr(&output);
    for hint in ["= hint: did you mean `title`?", "= hint: the site's languages are en, fr, ar, zh; rename the file or add `de` to `languages` in site.toml", "= hint: write dates as bare TOML dates"] {
        assert!(text.contains(hint), "missing hint {hint:?} in:\n{text}");
    }
    assert!(text.contains("build failed: 10 error(s)"), "{text}");
    assert_eq!(
        site.read("index.html"),
        before,
        "the previous site must stay as it was"
    );
}

#[test]
fn template_mistakes_name_the_template_line_and_column() {
    let site = SiteTest::fixture("basic");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}\n{% block main %}\n  <p>{{ oops( }}</p>\n{% endblock %}\n",
    );
    let output = site.build();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        diagnostic_lines(&output),
        ["templates/404.html:3:15: error: template error: syntax error: unexpected `}`"]
    );

    site.write("templates/404.html", "{% extends \"base.html\" %}\n{% block main %}\n  <p>{{ page.titel }}</p>\n{% endblock %}\n");
    let output = site.build();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        diagnostic_lines(&output),
        ["templates/404.html:3:9: error: template error: undefined value `page.titel`"]
    );
    assert!(!site.out().exists(), "a failed first build writes nothing");

    // An error inside an included template is reported on that template's own file.
    site.write("templates/404.html", "{% extends \"base.html\" %}\n{% block main %}{% include \"partials/oops.html\" %}{% endblock %}\n");
    site.write(
        "templates/partials/oops.html",
        "<p>\n  {{ lang.nope }}\n</p>\n",
    );
    let output = site.build();
    assert_eq!(
        diagnostic_lines(&output),
        ["templates/partials/oops.html:2:6: error: template error: undefined value `lang.nope`"]
    );
}

#[test]
fn bom_and_crlf_are_accepted() {
    let site = SiteTest::fixture("basic");
    site.write_bytes(
        "content/windows.md",
        b"\xEF\xBB\xBF+++\r\ntitle = \"Saved on Windows\"\r\n+++\r\n\r\nLine one\r\nline two\r\n",
    );
    site.build_ok();
    site.assert_contains(
        "windows/index.html",
        &["<h1>Saved on Windows</h1>", "<p>Line one\nline two</p>"],
    );
}

#[test]
fn a_missing_interface_string_warns_on_build_and_fails_check() {
    let site = SiteTest::fixture("basic");
    let french = std::fs::read_to_string(site.root().join("i18n/fr/main.ftl")).unwrap();
    let without: String = french
        .lines()
        .filter(|l| !l.starts_with("not-found-home"))
        .map(|l| format!("{l}\n"))
        .collect();
    site.write("i18n/fr/main.ftl", &without);
    let build = site.build();
    assert!(build.status.success(), "{}", stderr(&build));
    // Said twice: where to add it, and where it is used.
    assert_eq!(
        diagnostic_lines(&build),
        [
            "i18n/fr/main.ftl:1:1: warning: message `not-found-home` is missing in `fr`",
            "themes/default/templates/404.html:1:1: warning: message `not-found-home` is missing in `fr`; the default language's text is used"
        ]
    );
    site.assert_contains("fr/404.html", &["Go to the home page"]);
    let check = site.run(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("check failed: 2 warning(s)"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn check_writes_nothing_and_passes_a_good_site() {
    let site = SiteTest::fixture("basic");
    let check = site.run(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(!site.out().exists());
}

#[test]
fn a_missing_site_is_a_failure_not_a_content_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["build", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is `") && stderr(&output).contains("a site root?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_bundled_site_builds_and_passes_check() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["check", "--root"])
        .arg(repo)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["build", "--root"])
        .arg(repo)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    for lang in ["", "fr/", "es/", "ru/", "ar/", "zh/"] {
        assert!(
            out.path()
                .join(format!("{lang}bpf/how-bpfs-work/index.html"))
                .exists(),
            "{lang}"
        );
    }
}

#[test]
fn every_interface_string_exists_in_all_six_languages() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let keys = |lang: &str| -> Vec<String> {
        let text = std::fs::read_to_string(repo.join("i18n").join(lang).join("main.ftl")).unwrap();
        let mut keys: Vec<String> = text
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.to_string()))
            .collect();
        keys.sort();
        keys
    };
    let english = keys("en");
    assert!(english.len() > 50);
    for lang in ["fr", "es", "ru", "ar", "zh"] {
        assert_eq!(keys(lang), english, "{lang}");
    }
}

#[test]
fn a_generated_benchmark_tree_builds_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let written = common::corpus::write_site(&common::udhr_dir(), &tree, 12, 2020).unwrap();
    assert_eq!(written.works, 12);
    assert!(
        written.pages > written.works,
        "{written:?}: some works are translated"
    );
    // Only site.toml and content/: the built-in default theme and its strings do the rest.
    let mut top: Vec<String> = std::fs::read_dir(&tree)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["content", "site.toml"]);
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["build", "--root"])
        .arg(&tree)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(diagnostic_lines(&output).is_empty(), "{}", stderr(&output));
    let home = std::fs::read_to_string(tree.join("public/ar/index.html")).unwrap();
    assert!(
        home.contains(r#"<html lang="ar" dir="rtl">"#)
            && home.contains("الانتقال إلى المحتوى الرئيسي"),
        "{home}"
    );
    assert!(tree.join("public/style.css").exists());
}
