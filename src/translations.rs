//! Where translation stands: each page's translations current, stale or missing, and each language's interface messages.
//!
//! A translation records the version of its original it was made from, in its front matter:
//! `translated_from = "<16 hex digits>"`, a hash of what translators translate (the
//! original's title, description and body). When the original changes, the hash no longer
//! matches and the translation is stale until someone brings it up to date and records the
//! new version (`plenary i18n mark-current`). A translation without the field is counted as
//! current: nothing says otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::build::Loaded;
use crate::content::{Doc, Entry};
use crate::views::Context;

/// The front matter field a translation records its original's version in.
pub const TRANSLATED_FROM: &str = "translated_from";

/// The version of an original that translations are made from.
pub fn source_version(doc: &Doc) -> String {
    // FNV-1a: stable across builds, machines and versions of Rust, unlike std's hashers.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let title = doc.front.title.as_deref().unwrap_or_default();
    for part in [title, &doc.front.description, doc.body().trim()] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// How one language version of a page stands against its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// The original itself.
    Original,
    Current,
    /// Made from an older version of the original.
    Stale,
    Missing,
}

/// How an entry's version in `lang` stands.
pub fn state(entry: &Entry, lang: &str) -> State {
    if entry.original == lang {
        return State::Original;
    }
    let Some(doc) = entry.docs.get(lang) else {
        return State::Missing;
    };
    match &doc.front.translated_from {
        Some(version) if *version != source_version(entry.original_doc()) => State::Stale,
        _ => State::Current,
    }
}

/// Pages of a part of the site, by how their translations stand.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Counts {
    /// Pages (and sections) whose original is in another language.
    pub pages: usize,
    pub translated: usize,
    pub stale: usize,
    pub missing: usize,
}

impl Counts {
    fn add(&mut self, state: State) {
        self.pages += 1;
        match state {
            State::Current => self.translated += 1,
            State::Stale => self.stale += 1,
            State::Missing => self.missing += 1,
            State::Original => self.pages -= 1,
        }
    }

    /// Translated and current, in percent of the pages to translate (100 when there are none).
    pub fn coverage(&self) -> f64 {
        if self.pages == 0 {
            100.0
        } else {
            100.0 * self.translated as f64 / self.pages as f64
        }
    }
}

/// A page a translator has work on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Work {
    pub title: String,
    /// The original's URL.
    pub url: String,
    /// The original's language.
    pub lang: String,
    /// The original's file, as diagnostics name it.
    pub source: String,
    /// The translation's file: to write (missing) or to bring up to date (stale).
    pub file: String,
    /// Where to edit the translation online (`[i18n] edit_url`), for the site's own files
    /// that exist.
    pub edit_url: Option<String>,
}

/// Interface messages of one language against the default language's.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct MessageCounts {
    pub total: usize,
    pub translated: usize,
    pub missing: Vec<String>,
    /// In this language, gone from the default one.
    pub obsolete: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LanguageStatus {
    pub lang: String,
    pub pages: Counts,
    /// By top-level section (`bpf`, `dc`, ...; `` for the home).
    pub sections: BTreeMap<String, Counts>,
    /// By member source (`` for the site's own content).
    pub sources: BTreeMap<String, Counts>,
    pub missing: Vec<Work>,
    pub stale: Vec<Work>,
    pub messages: MessageCounts,
    /// Percent translated and current: of the pages, of the interface messages.
    pub coverage: Coverage,
}

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Coverage {
    pub pages: f64,
    pub messages: f64,
}

impl MessageCounts {
    pub fn coverage(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.translated as f64 / self.total as f64
        }
    }
}

/// The status of every language but the default one, or of those asked for; only the pages
/// of `source` (a member's id, or `site` for the site's own) when it is given.
pub fn status(loaded: &Loaded, langs: &[String], source: Option<&str>) -> Vec<LanguageStatus> {
    status_of(&loaded.context(), langs, source)
}

