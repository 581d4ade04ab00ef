//! A generated archive like the benchmark trees: site.toml and content/ in the six UN languages, works of three kinds with translations, text from the UDHR fixture.
//!
//! Real parallel text (tests/fixtures/udhr) so that tokenisers, stemmers and segmenters meet
//! real Arabic, Chinese, Cyrillic and Latin script. The same seed writes the same tree.
//! Only the standard library: the fuzz targets (bench/fuzz) build their search site with it too.

use std::io;
use std::path::Path;

pub const LANGUAGES: [&str; 6] = ["en", "fr", "es", "ru", "ar", "zh"];

/// Share of works translated into each language; English is always written.
const TRANSLATED: [(&str, f64); 5] = [
    ("fr", 0.7),
    ("es", 0.7),
    ("ru", 0.45),
    ("ar", 0.45),
    ("zh", 0.45),
];
/// Section, kind, share of the works.
const KINDS: [(&str, &str, f64); 3] = [
    ("bpf", "bpf-output", 0.2),
    ("dc", "dc-paper", 0.3),
    ("nri", "nri-report", 0.5),
];
const BPF_GROUPS: [&str; 5] = [
    "cybersecurity",
    "gender-and-access",
    "local-content",
    "ipv6",
    "internet-fragmentation",
];
const DC_GROUPS: [&str; 5] = [
    "accessibility-and-disability",
    "child-online-safety",
    "community-connectivity",
    "internet-rights-and-principles",
    "youth-coalition",
];
const COUNTRIES: [&str; 6] = ["kenya", "brazil", "india", "germany", "japan", "tunisia"];
const REGIONS: [&str; 5] = ["africa", "asia-pacific", "eastern-europe", "grulac", "weog"];
const THEMES: [&str; 6] = [
    "data",
    "inclusion",
    "trust",
    "access",
    "human-rights",
    "digital-economy",
];

/// Each section's title, in the order of `LANGUAGES`.
const SECTION_TITLES: [(&str, [&str; 6]); 3] = [
    (
        "bpf",
        [
            "Best Practice Forums",
            "Forums sur les meilleures pratiques",
            "Foros de mejores prácticas",
            "Форумы передовой практики",
            "منتديات أفضل الممارسات",
            "最佳做法论坛",
        ],
    ),
    (
        "dc",
        [
            "Dynamic Coalitions",
            "Coalitions dynamiques",
            "Coaliciones dinámicas",
            "Динамические коалиции",
            "الائتلافات الدينامية",
            "动态联盟",
        ],
    ),
    (
        "nri",
        [
            "National, Regional and Youth IGFs",
            "IGF nationaux, régionaux et jeunesse",
            "IGF nacionales, regionales y juveniles",
            "Национальные, региональные и молодёжные IGF",
            "منتديات حوكمة الإنترنت الوطنية والإقليمية والشبابية",
            "国家、区域和青年互联网治理论坛",
        ],
    ),
];

/// What `write_site` wrote.
#[derive(Debug, PartialEq)]
pub struct Written {
    pub works: usize,
    pub pages: usize,
}

/// A small deterministic generator (xorshift64*): the tree must be the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.between(0, items.len() - 1)]
    }
}

/// The paragraphs of a UDHR file (the text of its `<para>` elements longer than 20
/// characters), white space collapsed.
pub fn udhr_paragraphs(xml: &str) -> Vec<String> {
    xml.split("<para>")
        .skip(1)
        .filter_map(|part| part.split_once("</para>"))
        .map(|(text, _)| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|text| text.chars().count() > 20)
        .collect()
}

