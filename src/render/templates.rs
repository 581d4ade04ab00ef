//! The theme's templates: found in the theme and the site, compiled with the Fluent `t()` function, their errors made diagnostics.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use fluent_bundle::FluentArgs;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, State, UndefinedBehavior};

use crate::config::Config;
use crate::diag::{Diagnostic, Position};
use crate::i18n::Messages;

pub const THEMES_DIR: &str = "themes";
pub const TEMPLATES_DIR: &str = "templates";

/// Templates every theme provides.
pub const REQUIRED_TEMPLATES: [&str; 6] = [
    "index.html",
    "section.html",
    "page.html",
    "taxonomy.html",
    "term.html",
    "404.html",
];

/// A template's source as read from the theme or the site.
pub struct TemplateFile {
    pub name: String,
    pub shown: PathBuf,
    pub source: String,
}

/// Reads the theme's templates, then the site's `templates/`, whose files replace the theme's.
pub fn load_templates(config: &Config) -> anyhow::Result<(Vec<TemplateFile>, Vec<Diagnostic>)> {
    let theme_dir = config.root.join(THEMES_DIR).join(&config.theme);
    let mut by_name: BTreeMap<String, TemplateFile> = BTreeMap::new();
    if config.uses_builtin_theme() {
        for (name, source) in crate::builtin::TEMPLATES {
            let shown = Path::new(crate::builtin::SHOWN_PREFIX)
                .join(TEMPLATES_DIR)
                .join(name);
            by_name.insert(
                name.to_string(),
                TemplateFile {
                    name: name.to_string(),
                    shown,
                    source: source.to_string(),
                },
            );
        }
    } else if !theme_dir.is_dir() {
        let shown = PathBuf::from(crate::config::CONFIG_FILE);
        let d = Diagnostic::error(
            shown,
            Position::START,
            format!(
                "theme `{}` not found: no folder `themes/{}`",
                config.theme, config.theme
            ),
        )
        .with_hint("set `theme` in site.toml to a folder under `themes/`");
        return Ok((Vec::new(), vec![d]));
    }
    let mut diags = Vec::new();
    for dir in [
        theme_dir.join(TEMPLATES_DIR),
        config.root.join(TEMPLATES_DIR),
    ] {
        let mut files = Vec::new();
        if dir.is_dir() {
            diags.extend(list_files_or_refuse(&dir, &config.root, &mut files)?);
        }
        for path in files {
            let name = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let shown = crate::diag::display_path(&config.root, &path);
            let text = crate::user_files::read_text_file(&path, &shown)?
                .and_then(|bytes| crate::content::decode_owned(&shown, bytes));
            match text {
                Ok(source) => {
                    by_name.insert(
                        name.clone(),
                        TemplateFile {
                            name,
                            shown,
                            source,
                        },
                    );
                }
                Err(d) => diags.push(d),
            }
        }
    }
    // Themes made before members' pages existed get the default theme's.
    for name in MEMBER_TEMPLATES {
        if !by_name.contains_key(name) {
            if let Some((_, source)) = crate::builtin::TEMPLATES.iter().find(|(n, _)| *n == name) {
                by_name.insert(
                    name.to_string(),
                    TemplateFile {
                        name: name.to_string(),
                        shown: Path::new(crate::builtin::SHOWN_PREFIX)
                            .join(TEMPLATES_DIR)
                            .join(name),
                        source: source.to_string(),
                    },
                );
            }
        }
    }
    // Static files are copied at the end of a build, not read: a FIFO or a device among them
    // is refused here, with the theme's other files, before anything is written.
    for dir in [theme_dir.join("static"), config.root.join("static")] {
        if dir.is_dir() {
            diags.extend(list_files_or_refuse(&dir, &config.root, &mut Vec::new())?);
        }
    }
    Ok((by_name.into_values().collect(), diags))
}

/// Templates of the members' pages and the translation dashboard, taken from the default
/// theme when a theme has none.
const MEMBER_TEMPLATES: [&str; 3] = ["member.html", "members.html", "translations.html"];

/// The regular files under `dir`, sorted, links followed; what cannot be copied (FIFOs,
/// devices, sockets, links back to a folder being listed) is left out.
pub fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    walk_files(dir, &mut Vec::new(), out, &mut Vec::new())?;
    out.sort();
    Ok(())
}

