//! Answers a visitor's query from the built indexes: lenient parsing, ranking, excerpts, facets.
//!
//! The same code answers natively (`plenary search`, `/_search`) and in the visitor's browser,
//! compiled to WebAssembly by `src/wasm/`, which includes this file and `query/excerpt.rs`: so
//! nothing here reads files (see `IndexSource`).

use std::collections::BTreeMap;
use std::ops::Bound;

use anyhow::Context as _;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::postings::Postings;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocSet, Index, IndexReader, TantivyDocument, Term};

use crate::analysis;
use crate::body_store;
use crate::facet_counts::{CountFacets, FacetTables};
use crate::search::{self, Fields, Meta, SearchDoc, FACETS};

// Named by its path: the WebAssembly build includes this file by path too, and would look for
// `excerpt.rs` beside it.
#[path = "query/excerpt.rs"]
mod excerpt;
pub use excerpt::escape;
use excerpt::{excerpt, mark_terms, Marks};

/// Longer queries are cut: nobody types more, and each word costs a lookup per field.
pub const MAX_QUERY_CHARS: usize = 256;
const MAX_WORDS: usize = 12;
/// Results a page may show.
pub const MAX_PER_PAGE: usize = 100;
/// How deep the results may be paged: the collector keeps every result up to the page
/// shown, so an unbounded page number is an unbounded allocation. Past a thousand results,
/// a narrower search serves the reader better.
pub const MAX_RESULTS: usize = 1000;
/// Facet filters one search may have: each is a clause of the query.
const MAX_FILTERS: usize = 32;
/// A matching page's score in the title counts this many times its score in the body.
const TITLE_BOOST: f32 = 3.0;
/// Pages holding every word rank above pages holding only some.
const ALL_WORDS_BOOST: f32 = 20.0;

/// Where a searcher reads a built index from: a built site's `_search/` folder (search.rs), or
/// its files handed over in memory (the WebAssembly module, `src/wasm/`).
pub trait IndexSource {
    /// How messages name the index's folder (`public/_search`); its files are named under it.
    fn name(&self) -> String;
    /// The bytes of `meta.json`.
    fn meta(&self) -> anyhow::Result<Vec<u8>>;
    /// A language's tantivy index.
    fn directory(&self, lang: &str) -> anyhow::Result<Box<dyn tantivy::Directory>>;
    /// A language's page bodies.
    fn bodies(&self, lang: &str) -> anyhow::Result<body_store::Reader>;
}

/// The built indexes of a site, one per language.
pub struct Searcher {
    indexes: BTreeMap<String, LanguageIndex>,
}

struct LanguageIndex {
    reader: IndexReader,
    fields: Fields,
    facets: FacetTables,
    bodies: body_store::Reader,
}

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub query: String,
    /// A language code, or `all`.
    pub lang: String,
    /// Facet filters: (`kind`, `bpf-output`), ...
    pub filters: Vec<(String, String)>,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Serialize)]
pub struct Response {
    pub query: String,
    pub lang: String,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub url: String,
    pub title: String,
    pub lang: String,
    pub score: f32,
    pub date: Option<String>,
    pub kind: Option<String>,
    pub group: Option<String>,
    /// HTML: the matched words in `<mark>`, everything else escaped.
    pub excerpt: String,
    pub translations: Vec<(String, String)>,
    /// The member that published it, if a member did.
    pub source: Option<String>,
    /// The site it is on (the `site` facet's value): links to other sites' pages are absolute.
    pub site: Option<String>,
}

/// A request the caller must fix (an unknown language or facet); the HTTP API answers 400.
#[derive(Debug, PartialEq)]
pub struct Invalid(pub String);

impl Searcher {
    /// Opens the indexes `source` holds, checking their format version. Natively a built
    /// site's folder is opened with `Searcher::open` (in search.rs: it reads files, which the
    /// WebAssembly build of this file has not).
    pub fn open_from(source: &dyn IndexSource) -> anyhow::Result<Searcher> {
        let name = source.name();
        let meta: Meta = serde_json::from_slice(&source.meta()?)
            .with_context(|| format!("`{name}/meta.json` is not a Plenary search index"))?;
        if meta.format != search::FORMAT_VERSION {
            anyhow::bail!("the search index at `{name}` has format {}, this Plenary reads format {}: rebuild the site", meta.format, search::FORMAT_VERSION);
        }
        let mut indexes = BTreeMap::new();
        for lang in meta.languages {
            let index = Index::open(source.directory(&lang)?)
                .with_context(|| format!("cannot open the search index `{name}/{lang}`"))?;
            search::register_analyzer(&index, &lang);
            let (_, fields) = search::schema(&lang);
            // The preview server says when the index has changed (`reload`).
            let reader = index
                .reader_builder()
                .reload_policy(tantivy::ReloadPolicy::Manual)
                .try_into()
                .with_context(|| format!("cannot read the search index `{name}/{lang}`"))?;
            let bodies = source.bodies(&lang)?;
            indexes.insert(
                lang,
                LanguageIndex {
                    reader,
                    fields,
                    facets: FacetTables::default(),
                    bodies,
                },
            );
        }
        Ok(Searcher { indexes })
    }

