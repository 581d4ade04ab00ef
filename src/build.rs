//! The build pipeline: each stage a plain function from the previous stage's value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::content::{Asset, Content, EntryKind, ParsedFile};
use crate::diag::Diagnostic;
use crate::output::{Discard, Overwrite, Sink, Staging, Target};
use crate::search_export::{self, Included};
use crate::sources::SourceTree;
use crate::views::Context;
use crate::{config, content, feeds, i18n, markdown, render, search, site, sources};

pub mod claims;

pub struct Options {
    pub root: PathBuf,
    /// Where the site goes; `None` renders everything and writes nothing (`plenary check`).
    pub out: Option<PathBuf>,
    pub drafts: bool,
    /// Called with the number of files to render, then once per file rendered.
    pub progress: Option<Box<dyn Progress>>,
    /// Writes the translation dashboard even where the site does not enable it (the preview
    /// server always shows it).
    pub dashboard: bool,
}

pub trait Progress: Sync {
    fn start(&self, total: usize);
    fn tick(&self);
    fn finish(&self);
}

/// How the build went for readers of one language.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageReport {
    pub code: String,
    /// Pages and sections written in this language.
    pub translated: usize,
    /// Pages and sections shown in their original language for want of a translation.
    pub fallbacks: usize,
}

#[derive(Debug, Default)]
pub struct Report {
    pub languages: Vec<LanguageReport>,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

pub enum Outcome {
    Built(Report),
    /// The user's files have errors (and maybe warnings); nothing was written.
    Failed(Vec<Diagnostic>),
}

/// Everything up to rendering, shared by `build`, `check` and the preview server.
pub struct Loaded {
    pub config: Arc<Config>,
    /// Every content file parsed, in `rel` order: the preview server parses again only those
    /// that change.
    pub files: Vec<ParsedFile>,
    pub content: Content,
    pub messages: Arc<i18n::Messages>,
    pub templates: Arc<render::Templates>,
    pub bodies: markdown::Bodies,
    pub site: site::Site,
    /// The content trees: the site's own first, then each member's.
    pub sources: Arc<Vec<SourceTree>>,
    /// Other sites' pages, from their search exports, searched with this site's.
    pub included: Arc<Vec<Included>>,
}

impl Loaded {
    pub fn context(&self) -> Context<'_> {
        Context {
            config: &self.config,
            content: &self.content,
            bodies: &self.bodies,
            messages: &self.messages,
            sources: &self.sources,
            included: &self.included,
        }
    }
}

/// A value, or the errors (and warnings) in the user's files that kept it from being made.
pub type Checked<T> = Result<T, Vec<Diagnostic>>;

/// Reads and checks every input; the diagnostics include warnings.
pub fn load(root: &Path, drafts: bool) -> anyhow::Result<Checked<(Loaded, Vec<Diagnostic>)>> {
    let config = match config::load(root)? {
        Ok(config) => config,
        Err(diags) => return Ok(Err(diags)),
    };
    let sources = match sources::resolve(&config, sources::Fetch::AsPinned, None)? {
        Ok(sources) => sources,
        Err(diags) => return Ok(Err(diags)),
    };
    let tree = content::load(&sources)?;
    let mut files = content::parse_files(tree.files, &config);
    if !tree.refused.is_empty() {
        files.extend(tree.refused);
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
    }
    let (content, mut diags) = content::assemble(&files, tree.assets, &config, drafts);
    let (ftl_files, mut ftl_read_diags) = i18n::load(&config)?;
    diags.append(&mut ftl_read_diags);
    let (messages, mut ftl_diags) = i18n::parse(&ftl_files, &config);
    diags.append(&mut ftl_diags);
    diags.extend(crate::fluent_check::check(&ftl_files, &config));
    let messages = Arc::new(messages);
    let (template_files, mut template_read_diags) = render::load_templates(&config)?;
    diags.append(&mut template_read_diags);
    let (templates, mut template_diags) = render::compile(template_files, messages.clone());
    diags.append(&mut template_diags);
    let (bodies, mut markdown_diags) = markdown::render(&content, &config);
    diags.append(&mut markdown_diags);
    let included = if config.search_index {
        search_export::read_all(&config).unwrap_or_else(|mut d| {
            diags.append(&mut d);
            Vec::new()
        })
    } else {
        Vec::new()
    };
    diags.sort();
    diags.dedup();
    if diags.iter().any(Diagnostic::is_error) {
        return Ok(Err(diags));
    }
    let site = site::index(&content, &config);
    Ok(Ok((
        Loaded {
            config: Arc::new(config),
            files,
            content,
            messages,
            templates: Arc::new(templates),
            bodies,
            site,
            sources: Arc::new(sources),
            included: Arc::new(included),
        },
        diags,
    )))
}

