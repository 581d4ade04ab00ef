//! The content trees a site is made from: its own `content/` and each member's, from a folder or a pinned git commit.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::Config;
use crate::diag::{Diagnostic, Position};
use crate::member::{self, Member};

pub mod git;

/// The file a member tree describes its owner in.
pub const MEMBER_FILE: &str = "member.toml";

/// Folders a member tree may not have: members bring content (and its files) only; the look
/// of the site and its interface strings belong to the site, so one member cannot change how
/// every other member's pages read.
pub const SITE_ONLY_FOLDERS: [&str; 4] = ["themes", "templates", "i18n", "static"];

/// A `[[sources]]` entry of `site.toml`, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    /// Short and stable: it names the source in errors, URLs of member pages and the lock file.
    pub id: String,
    pub location: Location,
    /// Where its content lands in the site: `nri/kenya`.
    pub mount: String,
    /// The languages taken from it; `None` takes every site language.
    pub languages: Option<Vec<String>>,
    /// Trusted sources keep raw HTML as written; the others' is sanitised.
    pub trusted: bool,
    /// Where `site.toml` declares it, for errors about it.
    pub at: Position,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// A folder, as `site.toml` gives it (relative to the site root, or absolute).
    Path(PathBuf),
    /// A git repository and the branch, tag or commit to take.
    Git { url: String, rev: String },
}

impl SourceSpec {
    /// `rev` for git sources: errors name it.
    pub fn rev(&self) -> Option<&str> {
        match &self.location {
            Location::Git { rev, .. } => Some(rev),
            Location::Path(_) => None,
        }
    }
}

/// `[[sources]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    id: String,
    path: Option<String>,
    git: Option<String>,
    rev: Option<String>,
    mount: String,
    languages: Option<Vec<String>>,
    #[serde(default)]
    trusted: bool,
}

pub const SOURCE_KEYS: &[&str] = &["id", "path", "git", "rev", "mount", "languages", "trusted"];

/// Checks the `[[sources]]` of `site.toml`: ids, locations, mounts that stay apart and clear
/// of the site's own URLs, languages the site has.
pub fn read_specs(
    raw: Vec<toml::Spanned<RawSource>>,
    reserved: &[String],
    site_languages: &[String],
    shown: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<SourceSpec> {
    let mut specs: Vec<SourceSpec> = Vec::new();
    for spanned in raw {
        let start = spanned.span().start;
        let raw = spanned.into_inner();
        let at = |key: &str| Position::of_key(text, start, key);
        let mut error = |key: &str, message: String, hint: &str| {
            diags.push(Diagnostic::error(shown, at(key), message).with_hint(hint));
        };
        let id = raw.id;
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            error(
                "id",
                format!("source id `{id}` is not a short name"),
                "use lowercase letters, digits and `-`, such as `kenya-igf`",
            );
            continue;
        }
        if specs.iter().any(|s| s.id == id) {
            error(
                "id",
                format!("two sources are called `{id}`"),
                "give each source its own id",
            );
            continue;
        }
        let location = match (raw.path, raw.git, raw.rev) {
            (Some(path), None, None) => Location::Path(PathBuf::from(path)),
            (None, Some(url), Some(rev)) if !rev.is_empty() => Location::Git { url, rev },
            (None, Some(_), _) => {
                error(
                    "git",
                    format!("source `{id}`: a git source needs a `rev`"),
                    "add `rev = \"main\"` (a branch, tag or commit); `plenary.lock` pins its exact commit",
                );
                continue;
            }
            (Some(_), Some(_), _) => {
                error(
                    "path",
                    format!("source `{id}` has both `path` and `git`"),
                    "a source is a folder (`path`) or a repository (`git` and `rev`), not both",
                );
                continue;
            }
            (Some(_), None, Some(_)) => {
                error(
                    "rev",
                    format!("source `{id}`: `rev` is for git sources"),
                    "remove `rev`, or give `git` instead of `path`",
                );
                continue;
            }
            (None, None, _) => {
                error(
                    "id",
                    format!("source `{id}` says neither `path` nor `git`"),
                    "add `path = \"../kenya-igf\"`, or `git = \"https://...\"` and `rev = \"main\"`",
                );
                continue;
            }
        };
        let mount = raw.mount.trim_matches('/').to_string();
        if let Some(problem) = mount_problem(&mount, reserved) {
            error(
                "mount",
                format!("source `{id}`: mount `{}` {problem}", raw.mount),
                "mount it at a path of its own, such as `nri/kenya`",
            );
            continue;
        }
        if let Some(other) = specs.iter().find(|s| overlaps(&s.mount, &mount)) {
            error(
                "mount",
                format!(
                    "sources `{}` and `{id}` overlap: `{}` and `{mount}`",
                    other.id, other.mount
                ),
                "mounts may not be the same or one inside the other; give each its own path",
            );
            continue;
        }
        if let Some(unknown) = raw
            .languages
            .iter()
            .flatten()
            .find(|l| !site_languages.contains(l))
        {
            error(
                "languages",
                format!("source `{id}`: the site has no language `{unknown}`"),
                &format!("the site's languages are {}", site_languages.join(", ")),
            );
            continue;
        }
        specs.push(SourceSpec {
            id,
            location,
            mount,
            languages: raw.languages,
            trusted: raw.trusted,
            at: at("id"),
        });
    }
    specs
}

