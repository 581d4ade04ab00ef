//! Git sources: fetched with the system `git` into `.plenary/cache/`, pinned by commit in `plenary.lock`.
//!
//! A build uses the commit `plenary.lock` pins for each git source. A pinned commit already
//! checked out runs no `git` at all, so warm builds work offline; one cached but not checked out
//! runs `git checkout` only. `git fetch` runs for a source not yet pinned (its pin is written),
//! for a pinned commit the cache lacks, and for `plenary sources update`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use super::{Fetch, Location, SourceSpec};
use crate::config::Config;
use crate::diag::Diagnostic;

pub const LOCK_FILE: &str = "plenary.lock";
/// Under the site root: bare repositories in `git/`, checked-out commits in `checkouts/`.
pub const CACHE_DIR: &str = ".plenary/cache";

/// `plenary.lock`: the exact commit each git source is built from.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    #[serde(default, rename = "source")]
    pub sources: Vec<Pin>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    pub id: String,
    pub git: String,
    pub rev: String,
    pub commit: String,
}

/// A pin that moved: what `plenary sources update` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    pub id: String,
    pub rev: String,
    pub from: Option<String>,
    pub to: String,
}

/// The checked-out folder of each git source, by id, or the error that kept it from being made.
pub type Checkouts = BTreeMap<String, Result<PathBuf, Diagnostic>>;

/// Brings every git source to its pinned commit (or pins it), writes `plenary.lock` when a pin
/// changed, and says which pins moved. `only` limits `Fetch::Update` to one source.
pub fn checkouts(
    config: &Config,
    fetch: Fetch,
    only: Option<&str>,
) -> anyhow::Result<(Checkouts, Vec<Moved>)> {
    let lock_path = config.root.join(LOCK_FILE);
    let old_lock = read_lock(&lock_path)?;
    // Absolute: git runs with other working folders.
    let cache = std::path::absolute(config.root.join(CACHE_DIR))
        .with_context(|| format!("cannot find `{}`", config.root.display()))?;
    let git_sources: Vec<(&SourceSpec, &String, &String)> = config
        .sources
        .iter()
        .filter_map(|spec| match &spec.location {
            Location::Git { url, rev } => Some((spec, url, rev)),
            Location::Path(_) => None,
        })
        .collect();
    let pinned_of = |spec: &SourceSpec, url: &String, rev: &String| {
        old_lock
            .sources
            .iter()
            .find(|p| p.id == spec.id && &p.git == url && &p.rev == rev)
    };
    // Each source on its own: fetching waits on the network and on git, so several run at once.
    let outcomes = for_each_at_once(&git_sources, |&(spec, url, rev)| {
        let refresh = fetch == Fetch::Update && only.is_none_or(|id| id == spec.id);
        let fetch_url = fetch_url(config, url);
        let pin = match pinned_of(spec, url, rev).filter(|_| !refresh) {
            Some(pin) => Ok(pin.commit.clone()),
            None => pin_rev(&cache, spec, &fetch_url, rev),
        };
        pin.and_then(|commit| {
            let dir = checkout(&cache, spec, &fetch_url, &commit)?;
            Ok((commit, dir))
        })
    });
    let mut lock = Lock::default();
    let mut dirs = BTreeMap::new();
    let mut moved = Vec::new();
    for ((spec, url, rev), checkout) in git_sources.into_iter().zip(outcomes) {
        let pinned = pinned_of(spec, url, rev);
        match checkout {
            Ok((commit, dir)) => {
                if pinned.map(|p| &p.commit) != Some(&commit) {
                    moved.push(Moved {
                        id: spec.id.clone(),
                        rev: rev.clone(),
                        from: pinned.map(|p| p.commit.clone()),
                        to: commit.clone(),
                    });
                }
                lock.sources.push(Pin {
                    id: spec.id.clone(),
                    git: url.clone(),
                    rev: rev.clone(),
                    commit,
                });
                dirs.insert(spec.id.clone(), Ok(dir));
            }
            Err(problem) => {
                // Keep the old pin, even of another address or rev: a failed fetch must not
                // lose it.
                lock.sources
                    .extend(old_lock.sources.iter().find(|p| p.id == spec.id).cloned());
                dirs.insert(spec.id.clone(), Err(problem.into_diagnostic(spec)));
            }
        }
    }
    lock.sources.sort_by(|a, b| a.id.cmp(&b.id));
    if lock != old_lock {
        write_lock(&lock_path, &lock)?;
    }
    Ok((dirs, moved))
}

/// The address git fetches from. git runs in the cache: a repository given as a path is
/// found from the site root.
fn fetch_url(config: &Config, url: &str) -> String {
    match local_path(url) {
        Some(path) => std::path::absolute(config.root.join(path))
            .map_or_else(|_| url.to_string(), |p| p.display().to_string()),
        None => url.to_string(),
    }
}

