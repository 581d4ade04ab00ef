//! Renders Markdown bodies to HTML once every URL is known: links, heading ids, contents.

use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::config::Config;
use crate::content::{Content, Doc, Entry};
use crate::diag::{Diagnostic, Position};

mod ids;
mod links;
mod nesting;

pub use links::asset_url;
use links::{Anchors, Linker};

/// A body rendered for readers of one language.
#[derive(Debug, Default, PartialEq)]
pub struct Body {
    pub html: String,
    pub toc: Vec<Heading>,
    /// The start of the text, for listings of pages with no description.
    pub summary: String,
    /// The words of the body without markup, one block a line: what search indexes
    /// (empty unless the site writes a search index).
    pub text: String,
    /// The entries its `@/` links and images name: it must be rendered again when their URLs
    /// change.
    pub links: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// Bodies by entry (as in `Content::entries`) and by site language (as in `Config::languages`).
/// Readers of a language without a translation get the original's body, with its internal
/// links pointing into their own language.
#[derive(Clone)]
pub struct Bodies(Vec<ByLanguage>);

/// One entry's bodies, by site language.
type ByLanguage = Vec<Arc<Body>>;

impl Bodies {
    pub fn get(&self, entry: usize, lang: usize) -> &Arc<Body> {
        &self.0[entry][lang]
    }

    /// An entry's bodies, by site language.
    pub fn of(&self, entry: usize) -> &[Arc<Body>] {
        &self.0[entry]
    }