/// Why a mount cannot be used, if it cannot.
fn mount_problem(mount: &str, reserved: &[String]) -> Option<&'static str> {
    if mount.is_empty() {
        return Some("is the whole site; the site's own `content/` is there");
    }
    if mount
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == ".." || part.starts_with('_'))
        || mount.contains('\\')
    {
        return Some("is not a plain path of folder names");
    }
    let first = mount.split('/').next().unwrap_or_default();
    if reserved.iter().any(|r| r == first) {
        return Some("starts with a path the site itself uses (a language, `members`, a listing)");
    }
    None
}

/// One mount is the other or lies inside it.
pub fn overlaps(a: &str, b: &str) -> bool {
    let inside = |inner: &str, outer: &str| {
        inner == outer
            || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/'))
    };
    inside(a, b) || inside(b, a)
}

/// A content tree ready to read: the site's own (first, `id` empty) or a member's.
#[derive(Debug, Clone)]
pub struct SourceTree {
    /// Empty for the site's own content.
    pub id: String,
    /// Where its content lands in the site; empty for the site's own.
    pub mount: String,
    /// The folder holding its `content/` (and `member.toml`).
    pub dir: PathBuf,
    /// What diagnostics write before a path in the tree: `` for the site, `../kenya/` for a
    /// folder, `kenya@main:` for a git source (its id and rev, then the path in its tree).
    pub shown_prefix: String,
    pub trusted: bool,
    pub member: Option<Member>,
}

impl SourceTree {
    /// The path in the site a file of this tree has: `nri/kenya/report.md` for `report.md`.
    pub fn site_rel(&self, tree_rel: &str) -> String {
        if tree_rel.is_empty() {
            return self.mount.clone();
        }
        crate::content::join_key(&self.mount, tree_rel)
    }

    /// The path in this tree of a path in the site, if the path is this tree's.
    pub fn tree_rel<'a>(&self, site_rel: &'a str) -> Option<&'a str> {
        if self.mount.is_empty() {
            return Some(site_rel);
        }
        if site_rel == self.mount {
            return Some("");
        }
        site_rel
            .strip_prefix(self.mount.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
    }

    /// How diagnostics name a file of this tree: `content/x.md`, `kenya@main:content/x.md`.
    pub fn shown(&self, tree_rel: &str) -> PathBuf {
        PathBuf::from(format!(
            "{}{}/{tree_rel}",
            self.shown_prefix,
            crate::content::CONTENT_DIR
        ))
    }
}

/// The tree a site path belongs to: the member whose mount holds it, else the site's own.
pub fn tree_of<'a>(trees: &'a [SourceTree], site_rel: &str) -> &'a SourceTree {
    trees
        .iter()
        .skip(1)
        .find(|t| t.tree_rel(site_rel).is_some())
        .unwrap_or(&trees[0])
}

/// How the git sources are brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// Use the cache and `plenary.lock`; fetch only what is not pinned or not cached yet.
    AsPinned,
    /// Fetch every git source again and pin what its rev names now (`plenary sources update`).
    Update,
}

/// Finds every source's tree: the site's own first, then each member's, fetching and pinning
/// git sources as needed. The outer error is the machine failing; the inner, the user's files.
pub fn resolve(
    config: &Config,
    fetch: Fetch,
    only: Option<&str>,
) -> anyhow::Result<Result<Vec<SourceTree>, Vec<Diagnostic>>> {
    let mut trees = vec![SourceTree {
        id: String::new(),
        mount: String::new(),
        dir: config.root.clone(),
        shown_prefix: String::new(),
        trusted: true,
        member: None,
    }];
    if config.sources.is_empty() {
        return Ok(Ok(trees));
    }
    let (dirs, _) = git::checkouts(config, fetch, only)?;
    let mut diags = Vec::new();
    for spec in &config.sources {
        let (dir, shown_prefix) = match &spec.location {
            Location::Path(path) => {
                let dir = config.root.join(path);
                let mut shown = crate::diag::display_path(&config.root, &dir)
                    .to_string_lossy()
                    .replace('\\', "/");
                shown.push('/');
                (dir, shown)
            }
            Location::Git { rev, .. } => match dirs.get(&spec.id) {
                Some(Ok(dir)) => (dir.clone(), format!("{}@{rev}:", spec.id)),
                Some(Err(d)) => {
                    diags.push(d.clone());
                    continue;
                }
                None => continue,
            },
        };
        if !dir.is_dir() {
            diags.push(
                Diagnostic::error(
                    crate::config::CONFIG_FILE,
                    spec.at,
                    format!("source `{}`: no folder `{}`", spec.id, dir.display()),
                )
                .with_hint("check `path` in its `[[sources]]` entry (relative to the site root)"),
            );
            continue;
        }
        for folder in SITE_ONLY_FOLDERS {
            if dir.join(folder).exists() {
                diags.push(Diagnostic::error(PathBuf::from(format!("{shown_prefix}{folder}")), Position::START, format!("source `{}` has a `{folder}/` folder: member trees bring content only", spec.id))
                    .with_hint("the site's theme and interface strings serve every member; propose changes to them to the site, and remove the folder"));
            }
        }
        let member = match member::load(&dir, &shown_prefix) {
            Ok(member) => Some(member),
            Err(mut d) => {
                diags.append(&mut d);
                None
            }
        };
        trees.push(SourceTree {
            id: spec.id.clone(),
            mount: spec.mount.clone(),
            dir,
            shown_prefix,
            trusted: spec.trusted,
            member,
        });
    }
    if diags.is_empty() {
        Ok(Ok(trees))
    } else {
        Ok(Err(diags))
    }
}

