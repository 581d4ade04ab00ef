//! The content tree: reading it (`load`), then understanding it: file names, languages, front matter and URLs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::diag::{Diagnostic, Position};
use crate::frontmatter::{self, FrontMatter};

pub const CONTENT_DIR: &str = "content";

mod load;
mod names;
pub use load::{is_ignored, load, load_at, Asset, RawFile, Tree, MAX_FILE_BYTES, MAX_PAGE_BYTES};
pub use names::{fold, segment_problem, suggestion};

/// UTF-8 text with a byte-order mark removed and CRLF line endings made LF.
pub fn decode_text(shown: &Path, bytes: &[u8]) -> Result<String, Diagnostic> {
    decode_owned(shown, bytes.to_vec())
}

/// As `decode_text`, reusing the buffer: content trees run to hundreds of megabytes.
pub fn decode_owned(shown: &Path, mut bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) if text.contains('\r') => Ok(text.replace("\r\n", "\n")),
        Ok(text) => Ok(text),
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&e.as_bytes()[..valid_up_to]).unwrap_or_default();
            Err(Diagnostic::error(shown, Position::at(valid, valid.len()), "file is not valid UTF-8")
                .with_hint("save the file with UTF-8 encoding (most editors offer it under \"Save with encoding\")"))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Section,
    Page,
}

/// One language version of a section or page.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The file's path in the site, as `@/` links name it: `nri/kenya/report.fr.md`.
    pub rel: String,
    pub shown: PathBuf,
    pub lang: String,
    pub front: FrontMatter,
    /// The whole file text, so Markdown positions can be reported absolutely.
    pub text: String,
    /// Where the Markdown body starts in `text`.
    pub body_start: usize,
    /// The URL path without language prefix or slashes around it: `bpf/cybersecurity-2020`.
    pub path: String,
}

impl Doc {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// A section or page with all its language versions.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its folder or file path under `content/` without language and extension:
    /// `bpf` for `bpf/_index.md`, `bpf/x` for `bpf/x/index.md` or `bpf/x.md`, `` for the home.
    pub key: String,
    pub kind: EntryKind,
    /// The key of the section it sits in (`None` for the home).
    pub parent: Option<String>,
    /// Shared with the preview server's copy of the parsed files, which keeps them between
    /// rebuilds: only the files that changed are parsed again.
    pub docs: BTreeMap<String, Arc<Doc>>,
    /// The language shown where a translation is missing: the default one when present.
    pub original: String,
    /// Files of a page bundle or section folder, published beside its default-language URL.
    pub assets: Vec<String>,
}

impl Entry {
    pub fn original_doc(&self) -> &Doc {
        &self.docs[&self.original]
    }

    /// The version shown to a reader of `lang`, and whether it is a stand-in in another language.
    pub fn doc_for(&self, lang: &str) -> (&Doc, bool) {
        match self.docs.get(lang) {
            Some(doc) => (doc, false),
            None => (self.original_doc(), true),
        }
    }

    /// Its URL for a reader of `lang`, translated or not: `/fr/bpf/x/`.
    pub fn url(&self, config: &Config, lang: &str) -> String {
        let (doc, _) = self.doc_for(lang);
        page_url(config, lang, &doc.path)
    }
}

pub fn page_url(config: &Config, lang: &str, path: &str) -> String {
    let prefix = config.lang_prefix(lang);
    if path.is_empty() {
        format!("{prefix}/")
    } else {
        format!("{prefix}/{path}/")
    }
}

/// The parsed content tree: every section and page, sorted by key.
#[derive(Debug, Default)]
pub struct Content {
    /// Shared, so that the preview server can change one entry without copying the others.
    pub entries: Vec<Arc<Entry>>,
    pub assets: Vec<Asset>,
}

impl Content {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.key.as_str().cmp(key))
            .ok()
            .map(|i| &*self.entries[i])
    }
}

/// What a content file name says: which entry, which language, section or page.
#[derive(Debug, Clone, PartialEq)]
pub struct FileName {
    pub key: String,
    pub kind: EntryKind,
    /// `None` is the default language.
    pub lang: Option<String>,
    /// For bundles and sections, the folder whose other files belong to the entry.
    pub folder: Option<String>,
}