/// As `status`, from what rendering sees.
pub fn status_of(context: &Context, langs: &[String], source: Option<&str>) -> Vec<LanguageStatus> {
    let config = context.config;
    let mut out = Vec::new();
    for lang in &config.languages {
        let code = &lang.code;
        let asked = match langs.is_empty() {
            true => *code != config.default_language,
            false => langs.contains(code),
        };
        if !asked {
            continue;
        }
        let mut status = LanguageStatus {
            lang: code.clone(),
            pages: Counts::default(),
            sections: BTreeMap::new(),
            sources: BTreeMap::new(),
            missing: Vec::new(),
            stale: Vec::new(),
            messages: messages(context, code),
            coverage: Coverage::default(),
        };
        for entry in &context.content.entries {
            let source_id = config.source_of(&entry.key).map_or("", |s| s.id.as_str());
            let wanted = match source {
                None => true,
                Some("site") => source_id.is_empty(),
                Some(id) => id == source_id,
            };
            if !wanted {
                continue;
            }
            let state = state(entry, code);
            let section = entry.key.split('/').next().unwrap_or_default().to_string();
            status.pages.add(state);
            status.sections.entry(section).or_default().add(state);
            status
                .sources
                .entry(source_id.to_string())
                .or_default()
                .add(state);
            let work = || Work {
                edit_url: config
                    .edit_url
                    .as_ref()
                    .filter(|_| source_id.is_empty() && entry.docs.contains_key(code))
                    .map(|url| url.replace("{path}", &translation_file(entry, code))),
                title: entry.original_doc().front.title.clone().unwrap_or_default(),
                url: entry.url(config, &entry.original),
                lang: entry.original.clone(),
                source: entry.original_doc().shown.display().to_string(),
                file: translation_file(entry, code),
            };
            match state {
                State::Missing => status.missing.push(work()),
                State::Stale => status.stale.push(work()),
                State::Current | State::Original => {}
            }
        }
        status.coverage = Coverage {
            pages: round(status.pages.coverage()),
            messages: round(status.messages.coverage()),
        };
        out.push(status);
    }
    out
}

/// To a tenth of a percent: what people read, and what JSON consumers compare.
fn round(percent: f64) -> f64 {
    (percent * 10.0).round() / 10.0
}

/// Where the translation of an entry into `lang` is (or goes), as diagnostics name files:
/// beside its original, with the language before `.md`.
pub fn translation_file(entry: &Entry, lang: &str) -> String {
    if let Some(doc) = entry.docs.get(lang) {
        return doc.shown.display().to_string();
    }
    translated_path(
        &entry.original_doc().shown.display().to_string(),
        &entry.original,
        lang,
    )
}

/// `x/index.md` -> `x/index.fr.md`; `x/index.es.md` (an original in Spanish) -> `x/index.fr.md`.
pub fn translated_path(original: &str, original_lang: &str, lang: &str) -> String {
    let stem = original.strip_suffix(".md").unwrap_or(original);
    let stem = stem
        .strip_suffix(&format!(".{original_lang}"))
        .unwrap_or(stem);
    format!("{stem}.{lang}.md")
}

