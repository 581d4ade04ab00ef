//! Reads `site.toml`: the site's title, languages, theme, taxonomies, pagination and groups.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::diag::{closest, Diagnostic, Position};

pub const CONFIG_FILE: &str = "site.toml";

/// The listings a site can ask for, besides its sections.
pub const KNOWN_TAXONOMIES: [&str; 5] = ["group", "year", "theme", "region", "kind"];

#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    /// Without its last `/`, path included (`https://example.org/igf`): absolute URLs (feeds,
    /// sitemap, canonical links) are it followed by a site-relative URL.
    pub base_url: String,
    /// The path of `base_url` (`/igf`; empty for a site at the host's root). URLs inside the
    /// site stay relative to it (`/fr/x/`: output paths and the search index); pages write
    /// it before each one, and `serve` serves the site under it.
    pub base_path: String,
    pub default_language: String,
    /// In the order the site lists them; the default language is among them.
    pub languages: Vec<Language>,
    pub theme: String,
    pub taxonomies: Vec<String>,
    pub per_page: usize,
    pub groups: BTreeMap<String, Group>,
    /// Whether `build` writes the search index (on unless `[search] index = false`).
    pub search_index: bool,
    /// Members' content trees, besides the site's own `content/`.
    pub sources: Vec<crate::sources::SourceSpec>,
    /// Other sites' search exports (`[[search.include]]`), relative to the root.
    pub search_includes: Vec<PathBuf>,
    /// Whether `build` also writes the site's own search export, for other sites to include
    /// (`[search] export = true`; off by default: it holds the text of every page again).
    pub search_export: bool,
    /// Whether the site has a translation dashboard (`[i18n] dashboard = true`; always in
    /// the preview server).
    pub translation_dashboard: bool,
    /// Where a file of the site can be edited online, `{path}` standing for its path from the
    /// site root (`https://github.com/igf/site/edit/main/{path}`): the dashboard links to it.
    pub edit_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    pub code: String,
    /// The language's name in itself, as the language switcher shows it.
    pub label: String,
    /// The site's title in this language.
    pub title: String,
    pub direction: Direction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// A BPF, Dynamic Coalition, NRI or other body that owns published work.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

impl Group {
    pub fn name_in(&self, lang: &str) -> &str {
        self.names.get(lang).unwrap_or(&self.name)
    }
}

impl Config {
    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    pub fn default_lang(&self) -> &Language {
        self.language(&self.default_language)
            .expect("load() checks the default language is listed")
    }

    /// The site names the default theme and has no folder for it: the built-in copy is used.
    pub fn uses_builtin_theme(&self) -> bool {
        self.theme == crate::builtin::THEME && !self.root.join("themes").join(&self.theme).is_dir()
    }

    pub fn has_taxonomy(&self, name: &str) -> bool {
        self.taxonomies.iter().any(|t| t == name)
    }

    /// The member source whose mount holds a content path (an entry's key or a file's path).
    pub fn source_of(&self, key: &str) -> Option<&crate::sources::SourceSpec> {
        self.source_index(key).map(|i| &self.sources[i])
    }

