//! Checks each language's interface strings against the default language's: keys missing and obsolete, CLDR plural variants, variables and attributes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use fluent_syntax::ast;

use crate::config::Config;
use crate::diag::{Diagnostic, Position};
use crate::i18n::FtlFile;

mod cycles;

/// What the checks need to know of one message.
struct Message {
    shown: PathBuf,
    position: Position,
    attributes: BTreeSet<String>,
    variables: BTreeSet<String>,
    /// Each plural select: where it is and the variant keys it has.
    plurals: Vec<(Position, BTreeSet<String>)>,
}

const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// Every problem of every language but the default one, as warnings (`plenary check` fails
/// on them; a build prints them), and messages that refer to themselves in any language, as
/// errors. Syntax errors are reported where the files are loaded.
pub fn check(files: &[FtlFile], config: &Config) -> Vec<Diagnostic> {
    let by_lang: BTreeMap<&str, BTreeMap<String, Message>> = config
        .languages
        .iter()
        .map(|l| (l.code.as_str(), messages_of(files, &l.code)))
        .collect();
    let default_lang = config.default_language.as_str();
    let Some(default) = by_lang.get(default_lang) else {
        return Vec::new();
    };
    let mut diags = Vec::new();
    for lang in &config.languages {
        let code = lang.code.as_str();
        let own = &by_lang[code];
        // Missing keys are reported in the language's first file, where a translator adds them.
        let first_file = files
            .iter()
            .find(|f| f.lang == code)
            .map(|f| f.shown.clone());
        if code != default_lang {
            for key in default.keys().filter(|k| !own.contains_key(*k)) {
                if let Some(shown) = &first_file {
                    diags.push(
                        Diagnostic::warning(shown, Position::START, format!("message `{key}` is missing in `{code}`"))
                            .with_hint(format!("translate it from `{}`; until then `{code}` readers see the `{default_lang}` text", default[key].shown.display())),
                    );
                }
            }
        }
        for (key, message) in own {
            let Some(original) = default.get(key) else {
                diags.push(
                    Diagnostic::warning(
                        &message.shown,
                        message.position,
                        format!("message `{key}` is obsolete: it is not in `{default_lang}`"),
                    )
                    .with_hint("remove it, or add it to the default language if templates use it"),
                );
                continue;
            };
            if code != default_lang {
                check_against(key, message, original, code, default_lang, &mut diags);
            }
            check_plurals(key, message, code, &lang.label, &mut diags);
        }
        diags.extend(cycles::of_language(files.iter().filter(|f| f.lang == code)));
    }
    diags
}

fn check_against(
    key: &str,
    message: &Message,
    original: &Message,
    code: &str,
    default_lang: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for variable in message.variables.difference(&original.variables) {
        diags.push(
            Diagnostic::warning(&message.shown, message.position, format!("message `{key}` uses `${variable}`, which the `{default_lang}` message does not pass"))
                .with_hint(match original.variables.is_empty() {
                    true => "it is given no variables: remove the placeable".to_string(),
                    false => format!("it is given {}", original.variables.iter().map(|v| format!("`${v}`")).collect::<Vec<_>>().join(", ")),
                }),
        );
    }
    for attribute in original.attributes.difference(&message.attributes) {
        diags.push(
            Diagnostic::warning(
                &message.shown,
                message.position,
                format!(
                    "message `{key}` lacks the attribute `.{attribute}` that `{default_lang}` has"
                ),
            )
            .with_hint(format!("add `.{attribute} = ...` under it in `{code}`")),
        );
    }
    for attribute in message.attributes.difference(&original.attributes) {
        diags.push(
            Diagnostic::warning(&message.shown, message.position, format!("message `{key}` has an attribute `.{attribute}` that `{default_lang}` does not"))
                .with_hint("remove it: templates ask only for the default language's attributes"),
        );
    }
}