/// Fetches the git sources again (or the one named) and pins the commit each rev names now.
pub fn update(
    config: &Config,
    only: Option<&str>,
) -> anyhow::Result<Result<Vec<git::Moved>, Vec<Diagnostic>>> {
    if let Some(id) = only {
        if !config
            .sources
            .iter()
            .any(|s| s.id == id && s.rev().is_some())
        {
            let known: Vec<&str> = config
                .sources
                .iter()
                .filter(|s| s.rev().is_some())
                .map(|s| s.id.as_str())
                .collect();
            return Ok(Err(vec![Diagnostic::error(
                crate::config::CONFIG_FILE,
                Position::START,
                format!("no git source `{id}`"),
            )
            .with_hint(match known.is_empty() {
                true => "the site lists no git sources under `[[sources]]`".to_string(),
                false => format!("the git sources are: {}", known.join(", ")),
            })]));
        }
    }
    let (dirs, moved) = git::checkouts(config, Fetch::Update, only)?;
    let diags: Vec<Diagnostic> = dirs.into_values().filter_map(Result::err).collect();
    Ok(if diags.is_empty() {
        Ok(moved)
    } else {
        Err(diags)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_overlap_only_at_folder_boundaries() {
        let cases = [
            ("nri/kenya", "nri/kenya", true),
            ("nri", "nri/kenya", true),
            ("nri/kenya", "nri", true),
            ("nri/ken", "nri/kenya", false),
            ("nri/kenya", "nri/kenya-youth", false),
            ("dc/iot", "nri/kenya", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(overlaps(a, b), expected, "{a} {b}");
        }
    }

    #[test]
    fn unusable_mounts_say_why() {
        let reserved = vec!["fr".to_string(), "members".to_string()];
        let cases = [
            ("nri/kenya", None),
            ("", Some("is the whole site")),
            ("nri/../x", Some("is not a plain path")),
            ("nri//x", Some("is not a plain path")),
            ("_search/x", Some("is not a plain path")),
            ("fr/kenya", Some("starts with a path the site itself uses")),
            ("members", Some("starts with a path the site itself uses")),
        ];
        for (mount, expected) in cases {
            let got = mount_problem(mount, &reserved);
            match expected {
                None => assert_eq!(got, None, "{mount}"),
                Some(start) => assert!(
                    got.is_some_and(|g| g.starts_with(start)),
                    "{mount}: {got:?}"
                ),
            }
        }
    }

    #[test]
    fn site_paths_map_to_their_tree_and_back() {
        let tree = |id: &str, mount: &str| SourceTree {
            id: id.into(),
            mount: mount.into(),
            dir: PathBuf::from(id),
            shown_prefix: format!("{id}@main:"),
            trusted: false,
            member: None,
        };
        let trees = vec![
            tree("", ""),
            tree("kenya", "nri/kenya"),
            tree("iot", "dc/iot"),
        ];
        let cases = [
            ("nri/kenya/report.md", "kenya", "report.md"),
            ("nri/kenya", "kenya", ""),
            ("nri/kenya-youth/a.md", "", "nri/kenya-youth/a.md"),
            ("dc/iot/x/index.fr.md", "iot", "x/index.fr.md"),
            ("bpf/a.md", "", "bpf/a.md"),
        ];
        for (site_rel, id, tree_rel) in cases {
            let found = tree_of(&trees, site_rel);
            assert_eq!(found.id, id, "{site_rel}");
            assert_eq!(found.tree_rel(site_rel), Some(tree_rel), "{site_rel}");
            assert_eq!(found.site_rel(tree_rel), site_rel, "{site_rel}");
        }
        assert_eq!(
            trees[1].shown("report.md"),
            PathBuf::from("kenya@main:content/report.md")
        );
    }
}
