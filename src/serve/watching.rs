//! How the preview server follows the site's files: each change patches the served site,
//! or builds it whole into a new folder; when the watcher loses track, the snapshot of the
//! sources says what changed.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use super::{build_site, lock, write, Options, Served, Site, KEEP_OLD_BUILDS, SERVE_DIR};
use crate::build::Report;
use crate::live::Event;
use crate::rebuild::{Memo, Patched};
use crate::watch::{Changes, Snapshot, Watched};

impl Served {
    /// Keeps what a full build leaves for the next rebuild, in watch mode.
    pub(super) fn remember(&self, options: &Options, site: &Site) {
        let memo = if options.watch {
            Memo::new(site.loaded.clone(), options.drafts)
                .map_err(|e| eprintln!("serve: each save will rebuild the whole site: {e:#}"))
                .ok()
        } else {
            None
        };
        *lock(&self.memo) = memo;
    }

    /// Before a full build: what its sources look like (taken first, so that a save during
    /// the build is seen as a change after it).
    pub(super) fn take_snapshot(&self, options: &Options) {
        if options.watch {
            *lock(&self.snapshot) = Snapshot::take(&Watched::of(&options.root));
        }
    }

    /// Builds the site again after `changes` and serves it if it built; else keeps the last
    /// good site and shows what is wrong. Tells the open pages either way. Returns the
    /// diagnostics text of a failed build, and `None` when a rescan finds nothing changed.
    ///
    /// Changes to content alone patch the served site in place (`rebuild::Memo`); anything
    /// else, or a change too big to patch, builds the site whole into a new folder. When the
    /// watcher has lost track, the snapshot of the sources says what changed.
    pub fn rebuild(&self, options: &Options, changes: &Changes) -> Option<Result<Report, String>> {
        let rescanned;
        let changes = if changes.rescan {
            let paths = lock(&self.snapshot).changes(&Watched::of(&options.root));
            if paths.is_empty() {
                return None;
            }
            rescanned = Changes {
                paths,
                rescan: false,
            };
            &rescanned
        } else {
            lock(&self.snapshot).refresh(&changes.paths);
            changes
        };
        let started = Instant::now();
        let outcome = match self.patch(options, changes) {
            Some(Ok(mut report)) => {
                report.elapsed = started.elapsed();
                Ok(report)
            }
            Some(Err(diags)) => Err(diags),
            None => self.build_whole(options),
        };
        if let Some(live) = &self.live {
            match &outcome {
                Ok(_) => live.send(&Event::Reload),
                Err(text) => {
                    *write(&self.broken) = Some(text.clone());
                    live.send(&Event::Broken(text.clone()));
                }
            }
        } else if let Err(text) = &outcome {
            *write(&self.broken) = Some(text.clone());
        }
        Some(outcome)
    }
    /// Patches the served site for a change to content alone; `None` when the site must be
    /// built whole instead.
    fn patch(&self, options: &Options, changes: &Changes) -> Option<Result<Report, String>> {
        let site = self.current()?;
        // Each source's content folder, and the site path its files land at.
        let folders: Vec<(PathBuf, &crate::sources::SourceTree)> = site
            .loaded
            .sources
            .iter()
            .map(|tree| (canonical(&tree.dir).join(crate::content::CONTENT_DIR), tree))
            .collect();
        let mut rels = Vec::new();
        for path in &changes.paths {
            let (rel, tree) = folders
                .iter()
                .find_map(|(folder, tree)| Some((path.strip_prefix(folder).ok()?, tree)))?;
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel.is_empty() {
                // A whole content folder came or went.
                return None;
            }
            rels.push(tree.site_rel(&rel));
        }
        if changes.rescan || rels.is_empty() {
            return None;
        }
        let mut memo = lock(&self.memo);
        let outcome = memo.as_mut()?.rebuild(&site.dir, &rels);
        match outcome {
            Ok(Ok(Patched::Done {
                loaded,
                written,
                removed,
                warnings,
            })) => {
                if let Some(searcher) = &site.searcher {
                    if let Err(e) = searcher.reload() {
                        eprintln!("serve: {e:#}; building the whole site");
                        return None;
                    }
                }
                *write(&self.site) = Some(Arc::new(Site {
                    dir: site.dir.clone(),
                    loaded,
                    searcher: site.searcher.clone(),
                }));
                *write(&self.broken) = None;
                Some(Ok(Report {
                    files: written + removed,
                    warnings,
                    ..Report::default()
                }))
            }
            Ok(Ok(Patched::TooBig)) => None,
            Ok(Err(diags)) => Some(Err(describe(&diags, &options.root))),
            Err(e) => {
                // The served folder may be half patched: a whole build replaces it.
                eprintln!("serve: {e:#}; building the whole site");
                *memo = None;
                None
            }
        }
    }

    /// Builds the site whole into a new folder and serves it if it built.
    fn build_whole(&self, options: &Options) -> Result<Report, String> {
        // Until a whole build goes well, the last one's templates and strings are not the
        // site's: no patching on top of them.
        *lock(&self.memo) = None;
        self.take_snapshot(options);
        let n = self.builds.fetch_add(1, Ordering::Relaxed) + 1;
        match build_site(options, n) {
            Ok(Ok((report, site))) => {
                self.remember(options, &site);
                *write(&self.site) = Some(Arc::new(site));
                *write(&self.broken) = None;
                if let Some(old) = n.checked_sub(KEEP_OLD_BUILDS + 1) {
                    let _ =
                        std::fs::remove_dir_all(options.root.join(SERVE_DIR).join(old.to_string()));
                }
                Ok(report)
            }
            Ok(Err(diags)) => Err(describe(&diags, &options.root)),
            Err(e) => Err(format!("error: {e:#}")),
        }
    }
}

/// The site root as the watcher names it: absolute, links resolved.
fn canonical(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// Diagnostics as the terminal and the overlay show them, paths relative to the site root.
pub(super) fn describe(diags: &[crate::diag::Diagnostic], root: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    diags
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if let Ok(relative) = d.path.strip_prefix(&root) {
                d.path = relative.to_path_buf();
            }
            d.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
