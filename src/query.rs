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
        let asked = self.check(request)?;
        let mut ranked = self.rank(&asked, &request.filters);
        let shown: Vec<_> = ranked.shown(&asked).collect();
        let mut hits = Vec::new();
        for (score, which, address) in shown {
            hits.extend(ranked.searched[which].hit(score, address));
        }
        Ok(Response {
            query: asked.query_text,
            lang: request.lang.clone(),
            total: ranked.total,
            page: asked.page,
            per_page: asked.per_page,
            hits,
            facets: ranked.facets,
        })
    }

    /// Reads what `search` would read for `request`, every read that does not wait on another
    /// that failed, and answers nothing: for an index read over the network, where each read
    /// is a round trip. A source that fails the reads it does not have yet learns all of them
    /// at once, fetches them together, and calls this again until nothing fails (three
    /// rounds: the postings of the query's terms; the stored fields of the results shown and
    /// where the words are in them; their bodies; a phrase's positions add one); `search`
    /// then reads only what it has.
    pub fn read_ahead(&self, request: &Request) -> Result<(), Invalid> {
        let asked = self.check(request)?;
        let mut complete = true;
        for lang in &asked.languages {
            let index = &self.indexes[lang.as_str()];
            let mut analyzer = PooledAnalyzer::take(lang);
            let Some(query) = build_query(
                &asked.parsed,
                &index.fields,
                analyzer.get(),
                lang,
                &request.filters,
            ) else {
                continue;
            };
            let mut terms = Vec::new();
            query.query_terms(&mut |term, positions| terms.push((term.clone(), positions)));
            let prefix = prefix_searched(&asked.parsed, lang);
            let ranges = prefix.map(|prefix| {
                searched_fields(&index.fields).map(|(field, _)| prefix_range(field, &prefix))
            });
            let searcher = index.reader.searcher();
            complete &= read_postings(&searcher, &terms, ranges.iter().flatten());
        }
        // The ranking reads only postings and columns: what the results are depends on them.
        if !complete {
            return Ok(());
        }
        let ranked = self.rank(&asked, &request.filters);
        for (_, which, address) in ranked.shown(&asked) {
            ranked.searched[which].read_hit(address);
        }
        Ok(())
    }

    /// The request's languages, page and words, or what is wrong with it.
    fn check(&self, request: &Request) -> Result<Asked, Invalid> {
        let languages: Vec<String> = if request.lang == "all" {
            self.languages().map(str::to_string).collect()
        } else if self.indexes.contains_key(&request.lang) {
            vec![request.lang.clone()]
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
        let parsed = parse(&query_text);
        Ok(Asked {
            languages,
            query_text,
            parsed,
            page,
            per_page,
        })
    }

    /// Each language's best pages up to the page asked for, merged; with the total and the
    /// facet counts.
    fn rank(&self, asked: &Asked, filters: &[(String, String)]) -> Ranked<'_> {
        let wanted = asked.page * asked.per_page;
        let mut ranked = Ranked {
            searched: Vec::new(),
            found: Vec::new(),
            total: 0,
            facets: FACETS
                .iter()
                .map(|name| (name.to_string(), BTreeMap::new()))
                .collect(),
        };
        for lang in &asked.languages {
            let index = &self.indexes[lang.as_str()];
            let mut analyzer = PooledAnalyzer::take(lang);
            let Some(query) =
                build_query(&asked.parsed, &index.fields, analyzer.get(), lang, filters)
            else {
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
            ranked.total += count;
            for (name, values) in counts {
                let entry = ranked.facets.entry(name).or_default();
                for (value, n) in values {
                    *entry.entry(value).or_default() += n;
                }
            }
            let marks = mark_terms(&asked.parsed, analyzer.get(), lang);
            let which = ranked.searched.len();
            ranked.found.extend(
                top.into_iter()
                    .map(|(score, address)| (score, which, address)),
            );
            ranked.searched.push(Searched {
                index,
                searcher,
                analyzer,
                marks,
            });
        }
        ranked.found.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
        });
        ranked
    }
}

/// A request, checked.
struct Asked {
    languages: Vec<String>,
    query_text: String,
    parsed: Parsed,
    page: usize,
    per_page: usize,
}

