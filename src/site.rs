//! What every listing needs, the same in all languages: which pages, in what order, under which terms.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::content::{Content, Entry, EntryKind};

/// The site's structure, by entry index into `Content::entries`.
#[derive(Clone)]
pub struct Site {
    /// Pages of each section (by section key), weighted ones first, then newest first.
    pub section_pages: BTreeMap<String, Vec<usize>>,
    /// Sections directly below each section.
    pub subsections: BTreeMap<String, Vec<usize>>,
    /// Every page, newest first: the home page and the feeds show the start of it.
    pub newest: Vec<usize>,
    /// How many pages each section holds, its subsections' included.
    pub totals: BTreeMap<String, usize>,
    pub taxonomies: Vec<Taxonomy>,
    /// Pages of each member source (as in `Config::sources`), newest first.
    pub member_pages: Vec<Vec<usize>>,
}

/// A way of grouping pages: by group, year, theme, region or kind.
#[derive(Clone)]
pub struct Taxonomy {
    /// `group`, `year`, `theme`, `region` or `kind`.
    pub name: String,
    /// The URL segment of its listings: `groups`, `years`, ...
    pub slug: String,
    /// Pages per term, newest first; terms sorted (years newest first).
    pub terms: Vec<(String, Vec<usize>)>,
}

/// Orders and groups the pages; knows nothing of languages or HTML.
pub fn index(content: &Content, config: &Config) -> Site {
    let pages: Vec<usize> = (0..content.entries.len())
        .filter(|&i| content.entries[i].kind == EntryKind::Page)
        .collect();
    let mut newest = pages.clone();
    newest.sort_by(|&a, &b| by_date(&content.entries[a], &content.entries[b]));

    let mut section_pages: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut subsections: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, entry) in content.entries.iter().enumerate() {
        if entry.kind == EntryKind::Section {
            section_pages.entry(entry.key.clone()).or_default();
        }
        if let Some(parent) = &entry.parent {
            match entry.kind {
                EntryKind::Page => section_pages.entry(parent.clone()).or_default().push(i),
                EntryKind::Section => subsections.entry(parent.clone()).or_default().push(i),
            }
        }
    }
    for list in section_pages.values_mut() {
        list.sort_by(|&a, &b| by_weight_then_date(&content.entries[a], &content.entries[b]));
    }
    for list in subsections.values_mut() {
        list.sort_by(|&a, &b| by_weight_then_title(&content.entries[a], &content.entries[b]));
    }
    let mut totals: BTreeMap<String, usize> = BTreeMap::new();
    for &i in &pages {
        let mut parent = content.entries[i].parent.clone();
        while let Some(key) = parent {
            *totals.entry(key.clone()).or_default() += 1;
            parent = content.get(&key).and_then(|e| e.parent.clone());
        }
    }
    let taxonomies = config
        .taxonomies
        .iter()
        .map(|name| taxonomy(name, &newest, content))
        .collect();
    let mut member_pages = vec![Vec::new(); config.sources.len()];
    if !config.sources.is_empty() {
        for &i in &newest {
            if let Some(source) = config.source_index(&content.entries[i].key) {
                member_pages[source].push(i);
            }
        }
    }
    Site {
        section_pages,
        subsections,
        newest,
        totals,
        taxonomies,
        member_pages,
    }
}

fn taxonomy(name: &str, newest: &[usize], content: &Content) -> Taxonomy {
    let mut terms: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in newest {
        for term in terms_of(&content.entries[i], name) {
            terms.entry(term).or_default().push(i);
        }
    }
    let mut terms: Vec<(String, Vec<usize>)> = terms.into_iter().collect();
    if name == "year" {
        terms.reverse();
    }
    Taxonomy {
        name: name.to_string(),
        slug: format!("{name}s"),
        terms,
    }
}

