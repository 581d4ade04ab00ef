//! `plenary i18n` and `plenary sources`: the commands of translators and of the people who
//! keep a federated site's sources.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use plenary::build;

use crate::print_diagnostics;

#[derive(Subcommand)]
pub(crate) enum I18nAction {
    /// Pages translated, missing and stale, and interface messages translated, missing and
    /// obsolete, per language, section and member source
    Status {
        /// The site root: the folder holding site.toml
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Only this language (repeat for more); every language but the default one otherwise
        #[arg(long)]
        lang: Vec<String>,
        /// Only the pages of this member source (its `id`), or `site` for the site's own
        #[arg(long, value_name = "ID")]
        source: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Exit with 1 when pages or messages of a language are less translated than this
        #[arg(long, value_name = "PERCENT")]
        fail_under: Option<f64>,
    },
    /// Write the translation of a content file into a language, beside it, ready to translate
    New {
        /// The site root: the folder holding site.toml
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The language to translate into
        lang: String,
        /// The original's file, such as content/bpf/x/index.md
        file: PathBuf,
    },
    /// Record that a translation has caught up with its original
    MarkCurrent {
        /// The site root: the folder holding site.toml
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// With an original's file: its last edit (a typo fixed) needs no retranslation
        #[arg(long)]
        minor: bool,
        /// The translation's file (or, with --minor, the original's)
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum SourcesAction {
    /// Fetch the git sources again and pin, in plenary.lock, the commit each `rev` names now
    Update {
        /// The site root: the folder holding site.toml and plenary.lock
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Only this source (its `id`); all git sources when left out
        id: Option<String>,
    },
}

/// `plenary i18n ...`: loads the site (drafts left out), then runs the action.
pub(crate) fn i18n(action: I18nAction) -> ExitCode {
    let root = match &action {
        I18nAction::Status { root, .. }
        | I18nAction::New { root, .. }
        | I18nAction::MarkCurrent { root, .. } => root.clone(),
    };
    let loaded = match build::load(&root, false) {
        Ok(Ok((loaded, _))) => loaded,
        Ok(Err(diags)) => {
            print_diagnostics(&diags);
            eprintln!("the site has errors: fix them first");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let done = match action {
        I18nAction::Status {
            lang,
            source,
            json,
            fail_under,
            ..
        } => return i18n_status(&loaded, &lang, source.as_deref(), json, fail_under),
        I18nAction::New { lang, file, .. } => plenary::translations::create(&loaded, &lang, &file)
            .map(|path| {
                eprintln!(
                    "wrote `{}`: translate its text and front matter",
                    path.display()
                );
            }),
        I18nAction::MarkCurrent { minor, file, .. } => {
            plenary::translations::mark_current(&loaded, &file, minor).map(|changed| {
                for path in &changed {
                    eprintln!("marked current: `{}`", path.display());
                }
                if changed.is_empty() {
                    eprintln!("nothing to mark: already current");
                }
            })
        }
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn i18n_status(
    loaded: &build::Loaded,
    langs: &[String],
    source: Option<&str>,
    json: bool,
    fail_under: Option<f64>,
) -> ExitCode {
    if let Some(unknown) = langs.iter().find(|l| loaded.config.language(l).is_none()) {
        eprintln!("error: the site has no language `{unknown}`");
        return ExitCode::from(1);
    }
    if let Some(id) = source.filter(|id| *id != "site") {
        if !loaded.config.sources.iter().any(|s| s.id == id) {
            eprintln!("error: no source `{id}` (use a `[[sources]]` id, or `site` for the site's own content)");
            return ExitCode::from(1);
        }
    }
    let status = plenary::translations::status(loaded, langs, source);
    if json {
        println!("{}", serde_json::json!({ "languages": status }));
    } else {
        print!("{}", plenary::translations::report(&status));
    }
    let Some(least) = fail_under else {
        return ExitCode::SUCCESS;
    };
    let mut under = false;
    for s in &status {
        for (what, percent) in [
            ("pages", s.coverage.pages),
            ("interface messages", s.coverage.messages),
        ] {
            if percent < least {
                eprintln!(
                    "{}: {percent}% of {what} translated, under {least}%",
                    s.lang
                );
                under = true;
            }
        }
    }
    if under {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `plenary sources update`: moves the pins and says which moved.
pub(crate) fn update_sources(root: &std::path::Path, id: Option<&str>) -> ExitCode {
    let updated = plenary::config::load(root).and_then(|config| match config {
        Ok(config) => plenary::sources::update(&config, id),
        Err(diags) => Ok(Err(diags)),
    });
    match updated {
        Ok(Ok(moved)) => {
            for m in &moved {
                let short = |c: &str| c.chars().take(12).collect::<String>();
                match &m.from {
                    Some(from) => eprintln!(
                        "{}: `{}` moved from {} to {}",
                        m.id,
                        m.rev,
                        short(from),
                        short(&m.to)
                    ),
                    None => eprintln!("{}: `{}` pinned at {}", m.id, m.rev, short(&m.to)),
                }
            }
            if moved.is_empty() {
                eprintln!(
                    "every git source is at the commit its rev names: plenary.lock unchanged"
                );
            }
            ExitCode::SUCCESS
        }
        Ok(Err(diags)) => {
            print_diagnostics(&diags);
            eprintln!("update failed: the pins of the sources above are unchanged");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
