//! Bounds how deep Markdown nests: block quotes and lists before parsing, every other tag while rendering, members' raw HTML before sanitising.
//!
//! pulldown-cmark walks every open block quote and list item at each line, so 100,000 `>` on
//! one line followed by lines that continue them lazily cost 100,000 steps a line; and every
//! level is a tag of the page (10 MB of `>` made 1.6 GB of HTML). Markdown nested deeper than
//! `MAX_DEPTH` is read by no one: what is deeper is shown flat, with a warning where it starts.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// Levels of block quotes, lists and footnotes, and of emphasis, links and tables within them.
pub const MAX_DEPTH: usize = 32;

/// A Markdown body with the markers that would open a block quote or list item deeper than
/// `MAX_DEPTH` escaped (`\>`, `\-`, `1\.`), so they read as text.
pub struct Source<'a> {
    pub text: Cow<'a, str>,
    /// Where a `\` was put in, as offsets in `text`, ascending.
    inserted: Vec<usize>,
    /// Where in the body the first marker too deep is.
    pub too_deep: Option<usize>,
}

impl<'a> Source<'a> {
    pub fn of(body: &'a str) -> Source<'a> {
        let escapes = Containers::default().markers_too_deep(body);
        if escapes.is_empty() {
            return Source {
                text: Cow::Borrowed(body),
                inserted: Vec::new(),
                too_deep: None,
            };
        }
        let mut text = String::with_capacity(body.len() + escapes.len());
        let mut inserted = Vec::with_capacity(escapes.len());
        let mut from = 0;
        for &at in &escapes {
            text.push_str(&body[from..at]);
            inserted.push(text.len());
            text.push('\\');
            from = at;
        }
        text.push_str(&body[from..]);
        Source {
            text: Cow::Owned(text),
            inserted,
            too_deep: escapes.first().copied(),
        }
    }

    /// The offset in the body of an offset in `text`.
    pub fn original(&self, offset: usize) -> usize {
        offset - self.inserted.partition_point(|&i| i < offset)
    }
}

/// An open block container, as far as a line-by-line reading can tell.
#[derive(Debug, Clone, Copy)]
enum Container {
    Quote,
    /// A list item or a footnote: lines continue it when indented by `width` columns.
    Indented {
        width: usize,
    },
}

/// The block containers open at each line. It errs on the side of more: lines that may continue
/// a paragraph lazily keep every container open, so it never finds a document shallower than
/// pulldown-cmark does.
#[derive(Default)]
struct Containers {
    open: Vec<Container>,
    /// A fenced code block: its fence character, length, and how many containers hold it.
    fence: Option<(u8, usize, usize)>,
}

impl Containers {
    /// The offsets of the markers that would open a container past `MAX_DEPTH`, one a line at
    /// most (the rest of the line is then text).
    fn markers_too_deep(&mut self, body: &str) -> Vec<usize> {
        let mut escapes = Vec::new();
        let mut start = 0;
        for line in body.split_inclusive('\n') {
            if let Some(at) = self.line(line.trim_end_matches(['\n', '\r'])) {
                escapes.push(start + at);
            }
            start += line.len();
        }
        escapes
    }

    /// Reads one line; the offset of a marker too deep on it, if there is one.
    fn line(&mut self, line: &str) -> Option<usize> {
        let bytes = line.as_bytes();
        let blank = bytes.iter().all(|b| b.is_ascii_whitespace());
        let mut at = 0;
        let mut matched = 0;
        for container in &self.open {
            let continued = match *container {
                Container::Quote => {
                    let (i, columns) = spaces(bytes, at);
                    let quoted = columns < 4 && bytes.get(i) == Some(&b'>');
                    if quoted {
                        at = i + 1;
                    }
                    quoted
                }
                Container::Indented { width } => {
                    let (_, columns) = spaces(bytes, at);
                    if columns >= width {
                        at = skip_columns(bytes, at, width);
                    }
                    columns >= width || blank
                }
            };
            if !continued {
                break;
            }
            matched += 1;
        }
        if let Some((fence, length, depth)) = self.fence {
            if matched >= depth {
                let (i, columns) = spaces(bytes, at);
                let run = bytes[i..].iter().take_while(|&&b| b == fence).count();
                if columns < 4
                    && run >= length
                    && bytes[i + run..].iter().all(|b| b.is_ascii_whitespace())
                {
                    self.fence = None;
                }
                return None;
            }
            self.fence = None;
        }
        let mut too_deep = None;
        let mut opened = Vec::new();
        while let Some((container, marker, after)) = marker(bytes, at) {
            if matched + opened.len() >= MAX_DEPTH {
                too_deep = Some(marker);
                break;
            }
            opened.push(container);
            at = after;
        }
        if !opened.is_empty() || blank {
            self.open.truncate(matched);
            self.open.extend(opened);
        }
        let (i, columns) = spaces(bytes, at);
        let run = bytes[i..]
            .iter()
            .take_while(|&&b| b == b'`' || b == b'~')
            .count();
        if too_deep.is_none()
            && columns < 4
            && run >= 3
            && bytes[i..i + run].iter().all(|&b| b == bytes[i])
        {
            self.fence = Some((bytes[i], run, self.open.len()));
        }
        too_deep
    }
}

/// Where the whitespace from `at` ends, and how many columns it spans (a tab to the next stop of 4).
fn spaces(bytes: &[u8], at: usize) -> (usize, usize) {
    let mut columns = 0;
    let mut i = at;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' => columns += 1,
            b'\t' => columns += 4 - columns % 4,
            _ => break,
        }
        i += 1;
    }
    (i, columns)
}

