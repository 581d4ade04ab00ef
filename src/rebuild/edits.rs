//! What a change did to the content: the entries it reached made again, the rest shared.

use std::collections::HashSet;
use std::sync::Arc;

use super::Memo;
use crate::build::{Checked, Loaded};
use crate::config::Config;
use crate::content::{self, Asset, Content, Entry, ParsedFile};
use crate::diag::Diagnostic;
use crate::markdown::{Bodies, Body};
use crate::site::Site;

/// The content after a change, which entries it may have changed (`None`: any), and the
/// warnings met.
pub(super) type Edited = (Loaded, Option<Vec<usize>>, Vec<Diagnostic>);

impl Memo {
    /// The content after a save that only changed the text of existing pages: no file added
    /// or removed, no URL, draft flag or bundle file changed. The common case, and the one
    /// that must be quick however big the site: the entries of those pages are made again
    /// and the rest shared, without looking at them. `None` for any other change.
    #[allow(clippy::type_complexity)]
    pub(super) fn edited_in_place(
        &self,
        old: &Loaded,
        changed: &[String],
        before: &[Option<ParsedFile>],
    ) -> Option<Checked<Edited>> {
        let config = &old.config;
        let mut content = Content {
            entries: old.content.entries.clone(),
            assets: old.content.assets.clone(),
        };
        let mut diags = Vec::new();
        let mut touched: Vec<usize> = Vec::new();
        for (rel, before) in changed.iter().zip(before) {
            let (name, was) = before.as_ref()?.doc.as_ref()?;
            let now = self.files.get(rel)?;
            diags.extend(now.diags.iter().cloned());
            let Some((_, doc)) = &now.doc else {
                // Its errors are in `diags`.
                continue;
            };
            if doc.path != was.path || doc.front.draft != was.front.draft {
                return None;
            }
            let i = index_of(&content, &name.key)?;
            let mut entry = (*content.entries[i]).clone();
            if !Arc::ptr_eq(entry.docs.get(&doc.lang)?, was) {
                return None;
            }
            entry.docs.insert(doc.lang.clone(), doc.clone());
            content::check_attachments(std::slice::from_ref(&entry), &mut diags);
            content.entries[i] = Arc::new(entry);
            if !touched.contains(&i) {
                touched.push(i);
            }
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Some(Err(diags));
        }
        let mut bodies = old.bodies.clone();
        for &i in &touched {
            let (entry_bodies, mut markdown_diags) =
                crate::markdown::render_entry(&content.entries[i], &content, config);
            diags.append(&mut markdown_diags);
            bodies.replace(i, entry_bodies);
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Some(Err(diags));
        }
        let same_places = touched.iter().all(|&i| {
            crate::site::placement(&old.content.entries[i], config)
                == crate::site::placement(&content.entries[i], config)
        });
        let site = if same_places {
            old.site.clone()
        } else {
            crate::site::index(&content, config)
        };
        Some(Ok((
            with_content(old, content, bodies, site),
            Some(touched),
            diags,
        )))
    }

    /// The content made again from every file, for changes that add, remove or move pages.
    pub(super) fn reassembled(&self, old: &Loaded) -> Checked<Edited> {
        let config = &old.config;
        let assets: Vec<Asset> = self.assets.values().cloned().collect();
        let (content, mut diags) =
            content::assemble(self.files.values(), assets, config, self.drafts);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        let moved = moved(&old.content, &content, config);
        let (bodies, mut markdown_diags) =
            crate::markdown::render_reusing(&content, config, &|entry| {
                let i = index_of(&old.content, &entry.key)?;
                let bodies = old.bodies.of(i);
                let links_moved = bodies
                    .iter()
                    .any(|b| b.links.iter().any(|key| moved.contains(key)));
                (same_source(&old.content.entries[i], entry) && !links_moved)
                    .then(|| bodies.to_vec())
            });
        diags.append(&mut markdown_diags);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        let site = crate::site::index(&content, config);
        Ok((with_content(old, content, bodies, site), None, diags))
    }
}

/// The site `old` was, with other content: a change to content alone leaves the
/// configuration, the strings and the templates as they were.
fn with_content(old: &Loaded, content: Content, bodies: Bodies, site: Site) -> Loaded {
    Loaded {
        config: old.config.clone(),
        // The memo keeps the parsed files.
        files: Vec::new(),
        content,
        messages: old.messages.clone(),
        templates: old.templates.clone(),
        bodies,
        site,
        sources: old.sources.clone(),
        included: old.included.clone(),
    }
}

pub(super) fn index_of(content: &Content, key: &str) -> Option<usize> {
    content
        .entries
        .binary_search_by(|e| e.key.as_str().cmp(key))
        .ok()
}

/// Whether an entry is made from the very same files as before (the parsed files are shared
/// while unchanged, so comparing pointers is exact: the old ones are still alive).
pub(super) fn same_source(old: &Entry, new: &Entry) -> bool {
    old.kind == new.kind
        && old.original == new.original
        && old.assets == new.assets
        && old.docs.len() == new.docs.len()
        && old
            .docs
            .iter()
            .zip(&new.docs)
            .all(|((la, a), (lb, b))| la == lb && Arc::ptr_eq(a, b))
}

pub(super) fn same_bodies(old: &[Arc<Body>], new: &[Arc<Body>]) -> bool {
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| Arc::ptr_eq(a, b))
}

/// Entries added, removed, or whose URL in some language changed: bodies linking to them
/// must be rendered again.
fn moved(old: &Content, new: &Content, config: &Config) -> HashSet<String> {
    let urls = |entry: &Entry| -> Vec<String> {
        config
            .languages
            .iter()
            .map(|l| entry.url(config, &l.code))
            .collect()
    };
    let mut moved = HashSet::new();
    for entry in &new.entries {
        match old.get(&entry.key) {
            // An entry's URLs come from its own files alone.
            Some(before) if same_source(before, entry) => {}
            Some(before) if before.kind == entry.kind && urls(before) == urls(entry) => {}
            _ => {
                moved.insert(entry.key.clone());
            }
        }
    }
    for entry in &old.entries {
        if new.get(&entry.key).is_none() {
            moved.insert(entry.key.clone());
        }
    }
    moved
}
