//! Interface strings: Fluent files per language, current CLDR plurals, dates and numbers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::FluentNumber;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use intl_memoizer::Memoizable;
use unic_langid::LanguageIdentifier;

use crate::config::Config;
use crate::diag::{Diagnostic, Position};

pub const I18N_DIR: &str = "i18n";

/// The Fluent function that plural selectors are routed through (see `route_plurals`).
const PLURAL_FUNCTION: &str = "PLURAL_CATEGORY";
const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

type Bundle = FluentBundle<FluentResource>;

/// Every language's interface strings, with the default language as the last resort.
pub struct Messages {
    bundles: BTreeMap<String, Bundle>,
    default_language: String,
    /// The messages each language's own files define (a bundle cannot list them).
    keys: BTreeMap<String, std::collections::BTreeSet<String>>,
}

/// Why a message came out other than asked: missing in the language, or broken.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Problem {
    /// Missing in the language asked for; `found_in_default` tells whether a fallback was used.
    Missing {
        key: String,
        lang: String,
        found_in_default: bool,
    },
    Format {
        key: String,
        lang: String,
        error: String,
    },
}

/// One `.ftl` file as read from disk.
pub struct FtlFile {
    pub lang: String,
    pub shown: PathBuf,
    pub text: String,
}

/// Reads `i18n/<lang>/*.ftl` of the theme, then of the site (whose messages win).
pub fn load(config: &Config) -> anyhow::Result<(Vec<FtlFile>, Vec<Diagnostic>)> {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let theme_dir = config
        .root
        .join(crate::render::THEMES_DIR)
        .join(&config.theme)
        .join(I18N_DIR);
    if config.uses_builtin_theme() {
        for (lang, text) in crate::builtin::STRINGS
            .iter()
            .filter(|(lang, _)| config.language(lang).is_some())
        {
            let shown = Path::new(crate::builtin::SHOWN_PREFIX)
                .join(I18N_DIR)
                .join(lang)
                .join("main.ftl");
            files.push(FtlFile {
                lang: lang.to_string(),
                shown,
                text: text.to_string(),
            });
        }
    }
    for dir in [theme_dir, config.root.join(I18N_DIR)] {
        for lang in &config.languages {
            let lang_dir = dir.join(&lang.code);
            if !lang_dir.is_dir() {
                continue;
            }
            let mut paths: Vec<PathBuf> = std::fs::read_dir(&lang_dir)
                .with_context(|| format!("cannot list `{}`", lang_dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .collect();
            paths.sort();
            for path in paths {
                let shown = crate::diag::display_path(&config.root, &path);
                let text = crate::user_files::read_text_file(&path, &shown)?
                    .and_then(|bytes| crate::content::decode_owned(&shown, bytes))
                    .and_then(|text| nesting_within_bounds(&shown, text));
                match text {
                    Ok(text) => files.push(FtlFile {
                        lang: lang.code.clone(),
                        shown,
                        text,
                    }),
                    Err(d) => diags.push(d),
                }
            }
        }
    }
    Ok((files, diags))
}

/// Placeables within placeables deeper than this are refused: Fluent's parser and resolver
/// recurse at each level, and a few thousand overflow the stack. Real messages nest two or three.
const MAX_PLACEABLE_NESTING: usize = 32;

/// The text of a `.ftl` file whose placeables nest within bounds, or the error at the first
/// that nests too deep (the file is skipped).
fn nesting_within_bounds(shown: &Path, text: String) -> Result<String, Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut line_start = true;
    let mut in_comment = false;
    let mut escaped = false;
    for (offset, c) in text.char_indices() {
        let at_line_start = std::mem::replace(&mut line_start, c == '\n');
        match c {
            '\n' => {
                in_string = false;
                in_comment = false;
            }
            '#' if at_line_start && depth == 0 => in_comment = true,
            _ if in_comment || std::mem::take(&mut escaped) => {}
            '"' if depth > 0 => in_string = !in_string,
            '\\' if in_string => escaped = true,
            '{' if !in_string => {
                depth += 1;
                if depth > MAX_PLACEABLE_NESTING {
                    return Err(Diagnostic::error(
                        shown,
                        Position::at(&text, offset),
                        format!("placeables nested deeper than {MAX_PLACEABLE_NESTING}: the file is skipped"),
                    )
                    .with_hint("a message needs a placeable or two, not a tower of them"));
                }
            }
            '}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(text)
}

/// Builds a bundle per language; syntax errors become diagnostics and the rest still loads.
pub fn parse(files: &[FtlFile], config: &Config) -> (Messages, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut bundles = BTreeMap::new();
    let mut keys: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for lang in &config.languages {
        let mut bundle = new_bundle(&lang.code);
        let own = keys.entry(lang.code.clone()).or_default();
        for file in files.iter().filter(|f| f.lang == lang.code) {
            let source = match route_plurals(file, &mut diags) {
                Some(source) => source,
                None => continue,
            };
            let resource = match FluentResource::try_new(source) {
                Ok(resource) => resource,
                Err((resource, _)) => resource,
            };
            own.extend(resource.entries().filter_map(|entry| match entry {
                ast::Entry::Message(message) => Some(message.id.name.to_string()),
                _ => None,
            }));
            bundle.add_resource_overriding(resource);
        }
        bundles.insert(lang.code.clone(), bundle);
    }
    let messages = Messages {
        bundles,
        default_language: config.default_language.clone(),
        keys,
    };
    (messages, diags)
}

fn new_bundle(code: &str) -> Bundle {
    let langid: LanguageIdentifier = code.parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![langid]);
    // Isolation marks (U+2068/U+2069) would end up in attributes, titles and feeds.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(format_number));
    let plural = plural_function(plural_rules(code));
    // Only fails when the name is taken, and the bundle is new.
    let _ = bundle.add_function(PLURAL_FUNCTION, plural);
    bundle
}

/// `PLURAL_CATEGORY($n)`: the CLDR category of a number, or any other value unchanged.
fn plural_function(
    rules: Option<icu_plurals::PluralRules>,
) -> impl for<'a> Fn(&[FluentValue<'a>], &FluentArgs) -> FluentValue<'a> + Send + Sync + 'static {
    move |positional, _| match (positional.first(), &rules) {
        (Some(FluentValue::Number(n)), Some(rules)) => FluentValue::from(plural_category(rules, n)),
        (Some(other), _) => other.clone(),
        (None, _) => FluentValue::None,
    }
}

