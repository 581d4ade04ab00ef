//! The TOML front matter between `+++` lines at the top of a content file.

use std::path::Path;

use serde::Deserialize;

use crate::config::toml_diagnostic;
use crate::diag::{Diagnostic, Position};

/// Everything a content file may say about itself; any other key is an error.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<toml::value::Datetime>,
    pub updated: Option<toml::value::Datetime>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub draft: bool,
    pub weight: Option<i64>,
    pub slug: Option<String>,
    /// `bpf-output`, `dc-paper`, `nri-report`, `meeting-summary`, `page`, or a kind of the site's own.
    pub kind: Option<String>,
    /// The BPF, Dynamic Coalition or NRI that owns the work.
    pub group: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub extra: toml::Table,
    /// On a translation: the version of its original it was made from (see `translations`).
    pub translated_from: Option<String>,
}

/// A file of the page bundle offered for download: a report, its annexes, a presentation.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub file: String,
    pub language: Option<String>,
    pub title: Option<String>,
}

pub const FIELDS: &[&str] = &[
    "title",
    "date",
    "updated",
    "description",
    "draft",
    "weight",
    "slug",
    "kind",
    "group",
    "themes",
    "region",
    "country",
    "authors",
    "attachments",
    "extra",
    "translated_from",
    "file",
    "language",
];

const DELIMITER: &str = "+++";

/// Splits a file into its front matter and the byte offset where its Markdown body starts.
pub fn parse(shown: &Path, text: &str) -> Result<(FrontMatter, usize), Vec<Diagnostic>> {
    let example = "start the file with:\n    +++\n    title = \"The page's title\"\n    +++";
    if text.trim().is_empty() {
        return Err(vec![Diagnostic::error(
            shown,
            Position::START,
            "file is empty",
        )
        .with_hint(example)]);
    }
    let Some(after_open) = text
        .strip_prefix(DELIMITER)
        .filter(|rest| rest.starts_with('\n') || rest.trim().is_empty())
    else {
        return Err(vec![Diagnostic::error(
            shown,
            Position::START,
            "missing front matter: the file must start with a `+++` line",
        )
        .with_hint(example)]);
    };
    let toml_start = DELIMITER.len() + 1;
    let Some(close) = find_closing(after_open) else {
        return Err(vec![Diagnostic::error(
            shown,
            Position::START,
            "front matter is not closed: no second `+++` line",
        )
        .with_hint("end the front matter with a line holding only `+++`")]);
    };
    let toml_text = &text[toml_start.min(text.len())..DELIMITER.len() + close];
    let body_start = (DELIMITER.len() + close + DELIMITER.len() + 1).min(text.len());
    let front: FrontMatter = toml::from_str(toml_text)
        .map_err(|e| vec![toml_diagnostic(shown, text, toml_start, &e, FIELDS)])?;

    let mut diags = Vec::new();
    match &front.title {
        None => diags.push(
            Diagnostic::error(shown, Position::START, "missing `title` in front matter")
                .with_hint("add a line such as `title = \"Best Practice Forum on Cybersecurity\"`"),
        ),
        Some(title) if title.trim().is_empty() => diags.push(
            Diagnostic::error(
                shown,
                Position::of_key(text, toml_start, "title"),
                "`title` is empty",
            )
            .with_hint("give the page a title"),
        ),
        Some(_) => {}
    }
    for (key, date) in [("date", &front.date), ("updated", &front.updated)] {
        if date.as_ref().is_some_and(|d| d.date.is_none()) {
            diags.push(
                Diagnostic::error(
                    shown,
                    Position::of_key(text, toml_start, key),
                    format!("bad date: `{key}` has a time but no date"),
                )
                .with_hint(format!(
                    "write dates as bare TOML dates: {key} = 2020-11-17"
                )),
            );
        }
    }
    diags.extend(check_url_values(shown, text, toml_text, toml_start, &front));
    if diags.is_empty() {
        Ok((front, body_start))
    } else {
        Err(diags)
    }
}

/// The values that become one segment of a URL as they are: the slug (the last part of the
/// page's own URL) and the taxonomy values (`/regions/<region>/`). Each must be one plain
/// segment, or it could write over another page (`region = "global/page/2"`) or leave the
/// site (`..`).
fn check_url_values(
    shown: &Path,
    text: &str,
    toml_text: &str,
    toml_start: usize,
    front: &FrontMatter,
) -> Vec<Diagnostic> {
    let values = front
        .slug
        .iter()
        .map(|v| ("slug", v))
        .chain(front.kind.iter().map(|v| ("kind", v)))
        .chain(front.group.iter().map(|v| ("group", v)))
        .chain(front.region.iter().map(|v| ("region", v)))
        .chain(front.themes.iter().map(|v| ("themes", v)));
    let bad: Vec<(&str, &String, String)> = values
        .filter_map(|(key, value)| Some((key, value, crate::content::segment_problem(value)?)))
        .collect();
    if bad.is_empty() {
        return Vec::new();
    }
    // Read again for the positions of the values: only when one is wrong.
    let spans: Spans = toml::from_str(toml_text).unwrap_or_default();
    bad.into_iter()
        .map(|(key, value, why)| {
            let at = spans
                .of(key, value)
                .map_or(Position::of_key(text, toml_start, key), |offset| {
                    Position::at(text, toml_start + offset)
                });
            let (what, place) = match key {
                "slug" => ("`slug`".to_string(), "the page's URL".to_string()),
                "themes" => (
                    "a `themes` value".to_string(),
                    "its listing's URL (`/themes/<value>/`)".to_string(),
                ),
                key => (
                    format!("`{key}`"),
                    format!("its listing's URL (`/{key}s/<value>/`)"),
                ),
            };
            let suggested = crate::content::suggestion(value);
            let example = if suggested.is_empty() || suggested == *value {
                "such as `cybersecurity-2020`".to_string()
            } else {
                format!("such as `{suggested}`")
            };
            Diagnostic::error(
                shown,
                at,
                format!("{what} {value:?} cannot stand in a URL: {why}"),
            )
            .with_hint(format!(
                "it is one segment of {place}: use letters, digits and hyphens, {example}"
            ))
        })
        .collect()
}

