//! What a visitor's browser needs to search the site on any static host: Plenary's search
//! compiled to WebAssembly (built from `src/wasm/` by `.ci/build-search-module`), jieba's
//! dictionary for Chinese, and `_search/browser.json`, the manifest the search page's worker
//! reads to know which files make this build's index.
//!
//! Hosts and browsers may keep every file the manifest names for ever: the module and the
//! dictionary carry a hash of their bytes in their names, and the index's files (whose names
//! tantivy and the native search read as they are) are addressed with theirs in the query
//! (`en/meta.json?v=<hash>`). Only the manifest itself is asked for again each time, and its
//! `build`, a hash of every file's, tells one build's index from another's.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use serde::Serialize;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle,
    WritePtr,
};
use tantivy::{Directory, HasLen};

use crate::search::schema::SEARCH_DIR;

/// The manifest, under `_search/`.
pub const MANIFEST: &str = "browser.json";
/// The version of the manifest's layout, for the worker to refuse one it does not know.
const MANIFEST_FORMAT: u32 = 1;
/// Languages whose files weigh more than this are read in parts, by HTTP range requests, as
/// the search asks for them: a search reads a few hundred KiB of an index of many MiB. Smaller
/// ones are fetched whole, all files at once, which costs one round trip.
const RANGE_READS_ABOVE: u64 = 1 << 20;
/// The extensions of the tantivy files that every search reads whole (the fast fields and the
/// field norms of a segment): fetched before the first search. Of the term dictionaries, only
/// what opening reads (`opening`: each field's index of blocks, the facets' values) is; a
/// search reads the blocks of its words, a few KiB of a file of 100 KiB or more.
const READ_WHOLE: &[&str] = &["fast", "fieldnorm"];

/// The search module, as `.ci/build-search-module` writes it.
pub const MODULE: &[u8] = include_bytes!("../themes/default/search/plenary-search.wasm");
/// The same, gzipped (`gzip -9n`): what the worker fetches from a host that compresses
/// nothing, a third of the size, and unzips (`DecompressionStream`).
pub const MODULE_GZIP: &[u8] = include_bytes!("../themes/default/search/plenary-search.wasm.gz");
/// jieba-rs's `dict.txt` (the dictionary the native build segments Chinese with), gzipped
/// (`gzip -9n`): 1.9 MB, fetched only for Chinese. A browser unzips it
/// (`DecompressionStream`); served as it is, it needs nothing from the host.
pub const ZH_DICTIONARY: &[u8] = include_bytes!("../themes/default/search/jieba-dict.txt.gz");

#[derive(Serialize)]
struct Manifest {
    format: u32,
    /// Changes whenever any file of the index, the module or the dictionary does.
    build: String,
    module: Asset,
    /// The module gzipped, for hosts that compress nothing.
    module_gzip: Asset,
    /// Only when the site has Chinese.
    zh_dict: Option<Asset>,
    /// The search's own `meta.json` (its format and languages).
    meta: IndexFile,
    /// A language with more `bytes` than this is read in parts (range requests).
    range_reads_above: u64,
    languages: BTreeMap<String, Language>,
}

/// A file of Plenary's own, under a name holding its hash.
#[derive(Serialize)]
struct Asset {
    url: String,
    size: u64,
}

/// A file of the index: `path` is what the module is handed it as, `url` where to fetch it
/// (both under `_search/`).
#[derive(Serialize)]
struct IndexFile {
    path: String,
    url: String,
    size: u64,
    /// How many bytes from its start every search reads (all of them, for some): what to
    /// fetch before the first search when the language is read in parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    prefetch: Option<u64>,
    /// The byte ranges, [start, end), that opening the index and the fields a query searches
    /// reads (tantivy's footers: the tables of its composite files, the document store's
    /// index; each field's header in the postings): fetched with the head, so that neither
    /// opening a language read in parts nor its first search waits on a request for them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    opening: Vec<[u64; 2]>,
}

#[derive(Serialize)]
struct Language {
    /// All its files together: what a browser fetches to search it whole. (Large languages
    /// will be read in parts by HTTP range requests instead; this is where to tell.)
    bytes: u64,
    files: Vec<IndexFile>,
}

