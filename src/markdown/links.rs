//! Where links and images of a body point: `@/` links to content files and their headings, files of the page's own folder.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use pulldown_cmark::CowStr;

use crate::config::Config;
use crate::content::{join_key, Content, Doc, Entry};
use crate::diag::{closest, Diagnostic, Position};

/// Broken links of one document that get a "did you mean": finding the closest name compares
/// with every file or heading, and a page of 20,000 broken links need not.
const SUGGESTIONS: usize = 100;

/// The anchors of each page that links point at, found once per render and shared by the
/// threads rendering.
#[derive(Default)]
pub struct Anchors(Mutex<HashMap<usize, Arc<HashSet<String>>>>);

impl Anchors {
    fn of(&self, doc: &Doc) -> Arc<HashSet<String>> {
        // The document's address names it while the content it belongs to is rendered.
        let key = doc as *const Doc as usize;
        if let Some(found) = self.lock().get(&key) {
            return found.clone();
        }
        let anchors = Arc::new(super::ids::anchors_of(doc.body()));
        self.lock().insert(key, anchors.clone());
        anchors
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, Arc<HashSet<String>>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The positions of increasing offsets in one text, each counted on from the last: a page
/// with thousands of errors on one line is read once, not once per error.
struct Cursor {
    offset: usize,
    position: Position,
}

impl Cursor {
    fn at(&mut self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.offset {
            self.offset = 0;
            self.position = Position::START;
        }
        for c in text[self.offset..offset].chars() {
            if c == '\n' {
                self.position.line += 1;
                self.position.col = 1;
            } else {
                self.position.col += 1;
            }
        }
        self.offset = offset;
        self.position
    }
}

/// Resolves the links of one document for readers of one language, reporting broken ones.
pub struct Linker<'a> {
    pub doc: &'a Doc,
    pub entry: &'a Entry,
    /// A member's `@/` links name files of its own tree.
    pub mount: &'a str,
    pub content: &'a Content,
    pub config: &'a Config,
    pub lang: &'a str,
    pub anchors: &'a Anchors,
    cursor: Cursor,
    /// The content files links may name, as the document's tree names them; made when needed.
    known: Option<Vec<String>>,
    suggested: usize,
}

impl<'a> Linker<'a> {
    pub fn new(
        (doc, entry, mount): (&'a Doc, &'a Entry, &'a str),
        content: &'a Content,
        config: &'a Config,
        lang: &'a str,
        anchors: &'a Anchors,
    ) -> Linker<'a> {
        Linker {
            doc,
            entry,
            mount,
            content,
            config,
            lang,
            anchors,
            cursor: Cursor {
                offset: 0,
                position: Position::START,
            },
            known: None,
            suggested: 0,
        }
    }

