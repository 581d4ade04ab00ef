//! Percent-encoding, as URL paths, fragments and query strings spell what they carry.

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
}