    /// Sees the changes committed since the index was opened.
    pub fn reload(&self) -> anyhow::Result<()> {
        for (lang, index) in &self.indexes {
            index
                .reader
                .reload()
                .with_context(|| format!("cannot read the {lang} search index again"))?;
        }
        Ok(())
    }

    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.indexes.keys().map(String::as_str)
    }

    pub fn search(&self, request: &Request) -> Result<Response, Invalid> {
        let languages: Vec<&str> = if request.lang == "all" {
            self.languages().collect()
        } else if self.indexes.contains_key(&request.lang) {
            vec![request.lang.as_str()]
        } else {
            return Err(Invalid(format!(
                "unknown language `{}`; the site has: all, {}",
                request.lang,
                self.languages().collect::<Vec<_>>().join(", ")
            )));
        };
        if request.filters.len() > MAX_FILTERS {
            return Err(Invalid(format!(
                "a search may have up to {MAX_FILTERS} filters, not {}",
                request.filters.len()
            )));
        }
        for (name, _) in &request.filters {
            if !FACETS.contains(&name.as_str()) {
                return Err(Invalid(format!(
                    "unknown filter `{name}`; filters are: {}",
                    FACETS.join(", ")
                )));
            }
        }
        let per_page = request.per_page.clamp(1, MAX_PER_PAGE);
        let page = request.page.max(1);
        if page > last_page(per_page) {
            return Err(Invalid(format!(
                "`page` goes up to {} with {per_page} results a page; to see results further \
                 down, search with more words or a filter",
                last_page(per_page)
            )));
        }
        let query_text: String = request.query.chars().take(MAX_QUERY_CHARS).collect();
        let wanted = page * per_page;
        let parsed = parse(&query_text);
        // Each language's best `wanted` pages are merged, and only the pages shown are read
        // from the store and given an excerpt.
        let mut searched: Vec<Searched> = Vec::new();
        let mut found: Vec<(f32, usize, DocAddress)> = Vec::new();
        let mut total = 0;
        let mut facets: BTreeMap<String, BTreeMap<String, u64>> = FACETS
            .iter()
            .map(|name| (name.to_string(), BTreeMap::new()))
            .collect();
        for lang in languages {
            let index = &self.indexes[lang];
            let mut analyzer = PooledAnalyzer::take(lang);
            let Some(query) = build_query(
                &parsed,
                &index.fields,
                analyzer.get(),
                lang,
                &request.filters,
            ) else {
                continue;
            };
            let searcher = index.reader.searcher();
            let collectors = (
                TopDocs::with_limit(wanted).order_by_score(),
                Count,
                CountFacets(&index.facets),
            );
            let Ok((top, count, counts)) = searcher.search(&query, &collectors) else {
                continue;
            };
            total += count;
            for (name, values) in counts {
                let entry = facets.entry(name).or_default();
                for (value, n) in values {
                    *entry.entry(value).or_default() += n;
                }
            }
            let marks = mark_terms(&parsed, analyzer.get(), lang);
            let which = searched.len();
            found.extend(
                top.into_iter()
                    .map(|(score, address)| (score, which, address)),
            );
            searched.push(Searched {
                index,
                searcher,
                analyzer,
                marks,
            });
        }
        found.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
        });
        let mut hits = Vec::new();
        for (score, which, address) in found.into_iter().skip((page - 1) * per_page).take(per_page)
        {
            hits.extend(searched[which].hit(score, address));
        }
        Ok(Response {
            query: query_text,
            lang: request.lang.clone(),
            total,
            page,
            per_page,
            hits,
            facets,
        })
    }
}

/// The last page of results that can be asked for with `per_page` results a page.
pub fn last_page(per_page: usize) -> usize {
    (MAX_RESULTS / per_page.clamp(1, MAX_PER_PAGE)).max(1)
}

/// One language's part of a search: what is needed to turn its hits into results.
struct Searched<'a> {
    index: &'a LanguageIndex,
    searcher: tantivy::Searcher,
    analyzer: PooledAnalyzer,
    marks: Marks,
}

