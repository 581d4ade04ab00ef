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

/// The scheme of an address, lowercased, as a browser reads it (see `normalize_url`); `None`
/// when it is relative. As for browsers, a scheme is a letter, then letters, digits, `+`, `-`
/// or `.`: `java%09script:` has none, and leads to a page of the site.
pub fn scheme(url: &str) -> Option<String> {
    let url = normalize_url(url);
    let end = url.find([':', '/', '?', '#'])?;
    let scheme = &url[..end];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (url.as_bytes()[end] == b':' && valid).then(|| scheme.to_ascii_lowercase())
}

/// An address as a browser reads it before it looks at the scheme: character references
/// decoded (numeric and named, with or without `;`), ASCII tabs and line breaks removed
/// wherever they are, C0 controls and spaces trimmed at both ends. Decoding an address that
/// was decoded already (as pulldown-cmark gives link addresses) can only find more schemes,
/// never fewer: checks stay on the safe side.
pub fn normalize_url(url: &str) -> String {
    let decoded = Decoded::of(url).text;
    let kept: String = decoded
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    kept.trim_matches(|c: char| c <= ' ').to_string()
}

/// Where an SVG file could run script or load a page if opened on its own, and what was
/// found there: a `<script>`, an event attribute (`onload=`), a `javascript:` address, an
/// embedded HTML document and the like. Character references are read first and addresses
/// are matched as browsers read them, so `&#106;avascript:` and `java&#9;script:` are found
/// too. Deliberately wide: a member's drawing needs none of these.
pub fn svg_risk(svg: &str) -> Option<(usize, &'static str)> {
    const RISKS: [(&str, &str); 9] = [
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
        ("<listener", "a <listener> element"),
    ];
    // Browsers skip tabs and line breaks anywhere in an address.
    const ADDRESSES: [(&str, &str); 3] = [
        ("javascript:", "a javascript: address"),
        ("vbscript:", "a vbscript: address"),
        ("data:text/html", "an HTML data: address"),
    ];
    let decoded = Decoded::of(svg);
    let lowered = decoded.text.to_ascii_lowercase();
    let found = RISKS
        .iter()
        .filter_map(|(needle, what)| lowered.find(needle).map(|at| (at, *what)))
        .chain(ADDRESSES.iter().filter_map(|(needle, what)| {
            find_across_breaks(&lowered, needle).map(|at| (at, *what))
        }))
        .chain(event_attribute(&lowered).map(|at| (at, "an event attribute (on...=)")))
        .min_by_key(|(at, _)| *at)?;
    Some((decoded.original(found.0).min(svg.len()), found.1))
}