/// The pages found for a request, best first: (score, which of `searched`, page).
struct Ranked<'a> {
    searched: Vec<Searched<'a>>,
    found: Vec<(f32, usize, DocAddress)>,
    total: usize,
    facets: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Ranked<'_> {
    /// The results on the page asked for.
    fn shown(&self, asked: &Asked) -> impl Iterator<Item = (f32, usize, DocAddress)> + use<'_> {
        self.found
            .iter()
            .copied()
            .skip((asked.page - 1) * asked.per_page)
            .take(asked.per_page)
    }
}

/// Reads the postings of `terms` (with their positions where asked) and of the terms in
/// `ranges`, in every segment, each read on its own: false if any failed.
fn read_postings<'t>(
    searcher: &tantivy::Searcher,
    terms: &[(Term, bool)],
    ranges: impl Iterator<Item = &'t (Term, Term)> + Clone,
) -> bool {
    let mut complete = true;
    for segment in searcher.segment_readers() {
        for (term, positions) in terms {
            let Ok(inverted) = segment.inverted_index(term.field()) else {
                complete = false;
                continue;
            };
            let option = if *positions {
                IndexRecordOption::WithFreqsAndPositions
            } else {
                IndexRecordOption::WithFreqs
            };
            complete &= match inverted.get_term_info(term) {
                Ok(Some(info)) => inverted.read_postings_from_terminfo(&info, option).is_ok(),
                Ok(None) => true,
                Err(_) => false,
            };
        }
        for (lower, upper) in ranges.clone() {
            let Ok(inverted) = segment.inverted_index(lower.field()) else {
                complete = false;
                continue;
            };
            let stream = inverted
                .terms()
                .range()
                .ge(lower.serialized_value_bytes())
                .le(upper.serialized_value_bytes())
                .into_stream();
            let Ok(mut stream) = stream else {
                complete = false;
                continue;
            };
            while stream.advance() {
                complete &= inverted
                    .read_block_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)
                    .is_ok();
            }
        }
    }
    complete
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
        let doc = self.stored(address)?;
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

    /// A page's stored fields.
    fn stored(&self, address: DocAddress) -> Option<SearchDoc<'static>> {
        let document = self.searcher.doc::<TantivyDocument>(address).ok()?;
        let stored = document.get_first(self.index.fields.stored)?.as_str()?;
        serde_json::from_str::<SearchDoc>(stored).ok()
    }

    /// Reads what `hit` reads: the page's stored fields, then its body; and where the words
    /// are in it (their positions: the postings themselves were read to rank).
    fn read_hit(&self, address: DocAddress) {
        self.terms_in_body(address);
        if let Some(at) = self.stored(address).and_then(|doc| doc.stored_body) {
            self.index.bodies.body(at);
        }
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
    let searched = searched_fields(fields);
    let prefix = prefix_searched(parsed, lang);
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
            if let Some(prefix) = prefix.as_ref().filter(|_| is_last) {
                let (lower, upper) = prefix_range(field, prefix);
                let q = RangeQuery::new(Bound::Included(lower), Bound::Included(upper));
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), boost * 0.5)),
                ));
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

/// The fields a query searches, with how much a match in each counts.
fn searched_fields(fields: &Fields) -> [(tantivy::schema::Field, f32); 4] {
    [
        (fields.title, TITLE_BOOST),
        (fields.description, 1.5),
        (fields.headings, 1.5),
        (fields.body, 1.0),
    ]
}

/// The start of the last word that terms may begin with, when it may be unfinished.
fn prefix_searched(parsed: &Parsed, lang: &str) -> Option<String> {
    let last = parsed.words.last().filter(|_| parsed.last_is_prefix)?;
    prefix_of(last, lang)
}

/// The terms from the prefix up to the prefix followed by the last character there is: every
/// term of `field` that starts with it. A range of the term dictionary, with no automaton to
/// build.
fn prefix_range(field: tantivy::schema::Field, prefix: &str) -> (Term, Term) {
    (
        Term::from_field_text(field, prefix),
        Term::from_field_text(field, &format!("{prefix}{}", char::MAX)),
    )
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
