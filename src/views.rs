//! The read-only views templates see: pages, summaries and links, in one reader's language.

use serde::Serialize;

use crate::config::Config;
use crate::content::{Content, Entry, EntryKind};
use crate::i18n::Messages;
use crate::markdown::{Bodies, Heading};

/// What everything in one language's views is built from.
pub struct Context<'a> {
    pub config: &'a Config,
    pub content: &'a Content,
    pub bodies: &'a Bodies,
    pub messages: &'a Messages,
    /// The content trees, the site's own first: who published what.
    pub sources: &'a [crate::sources::SourceTree],
    /// Other sites whose pages the search covers too.
    pub included: &'a [crate::search_export::Included],
}

#[derive(Serialize, Clone)]
pub struct LanguageView {
    pub code: String,
    pub label: String,
    pub dir: &'static str,
}

#[derive(Serialize, Clone)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Serialize, Clone)]
pub struct Term {
    pub slug: String,
    pub label: String,
    pub url: String,
}

/// A page or section as listings show it.
#[derive(Serialize, Clone)]
pub struct Summary {
    pub title: String,
    pub url: String,
    /// The language its text is in: the reader's own, or the original's for a stand-in.
    pub lang: String,
    pub dir: &'static str,
    pub fallback: bool,
    pub date: Option<String>,
    pub date_display: Option<String>,
    pub description: String,
    pub kind: Option<Term>,
    pub group: Option<Term>,
}

/// A whole page or section for its own template.
#[derive(Serialize)]
pub struct PageView {
    pub title: String,
    pub url: String,
    pub permalink: String,
    pub lang: String,
    pub dir: &'static str,
    pub fallback: bool,
    /// Set on stand-ins: the original's language name (in the reader's language) and URL.
    pub original: Option<OriginalView>,
    /// Set on translations made from an older version of the original: the original.
    pub outdated: Option<OriginalView>,
    pub date: Option<String>,
    pub date_display: Option<String>,
    pub updated: Option<String>,
    pub updated_display: Option<String>,
    pub description: String,
    pub kind: Option<Term>,
    pub group: Option<Term>,
    pub themes: Vec<Term>,
    pub region: Option<Term>,
    pub country: Option<String>,
    pub authors: Vec<String>,
    pub attachments: Vec<AttachmentView>,
    pub content: String,
    pub toc: Vec<Heading>,
    pub translations: Vec<Link>,
    /// The member whose tree the page comes from, with its page; `None` for the site's own.
    pub published_by: Option<Link>,
    pub extra: toml::Table,
}

#[derive(Serialize)]
pub struct OriginalView {
    pub language: String,
    pub url: String,
    /// Its language code, for `hreflang`.
    pub lang: String,
}

#[derive(Serialize)]
pub struct AttachmentView {
    pub url: String,
    pub title: String,
    pub language: Option<String>,
    pub language_name: Option<String>,
    pub format: String,
}

/// One entry of the language switcher: the same page in another language.
#[derive(Serialize, Clone)]
pub struct SwitchTarget {
    pub code: String,
    pub label: String,
    pub url: String,
    pub current: bool,
    /// False where that language shows a stand-in in the original language.
    pub translated: bool,
}

