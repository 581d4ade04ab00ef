//! The search index: what it holds per page, one tantivy index per language, and its layout;
//! writing it, and opening a built site's `_search/` folder for searching.
//!
//! What reading needs of it (the schema, `SearchDoc`, `Meta`) is in `search/schema.rs`, a file
//! of its own because the search compiled to WebAssembly (`src/wasm/`) includes it too.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use tantivy::directory::MmapDirectory;
use tantivy::schema::Facet;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use crate::body_store;
use crate::query::{IndexSource, Searcher};
use crate::views::Context;

pub mod schema;
pub use schema::{
    register_analyzer, schema, Fields, Meta, SearchDoc, FACETS, FORMAT_VERSION, SEARCH_DIR,
};

/// Every page and section written in each language (stand-ins for missing translations are
/// not indexed twice: `lang=all` finds the original).
pub fn documents<'a>(context: &Context<'a>) -> Vec<SearchDoc<'a>> {
    documents_of(context, 0..context.content.entries.len())
}

/// The documents of some entries (by index into `Content::entries`).
pub fn documents_of<'a>(
    context: &Context<'a>,
    entries: impl IntoIterator<Item = usize>,
) -> Vec<SearchDoc<'a>> {
    let config = context.config;
    let site = site_id(config);
    let mut docs = Vec::new();
    for index in entries {
        let entry = &context.content.entries[index];
        for (lang_index, lang) in config.languages.iter().enumerate() {
            let Some(doc) = entry.docs.get(&lang.code) else {
                continue;
            };
            let body = context.bodies.get(index, lang_index);
            let front = &doc.front;
            let original = &entry.original_doc().front;
            docs.push(SearchDoc {
                lang: lang.code.clone(),
                url: entry.url(config, &lang.code),
                title: front.title.clone().unwrap_or_default(),
                description: front.description.clone(),
                headings: body
                    .toc
                    .iter()
                    .map(|h| h.title.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                body: Cow::Borrowed(&body.text),
                stored_body: None,
                date: front.date.and_then(|d| d.date).map(|d| d.to_string()),
                kind: original.kind.clone(),
                group: original.group.clone(),
                year: original
                    .date
                    .and_then(|d| d.date)
                    .map(|d| d.year.to_string()),
                themes: original.themes.clone(),
                region: original.region.clone(),
                source: config.source_of(&entry.key).map(|s| s.id.clone()),
                site: Some(site.clone()),
                translations: entry
                    .docs
                    .keys()
                    .filter(|code| *code != &lang.code)
                    .map(|code| (code.clone(), entry.url(config, code)))
                    .collect(),
            });
        }
    }
    docs
}

/// Writes `_search/` under `site_dir`: one index per language, built two languages at a time.
pub fn write_index(
    docs: &[SearchDoc],
    languages: &[String],
    site_dir: &Path,
) -> anyhow::Result<()> {
    let root = site_dir.join(SEARCH_DIR);
    std::fs::create_dir_all(&root)
        .with_context(|| format!("cannot create `{}`", root.display()))?;
    let meta = Meta {
        format: FORMAT_VERSION,
        languages: languages.to_vec(),
    };
    std::fs::write(root.join("meta.json"), serde_json::to_vec(&meta)?)
        .with_context(|| format!("cannot write `{}`", root.join("meta.json").display()))?;
    // Longest first, so that no core is left alone with a big language at the end.
    let mut by_cost: Vec<(usize, &String)> = languages
        .iter()
        .map(|lang| {
            let bytes: usize = docs
                .iter()
                .filter(|d| &d.lang == lang)
                .map(|d| d.body.len())
                .sum();
            (bytes * indexing_cost_per_byte(lang), lang)
        })
        .collect();
    by_cost.sort_by_key(|&(cost, _)| std::cmp::Reverse(cost));
    crate::parallel::try_for_each(&by_cost, |&(_, lang)| {
        let in_lang: Vec<&SearchDoc> = docs.iter().filter(|d| &d.lang == lang).collect();
        write_language(&root.join(lang), lang, &in_lang)
    })
}

fn write_language(dir: &Path, lang: &str, docs: &[&SearchDoc]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let (schema, fields) = schema(lang);
    let index = Index::create_in_dir(dir, schema)
        .with_context(|| format!("cannot create the search index in `{}`", dir.display()))?;
    register_analyzer(&index, lang);
    let samples: Vec<&str> = docs.iter().map(|doc| doc.body.as_ref()).collect();
    let mut bodies = body_store::Writer::create(&dir.join(body_store::FILE), &samples)?;
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(1, 64_000_000)
        .context("cannot open the search index for writing")?;
    for doc in docs {
        add(&writer, &fields, &mut bodies, lang, doc)?;
    }
    bodies.finish()?;
    writer.commit().context("cannot write the search index")?;
    writer
        .wait_merging_threads()
        .context("cannot finish the search index")?;
    Ok(())
}