/// Builds the site into `options.out`, or checks it when there is none.
pub fn build(options: Options) -> anyhow::Result<Outcome> {
    build_with(options, Overwrite::EarlierBuilds)
}

/// `build`, saying what an existing output folder may be replaced with (`--force`).
pub fn build_with(options: Options, overwrite: Overwrite) -> anyhow::Result<Outcome> {
    Ok(match build_site_with(options, overwrite)? {
        Ok((report, _)) => Outcome::Built(report),
        Err(diags) => Outcome::Failed(diags),
    })
}

/// Builds the site and keeps what it was built from, which the server renders search
/// results with.
pub fn build_site(options: Options) -> anyhow::Result<Checked<(Report, Loaded)>> {
    build_site_with(options, Overwrite::EarlierBuilds)
}

fn build_site_with(
    options: Options,
    overwrite: Overwrite,
) -> anyhow::Result<Checked<(Report, Loaded)>> {
    let started = Instant::now();
    // Before anything is read: a second build into the same folder stops at once.
    let target = match &options.out {
        Some(out) => Some(Target::claim(
            out,
            &options.root,
            &source_paths(&options.root)?,
            overwrite,
        )?),
        None => None,
    };
    let (mut loaded, mut warnings) = match load(&options.root, options.drafts)? {
        Ok(loaded) => loaded,
        Err(diags) => return Ok(Err(diags)),
    };
    if options.dashboard {
        Arc::make_mut(&mut loaded.config).translation_dashboard = true;
    }
    let context = loaded.context();
    let clashes = claims::check(
        &context,
        &loaded.site,
        &loaded.templates.plan(&context, &loaded.site),
    )?;
    if !clashes.is_empty() {
        warnings.extend(clashes);
        warnings.sort();
        return Ok(Err(warnings));
    }
    let staging = match target {
        Some(target) => Some(Staging::begin(target)?),
        None => None,
    };
    let sink: &dyn Sink = match &staging {
        Some(staging) => staging,
        None => &Discard,
    };
    let progress = options.progress.as_deref();
    if let Some(p) = progress {
        p.start(loaded.templates.count_jobs(&context, &loaded.site));
    }
    let tick = || {
        if let Some(p) = progress {
            p.tick();
        }
    };
    // The search index is written while the pages render: rendering leaves cores idle
    // between its stages, and indexing fills them.
    let index_dir = staging
        .as_ref()
        .filter(|_| loaded.config.search_index)
        .map(Staging::dir);
    let (rendered, indexed) = std::thread::scope(|scope| {
        let indexing = index_dir.map(|dir| scope.spawn(|| write_search_index(&context, dir)));
        let rendered = loaded
            .templates
            .render_site(&context, &loaded.site, sink, &tick)
            .and_then(|files| Ok(files + write_extras(&context, &loaded.site, sink)?));
        let indexed = match indexing {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("writing the search index failed"))),
            None => Ok(()),
        };
        (rendered, indexed)
    });
    let files = rendered?;
    indexed?;
    if let Some(p) = progress {
        p.finish();
    }
    warnings.extend(loaded.templates.problems());
    warnings.sort();
    warnings.dedup();
    if warnings.iter().any(Diagnostic::is_error) {
        // Dropping the staging folder leaves the previous site as it was.
        return Ok(Err(warnings));
    }
    if let Some(staging) = staging {
        staging.commit()?;
    }
    let report = Report {
        languages: language_report(&loaded.config, &loaded.content),
        files,
        warnings,
        elapsed: started.elapsed(),
    };
    Ok(Ok((report, loaded)))
}

