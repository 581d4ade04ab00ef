//! Reads a member tree's `member.toml`: who publishes the tree, in each language.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::toml_diagnostic;
use crate::diag::{Diagnostic, Position};

/// The kinds of intersessional group, in the order the members' directory lists them.
pub const KINDS: [&str; 3] = ["bpf", "dc", "nri"];

/// A group that publishes in the site: a BPF, a Dynamic Coalition or an NRI.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Its name in the site's default language.
    pub name: String,
    /// Its name in other languages, by code.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// `bpf`, `dc` or `nri`.
    pub kind: String,
    /// One of the site's regions: `africa`, `asia-pacific`, `eastern-europe`, `grulac`,
    /// `weog`, `global`.
    pub region: Option<String>,
    pub country: Option<String>,
    pub website: Option<String>,
    pub contact: Option<String>,
    pub licence: Option<String>,
}

impl Member {
    pub fn name_in(&self, lang: &str) -> &str {
        self.names.get(lang).unwrap_or(&self.name)
    }
}

const KEYS: &[&str] = &[
    "name", "names", "kind", "region", "country", "website", "contact", "licence",
];

/// Reads `<dir>/member.toml`; `shown_prefix` is how diagnostics name the tree.
pub fn load(dir: &Path, shown_prefix: &str) -> Result<Member, Vec<Diagnostic>> {
    let shown = PathBuf::from(format!("{shown_prefix}{}", crate::sources::MEMBER_FILE));
    let path = dir.join(crate::sources::MEMBER_FILE);
    // As for its content, no file outside a member's tree is read.
    if let (Ok(real), Ok(tree)) = (path.canonicalize(), dir.canonicalize()) {
        if !real.starts_with(&tree) {
            return Err(vec![Diagnostic::error(&shown, Position::START, "`member.toml` is a symbolic link leading out of the member's tree")
                .with_hint("a member's files must all be inside its own tree: put the file itself in place of the link")]);
        }
    }
    let read = crate::user_files::read(&path, crate::user_files::MAX_TEXT_BYTES);
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(refused)) => return Err(vec![refused.diagnostic(&shown)]),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(vec![Diagnostic::error(&shown, Position::START, "missing `member.toml`: a member tree says who publishes it")
                .with_hint("add member.toml with at least `name = \"...\"` and `kind = \"nri\"` (or \"bpf\", \"dc\")")]);
        }
        Err(e) => {
            return Err(vec![Diagnostic::error(
                &shown,
                Position::START,
                format!("cannot read: {e}"),
            )])
        }
    };
    let text = crate::content::decode_text(&shown, &bytes).map_err(|d| vec![d])?;
    parse(&shown, &text)
}

/// Parses the text of a `member.toml`.
pub fn parse(shown: &Path, text: &str) -> Result<Member, Vec<Diagnostic>> {
    let member: Member =
        toml::from_str(text).map_err(|e| vec![toml_diagnostic(shown, text, 0, &e, KEYS)])?;
    let mut diags = Vec::new();
    if member.name.trim().is_empty() {
        diags.push(
            Diagnostic::error(shown, Position::of_key(text, 0, "name"), "`name` is empty")
                .with_hint("the member's name as readers know it: `name = \"Kenya IGF\"`"),
        );
    }
    if !KINDS.contains(&member.kind.as_str()) {
        diags.push(
            Diagnostic::error(
                shown,
                Position::of_key(text, 0, "kind"),
                format!("unknown kind `{}`", member.kind),
            )
            .with_hint("`kind` is \"bpf\" (Best Practice Forum), \"dc\" (Dynamic Coalition) or \"nri\" (national, regional or youth IGF)"),
        );
    }
    if let Some(website) = &member.website {
        if !matches!(
            crate::sanitize::scheme(website).as_deref(),
            Some("http" | "https")
        ) {
            diags.push(
                Diagnostic::error(
                    shown,
                    Position::of_key(text, 0, "website"),
                    format!("`website` must be a web address: `{website}`"),
                )
                .with_hint("write it in full, such as `https://www.kigf.or.ke`"),
            );
        }
    }
    if diags.is_empty() {
        Ok(member)
    } else {
        Err(diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_file_is_read_and_its_mistakes_pointed_at() {
        let shown = Path::new("kenya@main:member.toml");
        let good = "name = \"Kenya IGF\"\nkind = \"nri\"\nregion = \"africa\"\n[names]\nfr = \"FGI du Kenya\"\n";
        let member = parse(shown, good).unwrap();
        assert_eq!(member.name_in("fr"), "FGI du Kenya");
        assert_eq!(member.name_in("ar"), "Kenya IGF");
        let cases = [
            ("name = \"K\"\nkind = \"nri\"\nlicense = \"CC BY\"\n", "kenya@main:member.toml:3:1: error: unknown field `license`\n  = hint: did you mean `licence`?"),
            ("name = \"K\"\nkind = \"igf\"\n", "kenya@main:member.toml:2:1: error: unknown kind `igf`\n  = hint: `kind` is \"bpf\" (Best Practice Forum), \"dc\" (Dynamic Coalition) or \"nri\" (national, regional or youth IGF)"),
            ("kind = \"nri\"\n", "kenya@main:member.toml:1:1: error: missing field `name`\n  = hint: add it; see the README for what each field means"),
        ];
        for (text, expected) in cases {
            let diags = parse(shown, text).unwrap_err();
            assert_eq!(diags[0].to_string(), expected, "{text}");
        }
    }

    #[test]
    fn a_member_file_is_read_from_inside_the_tree_and_only_if_regular() {
        let dir = tempfile::tempdir().unwrap();
        let (tree, outside) = (dir.path().join("tree"), dir.path().join("secret.toml"));
        std::fs::create_dir(&tree).unwrap();
        std::fs::write(&outside, "name = \"K\"\nkind = \"nri\"\n").unwrap();
        let file = tree.join("member.toml");
        let first_line = |result: Result<Member, Vec<Diagnostic>>| {
            let diags = result.unwrap_err();
            diags[0]
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        };
        std::os::unix::fs::symlink(&outside, &file).unwrap();
        assert_eq!(
            first_line(load(&tree, "k@main:")),
            "k@main:member.toml:1:1: error: `member.toml` is a symbolic link leading out of the member's tree"
        );
        std::fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
        assert_eq!(
            first_line(load(&tree, "k@main:")),
            "k@main:member.toml:1:1: error: `member.toml` is a symbolic link leading out of the member's tree"
        );
        std::fs::remove_file(&file).unwrap();
        std::fs::write(&file, "name = \"K\"\nkind = \"nri\"\n").unwrap();
        assert_eq!(load(&tree, "").unwrap().name, "K");
    }
}
