//! Writes the site into a staging folder and swaps it in whole, so a failed build changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use std::io::Read as _;

use anyhow::Context;

/// Where rendered files go: a staging folder on disk, or memory in tests and `check`.
pub trait Sink: Sync {
    /// Stores `bytes` at `rel`, a `/`-separated path inside the site.
    fn put(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()>;
    /// Copies a file from the source tree to `rel`.
    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()>;
}

mod guard;
mod swap;

pub use guard::{Overwrite, Refused, MARKER};

/// An output folder made ready for a build: not the sources, a folder of Plenary's (or
/// `--force`d), locked for this build, and what an interrupted build left beside it put right.
pub struct Target {
    /// Canonical: a link named by `--out` is followed, not replaced.
    dir: PathBuf,
    beside: swap::Beside,
    _lock: swap::Lock,
}

impl Target {
    /// Makes `out` (as the user gave it) ready for the site at `root`, whose `sources` it
    /// must not touch (each with how a refusal names it), or says why it cannot be.
    pub fn claim(
        out: &Path,
        root: &Path,
        sources: &[(PathBuf, String)],
        overwrite: Overwrite,
    ) -> anyhow::Result<Target> {
        let dir = guard::refuse_sources(out, root, sources)?;
        let beside = swap::Beside::of(&dir);
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        let lock = swap::Lock::take(&beside.lock, out)?;
        swap::recover(&dir, &beside)?;
        guard::refuse_foreign(&dir, out, overwrite)?;
        Ok(Target {
            dir,
            beside,
            _lock: lock,
        })
    }
}

/// The next site, written beside the current one and swapped in by `commit`.
/// Dropped without `commit`, it removes itself and the current site stays as it was.
pub struct Staging {
    dir: PathBuf,
    committed: bool,
    /// Dropped after the staging folder is gone: the lock outlives everything a build writes.
    target: Target,
}

impl Staging {
    pub fn begin(target: Target) -> anyhow::Result<Staging> {
        let dir = target.beside.staging.clone();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
        let staging = Staging {
            dir,
            committed: false,
            target,
        };
        staging.put(MARKER, guard::MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Replaces the target with the staged site.
    pub fn commit(mut self) -> anyhow::Result<()> {
        swap::replace(&self.dir, &self.target.dir, &self.target.beside)?;
        self.committed = true;
        Ok(())
    }

    /// The folder being filled, for writers that need a real directory (the search index).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, rel: &str) -> anyhow::Result<PathBuf> {
        inside(&self.dir, rel)
    }
}

/// Removes `dir` and everything in it, its entries spread over the cores: the previous site
/// is the last thing a build waits for, and tens of thousands of files take a while.
fn remove_tree(dir: &Path) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("cannot remove `{}`", dir.display()))?;
    crate::parallel::try_for_each(&entries, |entry| {
        let path = entry.path();
        let removed = match entry.file_type() {
            Ok(kind) if kind.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        removed.with_context(|| format!("cannot remove `{}`", path.display()))
    })?;
    std::fs::remove_dir(dir).with_context(|| format!("cannot remove `{}`", dir.display()))
}

/// `dir/rel`, unless `rel` would lead out of `dir`.
fn inside(dir: &Path, rel: &str) -> anyhow::Result<PathBuf> {
    if rel
        .split('/')
        .any(|part| part == ".." || part.is_empty() && rel.starts_with('/'))
    {
        anyhow::bail!("refusing to write `{rel}` outside the site");
    }
    Ok(dir.join(rel))
}

/// Changes one file of a site being served: the new file is written beside the old and
/// renamed over it, so a reader gets the old file or the new one, never half of one.
pub fn replace(site: &Path, rel: &str, file: &Planned) -> anyhow::Result<()> {
    let path = inside(site, rel)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".plenary-new");
    let fresh = path.with_file_name(name);
    match file {
        Planned::Bytes(bytes) => std::fs::write(&fresh, bytes)
            .with_context(|| format!("cannot write `{}`", fresh.display()))?,
        Planned::Copy(from) => copy_regular(from, &fresh)?,
    }
    std::fs::rename(&fresh, &path).with_context(|| format!("cannot replace `{}`", path.display()))
}

/// Removes a file the site no longer has (gone already is fine).
pub fn remove(site: &Path, rel: &str) -> anyhow::Result<()> {
    let path = inside(site, rel)?;
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove `{}`", path.display()))
        }
        _ => Ok(()),
    }
}