/// What a build reads, with how a refusal to write over it names it: the site's folders,
/// members' trees and other sites' search exports. The error is a site.toml that cannot be
/// read at all (no site at `root`), as the build would say.
fn source_paths(root: &Path) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut sources: Vec<(PathBuf, String)> = [
        crate::content::CONTENT_DIR,
        render::THEMES_DIR,
        render::TEMPLATES_DIR,
        i18n::I18N_DIR,
        "static",
        crate::sources::git::CACHE_DIR,
    ]
    .iter()
    .map(|folder| (root.join(folder), format!("the site's `{folder}/` folder")))
    .collect();
    // Members' folders and other sites' search exports are named in site.toml. A site.toml
    // that does not load leaves them out: the build stops at its errors before writing.
    if let Ok(config) = config::load(root)? {
        let members = config
            .sources
            .iter()
            .filter_map(|spec| match &spec.location {
                crate::sources::Location::Path(path) => Some((
                    config.root.join(path),
                    format!("the tree of the member `{}`", spec.id),
                )),
                crate::sources::Location::Git { .. } => None,
            });
        let included = config.search_includes.iter().map(|path| {
            (
                config.root.join(path),
                format!("`{}`, searched with the site", path.display()),
            )
        });
        sources.extend(members.chain(included));
    }
    Ok(sources)
}

/// The search index of the site's pages and the sites it includes, what a browser needs to
/// search it (see search_browser.rs), and the site's export when it publishes one.
fn write_search_index(context: &Context, site_dir: &Path) -> anyhow::Result<()> {
    let mut docs = search::documents(context);
    let own = docs.len();
    for site in context.included {
        docs.extend(site.docs.iter().map(|d| search::SearchDoc {
            body: std::borrow::Cow::Borrowed(&d.body),
            ..d.clone()
        }));
    }
    let languages: Vec<String> = context
        .config
        .languages
        .iter()
        .map(|l| l.code.clone())
        .collect();
    if !context.config.search_export {
        search::write_index(&docs, &languages, site_dir)?;
        return crate::search_browser::write(site_dir, &languages);
    }
    let members = context
        .sources
        .iter()
        .filter_map(|t| Some((t.id.clone(), t.member.as_ref()?.name.clone())))
        .collect();
    // Beside the index rather than after it: the export is a tenth of the indexing work, and
    // after it, it would lengthen the build by as much.
    std::thread::scope(|scope| {
        let export =
            scope.spawn(|| search_export::write(&docs[..own], context.config, members, site_dir));
        let indexed = search::write_index(&docs, &languages, site_dir);
        let exported = export
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("writing the search export failed")));
        indexed.and(exported)
    })?;
    crate::search_browser::write(site_dir, &languages)
}

/// Feeds, sitemap, robots.txt, static files and the files of page bundles.
pub fn write_extras(
    context: &Context,
    site: &site::Site,
    sink: &dyn Sink,
) -> anyhow::Result<usize> {
    Ok(write_feeds(context, site, sink)?
        + write_sitemap(context, sink)?
        + write_static(context, sink)?
        + write_bundle_files(context, sink)?)
}

/// An Atom feed per language.
pub fn write_feeds(context: &Context, site: &site::Site, sink: &dyn Sink) -> anyhow::Result<usize> {
    for lang in &context.config.languages {
        let (path, xml) = feeds::atom(context, site, &lang.code);
        sink.put(&path, xml.as_bytes())?;
    }
    Ok(context.config.languages.len())
}

