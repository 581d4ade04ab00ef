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

/// Where an SVG file could run script or load a page if opened on its own, and what was
/// found there: a `<script>`, an event attribute (`onload=`), a `javascript:` address, an
/// embedded HTML document and the like. Numeric character references are read first, so
/// `&#106;avascript:` is found too. Deliberately wide: a member's drawing needs none of these.
pub fn svg_risk(svg: &str) -> Option<(usize, &'static str)> {
    const RISKS: [(&str, &str); 12] = [
        ("<script", "a <script> element"),
        (
            "<foreignobject",
            "an embedded HTML document (<foreignObject>)",
        ),
        ("<iframe", "an <iframe>"),
        ("<embed", "an <embed>"),
        ("<object", "an <object>"),
        ("<handler", "a <handler> element"),
        ("<!entity", "an entity declaration"),
        ("<?xml-stylesheet", "an external stylesheet"),
        ("javascript:", "a javascript: address"),
        ("vbscript:", "a vbscript: address"),
        ("data:text/html", "an HTML data: address"),
        ("<listener", "a <listener> element"),
    ];
    let lowered = decode_numeric_references(svg).to_ascii_lowercase();
    let found = RISKS
        .iter()
        .filter_map(|(needle, what)| lowered.find(needle).map(|at| (at, *what)))
        .chain(event_attribute(&lowered).map(|at| (at, "an event attribute (on...=)")))
        .min_by_key(|(at, _)| *at)?;
    // Positions are in the decoded text; they point near enough for a person to look.
    Some((found.0.min(svg.len()), found.1))
}

/// The first ` onsomething=` attribute.
fn event_attribute(lowered: &str) -> Option<usize> {
    let bytes = lowered.as_bytes();
    let mut from = 0;
    while let Some(i) = lowered[from..].find("on") {
        let at = from + i;
        let before = at.checked_sub(1).map(|b| bytes[b]);
        let name_end = bytes[at + 2..]
            .iter()
            .position(|b| !b.is_ascii_lowercase())
            .map_or(bytes.len(), |n| at + 2 + n);
        let after = lowered[name_end..].trim_start();
        if matches!(
            before,
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'"' | b'\'')
        ) && name_end > at + 2
            && after.starts_with('=')
        {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// `&#106;` and `&#x6A;` made characters; anything else left as it is.
fn decode_numeric_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let (digits, radix) = match after.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (after, 10),
        };
        let len = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        let decoded = u32::from_str_radix(&digits[..len], radix)
            .ok()
            .and_then(char::from_u32);
        match decoded {
            Some(c) if len > 0 => {
                out.push(c);
                let consumed = after.len() - digits.len() + len;
                rest = &after[consumed..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            _ => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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
    fn svg_that_could_run_script_is_found() {
        let drawing = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><style>.a{fill:red}</style><a href=\"https://igf.org\"><circle class=\"a\" cx=\"5\" cy=\"5\" r=\"4\" data-online=\"1\"/></a><text>Montonomy</text></svg>";
        assert_eq!(svg_risk(drawing), None);
        let cases = [
            ("<svg><script>alert(1)</script></svg>", "a <script> element"),
            ("<svg onload=\"alert(1)\"/>", "an event attribute (on...=)"),
            (
                "<svg><rect ONCLICK = 'x()'/></svg>",
                "an event attribute (on...=)",
            ),
            (
                "<svg><a href=\"&#106;avascript:alert(1)\">x</a></svg>",
                "a javascript: address",
            ),
            (
                "<svg><a xlink:href=\"&#x6A;avascript:x\">x</a></svg>",
                "a javascript: address",
            ),
            (
                "<svg><foreignObject><body>x</body></foreignObject></svg>",
                "an embedded HTML document (<foreignObject>)",
            ),
            (
                "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>",
                "an entity declaration",
            ),
        ];
        for (svg, what) in cases {
            assert_eq!(svg_risk(svg).map(|(_, w)| w), Some(what), "{svg}");
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