/// Writes the module, the dictionary (if a language is Chinese) and the manifest into the
/// `_search/` folder of `site_dir`, once the index of `languages` is written there.
pub fn write(site_dir: &Path, languages: &[String]) -> anyhow::Result<()> {
    let root = site_dir.join(SEARCH_DIR);
    let mut hashes = Vec::new();
    let module = write_asset(&root, "plenary-search", ".wasm", MODULE, &mut hashes)?;
    let module_gzip = write_asset(
        &root,
        "plenary-search",
        ".wasm.gz",
        MODULE_GZIP,
        &mut hashes,
    )?;
    let zh_dict = languages
        .iter()
        .any(|code| is_chinese(code))
        .then(|| write_asset(&root, "jieba-dict", ".txt.gz", ZH_DICTIONARY, &mut hashes))
        .transpose()?;
    let meta = index_file(&root, "meta.json", &mut hashes)?;
    let mut by_language = BTreeMap::new();
    for lang in languages {
        by_language.insert(lang.clone(), language(&root, lang, &mut hashes)?);
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        build: hex(fnv1a(hashes.join("\n").as_bytes())),
        module,
        module_gzip,
        zh_dict,
        meta,
        range_reads_above: RANGE_READS_ABOVE,
        languages: by_language,
    };
    let path = root.join(MANIFEST);
    std::fs::write(&path, serde_json::to_vec(&manifest)?)
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Whether a language code is Chinese (`zh`, `zh-Hant`, ...): its search needs jieba.
fn is_chinese(code: &str) -> bool {
    code.split('-').next() == Some("zh")
}

fn write_asset(
    root: &Path,
    stem: &str,
    extension: &str,
    bytes: &[u8],
    hashes: &mut Vec<String>,
) -> anyhow::Result<Asset> {
    let hash = hex(fnv1a(bytes));
    let url = format!("{stem}.{hash}{extension}");
    let path = root.join(&url);
    std::fs::write(&path, bytes).with_context(|| format!("cannot write `{}`", path.display()))?;
    hashes.push(format!("{url} {hash}"));
    Ok(Asset {
        url,
        size: bytes.len() as u64,
    })
}

/// A language's files, but tantivy's dot files (its locks and the list of files it manages),
/// which a searcher does not read.
fn language(root: &Path, lang: &str, hashes: &mut Vec<String>) -> anyhow::Result<Language> {
    let dir = root.join(lang);
    let entries =
        std::fs::read_dir(&dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    let mut opening = opening_reads(&dir, lang)
        .with_context(|| format!("cannot open the search index `{}`", dir.display()))?;
    let files = names
        .iter()
        .map(|name| {
            let mut file = index_file(root, &format!("{lang}/{name}"), hashes)?;
            file.opening = opening.remove(name).unwrap_or_default();
            Ok(file)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Language {
        bytes: files.iter().map(|f| f.size).sum(),
        files,
    })
}

fn index_file(root: &Path, rel: &str, hashes: &mut Vec<String>) -> anyhow::Result<IndexFile> {
    let path = root.join(rel);
    let bytes =
        std::fs::read(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let hash = hex(fnv1a(&bytes));
    hashes.push(format!("{rel} {hash}"));
    Ok(IndexFile {
        path: rel.to_string(),
        url: format!("{rel}?v={hash}"),
        size: bytes.len() as u64,
        prefetch: prefetch(rel, &bytes),
        opening: Vec::new(),
    })
}

/// The bytes from the start of a language's file that every search reads: tantivy's
/// `meta.json` and the files it reads whole, and the head of the body store (its zstd
/// dictionary, which every excerpt needs).
fn prefetch(rel: &str, bytes: &[u8]) -> Option<u64> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let extension = name.rsplit_once('.').map(|(_, extension)| extension);
    if name == "meta.json" || extension.is_some_and(|e| READ_WHOLE.contains(&e)) {
        return Some(bytes.len() as u64);
    }
    if name == crate::body_store::FILE {
        return crate::body_store::head_len(bytes).map(|len| len as u64);
    }
    None
}

/// For each file of the index in `dir`, by name, the byte ranges that opening it for searching,
/// opening the fields a query searches and reading the facets' values read, merged: found by
/// doing so, through a directory that notes each read. (What tantivy reads there is its own
/// business; asking it keeps this true across its versions.)
fn opening_reads(dir: &Path, lang: &str) -> anyhow::Result<BTreeMap<String, Vec<[u64; 2]>>> {
    let reads = Arc::new(Mutex::new(BTreeMap::new()));
    let directory = Noting {
        inner: MmapDirectory::open(dir)?,
        reads: Arc::clone(&reads),
    };
    let index = tantivy::Index::open(directory)?;
    let reader: tantivy::IndexReader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let (_, fields) = crate::search::schema::schema(lang);
    for segment in reader.searcher().segment_readers() {
        for field in [
            fields.title,
            fields.description,
            fields.headings,
            fields.body,
        ] {
            segment.inverted_index(field)?;
        }
        // Every facet's values, which the first search reads to count them (facet_counts.rs).
        for name in crate::search::schema::FACETS {
            let facets = segment.facet_reader(name)?;
            let mut value = tantivy::schema::Facet::root();
            for ord in 0..facets.num_facets() as u64 {
                facets.facet_from_ord(ord, &mut value)?;
            }
        }
    }
    let reads = reads.lock().unwrap_or_else(PoisonError::into_inner);
    Ok(reads
        .iter()
        .map(|(name, ranges)| (name.clone(), merged(ranges.clone())))
        .collect())
}

/// Ranges, sorted, with those that overlap or touch made one.
fn merged(mut ranges: Vec<[u64; 2]>) -> Vec<[u64; 2]> {
    ranges.sort_unstable();
    let mut out: Vec<[u64; 2]> = Vec::new();
    for [start, end] in ranges {
        match out.last_mut() {
            Some(last) if start <= last[1] => last[1] = last[1].max(end),
            _ => out.push([start, end]),
        }
    }
    out
}

/// A directory that notes the byte ranges read of each file read through it.
#[derive(Clone, Debug)]
struct Noting {
    inner: MmapDirectory,
    reads: Arc<Mutex<BTreeMap<String, Vec<[u64; 2]>>>>,
}

#[derive(Debug)]
struct NotingHandle {
    name: String,
    inner: Arc<dyn FileHandle>,
    reads: Arc<Mutex<BTreeMap<String, Vec<[u64; 2]>>>>,
}

impl HasLen for NotingHandle {
    fn len(&self) -> usize {
        self.inner.len()
    }
}

impl FileHandle for NotingHandle {
    fn read_bytes(&self, range: Range<usize>) -> std::io::Result<OwnedBytes> {
        let mut reads = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
        let ranges = reads.entry(self.name.clone()).or_default();
        ranges.push([range.start as u64, range.end as u64]);
        drop(reads);
        self.inner.read_bytes(range)
    }
}

impl Directory for Noting {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        Ok(Arc::new(NotingHandle {
            name: path.to_string_lossy().into_owned(),
            inner: self.inner.get_file_handle(path)?,
            reads: Arc::clone(&self.reads),
        }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }
}

/// FNV-1a, 64 bits: stable across builds, machines and versions of Rust. The hashes tell
/// versions of a file apart for caches; nobody crafts the files to collide.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn hex(hash: u64) -> String {
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_search_reads_the_fast_fields_norms_and_meta_whole() {
        let bytes = b"0123456789";
        for name in ["en/meta.json", "en/a1.fast", "en/a1.fieldnorm"] {
            assert_eq!(prefetch(name, bytes), Some(10), "{name}");
        }
        for name in [
            "en/a1.idx",
            "en/a1.pos",
            "en/a1.store",
            "en/a1.term",
            "en/a1.fast.x",
        ] {
            assert_eq!(prefetch(name, bytes), None, "{name}");
        }
    }

    #[test]
    fn the_body_stores_head_and_dictionary_are_prefetched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::body_store::FILE);
        let body = "governance of the internet ".repeat(2000);
        let mut writer = crate::body_store::Writer::create(&path, &[&body]).unwrap();
        writer.add(&body, true).unwrap();
        writer.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let head = prefetch("en/bodies.bin", &bytes).unwrap();
        assert!(
            head > 12 && head < bytes.len() as u64,
            "{head} of {}",
            bytes.len()
        );
        let reader =
            crate::body_store::Reader::from_source(Box::new(bytes[..head as usize].to_vec()), "x")
                .unwrap();
        assert_eq!(12 + reader.dictionary().len() as u64, head);
        assert_eq!(prefetch("en/bodies.bin", b"not a body store"), None);
    }

    /// A gzipped module left behind by a rebuild of the module would answer otherwise.
    #[test]
    fn the_gzipped_module_is_the_module() {
        assert!(
            gunzip(MODULE_GZIP) == MODULE,
            "rebuild it: .ci/build-search-module"
        );
    }

    #[test]
    fn ranges_that_overlap_or_touch_are_merged() {
        assert_eq!(
            merged(vec![[10, 20], [0, 4], [4, 6], [15, 30], [40, 41]]),
            [[0, 6], [10, 30], [40, 41]]
        );
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Read as _;
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut unzipped)
            .unwrap();
        unzipped
    }

    fn shipped_dictionary() -> Vec<u8> {
        gunzip(ZH_DICTIONARY)
    }

    /// The module's dictionary for text without Han characters (analysis.rs) is what the
    /// shipped dictionary makes it: its words of jieba's ASCII characters, and one Han word
    /// carrying the rest of its total frequency.
    #[test]
    fn the_han_free_dictionary_is_the_shipped_one_s_ascii_words() {
        let text = String::from_utf8(shipped_dictionary()).unwrap();
        let mut derived = String::new();
        let (mut total, mut ascii) = (0u64, 0u64);
        for line in text.lines() {
            let mut fields = line.split_whitespace();
            let (Some(word), Some(freq)) = (fields.next(), fields.next()) else {
                continue;
            };
            let freq: u64 = freq.parse().unwrap();
            total += freq;
            let jieba_ascii = |c: char| c.is_ascii_alphanumeric() || "+#&._%-".contains(c);
            if word.chars().all(jieba_ascii) {
                derived.push_str(line);
                derived.push('\n');
                ascii += freq;
            }
        }
        derived.push_str(&format!("一 {} m\n", total - ascii));
        assert_eq!(include_str!("wasm/han-free-dict.txt"), derived);
    }

    /// Text without Han characters is segmented alike with the whole dictionary and with the
    /// module's small one: the bundled site's pages in the five other languages, the UDHR's,
    /// and words jieba's dictionary holds in ASCII.
    #[test]
    fn text_without_han_characters_needs_no_dictionary() {
        let full =
            jieba_rs::Jieba::with_dict(&mut std::io::BufReader::new(&shipped_dictionary()[..]))
                .unwrap();
        let small = jieba_rs::Jieba::with_dict(&mut std::io::BufReader::new(
            &include_bytes!("wasm/han-free-dict.txt")[..],
        ))
        .unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![
            "C++ and c# at AT&T: 3.5% of e-mail_x, c++11 C#.NET at&t".to_string(),
            "Internet governance, IGF 2020 BPF-cybersecurity".to_string(),
        ];
        for dir in [root.join("content"), root.join("tests/fixtures/udhr")] {
            let mut files = Vec::new();
            crate::render::list_files(&dir, &mut files).unwrap();
            texts.extend(files.iter().map(|f| std::fs::read_to_string(f).unwrap()));
        }
        let mut compared = 0;
        for text in &texts {
            let text = crate::analysis::normalize("zh", text);
            if crate::analysis::needs_dictionary(&text) {
                continue;
            }
            let words = |jieba: &jieba_rs::Jieba| {
                jieba
                    .tokenize(&text, jieba_rs::TokenizeMode::Search, true)
                    .into_iter()
                    .map(|t| (t.word, t.start))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                words(&full),
                words(&small),
                "{}",
                text.chars().take(80).collect::<String>()
            );
            compared += 1;
        }
        assert!(
            compared > 100,
            "only {compared} texts without Han characters"
        );
        assert!(crate::analysis::needs_dictionary("互联网治理"));
        assert!(!crate::analysis::needs_dictionary("Управление интернетом"));
    }

    #[test]
    fn chinese_is_any_zh_code() {
        assert!(is_chinese("zh"));
        assert!(is_chinese("zh-Hant"));
        assert!(!is_chinese("zu"));
        assert!(!is_chinese("ar"));
    }

    /// The dictionary shipped is the one the native build segments with: both cut the
    /// bundled site's Chinese alike.
    #[test]
    fn the_shipped_dictionary_segments_as_the_native_one() {
        let text = shipped_dictionary();
        let shipped = jieba_rs::Jieba::with_dict(&mut std::io::BufReader::new(&text[..])).unwrap();
        let native = jieba_rs::Jieba::new();
        let home = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("content/_index.zh.md"),
        )
        .unwrap();
        assert!(
            home.chars()
                .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                .count()
                > 100
        );
        assert_eq!(shipped.cut(&home, false), native.cut(&home, false));
        assert_eq!(shipped.cut(&home, true), native.cut(&home, true));
    }
}
