//! URLs: percent-encoding, as paths, fragments and query strings spell what they carry, and
//! the path a site is published under.

/// `text` with `%XX` escapes decoded; `+` stays itself (paths and fragments). Bytes that are
/// not UTF-8 are replaced rather than refused.
pub fn decode(text: &str) -> String {
    decode_bytes(text, false)
}

/// As `decode`, with `+` read as a space, as forms send query strings.
pub fn decode_query(text: &str) -> String {
    decode_bytes(text, true)
}

fn decode_bytes(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    (*byte? as char).to_digit(16).map(|d| d as u8)
}

/// `text` with everything but letters, digits and `-_.~` percent-encoded: a value that can
/// stand anywhere in a query string.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The path of `base_url` without its last `/` (`https://example.org/igf/` -> `/igf`; empty
/// for a site at the host's root), or why it cannot be one. Plenary writes the path unencoded
/// before every link and the server compares requests with it as they arrive, so each of its
/// segments must be plain ASCII: letters, digits and `-_.~`.
pub fn base_path(base_url: &str) -> Result<String, String> {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("", |slash| &after_scheme[slash..]);
    if let Some(extra) = path.find(['?', '#']).map(|at| &path[at..]) {
        return Err(format!("it has `{extra}` after its path"));
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    for segment in path.split('/').skip(1) {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(format!(
                "its path `{path}/` has an empty, `.` or `..` segment"
            ));
        }
        if let Some(odd) = segment
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')))
        {
            return Err(format!("its path `{path}/` has {odd:?} in it"));
        }
    }
    Ok(path.to_string())
}

/// `url` as a page writes it, for a site published under `base_path`: a URL from the site's
/// root (`/fr/x/`) gets the path before it (`/igf/fr/x/`); others (absolute, `//host/`,
/// relative, `#part`) are left as they are.
pub fn on_site(base_path: &str, url: &str) -> String {
    if is_from_root(url) {
        format!("{base_path}{url}")
    } else {
        url.to_string()
    }
}

/// Whether `url` is written from the host's root: `/x`, but not `//host/x`.
pub fn is_from_root(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

/// The scheme and host of `url`, without its path (`https://kigf.or.ke/en/` ->
/// `https://kigf.or.ke`).
pub fn origin(url: &str) -> &str {
    let start = url.find("://").map_or(0, |at| at + 3);
    url[start..]
        .find(['/', '?', '#'])
        .map_or(url, |end| &url[..start + end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_decoded_as_it_was_encoded() {
        for text in [
            "droits de l'homme",
            "حقوق الإنسان",
            "人权",
            "a+b=c&d",
            "100%",
        ] {
            assert_eq!(decode(&encode(text)), text, "{text}");
            assert_eq!(decode_query(&encode(text)), text, "{text}");
        }
        assert_eq!(decode("a+b%20c"), "a+b c");
        assert_eq!(decode_query("a+b%20c"), "a b c");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn the_base_path_is_the_path_of_the_base_url() {
        for (base_url, path) in [
            ("https://example.org", ""),
            ("https://example.org/", ""),
            ("https://example.org/igf/", "/igf"),
            ("https://example.org/igf", "/igf"),
            (
                "https://user.github.io/repo.name/sub_2~x/",
                "/repo.name/sub_2~x",
            ),
            ("http://localhost:1111/", ""),
        ] {
            assert_eq!(base_path(base_url).as_deref(), Ok(path), "{base_url}");
        }
        for base_url in [
            "https://example.org/a b/",
            "https://example.org/%7Eigf/",
            "https://example.org/igf/?x=1",
            "https://example.org/igf#top",
            "https://example.org/a//b/",
            "https://example.org/a/../b/",
            "https://example.org/ar/مواد/",
        ] {
            assert!(base_path(base_url).is_err(), "{base_url}");
        }
    }

    #[test]
    fn urls_from_the_root_get_the_base_path() {
        for (url, written) in [
            ("/", "/igf/"),
            ("/fr/x/?q=a#b", "/igf/fr/x/?q=a#b"),
            ("//cdn.example/x", "//cdn.example/x"),
            ("https://example.org/x/", "https://example.org/x/"),
            ("#main", "#main"),
            ("report.pdf", "report.pdf"),
            ("", ""),
        ] {
            assert_eq!(on_site("/igf", url), written, "{url}");
            assert_eq!(on_site("", url), url, "{url}");
        }
    }

    #[test]
    fn an_origin_is_a_urls_scheme_and_host() {
        for (url, expected) in [
            ("https://kigf.or.ke", "https://kigf.or.ke"),
            ("https://kigf.or.ke/en/about/", "https://kigf.or.ke"),
            ("http://localhost:1111/", "http://localhost:1111"),
            ("https://x.org?a=1", "https://x.org"),
        ] {
            assert_eq!(origin(url), expected, "{url}");
        }
    }
}
