//! Reads each source's content folder: Markdown to parse, other files to publish, and the files refused (too big, leading out of a member's tree, unsafe SVG).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{ParsedFile, CONTENT_DIR};
use crate::diag::{Diagnostic, Position};
use crate::sources::SourceTree;

/// A Markdown file as read from disk, not yet understood.
#[derive(Debug, Clone)]
pub struct RawFile {
    /// Relative to the content folder, with `/` separators: `bpf/x/index.fr.md`.
    pub rel: String,
    /// The path diagnostics show: `content/bpf/x/index.fr.md`.
    pub shown: PathBuf,
    pub bytes: Vec<u8>,
}

/// A file published as it is: a PDF report or an image beside a page, or in a section folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// Relative to the content folder: `bpf/x/report.pdf`.
    pub rel: String,
    pub source: PathBuf,
}

/// What `load` found: Markdown to parse and other files to copy, and the files that may not
/// be read (links out of a member's tree, files too big) with the error that says why.
#[derive(Debug, Default)]
pub struct Tree {
    pub files: Vec<RawFile>,
    pub assets: Vec<Asset>,
    pub refused: Vec<ParsedFile>,
}

impl Tree {
    fn refuse(&mut self, rel: String, diagnostic: Diagnostic) {
        self.refused.push(ParsedFile {
            rel,
            doc: None,
            diags: vec![diagnostic],
        });
    }
}

/// A Markdown file larger than this is refused: no one writes one, and reading one would
/// hold the whole build up.
pub const MAX_PAGE_BYTES: u64 = 16 << 20;
/// A file published beside a page larger than this is refused: link to big files where they
/// are kept instead.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Reads every Markdown file of each source's `content/`, under its mount, and lists the
/// other files.
pub fn load(trees: &[SourceTree]) -> anyhow::Result<Tree> {
    let mut tree = Tree::default();
    for source in trees {
        let dir = source.dir.join(CONTENT_DIR);
        if dir.is_dir() {
            Walker::new(source, trees)?.walk(&dir, "", &mut tree)?;
        }
    }
    tree.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    tree.assets.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(tree)
}

/// What `load` would find at `rel` (a file or a folder, as a path in the site), or nothing
/// when it is gone or ignored: for rereading only what changed.
pub fn load_at(trees: &[SourceTree], rel: &str) -> anyhow::Result<Tree> {
    let mut tree = Tree::default();
    if rel.split('/').any(is_ignored) {
        return Ok(tree);
    }
    let source = crate::sources::tree_of(trees, rel);
    let tree_rel = source.tree_rel(rel).unwrap_or(rel);
    let path = source.dir.join(CONTENT_DIR).join(tree_rel);
    let walker = Walker::new(source, trees)?;
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => walker.walk(&path, &prefix_of(tree_rel), &mut tree)?,
        Ok(_) => walker.read_file(path, tree_rel.to_string(), &mut tree)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", path.display())),
    }
    // Members mounted inside a folder of the site's own content come with it.
    if source.id.is_empty() {
        for member in &trees[1..] {
            if crate::sources::overlaps(&member.mount, rel) && member.mount.len() > rel.len() {
                let dir = member.dir.join(CONTENT_DIR);
                if dir.is_dir() {
                    Walker::new(member, trees)?.walk(&dir, "", &mut tree)?;
                }
            }
        }
    }
    Ok(tree)
}

fn prefix_of(tree_rel: &str) -> String {
    if tree_rel.is_empty() {
        String::new()
    } else {
        format!("{tree_rel}/")
    }
}

/// Reads one source's content folder.
struct Walker<'a> {
    source: &'a SourceTree,
    /// Set for members: the folder no file of theirs may lead out of.
    fence: Option<PathBuf>,
    /// Every source, whose mounts the site's own content must keep out of.
    trees: &'a [SourceTree],
}