/// The path a `git` address names when it is a folder on this machine (`../dc-iot`,
/// `/srv/git/dc-iot.git`) rather than a URL (`https://...`, `file://...`, `git@host:path`).
fn local_path(url: &str) -> Option<&str> {
    (url.starts_with('.') || url.starts_with('/')).then_some(url)
}

/// How many git sources are fetched or checked out at once.
const AT_ONCE: usize = 4;

/// `work` on every item, `AT_ONCE` at a time; the results in the items' order.
fn for_each_at_once<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE.min(items.len()) {
            scope.spawn(|| {
                while let Some(i) =
                    Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i < items.len())
                {
                    let result = work(&items[i]);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// Why a git source could not be had; made into a diagnostic naming the source and its rev.
struct Problem {
    message: String,
    hint: String,
}

impl Problem {
    fn new(message: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            hint: hint.into(),
        }
    }

    fn into_diagnostic(self, spec: &SourceSpec) -> Diagnostic {
        let rev = spec.rev().unwrap_or_default();
        Diagnostic::error(
            crate::config::CONFIG_FILE,
            spec.at,
            format!("source `{}` at `{rev}`: {}", spec.id, self.message),
        )
        .with_hint(self.hint)
    }
}

fn read_lock(path: &Path) -> anyhow::Result<Lock> {
    let damaged = || {
        format!(
            "`{}` is damaged; delete it and build again to pin every git source anew",
            path.display()
        )
    };
    match crate::user_files::read(path, crate::user_files::MAX_TEXT_BYTES) {
        Ok(Ok(bytes)) => {
            let text = String::from_utf8(bytes).with_context(damaged)?;
            let lock: Lock = toml::from_str(&text).with_context(damaged)?;
            // Commits go to git as arguments: only object names are taken.
            let is_commit =
                |c: &str| matches!(c.len(), 40 | 64) && c.bytes().all(|b| b.is_ascii_hexdigit());
            if let Some(pin) = lock.sources.iter().find(|p| !is_commit(&p.commit)) {
                anyhow::bail!("{}: `{}` is not a commit", damaged(), pin.commit);
            }
            Ok(lock)
        }
        Ok(Err(refused)) => anyhow::bail!("{}: {}", damaged(), refused.diagnostic(path).message),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read `{}`", path.display())),
    }
}

fn write_lock(path: &Path, lock: &Lock) -> anyhow::Result<()> {
    let mut text = String::from(
        "# The exact commit each git source is built from; written by plenary. Commit this file\n# with the site; `plenary sources update [ID]` moves the pins.\n\n",
    );
    text.push_str(&toml::to_string(lock).context("cannot write the lock file")?);
    let temp = path.with_extension("lock.tmp");
    std::fs::write(&temp, text).with_context(|| format!("cannot write `{}`", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| format!("cannot write `{}`", path.display()))
}

/// Fetches the source and says which commit its rev names now.
fn pin_rev(cache: &Path, spec: &SourceSpec, url: &str, rev: &str) -> Result<String, Problem> {
    let repo = fetch_repo(cache, spec, url)?;
    resolve_rev(&repo, rev).ok_or_else(|| {
        Problem::new(
            format!("`{url}` has no branch, tag or commit `{rev}`"),
            "check `rev` in its `[[sources]]` entry: a branch, a tag or a commit of that repository",
        )
    })
}

/// The cached bare repository of a source, fetched from `url` now.
fn fetch_repo(cache: &Path, spec: &SourceSpec, url: &str) -> Result<PathBuf, Problem> {
    let repo = cache.join("git").join(format!("{}.git", spec.id));
    if !repo.join("HEAD").is_file() {
        std::fs::create_dir_all(&repo).map_err(|e| {
            Problem::new(
                format!("cannot make `{}`: {e}", repo.display()),
                "check that the site folder is writable",
            )
        })?;
        git(&repo, &["init", "--quiet", "--bare"]).map_err(|e| {
            Problem::new(
                format!("cannot make a cache repository: {e}"),
                "is `git` installed and on the PATH?",
            )
        })?;
    }
    git(
        &repo,
        &[
            "fetch",
            "--quiet",
            "--force",
            "--tags",
            "--",
            url,
            "+refs/heads/*:refs/heads/*",
        ],
    )
    .map_err(|e| {
        Problem::new(
            format!("cannot fetch `{url}`: {e}"),
            "check `git` in its `[[sources]]` entry, and the network; builds of commits already pinned and cached work offline",
        )
    })?;
    Ok(repo)
}

fn resolve_rev(repo: &Path, rev: &str) -> Option<String> {
    let commit = git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .ok()?;
    Some(commit.trim().to_string())
}

/// The folder holding `commit`'s files, checked out once and kept.
fn checkout(cache: &Path, spec: &SourceSpec, url: &str, commit: &str) -> Result<PathBuf, Problem> {
    let dir = cache.join("checkouts").join(&spec.id).join(commit);
    if dir.is_dir() {
        return Ok(dir);
    }
    let repo = cache.join("git").join(format!("{}.git", spec.id));
    let has_commit = |repo: &Path| resolve_rev(repo, commit).as_deref() == Some(commit);
    if !repo.join("HEAD").is_file() || !has_commit(&repo) {
        let repo = fetch_repo(cache, spec, url)?;
        if !has_commit(&repo) {
            return Err(Problem::new(
                format!("the commit `{commit}` pinned in plenary.lock is not in `{url}`"),
                format!("was the history rewritten? `plenary sources update {}` pins what `rev` names now", spec.id),
            ));
        }
    }
    let temp = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&temp);
    std::fs::create_dir_all(&temp).map_err(|e| {
        Problem::new(
            format!("cannot make `{}`: {e}", temp.display()),
            "check that the site folder is writable",
        )
    })?;
    let index = temp.with_extension("index");
    let status = git_command()
        .arg("--git-dir")
        .arg(&repo)
        .arg("--work-tree")
        .arg(&temp)
        .args(["checkout", "--quiet", "--force", commit, "--", "."])
        .env("GIT_INDEX_FILE", &index)
        .output();
    let _ = std::fs::remove_file(&index);
    match status {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(Problem::new(
                format!("cannot check out `{commit}`: {}", message(&out.stderr)),
                format!(
                    "the cached repository may be damaged: delete `{}` to fetch it again",
                    repo.display()
                ),
            ));
        }
        Err(e) => {
            return Err(Problem::new(
                format!("cannot run git: {e}"),
                "is `git` installed and on the PATH?",
            ))
        }
    }
    // Older commits of this source are not needed any more.
    if let Some(parent) = dir.parent() {
        if let Ok(entries) = std::fs::read_dir(parent) {
            for entry in entries.flatten() {
                if entry.path() != temp {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
    std::fs::rename(&temp, &dir).map_err(|e| {
        Problem::new(
            format!("cannot move the checkout into place: {e}"),
            "check that the site folder is writable",
        )
    })?;
    Ok(dir)
}

/// Runs git in `repo`; its standard output, or what it said on standard error.
fn git(repo: &Path, args: &[&str]) -> Result<String, String> {
    let out = git_command()
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(message(&out.stderr))
    }
}

/// git as Plenary runs it: on members' trees, none of the user's own hooks or file-system
/// monitor (their global settings would run them on every fetch and checkout), and never
/// waiting for a password (a build must fail, not hang).
fn git_command() -> Command {
    let mut command = Command::new("git");
    command
        .args([
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "core.fsmonitor=false",
        ])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .stdin(Stdio::null());
    command
}

/// At most this much of what git says goes into a diagnostic: a remote can say a lot.
const MESSAGE_CHARS: usize = 1000;

/// What git said, as one line: each `fatal:`/`error:` line a sentence, lines that continue one
/// joined to it, its `hint:` lines and control characters left out.
fn message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let mut sentences: Vec<String> = Vec::new();
    for line in text.lines() {
        let line: String = line.chars().filter(|c| !c.is_control()).collect();
        let line = line.trim();
        if line.is_empty() || line.starts_with("hint:") {
            continue;
        }
        let starts_one = ["fatal:", "error:", "warning:", "remote:"]
            .iter()
            .any(|p| line.starts_with(p));
        match sentences.last_mut() {
            Some(last) if !starts_one => {
                last.push(' ');
                last.push_str(line);
            }
            _ => sentences.push(line.to_string()),
        }
    }
    let whole = sentences.join("; ");
    match whole.char_indices().nth(MESSAGE_CHARS) {
        _ if whole.is_empty() => "git failed".to_string(),
        Some((cut, _)) => format!("{}…", &whole[..cut]),
        None => whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gits_message_is_shown_whole_on_one_line() {
        let cases = [
            (
                "fatal: '/srv/x.git' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
                "fatal: '/srv/x.git' does not appear to be a git repository; fatal: Could not read from remote repository. Please make sure you have the correct access rights and the repository exists.",
            ),
            (
                "hint: Using 'master' as the name\nerror: pathspec 'x' did not match\n",
                "error: pathspec 'x' did not match",
            ),
            ("remote: \u{1b}[31mred\u{1b}[0m\n", "remote: [31mred[0m"),
            ("", "git failed"),
        ];
        for (stderr, expected) in cases {
            assert_eq!(message(stderr.as_bytes()), expected, "{stderr:?}");
        }
        let long = format!("fatal: {}", "x".repeat(5000));
        assert_eq!(message(long.as_bytes()).chars().count(), MESSAGE_CHARS + 1);
    }
}
