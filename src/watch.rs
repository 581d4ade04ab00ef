//! Watches a site's sources and reports each burst of changes once it has settled.
//!
//! Watched: `site.toml` and the folders `content/`, `themes/`, `i18n/`, `templates/` and
//! `static/` under the site root. Nothing else, so the output (`public/`, `.plenary/`) is
//! never watched. Editors' swap and backup files are ignored; their atomic saves (write a
//! temporary file, rename it over the page) arrive as a rename of the page, which counts.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use notify::{EventKind, RecursiveMode, Watcher as _};

/// The folders of a site whose changes matter, under its root.
pub const WATCHED_FOLDERS: [&str; 5] = ["content", "themes", "i18n", "templates", "static"];
/// The files at the root whose changes matter.
pub const WATCHED_FILES: [&str; 1] = ["site.toml"];
/// A burst has settled when nothing has changed for this long.
const QUIET: Duration = Duration::from_millis(25);
/// However long a storm of saves goes on, a rebuild starts after this.
const AT_MOST: Duration = Duration::from_millis(250);
/// How often a quiet watch asks whether to stop.
const STOP_CHECK: Duration = Duration::from_millis(200);

/// What changed in one burst.
#[derive(Debug, Default)]
pub struct Changes {
    /// The files and folders named, under the site root.
    pub paths: Vec<PathBuf>,
    /// The watcher lost track (its queue overflowed): anything may have changed.
    pub rescan: bool,
}

/// What a site's watch covers: the site root, and the trees of members kept in folders of
/// their own (`[[sources]]` with a `path`: their `member.toml` and `content/`); git sources
/// are pinned commits.
#[derive(Debug, Clone, Default)]
pub struct Watched {
    /// Absolute, links resolved, as the watcher names paths.
    pub root: PathBuf,
    /// The members' tree folders, likewise.
    pub members: Vec<PathBuf>,
}

