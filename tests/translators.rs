//! End-to-end tests of the translators' tools: `plenary i18n status`, `new` and `mark-current`, stale notices, Fluent checks and the dashboard.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// English originals `a`, `b`, `c` and `d`, none translated yet; French, Arabic and Russian
    /// readers; the built-in theme and strings.
    fn new() -> Site {
        let site = Site {
            dir: tempfile::tempdir().unwrap(),
        };
        site.write("site.toml", "title = \"Translations\"\nbase_url = \"https://t.example.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"fr\", \"ar\", \"ru\"]\n")
            .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHome.\n")
            .write("content/_index.fr.md", "+++\ntitle = \"Accueil\"\n+++\nAccueil.\n")
            .write("content/_index.ar.md", "+++\ntitle = \"الرئيسية\"\n+++\nالرئيسية.\n")
            .write("content/_index.ru.md", "+++\ntitle = \"Главная\"\n+++\nГлавная.\n");
        for (name, title) in [
            ("a", "Access"),
            ("b", "Gender"),
            ("c", "Cybersecurity"),
            ("d", "Local content"),
        ] {
            site.write(
                &format!("content/{name}.md"),
                &format!("+++\ntitle = \"{title}\"\ndate = 2020-11-0{}\n[extra]\nrapporteur = \"IGF Secretariat\"\n+++\nThe Best Practice Forum on {title} met online.\n", name.len()),
            );
        }
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

    /// Runs plenary in the site's folder, as a translator would.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_plenary"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        )
    }

    fn status(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["i18n", "status", "--json"];
        all.extend(args);
        let output = self.run(&all);
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)))
    }

    /// Appends a sentence to an original's body.
    fn edit(&self, rel: &str, sentence: &str) {
        let text = self.read(rel);
        self.write(rel, &format!("{text}{sentence}\n"));
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn french(status: &serde_json::Value) -> &serde_json::Value {
    status["languages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lang"] == "fr")
        .expect("French in the status")
}

fn files(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|w| w["file"].as_str().unwrap())
        .collect()
}

#[test]
fn translations_are_made_tracked_and_caught_up() {
    let site = Site::new();
    // `new` writes the translation beside its original, ready to translate, version recorded.
    let said = site.ok(&["i18n", "new", "fr", "content/a.md"]);
    assert!(said.contains("a.fr.md"), "{said}");
    let translation = site.read("content/a.fr.md");
    assert!(
        translation.contains("title = \"Access\"")
            && translation.contains("The Best Practice Forum on Access met online."),
        "{translation}"
    );
    let recorded = translation
        .lines()
        .find(|l| l.starts_with("translated_from = "))
        .expect("the version is recorded")
        .to_string();
    assert!(
        translation.find(&recorded).unwrap() < translation.find("[extra]").unwrap(),
        "before the table: {translation}"
    );
    site.ok(&["i18n", "new", "fr", "content/b.md"]);
    site.ok(&["i18n", "new", "fr", "content/c.md"]);
    site.ok(&["i18n", "new", "ar", "content/c.md"]);

    let status = site.status(&[]);
    let fr = french(&status);
    assert_eq!(
        fr["pages"],
        serde_json::json!({"pages": 5, "translated": 4, "stale": 0, "missing": 1}),
        "{fr}"
    );
    assert_eq!(files(&fr["missing"]), ["content/d.fr.md"]);

    // The original changes: its translations are stale, in the status and on the page.
    site.edit("content/b.md", "It agreed on its 2021 work plan.");
    let status = site.status(&["--lang", "fr"]);
    let fr = french(&status);
    assert_eq!(files(&fr["stale"]), ["content/b.fr.md"]);
    assert_eq!(fr["stale"][0]["source"], "content/b.md");
    assert_eq!(fr["pages"]["stale"], 1);
    site.ok(&["build"]);
    let page = site.read("public/fr/b/index.html");
    assert!(
        page.contains(
            "L&#39;original de cette page a été modifié depuis que cette traduction a été faite."
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "<a href=\"/b/\" hreflang=\"en\">Consulter l&#39;original mis à jour (anglais)</a>"
        ),
        "{page}"
    );
    assert!(
        !site.read("public/fr/a/index.html").contains("notice-quiet"),
        "a current translation has no notice"
    );

    // Caught up: `mark-current` records the original's new version.
    let said = site.ok(&["i18n", "mark-current", "content/b.fr.md"]);
    assert!(said.contains("marked current"), "{said}");
    assert_eq!(french(&site.status(&[]))["pages"]["stale"], 0);
    site.ok(&["build"]);
    assert!(!site.read("public/fr/b/index.html").contains("notice-quiet"));

    // A typo fixed in an original: `--minor` keeps its translations current.
    site.edit("content/c.md", "(Corrected a typo.)");
    let stale = site.status(&[]);
    assert_eq!(french(&stale)["pages"]["stale"], 1);
    let said = site.ok(&["i18n", "mark-current", "--minor", "content/c.md"]);
    assert!(
        said.contains("c.fr.md") && said.contains("c.ar.md"),
        "{said}"
    );
    let status = site.status(&[]);
    for lang in status["languages"].as_array().unwrap() {
        assert_eq!(lang["pages"]["stale"], 0, "{lang}");
    }
}

