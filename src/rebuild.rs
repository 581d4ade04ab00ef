//! Rebuilds a served site after its content changes, touching only what the change reaches:
//! the files read again, the bodies, pages, listings and search documents that show them.
//! The result is the site a clean build would make (the tests compare the two).
//!
//! How it knows what a change reaches: each entry carries stamps, numbers that change when
//! the entry does (`page`) and when what listings show of it does (`summary`, per language).
//! Each output file's signature is a hash of the stamps and the structure it is made from
//! (`signature`); a file is rendered again when its signature differs from the last build's.

mod edits;
mod signature;
mod stamps;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use minijinja::Value;

use crate::build::{self, Checked, Loaded};
use crate::config::Config;
use crate::content::{self, Asset, ParsedFile};
use crate::diag::Diagnostic;
use crate::output::{self, Plan, Planned};
use crate::render::{job_url, output_path, Job};
use crate::search;
use crate::site::Site;
use crate::views::{self, Context};
use edits::index_of;
use signature::{feeds_signature, hash, job_id, signature, Whole};
use stamps::Stamps;

/// Past this many pages to render again, building the site whole is as quick and keeps
/// memory low (a patch holds its pages in memory until it knows it has no errors).
const MOST_PAGES_PATCHED: usize = 2000;

/// What the preview server keeps between builds.
pub struct Memo {
    /// Every content file as last read, built or not, by `rel`.
    files: BTreeMap<String, ParsedFile>,
    assets: BTreeMap<String, Asset>,
    drafts: bool,
    /// The last site built without errors, and what its files were made from.
    built: Arc<Loaded>,
    stamps: Stamps,
    /// `views::summaries` of the built site, per language.
    summaries: Vec<Vec<Value>>,
    /// What many of its pages read of the whole built site.
    whole: Whole,
    /// Every rendered page, in the order `Templates::plan` gives.
    pages: Vec<PagePlan>,
    /// The feeds, by output path, with a hash of their bytes.
    feeds: BTreeMap<String, u64>,
    /// The sitemap's files, likewise.
    sitemap: BTreeMap<String, u64>,
    /// robots.txt and static files: no content change changes them.
    statics: HashSet<String>,
    /// The files of bundles, by output path, with the file each is copied from.
    bundles: BTreeMap<String, PathBuf>,
    next_stamp: u64,
}

/// One rendered page of the built site.
#[derive(Clone, Copy)]
struct PagePlan {
    /// Which file it is (`job_id`).
    id: u64,
    /// The job, in the built site's terms.
    job: Job,
    signature: u64,
}

/// A rebuild that went well.
pub enum Patched {
    /// The served site was changed in place.
    Done {
        loaded: Arc<Loaded>,
        written: usize,
        removed: usize,
        warnings: Vec<Diagnostic>,
    },
    /// The change reaches too much of the site to patch: build it whole.
    TooBig,
}

/// The extra files of a patch: feeds, sitemap and bundle files. Planned (`Planned`), or as
/// written (`Written`: a hash of the bytes for feeds and sitemap, the source for copies).
struct Extras<T: Kind> {
    feeds: BTreeMap<String, T::Made>,
    sitemap: BTreeMap<String, T::Made>,
    bundles: BTreeMap<String, T::Copied>,
}

trait Kind {
    type Made;
    type Copied;
}

/// Extra files as a build plans them.
impl Kind for Planned {
    type Made = Planned;
    type Copied = Planned;
}

/// Extra files as written.
struct Written;

impl Kind for Written {
    type Made = u64;
    type Copied = PathBuf;
}