/// Every plural select must have a variant for each CLDR category of its language.
fn check_plurals(
    key: &str,
    message: &Message,
    code: &str,
    label: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let needed = plural_categories(code);
    for (position, variants) in &message.plurals {
        let missing: Vec<&str> = needed
            .iter()
            .copied()
            .filter(|c| !variants.contains(*c))
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|c| format!("`[{c}]`"))
                .collect::<Vec<_>>()
                .join(", ");
            diags.push(
                Diagnostic::warning(
                    &message.shown,
                    *position,
                    format!("message `{key}` lacks the plural variants {list} that {label} needs"),
                )
                .with_hint(format!(
                    "{label} (`{code}`) has the plural categories {} (CLDR)",
                    needed.join(", ")
                )),
            );
        }
    }
}

/// The CLDR cardinal plural categories of a language, in the usual order.
pub fn plural_categories(code: &str) -> Vec<&'static str> {
    use icu_plurals::{PluralCategory, PluralRules, PluralRulesOptions};
    let Ok(locale) = code.parse::<icu_locale_core::Locale>() else {
        return vec!["other"];
    };
    let Ok(rules) = PluralRules::try_new(locale.into(), PluralRulesOptions::default()) else {
        return vec!["other"];
    };
    let present: Vec<PluralCategory> = rules.categories().collect();
    let names = [
        (PluralCategory::Zero, "zero"),
        (PluralCategory::One, "one"),
        (PluralCategory::Two, "two"),
        (PluralCategory::Few, "few"),
        (PluralCategory::Many, "many"),
        (PluralCategory::Other, "other"),
    ];
    names
        .iter()
        .filter(|(c, _)| present.contains(c))
        .map(|(_, n)| *n)
        .collect()
}

/// The messages of one language's files (a later file's message replaces an earlier one's).
fn messages_of(files: &[FtlFile], lang: &str) -> BTreeMap<String, Message> {
    let mut out = BTreeMap::new();
    for file in files.iter().filter(|f| f.lang == lang) {
        let resource = match fluent_syntax::parser::parse(file.text.as_str()) {
            Ok(resource) => resource,
            Err((resource, _)) => resource,
        };
        for entry in resource.body {
            let ast::Entry::Message(message) = entry else {
                continue;
            };
            let at = |name: &str| {
                file.text
                    .find(&format!("\n{name} ="))
                    .map(|o| o + 1)
                    .or_else(|| file.text.starts_with(name).then_some(0))
                    .unwrap_or(0)
            };
            let offset = at(message.id.name);
            let mut info = Message {
                shown: file.shown.clone(),
                position: Position::at(&file.text, offset),
                attributes: message
                    .attributes
                    .iter()
                    .map(|a| a.id.name.to_string())
                    .collect(),
                variables: BTreeSet::new(),
                plurals: Vec::new(),
            };
            let mut walk = Walk {
                text: &file.text,
                from: offset,
                info: &mut info,
            };
            if let Some(value) = &message.value {
                walk.pattern(value);
            }
            for attribute in &message.attributes {
                walk.pattern(&attribute.value);
            }
            out.insert(message.id.name.to_string(), info);
        }
    }
    out
}

/// Collects a message's variables and plural selects.
struct Walk<'a> {
    text: &'a str,
    /// Where the message starts: selects are found in the text after it.
    from: usize,
    info: &'a mut Message,
}