impl Searched<'_> {
    /// The result for a hit: its stored fields and an excerpt of its body.
    fn hit(&mut self, score: f32, address: DocAddress) -> Option<Hit> {
        let fields = &self.index.fields;
        let document = self.searcher.doc::<TantivyDocument>(address).ok()?;
        let stored = document.get_first(fields.stored)?.as_str()?;
        let doc = serde_json::from_str::<SearchDoc>(stored).ok()?;
        let body = doc.stored_body.and_then(|at| self.index.bodies.body(at));
        let in_body = self.terms_in_body(address);
        let excerpt = excerpt(
            body.as_ref(),
            &doc.description,
            &self.marks,
            &in_body,
            self.analyzer.get(),
        );
        Some(Hit {
            url: doc.url,
            title: doc.title,
            lang: doc.lang,
            score,
            date: doc.date,
            kind: doc.kind,
            group: doc.group,
            excerpt,
            translations: doc.translations,
            source: doc.source,
            site: doc.site,
        })
    }

    /// Where the searched terms are in the page's body, from the index's postings:
    /// (position, which term), in order. The excerpt's passage is chosen from these, so only
    /// its own words need reading.
    fn terms_in_body(&self, address: DocAddress) -> Vec<(usize, usize)> {
        let body = self.index.fields.body;
        let Ok(inverted) = self
            .searcher
            .segment_reader(address.segment_ord)
            .inverted_index(body)
        else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut positions = Vec::new();
        for (mark, term) in self.marks.terms.iter().enumerate() {
            let term = Term::from_field_text(body, term);
            let Ok(Some(mut postings)) =
                inverted.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
            else {
                continue;
            };
            // `seek` only goes forward: a list may start past the page.
            let doc = address.doc_id;
            if postings.doc() <= doc && postings.seek(doc) == doc {
                postings.positions(&mut positions);
                found.extend(positions.iter().map(|&p| (p as usize, mark)));
            }
        }
        found.sort_unstable();
        found
    }
}

thread_local! {
    static ANALYZERS: std::cell::RefCell<BTreeMap<String, TextAnalyzer>> = const {
        std::cell::RefCell::new(BTreeMap::new())
    };
}

/// A language's analyzer, kept by each thread between searches: its cache of the terms of
/// the words it has seen makes excerpts cheap once warm. Returned to the thread when dropped.
struct PooledAnalyzer {
    lang: String,
    analyzer: Option<TextAnalyzer>,
}

impl PooledAnalyzer {
    fn take(lang: &str) -> PooledAnalyzer {
        let kept = ANALYZERS.with_borrow_mut(|pool| pool.remove(lang));
        PooledAnalyzer {
            lang: lang.to_string(),
            analyzer: Some(kept.unwrap_or_else(|| analysis::analyzer(lang))),
        }
    }

    fn get(&mut self) -> &mut TextAnalyzer {
        self.analyzer
            .get_or_insert_with(|| analysis::analyzer(&self.lang))
    }
}

impl Drop for PooledAnalyzer {
    fn drop(&mut self) {
        if let Some(analyzer) = self.analyzer.take() {
            let lang = std::mem::take(&mut self.lang);
            ANALYZERS.with_borrow_mut(|pool| pool.insert(lang, analyzer));
        }
    }
}

/// What the visitor typed: loose words, quoted phrases, and whether the last word is unfinished.
#[derive(Debug, Default, PartialEq)]
pub struct Parsed {
    pub words: Vec<String>,
    pub phrases: Vec<String>,
    /// The last word may be cut short (search as you type): it also matches as a prefix.
    pub last_is_prefix: bool,
}

/// Never fails: quotes pair up or run to the end, anything that is not a word separates words.
pub fn parse(query: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut rest = query;
    while let Some(open) = rest.find('"') {
        parsed.words.extend(split_words(&rest[..open]));
        let after = &rest[open + 1..];
        let (phrase, next) = match after.find('"') {
            Some(close) => (&after[..close], &after[close + 1..]),
            None => (after, ""),
        };
        if !phrase.trim().is_empty() {
            parsed.phrases.push(phrase.trim().to_string());
        }
        rest = next;
    }
    let tail_words = split_words(rest);
    parsed.last_is_prefix = !tail_words.is_empty() && !rest.ends_with(char::is_whitespace);
    parsed.words.extend(tail_words);
    parsed.words.truncate(MAX_WORDS);
    parsed.phrases.truncate(MAX_WORDS);
    parsed
}

fn split_words(text: &str) -> Vec<String> {
    text.split(|c: char| {
        !(c.is_alphanumeric()
            || matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}'))
    })
    .filter(|w| !w.is_empty())
    .map(str::to_string)
    .collect()
}