fn plural_rules(code: &str) -> Option<icu_plurals::PluralRules> {
    let locale: icu_locale_core::Locale = code.parse().ok()?;
    icu_plurals::PluralRules::try_new(locale.into(), icu_plurals::PluralRulesOptions::default())
        .ok()
}

fn plural_category(rules: &icu_plurals::PluralRules, n: &FluentNumber) -> &'static str {
    use icu_plurals::{PluralCategory, PluralOperands};
    let operands: PluralOperands = if n.value.fract() == 0.0
        && n.value.abs() < 1e15
        && n.options.minimum_fraction_digits.unwrap_or(0) == 0
    {
        PluralOperands::from(n.value as i64)
    } else {
        fixed_decimal::Decimal::try_from_str(&n.as_string())
            .map_or(PluralOperands::from(0), |d| PluralOperands::from(&d))
    };
    match rules.category_for(operands) {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// Parses a file and reports its syntax errors; then points every plural select
/// (`{ $n -> [one] ... *[other] ... }`) at `PLURAL_CATEGORY($n)`, because the rules
/// fluent-bundle ships (CLDR 37) put some Arabic numbers above 100 in the wrong category.
fn route_plurals(file: &FtlFile, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let mut resource = match fluent_syntax::parser::parse(file.text.as_str()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            for error in errors {
                // An error met at the start of a line is about the end of the line before it.
                let mut offset = error.pos.start.min(file.text.len());
                if offset > 0 && file.text.as_bytes()[offset - 1] == b'\n' {
                    offset -= 1;
                }
                diags.push(
                    Diagnostic::error(&file.shown, Position::at(&file.text, offset), format!("Fluent syntax error: {}", error.kind))
                        .with_hint("the message is skipped; see https://projectfluent.org/fluent/guide/ for the syntax"),
                );
            }
            resource
        }
    };
    for entry in &mut resource.body {
        match entry {
            ast::Entry::Message(m) => {
                m.value.iter_mut().for_each(route_pattern);
                m.attributes
                    .iter_mut()
                    .for_each(|a| route_pattern(&mut a.value));
            }
            ast::Entry::Term(t) => {
                route_pattern(&mut t.value);
                t.attributes
                    .iter_mut()
                    .for_each(|a| route_pattern(&mut a.value));
            }
            _ => {}
        }
    }
    resource
        .body
        .retain(|e| !matches!(e, ast::Entry::Junk { .. }));
    Some(fluent_syntax::serializer::serialize(&resource))
}

