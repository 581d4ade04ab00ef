//! The machine-read files: an Atom feed per language, `sitemap.xml` with alternates, `robots.txt`.

use crate::site::Site;
use crate::views::Context;

/// How many entries a feed carries.
pub const FEED_ENTRIES: usize = 20;
/// The sitemap protocol's limit of URLs per file.
const SITEMAP_URLS: usize = 50_000;

pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Isolation and other invisible BiDi controls never belong in a feed.
            '\u{2066}'..='\u{2069}' | '\u{202A}'..='\u{202E}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The Atom feed of the newest pages for readers of `lang`, at `<prefix>/atom.xml`.
pub fn atom(context: &Context, site: &Site, lang: &str) -> (String, String) {
    let config = context.config;
    let prefix = config.lang_prefix(lang);
    let home = format!("{}{prefix}/", config.base_url);
    let self_url = format!("{}{prefix}/atom.xml", config.base_url);
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("site", context.site_title(lang));
    let title = context.messages.format(lang, "feed-title", Some(&args)).0;
    let newest: Vec<usize> = site.newest.iter().copied().take(FEED_ENTRIES).collect();
    let updated = newest
        .first()
        .and_then(|&i| timestamp(&context.content.entries[i]))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n"
    ));
    xml.push_str(&format!(
        "  <title>{}</title>\n  <id>{}</id>\n  <updated>{updated}</updated>\n",
        escape_xml(&title),
        escape_xml(&home)
    ));
    xml.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", escape_xml(&self_url), escape_xml(&home)));
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        escape_xml(&context.site_title(lang))
    ));
    for i in newest {
        let summary = context.summary(i, lang);
        let entry = &context.content.entries[i];
        let url = format!("{}{}", config.base_url, summary.url);
        let when = timestamp(entry).unwrap_or_else(|| updated.clone());
        xml.push_str(&format!("  <entry xml:lang=\"{}\">\n", summary.lang));
        xml.push_str(&format!("    <title>{}</title>\n    <id>{}</id>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", escape_xml(&summary.title), escape_xml(&url), escape_xml(&url)));
        xml.push_str(&format!("    <updated>{when}</updated>\n"));
        if let Some(group) = &summary.group {
            xml.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                escape_xml(&group.label)
            ));
        }
        xml.push_str(&format!(
            "    <summary>{}</summary>\n  </entry>\n",
            escape_xml(&summary.description)
        ));
    }
    xml.push_str("</feed>\n");
    (atom_path(config, lang), xml)
}

/// Where the feed of `lang` is written: `atom.xml`, `fr/atom.xml`.
pub fn atom_path(config: &crate::config::Config, lang: &str) -> String {
    let prefix = config.lang_prefix(lang);
    match prefix.strip_prefix('/') {
        Some(lang_dir) => format!("{lang_dir}/atom.xml"),
        None => "atom.xml".to_string(),
    }
}

/// The files of the sitemap: `sitemap.xml`, and its parts past 50,000 URLs.
pub fn sitemap_paths(context: &Context) -> Vec<String> {
    let languages = &context.config.languages;
    let urls: usize = context
        .content
        .entries
        .iter()
        .map(|e| {
            languages
                .iter()
                .filter(|l| e.docs.contains_key(&l.code))
                .count()
        })
        .sum();
    let mut paths = vec![SITEMAP.to_string()];
    if urls > SITEMAP_URLS {
        paths.extend((1..=urls.div_ceil(SITEMAP_URLS)).map(sitemap_part));
    }
    paths
}

const SITEMAP: &str = "sitemap.xml";

fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

pub fn timestamp(entry: &crate::content::Entry) -> Option<String> {
    let front = &entry.original_doc().front;
    let date = front.updated.or(front.date)?.date?;
    Some(format!(
        "{:04}-{:02}-{:02}T00:00:00Z",
        date.year, date.month, date.day
    ))
}

/// `sitemap.xml` listing every page and section in each language it is written in, with
/// `xhtml:link` alternates; split into an index and parts past 50,000 URLs.
pub fn sitemap(context: &Context) -> Vec<(String, String)> {
    let config = context.config;
    let mut urls: Vec<String> = Vec::new();
    for entry in &context.content.entries {
        let alternates: String = entry
            .docs
            .keys()
            .map(|code| {
                format!(
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{code}\" href=\"{}{}\"/>\n",
                    config.base_url,
                    escape_xml(&entry.url(config, code))
                )
            })
            .collect();
        for code in config
            .languages
            .iter()
            .map(|l| &l.code)
            .filter(|c| entry.docs.contains_key(*c))
        {
            let lastmod = timestamp(entry)
                .map(|t| format!("    <lastmod>{}</lastmod>\n", &t[..10]))
                .unwrap_or_default();
            let alternates = if entry.docs.len() > 1 {
                alternates.as_str()
            } else {
                ""
            };
            urls.push(format!(
                "  <url>\n    <loc>{}{}</loc>\n{lastmod}{alternates}  </url>\n",
                config.base_url,
                escape_xml(&entry.url(config, code))
            ));
        }
    }
    let open = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n";
    if urls.len() <= SITEMAP_URLS {
        return vec![(
            SITEMAP.into(),
            format!("{open}{}</urlset>\n", urls.concat()),
        )];
    }
    let mut files = Vec::new();
    let mut index = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (n, chunk) in urls.chunks(SITEMAP_URLS).enumerate() {
        let name = sitemap_part(n + 1);
        index.push_str(&format!(
            "  <sitemap><loc>{}/{name}</loc></sitemap>\n",
            config.base_url
        ));
        files.push((name, format!("{open}{}</urlset>\n", chunk.concat())));
    }
    index.push_str("</sitemapindex>\n");
    files.push((SITEMAP.into(), index));
    files
}

/// Crawlers read `robots.txt` only at a host's root: under a path, it is there for the host
/// to take in, and allows the site's own part of the host.
pub fn robots(context: &Context) -> String {
    format!(
        "User-agent: *\nAllow: {}/\n\nSitemap: {}/sitemap.xml\n",
        context.config.base_path, context.config.base_url
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_drops_bidi_controls() {
        assert_eq!(
            escape_xml("a < b & \u{2068}c\u{2069} \"d\""),
            "a &lt; b &amp; c &quot;d&quot;"
        );
    }
}