/// Where `needle` first occurs in `text` with tabs and line breaks allowed between its
/// characters.
fn find_across_breaks(text: &str, needle: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let needle = needle.as_bytes();
    let is_break = |b: u8| matches!(b, b'\t' | b'\n' | b'\r');
    (0..bytes.len()).find(|&start| {
        let mut i = start;
        for (n, &wanted) in needle.iter().enumerate() {
            while n > 0 && bytes.get(i).is_some_and(|&b| is_break(b)) {
                i += 1;
            }
            if bytes.get(i) != Some(&wanted) {
                return false;
            }
            i += 1;
        }
        true
    })
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

/// Named character references that stand for ASCII characters: only these can make or hide a
/// scheme (`javascript&colon;`, `java&Tab;script:`).
const NAMED: [(&str, char); 45] = [
    ("Tab", '\t'),
    ("NewLine", '\n'),
    ("excl", '!'),
    ("quot", '"'),
    ("QUOT", '"'),
    ("num", '#'),
    ("dollar", '$'),
    ("percnt", '%'),
    ("amp", '&'),
    ("AMP", '&'),
    ("apos", '\''),
    ("lpar", '('),
    ("rpar", ')'),
    ("ast", '*'),
    ("midast", '*'),
    ("plus", '+'),
    ("comma", ','),
    ("period", '.'),
    ("sol", '/'),
    ("colon", ':'),
    ("semi", ';'),
    ("lt", '<'),
    ("LT", '<'),
    ("equals", '='),
    ("gt", '>'),
    ("GT", '>'),
    ("quest", '?'),
    ("commat", '@'),
    ("lsqb", '['),
    ("lbrack", '['),
    ("bsol", '\\'),
    ("rsqb", ']'),
    ("rbrack", ']'),
    ("Hat", '^'),
    ("lowbar", '_'),
    ("UnderBar", '_'),
    ("grave", '`'),
    ("DiacriticalGrave", '`'),
    ("lcub", '{'),
    ("lbrace", '{'),
    ("verbar", '|'),
    ("vert", '|'),
    ("VerticalLine", '|'),
    ("rcub", '}'),
    ("rbrace", '}'),
];

/// Text with its character references made characters: numeric ones (`&#106;`, `&#x6A;`) and
/// the named ones of `NAMED`, with or without their `;`. Anything else is left as it is.
struct Decoded {
    text: String,
    /// Where each reference was, as (offset in `text`, offset in the original), ascending.
    marks: Vec<(usize, usize)>,
}

impl Decoded {
    fn of(original: &str) -> Decoded {
        let mut text = String::with_capacity(original.len());
        let mut marks = Vec::new();
        let mut from = 0;
        while let Some(i) = original[from..].find('&') {
            let at = from + i;
            text.push_str(&original[from..at]);
            from = at + 1;
            if let Some((c, length)) = reference(&original[at + 1..]) {
                text.push(c);
                from = at + 1 + length;
                marks.push((text.len(), from));
            } else {
                text.push('&');
            }
        }
        text.push_str(&original[from..]);
        Decoded { text, marks }
    }

    /// The offset in the original text of an offset in the decoded one.
    fn original(&self, offset: usize) -> usize {
        match self
            .marks
            .partition_point(|&(decoded, _)| decoded <= offset)
        {
            0 => offset,
            n => {
                let (decoded, original) = self.marks[n - 1];
                original + (offset - decoded)
            }
        }
    }
}

/// The character a reference (what follows its `&`) stands for, and how long it is.
fn reference(after: &str) -> Option<(char, usize)> {
    let semicolon = |length: usize| length + usize::from(after[length..].starts_with(';'));
    if let Some(number) = after.strip_prefix('#') {
        let (digits, radix, prefix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (number, 10, 1),
        };
        let length = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        if length == 0 {
            return None;
        }
        let significant = digits[..length].trim_start_matches('0');
        let value = match significant {
            "" => 0,
            _ => u32::from_str_radix(significant, radix).ok()?,
        };
        let c = char::from_u32(value)?;
        return Some((c, semicolon(prefix + length)));
    }
    NAMED
        .iter()
        .filter(|(name, _)| after.starts_with(name))
        .max_by_key(|(name, _)| name.len())
        .map(|(name, c)| (*c, semicolon(name.len())))
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
            // References decoded, with or without `;`, numeric and named.
            ("java&#9;script:x", Some("javascript")),
            ("java&#x09;script:x", Some("javascript")),
            ("java&#x9script:x", Some("javascript")),
            ("java&#0000009;script:x", Some("javascript")),
            ("java&Tab;script:x", Some("javascript")),
            ("java&NewLine;script:x", Some("javascript")),
            ("javascript&colon;x", Some("javascript")),
            ("javascript&colonx", Some("javascript")),
            ("&#106;avascript:x", Some("javascript")),
            ("&#x6A;AVASCRIPT&#x3A;x", Some("javascript")),
            ("\u{0}\u{1f} \tjavascript:x", Some("javascript")),
            ("vb&#x0D;script:x", Some("vbscript")),
            ("da&#10;ta:text/html,x", Some("data")),
            ("report&sol;x:y", None),
            ("&unknown;javascript:x", None),
            ("java%09script:x", None),
            ("1http://x", None),
        ];
        for (url, expected) in cases {
            assert_eq!(scheme(url).as_deref(), expected, "{url:?}");
        }
    }

    #[test]
    fn svg_addresses_are_found_however_they_are_written_and_where_they_are() {
        let vectors = [
            "java&#9;script:alert(1)",
            "java&#x09;script:alert(1)",
            "java&Tab;script:alert(1)",
            "java\tscript:alert(1)",
            "java&#10;script:alert(1)",
            "java&NewLine;script:alert(1)",
            "java\r\nscript:alert(1)",
            "javascript&colon;alert(1)",
            "JaVaScRiPt:alert(1)",
            "vb&#9;script:msgbox(1)",
            "data&colon;text/html;base64,PHNjcmlwdD4=",
            "DA&#x0A;TA:text/html,x",
        ];
        for vector in vectors {
            let svg = format!("<svg>\n&amp;\n  <a href=\"{vector}\">x</a></svg>");
            let (at, _) = svg_risk(&svg).unwrap_or_else(|| panic!("{vector:?} passed"));
            let position = crate::diag::Position::at(&svg, at);
            assert_eq!((position.line, position.col), (3, 12), "{vector:?}");
        }
    }
}