fn route_pattern(pattern: &mut ast::Pattern<&str>) {
    for element in &mut pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            route_expression(expression);
        }
    }
}

fn route_expression(expression: &mut ast::Expression<&str>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            for variant in variants.iter_mut() {
                route_pattern(&mut variant.value);
            }
            let all_identifiers = variants
                .iter()
                .all(|v| matches!(v.key, ast::VariantKey::Identifier { .. }));
            let any_plural = variants.iter().any(|v| matches!(v.key, ast::VariantKey::Identifier { name } if PLURAL_CATEGORIES.contains(&name)));
            if all_identifiers
                && any_plural
                && matches!(selector, ast::InlineExpression::VariableReference { .. })
            {
                let variable =
                    std::mem::replace(selector, ast::InlineExpression::StringLiteral { value: "" });
                *selector = ast::InlineExpression::FunctionReference {
                    id: ast::Identifier {
                        name: PLURAL_FUNCTION,
                    },
                    arguments: ast::CallArguments {
                        positional: vec![variable],
                        named: Vec::new(),
                    },
                };
            }
        }
        ast::Expression::Inline(ast::InlineExpression::Placeable { expression }) => {
            route_expression(expression)
        }
        ast::Expression::Inline(_) => {}
    }
}

/// Digit grouping per language (CLDR): a formatter the bundle memoizes per locale.
struct Grouping {
    separator: &'static str,
    /// Spanish does not group four-digit numbers (CLDR minimumGroupingDigits = 2).
    min_digits: usize,
}

impl Memoizable for Grouping {
    type Args = ();
    type Error = ();
    fn construct(lang: LanguageIdentifier, _: ()) -> Result<Self, ()> {
        let (separator, min_digits) = match lang.language.as_str() {
            "fr" => ("\u{202F}", 4),
            "ru" => ("\u{00A0}", 4),
            "es" => (".", 5),
            _ => (",", 4),
        };
        Ok(Grouping {
            separator,
            min_digits,
        })
    }
}

fn format_number(
    value: &FluentValue,
    memoizer: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    let FluentValue::Number(n) = value else {
        return None;
    };
    if n.value.fract() != 0.0
        || n.options.minimum_fraction_digits.is_some()
        || n.value.abs() >= 1e15
    {
        return None;
    }
    memoizer
        .with_try_get::<Grouping, _, _>((), |g| {
            group_digits(n.value as i64, g.separator, g.min_digits)
        })
        .ok()
}