impl<'a> Walker<'a> {
    fn new(source: &'a SourceTree, trees: &'a [SourceTree]) -> anyhow::Result<Walker<'a>> {
        let fence = if source.id.is_empty() {
            None
        } else {
            Some(
                source
                    .dir
                    .canonicalize()
                    .with_context(|| format!("cannot read `{}`", source.dir.display()))?,
            )
        };
        Ok(Walker {
            source,
            fence,
            trees,
        })
    }

    fn walk(&self, dir: &Path, prefix: &str, tree: &mut Tree) -> anyhow::Result<()> {
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_ignored(&name) {
                continue;
            }
            let path = entry.path();
            let rel = format!("{prefix}{name}");
            let mut file_type = entry
                .file_type()
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            if file_type.is_symlink() {
                if !self.inside_fence(&path) {
                    let d = Diagnostic::error(self.source.shown(&rel), Position::START, format!("`{rel}` is a symbolic link leading out of the tree of source `{}`", self.source.id))
                        .with_hint("a member's files must all be inside its own tree: copy the file in, or remove the link");
                    tree.refuse(self.source.site_rel(&rel), d);
                    continue;
                }
                file_type = std::fs::metadata(&path)
                    .with_context(|| format!("cannot read `{}`", path.display()))?
                    .file_type();
            }
            if file_type.is_dir() {
                self.walk(&path, &format!("{rel}/"), tree)?;
            } else {
                self.read_file(path, rel, tree)?;
            }
        }
        Ok(())
    }

    /// SVG files of untrusted members are read and checked: opened on their own, they are
    /// documents that could run script as the site.
    fn is_untrusted_svg(&self, tree_rel: &str) -> bool {
        !self.source.trusted
            && tree_rel
                .rsplit_once('.')
                .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("svg"))
    }

    /// Whether a link leads to a file inside the member's tree (always, for the site's own).
    fn inside_fence(&self, path: &Path) -> bool {
        match &self.fence {
            None => true,
            Some(fence) => path.canonicalize().is_ok_and(|p| p.starts_with(fence)),
        }
    }

    /// Markdown is read to be parsed; other files are only listed, to be copied.
    fn read_file(&self, path: PathBuf, tree_rel: String, tree: &mut Tree) -> anyhow::Result<()> {
        let shown = self.source.shown(&tree_rel);
        let size = std::fs::metadata(&path)
            .with_context(|| format!("cannot read `{}`", path.display()))?
            .len();
        let markdown = tree_rel.ends_with(".md");
        let limit = if markdown {
            MAX_PAGE_BYTES
        } else {
            MAX_FILE_BYTES
        };
        if size > limit {
            let hint = if markdown {
                "split it into several pages"
            } else {
                "publish big files elsewhere (a repository or a file store) and link to them"
            };
            let d = Diagnostic::error(
                &shown,
                Position::START,
                format!(
                    "file too big: {} MiB, more than the {} MiB a {} may have",
                    size >> 20,
                    limit >> 20,
                    if markdown { "page" } else { "file" }
                ),
            )
            .with_hint(hint);
            tree.refuse(self.source.site_rel(&tree_rel), d);
            return Ok(());
        }
        let rel = self.source.site_rel(&tree_rel);
        if self.source.id.is_empty() && self.trees.len() > 1 {
            let member = crate::sources::tree_of(self.trees, &rel);
            if !member.id.is_empty() {
                let d = Diagnostic::error(
                    &shown,
                    Position::START,
                    format!(
                        "`{}` is inside the mount `{}` of source `{}`",
                        shown.display(),
                        member.mount,
                        member.id
                    ),
                )
                .with_hint("move it into that source's tree, or mount the source elsewhere");
                tree.refuse(rel, d);
                return Ok(());
            }
        }
        if markdown {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            tree.files.push(RawFile { rel, shown, bytes });
        } else if self.is_untrusted_svg(&tree_rel) {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            let text = String::from_utf8_lossy(&bytes);
            match crate::sanitize::svg_risk(&text) {
                Some((at, what)) => {
                    let d = Diagnostic::error(&shown, Position::at(&text, at), format!("this SVG could run script on the site: it has {what}"))
                        .with_hint("a drawing needs no script: remove it (and event attributes such as onload=), or mark the source `trusted = true`");
                    tree.refuse(rel, d);
                }
                None => tree.assets.push(Asset { rel, source: path }),
            }
        } else {
            tree.assets.push(Asset { rel, source: path });
        }
        Ok(())
    }
}

/// Hidden files and editors' swap and backup files are never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}
