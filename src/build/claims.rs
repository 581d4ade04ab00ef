//! Every file a build writes and what writes it, checked before anything is written: two
//! writers of one path, a file where another writer needs a folder, and published names that
//! cannot stand in a URL are errors naming the files responsible.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::build::{self, StaticFile};
use crate::content::{fold, segment_problem, Asset};
use crate::diag::{Diagnostic, Position};
use crate::render::{self, Job};
use crate::site::Site;
use crate::views::Context;

/// What writes a file of the site.
#[derive(Clone, Copy)]
enum Writer<'a> {
    Job(Job),
    /// A file made of the whole site (feeds, sitemap, ...), named for the message.
    Made(&'static str),
    /// The search index's folder: nothing else may write in it.
    SearchIndex,
    Static(&'a Path),
    /// A static file of the built-in theme.
    Builtin,
    Bundle(&'a Asset),
}

struct Claim<'a> {
    /// Where in the built site, `/`-separated.
    path: String,
    writer: Writer<'a>,
    /// The writer owns the whole folder at `path`.
    folder: bool,
}

/// The errors in what the site at `context` would write (`jobs` are its rendered files).
pub fn check(context: &Context, site: &Site, jobs: &[Job]) -> anyhow::Result<Vec<Diagnostic>> {
    let statics = build::static_files(context.config)?;
    let claims = claims(context, site, jobs, &statics);
    let mut found = Found {
        context,
        site,
        claims: &claims,
        diags: Vec::new(),
        seen: HashSet::new(),
    };
    for (i, claim) in claims.iter().enumerate() {
        if matches!(claim.writer, Writer::Static(_) | Writer::Bundle(_)) {
            if let Some((segment, why)) = claim
                .path
                .split('/')
                .find_map(|s| Some((s, segment_problem(s)?)))
            {
                found.bad_name(i, segment, &why);
            }
        }
    }
    // Compared as Windows and macOS see paths: one file there is a clash everywhere.
    let folded: Vec<String> = claims.iter().map(|c| fold(&c.path)).collect();
    let mut files: HashMap<&str, usize> = HashMap::with_capacity(claims.len());
    let file_claims = || (0..claims.len()).filter(|&i| !claims[i].folder);
    for i in file_claims() {
        match files.get(folded[i].as_str()) {
            Some(&first) => found.twice(first, i),
            None => {
                files.insert(&folded[i], i);
            }
        }
    }
    for i in file_claims() {
        let path = &folded[i];
        for (end, _) in path.match_indices('/') {
            if let Some(&file) = files.get(&path[..end]) {
                found.file_for_folder(file, i);
            }
        }
    }
    for owner in (0..claims.len()).filter(|&i| claims[i].folder) {
        let inside = format!("{}/", folded[owner]);
        for i in file_claims() {
            if folded[i] == folded[owner] || folded[i].starts_with(&inside) {
                found.in_owned_folder(owner, i);
            }
        }
    }
    Ok(found.diags)
}

/// Every file of the site, in the order the build plans them.
fn claims<'a>(
    context: &Context<'a>,
    site: &Site,
    jobs: &[Job],
    statics: &'a BTreeMap<String, StaticFile>,
) -> Vec<Claim<'a>> {
    let config = context.config;
    let file = |path: String, writer| Claim {
        path,
        writer,
        folder: false,
    };
    let mut claims: Vec<Claim<'a>> = jobs
        .iter()
        .map(|job| {
            let path = render::output_path(&render::job_url(job, context, site));
            file(path, Writer::Job(*job))
        })
        .collect();
    for lang in &config.languages {
        claims.push(file(
            crate::feeds::atom_path(config, &lang.code),
            Writer::Made("the Atom feed"),
        ));
    }
    for path in crate::feeds::sitemap_paths(context) {
        claims.push(file(path, Writer::Made("the sitemap")));
    }
    if !statics.contains_key(build::ROBOTS) {
        claims.push(file(build::ROBOTS.into(), Writer::Made("robots.txt")));
    }
    claims.push(file(
        crate::output::MARKER.into(),
        Writer::Made("the mark every build leaves"),
    ));
    for (path, source) in statics {
        let writer = match source {
            StaticFile::Builtin(_) => Writer::Builtin,
            StaticFile::Copy(from) => Writer::Static(from),
        };
        claims.push(file(path.clone(), writer));
    }
    for bundle in build::bundle_files(context) {
        claims.push(file(bundle.path, Writer::Bundle(bundle.asset)));
    }
    if config.search_index {
        claims.push(Claim {
            path: crate::search::SEARCH_DIR.into(),
            writer: Writer::SearchIndex,
            folder: true,
        });
    }
    claims
}