/// Where `columns` columns of whitespace from `at` end (a tab may count for more).
fn skip_columns(bytes: &[u8], at: usize, columns: usize) -> usize {
    let mut i = at;
    let mut skipped = 0;
    while skipped < columns {
        match bytes.get(i) {
            Some(b' ') => skipped += 1,
            Some(b'\t') => skipped += 4,
            _ => break,
        }
        i += 1;
    }
    i
}

/// The container a marker at `at` (after up to three spaces) opens: the container, where its
/// marker is, where what follows it starts.
fn marker(bytes: &[u8], at: usize) -> Option<(Container, usize, usize)> {
    let (i, columns) = spaces(bytes, at);
    if columns >= 4 {
        return None;
    }
    let rest = &bytes[i..];
    if rest.first() == Some(&b'>') {
        return Some((Container::Quote, i, i + 1));
    }
    let marker_len = if matches!(rest.first(), Some(b'-' | b'+' | b'*')) {
        if is_thematic_break(rest) {
            return None;
        }
        1
    } else if rest.starts_with(b"[^") {
        let close = rest.iter().position(|&b| b == b']')?;
        if rest.get(close + 1) != Some(&b':') || close == 2 {
            return None;
        }
        let after = i + close + 2;
        return Some((Container::Indented { width: 4 }, i, after));
    } else {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) || !matches!(rest.get(digits), Some(b'.' | b')')) {
            return None;
        }
        digits + 1
    };
    match rest.get(marker_len) {
        None => Some((
            Container::Indented {
                width: marker_len + 1,
            },
            i,
            i + marker_len,
        )),
        Some(b' ' | b'\t') => {
            let (after, gap) = spaces(bytes, i + marker_len);
            let gap = if gap > 4 || after == bytes.len() {
                1
            } else {
                gap
            };
            Some((
                Container::Indented {
                    width: marker_len + gap,
                },
                i,
                i + marker_len + gap.min(after - i - marker_len),
            ))
        }
        Some(_) => None,
    }
}

/// A line of three or more `-`, `*` or `_` and spaces alone: a rule, not a list.
fn is_thematic_break(rest: &[u8]) -> bool {
    let mark = rest[0];
    let mut count = 0;
    for &b in rest {
        match b {
            b' ' | b'\t' => {}
            b if b == mark => count += 1,
            _ => return false,
        }
    }
    count >= 3
}

/// Tags that nest: each is a level. Paragraphs, headings, code blocks, list items and table
/// rows and cells sit in one of these, or hold text only.
fn is_level(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// Whether the end of a tag ends a block: flattened, a space keeps its words apart from the next.
fn ends_block(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::CodeBlock
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::TableRow
            | TagEnd::BlockQuote(_)
    )
}

/// Events with every tag below `MAX_DEPTH` levels left out, their text kept: a page shows
/// what is too deep flat.
pub struct Bounded<'a, I> {
    events: I,
    levels: usize,
    /// For each open tag: whether it counts as a level.
    open: Vec<bool>,
    /// Tags open inside the first one left out (itself included); 0 when none is.
    flat: usize,
    /// Where the first tag left out starts.
    pub too_deep: Option<usize>,
    marker: std::marker::PhantomData<&'a ()>,
}

impl<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> Bounded<'a, I> {
    pub fn new(events: I) -> Self {
        Bounded {
            events,
            levels: 0,
            open: Vec::new(),
            flat: 0,
            too_deep: None,
            marker: std::marker::PhantomData,
        }
    }
}