fn messages(context: &Context, lang: &str) -> MessageCounts {
    let default = context.messages.keys(&context.config.default_language);
    let own = context.messages.keys(lang);
    MessageCounts {
        total: default.len(),
        translated: default.iter().filter(|k| own.contains(*k)).count(),
        missing: default
            .iter()
            .filter(|k| !own.contains(*k))
            .cloned()
            .collect(),
        obsolete: own
            .iter()
            .filter(|k| !default.contains(*k))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translations_sit_beside_their_original() {
        let cases = [
            (
                "content/bpf/x/index.md",
                "en",
                "fr",
                "content/bpf/x/index.fr.md",
            ),
            (
                "content/bpf/_index.md",
                "en",
                "ar",
                "content/bpf/_index.ar.md",
            ),
            (
                "content/nri/note.es.md",
                "es",
                "fr",
                "content/nri/note.fr.md",
            ),
            (
                "kenya@main:content/report.md",
                "en",
                "zh",
                "kenya@main:content/report.zh.md",
            ),
        ];
        for (original, from, to, expected) in cases {
            assert_eq!(translated_path(original, from, to), expected, "{original}");
        }
    }
}

/// The status as people read it: a block per language.
pub fn report(status: &[LanguageStatus]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let counts = |c: &Counts| {
        format!(
            "{}/{} translated ({:.1}%), {} stale, {} missing",
            c.translated,
            c.pages,
            c.coverage(),
            c.stale,
            c.missing
        )
    };
    for s in status {
        let m = &s.messages;
        let _ = writeln!(out, "{}: pages {}", s.lang, counts(&s.pages));
        let _ = writeln!(
            out,
            "  interface messages {}/{} ({:.1}%), {} missing, {} obsolete",
            m.translated,
            m.total,
            m.coverage(),
            m.missing.len(),
            m.obsolete.len()
        );
        for (section, c) in &s.sections {
            let name = if section.is_empty() {
                "(home)"
            } else {
                section
            };
            let _ = writeln!(out, "  section {name}: {}", counts(c));
        }
        if s.sources.len() > 1 || s.sources.keys().any(|k| !k.is_empty()) {
            for (source, c) in &s.sources {
                let name = if source.is_empty() {
                    "(the site's own)"
                } else {
                    source
                };
                let _ = writeln!(out, "  source {name}: {}", counts(c));
            }
        }
        for work in &s.stale {
            let _ = writeln!(out, "  stale: {} (original: {})", work.file, work.source);
        }
        const SHOWN: usize = 10;
        for work in s.missing.iter().take(SHOWN) {
            let _ = writeln!(out, "  missing: {} (original: {})", work.file, work.source);
        }
        if s.missing.len() > SHOWN {
            let _ = writeln!(
                out,
                "  ... and {} more missing (--json lists them all)",
                s.missing.len() - SHOWN
            );
        }
        for key in &m.missing {
            let _ = writeln!(out, "  missing message: {key}");
        }
        for key in &m.obsolete {
            let _ = writeln!(out, "  obsolete message: {key}");
        }
    }
    out
}

/// The entry and language version a content file is, by its path (as given on the command
/// line: relative to the working folder, or absolute).
fn find<'a>(loaded: &'a Loaded, file: &Path) -> Result<(&'a Entry, &'a Doc), String> {
    let wanted = file
        .canonicalize()
        .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    for entry in &loaded.content.entries {
        for doc in entry.docs.values() {
            let path = loaded.config.root.join(&doc.shown);
            if path.canonicalize().is_ok_and(|p| p == wanted) {
                return Ok((entry, doc));
            }
        }
    }
    Err(format!(
        "`{}` is not a page of the site at `{}` (drafts are left out; is it under content/?)",
        file.display(),
        loaded.config.root.display()
    ))
}