/// As `list_files`, with an error (paths shown from `root`) for each file left out.
fn list_files_or_refuse(
    dir: &Path,
    root: &Path,
    out: &mut Vec<PathBuf>,
) -> anyhow::Result<Vec<Diagnostic>> {
    let mut refused = Vec::new();
    walk_files(dir, &mut Vec::new(), out, &mut refused)?;
    out.sort();
    refused.sort();
    Ok(refused
        .into_iter()
        .map(|(path, kind)| {
            let shown = crate::diag::display_path(root, &path);
            match kind {
                Some(kind) => crate::user_files::Refused::Special(kind).diagnostic(&shown),
                None => crate::user_files::loop_diagnostic(&shown),
            }
        })
        .collect())
}

/// Lists the regular files under `dir`; `ancestors` are the folders being listed. Each path
/// refused comes with what it is (`None`: a link back to a folder being listed).
fn walk_files(
    dir: &Path,
    ancestors: &mut Vec<(u64, u64)>,
    out: &mut Vec<PathBuf>,
    refused: &mut Vec<(PathBuf, Option<&'static str>)>,
) -> anyhow::Result<()> {
    let meta =
        std::fs::metadata(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
    let id = crate::user_files::folder_id(&meta);
    if ancestors.contains(&id) {
        refused.push((dir.to_path_buf(), None));
        return Ok(());
    }
    ancestors.push(id);
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
        let name = entry.file_name();
        if crate::content::is_ignored(&name.to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        let meta = std::fs::metadata(&path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        if meta.is_dir() {
            walk_files(&path, ancestors, out, refused)?;
        } else if let Some(kind) = crate::user_files::special_kind(&meta.file_type()) {
            refused.push((path, Some(kind)));
        } else {
            out.push(path);
        }
    }
    ancestors.pop();
    Ok(())
}

/// Problems met while rendering, reported once each. Rendering runs on several threads,
/// and minijinja functions can only report through shared state.
#[derive(Default, Clone)]
pub struct Problems(Arc<Mutex<BTreeSet<Diagnostic>>>);

impl Problems {
    pub(super) fn add(&self, diagnostic: Diagnostic) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(diagnostic);
        }
    }

    pub fn take(&self) -> Vec<Diagnostic> {
        self.0
            .lock()
            .map(|mut set| std::mem::take(&mut *set).into_iter().collect())
            .unwrap_or_default()
    }
}

/// The variable every template gets with the path the site is published under (`/igf`, or
/// empty), for links the theme writes itself: `{{ base_path }}/style.css`.
pub const BASE_PATH: &str = "base_path";

/// The template environment with the Fluent `t()` function bound to it.
pub struct Templates {
    pub(super) env: Environment<'static>,
    pub(super) messages: Arc<Messages>,
    pub(super) shown: Arc<BTreeMap<String, PathBuf>>,
    pub(super) problems: Problems,
}

/// Compiles the templates; syntax errors and missing templates become diagnostics.
pub fn compile(files: Vec<TemplateFile>, messages: Arc<Messages>) -> (Templates, Vec<Diagnostic>) {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_formatter(escape_html);
    let mut diags = Vec::new();
    let shown: Arc<BTreeMap<String, PathBuf>> = Arc::new(
        files
            .iter()
            .map(|f| (f.name.clone(), f.shown.clone()))
            .collect(),
    );
    for file in files {
        let (name, path, source) = (file.name, file.shown, file.source);
        if let Err(e) = env.add_template_owned(name, source.clone()) {
            diags.push(template_diagnostic(&e, &path, Some(&source), &shown, &env));
        }
    }
    for required in REQUIRED_TEMPLATES {
        if !shown.contains_key(required) {
            diags.push(
                Diagnostic::error(
                    PathBuf::from(THEMES_DIR),
                    Position::START,
                    format!("the theme has no `{required}` template"),
                )
                .with_hint(format!(
                    "add `templates/{required}` to the site or the theme"
                )),
            );
        }
    }
    let problems = Problems::default();
    let (reporter, paths, strings) = (problems.clone(), shown.clone(), messages.clone());
    env.add_function(
        "t",
        move |state: &State, key: String, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let lang = state
                .lookup("lang")
                .and_then(|l| l.get_attr("code").ok())
                .and_then(|c| c.as_str().map(String::from))
                .unwrap_or_default();
            let mut args = FluentArgs::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                match value.as_i64() {
                    Some(n) if value.is_number() => args.set(name.to_string(), n),
                    _ => args.set(name.to_string(), value.to_string()),
                }
            }
            let (text, problems) = strings.format(&lang, &key, Some(&args));
            let template = paths
                .get(state.name())
                .cloned()
                .unwrap_or_else(|| PathBuf::from(state.name()));
            for problem in problems {
                reporter.add(problem.diagnostic(&template));
            }
            Ok(text)
        },
    );
    // `{{ page.url|url }}`: a URL from the site's root, as a page writes it (`/igf/fr/x/` for a
    // site published under `/igf`); absolute and relative URLs pass unchanged.
    env.add_filter("url", |state: &State, url: String| -> String {
        let base_path = state
            .lookup(BASE_PATH)
            .and_then(|b| b.as_str().map(String::from))
            .unwrap_or_default();
        crate::url::on_site(&base_path, &url)
    });
    (
        Templates {
            env,
            messages,
            shown,
            problems,
        },
        diags,
    )
}