/// A writer as the user knows it: the file to blame (if it is one), what to call it, how
/// likely it is the one to change, and what to do.
struct Described {
    at: Option<(PathBuf, Position)>,
    what: String,
    /// Of two writers, the one ranked higher is where the error goes: a single file the user
    /// put there (a static file, a bundle file, a page) before what is made of many.
    rank: u8,
    hint: &'static str,
}

/// The diagnostics found so far, one for each file (and position) to change: a page that
/// clashes in every language, or a static file in the way of a whole section, is one error.
struct Found<'c, 'a> {
    context: &'c Context<'c>,
    site: &'c Site,
    claims: &'c [Claim<'a>],
    diags: Vec<Diagnostic>,
    seen: HashSet<(PathBuf, usize, usize)>,
}

impl Found<'_, '_> {
    fn twice(&mut self, first: usize, second: usize) {
        let (a, b) = (&self.claims[first].path, &self.claims[second].path);
        self.report(first, second, |blamed, other, blamed_path, other_path| {
            if a == b {
                format!("{blamed} writes `{blamed_path}`, and so does {other}")
            } else {
                format!(
                    "{blamed} writes `{blamed_path}` and {other} writes `{other_path}`: \
                     one file where case or accents are not told apart (Windows, macOS)"
                )
            }
        });
    }

    fn file_for_folder(&mut self, file: usize, inner: usize) {
        self.report(file, inner, |blamed, other, blamed_path, other_path| {
            if blamed_path.len() < other_path.len() {
                format!("{blamed} writes the file `{blamed_path}`, where {other} needs a folder for `{other_path}`")
            } else {
                format!("{blamed} writes `{blamed_path}` inside `{other_path}`, which {other} writes as a file")
            }
        });
    }

    fn in_owned_folder(&mut self, owner: usize, inner: usize) {
        self.report(owner, inner, |blamed, other, blamed_path, other_path| {
            if blamed_path.len() > other_path.len() {
                format!("{blamed} writes `{blamed_path}`, in the folder of {other}")
            } else {
                format!("{other} writes `{other_path}`, in the folder of {blamed}")
            }
        });
    }

    fn bad_name(&mut self, i: usize, segment: &str, why: &str) {
        let described = self.describe(self.claims[i].writer);
        let (path, at) = described.at.unwrap_or_else(site_toml);
        let message = format!(
            "{} is published as `{}`, and the name {segment:?} cannot stand in a URL: {why}",
            described.what, self.claims[i].path
        );
        let hint = match crate::content::suggestion(segment) {
            s if s.is_empty() => "rename it with letters, digits and hyphens".to_string(),
            s => format!("rename it with letters, digits and hyphens, such as `{s}`"),
        };
        self.diags
            .push(Diagnostic::error(path, at, message).with_hint(hint));
    }

    /// One error for the writers of claims `a` and `b`, on the one more likely to change;
    /// `message` gets the blamed writer, the other, and the paths each writes.
    fn report(&mut self, a: usize, b: usize, message: impl Fn(&str, &str, &str, &str) -> String) {
        let (da, db) = (
            self.describe(self.claims[a].writer),
            self.describe(self.claims[b].writer),
        );
        let ((blamed, bi), (other, oi)) = if da.rank > db.rank || db.at.is_none() && da.at.is_some()
        {
            ((da, a), (db, b))
        } else {
            ((db, b), (da, a))
        };
        let (path, at) = blamed.at.clone().unwrap_or_else(site_toml);
        if !self.seen.insert((path.clone(), at.line, at.col)) {
            return;
        }
        let text = message(
            &blamed.what,
            &other.what,
            &self.claims[bi].path,
            &self.claims[oi].path,
        );
        self.diags
            .push(Diagnostic::error(path, at, text).with_hint(format!(
                "{}: each file of the site has one writer",
                blamed.hint
            )));
    }

