//! Which names can stand in a URL as they are: file and folder names, slugs and taxonomy values.
//!
//! Plenary writes URLs as they are, unencoded, in links, the sitemap, feeds, the search
//! index and the server's map of files. A name that needs encoding would be spelled one way
//! in one place and another way in the next (or break: `?` starts a query, `#` a fragment,
//! `%` an escape), so such names are refused rather than encoded. Letters of any script are
//! fine: browsers show them as they are.

use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use crate::diag::{Diagnostic, Position};

/// The longest segment, in bytes: file systems take names of up to 255 bytes, and a
/// segment also names files beside it (`<name>.plenary-new` while the preview replaces it).
pub const MAX_SEGMENT_BYTES: usize = 200;

/// Why `name` cannot be one segment of a URL path as it is, if it cannot.
pub fn segment_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_SEGMENT_BYTES {
        return Some(format!(
            "it is {} bytes long, and a part of a URL may have {MAX_SEGMENT_BYTES}",
            name.len()
        ));
    }
    if name == "." || name == ".." {
        return Some(format!("`{name}` names a folder, not a page"));
    }
    if name.starts_with('.') {
        return Some("it starts with a dot, and web servers hide such names".into());
    }
    name.chars().find_map(char_problem)
}

fn char_problem(c: char) -> Option<String> {
    let code = c as u32;
    let why = match c {
        '/' | '\\' => format!("it holds a `{c}`, which separates folders"),
        '?' => "it holds a `?`, which starts the query of a URL".into(),
        '#' => "it holds a `#`, which starts the fragment of a URL".into(),
        '%' => "it holds a `%`, which starts an escape in a URL".into(),
        ' ' => "it holds a space".into(),
        '"' | '<' | '>' | '[' | ']' | '^' | '`' | '{' | '|' | '}' => {
            format!("it holds a `{c}`, which a URL must escape")
        }
        _ if c.is_control() => format!("it holds the control character U+{code:04X}"),
        _ if c.is_whitespace() || is_invisible(c) => {
            format!("it holds the invisible character U+{code:04X}")
        }
        _ => return None,
    };
    Some(why)
}

/// Format characters (Unicode's Cf: direction controls, zero-width spaces and joiners, the
/// byte-order mark, ...) and fillers that show nothing: two names that look the same
/// would be two pages, and a direction control can make a name read backwards.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x0600..=0x0605 | 0x06DD | 0x070F | 0x0890 | 0x0891 | 0x08E2
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFEFF | 0xFFA0
        | 0xFFF0..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// A file or folder name on the way to a page's URL that cannot stand in a URL as it is
/// (the slug, if any, is checked with the front matter).
pub fn file_name_problem(shown: &Path, url_path: &str) -> Option<Diagnostic> {
    if url_path.is_empty() {
        return None;
    }
    url_path.split('/').find_map(|segment| {
        let why = segment_problem(segment)?;
        let suggested = suggestion(segment);
        let example = if suggested.is_empty() {
            String::new()
        } else {
            format!(", such as `{suggested}`")
        };
        Some(
            Diagnostic::error(
                shown,
                Position::START,
                format!("the name {segment:?} cannot stand in the page's URL: {why}"),
            )
            .with_hint(format!(
                "rename the file or folder with letters, digits and hyphens{example}"
            )),
        )
    })
}

/// A name with what cannot stand in a URL replaced by hyphens, for hints; empty when
/// nothing is left.
pub fn suggestion(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| if char_problem(c).is_some() { '-' } else { c })
        .collect();
    let mut out = String::new();
    for part in replaced
        .split('-')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    let mut out = out.trim_start_matches('.').to_string();
    if out.len() > MAX_SEGMENT_BYTES {
        let mut end = MAX_SEGMENT_BYTES;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.truncate(out.trim_end_matches('-').len());
    }
    out
}

/// A path as systems that ignore case or Unicode form see it (Windows, macOS): two paths
/// with one fold are one file there.
pub fn fold(path: &str) -> String {
    // Most paths are ASCII, where folding is lowercasing: several times faster.
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    path.to_lowercase().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_need_no_escape_pass_and_the_others_say_why() {
        let fine = [
            "cybersecurity-2020",
            "Report_v2.pdf",
            "café",
            "تقرير",
            "報告",
            "a+b",
            "x.y",
        ];
        for name in fine {
            assert_eq!(segment_problem(name), None, "{name:?}");
        }
        let cases = [
            ("", "it is empty"),
            ("..", "`..` names a folder, not a page"),
            (
                ".hidden",
                "it starts with a dot, and web servers hide such names",
            ),
            ("a/b", "it holds a `/`, which separates folders"),
            ("a?b#c", "it holds a `?`, which starts the query of a URL"),
            ("100%", "it holds a `%`, which starts an escape in a URL"),
            ("two words", "it holds a space"),
            ("a\0b", "it holds the control character U+0000"),
            ("tab\there", "it holds the control character U+0009"),
            (
                "zero\u{200B}width",
                "it holds the invisible character U+200B",
            ),
            ("rtl\u{202E}txt", "it holds the invisible character U+202E"),
            ("no\u{A0}break", "it holds the invisible character U+00A0"),
        ];
        let long = "ع".repeat(101);
        assert_eq!(
            segment_problem(&long).as_deref(),
            Some("it is 202 bytes long, and a part of a URL may have 200")
        );
        assert_eq!(segment_problem(&"ع".repeat(100)), None);
        for (name, why) in cases {
            assert_eq!(segment_problem(name).as_deref(), Some(why), "{name:?}");
        }
    }

    #[test]
    fn suggestions_keep_what_can_stay() {
        let cases = [
            ("global/page/2", "global-page-2"),
            ("two  words", "two-words"),
            ("..", ""),
            (".hidden", "hidden"),
            ("a\u{200B}b", "a-b"),
        ];
        // Cut at a letter's end, within the bound, without a hyphen left at the end.
        let long = format!("{}-{}", "ع".repeat(100), "x".repeat(50));
        assert_eq!(suggestion(&long), "ع".repeat(100));
        for (name, expected) in cases {
            assert_eq!(suggestion(name), expected, "{name:?}");
        }
    }

    #[test]
    fn case_and_unicode_form_fold_alike() {
        assert_eq!(fold("Reports/Café"), fold("reports/cafe\u{301}"));
        assert_ne!(fold("reports/a"), fold("reports/b"));
    }
}