    /// Puts an entry's bodies (from `render_entry`) in place of its old ones.
    pub fn replace(&mut self, entry: usize, bodies: Vec<Arc<Body>>) {
        self.0[entry] = bodies;
    }
}

/// The bodies of one entry, by site language.
pub fn render_entry(
    entry: &Arc<Entry>,
    content: &Content,
    config: &Config,
) -> (Vec<Arc<Body>>, Vec<Diagnostic>) {
    let anchors = Anchors::default();
    let (mut bodies, diags) = render_entries(
        std::slice::from_ref(entry),
        (content, config, &anchors),
        &|_| None,
    );
    (bodies.pop().unwrap_or_default(), diags)
}

const SUMMARY_CHARS: usize = 280;

/// Renders every body, in parallel; broken internal links are reported once per file.
pub fn render(content: &Content, config: &Config) -> (Bodies, Vec<Diagnostic>) {
    render_reusing(content, config, &|_| None)
}

/// As `render`, but an entry's bodies are taken from `earlier` when it has them: the preview
/// server renders again only the entries a change touched.
pub fn render_reusing(
    content: &Content,
    config: &Config,
    earlier: &(dyn Fn(&Entry) -> Option<Vec<Arc<Body>>> + Sync),
) -> (Bodies, Vec<Diagnostic>) {
    let workers = crate::parallel::workers();
    let chunk = content.entries.len().div_ceil(workers).max(1);
    let anchors = &Anchors::default();
    let results: Vec<(Vec<ByLanguage>, Vec<Diagnostic>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = content
            .entries
            .chunks(chunk)
            .map(|entries| {
                scope.spawn(move || render_entries(entries, (content, config, anchors), earlier))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut bodies = Vec::with_capacity(content.entries.len());
    let mut diags = Vec::new();
    for (mut b, mut d) in results {
        bodies.append(&mut b);
        diags.append(&mut d);
    }
    (Bodies(bodies), diags)
}

/// What rendering a body needs of the whole site: every entry's URL, and the anchors of the
/// pages links point at.
type Site<'a> = (&'a Content, &'a Config, &'a Anchors);

fn render_entries(
    entries: &[Arc<Entry>],
    site: Site,
    earlier: &(dyn Fn(&Entry) -> Option<Vec<Arc<Body>>> + Sync),
) -> (Vec<Vec<Arc<Body>>>, Vec<Diagnostic>) {
    let config = site.1;
    let mut diags = Vec::new();
    let mut all = Vec::with_capacity(entries.len());
    for entry in entries {
        if let Some(bodies) = earlier(entry) {
            all.push(bodies);
            continue;
        }
        let mut own = std::collections::BTreeMap::new();
        for (lang, doc) in &entry.docs {
            let (body, links_vary) = render_doc(doc, entry, site, lang, &mut diags);
            own.insert(lang.clone(), (Arc::new(body), links_vary));
        }
        let (original, original_links_vary) = &own[&entry.original];
        let mut by_lang = Vec::with_capacity(config.languages.len());
        for lang in &config.languages {
            let body = match own.get(&lang.code) {
                Some((body, _)) => body.clone(),
                None if *original_links_vary => {
                    let doc = entry.original_doc();
                    Arc::new(render_doc(doc, entry, site, &lang.code, &mut Vec::new()).0)
                }
                None => original.clone(),
            };
            by_lang.push(body);
        }
        all.push(by_lang);
    }
    (all, diags)
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders one file for readers of `lang`; also says whether its HTML depends on `lang`.
fn render_doc(
    doc: &Doc,
    entry: &Entry,
    (content, config, anchors): Site,
    lang: &str,
    diags: &mut Vec<Diagnostic>,
) -> (Body, bool) {
    let source = config.source_of(&entry.key);
    // A member's `@/` links name files of its own tree.
    let mount = source.map_or("", |s| s.mount.as_str());
    let untrusted = source.is_some_and(|s| !s.trusted);
    let markdown = nesting::Source::of(doc.body());
    let mut linker = Linker::new((doc, entry, mount), content, config, lang, anchors);
    let mut needs_cleaning = false;
    let mut events: Vec<Event> = Vec::new();
    let mut links_vary = false;
    let mut links = Vec::new();
    let mut headings = Headings::default();
    // A member's raw HTML is sanitised: how deep it nests is bounded first.
    let mut html_depth = untrusted.then(nesting::HtmlDepth::default);
    let mut html_too_deep: Option<usize> = None;
    let parsed = Parser::new_ext(&markdown.text, options()).into_offset_iter();
    let mut bounded = nesting::Bounded::new(parsed);

    for (event, range) in bounded.by_ref() {
        let offset = markdown.original(range.start);
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                links_vary |= dest_url.starts_with("@/");
                links.extend(links::link_target(&dest_url, mount, content));
                needs_cleaning |= untrusted && !links::is_plain_url(&dest_url);
                let dest_url = linker.resolve(&dest_url, offset, diags);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                links.extend(links::link_target(&dest_url, mount, content));
                needs_cleaning |= untrusted && !links::is_plain_url(&dest_url);
                let dest_url = linker.resolve(&dest_url, offset, diags);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                headings.start = Some(events.len());
                // Only `id` and classes are kept: other attributes (`{onclick=...}`) have no place in content.
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: Vec::new(),
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                headings.end(&mut events, level);
                Event::End(TagEnd::Heading(level))
            }
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                needs_cleaning |= untrusted;
                if html_too_deep.is_none() {
                    let deep = html_depth.as_mut().and_then(|depth| depth.read(html));
                    html_too_deep = deep.map(|at| offset + at);
                }
                match html_too_deep {
                    Some(_) => nesting::as_text(event),
                    None => event,
                }
            }
            other => other,
        };
        events.push(event);
    }
    let too_deep = [
        markdown.too_deep,
        bounded.too_deep.map(|o| markdown.original(o)),
    ];
    depth_warnings(
        doc,
        too_deep.into_iter().flatten().min(),
        html_too_deep,
        diags,
    );
    let summary = first_paragraph_text(&events);
    // Only search reads the plain text: at 20,000 works it is a gigabyte not to keep otherwise.
    let text = if config.search_index {
        block_text(&events)
    } else {
        String::new()
    };
    let mut html = String::with_capacity(doc.body().len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if needs_cleaning {
        html = crate::sanitize::clean(&html);
    }
    (
        Body {
            html,
            toc: headings.toc,
            summary,
            text,
            links,
        },
        links_vary,
    )
}

/// The headings of a body being rendered: each gets an id of its own, and the H2 and H3 make
/// the table of contents.
#[derive(Default)]
struct Headings {
    ids: ids::Ids,
    toc: Vec<Heading>,
    /// Where the heading being read starts among the events.
    start: Option<usize>,
}

impl Headings {
    /// Gives the heading that ends here its id.
    fn end(&mut self, events: &mut [Event], level: pulldown_cmark::HeadingLevel) {
        let Some(start) = self.start.take() else {
            return;
        };
        let title = plain_text(&events[start + 1..]);
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
            let unique = self.ids.unique(ids::wanted(id.as_deref(), &title));
            *id = Some(CowStr::from(unique.clone()));
            if matches!(
                level,
                pulldown_cmark::HeadingLevel::H2 | pulldown_cmark::HeadingLevel::H3
            ) {
                self.toc.push(Heading {
                    level: level as u8,
                    id: unique,
                    title,
                });
            }
        }
    }
}

/// Warnings where a body nests too deep (offsets in the body), in Markdown or in raw HTML.
fn depth_warnings(
    doc: &Doc,
    markdown: Option<usize>,
    html: Option<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    let at = |offset: usize| Position::at(&doc.text, doc.body_start + offset);
    if let Some(offset) = markdown {
        diags.push(
            Diagnostic::warning(
                &doc.shown,
                at(offset),
                format!(
                    "nested deeper than {} levels: what is deeper is shown flat",
                    nesting::MAX_DEPTH
                ),
            )
            .with_hint("quotes, lists and emphasis this deep are read by no one: flatten them"),
        );
    }
    if let Some(offset) = html {
        diags.push(
            Diagnostic::warning(
                &doc.shown,
                at(offset),
                format!(
                    "raw HTML nested deeper than {} elements: from here on it is shown as text",
                    nesting::MAX_HTML_DEPTH
                ),
            )
            .with_hint(
                "close the elements you open (`<div>` ... `</div>`), or write the page in Markdown",
            ),
        );
    }
}

/// The text of every block, a line each; raw HTML and code blocks are left out.
fn block_text(events: &[Event]) -> String {
    let mut text = String::new();
    let mut in_code = false;
    for event in events {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) | Event::Code(t) if !in_code => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            ) if !text.ends_with('\n') => text.push('\n'),
            _ => {}
        }
    }
    text
}

fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

fn first_paragraph_text(events: &[Event]) -> String {
    let Some(start) = events
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::Paragraph)))
    else {
        return String::new();
    };
    let end = events[start..]
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
        .map_or(events.len(), |i| start + i);
    let text = plain_text(&events[start..end]);
    truncate_words(&text, SUMMARY_CHARS)
}

/// At most `max` characters, cut at a space where there is one, with an ellipsis.
pub fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > cut.len() / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

/// A heading id from its text: letters of every script kept, lowercased, words joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{RawFile, Tree};
    use std::path::{Path, PathBuf};

    fn site(files: &[(&str, &str)], assets: &[&str]) -> (Content, Config, Vec<Diagnostic>) {
        site_with("", files, assets)
    }

    /// As `site`, with more of site.toml.
    fn site_with(
        more: &str,
        files: &[(&str, &str)],
        assets: &[&str],
    ) -> (Content, Config, Vec<Diagnostic>) {
        let text = format!("title = \"T\"\nbase_url = \"https://x.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"fr\", \"ar\"]\n{more}");
        let config =
            crate::config::parse(Path::new("/site"), Path::new("site.toml"), &text).unwrap();
        let tree = Tree {
            refused: Vec::new(),
            files: files
                .iter()
                .map(|(rel, text)| RawFile {
                    rel: rel.to_string(),
                    shown: PathBuf::from("content").join(rel),
                    bytes: text.as_bytes().to_vec(),
                })
                .collect(),
            assets: assets
                .iter()
                .map(|rel| crate::content::Asset {
                    rel: rel.to_string(),
                    source: PathBuf::from(rel),
                })
                .collect(),
        };
        let (content, diags) = crate::content::parse(tree, &config, false);
        assert!(diags.is_empty(), "{diags:?}");
        let (_, render_diags) = render(&content, &config);
        (content, config, render_diags)
    }

    fn body_of(content: &Content, config: &Config, key: &str, lang: &str) -> Arc<Body> {
        let (bodies, _) = render(content, config);
        let entry = content.entries.iter().position(|e| e.key == key).unwrap();
        let lang = config
            .languages
            .iter()
            .position(|l| l.code == lang)
            .unwrap();
        bodies.get(entry, lang).clone()
    }

    #[test]
    fn internal_links_point_into_the_readers_language() {
        let files = [
            ("a.md", "+++\ntitle = \"A\"\n+++\nSee [b](@/b/index.md#part) and [b in French](@/b/index.fr.md).\n"),
            ("b/index.md", "+++\ntitle = \"B\"\n+++\n## Part\n"),
            ("b/index.fr.md", "+++\ntitle = \"B\"\nslug = \"bee\"\n+++\n## Partie {#part}\n"),
        ];
        let (content, config, diags) = site(&files, &[]);
        assert!(diags.is_empty(), "{diags:?}");
        let cases = [
            ("en", r#"<a href="/b/#part">b</a> and <a href="/fr/bee/">"#),
            (
                "fr",
                r#"<a href="/fr/bee/#part">b</a> and <a href="/fr/bee/">"#,
            ),
            (
                "ar",
                r#"<a href="/ar/b/#part">b</a> and <a href="/fr/bee/">"#,
            ),
        ];
        for (lang, expected) in cases {
            let html = &body_of(&content, &config, "a", lang).html;
            assert!(html.contains(expected), "{lang}: {html}");
        }
    }

    #[test]
    fn broken_links_are_errors_at_their_position_with_a_suggestion() {
        let files = [
            (
                "a.md",
                "+++\ntitle = \"A\"\n+++\n\nText [b](@/bb/index.md).\n",
            ),
            ("b/index.md", "+++\ntitle = \"B\"\n+++\n"),
        ];
        let (_, _, diags) = site(&files, &[]);
        let shown: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(shown, ["content/a.md:5:6: error: broken internal link `@/bb/index.md`: no such content file\n  = hint: did you mean `@/b/index.md`?"]);
    }

    #[test]
    fn headings_get_unique_ids_in_any_script_and_a_table_of_contents() {
        let files = [("a.md", "+++\ntitle = \"A\"\n+++\n## Gender & Access\n## Gender & Access\n### Доступ к сети\n## Own {#mine onclick=\"x()\"}\n")];
        let (content, config, _) = site(&files, &[]);
        let body = body_of(&content, &config, "a", "en");
        let ids: Vec<&str> = body.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            ["gender-access", "gender-access-1", "доступ-к-сети", "mine"]
        );
        assert!(!body.html.contains("onclick"), "{}", body.html);
    }

    #[test]
    fn bundle_files_are_linked_at_their_published_place() {
        let files = [("b/index.md", "+++\ntitle = \"B\"\nslug = \"bee\"\n+++\n[Report](report.pdf) ![Chart](./img/c.png) [Elsewhere](other.pdf)\n")];
        let (content, config, _) = site(&files, &["b/report.pdf", "b/img/c.png"]);
        let html = &body_of(&content, &config, "b", "fr").html;
        assert!(html.contains(r#"href="/bee/report.pdf""#), "{html}");
        assert!(html.contains(r#"src="/bee/img/c.png""#), "{html}");
        assert!(html.contains(r#"href="other.pdf""#), "{html}");
    }

    #[test]
    fn links_into_the_site_carry_the_path_it_is_published_under() {
        let files = [
            ("a.md", "+++\ntitle = \"A\"\n+++\n[B](@/b/index.md#x) [Root](/fr/) [Host](//cdn.example/x) [Web](https://x.org/y/) [Here](#top) ![C](/c.png)\n"),
            ("b/index.md", "+++\ntitle = \"B\"\n+++\n## X\n[R](report.pdf)\n"),
        ];
        let (content, mut config, _) = site(&files, &["b/report.pdf"]);
        config.base_path = "/igf".into();
        let bundle = &body_of(&content, &config, "b", "fr").html;
        assert!(bundle.contains(r#"href="/igf/b/report.pdf""#), "{bundle}");
        let html = &body_of(&content, &config, "a", "fr").html;
        for expected in [
            r#"href="/igf/fr/b/#x""#,
            r#"href="/igf/fr/""#,
            r#"href="//cdn.example/x""#,
            r#"href="https://x.org/y/""#,
            r##"href="#top""##,
            r#"src="/igf/c.png""#,
        ] {
            assert!(html.contains(expected), "{expected}: {html}");
        }
    }

    #[test]
    fn summaries_are_the_first_paragraph_cut_at_a_word() {
        let long = "word ".repeat(100);
        let files = [
            (
                "a.md",
                "+++\ntitle = \"A\"\n+++\n# Title\n\nFirst *para*.\n\nSecond.\n".to_string(),
            ),
            ("b.md", format!("+++\ntitle = \"B\"\n+++\n{long}\n")),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let (content, config, _) = site(&files, &[]);
        assert_eq!(body_of(&content, &config, "a", "en").summary, "First para.");
        let summary = body_of(&content, &config, "b", "en").summary.clone();
        assert!(
            summary.ends_with("word…") && summary.chars().count() <= SUMMARY_CHARS + 1,
            "{summary}"
        );
    }

    #[test]
    fn links_to_headings_are_checked_against_the_page_they_reach() {
        let files = [
            ("a.md", "+++\ntitle = \"A\"\n+++\n[1](@/b.md#part) [2](@/b.md#%D0%B4%D0%BE%D1%81%D1%82%D1%83%D0%BF) [3](@/b.md#own) [4](@/b.md#note) [5](@/b.md)\n\n[6](@/b.md#prat) [7](@/b.md#zzz) [8](@/b.fr.md#part)\n"),
            ("b.md", "+++\ntitle = \"B\"\n+++\n## Part\n\n## Доступ\n\n## Mine {#own}\n\nA[^note].\n\n[^note]: Note.\n"),
            ("b.fr.md", "+++\ntitle = \"B\"\n+++\n## Partie\n"),
        ];
        let (_, _, diags) = site(&files, &[]);
        let shown: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            shown,
            [
                "content/a.md:6:1: error: broken internal link `@/b.md#prat`: `b.md` has no heading `#prat`\n  = hint: did you mean `#part`?",
                "content/a.md:6:18: error: broken internal link `@/b.md#zzz`: `b.md` has no heading `#zzz`\n  = hint: a heading's id is its text in lowercase, words joined by `-` (`## Access and trust` is `#access-and-trust`), or the `{#id}` written after it",
                "content/a.md:6:34: error: broken internal link `@/b.fr.md#part`: `b.fr.md` has no heading `#part`\n  = hint: did you mean `#partie`?",
            ]
        );
    }

    #[test]
    fn a_members_links_cannot_carry_script_however_they_are_written() {
        let vectors = [
            "[x](java&#9;script:alert(1))",
            "[x](java&Tab;script:alert(1))",
            "[x](javascript&colon;alert(1))",
            "[x](&#1;javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "![x](vbscript:msgbox(1))",
            "[x](data:text/html,x)",
            "<java&#9;script:alert(1)>",
            "<a href=\"java&#x09;script:alert(1)\">x</a>",
            "<a href=\"java&Tab;script:alert(1)\">x</a>",
            "<a href=\" &#14; javascript&colon;alert(1)\">x</a>",
            "<img src=\"jav&#x0A;ascript:alert(1)\">",
        ];
        let source = "[[sources]]\nid = \"m\"\npath = \"../m\"\nmount = \"m\"\n";
        for vector in vectors {
            let file = format!("+++\ntitle = \"M\"\n+++\n{vector}\n");
            let (content, config, _) = site_with(source, &[("m/x.md", &file)], &[]);
            let html = &body_of(&content, &config, "m/x", "en").html;
            for attribute in ["href=\"", "src=\""] {
                for value in html.split(attribute).skip(1) {
                    let value = &value[..value.find('"').unwrap_or(value.len())];
                    let scheme = crate::sanitize::scheme(value);
                    assert!(
                        scheme.is_none_or(
                            |s| ["http", "https", "mailto", "tel"].contains(&s.as_str())
                        ),
                        "{vector}: {html}"
                    );
                }
            }
        }
    }
}