/// The terms a page is listed under; taken from its original version so all languages agree.
pub fn terms_of(entry: &Entry, taxonomy: &str) -> Vec<String> {
    let front = &entry.original_doc().front;
    match taxonomy {
        "group" => front.group.iter().cloned().collect(),
        "year" => front
            .date
            .and_then(|d| d.date)
            .map(|d| d.year.to_string())
            .into_iter()
            .collect(),
        "theme" => front.themes.clone(),
        "region" => front.region.iter().cloned().collect(),
        "kind" => front.kind.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Everything `index` reads of an entry beyond its key, kind and section: where it is listed
/// and in what order. An entry edited without changing it leaves the structure as it was.
pub fn placement(entry: &Entry, config: &Config) -> impl PartialEq {
    let terms: Vec<Vec<String>> = config
        .taxonomies
        .iter()
        .map(|name| terms_of(entry, name))
        .collect();
    (
        date_key(entry),
        weight(entry),
        title_of(entry).to_string(),
        terms,
    )
}

fn date_key(entry: &Entry) -> Option<(u16, u8, u8)> {
    entry
        .original_doc()
        .front
        .date
        .and_then(|d| d.date)
        .map(|d| (d.year, d.month, d.day))
}

fn title_of(entry: &Entry) -> &str {
    entry.original_doc().front.title.as_deref().unwrap_or("")
}

/// Newest first; undated pages last; then by title and key, so the order never depends on chance.
fn by_date(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    date_key(b)
        .cmp(&date_key(a))
        .then_with(|| title_of(a).cmp(title_of(b)))
        .then_with(|| a.key.cmp(&b.key))
}

fn weight(entry: &Entry) -> Option<i64> {
    entry.original_doc().front.weight
}

/// Pages with a weight first, lightest first; the rest newest first.
fn by_weight_then_date(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    match (weight(a), weight(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| by_date(a, b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => by_date(a, b),
    }
}

fn by_weight_then_title(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    weight(a)
        .unwrap_or(i64::MAX)
        .cmp(&weight(b).unwrap_or(i64::MAX))
        .then_with(|| title_of(a).cmp(title_of(b)))
        .then_with(|| a.key.cmp(&b.key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{RawFile, Tree};
    use std::path::{Path, PathBuf};

    #[test]
    fn pages_are_ordered_and_grouped_under_terms() {
        let text = "title = \"T\"\nbase_url = \"https://x.org\"\ndefault_language = \"en\"\nlanguages = [\"en\"]\ntaxonomies = [\"year\", \"theme\"]\n";
        let config = crate::config::parse(Path::new("/s"), Path::new("site.toml"), text).unwrap();
        let files = [
            ("_index.md", "+++\ntitle = \"Home\"\n+++\n"),
            ("bpf/_index.md", "+++\ntitle = \"BPF\"\n+++\n"),
            (
                "bpf/old.md",
                "+++\ntitle = \"Old\"\ndate = 2015-01-01\nthemes = [\"data\"]\n+++\n",
            ),
            (
                "bpf/new.md",
                "+++\ntitle = \"New\"\ndate = 2020-01-01\nthemes = [\"data\", \"access\"]\n+++\n",
            ),
            (
                "bpf/pinned.md",
                "+++\ntitle = \"Pinned\"\nweight = 1\n+++\n",
            ),
            ("bpf/y/_index.md", "+++\ntitle = \"Sub\"\n+++\n"),
        ];
        let tree = Tree {
            refused: Vec::new(),
            files: files
                .iter()
                .map(|(rel, t)| RawFile {
                    rel: rel.to_string(),
                    shown: PathBuf::from(rel),
                    bytes: t.as_bytes().to_vec(),
                })
                .collect(),
            assets: Vec::new(),
        };
        let (content, diags) = crate::content::parse(tree, &config, false);
        assert!(diags.is_empty(), "{diags:?}");
        let site = index(&content, &config);
        let keys = |list: &[usize]| {
            list.iter()
                .map(|&i| content.entries[i].key.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(&site.section_pages["bpf"]),
            ["bpf/pinned", "bpf/new", "bpf/old"]
        );
        assert_eq!(keys(&site.subsections["bpf"]), ["bpf/y"]);
        assert_eq!(keys(&site.subsections[""]), ["bpf"]);
        assert_eq!(keys(&site.newest), ["bpf/new", "bpf/old", "bpf/pinned"]);
        let years: Vec<&str> = site.taxonomies[0]
            .terms
            .iter()
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(years, ["2020", "2015"]);
        let themes: Vec<(&str, Vec<String>)> = site.taxonomies[1]
            .terms
            .iter()
            .map(|(t, l)| (t.as_str(), keys(l)))
            .collect();
        assert_eq!(
            themes,
            [
                ("access", vec!["bpf/new".to_string()]),
                ("data", vec!["bpf/new".to_string(), "bpf/old".to_string()])
            ]
        );
    }
}