/// A file of the site as a build plans it, not yet written.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    Bytes(Vec<u8>),
    /// A file copied as it is from the site's sources.
    Copy(PathBuf),
}

/// Collects what a build would write, without writing: the preview server compares it with
/// what the served site has and writes only the difference.
#[derive(Default)]
pub struct Plan(pub Mutex<BTreeMap<String, Planned>>);

impl Plan {
    fn add(&self, rel: &str, file: Planned) -> anyhow::Result<()> {
        self.0
            .lock()
            .map_err(|_| anyhow::anyhow!("output lock poisoned"))?
            .insert(rel.to_string(), file);
        Ok(())
    }

    pub fn into_files(self) -> BTreeMap<String, Planned> {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Sink for Plan {
    fn put(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.add(rel, Planned::Bytes(bytes.to_vec()))
    }

    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        self.add(rel, Planned::Copy(from.to_path_buf()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn put(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write `{}`", path.display()))
    }

    fn copy(&self, from: &Path, rel: &str) -> anyhow::Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        copy_regular(from, &path)
    }
}

/// Copies a regular file of the sources to `to`. The sources were checked when read, but a
/// file may be replaced since (by a FIFO, which would hang the build, or a growing file):
/// it is opened without blocking and checked again, and only the length it had is copied.
fn copy_regular(from: &Path, to: &Path) -> anyhow::Result<()> {
    let context = || format!("cannot copy `{}` to `{}`", from.display(), to.display());
    let (file, meta) = match crate::user_files::open(from).with_context(context)? {
        Ok(opened) => opened,
        Err(refused) => anyhow::bail!(
            "`{}` changed while the site was built: {}; build again",
            from.display(),
            refused.diagnostic(from).message
        ),
    };
    let mut out = std::fs::File::create(to).with_context(context)?;
    std::io::copy(&mut file.take(meta.len()), &mut out).with_context(context)?;
    Ok(())
}

/// Discards everything: `check` renders the whole site to find errors and writes nothing.
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _: &str, _: &[u8]) -> anyhow::Result<()> {
        Ok(())
    }

    fn copy(&self, _: &Path, _: &str) -> anyhow::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A staging folder for `target`, a folder beside the site root `site`.
    fn begin(target: &Path) -> Staging {
        let root = target.with_file_name("site");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("site.toml"), "").unwrap();
        Staging::begin(Target::claim(target, &root, &[], Overwrite::EarlierBuilds).unwrap())
            .unwrap()
    }

    #[test]
    fn removing_a_tree_removes_links_not_what_they_point_to() {
        let tmp = tempfile::tempdir().unwrap();
        let kept = tmp.path().join("kept");
        std::fs::create_dir_all(kept.join("inner")).unwrap();
        std::fs::write(kept.join("inner/file"), "kept").unwrap();
        let tree = tmp.path().join("tree");
        for dir in ["a/b/c", "d", "e/f"] {
            std::fs::create_dir_all(tree.join(dir)).unwrap();
            std::fs::write(tree.join(dir).join("index.html"), dir).unwrap();
        }
        std::fs::write(tree.join("top.css"), "").unwrap();
        std::os::unix::fs::symlink(&kept, tree.join("link")).unwrap();
        std::os::unix::fs::symlink(&kept, tree.join("d/link")).unwrap();
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        assert_eq!(
            std::fs::read_to_string(kept.join("inner/file")).unwrap(),
            "kept"
        );
    }

    #[test]
    fn a_dropped_staging_leaves_the_previous_site_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let first = begin(&target);
        first.put("index.html", b"one").unwrap();
        first.commit().unwrap();
        let second = begin(&target);
        second.put("index.html", b"two").unwrap();
        second.put("new.html", b"new").unwrap();
        drop(second);
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");
        assert!(!target.join("new.html").exists());
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "site")
            .collect();
        assert_eq!(names, ["public"]);
    }

    #[test]
    fn a_commit_replaces_the_whole_site() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let first = begin(&target);
        first.put("old.html", b"old").unwrap();
        first.commit().unwrap();
        let second = begin(&target);
        second.put("a/b/index.html", b"new").unwrap();
        second.commit().unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(
            std::fs::read(target.join("a/b/index.html")).unwrap(),
            b"new"
        );
    }

    #[test]
    fn paths_cannot_leave_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        let staging = begin(&tmp.path().join("public"));
        assert!(staging.put("../escape.html", b"x").is_err());
        assert!(staging.put("a/../../escape.html", b"x").is_err());
    }
}
