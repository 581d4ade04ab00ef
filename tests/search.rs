//! Search quality and robustness on the UDHR in the six UN languages, built as a Plenary site.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plenary::query::{Invalid, Request, Searcher};

const LANGUAGES: [&str; 6] = ["en", "fr", "es", "ru", "ar", "zh"];

/// The UDHR site, built once for all tests: one page per article, each in six languages.
fn searcher() -> &'static Searcher {
    static SITE: OnceLock<(tempfile::TempDir, Searcher)> = OnceLock::new();
    &SITE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            write_udhr_site(dir.path());
            let options = plenary::build::Options {
                root: dir.path().to_path_buf(),
                out: Some(dir.path().join("public")),
                drafts: false,
                progress: None,
                dashboard: false,
            };
            match plenary::build::build(options).unwrap() {
                plenary::build::Outcome::Built(_) => {}
                plenary::build::Outcome::Failed(diags) => {
                    panic!("the UDHR site did not build: {diags:#?}")
                }
            }
            let searcher = Searcher::open(&dir.path().join("public")).unwrap();
            (dir, searcher)
        })
        .1
}

/// The UDHR in the six languages, kept with the tests (see its SOURCE.md).
fn udhr_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/udhr")
}

/// The text between `open` and `close` tags, tags inside removed.
fn inner_text(xml: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn write_udhr_site(root: &Path) {
    let site = "title = \"UDHR\"\nbase_url = \"https://udhr.example.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"fr\", \"es\", \"ru\", \"ar\", \"zh\"]\n\n[search]\nindex = true\n";
    std::fs::write(root.join("site.toml"), site).unwrap();
    for lang in LANGUAGES {
        let xml = std::fs::read_to_string(udhr_dir().join(format!("{lang}.xml"))).unwrap();
        let mut rest = xml.as_str();
        while let Some(start) = rest.find("<article number=\"") {
            let after = &rest[start + 17..];
            let number = &after[..after.find('"').unwrap()];
            let end = after.find("</article>").unwrap();
            let body = &after[..end];
            let (title, paras) = match (body.find("<title>"), body.find("</title>")) {
                (Some(a), Some(b)) => (inner_text(&body[a + 7..b]), &body[b + 8..]),
                _ => (format!("Article {number}"), body),
            };
            let paragraphs: Vec<String> = paras
                .split("</para>")
                .map(inner_text)
                .filter(|p| !p.is_empty())
                .collect();
            let suffix = if lang == "en" {
                String::new()
            } else {
                format!(".{lang}")
            };
            let path = root.join(format!("content/article-{number:0>2}/index{suffix}.md"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let title = title.replace('"', "'");
            std::fs::write(
                path,
                format!(
                    "+++\ntitle = \"{title}\"\nkind = \"page\"\n+++\n\n{}\n",
                    paragraphs.join("\n\n")
                ),
            )
            .unwrap();
            rest = &after[end..];
        }
    }
}

fn ask(lang: &str, query: &str) -> Vec<String> {
    let request = Request {
        query: query.to_string(),
        lang: lang.to_string(),
        filters: Vec::new(),
        page: 1,
        per_page: 5,
    };
    searcher()
        .search(&request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.url)
        .collect()
}

fn article_url(lang: &str, number: u32) -> String {
    let prefix = if lang == "en" {
        String::new()
    } else {
        format!("/{lang}")
    };
    format!("{prefix}/article-{number:02}/")
}

#[test]
fn the_right_article_comes_first_for_every_kind_of_query() {
    // (language, query, article, what the query needs)
    let cases = [
        ("en", "slaves", 4, "stemming"),
        ("en", "opinions expressed", 19, "stemming"),
        ("en", "education zebra", 26, "one word absent"),
        ("en", "educat", 26, "a prefix typed so far"),
        ("en", "\"freedom of opinion\"", 19, "a phrase"),
        ("fr", "education gratuite", 26, "accents typed without them"),
        ("fr", "esclaves", 4, "stemming"),
        ("es", "educacion", 26, "accents typed without them"),
        ("es", "esclavo", 4, "stemming"),
        ("ru", "рабство", 4, "stemming"),
        ("ru", "образованию", 26, "stemming"),
        ("ar", "استرقاق", 4, "hamza forms"),
        ("ar", "التَّعْلِيم", 26, "diacritics"),
        ("ar", "الراي والتعبير", 19, "hamza and alef forms"),
        ("zh", "教育免费", 26, "segmentation"),
        ("zh", "奴隶买卖", 4, "segmentation"),
        ("zh", "发表意见", 19, "segmentation"),
    ];
    let mut failures = Vec::new();
    for (lang, query, article, need) in cases {
        let urls = ask(lang, query);
        if urls.first() != Some(&article_url(lang, article)) {
            failures.push(format!(
                "{lang} {query:?} ({need}): wanted article {article} first, got {urls:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn all_languages_at_once_finds_the_page_in_its_own_language() {
    let request = Request {
        query: "esclavage".into(),
        lang: "all".into(),
        filters: Vec::new(),
        page: 1,
        per_page: 3,
    };
    let response = searcher().search(&request).unwrap();
    let first = &response.hits[0];
    assert_eq!(
        (first.url.as_str(), first.lang.as_str()),
        ("/fr/article-04/", "fr")
    );
    assert!(
        first
            .translations
            .iter()
            .any(|(lang, url)| lang == "zh" && url == "/zh/article-04/"),
        "{:?}",
        first.translations
    );
}

#[test]
fn excerpts_mark_the_matched_words_and_escape_the_rest() {
    let request = Request {
        query: "slavery".into(),
        lang: "en".into(),
        filters: Vec::new(),
        page: 1,
        per_page: 1,
    };
    let hit = &searcher().search(&request).unwrap().hits[0];
    assert!(
        hit.excerpt.contains("<mark>slavery</mark>"),
        "{}",
        hit.excerpt
    );
    assert_eq!(
        hit.excerpt.matches("<mark>").count(),
        hit.excerpt.matches("</mark>").count()
    );
    let without_marks = hit.excerpt.replace("<mark>", "").replace("</mark>", "");
    assert!(!without_marks.contains('<'), "{}", hit.excerpt);
}

#[test]
fn facets_count_and_filter() {
    let request = Request {
        query: "right".into(),
        lang: "en".into(),
        filters: vec![("kind".into(), "page".into())],
        page: 1,
        per_page: 5,
    };
    let response = searcher().search(&request).unwrap();
    assert!(response.total > 10, "{}", response.total);
    assert_eq!(
        response.facets["kind"].get("page").copied(),
        Some(response.total as u64)
    );
    let none = Request {
        filters: vec![("kind".into(), "dc-paper".into())],
        ..request
    };
    assert_eq!(searcher().search(&none).unwrap().total, 0);
}

#[test]
fn hostile_or_odd_queries_never_fail() {
    let long = "human rights ".repeat(800);
    let cases = [
        "",
        "   ",
        &long,
        "\"unbalanced",
        "(((",
        "title:freedom",
        "*",
        "the of and",
        "😀😀",
        "\u{202E}freedom\u{202C}",
        "\u{0000}",
        "a\"b\"c\"d",
    ];
    for query in cases {
        for lang in ["en", "ar", "zh", "all"] {
            let request = Request {
                query: query.to_string(),
                lang: lang.into(),
                filters: Vec::new(),
                page: 1,
                per_page: 10,
            };
            let started = std::time::Instant::now();
            let result = searcher().search(&request);
            assert!(
                result.is_ok(),
                "{lang} {query:?}: {result:?}",
                result = result.err()
            );
            // Not a timing test: a generous bound that only a runaway query would cross.
            assert!(started.elapsed().as_secs() < 5, "{lang} {query:?} ran away");
        }
    }
    let bidi = Request {
        query: "\u{202E}freedom\u{202C}".into(),
        lang: "en".into(),
        filters: Vec::new(),
        page: 1,
        per_page: 3,
    };
    assert!(
        searcher().search(&bidi).unwrap().total > 0,
        "bidi controls are ignored, the word still found"
    );
}

#[test]
fn unknown_languages_and_filters_are_the_callers_mistake() {
    let request = Request {
        query: "freedom".into(),
        lang: "de".into(),
        filters: Vec::new(),
        page: 1,
        per_page: 3,
    };
    assert_eq!(
        searcher().search(&request).unwrap_err(),
        Invalid("unknown language `de`; the site has: all, ar, en, es, fr, ru, zh".into())
    );
    let request = Request {
        lang: "en".into(),
        filters: vec![("colour".into(), "red".into())],
        ..request
    };
    assert_eq!(
        searcher().search(&request).unwrap_err(),
        Invalid(
            "unknown filter `colour`; filters are: kind, group, year, theme, region, source, site"
                .into()
        )
    );
}

/// A site of one long page (many body-store chunks) in English and Chinese, the searched words
/// only near its end.
fn long_page_searcher(dir: &Path) -> Searcher {
    let site = "title = \"Long\"\nbase_url = \"https://long.example.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"zh\"]\n";
    std::fs::write(dir.join("site.toml"), site).unwrap();
    let page = dir.join("content/report");
    std::fs::create_dir_all(&page).unwrap();
    let filler = "Everyone has the right to freedom of opinion and expression. ".repeat(800);
    std::fs::write(
        page.join("index.md"),
        format!("+++\ntitle = \"Annual report\"\n+++\n\n{filler}\n\nThe forum adopted the Kampala pledge on meaningful connectivity for rural schools.\n\n{}\n", "Closing words follow here. ".repeat(40)),
    )
    .unwrap();
    let filler_zh = "人人有权享有主张和发表意见的自由。".repeat(600);
    std::fs::write(
        page.join("index.zh.md"),
        format!("+++\ntitle = \"年度报告\"\n+++\n\n{filler_zh}\n\n论坛通过了关于农村学校ＩＧＦ连通性的坎帕拉承诺。\n"),
    )
    .unwrap();
    let options = plenary::build::Options {
        root: dir.to_path_buf(),
        out: Some(dir.join("public")),
        drafts: false,
        progress: None,
        dashboard: false,
    };
    assert!(matches!(
        plenary::build::build(options).unwrap(),
        plenary::build::Outcome::Built(_)
    ));
    Searcher::open(&dir.join("public")).unwrap()
}

#[test]
fn excerpts_come_from_the_matching_passage_deep_in_a_long_page() {
    let dir = tempfile::tempdir().unwrap();
    let searcher = long_page_searcher(dir.path());
    let excerpt = |lang: &str, query: &str| {
        let request = Request {
            query: query.into(),
            lang: lang.into(),
            filters: Vec::new(),
            page: 1,
            per_page: 1,
        };
        let response = searcher.search(&request).unwrap();
        assert_eq!(response.total, 1, "{lang} {query}");
        response.hits[0].excerpt.clone()
    };

    let english = excerpt("en", "Kampala connectivity");
    assert!(english.starts_with('…'), "{english}");
    assert!(
        english.contains("<mark>Kampala</mark> pledge on meaningful <mark>connectivity</mark>"),
        "{english}"
    );
    assert!(english.contains("rural schools"), "{english}");
    // Typed so far: the word being typed is marked where the passage is.
    let typing = excerpt("en", "Kampala connec");
    assert!(typing.contains("<mark>connectivity</mark>"), "{typing}");

    // Chinese: full-width letters in the page are found by the ASCII the visitor types and
    // marked as written.
    let chinese = excerpt("zh", "igf");
    assert!(chinese.contains("<mark>ＩＧＦ</mark>"), "{chinese}");
    let chinese = excerpt("zh", "坎帕拉");
    assert!(chinese.contains("<mark>坎帕拉</mark>"), "{chinese}");
}