impl Watched {
    /// The site at `root` and its members' trees, as `site.toml` lists them now.
    pub fn of(root: &Path) -> Watched {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let members = match crate::config::load(&root) {
            Ok(Ok(config)) => config
                .sources
                .iter()
                .filter_map(|s| match &s.location {
                    crate::sources::Location::Path(path) => root.join(path).canonicalize().ok(),
                    crate::sources::Location::Git { .. } => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Watched { root, members }
    }

    /// `site.toml`, the watched folders under the root, the members' files that matter.
    fn paths(&self) -> Vec<PathBuf> {
        let mut paths = watched_paths(&self.root);
        for member in &self.members {
            paths.push(member.join(crate::sources::MEMBER_FILE));
            paths.push(member.join(crate::content::CONTENT_DIR));
        }
        paths
    }

    /// Whether a change at `path` can change the site.
    pub fn matters(&self, path: &Path) -> bool {
        if matters(&self.root, path) {
            return true;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        self.members.iter().any(|m| {
            path == m.join(crate::sources::MEMBER_FILE)
                || path.starts_with(m.join(crate::content::CONTENT_DIR))
        }) && !is_editor_scratch(name)
    }
}

/// A site being watched: changes are collected from the moment it starts.
pub struct Watch {
    watched: Watched,
    watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
}

impl Watch {
    /// Starts watching a site's sources.
    pub fn start(watched: &Watched) -> anyhow::Result<Watch> {
        let root = &watched.root;
        let (send, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = send.send(event);
        })
        .context("cannot watch the site's files")?;
        // The root alone, not its subfolders: site.toml, and watched folders made later.
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch `{}`", root.display()))?;
        for folder in WATCHED_FOLDERS {
            watch_folder(&mut watcher, &root.join(folder))?;
        }
        for member in &watched.members {
            watch_member(&mut watcher, member)?;
        }
        Ok(Watch {
            watched: watched.clone(),
            watcher,
            events,
        })
    }

    /// Calls `changed` after each settled burst of changes, until it returns false, `stop`
    /// says so (it is asked a few times a second) or the watcher fails.
    pub fn run(
        mut self,
        stop: impl Fn() -> bool,
        mut changed: impl FnMut(Changes) -> bool,
    ) -> anyhow::Result<()> {
        let mut watched = self.watched.clone();
        let root = watched.root.clone();
        loop {
            let first = match self.events.recv_timeout(STOP_CHECK) {
                Ok(first) => first,
                Err(RecvTimeoutError::Timeout) if stop() => return Ok(()),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            };
            let mut burst = Changes::default();
            add(&watched, &mut burst, first);
            let started = Instant::now();
            loop {
                let wait = QUIET.min(AT_MOST.saturating_sub(started.elapsed()));
                if wait.is_zero() {
                    break;
                }
                match self.events.recv_timeout(wait) {
                    Ok(event) => add(&watched, &mut burst, event),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                }
            }
            if burst.paths.is_empty() && !burst.rescan {
                continue;
            }
            // A watched folder made (or made again) since: watch it from now on.
            for folder in WATCHED_FOLDERS {
                let path = root.join(folder);
                if burst.paths.contains(&path) {
                    watch_folder(&mut self.watcher, &path)?;
                }
            }
            // Members' trees added to site.toml since: watch them from now on.
            if burst.paths.contains(&root.join(crate::config::CONFIG_FILE)) {
                let now = Watched::of(&root);
                for member in now.members.iter().filter(|m| !watched.members.contains(m)) {
                    watch_member(&mut self.watcher, member)?;
                }
                watched = now;
            }
            if !changed(burst) {
                return Ok(());
            }
        }
    }
}

/// A member's tree: its own folder for `member.toml` (editors replace files: a folder watch
/// sees that), its content folder and all below.
fn watch_member(watcher: &mut impl notify::Watcher, member: &Path) -> anyhow::Result<()> {
    watcher
        .watch(member, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch `{}`", member.display()))?;
    watch_folder(watcher, &member.join(crate::content::CONTENT_DIR))
}

fn watch_folder(watcher: &mut impl notify::Watcher, folder: &Path) -> anyhow::Result<()> {
    if folder.is_dir() {
        watcher
            .watch(folder, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch `{}`", folder.display()))?;
    }
    Ok(())
}

fn add(watched: &Watched, burst: &mut Changes, event: notify::Result<notify::Event>) {
    let Ok(event) = event else {
        // The watcher's own errors (a queue overflow among them): rebuild everything.
        burst.rescan = true;
        return;
    };
    if event.need_rescan() {
        burst.rescan = true;
    }
    if matches!(event.kind, EventKind::Access(_)) {
        return;
    }
    for path in event.paths {
        if watched.matters(&path) && !burst.paths.contains(&path) {
            burst.paths.push(path);
        }
    }
}

/// The site's sources as last seen: each file's size and time, each folder's time. When the
/// watcher loses track, comparing with it finds what changed.
///
/// Why not read the tree again: Linux's watcher (inotify, as notify sets it up) reports every
/// file and folder opened, so reading a big tree overflows its queue, which reports a rescan,
/// which would read the tree again. `stat` is not reported. A folder's time changes when a
/// file is added to or removed from it: only those folders are listed again.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    seen: std::collections::BTreeMap<PathBuf, Seen>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Seen {
    Folder(Option<std::time::SystemTime>),
    File(u64, Option<std::time::SystemTime>),
}

impl Seen {
    fn of(meta: &std::fs::Metadata) -> Seen {
        if meta.is_dir() {
            Seen::Folder(meta.modified().ok())
        } else {
            Seen::File(meta.len(), meta.modified().ok())
        }
    }
}

impl Snapshot {
    /// Every watched file and folder, as it is now.
    pub fn take(watched: &Watched) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for path in watched.paths() {
            snapshot.look(&path);
        }
        snapshot
    }

    /// Records `path` as it is now, and everything in it if it is a folder.
    fn look(&mut self, path: &Path) {
        self.look_in(path, &mut Vec::new());
    }

    /// As `look`, inside the folders `ancestors` names: links are followed, but not back into
    /// one of them (a link loop would have the snapshot walk in circles).
    fn look_in(&mut self, path: &Path, ancestors: &mut Vec<(u64, u64)>) {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        self.seen.insert(path.to_path_buf(), Seen::of(&meta));
        let id = crate::user_files::folder_id(&meta);
        if meta.is_dir() && !ancestors.contains(&id) {
            ancestors.push(id);
            for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                self.look_in(&entry.path(), ancestors);
            }
            ancestors.pop();
        }
    }

    /// Looks again at paths a change named.
    pub fn refresh(&mut self, paths: &[PathBuf]) {
        for path in paths {
            self.seen.retain(|p, _| !p.starts_with(path));
            self.look(path);
        }
    }

    /// What changed since the snapshot was taken (files added, changed or removed, folders
    /// made or removed), by `stat` alone but for folders whose contents changed; and the
    /// snapshot brought up to date.
    pub fn changes(&mut self, watched: &Watched) -> Vec<PathBuf> {
        let mut changed = Vec::new();
        let mut relist = Vec::new();
        for (path, seen) in &self.seen {
            match std::fs::metadata(path) {
                Ok(meta) if Seen::of(&meta) == *seen => {}
                Ok(meta) if meta.is_dir() && matches!(seen, Seen::Folder(_)) => {
                    relist.push(path.clone())
                }
                _ => changed.push(path.clone()),
            }
        }
        // Watched folders made since.
        for path in watched.paths() {
            if !self.seen.contains_key(&path) && path.exists() {
                changed.push(path);
            }
        }
        for folder in relist {
            let listed: Vec<PathBuf> = std::fs::read_dir(&folder)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            for path in listed {
                if !self.seen.contains_key(&path) {
                    changed.push(path);
                }
            }
            if let Ok(meta) = std::fs::metadata(&folder) {
                self.seen.insert(folder, Seen::of(&meta));
            }
        }
        changed.retain(|p| watched.matters(p));
        // A path inside another that changed is covered by it.
        changed.sort();
        changed.dedup_by(|later, earlier| later.starts_with(&*earlier));
        self.refresh(&changed);
        changed
    }
}

/// `site.toml` and the watched folders under `root`.
fn watched_paths(root: &Path) -> Vec<PathBuf> {
    WATCHED_FILES
        .iter()
        .chain(WATCHED_FOLDERS.iter())
        .map(|name| root.join(name))
        .collect()
}

/// Whether a change to `path` can change the site.
pub fn matters(root: &Path, path: &Path) -> bool {
    let Ok(inside) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = inside.components();
    let Some(first) = parts.next().and_then(|c| c.as_os_str().to_str()) else {
        return false;
    };
    let top_level_file = parts.clone().next().is_none();
    if top_level_file && WATCHED_FILES.contains(&first) {
        return true;
    }
    if !WATCHED_FOLDERS.contains(&first) {
        return false;
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    !is_editor_scratch(name)
}

/// Files editors write beside the one being edited: swap files, backups, lock files and vim's
/// test of whether it may write into the folder.
fn is_editor_scratch(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('.') && (name.ends_with(".swp") || name.ends_with(".swx")))
        || name.ends_with(".tmp")
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_members_file_and_content_matter_and_nothing_else_of_its_tree() {
        let watched = Watched {
            root: PathBuf::from("/site"),
            members: vec![PathBuf::from("/kenya")],
        };
        let cases = [
            ("/kenya/member.toml", true),
            ("/kenya/content/report.md", true),
            ("/kenya/content/.report.md.swp", false),
            ("/kenya/notes.txt", false),
            ("/kenya/.git/index", false),
            ("/site/content/a.md", true),
            ("/elsewhere/member.toml", false),
        ];
        for (path, expected) in cases {
            assert_eq!(watched.matters(Path::new(path)), expected, "{path}");
        }
    }

    #[test]
    fn a_snapshot_follows_links_but_never_around_a_loop() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content/b")).unwrap();
        std::fs::write(root.join("content/b/index.md"), "x").unwrap();
        std::os::unix::fs::symlink(".", root.join("content/a")).unwrap();
        let watched = Watched {
            root: root.clone(),
            members: Vec::new(),
        };
        let snapshot = Snapshot::take(&watched);
        let seen: Vec<String> = snapshot
            .seen
            .keys()
            .filter_map(|p| p.strip_prefix(&root).ok())
            .map(|p| p.display().to_string())
            .filter(|p| p.starts_with("content"))
            .collect();
        assert_eq!(
            seen,
            ["content", "content/a", "content/b", "content/b/index.md"]
        );
    }

    #[test]
    fn a_snapshot_finds_what_changed_without_reading_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("site.toml", "title = \"x\"\n");
        write("content/a/index.md", "one");
        write("content/b/index.md", "two");
        write("public/index.html", "built");
        let watched = Watched {
            root: root.clone(),
            members: Vec::new(),
        };
        let mut snapshot = Snapshot::take(&watched);
        assert!(snapshot.changes(&watched).is_empty(), "nothing changed yet");
        // Sizes differ, so the change shows whatever the clock's resolution.
        write("content/a/index.md", "one, longer");
        write("content/b/new.md", "new file in a folder seen before");
        write("content/c/index.md", "a new folder");
        std::fs::remove_file(root.join("content/b/index.md")).unwrap();
        write("public/index.html", "outputs do not count");
        write("content/a/.index.md.swp", "editor scratch does not count");
        let changed: Vec<String> = snapshot
            .changes(&watched)
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            changed,
            [
                "content/a/index.md",
                "content/b/index.md",
                "content/b/new.md",
                "content/c"
            ]
        );
        assert!(
            snapshot.changes(&watched).is_empty(),
            "seen once, not again"
        );
    }

    #[test]
    fn only_the_sources_matter_and_not_editor_scratch_files() {
        let root = Path::new("/site");
        let yes = [
            "/site/site.toml",
            "/site/content/bpf/x/index.fr.md",
            "/site/content",
            "/site/themes/default/templates/page.html",
            "/site/i18n/ar.ftl",
            "/site/static/logo.svg",
        ];
        for path in yes {
            assert!(matters(root, Path::new(path)), "{path}");
        }
        let no = [
            "/site/public/index.html",
            "/site/.plenary/serve/public/index.html",
            "/site/README.md",
            "/site/content/bpf/x/.index.md.swp",
            "/site/content/bpf/x/index.md~",
            "/site/content/bpf/x/4913",
            "/site/content/bpf/.#index.md",
            "/other/content/x.md",
        ];
        for path in no {
            assert!(!matters(root, Path::new(path)), "{path}");
        }
    }
}
