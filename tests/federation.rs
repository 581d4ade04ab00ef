//! End-to-end tests of federation: members' trees from folders and local git repositories merged into one site, pinned, sanitised and searched across sites.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A federated site in a temporary folder: the site itself under `site/`, members' trees
/// beside it, git sources as bare repositories under `git/`.
struct Federation {
    dir: tempfile::TempDir,
}

const SITE_TOML: &str = r#"title = "IGF Intersessional Work"
base_url = "https://igf.example.org"
default_language = "en"
languages = ["en", "fr", "ar"]
taxonomies = ["year", "region"]

[[sources]]
id = "kenya-igf"
path = "../kenya"
mount = "nri/kenya"

[[sources]]
id = "dc-iot"
git = "GIT_URL"
rev = "main"
mount = "dc/iot"
"#;

impl Federation {
    /// The site, a member in a folder (Kenya IGF) and one in a git repository (DC on IoT).
    fn new() -> Federation {
        let federation = Federation {
            dir: tempfile::tempdir().unwrap(),
        };
        let git_url = format!("file://{}", federation.path("git/iot.git").display());
        federation
            .write("site/site.toml", &SITE_TOML.replace("GIT_URL", &git_url))
            .write("site/content/_index.md", "+++\ntitle = \"Home\"\n+++\nThe intersessional work of the IGF.\n")
            .write("site/content/nri/_index.md", "+++\ntitle = \"NRIs\"\n+++\nNational, regional and youth IGFs.\n")
            .write("kenya/member.toml", "name = \"Kenya IGF\"\nkind = \"nri\"\nregion = \"africa\"\ncountry = \"Kenya\"\nwebsite = \"https://kigf.or.ke\"\nlicence = \"CC BY 4.0\"\n\n[names]\nfr = \"FGI du Kenya\"\nar = \"منتدى كينيا لإدارة الإنترنت\"\n")
            .write("kenya/content/_index.md", "+++\ntitle = \"Kenya IGF\"\n+++\nThe Kenya Internet Governance Forum.\n")
            .write("kenya/content/report-2020/index.md", "+++\ntitle = \"Kenya IGF 2020 report\"\ndate = 2020-09-24\nregion = \"africa\"\n+++\nThe forum discussed affordable access. See [the forum](@/_index.md) and ![chart](chart.png).\n")
            .write("kenya/content/report-2020/index.fr.md", "+++\ntitle = \"Rapport 2020 du FGI du Kenya\"\ndate = 2020-09-24\n+++\nLe forum a débattu de l'accès abordable.\n")
            .write("kenya/content/report-2020/chart.png", "PNG")
            .write("iot-work/member.toml", "name = \"Dynamic Coalition on the Internet of Things\"\nkind = \"dc\"\nregion = \"global\"\n")
            .write("iot-work/content/good-practice.md", "+++\ntitle = \"IoT good practice\"\ndate = 2019-11-26\n+++\nGood practice for the Internet of Things: security by design.\n");
        federation.git_init("iot-work", "git/iot.git");
        federation
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn site(&self) -> PathBuf {
        self.path("site")
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        common::write_file(self.dir.path(), rel, text);
        self
    }

    fn read(&self, rel: &str) -> String {
        common::read_file(self.dir.path(), rel)
    }

    /// Makes `work` a git repository with one commit and publishes it as the bare `bare`.
    fn git_init(&self, work: &str, bare: &str) {
        git(
            &self.path(work),
            &["init", "--quiet", "--initial-branch=main"],
        );
        self.git_commit(work, "first");
        git(self.dir.path(), &["clone", "--quiet", "--bare", work, bare]);
        git(
            &self.path(work),
            &[
                "remote",
                "add",
                "origin",
                &self.path(bare).display().to_string(),
            ],
        );
    }

    /// Commits everything in `work` and pushes it; returns the commit.
    fn git_commit(&self, work: &str, message: &str) -> String {
        let dir = self.path(work);
        git(&dir, &["add", "--all"]);
        git(&dir, &["commit", "--quiet", "-m", message]);
        if git_ok(&dir, &["remote", "get-url", "origin"]) {
            git(&dir, &["push", "--quiet", "origin", "main"]);
        }
        git(&dir, &["rev-parse", "HEAD"]).trim().to_string()
    }

    fn plenary(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_plenary"))
            .args(args)
            .arg("--root")
            .arg(self.site())
            .output()
            .unwrap()
    }

    fn build_ok(&self) -> &Self {
        let output = self.plenary(&["build"]);
        assert!(
            output.status.success(),
            "build failed:\n{}",
            stderr(&output)
        );
        self
    }

    fn build_fails(&self) -> String {
        let output = self.plenary(&["build"]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        stderr(&output)
    }

    fn page(&self, url_path: &str) -> String {
        self.read(&format!("site/public/{url_path}index.html"))
    }

    fn pinned(&self, id: &str) -> String {
        let lock: toml::Table = toml::from_str(&self.read("site/plenary.lock")).unwrap();
        lock["source"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"].as_str() == Some(id))
            .map(|s| s["commit"].as_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn git_ok(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn members_trees_merge_into_one_site_that_says_who_published_what() {
    let f = Federation::new();
    f.build_ok();

    // Each member's content lands under its mount, its files with it, its `@/` links too.
    let report = f.page("nri/kenya/report-2020/");
    assert!(
        report.contains("<a href=\"/nri/kenya/\">the forum</a>"),
        "{report}"
    );
    assert!(report.contains("src=\"/nri/kenya/report-2020/chart.png\""));
    assert_eq!(f.read("site/public/nri/kenya/report-2020/chart.png"), "PNG");
    assert!(f
        .page("dc/iot/good-practice/")
        .contains("security by design"));

    // Every page says who published it, in the reader's language, linked to the member.
    assert!(report.contains("<a href=\"/members/kenya-igf/\">Published by Kenya IGF</a>"));
    assert!(f
        .page("fr/nri/kenya/report-2020/")
        .contains("<a href=\"/fr/members/kenya-igf/\">Publié par FGI du Kenya</a>"));
    assert!(
        !f.page("nri/").contains("Published by"),
        "the site's own pages have no member"
    );

    // A page per member lists its work; the directory lists members by kind and region.
    let member = f.page("members/kenya-igf/");
    assert!(member.contains("<h1>Kenya IGF</h1>"));
    assert!(member.contains("href=\"/nri/kenya/report-2020/\""));
    assert!(member.contains("<dd>CC BY 4.0</dd>"));
    assert!(!member.contains("good-practice"), "only its own work");
    let directory = f.page("ar/members/");
    let dc = directory.find("id=\"kind-dc\"").unwrap();
    let nri = directory.find("id=\"kind-nri\"").unwrap();
    assert!(dc < nri, "kinds in order: bpf, dc, nri");
    assert!(directory.contains("منتدى كينيا لإدارة الإنترنت"));

    // The git source is pinned at the commit its rev named.
    let head = git(&f.path("iot-work"), &["rev-parse", "HEAD"]);
    assert_eq!(f.pinned("dc-iot"), head.trim());

    // Search knows each page's source.
    let output = f.plenary(&["search", "--json", "--filter", "source=kenya-igf", "forum"]);
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let urls: Vec<&str> = answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["url"].as_str().unwrap())
        .collect();
    assert!(urls.contains(&"/nri/kenya/report-2020/"), "{answer}");
    assert!(
        urls.iter()
            .all(|u| u.starts_with("/nri/kenya/") || u.starts_with("/fr/nri/kenya/")),
        "{urls:?}"
    );
    assert_eq!(answer["facets"]["source"]["kenya-igf"], urls.len());
}

#[test]
fn a_source_gives_only_its_languages_and_a_git_path_is_found_from_the_site() {
    let f = Federation::new();
    let toml = f.read("site/site.toml");
    let toml = toml.replace(
        "mount = \"nri/kenya\"",
        "mount = \"nri/kenya\"\nlanguages = [\"en\", \"ar\"]",
    );
    let toml = toml.replace(
        &format!("file://{}", f.path("git/iot.git").display()),
        "../git/iot.git",
    );
    f.write("site/site.toml", &toml);
    f.build_ok();
    // The French translation is not taken: French readers get the English original.
    let french = f.page("fr/nri/kenya/report-2020/");
    assert!(
        french.contains("Kenya IGF 2020 report") && !french.contains("Rapport 2020"),
        "{french}"
    );
    assert!(f
        .page("dc/iot/good-practice/")
        .contains("security by design"));
}

#[test]
fn git_sources_stay_pinned_build_offline_and_move_on_update() {
    let f = Federation::new();
    f.build_ok();
    let first = f.pinned("dc-iot");

    // A new commit upstream changes nothing until the pin moves.
    f.write(
        "iot-work/content/good-practice.md",
        "+++\ntitle = \"IoT good practice\"\ndate = 2019-11-26\n+++\nRevised: privacy by design.\n",
    );
    let second = f.git_commit("iot-work", "revise");
    f.build_ok();
    assert!(f
        .page("dc/iot/good-practice/")
        .contains("security by design"));
    assert_eq!(f.pinned("dc-iot"), first);

    // A warm build runs no git at all: a `git` that fails and logs is never called.
    let shim = f.path("shim");
    std::fs::create_dir_all(&shim).unwrap();
    let log = f.path("git-calls.log");
    let script = shim.join("git");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\nexit 1\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", shim.display(), std::env::var("PATH").unwrap());
    let offline = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["build", "--root"])
        .arg(f.site())
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(offline.status.success(), "{}", stderr(&offline));
    assert!(
        !log.exists(),
        "git was run: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    // `plenary sources update` moves the pin to what `rev` names now.
    let output = f.plenary(&["sources", "update", "dc-iot"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "dc-iot: `main` moved from {} to {}",
            &first[..12],
            &second[..12]
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(f.pinned("dc-iot"), second);
    f.build_ok();
    assert!(f
        .page("dc/iot/good-practice/")
        .contains("privacy by design"));
}

#[test]
fn git_problems_name_the_source_and_rev_and_leave_the_site_alone() {
    let f = Federation::new();
    f.build_ok();
    let before = f.page("");
    let toml = f.read("site/site.toml");

    // An unknown rev.
    f.write(
        "site/site.toml",
        &toml.replace("rev = \"main\"", "rev = \"v9\""),
    );
    let err = f.build_fails();
    assert!(
        err.contains("site.toml:13:1: error: source `dc-iot` at `v9`: `file://"),
        "{err}"
    );
    assert!(err.contains("has no branch, tag or commit `v9`"), "{err}");

    // An unreachable repository.
    f.write(
        "site/site.toml",
        &toml.replace("git/iot.git", "git/nowhere.git"),
    );
    let err = f.build_fails();
    assert!(
        err.contains("error: source `dc-iot` at `main`: cannot fetch `file://"),
        "{err}"
    );

    // A pinned commit the cache and the repository lack (history rewritten).
    f.write("site/site.toml", &toml);
    let lock = f.read("site/plenary.lock");
    let pinned = f.pinned("dc-iot");
    f.write(
        "site/plenary.lock",
        &lock.replace(&pinned, "0123456789abcdef0123456789abcdef01234567"),
    );
    std::fs::remove_dir_all(f.path("site/.plenary/cache")).unwrap();
    let err = f.build_fails();
    assert!(err.contains("the commit `0123456789abcdef0123456789abcdef01234567` pinned in plenary.lock is not in"), "{err}");
    assert!(err.contains("plenary sources update dc-iot"), "{err}");

    // A lock whose commit is not an object name never reaches git.
    f.write(
        "site/plenary.lock",
        &lock.replace(&pinned, "--upload-pack=touch /tmp/x"),
    );
    let output = f.plenary(&["build"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("plenary.lock` is damaged"),
        "{}",
        stderr(&output)
    );

    // A corrupt repository: not a repository at all.
    f.write("site/plenary.lock", &lock);
    std::fs::remove_dir_all(f.path("git/iot.git/objects")).unwrap();
    std::fs::remove_dir_all(f.path("site/.plenary/cache")).unwrap();
    let err = f.build_fails();
    assert!(
        err.contains("source `dc-iot` at `main`: cannot fetch"),
        "{err}"
    );

    assert_eq!(f.page(""), before, "the previous site is untouched");
}

#[test]
fn bad_member_trees_are_clear_errors_and_nothing_is_written() {
    let f = Federation::new();
    f.build_ok();
    let before = f.page("");
    let toml = f.read("site/site.toml");
    let member = f.read("kenya/member.toml");

    let check =
        |name: &str, setup: &dyn Fn(&Federation), expected: &str, undo: &dyn Fn(&Federation)| {
            setup(&f);
            let output = f.plenary(&["build"]);
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(1), "{name}: {err}");
            assert!(
                err.contains(expected),
                "{name}: expected `{expected}` in:\n{err}"
            );
            assert_eq!(f.page(""), before, "{name}: the previous site is untouched");
            undo(&f);
        };
    check(
        "missing member.toml",
        &|f| std::fs::rename(f.path("kenya/member.toml"), f.path("kenya/member.old")).unwrap(),
        "../kenya/member.toml:1:1: error: missing `member.toml`: a member tree says who publishes it",
        &|f| std::fs::rename(f.path("kenya/member.old"), f.path("kenya/member.toml")).unwrap(),
    );
    check(
        "unknown key in member.toml",
        &|f| {
            f.write(
                "kenya/member.toml",
                &format!("colour = \"green\"\n{member}"),
            );
        },
        "../kenya/member.toml:1:1: error: unknown field `colour`",
        &|f| {
            f.write("kenya/member.toml", &member);
        },
    );
    check(
        "unknown key in a source",
        &|f| {
            f.write(
                "site/site.toml",
                &toml.replace(
                    "mount = \"nri/kenya\"",
                    "mount = \"nri/kenya\"\nbranch = \"x\"",
                ),
            );
        },
        "site.toml:11:1: error: unknown field `branch`",
        &|f| {
            f.write("site/site.toml", &toml);
        },
    );
    check(
        "overlapping mounts",
        &|f| {
            f.write(
                "site/site.toml",
                &toml.replace("mount = \"dc/iot\"", "mount = \"nri\""),
            );
        },
        "site.toml:16:1: error: sources `kenya-igf` and `dc-iot` overlap: `nri/kenya` and `nri`",
        &|f| {
            f.write("site/site.toml", &toml);
        },
    );
    check(
        "a symlink out of the member's tree",
        &|f| std::os::unix::fs::symlink(f.path("site/site.toml"), f.path("kenya/content/secret.md")).unwrap(),
        "../kenya/content/secret.md:1:1: error: `secret.md` is a symbolic link leading out of the tree of source `kenya-igf`",
        &|f| std::fs::remove_file(f.path("kenya/content/secret.md")).unwrap(),
    );
    check(
        "a 1 GB file",
        &|f| {
            let file = std::fs::File::create(f.path("kenya/content/report-2020/video.mp4")).unwrap();
            file.set_len(1 << 30).unwrap();
        },
        "../kenya/content/report-2020/video.mp4:1:1: error: file too big: 1024 MiB, more than the 256 MiB a file may have",
        &|f| std::fs::remove_file(f.path("kenya/content/report-2020/video.mp4")).unwrap(),
    );
    check(
        "an SVG that could run script",
        &|f| {
            f.write("kenya/content/report-2020/map.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <circle r=\"4\" onload=\"steal()\"/>\n</svg>\n");
        },
        "../kenya/content/report-2020/map.svg:2:17: error: this SVG could run script on the site: it has an event attribute (on...=)",
        &|f| std::fs::remove_file(f.path("kenya/content/report-2020/map.svg")).unwrap(),
    );
    check(
        "templates in a member tree",
        &|f| { f.write("kenya/templates/page.html", "<script>steal()</script>"); },
        "../kenya/templates:1:1: error: source `kenya-igf` has a `templates/` folder: member trees bring content only",
        &|f| std::fs::remove_dir_all(f.path("kenya/templates")).unwrap(),
    );
    check(
        "the site's own content inside a mount",
        &|f| { f.write("site/content/nri/kenya/extra.md", "+++\ntitle = \"X\"\n+++\n"); },
        "content/nri/kenya/extra.md:1:1: error: `content/nri/kenya/extra.md` is inside the mount `nri/kenya` of source `kenya-igf`",
        &|f| std::fs::remove_dir_all(f.path("site/content/nri/kenya")).unwrap(),
    );
    check(
        "two sources publishing one URL",
        &|f| { f.write("site/content/nri/kenya.md", "+++\ntitle = \"Kenya\"\n+++\n"); },
        "../kenya/content/_index.md:1:1: error: `../kenya/content/_index.md` and `content/nri/kenya.md` are the same page",
        &|f| std::fs::remove_file(f.path("site/content/nri/kenya.md")).unwrap(),
    );
    check(
        "a search export of an unknown version",
        &|f| {
            f.write("other.jsonl", "{\"format\":\"plenary-search-export\",\"version\":7,\"site\":{}}\n");
            f.write("site/site.toml", &format!("{toml}\n[[search.include]]\npath = \"../other.jsonl\"\n"));
        },
        "../other.jsonl:1:1: error: search export of format version 7; this plenary reads version 1",
        &|f| { f.write("site/site.toml", &toml); },
    );
    check(
        "a search export linking to script",
        &|f| {
            f.write("other.jsonl", "{\"format\":\"plenary-search-export\",\"version\":1,\"site\":{\"id\":\"x.org\",\"base_url\":\"https://x.org\",\"titles\":{},\"languages\":[\"en\"]}}\n{\"lang\":\"en\",\"url\":\"javascript:alert(1)\",\"title\":\"T\",\"description\":\"\",\"headings\":\"\",\"date\":null,\"kind\":null,\"group\":null,\"year\":null,\"themes\":[],\"region\":null,\"translations\":[],\"body\":\"b\"}\n");
            f.write(
                "site/site.toml",
                &format!("{toml}\n[[search.include]]\npath = \"../other.jsonl\"\n"),
            );
        },
        "../other.jsonl:2:1: error: page address `javascript:alert(1)` is not a web address",
        &|f| {
            f.write("site/site.toml", &toml);
        },
    );
    f.build_ok();
}

#[test]
fn untrusted_html_is_sanitised_and_trusted_html_kept() {
    let f = Federation::new();
    let hostile = "+++\ntitle = \"Hostile\"\n+++\n\n## Heading {#h onclick=\"steal()\"}\n\n<script>steal()</script>\n\n<p dir=\"rtl\" lang=\"ar\" onmouseover=\"steal()\">مرحبا</p>\n\n[a](javascript:steal()) [b](jav&#x61;script:steal()) [c](VBScript:x) ![d](data:image/svg+xml;base64,PHN2Zz4=) [e](https://kigf.or.ke/)\n";
    f.write("kenya/content/hostile.md", hostile);
    f.write("iot-work/content/hostile.md", hostile);
    f.git_commit("iot-work", "hostile too");
    let toml = f.read("site/site.toml");
    f.write(
        "site/site.toml",
        &toml.replace("mount = \"dc/iot\"", "mount = \"dc/iot\"\ntrusted = true"),
    );
    f.build_ok();

    let untrusted = f.page("nri/kenya/hostile/");
    let body = &untrusted[untrusted.find("<div class=\"prose\">").unwrap()..];
    let body = &body[..body.find("</div>").unwrap()];
    for gone in [
        "steal()",
        "javascript",
        "vbscript",
        "VBScript",
        "data:",
        "onmouseover",
        "onclick",
    ] {
        assert!(!body.contains(gone), "`{gone}` survived:\n{body}");
    }
    assert!(body.contains("<h2 id=\"h\">Heading</h2>"), "{body}");
    assert!(
        body.contains("<p dir=\"rtl\" lang=\"ar\">مرحبا</p>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"https://kigf.or.ke/\">e</a>"),
        "{body}"
    );

    let trusted = f.page("dc/iot/hostile/");
    assert!(
        trusted.contains("<script>steal()</script>"),
        "a trusted source keeps its raw HTML"
    );
}

#[test]
fn a_member_tree_builds_on_its_own_with_the_same_theme() {
    let f = Federation::new();
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["build", "--root"])
        .arg(f.path("kenya"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let page = f.read("kenya/public/report-2020/index.html");
    assert!(
        page.contains("<title>Kenya IGF 2020 report · Kenya IGF</title>"),
        "{page}"
    );
    assert!(f
        .read("kenya/public/fr/index.html")
        .contains("FGI du Kenya"));
    assert!(f.path("kenya/public/ar/report-2020/index.html").exists());
    assert!(
        f.path("kenya/public/style.css").exists(),
        "the built-in theme"
    );
}

#[test]
fn one_search_covers_sites_built_separately() {
    let f = Federation::new();
    f.build_ok();
    // A site publishes its export only when it says so: it is the text of every page again.
    assert!(!f.path("site/public/_search/export.jsonl").exists());
    assert!(f.path("site/public/_search/meta.json").exists());
    let toml = f.read("site/site.toml");
    f.write(
        "site/site.toml",
        &format!("{toml}\n[search]\nexport = true\n"),
    );
    f.build_ok();
    // The export is documented and versioned: its first line says so.
    let export = f.read("site/public/_search/export.jsonl");
    let header: serde_json::Value = serde_json::from_str(export.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "plenary-search-export");
    assert_eq!(header["version"], 1);
    assert_eq!(header["site"]["members"]["kenya-igf"], "Kenya IGF");

    // Another site, built on its own, includes it.
    f.write("other/site.toml", "title = \"Youth IGF\"\nbase_url = \"https://youth.example.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"fr\"]\n\n[[search.include]]\npath = \"../site/public/_search/export.jsonl\"\n")
        .write("other/content/_index.md", "+++\ntitle = \"Youth IGF\"\n+++\nYoung people on affordable access.\n");
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["build", "--root"])
        .arg(f.path("other"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["search", "--json", "--lang", "en", "--root"])
        .arg(f.path("other"))
        .arg("affordable access")
        .output()
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let hits: Vec<(&str, &str)> = answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["url"].as_str().unwrap(), h["site"].as_str().unwrap()))
        .collect();
    assert!(hits.contains(&("/", "youth.example.org")), "{hits:?}");
    assert!(
        hits.contains(&(
            "https://igf.example.org/nri/kenya/report-2020/",
            "igf.example.org"
        )),
        "{hits:?}"
    );
    assert_eq!(answer["facets"]["site"]["igf.example.org"], 1, "{answer}");
    // Filtered to the other site, only its pages.
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args([
            "search",
            "--json",
            "--filter",
            "site=igf.example.org",
            "--root",
        ])
        .arg(f.path("other"))
        .arg("access")
        .output()
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        answer["hits"].as_array().unwrap().iter().all(|h| h["url"]
            .as_str()
            .unwrap()
            .starts_with("https://igf.example.org/")),
        "{answer}"
    );
    assert!(
        answer["total"].as_u64().unwrap() >= 2,
        "English and French: {answer}"
    );
}

#[test]
fn saves_in_a_members_folder_patch_the_served_site_as_a_clean_build_would() {
    use plenary::serve::Served;
    use plenary::watch::Changes;
    let f = Federation::new();
    let site = f.site().canonicalize().unwrap();
    let options = common::preview_options(&site);
    let (_, server) = Served::start(&options).unwrap().unwrap();
    let served = server.serving().unwrap();
    let kenya = f.path("kenya").canonicalize().unwrap();
    let edits: [(&str, &str, &str); 3] = [
        ("an edit", "content/report-2020/index.md", "+++\ntitle = \"Kenya IGF 2020 report, revised\"\ndate = 2020-09-24\n+++\nThe forum discussed marmalade.\n"),
        ("a new page", "content/youth.md", "+++\ntitle = \"Kenya Youth IGF\"\ndate = 2021-03-01\n+++\nYoung marmalade.\n"),
        ("the member's section", "content/_index.md", "+++\ntitle = \"Kenya IGF home\"\n+++\nThe forum.\n"),
    ];
    for (what, rel, text) in edits {
        std::fs::write(kenya.join(rel), text).unwrap();
        let changes = Changes {
            paths: vec![kenya.join(rel)],
            rescan: false,
        };
        server
            .rebuild(&options, &changes)
            .expect("a change in the member's folder is seen")
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            server.serving().unwrap(),
            served,
            "{what}: patched in place"
        );
        common::assert_same_as_clean_build(&site, &served, &f.path("clean"), what);
    }
    let page = std::fs::read_to_string(served.join("members/kenya-igf/index.html")).unwrap();
    assert!(
        page.contains("Kenya Youth IGF") && page.contains("2020 report, revised"),
        "{page}"
    );
    // A member renamed in its member.toml: the site is built whole, with the new name.
    let member = std::fs::read_to_string(kenya.join("member.toml")).unwrap();
    let renamed = member.replace(
        "name = \"Kenya IGF\"",
        "name = \"Kenya Internet Governance Forum\"",
    );
    std::fs::write(kenya.join("member.toml"), renamed).unwrap();
    let changes = Changes {
        paths: vec![kenya.join("member.toml")],
        rescan: false,
    };
    server
        .rebuild(&options, &changes)
        .expect("member.toml is watched")
        .unwrap();
    let now = server.serving().unwrap();
    let page = std::fs::read_to_string(now.join("nri/kenya/report-2020/index.html")).unwrap();
    assert!(
        page.contains("Published by Kenya Internet Governance Forum"),
        "{page}"
    );
}

#[test]
fn a_member_added_while_serving_is_watched_from_then_on() {
    use std::io::{Read, Write};
    let f = Federation::new();
    // The site starts without the Kenya IGF.
    let toml = f.read("site/site.toml");
    let kenya_source =
        "[[sources]]\nid = \"kenya-igf\"\npath = \"../kenya\"\nmount = \"nri/kenya\"\n";
    assert!(toml.contains(kenya_source));
    f.write("site/site.toml", &toml.replace(kenya_source, ""));
    let (mut child, address) = common::spawn_server(&f.site(), &[]);
    let get = |path: &str| -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, answer)
    };
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !done() {
            assert!(
                std::time::Instant::now() < until,
                "timed out waiting for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    let page = "/nri/kenya/report-2020/";
    assert_eq!(get(page).0, 404);
    f.write("site/site.toml", &toml);
    wait_for("the new member's pages", &|| get(page).0 == 200);
    // Its folder is watched from now on: a save there reaches the served page.
    f.write("kenya/content/report-2020/index.md", "+++\ntitle = \"Kenya IGF 2020 report\"\ndate = 2020-09-24\n+++\nThe forum discussed marmalade.\n");
    wait_for("the saved page", &|| get(page).1.contains("marmalade"));
    let _ = child.kill();
    let _ = child.wait();
}
