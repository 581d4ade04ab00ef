//! Makes members' HTML safe to publish on the site: an allow-list of tags, attributes and URL schemes.

use std::borrow::Cow;
use std::sync::OnceLock;

/// What Markdown renders to, and what authors reasonably write by hand, survives: text
/// formatting, links, images, tables, footnotes, `dir` and `lang` for mixed scripts. Script,
/// styles, forms, frames, event handlers and `javascript:`/`data:`/`vbscript:` addresses go.
pub fn clean(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(cleaner).clean(html).to_string()
}

fn cleaner() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["dir", "class"])
        // Headings keep their anchors; footnotes link to their definitions.
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("div", ["id"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        // Links within the site are the site's own; `noopener` is for pages elsewhere.
        .link_rel(None)
        .attribute_filter(|_, attribute, value| match attribute {
            // Table cells keep their alignment and nothing else of CSS.
            "style" => is_alignment(value).then_some(Cow::Borrowed(value)),
            _ => Some(Cow::Borrowed(value)),
        });
    builder
}

fn is_alignment(style: &str) -> bool {
    matches!(
        style.trim().trim_end_matches(';'),
        "text-align: left" | "text-align: center" | "text-align: right"
    )
}

/// The scheme of an address, lowercased, as a browser reads it (tabs and line breaks inside
/// are skipped, leading spaces and control characters too); `None` when it is relative.
pub fn scheme(url: &str) -> Option<String> {
    let mut scheme = String::new();
    for c in url.trim_start_matches(|c: char| c <= ' ').chars() {
        match c {
            '\t' | '\n' | '\r' => continue,
            ':' => return Some(scheme.to_ascii_lowercase()),
            '/' | '?' | '#' => return None,
            c => scheme.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_is_disarmed_and_formatting_kept() {
        let cases = [
            ("<p onclick=\"x()\">a</p>", "<p>a</p>"),
            ("<script>alert(1)</script><p>b</p>", "<p>b</p>"),
            ("<a href=\"javascript:alert(1)\">c</a>", "<a>c</a>"),
            ("<a href=\"jav&#x61;script:alert(1)\">c</a>", "<a>c</a>"),
            ("<a href=\" JAVA\tSCRIPT:alert(1)\">c</a>", "<a>c</a>"),
            (
                "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\" alt=\"d\">",
                "<img alt=\"d\">",
            ),
            ("<a href=\"vbscript:msgbox(1)\">e</a>", "<a>e</a>"),
            (
                "<iframe src=\"https://x.org\"></iframe><form><input></form>f",
                "f",
            ),
            (
                "<span style=\"background:url(x)\">g</span>",
                "<span>g</span>",
            ),
            (
                "<p dir=\"rtl\" lang=\"ar\">مرحبا</p>",
                "<p dir=\"rtl\" lang=\"ar\">مرحبا</p>",
            ),
            (
                "<h2 id=\"x\" class=\"y\">h</h2>",
                "<h2 id=\"x\" class=\"y\">h</h2>",
            ),
            (
                "<a href=\"/fr/bpf/\">i</a> <a href=\"https://x.org\">j</a>",
                "<a href=\"/fr/bpf/\">i</a> <a href=\"https://x.org\">j</a>",
            ),
            ("<td style=\"text-align: center\">k</td>", "k"),
            (
                "<table><tr><td style=\"text-align: center\">k</td></tr></table>",
                "<table><tbody><tr><td style=\"text-align: center\">k</td></tr></tbody></table>",
            ),
            ("<svg><script>alert(1)</script></svg>l", "l"),
        ];
        for (dirty, expected) in cases {
            assert_eq!(clean(dirty), expected, "{dirty}");
        }
    }

    #[test]
    fn schemes_are_read_as_browsers_read_them() {
        let cases = [
            ("https://x.org", Some("https")),
            ("JavaScript:alert(1)", Some("javascript")),
            (" \u{1}java\nscript:x", Some("javascript")),
            ("../report.pdf", None),
            ("/fr/bpf/", None),
            ("#part", None),
            ("a/b:c", None),
            ("mailto:x@y.org", Some("mailto")),
        ];
        for (url, expected) in cases {
            assert_eq!(scheme(url).as_deref(), expected, "{url}");
        }
    }
}