/// Where `key` gives `value` in the front matter of `text` (a file that parsed): the
/// position of the value for a slug or a taxonomy value, else of the key.
pub fn value_position(text: &str, key: &str, value: &str) -> Position {
    let toml_start = DELIMITER.len() + 1;
    let toml_text = text
        .get(toml_start..)
        .and_then(|rest| Some(&rest[..find_closing(rest)?]))
        .unwrap_or_default();
    let spans: Spans = toml::from_str(toml_text).unwrap_or_default();
    match spans.of(key, value) {
        Some(offset) => Position::at(text, toml_start + offset),
        None => Position::of_key(text, toml_start, key),
    }
}

/// Where the values `check_url_values` reads stand in the front matter (byte offsets into
/// its TOML, from the opening quote).
#[derive(Deserialize, Default)]
struct Spans {
    slug: Option<toml::Spanned<String>>,
    kind: Option<toml::Spanned<String>>,
    group: Option<toml::Spanned<String>>,
    region: Option<toml::Spanned<String>>,
    #[serde(default)]
    themes: Vec<toml::Spanned<String>>,
}

impl Spans {
    fn of(&self, key: &str, value: &str) -> Option<usize> {
        let single = match key {
            "slug" => &self.slug,
            "kind" => &self.kind,
            "group" => &self.group,
            "region" => &self.region,
            "themes" => {
                return self
                    .themes
                    .iter()
                    .find(|t| t.get_ref() == value)
                    .map(|t| t.span().start)
            }
            _ => return None,
        };
        single.as_ref().map(|v| v.span().start)
    }
}

/// The offset, within `rest`, of the line holding the closing `+++`.
fn find_closing(rest: &str) -> Option<usize> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == DELIMITER && offset > 0 {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match parse(Path::new("a.md"), text) {
            Ok(_) => Vec::new(),
            Err(diags) => diags.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn a_good_file_splits_into_fields_and_body() {
        let text = "+++\ntitle = \"T\"\ndate = 2020-11-17\nthemes = [\"data\"]\n[extra]\nx = 1\n+++\n\nBody";
        let (front, start) = parse(Path::new("a.md"), text).unwrap();
        assert_eq!(front.title.as_deref(), Some("T"));
        assert_eq!(front.date.unwrap().to_string(), "2020-11-17");
        assert_eq!(front.themes, ["data"]);
        assert_eq!(&text[start..], "\nBody");
    }

    #[test]
    fn a_file_that_is_only_front_matter_has_an_empty_body() {
        let text = "+++\ntitle = \"T\"\n+++";
        let (_, start) = parse(Path::new("a.md"), text).unwrap();
        assert_eq!(&text[start..], "");
    }

    #[test]
    fn each_mistake_has_its_message_and_position() {
        let cases = [
            ("", "a.md:1:1: error: file is empty"),
            ("# Hello\n", "a.md:1:1: error: missing front matter: the file must start with a `+++` line"),
            ("+++\ntitle = \"T\"\n", "a.md:1:1: error: front matter is not closed: no second `+++` line"),
            ("+++\ntitle = \"T\"\ntitel = \"U\"\n+++\n", "a.md:3:1: error: unknown field `titel`\n  = hint: did you mean `title`?"),
            ("+++\ndate = 2020-01-01\n+++\n", "a.md:1:1: error: missing `title` in front matter"),
            ("+++\ntitle = \"T\"\ndate = 2020-13-01\n+++\n", "a.md:3:8: error: bad date: invalid date, expected month between 01 and 12"),
            ("+++\ntitle = \"T\"\ndate = \"yesterday\"\n+++\n", "a.md:3:8: error: bad date: invalid type: string \"yesterday\", expected a TOML datetime"),
            ("+++\ntitle = \"T\"\nupdated = 10:00:00\n+++\n", "a.md:3:1: error: bad date: `updated` has a time but no date"),
            ("+++\ntitle = \"T\"\nthemes = [\"a\" \"b\"]\n+++\n", "a.md:3:15: error: invalid TOML: missing comma between array elements, expected `,`"),
            ("+++\ntitle = \"T\"\nslug = \"a/b\"\n+++\n", "a.md:3:8: error: `slug` \"a/b\" cannot stand in a URL: it holds a `/`, which separates folders\n  = hint: it is one segment of the page's URL: use letters, digits and hyphens, such as `a-b`"),
            ("+++\ntitle = \"T\"\nthemes = [\"ok\", \"a b\"]\n+++\n", "a.md:3:17: error: a `themes` value \"a b\" cannot stand in a URL: it holds a space\n  = hint: it is one segment of its listing's URL (`/themes/<value>/`): use letters, digits and hyphens, such as `a-b`"),
            ("+++\ntitle = \"T\"\nregion = \"global/page/2\"\n+++\n", "a.md:3:10: error: `region` \"global/page/2\" cannot stand in a URL: it holds a `/`, which separates folders"),
        ];
        for (text, expected) in cases {
            let got = errors(text);
            assert!(!got.is_empty(), "no error for {text:?}");
            let first_line = got[0].lines().next().unwrap();
            let expected_first = expected.lines().next().unwrap();
            assert_eq!(first_line, expected_first, "for {text:?}");
            if expected.contains("hint") {
                assert_eq!(got[0], expected, "for {text:?}");
            }
        }
    }
}
