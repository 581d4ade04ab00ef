//! Reads each source's content folder: Markdown to parse, other files to publish, and the files refused (too big, leading out of a member's tree, unsafe SVG).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{ParsedFile, CONTENT_DIR};
use crate::diag::{Diagnostic, Position};
use crate::sources::SourceTree;
use crate::user_files::{self, Refused};

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
        let meta =
            std::fs::metadata(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
        self.walk_in(dir, prefix, &mut vec![user_files::folder_id(&meta)], tree)
    }

    /// Walks `dir`, one of the folders `ancestors` names (the last); links are followed, but
    /// never back into a folder being walked.
    fn walk_in(
        &self,
        dir: &Path,
        prefix: &str,
        ancestors: &mut Vec<(u64, u64)>,
        tree: &mut Tree,
    ) -> anyhow::Result<()> {
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
            let file_type = entry
                .file_type()
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            if file_type.is_symlink() && !self.inside_fence(&path) {
                let d = Diagnostic::error(self.source.shown(&rel), Position::START, format!("`{rel}` is a symbolic link leading out of the tree of source `{}`", self.source.id))
                    .with_hint("a member's files must all be inside its own tree: copy the file in, or remove the link");
                tree.refuse(self.source.site_rel(&rel), d);
                continue;
            }
            let meta = match self.metadata(&path, &rel, file_type.is_symlink(), tree)? {
                Some(meta) => meta,
                None => continue,
            };
            if meta.is_dir() {
                let id = user_files::folder_id(&meta);
                if ancestors.contains(&id) {
                    let d = user_files::loop_diagnostic(&self.source.shown(&rel));
                    tree.refuse(self.source.site_rel(&rel), d);
                    continue;
                }
                ancestors.push(id);
                self.walk_in(&path, &format!("{rel}/"), ancestors, tree)?;
                ancestors.pop();
            } else {
                self.read_file(path, rel, tree)?;
            }
        }
        Ok(())
    }

    /// What a listed path is, links followed; `None` when it is refused: a link that leads
    /// nowhere is the user's to mend.
    fn metadata(
        &self,
        path: &Path,
        rel: &str,
        is_link: bool,
        tree: &mut Tree,
    ) -> anyhow::Result<Option<std::fs::Metadata>> {
        match std::fs::metadata(path) {
            Ok(meta) => Ok(Some(meta)),
            Err(e) if is_link => {
                let d = Diagnostic::error(
                    self.source.shown(rel),
                    Position::START,
                    format!("`{rel}` is a symbolic link that cannot be followed: {e}"),
                )
                .with_hint("point it at a file or folder that exists, or remove it");
                tree.refuse(self.source.site_rel(rel), d);
                Ok(None)
            }
            Err(e) => Err(e).with_context(|| format!("cannot read `{}`", path.display())),
        }
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

    /// Markdown is read to be parsed; other files are only listed, to be copied. Only regular
    /// files: a FIFO would hold the build up for ever, a device never end.
    fn read_file(&self, path: PathBuf, tree_rel: String, tree: &mut Tree) -> anyhow::Result<()> {
        let shown = self.source.shown(&tree_rel);
        let meta = std::fs::metadata(&path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        if let Some(kind) = user_files::special_kind(&meta.file_type()) {
            let d = Refused::Special(kind).diagnostic(&shown);
            tree.refuse(self.source.site_rel(&tree_rel), d);
            return Ok(());
        }
        let markdown = tree_rel.ends_with(".md");
        let limit = if markdown {
            MAX_PAGE_BYTES
        } else {
            MAX_FILE_BYTES
        };
        if meta.len() > limit {
            let d = too_big(&shown, Some(meta.len()), limit, markdown);
            tree.refuse(self.source.site_rel(&tree_rel), d);
            return Ok(());
        }
        let rel = self.source.site_rel(&tree_rel);
        if let Some(d) = self.inside_a_mount(&shown, &rel) {
            tree.refuse(rel, d);
            return Ok(());
        }
        if !markdown && !self.source.trusted {
            if let Some(d) = self.not_publishable(&shown, &tree_rel) {
                tree.refuse(rel, d);
                return Ok(());
            }
        }
        if !markdown && !self.is_untrusted_svg(&tree_rel) {
            tree.assets.push(Asset { rel, source: path });
            return Ok(());
        }
        let bytes = match user_files::read_or_refuse(&path, limit)? {
            Ok(bytes) => bytes,
            Err(Refused::TooBig { size, .. }) => {
                tree.refuse(rel, too_big(&shown, size, limit, markdown));
                return Ok(());
            }
            Err(refused) => {
                tree.refuse(rel, refused.diagnostic(&shown));
                return Ok(());
            }
        };
        if markdown {
            tree.files.push(RawFile { rel, shown, bytes });
            return Ok(());
        }
        let text = String::from_utf8_lossy(&bytes);
        match crate::sanitize::svg_risk(&text) {
            Some((at, what)) => {
                let d = Diagnostic::error(&shown, Position::at(&text, at), format!("this SVG could run script on the site: it has {what}"))
                    .with_hint("a drawing needs no script: remove it (and event attributes such as onload=), or mark the source `trusted = true`");
                tree.refuse(rel, d);
            }
            None => tree.assets.push(Asset { rel, source: path }),
        }
        Ok(())
    }

    /// The site's own files may not be inside a member's mount.
    fn inside_a_mount(&self, shown: &Path, rel: &str) -> Option<Diagnostic> {
        if !self.source.id.is_empty() || self.trees.len() < 2 {
            return None;
        }
        let member = crate::sources::tree_of(self.trees, rel);
        (!member.id.is_empty()).then(|| {
            Diagnostic::error(
                shown,
                Position::START,
                format!(
                    "`{}` is inside the mount `{}` of source `{}`",
                    shown.display(),
                    member.mount,
                    member.id
                ),
            )
            .with_hint("move it into that source's tree, or mount the source elsewhere")
        })
    }

    /// Why a file of an untrusted source may not be published, if it may not: only the types
    /// of `PUBLISHABLE` are.
    fn not_publishable(&self, shown: &Path, tree_rel: &str) -> Option<Diagnostic> {
        let name = tree_rel.rsplit('/').next().unwrap_or(tree_rel);
        let extension = name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase());
        let why = match extension.as_deref() {
            Some(ext) if PUBLISHABLE.contains(&ext) => return None,
            Some(ext) => format!("`.{ext}` files could run script on the site"),
            None => {
                "a file without an extension could be served as anything, a web page among them"
                    .to_string()
            }
        };
        let id = &self.source.id;
        Some(
            Diagnostic::error(shown, Position::START, format!("`{name}` cannot be published from the untrusted source `{id}`: {why}"))
                .with_hint(format!("an untrusted source publishes pages, and files of these types only: {}; if `{id}`'s files are as safe as the site's own, add `trusted = true` to its `[[sources]]` entry in site.toml", PUBLISHABLE.join(", "))),
        )
    }
}

