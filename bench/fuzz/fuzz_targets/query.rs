//! Fuzzes search: any text as a search URL's query string and as typed words, parsed and searched in a small six-language index.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plenary::query::{Request, Searcher};

// The generator the tests build their archive with.
#[allow(dead_code)]
#[path = "../../../tests/common/corpus.rs"]
mod corpus;

/// The index of a generated archive of 12 works in six languages, built once under
/// `bench/fuzz/work/` and reused by later runs while this Plenary can read it.
fn searcher() -> &'static Searcher {
    static SEARCHER: OnceLock<Searcher> = OnceLock::new();
    SEARCHER.get_or_init(|| {
        let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = fuzz_dir.join("work/query-site");
        let public = site.join("public");
        if let Ok(searcher) = Searcher::open(&public) {
            return searcher;
        }
        let _ = std::fs::remove_dir_all(&site);
        let udhr = fuzz_dir.join("../../tests/fixtures/udhr");
        corpus::write_site(&udhr, &site, 12, 2020).expect("the archive is written");
        let config = site.join("site.toml");
        let mut text = std::fs::read_to_string(&config).expect("site.toml is written");
        text.push_str("\n[search]\nindex = true\n");
        std::fs::write(&config, text).expect("site.toml is written");
        let built = plenary::build::build(plenary::build::Options {
            root: site.clone(),
            out: Some(public.clone()),
            drafts: false,
            progress: None,
            dashboard: false,
        })
        .expect("the archive builds");
        assert!(matches!(built, plenary::build::Outcome::Built(_)));
        Searcher::open(&public).expect("the index opens")
    })
}

fuzz_target!(|data: &[u8]| {
    let searcher = searcher();
    let text = String::from_utf8_lossy(data);
    // As typed into the search box, in every language at once.
    let _ = plenary::query::parse(&text);
    let typed = Request {
        query: text.to_string(),
        lang: "all".to_string(),
        filters: Vec::new(),
        page: 1,
        per_page: 10,
    };
    let response = searcher
        .search(&typed)
        .expect("a typed query is always valid");
    assert!(response.hits.len() <= 10);
    // As the query string of `/_search?...` or `/search/?...`.
    if let Ok(request) = plenary::search_page::request_from_query(&text, "en") {
        if let Ok(response) = searcher.search(&request) {
            assert!(response.hits.len() <= request.per_page.clamp(1, 100));
        }
    }
});