fn build_query(
    parsed: &Parsed,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
    lang: &str,
    filters: &[(String, String)],
) -> Option<Box<dyn Query>> {
    let searched = [
        (fields.title, TITLE_BOOST),
        (fields.description, 1.5),
        (fields.headings, 1.5),
        (fields.body, 1.0),
    ];
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (i, word) in parsed.words.iter().enumerate() {
        let terms = analysis::terms(analyzer, word);
        if terms.is_empty() {
            continue;
        }
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in searched {
            for term in &terms {
                let q = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
            let is_last = i + 1 == parsed.words.len();
            if is_last && parsed.last_is_prefix {
                if let Some(prefix) = prefix_of(word, lang) {
                    // The terms from the prefix up to the prefix followed by the last
                    // character there is: every term that starts with it. A range of the
                    // term dictionary, with no automaton to build.
                    let q = RangeQuery::new(
                        Bound::Included(Term::from_field_text(field, &prefix)),
                        Bound::Included(Term::from_field_text(
                            field,
                            &format!("{prefix}{}", char::MAX),
                        )),
                    );
                    alternatives.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(q), boost * 0.5)),
                    ));
                }
            }
        }
        let word_query: Box<dyn Query> = Box::new(BooleanQuery::new(alternatives));
        all.push((Occur::Must, word_query.box_clone()));
        any.push((Occur::Should, word_query));
    }
    for phrase in &parsed.phrases {
        // Positions keep the gaps of dropped stop words: "freedom of expression" needs
        // one word between the other two.
        let terms = analysis::terms_at(analyzer, phrase);
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in searched {
            let q: Box<dyn Query> = match terms.as_slice() {
                [] => continue,
                [(_, term)] => Box::new(TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                )),
                _ => Box::new(PhraseQuery::new_with_offset(
                    terms
                        .iter()
                        .map(|(position, t)| (*position, Term::from_field_text(field, t)))
                        .collect(),
                )),
            };
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(q, boost))));
        }
        if alternatives.is_empty() {
            continue;
        }
        let phrase_query: Box<dyn Query> = Box::new(BooleanQuery::new(alternatives));
        all.push((Occur::Must, phrase_query.box_clone()));
        any.push((Occur::Should, phrase_query));
    }
    if any.is_empty() {
        return None;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if all.len() > 1 {
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(BooleanQuery::new(all)),
                ALL_WORDS_BOOST,
            )),
        ));
    }
    clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    for (name, value) in filters {
        if let Some(position) = FACETS.iter().position(|f| f == name) {
            let term =
                Term::from_facet(fields.facets[position], &Facet::from_path([value.as_str()]));
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// The normalised start of a word that terms must begin with to match it as a prefix: two
/// characters at least, only letters and digits (so the pattern cannot be hostile), and two
/// characters shorter than typed, because the index holds stems ("educat" is indexed "educ").
fn prefix_of(word: &str, lang: &str) -> Option<String> {
    let normalized = analysis::normalize(lang, word).to_lowercase();
    let folded: String = if matches!(lang, "fr" | "es") {
        fold_ascii(&normalized)
    } else {
        normalized
    };
    let clean: Vec<char> = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    let keep = if clean.len() > 4 {
        clean.len() - 2
    } else {
        clean.len()
    };
    (keep >= 2).then(|| clean[..keep].iter().collect())
}

fn fold_ascii(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd()
        .filter(|c| !matches!(c, '\u{0300}'..='\u{036F}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_input_parses_into_words_and_phrases() {
        let cases: [(&str, &[&str], &[&str], bool); 8] = [
            ("human rights", &["human", "rights"], &[], true),
            ("human rights ", &["human", "rights"], &[], false),
            ("\"equal pay\" work", &["work"], &["equal pay"], true),
            ("\"unbalanced quote", &[], &["unbalanced quote"], false),
            (
                "title:(a OR b*) -c",
                &["title", "a", "OR", "b", "c"],
                &[],
                true,
            ),
            ("", &[], &[], false),
            ("*** ))) \u{202E}", &[], &[], false),
            ("人人有权 😀", &["人人有权"], &[], true),
        ];
        for (query, words, phrases, prefix) in cases {
            let parsed = parse(query);
            assert_eq!(parsed.words, words, "{query:?}");
            assert_eq!(parsed.phrases, phrases, "{query:?}");
            assert_eq!(parsed.last_is_prefix, prefix, "{query:?}");
        }
    }

    #[test]
    fn a_long_query_is_capped_in_words() {
        let parsed = parse(&"word ".repeat(2000));
        assert_eq!(parsed.words.len(), MAX_WORDS);
    }
}