/// Renders `jobs` into memory: nothing is written before the whole patch is known to build.
fn render(
    loaded: &Loaded,
    jobs: &[Job],
    summaries: Vec<Vec<Value>>,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let rendered = Mutex::new(Vec::with_capacity(jobs.len()));
    loaded.templates.render_jobs(
        &loaded.context(),
        &loaded.site,
        jobs,
        summaries,
        &|path, html| {
            let mut rendered = rendered
                .lock()
                .map_err(|_| anyhow::anyhow!("render lock poisoned"))?;
            rendered.push((path.to_string(), html.as_bytes().to_vec()));
            Ok(())
        },
    )?;
    Ok(rendered
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

impl Memo {
    /// What a full build of the site at `site_dir` leaves for the next rebuild.
    pub fn new(built: Arc<Loaded>, drafts: bool) -> anyhow::Result<Memo> {
        let files = built
            .files
            .iter()
            .map(|f| (f.rel.clone(), f.clone()))
            .collect();
        let assets = built
            .content
            .assets
            .iter()
            .map(|a| (a.rel.clone(), a.clone()))
            .collect();
        let mut memo = Memo {
            files,
            assets,
            drafts,
            built: built.clone(),
            stamps: Stamps::default(),
            summaries: Vec::new(),
            whole: Whole::default(),
            pages: Vec::new(),
            feeds: BTreeMap::new(),
            sitemap: BTreeMap::new(),
            statics: HashSet::new(),
            bundles: BTreeMap::new(),
            next_stamp: 0,
        };
        let context = built.context();
        let languages = built.config.languages.len();
        memo.stamps.languages = languages;
        for _ in &built.content.entries {
            let page = memo.stamp();
            for _ in 0..languages {
                let summary = memo.stamp();
                memo.stamps.summary.push(summary);
            }
            let address = memo.stamp();
            memo.stamps.page.push(page);
            memo.stamps.address.push(address);
        }
        memo.summaries = built
            .config
            .languages
            .iter()
            .map(|l| views::summaries(&context, &l.code))
            .collect();
        memo.whole = Whole::of(&context, &built.site, &memo.stamps);
        for job in built.templates.plan(&context, &built.site) {
            memo.pages.push(PagePlan {
                id: job_id(&job, &memo.whole),
                job,
                signature: signature(&job, &context, &built.site, &memo.stamps, &memo.whole),
            });
        }
        memo.feeds = hashes(planned(|p| build::write_feeds(&context, &built.site, p))?);
        memo.sitemap = hashes(planned(|p| build::write_sitemap(&context, p))?);
        memo.statics = planned(|p| build::write_static(&context, p))?
            .into_keys()
            .collect();
        memo.bundles = sources(planned(|p| build::write_bundle_files(&context, p))?);
        Ok(memo)
    }

    fn stamp(&mut self) -> u64 {
        self.next_stamp += 1;
        self.next_stamp
    }

    /// Reads the content files at `changed` (paths in the site, as `content::load` gives
    /// them: files or folders, there or gone) again, and patches the site at `site_dir` to match; `Err` holds the
    /// diagnostics of a change that does not build, and the site is left as it was.
    pub fn rebuild(
        &mut self,
        site_dir: &Path,
        changed: &[String],
    ) -> anyhow::Result<Checked<Patched>> {
        let old = self.built.clone();
        let config = old.config.clone();
        let before: Vec<Option<ParsedFile>> = changed
            .iter()
            .map(|rel| self.files.get(rel).cloned())
            .collect();
        for rel in changed {
            self.reread(rel, &config)?;
        }
        let (loaded, touched, mut diags) = match self.edited_in_place(&old, changed, &before) {
            Some(Ok(edited)) => edited,
            Some(Err(diags)) => return Ok(Err(sorted(diags))),
            None => match self.reassembled(&old) {
                Ok(loaded) => loaded,
                Err(diags) => return Ok(Err(sorted(diags))),
            },
        };
        let loaded = Arc::new(loaded);
        let context = loaded.context();
        // Files added, removed or moved: two of the site's files may now claim one path.
        if touched.is_none() {
            let jobs = loaded.templates.plan(&context, &loaded.site);
            diags.extend(crate::build::claims::check(&context, &loaded.site, &jobs)?);
        }
        let (stamps, summaries) = self.restamp(&old, &loaded, touched.as_deref());
        let whole = match &touched {
            Some(touched) if self.same_whole(&old, &loaded, touched) => self.whole.clone(),
            _ => Whole::of(&context, &loaded.site, &stamps),
        };
        let (pages, dirty, same_pages) = self.plan_pages(&context, &loaded.site, &stamps, &whole);
        if dirty.len() > MOST_PAGES_PATCHED {
            return Ok(Ok(Patched::TooBig));
        }
        let rendered = render(&loaded, &dirty, summaries.clone())?;
        diags.extend(loaded.templates.problems());
        if diags.iter().any(Diagnostic::is_error) {
            return Ok(Err(sorted(diags)));
        }
        let extras = self.plan_extras(&old, &loaded, &stamps)?;

        // Nothing can fail in the user's files from here: write the difference.
        if loaded.config.search_index {
            self.update_search(&old, &loaded, &stamps, site_dir)?;
        }
        let mut written = rendered.len();
        for (path, html) in rendered {
            output::replace(site_dir, &path, &Planned::Bytes(html))?;
        }
        let touched_files: Vec<PathBuf> = changed
            .iter()
            .map(|rel| {
                let tree = crate::sources::tree_of(&old.sources, rel);
                let tree_rel = tree.tree_rel(rel).unwrap_or(rel);
                tree.dir.join(content::CONTENT_DIR).join(tree_rel)
            })
            .collect();
        let (extras, extras_written) = self.write_extras(site_dir, extras, &touched_files)?;
        written += extras_written;
        let gone = if same_pages {
            Vec::new()
        } else {
            self.gone_pages(&old, &loaded, &pages)
        };
        let removed = self.remove_gone(site_dir, &gone, &extras)?;
        self.built = loaded.clone();
        self.stamps = stamps;
        self.summaries = summaries;
        self.whole = whole;
        self.pages = pages;
        self.feeds = extras.feeds;
        self.sitemap = extras.sitemap;
        self.bundles = extras.bundles;
        Ok(Ok(Patched::Done {
            loaded,
            written,
            removed,
            warnings: sorted(diags),
        }))
    }

    /// The site's pages with their signatures; those to render again; and whether the site
    /// has the same pages as before, in the same order.
    fn plan_pages(
        &self,
        context: &Context,
        site: &Site,
        stamps: &Stamps,
        whole: &Whole,
    ) -> (Vec<PagePlan>, Vec<Job>, bool) {
        let templates = &self.built.templates;
        let jobs = templates.plan(context, site);
        let ids: Vec<u64> = jobs.iter().map(|job| job_id(job, whole)).collect();
        // Usually the site has the same pages as before, in the same order: each is compared
        // with the one in its place, with no lookup.
        let same_pages = ids.len() == self.pages.len()
            && ids.iter().zip(&self.pages).all(|(id, page)| *id == page.id);
        let earlier: HashMap<u64, u64> = if same_pages {
            HashMap::new()
        } else {
            self.pages.iter().map(|p| (p.id, p.signature)).collect()
        };
        let mut pages = Vec::with_capacity(jobs.len());
        let mut dirty = Vec::new();
        for (n, (job, id)) in jobs.into_iter().zip(ids).enumerate() {
            let signature = signature(&job, context, site, stamps, whole);
            let before = if same_pages {
                Some(self.pages[n].signature)
            } else {
                earlier.get(&id).copied()
            };
            if before != Some(signature) {
                dirty.push(job);
            }
            pages.push(PagePlan { id, job, signature });
        }
        (pages, dirty, same_pages)
    }

    /// The feeds and sitemap made again if what they show changed, and the bundle files.
    fn plan_extras(
        &self,
        old: &Loaded,
        new: &Loaded,
        stamps: &Stamps,
    ) -> anyhow::Result<Extras<Planned>> {
        let context = new.context();
        let feeds =
            if feeds_signature(&new.site, stamps) != feeds_signature(&old.site, &self.stamps) {
                planned(|p| build::write_feeds(&context, &new.site, p))?
            } else {
                BTreeMap::new()
            };
        let sitemap = if stamps.address != self.stamps.address {
            planned(|p| build::write_sitemap(&context, p))?
        } else {
            BTreeMap::new()
        };
        Ok(Extras {
            feeds,
            sitemap,
            bundles: planned(|p| build::write_bundle_files(&context, p))?,
        })
    }

    /// Writes the extra files that differ from the served ones; returns what the site has now
    /// and how many files were written. Feeds or sitemap not made again stay as they were; a
    /// bundle file is copied again when it is new, or a change named it (`touched`).
    fn write_extras(
        &self,
        site_dir: &Path,
        planned: Extras<Planned>,
        touched: &[PathBuf],
    ) -> anyhow::Result<(Extras<Written>, usize)> {
        let mut written = 0;
        let mut made = |before: &BTreeMap<String, u64>,
                        files: BTreeMap<String, Planned>|
         -> anyhow::Result<BTreeMap<String, u64>> {
            if files.is_empty() {
                return Ok(before.clone());
            }
            for (rel, file) in &files {
                if let Planned::Bytes(bytes) = file {
                    if before.get(rel) != Some(&hash(bytes)) {
                        output::replace(site_dir, rel, file)?;
                        written += 1;
                    }
                }
            }
            Ok(hashes(files))
        };
        let feeds = made(&self.feeds, planned.feeds)?;
        let sitemap = made(&self.sitemap, planned.sitemap)?;
        for (rel, file) in &planned.bundles {
            if let Planned::Copy(from) = file {
                if self.bundles.get(rel) != Some(from)
                    || touched.iter().any(|t| from.starts_with(t))
                {
                    output::replace(site_dir, rel, file)?;
                    written += 1;
                }
            }
        }
        let bundles = sources(planned.bundles);
        Ok((
            Extras {
                feeds,
                sitemap,
                bundles,
            },
            written,
        ))
    }

    /// The paths of the built site's pages that the new one does not have.
    fn gone_pages(&self, old: &Loaded, new: &Loaded, pages: &[PagePlan]) -> Vec<String> {
        let now: HashSet<u64> = pages.iter().map(|p| p.id).collect();
        let old_context = old.context();
        let gone: Vec<String> = self
            .pages
            .iter()
            .filter(|p| !now.contains(&p.id))
            .map(|p| output_path(&job_url(&p.job, &old_context, &old.site)))
            .collect();
        if gone.is_empty() {
            return gone;
        }
        // A page can move to a path another job had: that one stays.
        let context = new.context();
        let paths: HashSet<String> = pages
            .iter()
            .map(|p| output_path(&job_url(&p.job, &context, &new.site)))
            .collect();
        gone.into_iter().filter(|p| !paths.contains(p)).collect()
    }

    /// Removes the pages gone and the extra files the site no longer has; returns how many.
    fn remove_gone(
        &self,
        site_dir: &Path,
        gone_pages: &[String],
        now: &Extras<Written>,
    ) -> anyhow::Result<usize> {
        let has = |p: &String| {
            now.feeds.contains_key(p)
                || now.sitemap.contains_key(p)
                || now.bundles.contains_key(p)
                || self.statics.contains(p)
        };
        let was = gone_pages
            .iter()
            .chain(self.feeds.keys())
            .chain(self.sitemap.keys())
            .chain(self.bundles.keys());
        let mut removed = 0;
        for path in was.filter(|p| !has(p)) {
            output::remove(site_dir, path)?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Forgets what was read at `rel` and reads what is there now.
    fn reread(&mut self, rel: &str, config: &Config) -> anyhow::Result<()> {
        let under = format!("{rel}/");
        self.files.retain(|r, _| r != rel && !r.starts_with(&under));
        self.assets
            .retain(|r, _| r != rel && !r.starts_with(&under));
        let tree = content::load_at(&self.built.sources, rel)?;
        for raw in tree.files {
            let parsed = content::parse_one(raw, config);
            self.files.insert(parsed.rel.clone(), parsed);
        }
        for refused in tree.refused {
            self.files.insert(refused.rel.clone(), refused);
        }
        for asset in tree.assets {
            self.assets.insert(asset.rel.clone(), asset);
        }
        Ok(())
    }

    /// Takes the changed and removed pages out of the index and puts the changed and new ones
    /// in. Only documents that differ are touched: editing the English text of a page leaves
    /// the other languages' indexes alone.
    fn update_search(
        &self,
        old: &Loaded,
        new: &Loaded,
        stamps: &Stamps,
        site_dir: &Path,
    ) -> anyhow::Result<()> {
        let kept: HashSet<u64> = stamps.page.iter().copied().collect();
        let was = (0..old.content.entries.len()).filter(|&j| !kept.contains(&self.stamps.page[j]));
        let before = search::documents_of(&old.context(), was);
        let known: HashSet<u64> = self.stamps.page.iter().copied().collect();
        let now = (0..new.content.entries.len()).filter(|&i| !known.contains(&stamps.page[i]));
        let mut added = search::documents_of(&new.context(), now);
        let removed: Vec<(String, String)> = before
            .iter()
            .filter(|doc| !added.contains(doc))
            .map(|doc| (doc.lang.clone(), doc.url.clone()))
            .collect();
        added.retain(|doc| !before.contains(doc));
        if removed.is_empty() && added.is_empty() {
            return Ok(());
        }
        let languages: Vec<String> = new
            .config
            .languages
            .iter()
            .map(|l| l.code.clone())
            .collect();
        search::update_index(site_dir, &languages, &removed, &added)
    }
}

fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort();
    diags.dedup();
    diags
}

/// The files `write` would write, by output path, unwritten.
fn planned(
    write: impl FnOnce(&Plan) -> anyhow::Result<usize>,
) -> anyhow::Result<BTreeMap<String, Planned>> {
    let plan = Plan::default();
    write(&plan)?;
    Ok(plan.into_files())
}

fn hashes(files: BTreeMap<String, Planned>) -> BTreeMap<String, u64> {
    files
        .into_iter()
        .filter_map(|(rel, file)| match file {
            Planned::Bytes(bytes) => Some((rel, hash(bytes))),
            Planned::Copy(_) => None,
        })
        .collect()
}

fn sources(files: BTreeMap<String, Planned>) -> BTreeMap<String, PathBuf> {
    files
        .into_iter()
        .filter_map(|(rel, file)| match file {
            Planned::Copy(from) => Some((rel, from)),
            Planned::Bytes(_) => None,
        })
        .collect()
}