fn group_digits(n: i64, separator: &str, min_digits: usize) -> String {
    let digits = n.unsigned_abs().to_string();
    let sign = if n < 0 { "-" } else { "" };
    if digits.len() < min_digits {
        return format!("{sign}{digits}");
    }
    let mut out = String::with_capacity(digits.len() + 8);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

impl Messages {
    pub fn default_language(&self) -> &str {
        &self.default_language
    }

    /// The messages a language's own files define.
    pub fn keys(&self, lang: &str) -> std::collections::BTreeSet<String> {
        self.keys.get(lang).cloned().unwrap_or_default()
    }

    pub fn has(&self, lang: &str, key: &str) -> bool {
        self.bundles.get(lang).is_some_and(|b| b.has_message(key))
    }

    /// The message in `lang`, else in the default language, else the key itself;
    /// with what went wrong on the way, for the caller to report.
    pub fn format(
        &self,
        lang: &str,
        key: &str,
        args: Option<&FluentArgs>,
    ) -> (String, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut chain = vec![lang];
        if lang != self.default_language {
            chain.push(&self.default_language);
        }
        for (i, code) in chain.iter().enumerate() {
            let Some(bundle) = self.bundles.get(*code) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            if i > 0 {
                problems.push(Problem::Missing {
                    key: key.into(),
                    lang: lang.into(),
                    found_in_default: true,
                });
            }
            let mut errors = Vec::new();
            let text = bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned();
            if let Some(error) = errors.first() {
                problems.push(Problem::Format {
                    key: key.into(),
                    lang: (*code).into(),
                    error: error.to_string(),
                });
            }
            return (text, problems);
        }
        problems.push(Problem::Missing {
            key: key.into(),
            lang: lang.into(),
            found_in_default: false,
        });
        (key.to_string(), problems)
    }

    /// A message with no arguments, where a problem is the caller's to ignore (optional labels).
    pub fn get(&self, lang: &str, key: &str) -> Option<String> {
        if !self.has(lang, key) && !self.has(&self.default_language, key) {
            return None;
        }
        Some(self.format(lang, key, None).0)
    }

    /// A date in the language's own order and month names: `17 novembre 2020`, `2020年11月17日`.
    pub fn format_date(&self, lang: &str, date: &toml::value::Date) -> String {
        let month = self.format(lang, &format!("month-{}", date.month), None).0;
        let mut args = FluentArgs::new();
        // Strings, so that the year is not grouped like a number ("2,020").
        args.set("day", date.day.to_string());
        args.set("month", month);
        args.set("year", date.year.to_string());
        self.format(lang, "date-format", Some(&args)).0
    }
}

impl Problem {
    /// The diagnostic for a problem met while rendering template `template`.
    pub fn diagnostic(&self, template: &Path) -> Diagnostic {
        match self {
            Problem::Missing {
                key,
                lang,
                found_in_default,
            } => {
                let fallback = if *found_in_default {
                    "; the default language's text is used"
                } else {
                    "; the key itself is shown"
                };
                Diagnostic::warning(
                    template,
                    Position::START,
                    format!("message `{key}` is missing in `{lang}`{fallback}"),
                )
                .with_hint(format!("add `{key} = ...` to a file in `i18n/{lang}/`"))
            }
            Problem::Format { key, lang, error } => Diagnostic::warning(
                template,
                Position::START,
                format!("message `{key}` in `{lang}`: {error}"),
            )
            .with_hint(format!(
                "check the variables that `{key}` uses in `i18n/{lang}/`"
            )),
        }
    }
}

/// `i18n/<lang>/main.ftl` files of the given texts, for tests.
#[cfg(test)]
pub(crate) fn test_files(files: &[(&str, &str)]) -> Vec<FtlFile> {
    files
        .iter()
        .map(|(lang, text)| FtlFile {
            lang: lang.to_string(),
            shown: PathBuf::from(format!("i18n/{lang}/main.ftl")),
            text: text.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(files: &[(&str, &str)]) -> (Messages, Vec<Diagnostic>) {
        let text = "title = \"T\"\nbase_url = \"https://x.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"fr\", \"es\", \"ru\", \"ar\", \"zh\"]\n";
        let config =
            crate::config::parse(Path::new("/site"), Path::new("site.toml"), text).unwrap();
        parse(&test_files(files), &config)
    }

    fn count(m: &Messages, lang: &str, n: i64) -> String {
        let mut args = FluentArgs::new();
        args.set("n", n);
        m.format(lang, "count", Some(&args)).0
    }

    #[test]
    fn arabic_plurals_follow_current_cldr_above_one_hundred() {
        let ftl = "count = { $n ->\n    [zero] zero\n    [one] one\n    [two] two\n    [few] few\n    [many] many\n   *[other] other\n}\n";
        let (m, diags) = messages(&[("ar", ftl), ("ru", ftl), ("en", ftl), ("fr", ftl)]);
        assert!(diags.is_empty(), "{diags:?}");
        let cases = [
            (
                "ar",
                [
                    (0, "zero"),
                    (1, "one"),
                    (2, "two"),
                    (3, "few"),
                    (11, "many"),
                    (100, "other"),
                    (101, "other"),
                    (102, "other"),
                    (103, "few"),
                    (111, "many"),
                ]
                .as_slice(),
            ),
            (
                "ru",
                &[
                    (1, "one"),
                    (2, "few"),
                    (5, "many"),
                    (11, "many"),
                    (21, "one"),
                    (22, "few"),
                    (111, "many"),
                ],
            ),
            (
                "en",
                &[(0, "other"), (1, "one"), (2, "other"), (101, "other")],
            ),
            (
                "fr",
                &[(0, "one"), (1, "one"), (2, "other"), (1_000_000, "many")],
            ),
        ];
        for (lang, numbers) in cases {
            for (n, category) in numbers {
                assert_eq!(count(&m, lang, *n), *category, "{lang} {n}");
            }
        }
    }

    #[test]
    fn exact_number_variants_still_match() {
        let ftl = "count = { $n ->\n    [0] none\n   *[other] { $n } items\n}\n";
        let (m, _) = messages(&[("en", ftl)]);
        assert_eq!(count(&m, "en", 0), "none");
        assert_eq!(count(&m, "en", 3), "3 items");
    }

    #[test]
    fn numbers_are_grouped_per_language_without_isolation_marks() {
        let ftl = "count = { $n } items\n";
        let (m, _) = messages(&[("en", ftl), ("fr", ftl), ("es", ftl), ("ru", ftl)]);
        let cases = [
            ("en", 1234567, "1,234,567 items"),
            ("fr", 12345, "12\u{202F}345 items"),
            ("es", 1234, "1234 items"),
            ("es", 12345, "12.345 items"),
            ("ru", 1234, "1\u{00A0}234 items"),
            ("en", 999, "999 items"),
        ];
        for (lang, n, expected) in cases {
            assert_eq!(count(&m, lang, n), expected, "{lang} {n}");
        }
    }

    #[test]
    fn missing_messages_fall_back_to_the_default_language_and_say_so() {
        let (m, _) = messages(&[("en", "hello = Hello\n"), ("fr", "other = Autre\n")]);
        let (text, problems) = m.format("fr", "hello", None);
        assert_eq!(text, "Hello");
        assert_eq!(
            problems,
            [Problem::Missing {
                key: "hello".into(),
                lang: "fr".into(),
                found_in_default: true
            }]
        );
        let (text, problems) = m.format("fr", "nowhere", None);
        assert_eq!(text, "nowhere");
        assert_eq!(
            problems,
            [Problem::Missing {
                key: "nowhere".into(),
                lang: "fr".into(),
                found_in_default: false
            }]
        );
    }

    #[test]
    fn syntax_errors_name_file_line_and_column_and_the_rest_loads() {
        let (m, diags) = messages(&[("en", "good = Good\nbad = { $x\nalso = Also\n")]);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].to_string().lines().next().unwrap(), "i18n/en/main.ftl:2:11: error: Fluent syntax error: Expected a token starting with \"}\"");
        assert_eq!(m.format("en", "good", None).0, "Good");
        assert_eq!(m.format("en", "also", None).0, "Also");
    }

    #[test]
    fn placeables_nested_too_deep_skip_their_file_with_an_error() {
        let shown = Path::new("i18n/en/main.ftl");
        let deep = MAX_PLACEABLE_NESTING + 1;
        let cases = [
            ("a = { { { \"x\" } } }\n".to_string(), None),
            (format!("# {}\na = A\n", "{".repeat(100)), None),
            (format!("a = {{ \"{}\" }}\n", "{".repeat(100)), None),
            (format!("a = {{ \"\\\"{}\" }}\n", "{".repeat(100)), None),
            (
                format!("a = {}\"x\"{}\n", "{".repeat(deep), "}".repeat(deep)),
                Some("i18n/en/main.ftl:1:37: error: placeables nested deeper than 32: the file is skipped"),
            ),
        ];
        for (text, expected) in cases {
            let got = nesting_within_bounds(shown, text.clone()).err();
            let got = got.map(|d| d.to_string().lines().next().unwrap_or_default().to_string());
            assert_eq!(got.as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn dates_follow_the_language_pattern() {
        let (m, _) = messages(&[
            (
                "en",
                "date-format = { $day } { $month } { $year }\nmonth-11 = November\n",
            ),
            (
                "zh",
                "date-format = { $year }年{ $month }{ $day }日\nmonth-11 = 11月\n",
            ),
        ]);
        let date = toml::value::Date {
            year: 2020,
            month: 11,
            day: 17,
        };
        assert_eq!(m.format_date("en", &date), "17 November 2020");
        assert_eq!(m.format_date("zh", &date), "2020年11月17日");
    }
}