#[test]
fn status_by_section_source_and_the_exit_codes_for_ci() {
    let site = Site::new();
    site.write(
        "content/bpf/_index.md",
        "+++\ntitle = \"BPFs\"\n+++\nBPFs.\n",
    )
    .write(
        "content/bpf/_index.fr.md",
        "+++\ntitle = \"FMP\"\n+++\nFMP.\n",
    )
    .write("content/bpf/x.md", "+++\ntitle = \"X\"\n+++\nX.\n");
    let fr = site.status(&["--lang", "fr"]);
    let fr = french(&fr);
    assert_eq!(
        fr["sections"]["bpf"],
        serde_json::json!({"pages": 2, "translated": 1, "stale": 0, "missing": 1})
    );
    assert_eq!(fr["sources"][""]["pages"], 7);
    assert_eq!(fr["coverage"]["pages"], 28.6);
    assert_eq!(fr["coverage"]["messages"], 100.0);

    let text = site.ok(&["i18n", "status", "--lang", "ru"]);
    assert!(
        text.contains("ru: pages 1/7 translated (14.3%), 0 stale, 6 missing"),
        "{text}"
    );
    assert!(
        text.contains("  section bpf: 0/2 translated (0.0%), 0 stale, 2 missing"),
        "{text}"
    );

    let under = site.run(&["i18n", "status", "--fail-under", "50"]);
    assert_eq!(under.status.code(), Some(1));
    assert!(
        stderr(&under).contains("fr: 28.6% of pages translated, under 50%"),
        "{}",
        stderr(&under)
    );
    assert_eq!(
        site.run(&["i18n", "status", "--fail-under", "10"])
            .status
            .code(),
        Some(0)
    );
    let unknown = site.run(&["i18n", "status", "--lang", "de"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("the site has no language `de`"));
    let exists = site.run(&["i18n", "new", "fr", "content/_index.md"]);
    assert_eq!(exists.status.code(), Some(1));
    assert!(
        stderr(&exists).contains("`content/_index.fr.md` exists already"),
        "{}",
        stderr(&exists)
    );
    let original = site.run(&["i18n", "mark-current", "content/a.md"]);
    assert_eq!(original.status.code(), Some(1));
    assert!(
        stderr(&original).contains("`content/a.md` is an original"),
        "{}",
        stderr(&original)
    );
}

#[test]
fn interface_messages_are_counted_and_checked() {
    let site = Site::new();
    // The site's own strings: one French message the default language has not, and a Russian
    // plural missing the variants Russian needs.
    site.write("i18n/en/site.ftl", "visits = { $count ->\n    [one] One visit\n   *[other] { $count } visits\n}\n")
        .write("i18n/fr/site.ftl", "visits = { $count ->\n    [one] Une visite\n    [many] { $count } de visites\n   *[other] { $count } visites\n}\nretired-message = Ancien\n")
        .write("i18n/ar/site.ftl", "visits = { $count } زيارة\n")
        .write("i18n/ru/site.ftl", "visits = { $count ->\n    [one] { $count } визит\n   *[other] { $count } визитов\n}\n");
    let status = site.status(&[]);
    let fr = french(&status);
    assert_eq!(
        fr["messages"]["obsolete"],
        serde_json::json!(["retired-message"])
    );
    assert_eq!(fr["messages"]["missing"], serde_json::json!([]));

    let check = site.run(&["check"]);
    assert_eq!(check.status.code(), Some(1), "warnings fail check");
    let err = stderr(&check);
    for expected in [
        "i18n/fr/site.ftl:6:1: warning: message `retired-message` is obsolete: it is not in `en`",
        "i18n/ru/site.ftl:1:19: warning: message `visits` lacks the plural variants `[few]`, `[many]` that Русский needs",
    ] {
        assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    }
    assert!(
        !err.contains("i18n/ar/site.ftl"),
        "Arabic has no plural select there: nothing to say\n{err}"
    );
    site.ok(&["build"]);
}

#[test]
fn the_dashboard_is_off_unless_enabled_and_lists_the_work() {
    let site = Site::new();
    site.ok(&["i18n", "new", "fr", "content/a.md"]);
    site.edit("content/a.md", "A second paragraph.");
    site.ok(&["build"]);
    assert!(
        !site.path("public/translations").exists(),
        "off in production"
    );

    let toml = site.read("site.toml");
    site.write(
        "site.toml",
        &format!("{toml}\n[i18n]\ndashboard = true\nedit_url = \"https://example.org/edit/main/{{path}}\"\n"),
    );
    site.ok(&["build"]);
    let dashboard = site.read("public/ar/translations/index.html");
    assert!(
        dashboard.contains("<h1>حالة الترجمات</h1>"),
        "in the reader's language"
    );
    let french_part = &dashboard
        [dashboard.find("id=\"lang-fr\"").unwrap()..dashboard.find("id=\"lang-ar\"").unwrap()];
    // A table per language: the original, what is to do, the file (linked to its online editor).
    let stale = "<tr><th scope=\"row\"><a href=\"/a/\" lang=\"en\">Access</a></th><td>ترجمة قديمة</td><td><a href=\"https://example.org/edit/main/content/a.fr.md\"><code>content/a.fr.md</code></a></td></tr>";
    assert!(french_part.contains(stale), "{french_part}");
    let missing = "<td>لم تُترجم بعد</td><td><code>content/d.fr.md</code></td>";
    assert!(french_part.contains(missing), "{french_part}");
    let stale_row = "<td>1 / 5 (20.0%)</td><td>1</td><td>3</td>";
    assert!(dashboard.contains(stale_row), "{dashboard}");
}