/// Writes `site.toml` and `content/` under `out`: the home page and three sections in six
/// languages, and `works` works written in English, each translated into some of the other
/// five languages, with text from the UDHR files in `udhr` (`en.xml`, `fr.xml`, ...).
pub fn write_site(udhr: &Path, out: &Path, works: usize, seed: u64) -> io::Result<Written> {
    let mut pools = Vec::new();
    for lang in LANGUAGES {
        pools.push(udhr_paragraphs(&std::fs::read_to_string(
            udhr.join(format!("{lang}.xml")),
        )?));
    }
    let mut rng = Rng::new(seed);
    write(
        &out.join("site.toml"),
        "title = \"IGF Outputs Archive (generated)\"\nbase_url = \"https://example.org\"\ndefault_language = \"en\"\nlanguages = [\"en\", \"fr\", \"es\", \"ru\", \"ar\", \"zh\"]\n",
    )?;
    let content = out.join("content");
    let catalogue: Vec<Work> = (0..works).map(|i| Work::new(&mut rng, i)).collect();
    for (section, titles) in SECTION_TITLES {
        for (l, lang) in LANGUAGES.iter().enumerate() {
            let mut text = body(&mut rng, lang, &pools[l], &[]);
            // A section's introduction is short: its start, cut at a character boundary.
            text = text.chars().take(600).collect();
            let front = front_matter(&[("title", toml_str(titles[l]))]);
            write(
                &content.join(section).join(file_name("_index", lang)),
                &format!("{front}\n{text}\n"),
            )?;
        }
    }
    for lang in LANGUAGES {
        let front = front_matter(&[("title", toml_str("IGF Outputs Archive"))]);
        write(&content.join(file_name("_index", lang)), &front)?;
    }
    let mut pages = 0;
    for work in &catalogue {
        pages += work.write(&mut rng, &pools, &catalogue, &content)?;
    }
    Ok(Written { works, pages })
}

/// One work: what all its language versions share.
struct Work {
    section: &'static str,
    kind: &'static str,
    group: String,
    year: usize,
    slug: String,
}

impl Work {
    fn new(rng: &mut Rng, i: usize) -> Work {
        let roll = rng.unit();
        let mut share = 0.0;
        let (mut section, mut kind) = (KINDS[2].0, KINDS[2].1);
        for (s, k, part) in KINDS {
            share += part;
            if roll <= share {
                (section, kind) = (s, k);
                break;
            }
        }
        let year = rng.between(2006, 2025);
        let group = match section {
            "bpf" => format!("bpf-{}", rng.pick(&BPF_GROUPS)),
            "dc" => format!("dc-{}", rng.pick(&DC_GROUPS)),
            _ => format!("{}-igf", rng.pick(&COUNTRIES)),
        };
        let slug = format!("{group}-{year}-{i:05}");
        Work {
            section,
            kind,
            group,
            year,
            slug,
        }
    }