/// Splits `bpf/x/index.fr.md` into its entry key, kind and language suffix.
pub fn classify(rel: &str) -> FileName {
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let (name, lang) = match stem.rsplit_once('.') {
        Some((name, suffix)) if looks_like_language(suffix) => (name, Some(suffix.to_string())),
        _ => (stem, None),
    };
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}/{b}")
        }
    };
    match name {
        "_index" => FileName {
            key: dir.to_string(),
            kind: EntryKind::Section,
            lang,
            folder: Some(dir.to_string()),
        },
        "index" if !dir.is_empty() => FileName {
            key: dir.to_string(),
            kind: EntryKind::Page,
            lang,
            folder: Some(dir.to_string()),
        },
        _ => FileName {
            key: join(dir, name),
            kind: EntryKind::Page,
            lang,
            folder: None,
        },
    }
}

/// `fr`, `zh`, `pt-br`, `zh-hans`: a suffix meant as a language, known to the site or not.
fn looks_like_language(suffix: &str) -> bool {
    let mut parts = suffix.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Understands every file: languages, front matter, URLs, and which entry each belongs to.
/// Drafts are left out unless `drafts` is set; they are checked all the same.
pub fn parse(tree: Tree, config: &Config, drafts: bool) -> (Content, Vec<Diagnostic>) {
    let files = parse_files(tree.files, config);
    assemble(&files, tree.assets, config, drafts)
}

/// One content file understood on its own: the entry and language version it is, or the
/// diagnostics that say why it is not.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub rel: String,
    pub doc: Option<(FileName, Arc<Doc>)>,
    pub diags: Vec<Diagnostic>,
}

/// Gathers parsed files (in `rel` order) into entries: translations together, each under its
/// section, with its folder's files; checks what no file can check alone.
pub fn assemble<'a>(
    files: impl IntoIterator<Item = &'a ParsedFile>,
    assets: Vec<Asset>,
    config: &Config,
    drafts: bool,
) -> (Content, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    for file in files {
        diags.extend(file.diags.iter().cloned());
        let Some((name, doc)) = &file.doc else {
            continue;
        };
        if doc.front.draft && !drafts {
            continue;
        }
        let taken = config
            .source_of(&name.key)
            .and_then(|s| s.languages.as_ref())
            .is_none_or(|langs| langs.contains(&doc.lang));
        if !taken {
            continue;
        }
        let entry = entries.entry(name.key.clone()).or_insert_with(|| Entry {
            parent: None,
            key: name.key.clone(),
            kind: name.kind,
            docs: BTreeMap::new(),
            original: String::new(),
            assets: Vec::new(),
        });
        if entry.kind != name.kind || entry.docs.contains_key(&doc.lang) {
            let other = entry
                .docs
                .get(&doc.lang)
                .or_else(|| entry.docs.values().next())
                .map(|d| d.shown.display().to_string())
                .unwrap_or_default();
            diags.push(Diagnostic::error(&doc.shown, Position::START, format!("`{}` and `{other}` are the same page", doc.shown.display()))
                .with_hint("keep one of them: `name.md` and `name/index.md` (or `_index.md`) publish at the same URL"));
            continue;
        }
        entry.docs.insert(doc.lang.clone(), doc.clone());
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    for entry in &mut entries {
        entry.original = config
            .languages
            .iter()
            .map(|l| &l.code)
            .find(|code| entry.docs.contains_key(*code))
            .cloned()
            .unwrap_or_default();
    }
    let sections: Vec<String> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Section)
        .map(|e| e.key.clone())
        .collect();
    for entry in &mut entries {
        entry.parent = parent_section(&entry.key, entry.kind, &sections);
    }
    attach_assets(&mut entries, &assets);
    check_attachments(&entries, &mut diags);
    check_unique_urls(&entries, config, &mut diags);
    let entries = entries.into_iter().map(Arc::new).collect();
    let content = Content { entries, assets };
    (content, diags)
}

