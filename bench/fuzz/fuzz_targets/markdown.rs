//! Fuzzes one content file: any bytes as a page's `index.md`, its front matter parsed and its Markdown rendered with links and headings, as the site's own page and as a member's (sanitised).
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use plenary::config::Config;
use plenary::content::{Asset, ParsedFile, RawFile};

const SITE: &str = r#"title = "Fuzz"
base_url = "https://fuzz.example.org"
default_language = "en"
languages = ["en", "fr", "ar"]
taxonomies = ["group", "year", "theme", "region"]

[search]
index = true

[groups.bpf-x]
name = "BPF X"

[[sources]]
id = "member"
path = "member"
mount = "nri/member"
"#;

/// The pages around the fuzzed one, for its `@/` links and its section to resolve.
const NEIGHBOURS: &[(&str, &str)] = &[
    ("_index.md", "+++\ntitle = \"Home\"\n+++\n"),
    ("bpf/_index.md", "+++\ntitle = \"BPF\"\n+++\n"),
    (
        "bpf/other/index.md",
        "+++\ntitle = \"Other\"\n+++\n\n## Known heading\n",
    ),
    (
        "bpf/other/index.fr.md",
        "+++\ntitle = \"Autre\"\n+++\n\n## Titre connu\n",
    ),
    ("nri/_index.md", "+++\ntitle = \"NRI\"\n+++\n"),
];

/// Where the fuzzed file is read: a page of the site (trusted) and a member's page (sanitised).
const FUZZED: [&str; 2] = ["bpf/x/index.md", "nri/member/y/index.md"];

struct Fixture {
    config: Config,
    neighbours: Vec<ParsedFile>,
    assets: Vec<Asset>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = std::path::Path::new("/nonexistent/fuzz-site");
        let config = plenary::config::parse(root, std::path::Path::new("site.toml"), SITE)
            .expect("the fuzz site's site.toml parses");
        let neighbours = NEIGHBOURS
            .iter()
            .map(|(rel, text)| plenary::content::parse_one(raw(rel, text.as_bytes()), &config))
            .collect();
        let assets = ["bpf/x/report.pdf", "nri/member/y/chart.png"]
            .iter()
            .map(|rel| Asset {
                rel: rel.to_string(),
                source: root.join("content").join(rel),
            })
            .collect();
        Fixture {
            config,
            neighbours,
            assets,
        }
    })
}

fn raw(rel: &str, bytes: &[u8]) -> RawFile {
    RawFile {
        rel: rel.to_string(),
        shown: PathBuf::from("content").join(rel),
        bytes: bytes.to_vec(),
    }
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let config = &fixture.config;
    let fuzzed: Vec<ParsedFile> = FUZZED
        .iter()
        .map(|rel| plenary::content::parse_one(raw(rel, data), config))
        .collect();
    let mut files: Vec<&ParsedFile> = fixture.neighbours.iter().chain(&fuzzed).collect();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let (content, mut diags) =
        plenary::content::assemble(files, fixture.assets.clone(), config, true);
    let _site = plenary::site::index(&content, config);
    for entry in &content.entries {
        if !FUZZED
            .iter()
            .any(|rel| rel.starts_with(&format!("{}/", entry.key)))
        {
            continue;
        }
        let (bodies, mut more) = plenary::markdown::render_entry(entry, &content, config);
        diags.append(&mut more);
        for body in &bodies {
            // Rendering is linear: a small file cannot become a huge page. The constant is
            // for short table rows, which pulldown-cmark pads to the header's width up to a
            // cap (36 KB of table measured 2.4 MB of HTML, and no more for longer tables).
            let produced = body.html.len() + body.text.len() + body.summary.len();
            assert!(
                produced <= 64 * data.len() + (4 << 20),
                "{produced} bytes of page from a file of {}",
                data.len()
            );
        }
        let _ = Arc::strong_count(entry);
    }
    // Positions are absolute in the file: never past its last line.
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 2;
    for diag in &diags {
        assert!(diag.line <= lines, "{diag:?} in a file of {lines} lines");
    }
});
