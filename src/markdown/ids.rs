//! The ids a rendered page has, each once: its headings' (the same ids `render_doc` gives them), its footnotes' and those of its raw HTML.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag, TagEnd};

/// Heading ids given in one document.
#[derive(Default)]
pub struct Ids {
    used: HashSet<String>,
    /// For each id asked for twice or more, the next suffix to try: 8,000 headings of one
    /// name cost 8,000 steps, not 8,000 times the headings before them.
    next_suffix: HashMap<String, usize>,
}

impl Ids {
    /// `wanted`, or the first of `wanted-1`, `wanted-2`... not given yet.
    pub fn unique(&mut self, wanted: String) -> String {
        if self.used.insert(wanted.clone()) {
            return wanted;
        }
        let next = self.next_suffix.entry(wanted.clone()).or_insert(1);
        loop {
            let id = format!("{wanted}-{next}");
            *next += 1;
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// A heading's id: the one written after it (`{#id}`), else its text made a slug.
pub fn wanted(explicit: Option<&str>, title: &str) -> String {
    explicit.map_or_else(|| super::slugify(title), str::to_string)
}

/// Every id a body's page has for links to point at, as `render_doc` renders it.
pub fn anchors_of(body: &str) -> HashSet<String> {
    let source = super::nesting::Source::of(body);
    let events = pulldown_cmark::Parser::new_ext(&source.text, super::options()).into_offset_iter();
    let mut ids = Ids::default();
    let mut anchors = HashSet::new();
    let mut heading: Option<(Option<String>, String)> = None;
    for (event, _) in super::nesting::Bounded::new(events) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                heading = Some((id.map(|i| i.to_string()), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title)) = &mut heading {
                    title.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, title)) = &mut heading {
                    title.push(' ');
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((explicit, title)) = heading.take() {
                    anchors.insert(ids.unique(wanted(explicit.as_deref(), title.trim())));
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                anchors.insert(label.to_string());
            }
            Event::Html(html) | Event::InlineHtml(html) => html_ids(&html, &mut anchors),
            _ => {}
        }
    }
    anchors
}

/// The values of `id` attributes in a piece of HTML.
fn html_ids(html: &str, out: &mut HashSet<String>) {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(i) = html[from..].find("id") {
        let at = from + i;
        from = at + 2;
        let before = at.checked_sub(1).map(|b| bytes[b]);
        if !matches!(before, Some(b' ' | b'\t' | b'\n' | b'\r')) {
            continue;
        }
        let Some(value) = html[at + 2..].trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let id = match value.chars().next() {
            Some(quote @ ('"' | '\'')) => value[1..].split(quote).next(),
            _ => value.split(|c: char| c.is_whitespace() || c == '>').next(),
        };
        if let Some(id) = id.filter(|id| !id.is_empty()) {
            out.insert(id.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_however_headings_repeat() {
        let cases: [(&[&str], &[&str]); 3] = [
            (&["a", "a", "a"], &["a", "a-1", "a-2"]),
            (&["a-1", "a", "a", "a"], &["a-1", "a", "a-2", "a-3"]),
            (&["a", "a", "a-1", "a-1"], &["a", "a-1", "a-1-1", "a-1-2"]),
        ];
        for (wanted, expected) in cases {
            let mut ids = Ids::default();
            let got: Vec<String> = wanted.iter().map(|w| ids.unique(w.to_string())).collect();
            assert_eq!(got, expected, "{wanted:?}");
        }
    }

    #[test]
    fn a_pages_anchors_are_its_headings_footnotes_and_html_ids() {
        let body = "## Access\n\n## Access\n\n## Own {#mine}\n\nText[^n].\n\n[^n]: Note.\n\n<div id=\"raw\"></div> <span class='x' id='other'>y</span>\n";
        let mut anchors: Vec<String> = anchors_of(body).into_iter().collect();
        anchors.sort();
        assert_eq!(anchors, ["access", "access-1", "mine", "n", "other", "raw"]);
    }
}
