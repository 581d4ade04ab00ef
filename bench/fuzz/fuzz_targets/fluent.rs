//! Fuzzes the interface strings: any text as one language's `.ftl` file, parsed, checked against the other language's, and every message formatted.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use fluent_bundle::{FluentArgs, FluentValue};
use libfuzzer_sys::fuzz_target;
use plenary::config::Config;
use plenary::i18n::FtlFile;

const SITE: &str = "title = \"Fuzz\"\nbase_url = \"https://fuzz.example.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"ar\"]\n";

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        plenary::config::parse(
            std::path::Path::new("/nonexistent/fuzz-site"),
            std::path::Path::new("site.toml"),
            SITE,
        )
        .expect("the fuzz site's site.toml parses")
    })
}

fn builtin(lang: &str) -> FtlFile {
    let text = plenary::builtin::STRINGS
        .iter()
        .find(|(code, _)| *code == lang)
        .map(|(_, text)| text.to_string())
        .unwrap_or_default();
    FtlFile {
        lang: lang.to_string(),
        shown: PathBuf::from(format!("i18n/{lang}/main.ftl")),
        text,
    }
}

/// The arguments the templates pass, numbers and strings in turn.
fn args() -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    for (i, name) in ["count", "current", "total", "day", "year", "n"]
        .iter()
        .enumerate()
    {
        args.set(*name, FluentValue::from(i as f64 * 37.0 + 1.0));
    }
    for name in [
        "date", "format", "group", "language", "month", "original", "query", "region", "site",
        "theme", "title",
    ] {
        args.set(name, FluentValue::from("x\u{202E}<b>"));
    }
    args
}

/// The fuzzed file in `lang`, beside the built-in strings of the other languages.
fn exercise(fuzzed: &str, lang: &str) {
    let config = config();
    let mut files: Vec<FtlFile> = ["en", "ar"]
        .iter()
        .filter(|code| **code != lang)
        .map(|code| builtin(code))
        .collect();
    files.push(FtlFile {
        lang: lang.to_string(),
        shown: PathBuf::from(format!("i18n/{lang}/main.ftl")),
        text: fuzzed.to_string(),
    });
    let (messages, diags) = plenary::i18n::parse(&files, config);
    let checks = plenary::fluent_check::check(&files, config);
    for diag in diags.iter().chain(&checks) {
        // Positions are in the file: a line past its end is a wrong position.
        let lines = fuzzed.lines().count().max(1) + 1;
        if diag.path.ends_with(format!("{lang}/main.ftl")) {
            assert!(diag.line <= lines, "{diag:?} in a file of {lines} lines");
        }
    }
    let args = args();
    for key in messages.keys(lang) {
        for (text, problems) in [
            messages.format(lang, &key, None),
            messages.format(lang, &key, Some(&args)),
        ] {
            for problem in problems {
                let _ = problem.diagnostic(std::path::Path::new("templates/page.html"));
            }
            // Formatting is bounded: a message cannot grow without end through references.
            assert!(
                text.len() <= 128 * fuzzed.len() + 4096,
                "`{key}` formats to {} bytes from a file of {}",
                text.len(),
                fuzzed.len()
            );
        }
    }
    let date = toml::value::Date {
        year: 2020,
        month: 11,
        day: 17,
    };
    let _ = messages.format_date(lang, &date);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // As a translation checked against the default language (Arabic: all six plural
    // categories), and as the default language itself.
    exercise(text, "ar");
    exercise(text, "en");
});
