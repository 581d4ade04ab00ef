//! Reading a built search index from anywhere: from its files' bytes in memory, as the search
//! compiled to WebAssembly is handed them, and a page at a time from the command line.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use plenary::body_store;
use plenary::query::{IndexSource, Request, Searcher};
use tantivy::directory::RamDirectory;
use tantivy::Directory;

/// A generated archive of 12 works in six languages, built with its search index.
fn built_archive(dir: &Path) -> std::path::PathBuf {
    let tree = dir.join("tree");
    common::corpus::write_site(&common::udhr_dir(), &tree, 12, 2020).unwrap();
    let built = plenary::build::build(plenary::build::Options {
        root: tree.clone(),
        out: Some(tree.join("public")),
        drafts: false,
        progress: None,
        dashboard: false,
    })
    .unwrap();
    assert!(matches!(built, plenary::build::Outcome::Built(_)));
    tree
}

/// Every file under `dir`, by its path relative to `dir` with `/` between names.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            for (inside, bytes) in files_under(&path) {
                files.insert(format!("{name}/{inside}"), bytes);
            }
        } else {
            files.insert(name, std::fs::read(&path).unwrap());
        }
    }
    files
}

/// `_search/`'s files in memory, by path under it (`meta.json`, `en/bodies.bin`, ...).
struct InMemory(BTreeMap<String, Vec<u8>>);

impl IndexSource for InMemory {
    fn name(&self) -> String {
        "_search".to_string()
    }

    fn meta(&self) -> anyhow::Result<Vec<u8>> {
        Ok(self.0["meta.json"].clone())
    }

    fn directory(&self, lang: &str) -> anyhow::Result<Box<dyn Directory>> {
        let directory = RamDirectory::create();
        for (path, bytes) in &self.0 {
            if let Some(name) = path.strip_prefix(&format!("{lang}/")) {
                // The writer's lock files stay in the folder; here they would keep the reader
                // from taking its own lock.
                if name != body_store::FILE && !name.ends_with(".lock") {
                    directory.atomic_write(Path::new(name), bytes)?;
                }
            }
        }
        Ok(Box::new(directory))
    }

    fn bodies(&self, lang: &str) -> anyhow::Result<body_store::Reader> {
        let path = format!("{lang}/{}", body_store::FILE);
        body_store::Reader::from_source(Box::new(self.0[&path].clone()), &path)
    }
}

fn request(lang: &str, query: &str, filters: &[(&str, &str)], page: usize) -> Request {
    Request {
        query: query.to_string(),
        lang: lang.to_string(),
        filters: filters
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        page,
        per_page: 3,
    }
}

#[test]
fn a_searcher_opened_from_the_index_files_in_memory_answers_as_the_folder_does() {
    let dir = tempfile::tempdir().unwrap();
    let site = built_archive(dir.path()).join("public");
    let from_folder = Searcher::open(&site).unwrap();
    let files = files_under(&site.join("_search"));
    // Nothing is read from the folder once its files are in memory.
    std::fs::remove_dir_all(site.join("_search")).unwrap();
    let from_memory = Searcher::open_from(&InMemory(files)).unwrap();
    let cases = [
        request("en", "human rights", &[], 1),
        request("en", "\"freedom of\"", &[], 1),
        request("en", "educat", &[("kind", "dc-paper")], 1),
        request("fr", "liberte d'expression", &[], 2),
        request("es", "educación", &[], 1),
        request("ru", "свобода", &[], 1),
        request("ar", "حقوق الإنسان", &[], 1),
        request("zh", "人人有权", &[], 1),
        request("all", "education", &[("year", "2010")], 1),
        request("all", "rights", &[], 3),
        request("xx", "rights", &[], 1),
    ];
    let answer = |searcher: &Searcher, request: &Request| match searcher.search(request) {
        Ok(response) => serde_json::to_string_pretty(&response).unwrap(),
        Err(invalid) => format!("invalid: {}", invalid.0),
    };
    let mut found = 0;
    for case in &cases {
        let want = answer(&from_folder, case);
        assert_eq!(answer(&from_memory, case), want, "{case:?}");
        found += usize::from(want.contains("<mark>"));
    }
    assert!(found >= 8, "most cases find pages: {found}");
}

#[test]
fn a_store_in_memory_is_refused_as_its_file_is_when_it_is_not_one() {
    let refused = body_store::Reader::from_source(Box::new(b"PLBODY0\n\0\0\0\0".to_vec()), "x.bin");
    let message = refused.err().map(|e| format!("{e:#}"));
    assert_eq!(
        message.as_deref(),
        Some("`x.bin` is not a Plenary body store: rebuild the site")
    );
    let short = body_store::Reader::from_source(Box::new(b"PLB".to_vec()), "y.bin");
    let message = short.err().map(|e| format!("{e:#}"));
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.starts_with("cannot read `y.bin`")),
        "{message:?}"
    );
}

fn plenary_search(site: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_plenary"))
        .arg("search")
        .arg("--site")
        .arg(site)
        .args(["--json"])
        .args(args)
        .output()
        .unwrap()
}

fn hits(output: &std::process::Output) -> (usize, Vec<String>) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let urls = json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["url"].as_str().unwrap().to_string())
        .collect();
    (json["page"].as_u64().unwrap() as usize, urls)
}

#[test]
fn the_command_line_shows_any_page_of_results_as_the_api_does() {
    let dir = tempfile::tempdir().unwrap();
    let site = built_archive(dir.path()).join("public");
    let (_, first_six) = hits(&plenary_search(&site, &["--limit", "6", "rights"]));
    assert_eq!(first_six.len(), 6, "{first_six:?}");
    let (page, second_page) = hits(&plenary_search(
        &site,
        &["--limit", "3", "--page", "2", "rights"],
    ));
    assert_eq!(page, 2);
    assert_eq!(second_page, first_six[3..]);
    // Past the thousandth result: the caller's mistake, said as the API says it.
    let too_far = plenary_search(&site, &["--limit", "10", "--page", "101", "rights"]);
    assert_eq!(too_far.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&too_far.stderr),
        "error: `page` goes up to 100 with 10 results a page; to see results further down, \
         search with more words or a filter\n"
    );
}
