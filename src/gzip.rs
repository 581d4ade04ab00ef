//! gzip for `plenary serve`: which clients take it, which replies are worth compressing, and
//! the compressed files kept so that each is compressed once.

use std::sync::Arc;

use tiny_http::Request;

/// Replies shorter than this are sent as they are: gzip would save too little.
pub const GZIP_FROM: usize = 1024;
/// The compressed files kept; all are dropped when they would take more.
const GZIP_CACHE_BYTES: usize = 64 << 20;

/// Files compressed, by URL path and ETag.
#[derive(Default)]
pub struct GzipCache {
    bodies: std::collections::HashMap<(String, String), Arc<Vec<u8>>>,
    bytes: usize,
}

impl GzipCache {
    pub fn get(&self, key: &(String, String)) -> Option<&Arc<Vec<u8>>> {
        self.bodies.get(key)
    }

    /// Keeps `body`, dropping everything kept before when the cache would grow too big.
    pub fn insert(&mut self, key: (String, String), body: Arc<Vec<u8>>) {
        if self.bytes + body.len() > GZIP_CACHE_BYTES {
            self.bodies.clear();
            self.bytes = 0;
        }
        self.bytes += body.len();
        self.bodies.insert(key, body);
    }
}

pub fn gzip(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), level);
    // Writing to memory cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// `"1a-2b"` -> `"1a-2b-gz"`.
pub fn gzip_etag(etag: &str) -> String {
    match etag.strip_suffix('"') {
        Some(open) => format!("{open}-gz\""),
        None => format!("{etag}-gz"),
    }
}

/// Whether the request's `Accept-Encoding` takes gzip (`gzip`, `x-gzip` or `*`, not `q=0`).
pub fn accepts_gzip(request: &Request) -> bool {
    request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Accept-Encoding"))
        .any(|h| takes_gzip(h.value.as_str()))
}

fn takes_gzip(accept_encoding: &str) -> bool {
    let mut star = false;
    for coding in accept_encoding.split(',') {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        match name.as_str() {
            "gzip" | "x-gzip" => return !refused,
            "*" => star = !refused,
            _ => {}
        }
    }
    star
}

/// Text, which gzip shrinks; images, PDFs and archives are compressed already.
pub fn is_compressible(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    mime.starts_with("text/")
        || matches!(
            mime,
            "application/json"
                | "application/xml"
                | "application/atom+xml"
                | "application/javascript"
                | "application/manifest+json"
                | "image/svg+xml"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_unless_refused() {
        let cases = [
            ("gzip", true),
            ("gzip, deflate, br", true),
            ("GZIP", true),
            ("x-gzip", true),
            ("br;q=1.0, gzip;q=0.8", true),
            ("*", true),
            ("gzip;q=0", false),
            ("gzip; q=0.0", false),
            ("*;q=0", false),
            ("br", false),
            ("identity", false),
            ("", false),
            ("gzip;q=0, *", false),
        ];
        for (header, takes) in cases {
            assert_eq!(takes_gzip(header), takes, "{header:?}");
        }
        assert_eq!(gzip_etag("\"1a-2b\""), "\"1a-2b-gz\"");
    }
}