pub fn write_sitemap(context: &Context, sink: &dyn Sink) -> anyhow::Result<usize> {
    let files = feeds::sitemap(context);
    for (path, xml) in &files {
        sink.put(path, xml.as_bytes())?;
    }
    Ok(files.len())
}

/// robots.txt and the static files of the theme and the site: what no content changes.
pub fn write_static(context: &Context, sink: &dyn Sink) -> anyhow::Result<usize> {
    let files = static_files(context.config)?;
    // The site's own `static/robots.txt` replaces the one written for it.
    if !files.contains_key(ROBOTS) {
        sink.put(ROBOTS, feeds::robots(context).as_bytes())?;
    }
    for (rel, file) in &files {
        match file {
            StaticFile::Builtin(bytes) => sink.put(rel, bytes)?,
            StaticFile::Copy(from) => sink.copy(from, rel)?,
        }
    }
    Ok(files.len() + usize::from(!files.contains_key(ROBOTS)))
}

/// Written for every site, unless its `static/` has one.
pub const ROBOTS: &str = "robots.txt";

/// A file published as it is from the theme or the site's `static/`.
pub enum StaticFile {
    /// A file of the built-in theme.
    Builtin(&'static [u8]),
    Copy(PathBuf),
}

/// The static files by path in the site: the theme's (or the built-in theme's), each
/// replaced by the site's `static/` file of the same path if there is one.
pub fn static_files(config: &Config) -> anyhow::Result<BTreeMap<String, StaticFile>> {
    let mut files = BTreeMap::new();
    if config.uses_builtin_theme() {
        for (rel, bytes) in crate::builtin::STATIC {
            files.insert(rel.to_string(), StaticFile::Builtin(bytes));
        }
    }
    for dir in [
        config
            .root
            .join(render::THEMES_DIR)
            .join(&config.theme)
            .join("static"),
        config.root.join("static"),
    ] {
        if dir.is_dir() {
            let mut found = Vec::new();
            render::list_files(&dir, &mut found)?;
            for file in found {
                let rel = file
                    .strip_prefix(&dir)
                    .unwrap_or(&file)
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, StaticFile::Copy(file));
            }
        }
    }
    Ok(files)
}

/// The files of page bundles and section folders, beside their pages.
pub fn write_bundle_files(context: &Context, sink: &dyn Sink) -> anyhow::Result<usize> {
    let files = bundle_files(context);
    for file in &files {
        sink.copy(&file.asset.source, &file.path)?;
    }
    Ok(files.len())
}

/// A file of a page bundle or section folder, as published.
pub struct BundleFile<'a> {
    /// Its path in the built site.
    pub path: String,
    pub asset: &'a Asset,
}

/// Every bundle file, published once, beside the default-language URL of its page.
pub fn bundle_files<'a>(context: &Context<'a>) -> Vec<BundleFile<'a>> {
    let assets: BTreeMap<&str, &Asset> = context
        .content
        .assets
        .iter()
        .map(|a| (a.rel.as_str(), a))
        .collect();
    let mut files = Vec::new();
    for entry in &context.content.entries {
        for rel in &entry.assets {
            let file = rel.strip_prefix(&format!("{}/", entry.key)).unwrap_or(rel);
            if let Some(asset) = assets.get(rel.as_str()) {
                files.push(BundleFile {
                    path: markdown::asset_url(entry, file)
                        .trim_start_matches('/')
                        .to_string(),
                    asset,
                });
            }
        }
    }
    files
}

fn language_report(config: &Config, content: &Content) -> Vec<LanguageReport> {
    config
        .languages
        .iter()
        .map(|lang| {
            let published = content
                .entries
                .iter()
                .filter(|e| e.kind == EntryKind::Page || !e.key.is_empty());
            let (translated, fallbacks) = published.fold((0, 0), |(t, f), e| {
                if e.docs.contains_key(&lang.code) {
                    (t + 1, f)
                } else {
                    (t, f + 1)
                }
            });
            LanguageReport {
                code: lang.code.clone(),
                translated,
                fallbacks,
            }
        })
        .collect()
}
