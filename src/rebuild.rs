//! Rebuilds a served site after its content changes, touching only what the change reaches:
//! the files read again, the bodies, pages, listings and search documents that show them.
//! The result is the site a clean build would make (the tests compare the two).
//!
//! How it knows what a change reaches: each entry carries stamps, numbers that change when
//! the entry does (`page`) and when what listings show of it does (`summary`, per language).
//! Each output file's signature is a hash of the stamps and the structure it is made from
//! (`signature`); a file is rendered again when its signature differs from the last build's.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use minijinja::Value;

use crate::build::{self, Checked, Loaded};
use crate::config::Config;
use crate::content::{self, Asset, Content, Entry, ParsedFile};
use crate::diag::Diagnostic;
use crate::markdown::Body;
use crate::output::{self, Plan, Planned};
use crate::render::{job_url, output_path, Job};
use crate::search;
use crate::site::Site;
use crate::views::{self, Context};

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

/// Per entry (as in `Content::entries`): numbers that change when it does.
#[derive(Default, Clone)]
struct Stamps {
    page: Vec<u64>,
    /// Per entry, per site language: entry `i`'s in language `l` is at `i * languages + l`.
    summary: Vec<u64>,
    languages: usize,
    /// What the sitemap says of it: its languages, URLs and date.
    address: Vec<u64>,
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