fn add(
    writer: &IndexWriter,
    fields: &Fields,
    bodies: &mut body_store::Writer,
    lang: &str,
    doc: &SearchDoc,
) -> anyhow::Result<()> {
    let mut document = TantivyDocument::default();
    document.add_text(fields.url, &doc.url);
    document.add_text(fields.title, &doc.title);
    document.add_text(fields.description, &doc.description);
    document.add_text(fields.headings, &doc.headings);
    document.add_text(fields.body, &doc.body);
    let stored = SearchDoc {
        body: Cow::Borrowed(""),
        stored_body: bodies.add(&doc.body, !lang.starts_with("zh"))?,
        ..doc.clone()
    };
    document.add_text(fields.stored, serde_json::to_string(&stored)?);
    for (field, values) in fields.facets.iter().zip(facet_values(doc)) {
        for value in values {
            document.add_facet(*field, Facet::from_path([value.as_str()]));
        }
    }
    writer
        .add_document(document)
        .context("cannot add a page to the search index")?;
    Ok(())
}

/// Changes the index under `site_dir` in place: the pages at `removed` (language, URL) go,
/// `added` come in (a changed page is in both). For the preview server, whose index must
/// follow each save without being written again whole. The bodies of pages gone stay in the
/// body store, unreferenced, until the next full build.
pub fn update_index(
    site_dir: &Path,
    languages: &[String],
    removed: &[(String, String)],
    added: &[SearchDoc],
) -> anyhow::Result<()> {
    let root = site_dir.join(SEARCH_DIR);
    let touched: Vec<&String> = languages
        .iter()
        .filter(|lang| {
            removed.iter().any(|(l, _)| l == *lang) || added.iter().any(|d| &d.lang == *lang)
        })
        .collect();
    crate::parallel::try_for_each(&touched, |lang| {
        let dir = root.join(lang);
        let index = Index::open_in_dir(&dir)
            .with_context(|| format!("cannot open the search index `{}`", dir.display()))?;
        register_analyzer(&index, lang);
        let (_, fields) = schema(lang);
        let mut bodies = body_store::Writer::append(&dir.join(body_store::FILE))?;
        // The smallest budget tantivy allows: a save changes a page or a few.
        let mut writer = index
            .writer_with_num_threads::<TantivyDocument>(1, 15_000_000)
            .context("cannot open the search index for writing")?;
        for (_, url) in removed.iter().filter(|(l, _)| l == *lang) {
            writer.delete_term(Term::from_field_text(fields.url, url));
        }
        for doc in added.iter().filter(|d| &d.lang == *lang) {
            add(&writer, &fields, &mut bodies, lang, doc)?;
        }
        bodies.finish()?;
        writer.commit().context("cannot write the search index")?;
        Ok(())
    })
}

impl Searcher {
    /// Opens `<site>/_search`, checking its format version.
    pub fn open(site_dir: &Path) -> anyhow::Result<Searcher> {
        Searcher::open_from(&Folder(site_dir.join(SEARCH_DIR)))
    }
}

/// A built site's `_search/` folder, as `write_index` leaves it: tantivy's files are mapped
/// into memory, `bodies.bin` is read where a hit's body is.
struct Folder(PathBuf);

impl IndexSource for Folder {
    fn name(&self) -> String {
        self.0.display().to_string()
    }

    fn meta(&self) -> anyhow::Result<Vec<u8>> {
        std::fs::read(self.0.join("meta.json")).with_context(|| {
            format!(
                "no search index at `{}`: build the site with `[search] index = true` in site.toml",
                self.0.display()
            )
        })
    }

    fn directory(&self, lang: &str) -> anyhow::Result<Box<dyn tantivy::Directory>> {
        let dir = self.0.join(lang);
        // As a tantivy error, as `Index::open_in_dir` gave it.
        let mapped = MmapDirectory::open(&dir)
            .map_err(tantivy::TantivyError::from)
            .with_context(|| format!("cannot open the search index `{}`", dir.display()))?;
        Ok(Box::new(mapped))
    }

    fn bodies(&self, lang: &str) -> anyhow::Result<body_store::Reader> {
        body_store::Reader::open(&self.0.join(lang).join(body_store::FILE))
    }
}

/// How long a byte of a language's text takes to index, relative to English: segmenting
/// Chinese with jieba costs about three times as much per byte as finding words elsewhere.
fn indexing_cost_per_byte(lang: &str) -> usize {
    if lang.starts_with("zh") {
        3
    } else {
        1
    }
}

/// A page's values for each of `FACETS`, in that order.
pub fn facet_values(doc: &SearchDoc) -> [Vec<String>; FACETS.len()] {
    [
        doc.kind.iter().cloned().collect(),
        doc.group.iter().cloned().collect(),
        doc.year.iter().cloned().collect(),
        doc.themes.clone(),
        doc.region.iter().cloned().collect(),
        doc.source.iter().cloned().collect(),
        doc.site.iter().cloned().collect(),
    ]
}

/// How the `site` facet names a site: the host of its `base_url` (`igf.example.org`).
pub fn site_id(config: &crate::config::Config) -> String {
    let url = &config.base_url;
    let host = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    host.split('/').next().unwrap_or(host).to_string()
}