    fn describe(&self, writer: Writer) -> Described {
        let context = self.context;
        let made = |what: String| Described {
            at: None,
            what,
            rank: 0,
            hint: "rename the other",
        };
        match writer {
            Writer::Job(job) => self.describe_job(job),
            Writer::Made(what) => made(what.to_string()),
            Writer::Builtin => made("the built-in theme".into()),
            Writer::SearchIndex => made(format!(
                "the search index (`{}/`)",
                crate::search::SEARCH_DIR
            )),
            Writer::Static(source) => {
                let shown = crate::diag::display_path(&context.config.root, source);
                Described {
                    what: format!("the static file `{}`", shown.display()),
                    at: Some((shown, Position::START)),
                    rank: 5,
                    hint: "rename or remove the static file",
                }
            }
            Writer::Bundle(asset) => {
                let tree = crate::sources::tree_of(context.sources, &asset.rel);
                let shown = tree.shown(tree.tree_rel(&asset.rel).unwrap_or(&asset.rel));
                Described {
                    what: format!("the file `{}`", shown.display()),
                    at: Some((shown, Position::START)),
                    rank: 4,
                    hint: "rename the file",
                }
            }
        }
    }

    fn describe_job(&self, job: Job) -> Described {
        let context = self.context;
        let code = |lang: usize| context.config.languages[lang].code.as_str();
        let made = |what: &str| Described {
            at: None,
            what: what.to_string(),
            rank: 0,
            hint: "rename the other",
        };
        match job {
            Job::Page { entry, lang } => {
                let (doc, _) = context.content.entries[entry].doc_for(code(lang));
                let at = match &doc.front.slug {
                    Some(slug) => crate::frontmatter::value_position(&doc.text, "slug", slug),
                    None => Position::START,
                };
                Described {
                    what: format!("the page `{}`", doc.shown.display()),
                    at: Some((doc.shown.clone(), at)),
                    rank: 3,
                    hint: "change the page's `slug` or rename its file",
                }
            }
            Job::Section { entry, lang, page } => {
                let (doc, _) = context.content.entries[entry].doc_for(code(lang));
                let what = match page {
                    1 => format!("the section `{}`", doc.shown.display()),
                    n => format!("page {n} of the listing of `{}`", doc.shown.display()),
                };
                Described {
                    what,
                    at: Some((doc.shown.clone(), Position::START)),
                    rank: if page == 1 { 2 } else { 1 },
                    hint: "rename the section's folder",
                }
            }
            Job::Home { lang } => match context.content.get("") {
                Some(home) => {
                    let (doc, _) = home.doc_for(code(lang));
                    Described {
                        what: format!("the home page `{}`", doc.shown.display()),
                        at: Some((doc.shown.clone(), Position::START)),
                        rank: 2,
                        hint: "rename the other",
                    }
                }
                None => made("the home page"),
            },
            Job::Taxonomy { taxonomy, .. } => Described {
                what: format!(
                    "the list of {}s (`taxonomies` in `site.toml`)",
                    self.site.taxonomies[taxonomy].name
                ),
                at: None,
                rank: 0,
                hint: "rename the other",
            },
            Job::Term {
                taxonomy,
                term,
                page,
                ..
            } => self.describe_term(taxonomy, term, page),
            Job::NotFound { .. } => made("the page for addresses not found"),
            Job::Search { .. } => made("the search page"),
            Job::Members { .. } => made("the directory of members"),
            Job::Member { .. } => made("a member's page"),
            Job::Dashboard { .. } => made("the translation dashboard"),
        }
    }

    /// A term's listing, blamed on the newest page that gives the term.
    fn describe_term(&self, taxonomy: usize, term: usize, page: usize) -> Described {
        let tax = &self.site.taxonomies[taxonomy];
        let (value, pages) = &tax.terms[term];
        let page_note = if page > 1 {
            format!(" (page {page})")
        } else {
            String::new()
        };
        let Some(doc) = pages
            .first()
            .map(|&i| self.context.content.entries[i].original_doc())
        else {
            return Described {
                at: None,
                what: format!("the listing of {} `{value}`{page_note}", tax.name),
                rank: 0,
                hint: "rename the other",
            };
        };
        let key = match tax.name.as_str() {
            "theme" => "themes",
            "year" => "date",
            name => name,
        };
        Described {
            what: format!(
                "the listing of {} `{value}`{page_note} (from `{}`)",
                tax.name,
                doc.shown.display()
            ),
            at: Some((
                doc.shown.clone(),
                crate::frontmatter::value_position(&doc.text, key, value),
            )),
            rank: 1,
            hint: "choose another value",
        }
    }
}

fn site_toml() -> (PathBuf, Position) {
    (PathBuf::from(crate::config::CONFIG_FILE), Position::START)
}