/// What an untrusted source may publish beside its pages: documents, images, audio, video and
/// data, which browsers show as what they are, or download, and never run as part of the site.
/// Not HTML, XHTML or XML (XML can carry XHTML and XSLT), scripts (`.js`, `.mjs`, `.wasm`),
/// plug-ins (`.swf`), stylesheets, nor a file without an extension, which a server may send as
/// anything. SVG can hold script: an untrusted source's SVG is checked (`sanitize::svg_risk`).
pub const PUBLISHABLE: [&str; 30] = [
    "pdf", "txt", "csv", "tsv", "json", "rtf", "epub", "doc", "docx", "odt", "xls", "xlsx", "ods",
    "ppt", "pptx", "odp", "zip", "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "mp3", "m4a",
    "ogg", "wav", "mp4", "webm",
];

/// The error for a file over its limit.
fn too_big(shown: &Path, size: Option<u64>, limit: u64, markdown: bool) -> Diagnostic {
    let (what, hint) = if markdown {
        ("page", "split it into several pages")
    } else {
        (
            "file",
            "publish big files elsewhere (a repository or a file store) and link to them",
        )
    };
    let size = size.map_or_else(|| "more".to_string(), |s| format!("{} MiB,", s >> 20));
    Diagnostic::error(
        shown,
        Position::START,
        format!(
            "file too big: {size} more than the {} MiB a {what} may have",
            limit >> 20
        ),
    )
    .with_hint(hint)
}

/// Hidden files and editors' swap and backup files are never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}