    /// Writes the English version and the translations drawn; returns how many.
    fn write(
        &self,
        rng: &mut Rng,
        pools: &[Vec<String>],
        catalogue: &[Work],
        content: &Path,
    ) -> io::Result<usize> {
        let mut langs = vec![0];
        for (code, share) in TRANSLATED {
            if rng.unit() < share {
                langs.push(LANGUAGES.iter().position(|l| *l == code).unwrap_or(0));
            }
        }
        let count = rng.between(1, 3);
        let mut themes: Vec<&str> = Vec::new();
        while themes.len() < count {
            let theme = *rng.pick(&THEMES);
            if !themes.contains(&theme) {
                themes.push(theme);
            }
        }
        let region = *rng.pick(&REGIONS);
        for &l in &langs {
            let lang = LANGUAGES[l];
            let pool = &pools[l];
            let links: Vec<(String, String)> = (0..4.min(catalogue.len()))
                .map(|_| {
                    let other = rng.pick(catalogue);
                    let prefix = if lang == "en" {
                        String::new()
                    } else {
                        format!("/{lang}")
                    };
                    let url = format!("{prefix}/{}/{}/", other.section, other.slug);
                    (title(rng, lang, pool), url)
                })
                .collect();
            let description: String = rng.pick(pool).chars().take(200).collect();
            let date = format!(
                "{}-{:02}-{:02}",
                self.year,
                rng.between(1, 12),
                rng.between(1, 28)
            );
            let themes_list = format!(
                "[{}]",
                themes
                    .iter()
                    .map(|t| toml_str(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut fields = vec![
                ("title", toml_str(&title(rng, lang, pool))),
                ("date", date),
                ("description", toml_str(&description)),
                ("kind", toml_str(self.kind)),
                ("group", toml_str(&self.group)),
                ("themes", themes_list),
            ];
            if self.section == "nri" {
                fields.push(("region", toml_str(region)));
            }
            let text = format!(
                "{}\n{}",
                front_matter(&fields),
                body(rng, lang, pool, &links)
            );
            let dir = content.join(self.section).join(&self.slug);
            write(&dir.join(file_name("index", lang)), &text)?;
        }
        Ok(langs.len())
    }
}

/// The words of a paragraph as a title is made of them: Chinese by character.
fn words(lang: &str, paragraph: &str) -> Vec<String> {
    if lang == "zh" {
        return paragraph
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .map(String::from)
            .collect();
    }
    paragraph
        .split_whitespace()
        .filter(|w| w.chars().count() > 3)
        .map(|w| {
            w.trim_matches(|c: char| ".,;:()«»“”\"'،".contains(c))
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// A few consecutive words of a paragraph, capitalised.
fn title(rng: &mut Rng, lang: &str, pool: &[String]) -> String {
    let words = words(lang, rng.pick(pool).as_str());
    let n = if lang == "zh" {
        rng.between(4, 8)
    } else {
        rng.between(3, 7)
    };
    let start = rng.between(0, words.len().saturating_sub(n));
    let chosen = &words[start.min(words.len())..(start + n).min(words.len())];
    let joined = if chosen.is_empty() {
        "Report".to_string()
    } else if lang == "zh" {
        chosen.concat()
    } else {
        chosen.join(" ")
    };
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => joined,
    }
}

/// A body of a few headed parts: paragraphs with links and bold words, lists, tables.
fn body(rng: &mut Rng, lang: &str, pool: &[String], links: &[(String, String)]) -> String {
    let mut parts = Vec::new();
    for _ in 0..rng.between(3, 9) {
        parts.push(format!("## {}", title(rng, lang, pool)));
        for _ in 0..rng.between(2, 6) {
            let mut paragraph = (0..rng.between(1, 3))
                .map(|_| rng.pick(pool).as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if !links.is_empty() && rng.unit() < 0.3 {
                let (text, url) = rng.pick(links);
                paragraph.push_str(&format!(" See [{text}]({url})."));
            }
            if rng.unit() < 0.15 {
                let words = words(lang, &paragraph);
                if words.len() > 4 {
                    paragraph = paragraph.replacen(&words[2], &format!("**{}**", words[2]), 1);
                }
            }
            parts.push(paragraph);
        }
        if rng.unit() < 0.35 {
            let items: Vec<String> = (0..rng.between(3, 7))
                .map(|_| format!("- {}", title(rng, lang, pool)))
                .collect();
            parts.push(items.join("\n"));
        }
        if rng.unit() < 0.1 {
            let rows: Vec<String> = (1..rng.between(3, 6))
                .map(|i| format!("| {i} | {} |", title(rng, lang, pool)))
                .collect();
            parts.push(format!("| # | Item |\n|---|---|\n{}", rows.join("\n")));
        }
    }
    parts.join("\n\n") + "\n"
}

fn front_matter(fields: &[(&str, String)]) -> String {
    let lines: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("+++\n{}\n+++\n", lines.join("\n"))
}

fn toml_str(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `index.md` in English, `index.fr.md` in French.
fn file_name(stem: &str, lang: &str) -> String {
    if lang == "en" {
        format!("{stem}.md")
    } else {
        format!("{stem}.{lang}.md")
    }
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}
