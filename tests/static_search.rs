//! Search on a static host: what a build writes for the visitor's browser to search with
//! (the search module, jieba's dictionary, `_search/browser.json` listing the index's files),
//! read back from the output of the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn build(root: &Path) -> PathBuf {
    let out = root.join("public");
    let output = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .arg("build")
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

fn manifest(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("_search/browser.json"))
        .expect("the build writes _search/browser.json");
    serde_json::from_str(&text).unwrap()
}

/// The path under `_search/` a manifest URL names (its query, the content hash, left off).
fn file_of(url: &str) -> &str {
    url.split('?').next().unwrap()
}

/// Every file of a language's index but tantivy's dot files, by path under `_search/`.
fn index_files(out: &Path, lang: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join("_search").join(lang))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .map(|name| format!("{lang}/{name}"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_manifest_lists_every_file_of_each_language_with_its_size_and_a_hashed_url() {
    let site = common::fixture_copy("basic");
    let out = build(site.path());
    let manifest = manifest(&out);
    let languages = manifest["languages"].as_object().unwrap();
    let mut codes: Vec<&String> = languages.keys().collect();
    codes.sort();
    assert_eq!(codes, ["ar", "en", "fr", "zh"]);
    for (lang, entry) in languages {
        let files = entry["files"].as_array().unwrap();
        let mut paths: Vec<String> = files
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        paths.sort();
        assert_eq!(paths, index_files(&out, lang), "{lang}");
        let mut total = 0;
        for file in files {
            let path = file["path"].as_str().unwrap();
            let url = file["url"].as_str().unwrap();
            assert_eq!(file_of(url), path);
            assert!(url.len() > path.len() + 3, "{url} carries its hash");
            let size = std::fs::metadata(out.join("_search").join(path))
                .unwrap()
                .len();
            assert_eq!(file["size"].as_u64(), Some(size), "{path}");
            total += size;
        }
        assert_eq!(entry["bytes"].as_u64(), Some(total), "{lang}");
    }
    // The search's own meta.json, which lists the languages.
    assert_eq!(manifest["meta"]["path"], "meta.json");
    assert!(out
        .join("_search")
        .join(file_of(manifest["meta"]["url"].as_str().unwrap()))
        .is_file());
}

#[test]
fn the_module_and_the_dictionary_are_written_under_names_that_hold_their_hash() {
    let site = common::fixture_copy("basic");
    let out = build(site.path());
    let manifest = manifest(&out);
    let module = manifest["module"]["url"].as_str().unwrap();
    assert!(
        module.starts_with("plenary-search.") && module.ends_with(".wasm") && module.len() > 25,
        "{module}"
    );
    let bytes = std::fs::read(out.join("_search").join(module)).unwrap();
    assert_eq!(&bytes[..4], b"\0asm", "a WebAssembly module");
    assert_eq!(
        manifest["module"]["size"].as_u64(),
        Some(bytes.len() as u64)
    );
    // Gzipped too, for hosts that compress nothing, under a name of its own.
    let zipped = manifest["module_gzip"]["url"].as_str().unwrap();
    assert!(
        zipped.starts_with("plenary-search.") && zipped.ends_with(".wasm.gz") && zipped != module,
        "{zipped}"
    );
    let bytes = std::fs::read(out.join("_search").join(zipped)).unwrap();
    assert_eq!(&bytes[..2], [0x1f, 0x8b], "gzip");
    // The site has Chinese: jieba's dictionary, gzipped, beside it.
    let dict = manifest["zh_dict"]["url"].as_str().unwrap();
    assert!(
        dict.starts_with("jieba-dict.") && dict.ends_with(".txt.gz"),
        "{dict}"
    );
    let bytes = std::fs::read(out.join("_search").join(dict)).unwrap();
    assert_eq!(&bytes[..2], [0x1f, 0x8b], "gzip");
}

#[test]
fn a_site_without_chinese_gets_no_dictionary() {
    let site = common::fixture_copy("basic");
    let toml = common::read_file(site.path(), "site.toml").replace(
        r#"languages = ["en", "fr", "ar", "zh"]"#,
        r#"languages = ["en", "fr", "ar"]"#,
    );
    common::write_file(site.path(), "site.toml", &toml);
    for file in walk(&site.path().join("content")) {
        if file.to_string_lossy().contains(".zh.") {
            std::fs::remove_file(file).unwrap();
        }
    }
    let out = build(site.path());
    let manifest = manifest(&out);
    assert!(manifest["zh_dict"].is_null(), "{manifest}");
    let names: Vec<String> = std::fs::read_dir(out.join("_search"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with("jieba-dict")),
        "{names:?}"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The content hashes of a language's files, but its `meta.json` (which names its segments,
/// whose ids tantivy draws at random in each build), with each file's kind.
fn content_hashes(manifest: &Value, lang: &str) -> Vec<String> {
    let mut hashes: Vec<String> = manifest["languages"][lang]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap())
        .filter(|url| !url.contains("/meta.json"))
        .map(|url| {
            let (path, hash) = url.split_once("?v=").unwrap();
            format!("{} {hash}", path.rsplit('.').next().unwrap())
        })
        .collect();
    hashes.sort();
    hashes
}

#[test]
fn an_edit_in_one_language_changes_the_build_id_and_that_language_s_hashes_only() {
    let site = common::fixture_copy("basic");
    let before = manifest(&build(site.path()));
    let again = manifest(&build(site.path()));
    for lang in ["en", "fr", "ar", "zh"] {
        assert_eq!(
            content_hashes(&before, lang),
            content_hashes(&again, lang),
            "{lang}"
        );
    }
    // An English page only: the French, Arabic and Chinese indexes hold what they held.
    let page = site.path().join("content/reports/notes.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nA sentence about semaphores.\n")).unwrap();
    let after = manifest(&build(site.path()));
    assert!(before["build"].as_str().unwrap().len() >= 16);
    assert_ne!(before["build"], after["build"]);
    assert_ne!(content_hashes(&before, "en"), content_hashes(&after, "en"));
    for lang in ["fr", "ar", "zh"] {
        assert_eq!(
            content_hashes(&before, lang),
            content_hashes(&after, lang),
            "{lang}"
        );
    }
}

#[test]
fn the_search_page_names_the_manifest_and_the_worker_under_the_site_s_path() {
    let site = common::fixture_copy("basic");
    let toml = common::read_file(site.path(), "site.toml").replace(
        "base_url = \"https://fixture.example.org\"",
        "base_url = \"https://fixture.example.org/igf/\"",
    );
    common::write_file(site.path(), "site.toml", &toml);
    let out = build(site.path());
    for page in ["search/index.html", "ar/search/index.html"] {
        let html = common::read_file(&out, page);
        assert!(
            html.contains(r#"data-index="/igf/_search/browser.json""#),
            "{page}"
        );
        assert!(
            html.contains(r#"data-worker="/igf/search-worker.js""#),
            "{page}"
        );
    }
    assert!(out.join("search-worker.js").is_file());
}

/// A language's index as a browser that reads it in parts has it before the first search:
/// each file's head (`prefetch`) and the ranges opening reads (`opening`, unless left out),
/// as the manifest lists them; zeros elsewhere.
fn prefetched_only(out: &Path, manifest: &Value, lang: &str, opening: bool) -> tantivy::Index {
    let directory = tantivy::directory::RamDirectory::create();
    for file in manifest["languages"][lang]["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        let real = std::fs::read(out.join("_search").join(path)).unwrap();
        let mut bytes = vec![0; real.len()];
        let head = (file["prefetch"].as_u64().unwrap_or(0) as usize).min(real.len());
        bytes[..head].copy_from_slice(&real[..head]);
        let ranges = file["opening"].as_array().cloned().unwrap_or_default();
        for range in ranges.iter().filter(|_| opening) {
            let start = range[0].as_u64().unwrap() as usize;
            let end = range[1].as_u64().unwrap() as usize;
            bytes[start..end].copy_from_slice(&real[start..end]);
        }
        let name = path.strip_prefix(&format!("{lang}/")).unwrap();
        tantivy::Directory::atomic_write(&directory, Path::new(name), &bytes).unwrap();
    }
    tantivy::Index::open(directory).unwrap()
}

/// A browser that reads a large language in parts fetches, before the first search, the
/// heads and the opening ranges the manifest lists, in parallel: opening the index and the
/// fields a query searches must then read nothing else (each other read would be a round trip
/// of its own).
#[test]
fn opening_a_language_reads_only_what_the_manifest_lists() {
    let site = common::fixture_copy("basic");
    let out = build(site.path());
    let manifest = manifest(&out);
    for lang in ["en", "ar"] {
        let real = tantivy::Index::open_in_dir(out.join("_search").join(lang))
            .unwrap()
            .reader()
            .unwrap()
            .searcher();
        let opened = prefetched_only(&out, &manifest, lang, true)
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map(|reader: tantivy::IndexReader| {
                let searcher = reader.searcher();
                // What opening each searched field reads (its count of tokens, which ranks),
                // and the facets' values.
                assert_eq!(tokens(&searcher), tokens(&real), "{lang}");
                searcher.num_docs()
            });
        assert!(
            matches!(opened, Ok(n) if n > 0),
            "{lang}: {:?}",
            opened.err()
        );
        // Without them, opening reads footers the browser would not have.
        let opened = prefetched_only(&out, &manifest, lang, false)
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map(|_: tantivy::IndexReader| ());
        assert!(opened.is_err(), "{lang} opened without its opening ranges");
    }
}

/// What a first search reads on opening, by segment: the number of tokens in each field a
/// query searches, and every value of each facet.
fn tokens(searcher: &tantivy::Searcher) -> Vec<String> {
    let schema = searcher.schema();
    let mut read = Vec::new();
    for segment in searcher.segment_readers() {
        for name in ["title", "description", "headings", "body"] {
            let field = schema.get_field(name).unwrap();
            let tokens = segment.inverted_index(field).unwrap().total_num_tokens();
            read.push(format!("{name}: {tokens}"));
        }
        for name in ["kind", "group", "year", "theme", "region", "source", "site"] {
            let facets = segment.facet_reader(name).unwrap();
            let mut value = tantivy::schema::Facet::root();
            for ord in 0..facets.num_facets() as u64 {
                facets.facet_from_ord(ord, &mut value).unwrap();
                read.push(format!("{name}: {value}"));
            }
        }
    }
    read
}
