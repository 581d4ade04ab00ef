//! Where a build may write: never over, around or inside the site's sources, and over a folder
//! of files only when an earlier build left its mark there (or `--force` says so).

use std::path::{Component, Path, PathBuf};

use anyhow::Context;

/// The file every build leaves in the folder it writes, so that the next build knows the
/// folder is a site it may replace whole. A dot file: `plenary serve` never serves dot files
/// and GitHub Pages leaves them out; a host that does publish it shows one harmless sentence
/// (no path, no name, no date).
pub const MARKER: &str = ".plenary-site";

/// What the marker says to whoever opens the folder.
pub const MARKER_TEXT: &str =
    "This folder is a site built by Plenary. The next build replaces all of it, files added by hand included.\n";

/// What a build may replace besides a folder it wrote itself (marked) or an empty one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Nothing else: a folder of files Plenary did not write is refused.
    EarlierBuilds,
    /// Any folder but one that holds or lies in the site's sources (`--force`).
    Anything,
}

/// An output folder the build refuses. Not a mistake in the site's files nor the machine
/// failing: the command asks for something it must not do, and `main` exits 2 as for any
/// other wrong argument.
#[derive(Debug)]
pub struct Refused {
    pub message: String,
    pub hint: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\n  = hint: {}", self.message, self.hint)
    }
}

impl std::error::Error for Refused {}

/// `path` as the system reaches it: absolute, links followed, `.` and `..` resolved, also
/// where the end of it does not exist yet (that part has no links to follow).
pub fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut resolved = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => {
                resolved.push(other);
                // After a link, `..` leaves the folder it leads to, as the system does.
                if let Ok(real) = std::fs::canonicalize(&resolved) {
                    resolved = real;
                }
            }
        }
    }
    Ok(resolved)
}

/// The canonical folder `out` names, unless writing there could touch the site's sources:
/// the site root, a folder holding it, one of its `sources` (folders and files, each with
/// how the refusal names it), or any folder holding one of them or inside one of them.
/// `--force` changes none of this.
pub fn refuse_sources(
    out: &Path,
    root: &Path,
    sources: &[(PathBuf, String)],
) -> anyhow::Result<PathBuf> {
    let dir = canonical(out)?;
    let root = canonical(root)?;
    let hint = format!(
        "a build replaces its whole output folder: give it a folder of its own, such as `{}` \
         (the default); `--force` does not change this",
        root.join("public").display()
    );
    let refuse = |why: String| Refused {
        message: format!("refusing to build into `{}`: {why}", out.display()),
        hint: hint.clone(),
    };
    if root.starts_with(&dir) {
        let why = if root == dir {
            "it is the site root".to_string()
        } else {
            format!("it holds the site root `{}`", root.display())
        };
        return Err(refuse(why).into());
    }
    let sources = sources
        .iter()
        .filter_map(|(path, what)| Some((canonical(path).ok()?, what)));
    for (source, what) in sources {
        let why = if dir == source {
            format!("it is {what}")
        } else if source.starts_with(&dir) {
            format!("it holds {what}")
        } else if dir.starts_with(&source) {
            format!("it is inside {what}, and the next build would read the site back as sources")
        } else {
            continue;
        };
        return Err(refuse(why).into());
    }
    Ok(dir)
}

/// Refuses a folder that holds files but not the marker of an earlier build, unless
/// `overwrite` allows it, and anything that is not a folder. `shown` is `dir` as the user
/// gave it.
pub fn refuse_foreign(dir: &Path, shown: &Path, overwrite: Overwrite) -> anyhow::Result<()> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", shown.display())),
    };
    if !meta.is_dir() {
        return Err(Refused {
            message: format!(
                "refusing to build into `{}`: it is a file, not a folder",
                shown.display()
            ),
            hint: "give `--out` a folder of its own (one that does not exist yet is made)".into(),
        }
        .into());
    }
    let mut names =
        entry_names(dir).with_context(|| format!("cannot list `{}`", shown.display()))?;
    if names.is_empty() || names.iter().any(|n| n == MARKER) || overwrite == Overwrite::Anything {
        return Ok(());
    }
    names.sort();
    let mut listed: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    if names.len() > 3 {
        listed.push(format!("{} more", names.len() - 3));
    }
    Err(Refused {
        message: format!(
            "refusing to replace `{}`: it holds files a build did not write ({})",
            shown.display(),
            listed.join(", ")
        ),
        hint: format!(
            "a build replaces its whole output folder: choose a new or empty one, or run once \
             with `--force` to replace this one and all it holds (builds leave a `{MARKER}` file \
             in the folder they write; a folder from before they did needs `--force` once)"
        ),
    }
    .into())
}

/// The names in `dir`, folders with a `/` after them.
fn entry_names(dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::read_dir(dir)?
        .map(|entry| {
            let entry = entry?;
            let mut name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_dir() {
                name.push('/');
            }
            Ok(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_paths_resolve_dots_links_and_what_does_not_exist_yet() {
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir_all(base.join("a/b")).unwrap();
        std::os::unix::fs::symlink(base.join("a/b"), base.join("link")).unwrap();
        let cases = [
            ("a/b/", "a/b"),
            ("a/./b", "a/b"),
            ("a/x/../b", "a/b"),
            ("link", "a/b"),
            ("link/../b", "a/b"),
            ("link/new/deeper", "a/b/new/deeper"),
            ("new/../a", "a"),
        ];
        for (given, expected) in cases {
            assert_eq!(
                canonical(&base.join(given)).unwrap(),
                base.join(expected),
                "{given}"
            );
        }
    }
}
