//! The search export: every searchable page of a site in one versioned file, which other sites index with their own.
//!
//! Written by builds of sites that publish it (`[search] export = true`).
//! `_search/export.jsonl` is JSON Lines. The first line describes the site:
//! `{"format": "plenary-search-export", "version": 1, "site": {"id", "base_url", "titles",
//! "languages", "members"}}`; every other line is one page in one language: `lang`, `url`
//! (absolute), `title`, `description`, `headings`, `body` (plain text), `date`, the facets
//! `kind`, `group`, `year`, `themes`, `region`, `source` and `site`, and `translations`
//! (`[language, absolute URL]` pairs). Readers refuse other formats and versions.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::diag::{Diagnostic, Position};
use crate::search::{site_id, SearchDoc, SEARCH_DIR};

pub const EXPORT_FILE: &str = "export.jsonl";
pub const FORMAT: &str = "plenary-search-export";
/// Raised whenever a reader of the previous version could misread the file.
pub const VERSION: u32 = 1;

/// The export's first line.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    site: SiteInfo,
}

/// Who the exported pages belong to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SiteInfo {
    /// The `site` facet's value for its pages: the host of its base URL.
    pub id: String,
    pub base_url: String,
    /// Its title in each of its languages.
    pub titles: BTreeMap<String, String>,
    pub languages: Vec<String>,
    /// The names of its members, by source id, in its default language.
    #[serde(default)]
    pub members: BTreeMap<String, String>,
}

/// A site whose export this site indexes with its own pages.
#[derive(Debug, Clone)]
pub struct Included {
    pub site: SiteInfo,
    pub docs: Vec<SearchDoc<'static>>,
}

/// One page line: the page's search fields and its text.
#[derive(Serialize, Deserialize)]
struct Line<'a> {
    #[serde(flatten)]
    doc: SearchDoc<'a>,
    body: Cow<'a, str>,
}

/// Writes the export of `docs` (the site's own pages) into `site_dir/_search/`.
pub fn write(
    docs: &[SearchDoc],
    config: &Config,
    members: BTreeMap<String, String>,
    site_dir: &Path,
) -> anyhow::Result<()> {
    let dir = site_dir.join(SEARCH_DIR);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let path = dir.join(EXPORT_FILE);
    let file = std::fs::File::create(&path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let header = Header {
        format: FORMAT.to_string(),
        version: VERSION,
        site: SiteInfo {
            id: site_id(config),
            base_url: config.base_url.clone(),
            titles: config
                .languages
                .iter()
                .map(|l| (l.code.clone(), l.title.clone()))
                .collect(),
            languages: config.languages.iter().map(|l| l.code.clone()).collect(),
            members,
        },
    };
    let absolute = |url: &str| format!("{}{url}", config.base_url);
    let write_all = |out: &mut std::io::BufWriter<std::fs::File>| -> anyhow::Result<()> {
        serde_json::to_writer(&mut *out, &header)?;
        out.write_all(b"\n")?;
        for doc in docs {
            let line = Line {
                doc: SearchDoc {
                    url: absolute(&doc.url),
                    translations: doc
                        .translations
                        .iter()
                        .map(|(lang, url)| (lang.clone(), absolute(url)))
                        .collect(),
                    stored_body: None,
                    body: Cow::Borrowed(""),
                    ..doc.clone()
                },
                body: Cow::Borrowed(&doc.body),
            };
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        Ok(())
    };
    write_all(&mut out).with_context(|| format!("cannot write `{}`", path.display()))
}

/// Reads an export `site.toml` lists under `[[search.include]]`; the diagnostic names the
/// file and the line that is wrong.
pub fn read(path: &Path, shown: &Path, languages: &[String]) -> Result<Included, Diagnostic> {
    let error = |line: usize, message: String, hint: &str| {
        Diagnostic::error(shown, Position { line, col: 1 }, message).with_hint(hint)
    };
    let file = match crate::user_files::open(path) {
        Ok(Ok((file, _))) => file,
        Ok(Err(refused)) => return Err(refused.diagnostic(shown)),
        Err(e) => return Err(error(1, format!("cannot read the search export: {e}"), "build the other site first (`plenary build`), or correct `path` under `[[search.include]]`")),
    };
    let mut lines = std::io::BufReader::new(file).lines();
    let first = lines.next().transpose().ok().flatten().unwrap_or_default();
    let header: Header = serde_json::from_str::<serde_json::Value>(&first)
        .ok()
        .filter(|v| v.get("format").and_then(|f| f.as_str()) == Some(FORMAT))
        .ok_or_else(|| error(1, "not a search export: the first line does not say `\"format\": \"plenary-search-export\"`".into(), "point `path` at the `_search/export.jsonl` of a site built by plenary"))
        .and_then(|value| {
            let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
            if version != u64::from(VERSION) {
                return Err(error(1, format!("search export of format version {version}; this plenary reads version {VERSION}"), "build the other site again with this version of plenary"));
            }
            serde_json::from_value(value).map_err(|e| error(1, format!("damaged search export header: {e}"), "build the other site again"))
        })?;
    let mut docs = Vec::new();
    for (n, line) in lines.enumerate() {
        let line = line.map_err(|e| {
            error(
                n + 2,
                format!("cannot read the search export: {e}"),
                "build the other site again",
            )
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let Line { doc, body } = serde_json::from_str::<Line>(&line).map_err(|e| {
            error(
                n + 2,
                format!("damaged page in the search export: {e}"),
                "build the other site again",
            )
        })?;
        // Results link to these addresses: web addresses only, never `javascript:` and the like.
        let web = |url: &str| {
            matches!(
                crate::sanitize::scheme(url).as_deref(),
                Some("http" | "https")
            )
        };
        if !web(&doc.url) || !doc.translations.iter().all(|(_, url)| web(url)) {
            return Err(error(
                n + 2,
                format!("page address `{}` is not a web address", doc.url),
                "exports give absolute http(s) addresses; build the other site again",
            ));
        }
        // Pages in languages this site does not search stay out.
        if !languages.contains(&doc.lang) {
            continue;
        }
        docs.push(SearchDoc {
            body: Cow::Owned(body.into_owned()),
            site: Some(header.site.id.clone()),
            ..doc
        });
    }
    Ok(Included {
        site: header.site,
        docs,
    })
}

/// Reads every export the site includes.
pub fn read_all(config: &Config) -> Result<Vec<Included>, Vec<Diagnostic>> {
    let languages: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
    let mut included = Vec::new();
    let mut diags = Vec::new();
    for path in &config.search_includes {
        let full = config.root.join(path);
        let shown: PathBuf = crate::diag::display_path(&config.root, &full);
        match read(&full, &shown, &languages) {
            Ok(site) => included.push(site),
            Err(d) => diags.push(d),
        }
    }
    if diags.is_empty() {
        Ok(included)
    } else {
        Err(diags)
    }
}