impl<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> Iterator for Bounded<'a, I> {
    type Item = (Event<'a>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (event, range) = self.events.next()?;
            match event {
                Event::Start(_) if self.flat > 0 => self.flat += 1,
                Event::Start(tag) => {
                    let level = is_level(&tag);
                    if level && self.levels == MAX_DEPTH {
                        self.flat = 1;
                        self.too_deep.get_or_insert(range.start);
                        continue;
                    }
                    self.levels += usize::from(level);
                    self.open.push(level);
                    return Some((Event::Start(tag), range));
                }
                Event::End(tag) if self.flat > 0 => {
                    self.flat -= 1;
                    if ends_block(&tag) {
                        return Some((Event::SoftBreak, range));
                    }
                }
                Event::End(tag) => {
                    if self.open.pop() == Some(true) {
                        self.levels -= 1;
                    }
                    return Some((Event::End(tag), range));
                }
                other => return Some((other, range)),
            }
        }
    }
}

/// Raw HTML elements nested deeper than this in a member's page are shown as text: the
/// sanitiser's HTML parser looks through every open element at most tags, so 200,000 open
/// `<div>`s would take it hours. Hand-written HTML nests a dozen deep.
pub const MAX_HTML_DEPTH: usize = 64;

/// Elements that have no end: they never hold others.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose start closes a `<p>` left open before them.
const CLOSES_P: [&str; 36] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dd",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "li",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "ul",
];

/// The elements a member's raw HTML leaves open, as a reading of its tags can tell: an end tag
/// closes the innermost element only when it names it, and a start tag closes only what the
/// HTML parser surely closes (`<li>a<li>b`, `<td>a<td>b`, `<p>a<div>`). The parser closes
/// more, and at most adds a `<tbody>` and a `<tr>` to a table: the nesting it builds is as
/// deep as this finds, or shallower, or a table's two levels deeper.
#[derive(Default)]
pub struct HtmlDepth {
    open: Vec<String>,
    /// How many `<svg>` and `<math>` are open: within them, HTML's rules for closing do not
    /// hold, and `<x/>` is closed.
    foreign: usize,
}

impl HtmlDepth {
    /// Reads a piece of raw HTML; the offset in it of the first tag that nests too deep.
    pub fn read(&mut self, html: &str) -> Option<usize> {
        let mut from = 0;
        while let Some(i) = html[from..].find('<') {
            let at = from + i;
            let rest = &html[at + 1..];
            if rest.starts_with("!--") {
                from = rest.find("-->").map_or(html.len(), |end| at + 1 + end + 3);
                continue;
            }
            let closing = rest.starts_with('/');
            let name: String = rest[usize::from(closing)..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .map(|c| c.to_ascii_lowercase())
                .collect();
            if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                from = at + 1;
                continue;
            }
            // What lies before the first `>` belongs to this tag, whatever its quotes say.
            let end = html[at..].find('>').map(|e| at + e);
            from = end.map_or(html.len(), |e| e + 1);
            if closing {
                self.close(&name);
                continue;
            }
            let self_closing = end.is_some_and(|e| html[..e].ends_with('/'));
            if VOID.contains(&name.as_str()) || (self.foreign > 0 && self_closing) {
                continue;
            }
            if self.foreign == 0 {
                self.close_implied(&name);
            }
            if self.open.len() == MAX_HTML_DEPTH {
                return Some(at);
            }
            self.foreign += usize::from(name == "svg" || name == "math");
            self.open.push(name);
        }
        None
    }

    fn close(&mut self, name: &str) {
        if self.open.last().is_some_and(|top| top == name) {
            self.open.pop();
            if name == "svg" || name == "math" {
                self.foreign -= 1;
            }
        }
    }

    /// Closes what the start of `name` closes for sure.
    fn close_implied(&mut self, name: &str) {
        let mut pop_if = |names: &[&str]| {
            if self
                .open
                .last()
                .is_some_and(|top| names.contains(&top.as_str()))
            {
                self.open.pop();
            }
        };
        match name {
            "li" | "option" => pop_if(&[name]),
            "dt" | "dd" => pop_if(&["dt", "dd"]),
            "td" | "th" => pop_if(&["td", "th"]),
            "tr" => {
                pop_if(&["td", "th"]);
                pop_if(&["tr"]);
            }
            "thead" | "tbody" | "tfoot" => {
                pop_if(&["td", "th"]);
                pop_if(&["tr"]);
                pop_if(&["thead", "tbody", "tfoot"]);
            }
            _ => {}
        }
        if CLOSES_P.contains(&name) {
            pop_if(&["p"]);
        }
    }
}