    /// As `source_of`, its place in `sources`.
    pub fn source_index(&self, key: &str) -> Option<usize> {
        self.sources.iter().position(|s| {
            key.strip_prefix(s.mount.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }

    /// The path prefix of a language: empty for the default language, `/fr` for French.
    pub fn lang_prefix(&self, lang: &str) -> String {
        if lang == self.default_language {
            String::new()
        } else {
            format!("/{lang}")
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: String,
    default_language: String,
    languages: toml::Spanned<toml::Value>,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "default_taxonomies")]
    taxonomies: toml::Spanned<Vec<String>>,
    #[serde(default)]
    pagination: Pagination,
    #[serde(default)]
    groups: BTreeMap<String, Group>,
    #[serde(default)]
    search: SearchSettings,
    #[serde(default)]
    sources: Vec<toml::Spanned<crate::sources::RawSource>>,
    #[serde(default)]
    i18n: I18nSettings,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct I18nSettings {
    /// Off unless a site turns it on: the dashboard is for translators, not readers.
    #[serde(default)]
    dashboard: bool,
    edit_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchSettings {
    /// On unless a site turns it off: visitors expect a site to be searchable.
    #[serde(default = "on")]
    index: bool,
    /// Other sites' search exports, indexed with this site's pages.
    #[serde(default)]
    include: Vec<Include>,
    /// Whether to publish this site's own export.
    #[serde(default)]
    export: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Include {
    path: PathBuf,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            index: true,
            include: Vec::new(),
            export: false,
        }
    }
}

fn on() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pagination {
    per_page: usize,
}

impl Default for Pagination {
    fn default() -> Self {
        Pagination { per_page: 20 }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    label: Option<String>,
    title: Option<String>,
    direction: Option<Direction>,
}

fn default_theme() -> String {
    "default".into()
}

fn default_taxonomies() -> toml::Spanned<Vec<String>> {
    toml::Spanned::new(0..0, vec!["group".into(), "year".into()])
}

/// Reads `<root>/site.toml`. The outer error is the machine failing; the inner one, the file.
pub fn load(root: &Path) -> anyhow::Result<Result<Config, Vec<Diagnostic>>> {
    let path = root.join(CONFIG_FILE);
    if !path.exists() && root.join(crate::sources::MEMBER_FILE).is_file() {
        return Ok(member_site(root));
    }
    let shown = PathBuf::from(CONFIG_FILE);
    let read = crate::user_files::read(&path, crate::user_files::MAX_TEXT_BYTES);
    let bytes = match read.with_context(|| {
        format!(
            "cannot read `{}`: is `{}` a site root? (`plenary build --root DIR`)",
            path.display(),
            root.display()
        )
    })? {
        Ok(bytes) => bytes,
        Err(refused) => return Ok(Err(vec![refused.diagnostic(&shown)])),
    };
    let text = match crate::content::decode_text(&shown, &bytes) {
        Ok(text) => text,
        Err(diagnostic) => return Ok(Err(vec![diagnostic])),
    };
    Ok(parse(root, &shown, &text))
}

/// A member tree built on its own: the site it would be, with the six UN languages, the
/// default theme and the member's name as title, as the site that mounts it shows its pages.
fn member_site(root: &Path) -> Result<Config, Vec<Diagnostic>> {
    let member = crate::member::load(root, "")?;
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    // The member's website is where it lives, not where its preview is published: its host
    // alone, so the preview is served at the root.
    let base_url = member
        .website
        .as_deref()
        .map_or("http://localhost:1111", crate::url::origin);
    let mut text = format!(
        "title = {}\nbase_url = {}\ndefault_language = \"en\"\ntaxonomies = [\"year\", \"theme\", \"region\"]\n",
        quoted(&member.name),
        quoted(base_url)
    );
    for code in UN_LANGUAGES {
        text.push_str(&format!(
            "[languages.{code}]\ntitle = {}\n",
            quoted(member.name_in(code))
        ));
    }
    parse(root, Path::new(crate::sources::MEMBER_FILE), &text)
}

/// The six official languages of the United Nations, English first.
pub const UN_LANGUAGES: [&str; 6] = ["en", "fr", "es", "ru", "ar", "zh"];

/// Parses the text of `site.toml`; `shown` is the path the diagnostics name.
pub fn parse(root: &Path, shown: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let raw: RawConfig =
        toml::from_str(text).map_err(|e| vec![toml_diagnostic(shown, text, 0, &e, CONFIG_KEYS)])?;
    let at = |span: std::ops::Range<usize>| Position::at(text, span.start);
    let mut diags = Vec::new();

    let languages = read_languages(&raw, shown, text, &mut diags);
    if !languages.is_empty() && !languages.iter().any(|l| l.code == raw.default_language) {
        let listed: Vec<&str> = languages.iter().map(|l| l.code.as_str()).collect();
        diags.push(
            Diagnostic::error(
                shown,
                Position::of_key(text, 0, "default_language"),
                format!(
                    "default language `{}` is not among the languages",
                    raw.default_language
                ),
            )
            .with_hint(format!("use one of: {}", listed.join(", "))),
        );
    }
    for name in raw.taxonomies.get_ref() {
        if !KNOWN_TAXONOMIES.contains(&name.as_str()) {
            diags.push(
                Diagnostic::error(
                    shown,
                    at(raw.taxonomies.span()),
                    format!("unknown taxonomy `{name}`"),
                )
                .with_hint(format!(
                    "taxonomies can be: {}",
                    KNOWN_TAXONOMIES.join(", ")
                )),
            );
        }
    }
    if raw.pagination.per_page == 0 {
        diags.push(
            Diagnostic::error(
                shown,
                Position::of_key(text, 0, "per_page"),
                "`per_page` must be at least 1",
            )
            .with_hint("a listing page needs room for one entry; 20 is usual"),
        );
    }
    let base_path = read_base_path(&raw.base_url, shown, text, &mut diags);
    let codes: Vec<String> = languages.iter().map(|l| l.code.clone()).collect();
    let sources = crate::sources::read_specs(
        raw.sources,
        &reserved_paths(&codes),
        &codes,
        shown,
        text,
        &mut diags,
    );
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Config {
        root: root.to_path_buf(),
        title: raw.title,
        description: raw.description,
        base_url: raw.base_url.trim_end_matches('/').to_string(),
        base_path,
        default_language: raw.default_language,
        languages,
        theme: raw.theme,
        taxonomies: raw.taxonomies.into_inner(),
        per_page: raw.pagination.per_page,
        groups: raw.groups,
        search_index: raw.search.index,
        search_includes: raw.search.include.into_iter().map(|i| i.path).collect(),
        search_export: raw.search.export,
        translation_dashboard: raw.i18n.dashboard,
        edit_url: raw.i18n.edit_url,
        sources,
    })
}

/// The path `base_url` publishes the site under; an error when it cannot be written as it is.
fn read_base_path(base_url: &str, shown: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> String {
    crate::url::base_path(base_url).unwrap_or_else(|why| {
        diags.push(
            Diagnostic::error(
                shown,
                Position::of_key(text, 0, "base_url"),
                format!("`base_url` `{base_url}` cannot be published under: {why}"),
            )
            .with_hint("the path is written as it is before every link: use ASCII letters, digits and `-_.~` (`https://example.org/igf/`)"),
        );
        String::new()
    })
}

/// First path segments the site's own pages use, which no member may be mounted at.
fn reserved_paths(languages: &[String]) -> Vec<String> {
    let mut reserved: Vec<String> = languages.to_vec();
    reserved.extend(KNOWN_TAXONOMIES.iter().map(|t| format!("{t}s")));
    reserved.extend(["members", "search", "404.html"].map(String::from));
    reserved
}

const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "default_language",
    "languages",
    "theme",
    "taxonomies",
    "pagination",
    "groups",
    "per_page",
    "label",
    "direction",
    "name",
    "names",
    "search",
    "index",
    "sources",
    "include",
    "export",
    "i18n",
    "dashboard",
    "edit_url",
    "id",
    "path",
    "git",
    "rev",
    "mount",
    "trusted",
];

/// `languages` is either a list of codes or a table of tables giving label, title and direction.
fn read_languages(
    raw: &RawConfig,
    shown: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Language> {
    let pos = Position::at(text, raw.languages.span().start);
    let entries: Vec<(String, RawLanguage)> = match raw.languages.get_ref() {
        toml::Value::Array(codes) => codes
            .iter()
            .filter_map(|code| match code.as_str() {
                Some(code) => Some((code.to_string(), RawLanguage::default())),
                None => {
                    diags.push(Diagnostic::error(shown, pos, "`languages` must list language codes as strings").with_hint("languages = [\"en\", \"fr\", \"es\", \"ru\", \"ar\", \"zh\"]"));
                    None
                }
            })
            .collect(),
        toml::Value::Table(table) => table
            .iter()
            .filter_map(|(code, value)| match value.clone().try_into::<RawLanguage>() {
                Ok(lang) => Some((code.clone(), lang)),
                Err(e) => {
                    let pos = find_table(text, &format!("languages.{code}")).unwrap_or(pos);
                    diags.push(Diagnostic::error(shown, pos, format!("language `{code}`: {}", e.message())).with_hint("a language table may set `label`, `title` and `direction` (\"ltr\" or \"rtl\")"));
                    None
                }
            })
            .collect(),
        _ => {
            diags.push(Diagnostic::error(shown, pos, "`languages` must be a list of codes or a table per language").with_hint("languages = [\"en\", \"fr\", \"es\", \"ru\", \"ar\", \"zh\"]"));
            Vec::new()
        }
    };
    let mut languages = Vec::new();
    for (code, lang) in entries {
        if code.parse::<unic_langid::LanguageIdentifier>().is_err() || code.contains('_') {
            diags.push(
                Diagnostic::error(shown, pos, format!("`{code}` is not a language code"))
                    .with_hint("use BCP 47 codes such as `en`, `fr`, `zh`, `pt-BR`"),
            );
            continue;
        }
        languages.push(Language {
            label: lang.label.unwrap_or_else(|| autonym(&code).to_string()),
            title: lang.title.unwrap_or_else(|| raw.title.clone()),
            direction: lang.direction.unwrap_or_else(|| default_direction(&code)),
            code,
        });
    }
    if languages.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::error(shown, pos, "the site has no languages")
                .with_hint("languages = [\"en\"]"),
        );
    }
    languages
}

/// A language's own name, for languages the site does not label itself.
fn autonym(code: &str) -> &str {
    match code {
        "en" => "English",
        "fr" => "Français",
        "es" => "Español",
        "ru" => "Русский",
        "ar" => "العربية",
        "zh" => "中文",
        other => other,
    }
}

/// Scripts written right to left, by the primary language subtag.
pub fn default_direction(code: &str) -> Direction {
    let primary = code.split('-').next().unwrap_or(code);
    match primary {
        "ar" | "he" | "fa" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" => Direction::Rtl,
        _ => Direction::Ltr,
    }
}

/// Turns a toml error into a diagnostic; `base` is where the TOML starts within the file.
pub fn toml_diagnostic(
    shown: &Path,
    file_text: &str,
    base: usize,
    e: &toml::de::Error,
    known_keys: &[&str],
) -> Diagnostic {
    let offset = base + e.span().map_or(0, |s| s.start);
    let pos = Position::at(file_text, offset);
    let message = e.message().trim().to_string();
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        let d = Diagnostic::error(shown, pos, format!("unknown field `{field}`"));
        return match closest(field, known_keys.iter().copied()) {
            Some(near) => d.with_hint(format!("did you mean `{near}`?")),
            None => d.with_hint(format!("known fields: {}", known_keys.join(", "))),
        };
    }
    if message.starts_with("missing field `") {
        return Diagnostic::error(shown, pos, message)
            .with_hint("add it; see the README for what each field means");
    }
    if message.contains("expected a TOML datetime")
        || message.contains("invalid date")
        || message.contains("invalid time")
    {
        return Diagnostic::error(shown, pos, format!("bad date: {message}"))
            .with_hint("write dates as bare TOML dates, without quotes: date = 2020-11-17");
    }
    Diagnostic::error(shown, pos, format!("invalid TOML: {message}"))
        .with_hint("check quotes, brackets and `key = value` syntax at this position")
}

fn find_table(text: &str, name: &str) -> Option<Position> {
    let header = format!("[{name}]");
    text.find(&header).map(|offset| Position::at(text, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, Vec<Diagnostic>> {
        parse(Path::new("/site"), Path::new("site.toml"), text)
    }

    const MINIMAL: &str =
        "title = \"T\"\nbase_url = \"https://x.org/\"\ndefault_language = \"en\"\n";

    #[test]
    fn a_list_of_codes_gets_autonyms_and_directions() {
        let config =
            parse_str(&format!("{MINIMAL}languages = [\"en\", \"ar\", \"zh\"]\n")).unwrap();
        let got: Vec<(&str, &str, Direction)> = config
            .languages
            .iter()
            .map(|l| (l.code.as_str(), l.label.as_str(), l.direction))
            .collect();
        assert_eq!(
            got,
            [
                ("en", "English", Direction::Ltr),
                ("ar", "العربية", Direction::Rtl),
                ("zh", "中文", Direction::Ltr)
            ]
        );
        assert_eq!(config.base_url, "https://x.org");
        assert_eq!(config.base_path, "");
        let under = parse_str(&format!(
            "{}languages = [\"en\"]\n",
            MINIMAL.replace("x.org/", "x.org/igf/")
        ))
        .unwrap();
        assert_eq!(
            (under.base_url.as_str(), under.base_path.as_str()),
            ("https://x.org/igf", "/igf")
        );
        assert_eq!(config.lang_prefix("en"), "");
        assert_eq!(config.lang_prefix("ar"), "/ar");
    }

    #[test]
    fn language_tables_keep_their_order_and_settings() {
        let text = format!("{MINIMAL}[languages.en]\n[languages.ar]\nlabel = \"Arabic\"\ndirection = \"ltr\"\n[languages.fr]\ntitle = \"Titre\"\n");
        let config = parse_str(&text).unwrap();
        let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["en", "ar", "fr"]);
        assert_eq!(config.language("ar").unwrap().direction, Direction::Ltr);
        assert_eq!(config.language("fr").unwrap().title, "Titre");
        assert_eq!(config.language("en").unwrap().title, "T");
    }

    #[test]
    fn mistakes_are_reported_with_position_and_hint() {
        let cases = [
            (format!("{MINIMAL}languages = [\"en\"]\ntitel = 1\n"), "site.toml:5:1: error: unknown field `titel`\n  = hint: did you mean `title`?"),
            (format!("{MINIMAL}languages = [\"fr\"]\n"), "site.toml:3:1: error: default language `en` is not among the languages\n  = hint: use one of: fr"),
            (format!("{MINIMAL}languages = [\"en\"]\ntaxonomies = [\"tag\"]\n"), "site.toml:5:14: error: unknown taxonomy `tag`\n  = hint: taxonomies can be: group, year, theme, region, kind"),
            (format!("{MINIMAL}languages = [\"en\"\n"), "site.toml:4:18: error: invalid TOML: unclosed array, expected `]`\n  = hint: check quotes, brackets and `key = value` syntax at this position"),
            (format!("{MINIMAL}languages = [\"en\"]\n\n[search]\nexprot = true\n"), "site.toml:7:1: error: unknown field `exprot`\n  = hint: did you mean `export`?"),
            (format!("{}languages = [\"en\"]\n", MINIMAL.replace("x.org/", "x.org/a b/")), "site.toml:2:1: error: `base_url` `https://x.org/a b/` cannot be published under: its path `/a b/` has ' ' in it\n  = hint: the path is written as it is before every link: use ASCII letters, digits and `-_.~` (`https://example.org/igf/`)"),
        ];
        for (text, expected) in cases {
            let diags = parse_str(&text).unwrap_err();
            assert_eq!(diags[0].to_string(), expected, "for:\n{text}");
        }
    }
}
