//! The default theme and its interface strings, built into the binary so a bare content tree builds.

/// Templates of `themes/default/templates`, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "404.html",
        include_str!("../themes/default/templates/404.html"),
    ),
    (
        "base.html",
        include_str!("../themes/default/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../themes/default/templates/index.html"),
    ),
    (
        "member.html",
        include_str!("../themes/default/templates/member.html"),
    ),
    (
        "members.html",
        include_str!("../themes/default/templates/members.html"),
    ),
    (
        "page.html",
        include_str!("../themes/default/templates/page.html"),
    ),
    (
        "partials/fallback-notice.html",
        include_str!("../themes/default/templates/partials/fallback-notice.html"),
    ),
    (
        "partials/pagination.html",
        include_str!("../themes/default/templates/partials/pagination.html"),
    ),
    (
        "partials/summaries.html",
        include_str!("../themes/default/templates/partials/summaries.html"),
    ),
    (
        "partials/summary.html",
        include_str!("../themes/default/templates/partials/summary.html"),
    ),
    (
        "search.html",
        include_str!("../themes/default/templates/search.html"),
    ),
    (
        "section.html",
        include_str!("../themes/default/templates/section.html"),
    ),
    (
        "taxonomy.html",
        include_str!("../themes/default/templates/taxonomy.html"),
    ),
    (
        "term.html",
        include_str!("../themes/default/templates/term.html"),
    ),
    (
        "translations.html",
        include_str!("../themes/default/templates/translations.html"),
    ),
];

/// Files of `themes/default/static`, by path.
pub const STATIC: &[(&str, &[u8])] = &[
    (
        "search-worker.js",
        include_bytes!("../themes/default/static/search-worker.js"),
    ),
    (
        "search.js",
        include_bytes!("../themes/default/static/search.js"),
    ),
    (
        "style.css",
        include_bytes!("../themes/default/static/style.css"),
    ),
];

/// The default theme's interface strings, by language.
pub const STRINGS: &[(&str, &str)] = &[
    ("ar", include_str!("../i18n/ar/main.ftl")),
    ("en", include_str!("../i18n/en/main.ftl")),
    ("es", include_str!("../i18n/es/main.ftl")),
    ("fr", include_str!("../i18n/fr/main.ftl")),
    ("ru", include_str!("../i18n/ru/main.ftl")),
    ("zh", include_str!("../i18n/zh/main.ftl")),
];

/// The name a site gives in `theme` to use the built-in theme when it has no folder of that name.
pub const THEME: &str = "default";

/// Where diagnostics say a built-in file comes from.
pub const SHOWN_PREFIX: &str = "(built-in theme)";

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn files_under(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        crate::render::list_files(dir, &mut out).unwrap();
        let mut names: Vec<String> = out
            .iter()
            .map(|p| {
                p.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_file_of_the_default_theme_is_built_in() {
        let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let templates: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
        assert_eq!(files_under(&theme.join("templates")), templates);
        let statics: Vec<&str> = STATIC.iter().map(|(n, _)| *n).collect();
        assert_eq!(files_under(&theme.join("static")), statics);
        // The search module (plain and gzipped) and jieba's dictionary, in search_browser.rs.
        assert_eq!(
            files_under(&theme.join("search")),
            [
                "jieba-dict.txt.gz",
                "plenary-search.wasm",
                "plenary-search.wasm.gz"
            ]
        );
        let i18n = Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n");
        let strings: Vec<String> = STRINGS
            .iter()
            .map(|(lang, _)| format!("{lang}/main.ftl"))
            .collect();
        assert_eq!(files_under(&i18n), strings);
    }
}