impl Walk<'_> {
    fn pattern(&mut self, pattern: &ast::Pattern<&str>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                self.expression(expression);
            }
        }
    }

    fn expression(&mut self, expression: &ast::Expression<&str>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                self.inline(selector);
                let keys: BTreeSet<String> = variants
                    .iter()
                    .map(|v| match &v.key {
                        ast::VariantKey::Identifier { name } => name.to_string(),
                        ast::VariantKey::NumberLiteral { value } => value.to_string(),
                    })
                    .collect();
                let plural = keys.iter().any(|k| CATEGORIES.contains(&k.as_str()))
                    && matches!(
                        selector,
                        ast::InlineExpression::VariableReference { .. }
                            | ast::InlineExpression::FunctionReference { .. }
                    );
                if plural {
                    let offset = self.text[self.from..]
                        .find("->")
                        .map_or(self.from, |o| self.from + o);
                    self.from = offset + 2;
                    self.info
                        .plurals
                        .push((Position::at(self.text, offset), keys));
                }
                for variant in variants {
                    self.pattern(&variant.value);
                }
            }
            ast::Expression::Inline(inline) => self.inline(inline),
        }
    }

    fn inline(&mut self, inline: &ast::InlineExpression<&str>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                self.info.variables.insert(id.name.to_string());
            }
            ast::InlineExpression::FunctionReference { arguments, .. }
            | ast::InlineExpression::TermReference {
                arguments: Some(arguments),
                ..
            } => {
                for argument in &arguments.positional {
                    self.inline(argument);
                }
                for named in &arguments.named {
                    self.inline(&named.value);
                }
            }
            ast::InlineExpression::Placeable { expression } => self.expression(expression),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_texts(files: &[(&str, &str)]) -> Vec<String> {
        let text = "title = \"T\"\nbase_url = \"https://x.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"ru\", \"ar\", \"zh\"]\n";
        let config = crate::config::parse(
            std::path::Path::new("/s"),
            std::path::Path::new("site.toml"),
            text,
        )
        .unwrap();
        let mut diags = check(&crate::i18n::test_files(files), &config);
        diags.sort();
        diags.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn each_check_says_what_is_wrong_and_where() {
        let en = "hello = Hello\ncount = { $n ->\n    [one] One page\n   *[other] { $n } pages\n}\nlink = Link\n    .title = Go\n";
        let ru = "hello = Привет\ncount = { $n ->\n    [one] { $n } страница\n   *[other] { $n } страниц\n}\nlink = Ссылка\n    .label = X\nold = Старое\n";
        let ar = "count = { $n ->\n    [zero] لا صفحات\n    [one] صفحة\n    [two] صفحتان\n    [few] { $n } صفحات\n    [many] { $n } صفحة\n   *[other] { $m } صفحة\n}\nhello = مرحبا\nlink = رابط\n    .title = اذهب\n";
        let zh = "hello = 你好\ncount = 共 { $n } 页\nlink = 链接\n    .title = 前往\n";
        let got = check_texts(&[("en", en), ("ru", ru), ("ar", ar), ("zh", zh)]);
        assert_eq!(
            got,
            [
                "i18n/ar/main.ftl:1:1: warning: message `count` uses `$m`, which the `en` message does not pass\n  = hint: it is given `$n`",
                "i18n/ru/main.ftl:2:14: warning: message `count` lacks the plural variants `[few]`, `[many]` that Русский needs\n  = hint: Русский (`ru`) has the plural categories one, few, many, other (CLDR)",
                "i18n/ru/main.ftl:6:1: warning: message `link` has an attribute `.label` that `en` does not\n  = hint: remove it: templates ask only for the default language's attributes",
                "i18n/ru/main.ftl:6:1: warning: message `link` lacks the attribute `.title` that `en` has\n  = hint: add `.title = ...` under it in `ru`",
                "i18n/ru/main.ftl:8:1: warning: message `old` is obsolete: it is not in `en`\n  = hint: remove it, or add it to the default language if templates use it",
            ]
        );
        let missing = check_texts(&[
            ("en", en),
            ("ru", "hello = Привет\n"),
            ("ar", ar),
            ("zh", zh),
        ]);
        assert!(missing.contains(&"i18n/ru/main.ftl:1:1: warning: message `count` is missing in `ru`\n  = hint: translate it from `i18n/en/main.ftl`; until then `ru` readers see the `en` text".to_string()), "{missing:#?}");
    }

    #[test]
    fn plural_categories_follow_current_cldr() {
        assert_eq!(
            plural_categories("ar"),
            ["zero", "one", "two", "few", "many", "other"]
        );
        assert_eq!(plural_categories("ru"), ["one", "few", "many", "other"]);
        assert_eq!(plural_categories("zh"), ["other"]);
        assert_eq!(plural_categories("en"), ["one", "other"]);
    }
}