    /// The URL a link or image at `offset` (in the body) points at.
    pub fn resolve<'e>(
        &mut self,
        dest: &CowStr<'e>,
        offset: usize,
        diags: &mut Vec<Diagnostic>,
    ) -> CowStr<'e> {
        if let Some(target) = dest.strip_prefix("@/") {
            let (file, fragment) = target
                .split_once('#')
                .map_or((target, None), |(f, frag)| (f, Some(frag)));
            let name = target_name(file, self.mount, self.content);
            let found = self.content.get(&name.key).filter(|e| e.kind == name.kind);
            let Some(target_entry) = found else {
                let d = self.broken_file(dest, file, offset);
                diags.push(d);
                return dest.clone();
            };
            let target_lang = name
                .lang
                .as_deref()
                .filter(|l| self.config.language(l).is_some())
                .unwrap_or(self.lang);
            let url = self.on_site(&target_entry.url(self.config, target_lang));
            return CowStr::from(match fragment {
                Some(fragment) => {
                    let (target_doc, _) = target_entry.doc_for(target_lang);
                    if let Some(d) = self.missing_anchor(dest, target_doc, fragment, offset) {
                        diags.push(d);
                    }
                    format!("{url}#{fragment}")
                }
                None => url,
            });
        }
        if is_relative(dest) {
            let (file, rest) = dest
                .split_once(['#', '?'])
                .map_or((dest.as_ref(), ""), |(f, _)| (f, &dest[f.len()..]));
            let file = file.strip_prefix("./").unwrap_or(file);
            let rel = join_key(&self.entry.key, file);
            if self.entry.assets.contains(&rel) {
                let url = self.on_site(&asset_url(self.entry, file));
                return CowStr::from(format!("{url}{rest}"));
            }
        }
        // A link written from the site's root (`/fr/bpf/`) names a page of the site wherever
        // it is published.
        if !self.config.base_path.is_empty() && crate::url::is_from_root(dest) {
            return CowStr::from(self.on_site(dest));
        }
        dest.clone()
    }

    /// A URL from the site's root as the page writes it, under the site's base path.
    fn on_site(&self, url: &str) -> String {
        crate::url::on_site(&self.config.base_path, url)
    }

    fn position(&mut self, offset: usize) -> Position {
        self.cursor.at(&self.doc.text, self.doc.body_start + offset)
    }

    /// Whether this broken link still gets a suggestion.
    fn suggests(&mut self) -> bool {
        self.suggested += 1;
        self.suggested <= SUGGESTIONS
    }

    fn broken_file(&mut self, dest: &str, file: &str, offset: usize) -> Diagnostic {
        let pos = self.position(offset);
        let d = Diagnostic::error(
            &self.doc.shown,
            pos,
            format!("broken internal link `{dest}`: no such content file"),
        );
        let near = if self.suggests() {
            let (content, mount) = (self.content, self.mount);
            // A member's links are written from its own tree: so are the suggestions.
            let known = self.known.get_or_insert_with(|| {
                content
                    .entries
                    .iter()
                    .map(|e| e.original_doc().rel.clone())
                    .filter_map(|f| match mount {
                        "" => Some(f),
                        _ => f.strip_prefix(&format!("{mount}/")).map(str::to_string),
                    })
                    .collect()
            });
            closest(file, known.iter().map(String::as_str)).map(str::to_string)
        } else {
            None
        };
        match near {
            Some(near) => d.with_hint(format!("did you mean `@/{near}`?")),
            None => d.with_hint("internal links name a file under `content/`, such as `@/bpf/cybersecurity-2020/index.md`"),
        }
    }

    /// The error for a link to a heading its page lacks, if it lacks it. A fragment may be
    /// written percent-encoded (`#%D0%B4`) or as it is.
    fn missing_anchor(
        &mut self,
        dest: &str,
        target: &Doc,
        fragment: &str,
        offset: usize,
    ) -> Option<Diagnostic> {
        if fragment.is_empty() {
            return None;
        }
        let anchors = self.anchors.of(target);
        if anchors.contains(fragment) || anchors.contains(&crate::url::decode(fragment)) {
            return None;
        }
        let pos = self.position(offset);
        let d = Diagnostic::error(
            &self.doc.shown,
            pos,
            format!(
                "broken internal link `{dest}`: `{}` has no heading `#{fragment}`",
                target.rel
            ),
        );
        let near = if self.suggests() {
            closest(fragment, anchors.iter().map(String::as_str))
        } else {
            None
        };
        Some(match near {
            Some(near) => d.with_hint(format!("did you mean `#{near}`?")),
            None => d.with_hint("a heading's id is its text in lowercase, words joined by `-` (`## Access and trust` is `#access-and-trust`), or the `{#id}` written after it"),
        })
    }
}

/// The entry an `@/` link names.
pub fn link_target(dest: &str, mount: &str, content: &Content) -> Option<String> {
    let target = dest.strip_prefix("@/")?;
    let file = target.split_once('#').map_or(target, |(file, _)| file);
    Some(target_name(file, mount, content).key)
}

/// What an `@/` link's file is in the site. A member's links name files of its own tree
/// first (so they work when the tree is built on its own), then of the whole site.
fn target_name(file: &str, mount: &str, content: &Content) -> crate::content::FileName {
    let own = crate::content::classify(&join_key(mount, file));
    if mount.is_empty() || content.get(&own.key).is_some() {
        return own;
    }
    let site = crate::content::classify(file);
    if content.get(&site.key).is_some() {
        site
    } else {
        own
    }
}

/// A link or image address that needs no sanitising: relative, or a web, mail or phone address.
pub fn is_plain_url(dest: &str) -> bool {
    crate::sanitize::scheme(dest)
        .is_none_or(|scheme| ["http", "https", "mailto", "tel"].contains(&scheme.as_str()))
}

/// Where a file of an entry's folder is published: once, beside the page's unprefixed URL.
pub fn asset_url(entry: &Entry, file: &str) -> String {
    let path = &entry.original_doc().path;
    if path.is_empty() {
        format!("/{file}")
    } else {
        format!("/{path}/{file}")
    }
}

fn is_relative(dest: &str) -> bool {
    !(dest.is_empty() || dest.starts_with('/') || dest.starts_with('#') || dest.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_counted_on_from_the_last() {
        let text = "ab\nсд é\n\nz";
        let mut cursor = Cursor {
            offset: 0,
            position: Position::START,
        };
        for offset in [0, 1, 3, 8, 9, 10, 13, 2, 100] {
            assert_eq!(
                cursor.at(text, offset),
                Position::at(text, offset),
                "{offset}"
            );
        }
    }
}