/// Raw HTML as text, for what comes after HTML nested too deep.
pub fn as_text(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(html) | Event::InlineHtml(html) => {
            Event::Text(CowStr::from(html.into_string()))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_past_the_limit_are_escaped_once_a_line() {
        let deep = MAX_DEPTH;
        let cases: Vec<(String, Vec<usize>)> = vec![
            (">".repeat(deep), vec![]),
            (format!("{} x", ">".repeat(deep + 5)), vec![deep]),
            (format!("{}x", "- ".repeat(deep + 1)), vec![2 * deep]),
            (format!("{}x", "1. ".repeat(deep + 1)), vec![3 * deep]),
            // A rule is not a list, code is not read for markers.
            ("- ".repeat(deep + 10), vec![]),
            (format!("```\n{}\n```", ">".repeat(deep + 1)), vec![]),
            (format!("    {}", ">".repeat(deep + 1)), vec![]),
            // Lines that continue the quotes add to them.
            (
                format!("{}a\n{}b\n", "> ".repeat(deep - 1), "> ".repeat(deep + 1)),
                vec![4 * deep],
            ),
            // A blank line closes quotes: the next line starts again.
            (
                format!("{}a\n\n{}b\n", "> ".repeat(deep - 1), "> ".repeat(deep - 1)),
                vec![],
            ),
            // Indented lines continue list items.
            (
                (0..deep + 1)
                    .map(|i| format!("{}- x\n", "  ".repeat(i)))
                    .collect(),
                vec![(0..deep).map(|i| 2 * i + 4).sum::<usize>() + 2 * deep],
            ),
        ];
        for (text, expected) in cases {
            let source = Source::of(&text);
            let escaped: Vec<usize> = source
                .inserted
                .iter()
                .enumerate()
                .map(|(n, at)| at - n)
                .collect();
            assert_eq!(escaped, expected, "{text:?}");
            assert_eq!(source.too_deep, expected.first().copied(), "{text:?}");
            if let Some(&first) = expected.first() {
                assert_eq!(&source.text[first..first + 1], "\\", "{text:?}");
                assert_eq!(source.original(first + 2), first + 1);
            }
        }
    }

    #[test]
    fn tags_past_the_limit_are_left_out_and_their_text_kept() {
        let levels = MAX_DEPTH + 8;
        let open: String = (0..levels).map(|i| ["*a ", "_a "][i % 2]).collect();
        let close: String = (0..levels).rev().map(|i| [" a*", " a_"][i % 2]).collect();
        let text = format!("{open}x{close}");
        let parser = pulldown_cmark::Parser::new(&text).into_offset_iter();
        let mut bounded = Bounded::new(parser);
        let events: Vec<Event> = bounded.by_ref().map(|(e, _)| e).collect();
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        assert_eq!(html.matches("<em>").count(), MAX_DEPTH, "{html}");
        assert_eq!(html.matches("<em>").count(), html.matches("</em>").count());
        assert!(html.contains('x'));
        assert_eq!(bounded.too_deep, Some(3 * MAX_DEPTH));
    }

    #[test]
    fn raw_html_nesting_is_read_as_deep_as_it_is_or_deeper() {
        let open = |n: usize, tag: &str| tag.repeat(n);
        let cases = [
            (open(MAX_HTML_DEPTH, "<div>"), None),
            (open(MAX_HTML_DEPTH + 1, "<div>"), Some(5 * MAX_HTML_DEPTH)),
            (open(1000, "<div></div>"), None),
            (format!("<ul>{}</ul>", open(1000, "<li>item")), None),
            (open(1000, "<br><img src=x>"), None),
            (format!("<!--{}-->", open(1000, "<div>")), None),
            // An end tag that names another element closes nothing (nor does the parser's).
            (
                open(MAX_HTML_DEPTH + 1, "<div></span>"),
                Some(12 * MAX_HTML_DEPTH),
            ),
            (open(MAX_HTML_DEPTH + 1, "<DIV/>"), Some(6 * MAX_HTML_DEPTH)),
            // End tags left out, as HTML allows.
            (
                format!("<table>{}</table>", open(1000, "<tr><td>a<td>b")),
                None,
            ),
            (
                format!("<table>{}</table>", open(1000, "<tbody><tr><th>a")),
                None,
            ),
            (format!("<dl>{}</dl>", open(1000, "<dt>a<dd>b")), None),
            (open(1000, "<p>a<div>b</div>"), None),
            // Within SVG, `<x/>` closes, and HTML's rules do not.
            (
                format!("<svg>{}</svg>", open(1000, "<path d=\"M0 0\"/>")),
                None,
            ),
            (
                format!("<svg>{}", open(MAX_HTML_DEPTH, "<td>")),
                Some(5 + 4 * (MAX_HTML_DEPTH - 1)),
            ),
            // A tag ends at its first `>`.
            (format!("{}>", open(1000, "<a<div")), None),
        ];
        for (html, expected) in cases {
            assert_eq!(HtmlDepth::default().read(&html), expected, "{html}");
        }
    }
}