/// Parses the files on every core, keeping their order.
pub fn parse_files(files: Vec<RawFile>, config: &Config) -> Vec<ParsedFile> {
    let workers = crate::parallel::workers();
    let chunk = files.len().div_ceil(workers).max(1);
    let mut chunks: Vec<Vec<RawFile>> = Vec::new();
    let mut files = files.into_iter().peekable();
    while files.peek().is_some() {
        chunks.push(files.by_ref().take(chunk).collect());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|raw| parse_one(raw, config))
                        .collect::<Vec<ParsedFile>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Parses one file.
pub fn parse_one(raw: RawFile, config: &Config) -> ParsedFile {
    let rel = raw.rel.clone();
    let mut diags = Vec::new();
    let doc = parse_file(raw, config, &mut diags).map(|(name, doc)| (name, Arc::new(doc)));
    ParsedFile { rel, doc, diags }
}

fn parse_file(
    raw: RawFile,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Option<(FileName, Doc)> {
    let text = match decode_owned(&raw.shown, raw.bytes) {
        Ok(text) => text,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let name = classify(&raw.rel);
    let lang = match &name.lang {
        None => config.default_language.clone(),
        Some(lang) if config.language(lang).is_some() => lang.clone(),
        Some(lang) => {
            let known: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
            diags.push(Diagnostic::error(&raw.shown, Position::START, format!("unknown language suffix `.{lang}`"))
                .with_hint(format!("the site's languages are {}; rename the file or add `{lang}` to `languages` in site.toml", known.join(", "))));
            return None;
        }
    };
    let (front, body_start) = match frontmatter::parse(&raw.shown, &text) {
        Ok(parsed) => parsed,
        Err(mut errors) => {
            diags.append(&mut errors);
            return None;
        }
    };
    let path = url_path(&name.key, front.slug.as_deref());
    if let Some(d) = names::file_name_problem(&raw.shown, &path) {
        diags.push(d);
        return None;
    }
    let doc = Doc {
        rel: raw.rel,
        shown: raw.shown,
        lang,
        front,
        text,
        body_start,
        path,
    };
    Some((name, doc))
}

/// The key with a slug put in place of its last part.
fn url_path(key: &str, slug: Option<&str>) -> String {
    match (slug, key.rsplit_once('/')) {
        (None, _) => key.to_string(),
        (Some(slug), Some((dir, _))) => format!("{dir}/{slug}"),
        (Some(_), None) if key.is_empty() => String::new(),
        (Some(slug), None) => slug.to_string(),
    }
}

/// The nearest section folder above an entry; pages in folders without `_index.md` belong higher up.
fn parent_section(key: &str, kind: EntryKind, sections: &[String]) -> Option<String> {
    if key.is_empty() && kind == EntryKind::Section {
        return None;
    }
    let mut dir = key;
    while let Some((up, _)) = dir.rsplit_once('/') {
        if sections.binary_search_by(|s| s.as_str().cmp(up)).is_ok() {
            return Some(up.to_string());
        }
        dir = up;
    }
    Some(String::new())
}

/// Gives each bundle and section the files in its folder (not those of bundles below it).
fn attach_assets(entries: &mut [Entry], assets: &[Asset]) {
    let owners: BTreeMap<String, usize> = entries
        .iter()
        .enumerate()
        // Only bundles (`name/index.md`) and sections (`_index.md`) own the files of their folder.
        .filter(|(_, e)| e.docs.values().any(|d| classify(&d.rel).folder.is_some()))
        .map(|(i, e)| (e.key.clone(), i))
        .collect();
    for asset in assets {
        let mut dir = asset.rel.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some(&i) = owners.get(dir) {
                entries[i].assets.push(asset.rel.clone());
                break;
            }
            match dir.rsplit_once('/') {
                Some((up, _)) => dir = up,
                None if !dir.is_empty() => dir = "",
                None => break,
            }
        }
    }
}

/// Attachments named in front matter must be files of the page's folder.
pub fn check_attachments(entries: &[Entry], diags: &mut Vec<Diagnostic>) {
    for entry in entries {
        for doc in entry.docs.values() {
            for attachment in &doc.front.attachments {
                let rel = join_key(&entry.key, &attachment.file);
                if !entry.assets.contains(&rel) {
                    let pos = doc
                        .text
                        .find(&format!("\"{}\"", attachment.file))
                        .map_or(Position::START, |o| Position::at(&doc.text, o));
                    diags.push(Diagnostic::error(&doc.shown, pos, format!("attachment `{}` is not in the page's folder", attachment.file))
                        .with_hint(format!("put the file at `content/{rel}`; attachments are files of a page bundle (`name/index.md`)")));
                }
            }
        }
    }
}

pub fn join_key(key: &str, file: &str) -> String {
    if key.is_empty() {
        file.to_string()
    } else {
        format!("{key}/{file}")
    }
}

/// Two files may not claim one URL, whether by folder, file name or slug.
fn check_unique_urls(entries: &[Entry], config: &Config, diags: &mut Vec<Diagnostic>) {
    let mut claimed: BTreeMap<String, &Doc> = BTreeMap::new();
    for entry in entries {
        for doc in entry.docs.values() {
            let url = page_url(config, &doc.lang, &doc.path);
            if let Some(first) = claimed.insert(url.clone(), doc) {
                diags.push(
                    Diagnostic::error(
                        &doc.shown,
                        Position::START,
                        format!(
                            "`{}` and `{}` both publish `{url}`",
                            first.shown.display(),
                            doc.shown.display()
                        ),
                    )
                    .with_hint("change the `slug` of one of them, or rename one file"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_give_key_kind_and_language() {
        use EntryKind::*;
        let cases = [
            ("_index.md", "", Section, None),
            ("_index.ar.md", "", Section, Some("ar")),
            ("bpf/_index.zh.md", "bpf", Section, Some("zh")),
            ("bpf/x/index.md", "bpf/x", Page, None),
            ("bpf/x/index.fr.md", "bpf/x", Page, Some("fr")),
            ("bpf/note.es.md", "bpf/note", Page, Some("es")),
            ("bpf/report.v2.md", "bpf/report.v2", Page, None),
            ("bpf/note.pt-br.md", "bpf/note", Page, Some("pt-br")),
            ("index.md", "index", Page, None),
        ];
        for (rel, key, kind, lang) in cases {
            let name = classify(rel);
            assert_eq!(
                (name.key.as_str(), name.kind, name.lang.as_deref()),
                (key, kind, lang),
                "{rel}"
            );
        }
    }

    #[test]
    fn text_decoding_accepts_bom_and_crlf_and_points_at_bad_bytes() {
        let shown = Path::new("a.md");
        assert_eq!(
            decode_text(shown, b"\xEF\xBB\xBF+++\r\nx\r\n").unwrap(),
            "+++\nx\n"
        );
        let err = decode_text(shown, b"+++\ntitle = \"caf\xE9\"\n").unwrap_err();
        assert_eq!(err.to_string(), "a.md:2:13: error: file is not valid UTF-8\n  = hint: save the file with UTF-8 encoding (most editors offer it under \"Save with encoding\")");
    }

    #[test]
    fn only_bundles_and_sections_own_the_files_of_their_folder() {
        let text = "title = \"T\"\nbase_url = \"https://x.org\"\ndefault_language = \"en\"\nlanguages = [\"en\"]\n";
        let config = crate::config::parse(Path::new("/s"), Path::new("site.toml"), text).unwrap();
        let page = "+++\ntitle = \"T\"\n+++\n";
        let files = ["bpf/_index.md", "bpf/indexing.md", "bpf/x/index.md"];
        let tree = Tree {
            refused: Vec::new(),
            files: files
                .iter()
                .map(|rel| RawFile {
                    rel: rel.to_string(),
                    shown: Path::new(CONTENT_DIR).join(rel),
                    bytes: page.as_bytes().to_vec(),
                })
                .collect(),
            assets: ["bpf/indexing/chart.png", "bpf/x/report.pdf"]
                .iter()
                .map(|rel| Asset {
                    rel: rel.to_string(),
                    source: PathBuf::from(rel),
                })
                .collect(),
        };
        let (content, diags) = parse(tree, &config, false);
        assert!(diags.is_empty(), "{diags:?}");
        let assets = |key: &str| content.get(key).unwrap().assets.clone();
        assert_eq!(assets("bpf"), ["bpf/indexing/chart.png"]);
        assert!(assets("bpf/indexing").is_empty());
        assert_eq!(assets("bpf/x"), ["bpf/x/report.pdf"]);
    }

    #[test]
    fn slugs_replace_the_last_part_of_the_path() {
        let cases = [
            ("bpf/x", None, "bpf/x"),
            ("bpf/x", Some("y"), "bpf/y"),
            ("x", Some("y"), "y"),
            ("", Some("y"), ""),
        ];
        for (key, slug, expected) in cases {
            assert_eq!(url_path(key, slug), expected, "{key} {slug:?}");
        }
    }

    #[test]
    fn pages_belong_to_the_nearest_section_folder() {
        let sections = vec![String::new(), "bpf".to_string(), "bpf/2020".to_string()];
        let cases = [
            ("bpf/2020/x", "bpf/2020"),
            ("bpf/old/x", "bpf"),
            ("about", ""),
            ("bpf", ""),
        ];
        for (key, parent) in cases {
            assert_eq!(
                parent_section(key, EntryKind::Page, &sections).as_deref(),
                Some(parent),
                "{key}"
            );
        }
        assert_eq!(parent_section("", EntryKind::Section, &sections), None);
    }
}