/// Escapes what HTML needs escaped and nothing more: minijinja's default also turns every `/`
/// of every URL into `&#x2f;`, which is valid but bloats pages and hampers reading the source.
fn escape_html(
    out: &mut minijinja::Output,
    state: &State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if value.is_safe()
        || matches!(state.auto_escape(), minijinja::AutoEscape::None)
        || value.is_none()
    {
        return minijinja::escape_formatter(out, state, value);
    }
    let owned;
    let text = match value.as_str() {
        Some(text) => text,
        None => {
            owned = value.to_string();
            &owned
        }
    };
    let mut escaped = String::with_capacity(text.len() + 16);
    let mut clean_from = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        escaped.push_str(&text[clean_from..i]);
        escaped.push_str(entity);
        clean_from = i + 1;
    }
    escaped.push_str(&text[clean_from..]);
    out.write_str(&escaped)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
}

/// A minijinja error as a diagnostic on the template it happened in.
/// `fallback` is the template being compiled or rendered; an error inside a template it
/// includes or extends is reported on that template's own file, from `shown`.
pub(super) fn template_diagnostic(
    e: &minijinja::Error,
    fallback: &Path,
    fallback_source: Option<&str>,
    shown: &BTreeMap<String, PathBuf>,
    env: &Environment,
) -> Diagnostic {
    let mut cause: &minijinja::Error = e;
    // The innermost template error says where the problem really is (an included template).
    while let Some(inner) =
        std::error::Error::source(cause).and_then(|s| s.downcast_ref::<minijinja::Error>())
    {
        cause = inner;
    }
    let named = cause.name().and_then(|n| {
        Some((
            shown.get(n)?.clone(),
            env.get_template(n).ok()?.source().to_string(),
        ))
    });
    let (path, source) = match named {
        Some((path, source)) => (path, Some(source)),
        None => (fallback.to_path_buf(), fallback_source.map(str::to_string)),
    };
    let source = source.as_deref();
    let line = cause.line().unwrap_or(1);
    let col = match (cause.range(), source.or(cause.template_source())) {
        (Some(range), Some(text)) => Position::at(text, range.start).col,
        _ => 1,
    };
    let snippet = match (cause.range(), source.or(cause.template_source())) {
        (Some(range), Some(text)) if cause.kind() == minijinja::ErrorKind::UndefinedError => {
            text.get(range).map(|s| format!(" `{s}`"))
        }
        _ => None,
    };
    let message = match cause.detail() {
        Some(detail) => format!("template error: {}: {detail}", cause.kind()),
        None => format!(
            "template error: {}{}",
            cause.kind(),
            snippet.unwrap_or_default()
        ),
    };
    let hint = match cause.kind() {
        minijinja::ErrorKind::UndefinedError => {
            "this variable does not exist here; see the README for what templates can use"
        }
        minijinja::ErrorKind::SyntaxError => {
            "check the `{{ }}` and `{% %}` tags around this position"
        }
        _ => "see the template documentation in the README",
    };
    Diagnostic {
        path,
        line,
        col,
        ..Diagnostic::error("", Position::START, message)
    }
    .with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_listed_and_links_never_loop() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("static/css")).unwrap();
        std::fs::write(root.join("static/css/site.css"), "a{}").unwrap();
        std::fs::write(root.join("static/logo.svg"), "<svg/>").unwrap();
        std::os::unix::fs::symlink("..", root.join("static/css/up")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("static/zero.css")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(root.join("static/pipe.js"))
            .status()
            .unwrap();
        assert!(status.success());
        let mut files = Vec::new();
        list_files(&root.join("static"), &mut files).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["static/css/site.css", "static/logo.svg"]);
        let refused: Vec<String> =
            list_files_or_refuse(&root.join("static"), root, &mut Vec::new())
                .unwrap()
                .iter()
                .map(|d| d.to_string().lines().next().unwrap_or_default().to_string())
                .collect();
        assert_eq!(
            refused,
            [
                "static/css/up:1:1: error: `up` is a symbolic link back to a folder that holds it",
                "static/pipe.js:1:1: error: `pipe.js` is a FIFO (named pipe), not a regular file",
                "static/zero.css:1:1: error: `zero.css` is a character device, not a regular file",
            ]
        );
    }
}