impl Context<'_> {
    pub fn language_view(&self, code: &str) -> LanguageView {
        let lang = self
            .config
            .language(code)
            .unwrap_or_else(|| self.config.default_lang());
        LanguageView {
            code: lang.code.clone(),
            label: lang.label.clone(),
            dir: lang.direction.as_str(),
        }
    }

    fn dir_of(&self, code: &str) -> &'static str {
        self.config
            .language(code)
            .map_or("ltr", |l| l.direction.as_str())
    }

    fn lang_index(&self, code: &str) -> usize {
        self.config
            .languages
            .iter()
            .position(|l| l.code == code)
            .unwrap_or(0)
    }

    /// A label from the interface strings (`theme-access`), or the slug made readable.
    pub fn label(&self, lang: &str, prefix: &str, slug: &str) -> String {
        self.messages
            .get(lang, &format!("{prefix}-{slug}"))
            .unwrap_or_else(|| humanize(slug))
    }

    pub fn group_name(&self, lang: &str, id: &str) -> String {
        match self.config.groups.get(id) {
            Some(group) => group.name_in(lang).to_string(),
            None => humanize(id),
        }
    }

    pub fn term_url(&self, lang: &str, taxonomy_slug: &str, term: &str) -> String {
        format!("{}/{taxonomy_slug}/{term}/", self.config.lang_prefix(lang))
    }

    /// A term linked to its listing when the site has that taxonomy.
    fn term(&self, lang: &str, taxonomy: &str, slug: &str, label: String) -> Term {
        let url = if self.config.has_taxonomy(taxonomy) {
            self.term_url(lang, &format!("{taxonomy}s"), slug)
        } else {
            String::new()
        };
        Term {
            slug: slug.to_string(),
            label,
            url,
        }
    }

    pub fn summary(&self, index: usize, lang: &str) -> Summary {
        let entry = &self.content.entries[index];
        let (doc, fallback) = entry.doc_for(lang);
        let front = &doc.front;
        let date = front.date.and_then(|d| d.date);
        let description = if front.description.is_empty() {
            self.bodies
                .get(index, self.lang_index(lang))
                .summary
                .clone()
        } else {
            front.description.clone()
        };
        Summary {
            title: front.title.clone().unwrap_or_default(),
            url: entry.url(self.config, lang),
            lang: doc.lang.clone(),
            dir: self.dir_of(&doc.lang),
            fallback,
            date: date.map(|d| d.to_string()),
            date_display: date.map(|d| self.messages.format_date(lang, &d)),
            description,
            kind: front
                .kind
                .as_ref()
                .map(|k| self.term(lang, "kind", k, self.label(lang, "kind", k))),
            group: front
                .group
                .as_ref()
                .map(|g| self.term(lang, "group", g, self.group_name(lang, g))),
        }
    }

    pub fn page(&self, index: usize, lang: &str) -> PageView {
        let entry = &self.content.entries[index];
        let (doc, fallback) = entry.doc_for(lang);
        let front = &doc.front;
        let body = self.bodies.get(index, self.lang_index(lang));
        let url = entry.url(self.config, lang);
        let date = front.date.and_then(|d| d.date);
        let updated = front.updated.and_then(|d| d.date);
        let original_view = || OriginalView {
            language: self.label(lang, "language", &entry.original),
            url: entry.url(self.config, &entry.original),
            lang: entry.original.clone(),
        };
        let original = fallback.then(original_view);
        let outdated = (!fallback
            && crate::translations::state(entry, lang) == crate::translations::State::Stale)
            .then(original_view);
        PageView {
            title: front.title.clone().unwrap_or_default(),
            permalink: format!("{}{url}", self.config.base_url),
            url,
            lang: doc.lang.clone(),
            dir: self.dir_of(&doc.lang),
            fallback,
            original,
            outdated,
            date: date.map(|d| d.to_string()),
            date_display: date.map(|d| self.messages.format_date(lang, &d)),
            updated: updated.map(|d| d.to_string()),
            updated_display: updated.map(|d| self.messages.format_date(lang, &d)),
            description: front.description.clone(),
            kind: front
                .kind
                .as_ref()
                .map(|k| self.term(lang, "kind", k, self.label(lang, "kind", k))),
            group: front
                .group
                .as_ref()
                .map(|g| self.term(lang, "group", g, self.group_name(lang, g))),
            themes: front
                .themes
                .iter()
                .map(|t| self.term(lang, "theme", t, self.label(lang, "theme", t)))
                .collect(),
            region: front
                .region
                .as_ref()
                .map(|r| self.term(lang, "region", r, self.label(lang, "region", r))),
            country: front.country.clone(),
            authors: front.authors.clone(),
            attachments: self.attachments(entry, doc, lang),
            content: body.html.clone(),
            toc: body.toc.clone(),
            translations: entry
                .docs
                .keys()
                .filter(|code| *code != lang)
                .map(|code| Link {
                    title: self.language_view(code).label,
                    url: entry.url(self.config, code),
                })
                .collect(),
            published_by: crate::render::members::published_by(self, &entry.key, lang),
            extra: front.extra.clone(),
        }
    }

    fn attachments(
        &self,
        entry: &Entry,
        doc: &crate::content::Doc,
        lang: &str,
    ) -> Vec<AttachmentView> {
        doc.front
            .attachments
            .iter()
            .map(|a| AttachmentView {
                url: crate::markdown::asset_url(entry, &a.file),
                title: a
                    .title
                    .clone()
                    .unwrap_or_else(|| a.file.rsplit('/').next().unwrap_or(&a.file).to_string()),
                language_name: a
                    .language
                    .as_ref()
                    .map(|code| self.label(lang, "language", code)),
                language: a.language.clone(),
                format: a
                    .file
                    .rsplit_once('.')
                    .map_or(String::new(), |(_, ext)| ext.to_uppercase()),
            })
            .collect()
    }

    /// The language switcher for an entry: every language lands on the same page.
    pub fn switcher(&self, entry: &Entry, lang: &str) -> Vec<SwitchTarget> {
        self.config
            .languages
            .iter()
            .map(|l| SwitchTarget {
                code: l.code.clone(),
                label: l.label.clone(),
                url: entry.url(self.config, &l.code),
                current: l.code == lang,
                translated: entry.docs.contains_key(&l.code),
            })
            .collect()
    }

    /// The switcher for generated listings (taxonomies, 404), which exist in every language.
    pub fn switcher_for_path(&self, path: &str, lang: &str) -> Vec<SwitchTarget> {
        self.config
            .languages
            .iter()
            .map(|l| SwitchTarget {
                code: l.code.clone(),
                label: l.label.clone(),
                url: format!("{}{path}", self.config.lang_prefix(&l.code)),
                current: l.code == lang,
                translated: true,
            })
            .collect()
    }

    /// Top-level sections, for the main menu.
    pub fn menu(&self, top: &[usize], lang: &str) -> Vec<Link> {
        top.iter()
            .map(|&i| {
                let entry = &self.content.entries[i];
                Link {
                    title: entry
                        .doc_for(lang)
                        .0
                        .front
                        .title
                        .clone()
                        .unwrap_or_default(),
                    url: entry.url(self.config, lang),
                }
            })
            .collect()
    }

    /// The sections above an entry, from the home down, not including it.
    pub fn breadcrumbs(&self, entry: &Entry, lang: &str) -> Vec<Link> {
        let mut trail = Vec::new();
        let mut parent = entry.parent.clone();
        while let Some(key) = parent {
            match self
                .content
                .get(&key)
                .filter(|e| e.kind == EntryKind::Section)
            {
                Some(section) => {
                    trail.push(Link {
                        title: section
                            .doc_for(lang)
                            .0
                            .front
                            .title
                            .clone()
                            .unwrap_or_default(),
                        url: section.url(self.config, lang),
                    });
                    parent = section.parent.clone();
                }
                None => {
                    trail.push(Link {
                        title: self.site_title(lang),
                        url: crate::content::page_url(self.config, lang, ""),
                    });
                    parent = None;
                }
            }
        }
        trail.reverse();
        trail
    }

    pub fn site_title(&self, lang: &str) -> String {
        self.config
            .language(lang)
            .map_or_else(|| self.config.title.clone(), |l| l.title.clone())
    }
}

/// `dc-core-internet-values` -> `Dc Core Internet Values`, with the IGF's acronyms kept upper case.
pub fn humanize(slug: &str) -> String {
    slug.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|word| match word {
            "igf" | "bpf" | "dc" | "nri" | "mag" | "ixp" | "ixps" | "iot" | "ai" | "un" => {
                word.to_uppercase()
            }
            _ => {
                let mut chars = word.chars();
                chars
                    .next()
                    .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Summaries shared by every listing of one language, built once.
pub fn summaries(context: &Context, lang: &str) -> Vec<minijinja::Value> {
    (0..context.content.entries.len())
        .map(|i| minijinja::Value::from_serialize(context.summary(i, lang)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_become_readable_names() {
        let cases = [
            ("peru-igf", "Peru IGF"),
            ("dc-core-internet-values", "DC Core Internet Values"),
            ("human-rights", "Human Rights"),
            ("2020", "2020"),
        ];
        for (slug, expected) in cases {
            assert_eq!(humanize(slug), expected, "{slug}");
        }
    }
}