/// `plenary i18n new`: writes the translation of `file` into `lang` beside it, with the
/// original's front matter and text to translate, and the original's version recorded.
pub fn create(loaded: &Loaded, lang: &str, file: &Path) -> Result<PathBuf, String> {
    let config = &loaded.config;
    if config.language(lang).is_none() {
        let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        return Err(format!(
            "the site has no language `{lang}`; its languages are {}",
            codes.join(", ")
        ));
    }
    let (entry, _) = find(loaded, file)?;
    let original = entry.original_doc();
    if entry.original == lang {
        return Err(format!(
            "`{}` is the original, in `{lang}`",
            original.shown.display()
        ));
    }
    if let Some(existing) = entry.docs.get(lang) {
        return Err(format!(
            "`{}` exists already; after updating it, run `plenary i18n mark-current {}`",
            existing.shown.display(),
            existing.shown.display()
        ));
    }
    let path = config.root.join(translated_path(
        &original.shown.display().to_string(),
        &entry.original,
        lang,
    ));
    let text = with_version(&original.text, &source_version(original));
    std::fs::write(&path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    Ok(path)
}

/// `plenary i18n mark-current`: records that a translation has caught up with its original.
/// Given an original with `minor`, records it for each of its translations: the original's
/// last edit (a typo fixed) needs no retranslation. Returns the files changed.
pub fn mark_current(loaded: &Loaded, file: &Path, minor: bool) -> Result<Vec<PathBuf>, String> {
    let (entry, doc) = find(loaded, file)?;
    let version = source_version(entry.original_doc());
    let translations: Vec<&Doc> = if doc.lang == entry.original {
        if !minor {
            return Err(format!("`{}` is an original; name one of its translations, or add `--minor` to record that its last edit needs no retranslation", doc.shown.display()));
        }
        let stale: Vec<&Doc> = entry
            .docs
            .values()
            .map(|d| &**d)
            .filter(|d| d.lang != entry.original && state(entry, &d.lang) == State::Stale)
            .collect();
        // Translations that were current before the edit were all made from one version.
        let froms: std::collections::BTreeSet<&Option<String>> =
            stale.iter().map(|d| &d.front.translated_from).collect();
        if froms.len() > 1 {
            let names: Vec<String> = stale
                .iter()
                .map(|d| format!("`{}`", d.shown.display()))
                .collect();
            return Err(format!("the translations {} were made from different versions: some were out of date before this edit; mark each one that has caught up with `plenary i18n mark-current FILE`", names.join(", ")));
        }
        stale
    } else {
        vec![doc]
    };
    let mut changed = Vec::new();
    for translation in translations {
        let path = loaded.config.root.join(&translation.shown);
        let text = match crate::user_files::read(&path, crate::content::MAX_PAGE_BYTES) {
            Ok(Ok(bytes)) => String::from_utf8(bytes)
                .map_err(|_| format!("`{}` is not UTF-8 text", path.display()))?,
            Ok(Err(refused)) => return Err(refused.diagnostic(&translation.shown).to_string()),
            Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
        };
        let updated = with_version(&text, &version);
        if updated != text {
            std::fs::write(&path, updated)
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            changed.push(path);
        }
    }
    Ok(changed)
}

/// Sets `translated_from` in a content file's front matter: in place of the line that has it,
/// or as the last key before any table (a key after `[extra]` would belong to the table).
pub fn with_version(text: &str, version: &str) -> String {
    let line = format!("{TRANSLATED_FROM} = \"{version}\"\n");
    let Some(front_end) = text.get(3..).and_then(|t| t.find("\n+++")).map(|i| i + 4) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + line.len());
    let mut offset = 0;
    let mut placed = false;
    for part in text[..front_end].split_inclusive('\n') {
        let trimmed = part.trim_start();
        let is_field = trimmed
            .strip_prefix(TRANSLATED_FROM)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if is_field && !placed {
            out.push_str(&line);
            placed = true;
        } else if is_field {
            // A second line setting it: dropped.
        } else {
            if !placed && offset > 0 && trimmed.starts_with('[') {
                out.push_str(&line);
                placed = true;
            }
            out.push_str(part);
        }
        offset += part.len();
    }
    if !placed {
        out.push_str(&line);
    }
    out.push_str(&text[front_end..]);
    out
}

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn the_version_goes_in_place_or_before_the_first_table() {
        let cases = [
            (
                "+++\ntitle = \"T\"\n+++\nBody\n",
                "+++\ntitle = \"T\"\ntranslated_from = \"v2\"\n+++\nBody\n",
            ),
            (
                "+++\ntitle = \"T\"\ntranslated_from = \"v1\"\ndate = 2020-01-01\n+++\nB\n",
                "+++\ntitle = \"T\"\ntranslated_from = \"v2\"\ndate = 2020-01-01\n+++\nB\n",
            ),
            (
                "+++\ntitle = \"T\"\n[extra]\nx = 1\n+++\nB\n",
                "+++\ntitle = \"T\"\ntranslated_from = \"v2\"\n[extra]\nx = 1\n+++\nB\n",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(with_version(text, "v2"), expected, "{text}");
        }
    }
}