    /// Reads the content files at `changed` (paths under `content/`, files or folders, there
    /// or gone) again, and patches the site at `site_dir` to match; `Err` holds the
    /// diagnostics of a change that does not build, and the site is left as it was.
    pub fn rebuild(
        &mut self,
        root: &Path,
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
            self.reread(root, rel, &config)?;
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
        let (stamps, summaries) = self.restamp(&old, &loaded, touched.as_deref());
        let whole = match &touched {
            Some(touched) if self.same_whole(&old, &loaded, touched) => self.whole.clone(),
            _ => Whole::of(&context, &loaded.site, &stamps),
        };

        let jobs = loaded.templates.plan(&context, &loaded.site);
        let ids: Vec<u64> = jobs.iter().map(|job| job_id(job, &whole)).collect();
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
            let signature = signature(&job, &context, &loaded.site, &stamps, &whole);
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
        if dirty.len() > MOST_PAGES_PATCHED {
            return Ok(Ok(Patched::TooBig));
        }
        let rendered = Mutex::new(Vec::with_capacity(dirty.len()));
        loaded.templates.render_jobs(
            &context,
            &loaded.site,
            &dirty,
            summaries.clone(),
            &|path, html| {
                let mut rendered = rendered
                    .lock()
                    .map_err(|_| anyhow::anyhow!("render lock poisoned"))?;
                rendered.push((path.to_string(), html.as_bytes().to_vec()));
                Ok(())
            },
        )?;
        diags.extend(loaded.templates.problems());
        if diags.iter().any(Diagnostic::is_error) {
            return Ok(Err(sorted(diags)));
        }
        let feeds =
            if feeds_signature(&loaded.site, &stamps) != feeds_signature(&old.site, &self.stamps) {
                Some(planned(|p| build::write_feeds(&context, &loaded.site, p))?)
            } else {
                None
            };
        let sitemap = if stamps.address != self.stamps.address {
            Some(planned(|p| build::write_sitemap(&context, p))?)
        } else {
            None
        };
        let bundles = planned(|p| build::write_bundle_files(&context, p))?;

        // Nothing can fail in the user's files from here: write the difference.
        if config.search_index {
            self.update_search(&old, &loaded, &stamps, site_dir)?;
        }
        let mut written = 0;
        let rendered = rendered
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (path, html) in rendered {
            output::replace(site_dir, &path, &Planned::Bytes(html))?;
            written += 1;
        }
        let mut made = |before: &BTreeMap<String, u64>,
                        files: Option<BTreeMap<String, Planned>>|
         -> anyhow::Result<BTreeMap<String, u64>> {
            let Some(files) = files else {
                return Ok(before.clone());
            };
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
        let feeds = made(&self.feeds, feeds)?;
        let sitemap = made(&self.sitemap, sitemap)?;
        // A bundle file is copied again when it is new here, or was named by the change.
        let content_dir = root.join(content::CONTENT_DIR);
        let touched: Vec<PathBuf> = changed.iter().map(|rel| content_dir.join(rel)).collect();
        for (rel, file) in &bundles {
            if let Planned::Copy(from) = file {
                if self.bundles.get(rel) != Some(from)
                    || touched.iter().any(|t| from.starts_with(t))
                {
                    output::replace(site_dir, rel, file)?;
                    written += 1;
                }
            }
        }
        let bundles = sources(bundles);
        let mut removed = 0;
        let gone_pages: Vec<String> = if same_pages {
            Vec::new()
        } else {
            let old_context = old.context();
            let now: HashSet<u64> = pages.iter().map(|p| p.id).collect();
            self.pages
                .iter()
                .filter(|p| !now.contains(&p.id))
                .map(|p| output_path(&job_url(&p.job, &old_context, &old.site)))
                .collect()
        };
        let new_paths: HashSet<String> = if gone_pages.is_empty() {
            HashSet::new()
        } else {
            pages
                .iter()
                .map(|p| output_path(&job_url(&p.job, &context, &loaded.site)))
                .collect()
        };
        let was = gone_pages
            .iter()
            .chain(self.feeds.keys())
            .chain(self.sitemap.keys())
            .chain(self.bundles.keys());
        let now = |p: &String| {
            new_paths.contains(p)
                || feeds.contains_key(p)
                || sitemap.contains_key(p)
                || bundles.contains_key(p)
                || self.statics.contains(p)
        };
        let gone: Vec<&String> = was.filter(|p| !now(p)).collect();
        for path in gone {
            output::remove(site_dir, path)?;
            removed += 1;
        }
        self.built = loaded.clone();
        self.stamps = stamps;
        self.summaries = summaries;
        self.whole = whole;
        self.pages = pages;
        self.feeds = feeds;
        self.sitemap = sitemap;
        self.bundles = bundles;
        Ok(Ok(Patched::Done {
            loaded,
            written,
            removed,
            warnings: sorted(diags),
        }))
    }

    /// Forgets what was read at `rel` and reads what is there now.
    fn reread(&mut self, root: &Path, rel: &str, config: &Config) -> anyhow::Result<()> {
        let under = format!("{rel}/");
        self.files.retain(|r, _| r != rel && !r.starts_with(&under));
        self.assets
            .retain(|r, _| r != rel && !r.starts_with(&under));
        let tree = content::load_at(root, rel)?;
        for raw in tree.files {
            let parsed = content::parse_one(raw, config);
            self.files.insert(parsed.rel.clone(), parsed);
        }
        for asset in tree.assets {
            self.assets.insert(asset.rel.clone(), asset);
        }
        Ok(())
    }

    /// Stamps for the new site: kept for entries that did not change, new otherwise; a
    /// changed entry keeps its summary stamp in a language where its summary is the same.
    /// `touched` lists the only entries that may have changed, when the entries are the same.
    fn restamp(
        &mut self,
        old: &Loaded,
        new: &Loaded,
        touched: Option<&[usize]>,
    ) -> (Stamps, Vec<Vec<Value>>) {
        if let Some(touched) = touched {
            let mut stamps = self.stamps.clone();
            let mut summaries = self.summaries.clone();
            for &i in touched {
                self.restamp_entry(old, new, i, Some(i), &mut stamps, &mut summaries);
            }
            return (stamps, summaries);
        }
        let languages = &new.config.languages;
        let mut stamps = Stamps {
            languages: languages.len(),
            ..Stamps::default()
        };
        let width = languages.len();
        let mut summaries: Vec<Vec<Value>> = languages
            .iter()
            .map(|_| Vec::with_capacity(new.content.entries.len()))
            .collect();
        for (i, entry) in new.content.entries.iter().enumerate() {
            let before = index_of(&old.content, &entry.key);
            let unchanged = before.filter(|&j| {
                same_source(&old.content.entries[j], entry)
                    && old.content.entries[j].parent == entry.parent
                    && same_bodies(old.bodies.of(j), new.bodies.of(i))
            });
            if let Some(j) = unchanged {
                stamps.page.push(self.stamps.page[j]);
                stamps
                    .summary
                    .extend_from_slice(&self.stamps.summary[j * width..(j + 1) * width]);
                stamps.address.push(self.stamps.address[j]);
                for (l, by_lang) in summaries.iter_mut().enumerate() {
                    by_lang.push(self.summaries[l][j].clone());
                }
                continue;
            }
            stamps.page.push(0);
            stamps.summary.extend(std::iter::repeat_n(0, width));
            stamps.address.push(0);
            for by_lang in summaries.iter_mut() {
                by_lang.push(Value::UNDEFINED);
            }
            self.restamp_entry(old, new, i, before, &mut stamps, &mut summaries);
        }
        (stamps, summaries)
    }

    /// New stamps for entry `i` of the new site, which was entry `before` of the old one.
    fn restamp_entry(
        &mut self,
        old: &Loaded,
        new: &Loaded,
        i: usize,
        before: Option<usize>,
        stamps: &mut Stamps,
        summaries: &mut [Vec<Value>],
    ) {
        let context = new.context();
        let entry = &new.content.entries[i];
        stamps.page[i] = self.stamp();
        for (l, lang) in new.config.languages.iter().enumerate() {
            let summary = Value::from_serialize(context.summary(i, &lang.code));
            let kept = before
                .filter(|&j| self.summaries[l][j] == summary)
                .map(|j| self.stamps.summary[j * stamps.languages + l]);
            stamps.summary[i * stamps.languages + l] = kept.unwrap_or_else(|| self.stamp());
            summaries[l][i] = summary;
        }
        stamps.address[i] = match before {
            Some(j)
                if address(&old.content.entries[j], &old.config) == address(entry, &new.config) =>
            {
                self.stamps.address[j]
            }
            _ => self.stamp(),
        };
    }

    /// The content after a save that only changed the text of existing pages: no file added
    /// or removed, no URL, draft flag or bundle file changed. The common case, and the one
    /// that must be quick however big the site: the entries of those pages are made again
    /// and the rest shared, without looking at them. `None` for any other change.
    #[allow(clippy::type_complexity)]
    fn edited_in_place(
        &self,
        old: &Loaded,
        changed: &[String],
        before: &[Option<ParsedFile>],
    ) -> Option<Checked<(Loaded, Option<Vec<usize>>, Vec<Diagnostic>)>> {
        let config = &old.config;
        let mut content = Content {
            entries: old.content.entries.clone(),
            assets: old.content.assets.clone(),
        };
        let mut diags = Vec::new();
        let mut touched: Vec<usize> = Vec::new();
        for (rel, before) in changed.iter().zip(before) {
            let (name, was) = before.as_ref()?.doc.as_ref()?;
            let now = self.files.get(rel)?;
            diags.extend(now.diags.iter().cloned());
            let Some((_, doc)) = &now.doc else {
                // Its errors are in `diags`.
                continue;
            };
            if doc.path != was.path || doc.front.draft != was.front.draft {
                return None;
            }
            let i = index_of(&content, &name.key)?;
            let mut entry = (*content.entries[i]).clone();
            if !Arc::ptr_eq(entry.docs.get(&doc.lang)?, was) {
                return None;
            }
            entry.docs.insert(doc.lang.clone(), doc.clone());
            content::check_attachments(std::slice::from_ref(&entry), &mut diags);
            content.entries[i] = Arc::new(entry);
            if !touched.contains(&i) {
                touched.push(i);
            }
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Some(Err(diags));
        }
        let mut bodies = old.bodies.clone();
        for &i in &touched {
            let (entry_bodies, mut markdown_diags) =
                crate::markdown::render_entry(&content.entries[i], &content, config);
            diags.append(&mut markdown_diags);
            bodies.replace(i, entry_bodies);
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Some(Err(diags));
        }
        let same_places = touched.iter().all(|&i| {
            crate::site::placement(&old.content.entries[i], config)
                == crate::site::placement(&content.entries[i], config)
        });
        let site = if same_places {
            old.site.clone()
        } else {
            crate::site::index(&content, config)
        };
        let loaded = Loaded {
            config: config.clone(),
            // The memo keeps the parsed files.
            files: Vec::new(),
            content,
            messages: old.messages.clone(),
            templates: old.templates.clone(),
            bodies,
            site,
        };
        Some(Ok((loaded, Some(touched), diags)))
    }

    /// The content made again from every file, for changes that add, remove or move pages.
    fn reassembled(&self, old: &Loaded) -> Checked<(Loaded, Option<Vec<usize>>, Vec<Diagnostic>)> {
        let config = &old.config;
        let assets: Vec<Asset> = self.assets.values().cloned().collect();
        let (content, mut diags) =
            content::assemble(self.files.values(), assets, config, self.drafts);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        let moved = moved(&old.content, &content, config);
        let (bodies, mut markdown_diags) =
            crate::markdown::render_reusing(&content, config, &|entry| {
                let i = index_of(&old.content, &entry.key)?;
                let bodies = old.bodies.of(i);
                let links_moved = bodies
                    .iter()
                    .any(|b| b.links.iter().any(|key| moved.contains(key)));
                (same_source(&old.content.entries[i], entry) && !links_moved)
                    .then(|| bodies.to_vec())
            });
        diags.append(&mut markdown_diags);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        let site = crate::site::index(&content, config);
        let loaded = Loaded {
            config: config.clone(),
            files: Vec::new(),
            content,
            messages: old.messages.clone(),
            templates: old.templates.clone(),
            bodies,
            site,
        };
        Ok((loaded, None, diags))
    }

    /// Whether what many pages read of the whole site is as before, after an edit in place
    /// of the `touched` entries.
    fn same_whole(&self, old: &Loaded, new: &Loaded, touched: &[usize]) -> bool {
        let facets = |entry: &Entry| {
            let front = &entry.original_doc().front;
            (
                front.kind.clone(),
                front.group.clone(),
                front.themes.clone(),
                front.region.clone(),
            )
        };
        touched.iter().all(|&i| {
            facets(&old.content.entries[i]) == facets(&new.content.entries[i])
                && crate::site::placement(&old.content.entries[i], &old.config)
                    == crate::site::placement(&new.content.entries[i], &new.config)
                && old.content.entries[i].url(&old.config, &old.config.default_language)
                    == new.content.entries[i].url(&new.config, &new.config.default_language)
        })
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

fn index_of(content: &Content, key: &str) -> Option<usize> {
    content
        .entries
        .binary_search_by(|e| e.key.as_str().cmp(key))
        .ok()
}

/// Whether an entry is made from the very same files as before (the parsed files are shared
/// while unchanged, so comparing pointers is exact: the old ones are still alive).
fn same_source(old: &Entry, new: &Entry) -> bool {
    old.kind == new.kind
        && old.original == new.original
        && old.assets == new.assets
        && old.docs.len() == new.docs.len()
        && old
            .docs
            .iter()
            .zip(&new.docs)
            .all(|((la, a), (lb, b))| la == lb && Arc::ptr_eq(a, b))
}

fn same_bodies(old: &[Arc<Body>], new: &[Arc<Body>]) -> bool {
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| Arc::ptr_eq(a, b))
}

/// Entries added, removed, or whose URL in some language changed: bodies linking to them
/// must be rendered again.
fn moved(old: &Content, new: &Content, config: &Config) -> HashSet<String> {
    let urls = |entry: &Entry| -> Vec<String> {
        config
            .languages
            .iter()
            .map(|l| entry.url(config, &l.code))
            .collect()
    };
    let mut moved = HashSet::new();
    for entry in &new.entries {
        match old.get(&entry.key) {
            // An entry's URLs come from its own files alone.
            Some(before) if same_source(before, entry) => {}
            Some(before) if before.kind == entry.kind && urls(before) == urls(entry) => {}
            _ => {
                moved.insert(entry.key.clone());
            }
        }
    }
    for entry in &old.entries {
        if new.get(&entry.key).is_none() {
            moved.insert(entry.key.clone());
        }
    }
    moved
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

/// The feeds show the newest pages: they change when one of those does.
fn feeds_signature(site: &Site, stamps: &Stamps) -> u64 {
    let newest: Vec<u64> = site
        .newest
        .iter()
        .take(crate::feeds::FEED_ENTRIES)
        .map(|&i| stamps.page[i])
        .collect();
    hash(newest)
}

/// What the sitemap says of an entry.
fn address(entry: &Entry, config: &Config) -> (Vec<String>, Option<String>) {
    let urls = entry
        .docs
        .keys()
        .map(|lang| entry.url(config, lang))
        .collect();
    (urls, crate::feeds::timestamp(entry))
}

fn hash(value: impl Hash) -> u64 {
    let mut hasher = Mix::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A quick hasher for stamps and keys: each word is folded in with splitmix64's mixing
/// function, a bijection, so two different inputs of a build collide only by chance (one in
/// 2^64). std's SipHash resists crafted input, which these are not, at several times the cost,
/// and a rebuild hashes every file's inputs.
#[derive(Default)]
struct Mix(u64);

impl Hasher for Mix {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        let mut z = (self.0 ^ word).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Which file a job writes, as a number: cheaper than its path, which only jobs that go
/// need. An entry's address stamp is in it: when its URL changes, the old file goes.
fn job_id(job: &Job, whole: &Whole) -> u64 {
    let mut h = Mix::default();
    let key = |i: usize| whole.ids[i];
    match *job {
        Job::Home { lang } => (0, lang).hash(&mut h),
        Job::Page { entry, lang } => (1, key(entry), lang).hash(&mut h),
        Job::Section { entry, lang, page } => (2, key(entry), lang, page).hash(&mut h),
        // Terms are in a fixed order; a term added or gone changes the taxonomies' hash.
        Job::Taxonomy { taxonomy, lang } => (3, taxonomy, lang, whole.taxonomies).hash(&mut h),
        Job::Term {
            taxonomy,
            term,
            lang,
            page,
        } => (4, taxonomy, term, lang, page, whole.taxonomies).hash(&mut h),
        Job::NotFound { lang } => (5, lang).hash(&mut h),
        Job::Search { lang } => (6, lang).hash(&mut h),
    }
    h.finish()
}

/// What many pages read of the whole site, worked out once per build.
#[derive(Clone, Default)]
struct Whole {
    /// Every term of every taxonomy with its page count (the home's "browse" boxes).
    taxonomies: u64,
    /// Every facet value any page has (the search page labels them all).
    facet_values: u64,
    /// Each entry's section, by index.
    parents: Vec<Option<usize>>,
    /// Each entry's key and address stamp, hashed: what `job_id` tells its pages apart by.
    ids: Vec<u64>,
}

impl Whole {
    fn of(context: &Context, site: &Site, stamps: &Stamps) -> Whole {
        let mut h = Mix::default();
        for taxonomy in &site.taxonomies {
            for (term, pages) in &taxonomy.terms {
                (&taxonomy.name, term, pages.len()).hash(&mut h);
            }
        }
        let parents = context
            .content
            .entries
            .iter()
            .map(|e| {
                e.parent
                    .as_deref()
                    .and_then(|key| index_of(context.content, key))
            })
            .collect();
        let ids = context
            .content
            .entries
            .iter()
            .zip(&stamps.address)
            .map(|(e, address)| hash((&e.key, address)))
            .collect();
        Whole {
            taxonomies: h.finish(),
            facet_values: hash(crate::search_page::known_facet_values(context)),
            parents,
            ids,
        }
    }
}

/// A number that changes whenever anything the job's file is made from changes (the
/// templates, strings and configuration aside: changing those builds the site whole). It
/// follows what `Templates::render_job` reads.
fn signature(job: &Job, context: &Context, site: &Site, stamps: &Stamps, whole: &Whole) -> u64 {
    let mut h = Mix::default();
    let per_page = context.config.per_page;
    // Everything a listing shows of one of its pages. No two entries share a stamp, so the
    // stamps also say which entries a listing shows.
    let summary = |h: &mut Mix, i: usize, lang: usize| {
        stamps.summary[i * stamps.languages + lang].hash(h);
    };
    // A section's card: its summary, its own page (cards show the description as written)
    // and how many pages it holds.
    let card = |h: &mut Mix, i: usize, lang: usize| {
        summary(h, i, lang);
        stamps.page[i].hash(h);
        site.totals.get(&context.content.entries[i].key).hash(h);
    };
    // The sections above an entry, for breadcrumbs.
    let ancestors = |h: &mut Mix, entry: usize, lang: usize| {
        let mut parent = whole.parents[entry];
        while let Some(i) = parent {
            summary(h, i, lang);
            parent = whole.parents[i];
        }
    };
    let listed = |h: &mut Mix, all: &[usize], page: usize, lang: usize| {
        all.len().hash(h);
        for &i in all.iter().skip((page - 1) * per_page).take(per_page) {
            summary(h, i, lang);
        }
    };
    let top = site
        .subsections
        .get("")
        .map(Vec::as_slice)
        .unwrap_or_default();
    let lang = match *job {
        Job::Home { lang }
        | Job::Page { lang, .. }
        | Job::Section { lang, .. }
        | Job::Taxonomy { lang, .. }
        | Job::Term { lang, .. }
        | Job::NotFound { lang }
        | Job::Search { lang } => lang,
    };
    // The menu every page shows.
    for &i in top {
        summary(&mut h, i, lang);
    }
    match *job {
        Job::Home { lang } => {
            0.hash(&mut h);
            index_of(context.content, "")
                .map(|i| stamps.page[i])
                .hash(&mut h);
            for &i in site.newest.iter().take(per_page) {
                summary(&mut h, i, lang);
            }
            for &i in top {
                card(&mut h, i, lang);
            }
            whole.taxonomies.hash(&mut h);
        }
        Job::Page { entry, lang } => {
            1.hash(&mut h);
            stamps.page[entry].hash(&mut h);
            ancestors(&mut h, entry, lang);
        }
        Job::Section { entry, lang, page } => {
            2.hash(&mut h);
            stamps.page[entry].hash(&mut h);
            ancestors(&mut h, entry, lang);
            let key = &context.content.entries[entry].key;
            let all = site
                .section_pages
                .get(key)
                .map(Vec::as_slice)
                .unwrap_or_default();
            listed(&mut h, all, page, lang);
            for &i in site
                .subsections
                .get(key)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                card(&mut h, i, lang);
            }
        }
        Job::Taxonomy { taxonomy, .. } => {
            3.hash(&mut h);
            let taxonomy = &site.taxonomies[taxonomy];
            for (term, pages) in &taxonomy.terms {
                (term, pages.len()).hash(&mut h);
            }
        }
        Job::Term {
            taxonomy,
            term,
            lang,
            page,
        } => {
            4.hash(&mut h);
            listed(&mut h, &site.taxonomies[taxonomy].terms[term].1, page, lang);
        }
        Job::NotFound { .. } => 5.hash(&mut h),
        Job::Search { .. } => {
            6.hash(&mut h);
            whole.facet_values.hash(&mut h);
        }
    }
    h.finish()
}
