//! Answers a visitor's query from the built indexes: lenient parsing, ranking, excerpts, facets.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::ops::{ControlFlow, Range};
use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::postings::Postings;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocSet, Index, IndexReader, TantivyDocument, Term};

use crate::analysis;
use crate::body_store::{self, Body};
use crate::facet_counts::{CountFacets, FacetTables};
use crate::search::{self, Fields, Meta, SearchDoc, FACETS, SEARCH_DIR};

/// Longer queries are cut: nobody types more, and each word costs a lookup per field.
pub const MAX_QUERY_CHARS: usize = 256;
const MAX_WORDS: usize = 12;
/// A matching page's score in the title counts this many times its score in the body.
const TITLE_BOOST: f32 = 3.0;
/// Pages holding every word rank above pages holding only some.
const ALL_WORDS_BOOST: f32 = 20.0;
const EXCERPT_WORDS: usize = 32;
/// Words of a page read for its excerpt once one has matched (see `scan`).
const EXCERPT_SCAN_WORDS: usize = 5_000;
/// Bytes of text an excerpt's passage needs at most, about.
const PASSAGE_BYTES: usize = 1024;

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
    /// Opens `<site>/_search`, checking its format version.
    pub fn open(site_dir: &Path) -> anyhow::Result<Searcher> {
        let root = site_dir.join(SEARCH_DIR);
        let meta_path = root.join("meta.json");
        let meta_bytes = std::fs::read(&meta_path).with_context(|| {
            format!(
                "no search index at `{}`: build the site with `[search] index = true` in site.toml",
                root.display()
            )
        })?;
        let meta: Meta = serde_json::from_slice(&meta_bytes)
            .with_context(|| format!("`{}` is not a Plenary search index", meta_path.display()))?;
        if meta.format != search::FORMAT_VERSION {
            anyhow::bail!("the search index at `{}` has format {}, this Plenary reads format {}: rebuild the site", root.display(), meta.format, search::FORMAT_VERSION);
        }
        let mut indexes = BTreeMap::new();
        for lang in meta.languages {
            let dir = root.join(&lang);
            let index = Index::open_in_dir(&dir)
                .with_context(|| format!("cannot open the search index `{}`", dir.display()))?;
            search::register_analyzer(&index, &lang);
            let (_, fields) = search::schema(&lang);
            // The preview server says when the index has changed (`reload`).
            let reader = index
                .reader_builder()
                .reload_policy(tantivy::ReloadPolicy::Manual)
                .try_into()
                .with_context(|| format!("cannot read the search index `{}`", dir.display()))?;
            indexes.insert(
                lang,
                LanguageIndex {
                    reader,
                    fields,
                    facets: FacetTables::default(),
                    bodies: body_store::Reader::open(&dir.join(body_store::FILE))?,
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
        for (name, _) in &request.filters {
            if !FACETS.contains(&name.as_str()) {
                return Err(Invalid(format!(
                    "unknown filter `{name}`; filters are: {}",
                    FACETS.join(", ")
                )));
            }
        }
        let per_page = request.per_page.clamp(1, 100);
        let page = request.page.max(1);
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

/// What an excerpt marks: the terms of every word and phrase, and the unfinished last word.
struct Marks {
    terms: Vec<String>,
    prefix: Option<String>,
    lang: String,
}

impl Marks {
    /// Which of the searched terms `term` is (the prefix counts as the last), if any.
    fn which(&self, term: &str) -> Option<usize> {
        self.terms.iter().position(|t| t == term).or_else(|| {
            self.prefix
                .as_deref()
                .filter(|&p| term.starts_with(p))
                .map(|_| self.terms.len())
        })
    }

    fn distinct(&self) -> usize {
        self.terms.len() + usize::from(self.prefix.is_some())
    }
}

fn mark_terms(parsed: &Parsed, analyzer: &mut TextAnalyzer, lang: &str) -> Marks {
    let mut terms: Vec<String> = Vec::new();
    for text in parsed.words.iter().chain(&parsed.phrases) {
        for term in analysis::terms(analyzer, text) {
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
    }
    let prefix = parsed
        .last_is_prefix
        .then(|| parsed.words.last().and_then(|w| prefix_of(w, lang)))
        .flatten();
    Marks {
        terms,
        prefix,
        lang: lang.to_string(),
    }
}

/// A word of the excerpt's source that the index holds: where, at which position, and which
/// searched term it matches.
struct Word {
    range: Range<usize>,
    position: usize,
    mark: Option<usize>,
}

/// About `EXCERPT_WORDS` words of the body around its best passage, matches in `<mark>`; the
/// description when the body has no match (the page was found by its title or description).
/// `in_body` is where the searched terms are in the body: (position, which term).
fn excerpt(
    body: Option<&Body>,
    description: &str,
    marks: &Marks,
    in_body: &[(usize, usize)],
    analyzer: &mut TextAnalyzer,
) -> String {
    if let (Some(body), Some(_)) = (body, in_body.first()) {
        if marks.lang != "zh" {
            // Start a few words before the best passage, so a match is seen in its sentence.
            let from = best_passage(in_body, marks.distinct()).saturating_sub(4);
            if let Some(html) = passage_at(body, from, marks, analyzer) {
                return html;
            }
        }
    }
    let whole = body.and_then(Body::text).unwrap_or_default();
    if marks.lang == "zh" {
        return chinese_excerpt(&whole, description, marks);
    }
    // No whole word searched for is in the body: the unfinished last word may be.
    let body_words = if marks.prefix.is_some() {
        scan(&whole, marks, 1, analyzer)
    } else {
        Vec::new()
    };
    let (source, words) = if body_words.iter().any(|w| w.mark.is_some()) {
        (whole.as_str(), body_words)
    } else if !description.trim().is_empty() {
        (
            description,
            scan(description, marks, marks.distinct(), analyzer),
        )
    } else {
        (whole.as_str(), scan(&whole, marks, 0, analyzer))
    };
    if words.is_empty() {
        return escape(source.trim().chars().take(200).collect::<String>().as_str());
    }
    let matches: Vec<(usize, usize)> = words
        .iter()
        .filter_map(|w| w.mark.map(|m| (w.position, m)))
        .collect();
    let from = best_passage(&matches, marks.distinct()).saturating_sub(4);
    let first = words.partition_point(|w| w.position < from);
    let last = words.partition_point(|w| w.position < from + EXCERPT_WORDS);
    let shown = &words[first.min(words.len() - 1)..last.max(first + 1).min(words.len())];
    show(source, shown, (false, false))
}

/// The `EXCERPT_WORDS` words of the body from position `from`, read from the chunk holding
/// them (and the next, when the passage runs on into it).
fn passage_at(
    body: &Body,
    from: usize,
    marks: &Marks,
    analyzer: &mut TextAnalyzer,
) -> Option<String> {
    let chunk = body.chunk_at(from);
    let mut text = body.chunk(chunk)?;
    let offset = analysis::word_start(&text, from - body.first_position(chunk))?;
    let mut last_chunk = chunk;
    // A passage is a few hundred bytes: with less than that left, the next chunk joins in.
    if text.len() - offset < PASSAGE_BYTES && chunk + 1 < body.chunk_count() {
        text.push_str(&body.chunk(chunk + 1)?);
        last_chunk += 1;
    }
    let mut words = scan(&text[offset..], marks, 0, analyzer);
    if words.is_empty() {
        return None;
    }
    for word in &mut words {
        word.range = word.range.start + offset..word.range.end + offset;
    }
    let more = (chunk > 0, last_chunk + 1 < body.chunk_count());
    Some(show(&text, &words, more))
}

/// `words` (not empty) of `source` and what lies between them, matches marked. `more` says
/// whether the text goes on before and after `source`.
fn show(source: &str, words: &[Word], more: (bool, bool)) -> String {
    let marked = words
        .iter()
        .filter(|w| w.mark.is_some())
        .map(|w| w.range.clone());
    let shown = words[0].range.start..words[words.len() - 1].range.end;
    render(source, shown, marked, more)
}

/// The words of `source` that the index holds, each with the searched term it matches. The
/// scan ends a passage's length after a passage of `EXCERPT_WORDS` words holds `needed`
/// distinct searched terms (none can hold more), or after `EXCERPT_SCAN_WORDS` words if any
/// matched: a long report costs no more than its first pages unless the words are only found
/// further on. With `needed` 0 it reads the first `EXCERPT_WORDS` words.
fn scan(source: &str, marks: &Marks, needed: usize, analyzer: &mut TextAnalyzer) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    // Matches within the last `EXCERPT_WORDS` positions: (position, mark), and per mark how many.
    let mut recent: VecDeque<(usize, usize)> = VecDeque::new();
    let mut counts = vec![0usize; marks.distinct()];
    let mut distinct_recent = 0;
    let mut any = false;
    let mut end = if needed == 0 {
        EXCERPT_WORDS
    } else {
        usize::MAX
    };
    analysis::for_each_term(analyzer, &marks.lang, source, |range, position, term| {
        if position >= end {
            return ControlFlow::Break(());
        }
        let mark = marks.which(term);
        words.push(Word {
            range,
            position,
            mark,
        });
        if let Some(mark) = mark {
            any = true;
            while let Some(&(old_position, old)) = recent.front() {
                if old_position + EXCERPT_WORDS > position {
                    break;
                }
                recent.pop_front();
                counts[old] -= 1;
                distinct_recent -= usize::from(counts[old] == 0);
            }
            recent.push_back((position, mark));
            counts[mark] += 1;
            distinct_recent += usize::from(counts[mark] == 1);
            if needed > 0 && distinct_recent >= needed {
                end = end.min(position + EXCERPT_WORDS);
            }
        }
        if any && position >= EXCERPT_SCAN_WORDS {
            end = end.min(position + EXCERPT_WORDS);
        }
        ControlFlow::Continue(())
    });
    words
}

/// The position where the best passage starts: the window of `EXCERPT_WORDS` positions holding
/// the most distinct searched terms, then the most matches; the first such. `matches` are
/// (position, which term) in order, of `distinct` terms; 0 without any.
fn best_passage(matches: &[(usize, usize)], distinct: usize) -> usize {
    let mut counts = vec![0usize; distinct];
    let (mut distinct, mut end) = (0, 0);
    let mut best = (0, 0, 0);
    for (start, &(position, _)) in matches.iter().enumerate() {
        while end < matches.len() && matches[end].0 < position + EXCERPT_WORDS {
            counts[matches[end].1] += 1;
            distinct += usize::from(counts[matches[end].1] == 1);
            end += 1;
        }
        if (distinct, end - start) > (best.0, best.1) {
            best = (distinct, end - start, position);
        }
        let mark = matches[start].1;
        counts[mark] -= 1;
        distinct -= usize::from(counts[mark] == 0);
    }
    best.2
}

/// Chinese excerpts find the searched terms as they are written, without segmenting the page
/// again: a term is the normalised, lowercased word, so it is found in the normalised text.
/// Positions count about one word per two characters, so windows match other languages'.
fn chinese_excerpt(body: &str, description: &str, marks: &Marks) -> String {
    let mut source = body;
    let mut found = chinese_matches(body, marks);
    if found.is_empty() && !description.trim().is_empty() {
        source = description;
        found = chinese_matches(description, marks);
    }
    let at = if found.is_empty() {
        0
    } else {
        let matches: Vec<(usize, usize)> = found
            .iter()
            .filter_map(|w| w.mark.map(|m| (w.position, m)))
            .collect();
        let best = best_passage(&matches, marks.distinct());
        let first = found.partition_point(|w| w.position < best);
        found[first.min(found.len() - 1)].range.start
    };
    // A few characters of context before the passage, then about 90 characters of it.
    let start = source[..at]
        .char_indices()
        .rev()
        .take(CHINESE_CONTEXT_CHARS)
        .take_while(|&(_, c)| c != '\n')
        .last()
        .map_or(at, |(i, _)| i);
    let end = source[start..]
        .char_indices()
        .nth(CHINESE_EXCERPT_CHARS)
        .map_or(source.len(), |(i, _)| start + i);
    let marked = found
        .iter()
        .filter(|w| w.range.start >= start && w.range.end <= end)
        .map(|w| w.range.clone());
    render(source, start..end, marked, (false, false))
}

const CHINESE_CONTEXT_CHARS: usize = 12;
const CHINESE_EXCERPT_CHARS: usize = 90;

/// Every occurrence of a searched term in `source`, in order, overlaps dropped.
fn chinese_matches(source: &str, marks: &Marks) -> Vec<Word> {
    let normalized = analysis::normalize_mapped("zh", source);
    let lowered = normalized.text.to_ascii_lowercase();
    let mut found: Vec<Word> = Vec::new();
    let searched = marks.terms.iter().chain(&marks.prefix).enumerate();
    for (mark, term) in searched {
        for (at, _) in lowered.match_indices(term.as_str()) {
            found.push(Word {
                range: normalized.original(at, false)..normalized.original(at + term.len(), true),
                position: at / 6,
                mark: Some(mark),
            });
        }
    }
    found.sort_by_key(|w| (w.range.start, std::cmp::Reverse(w.range.end)));
    let mut kept: Vec<Word> = Vec::with_capacity(found.len());
    for word in found {
        if kept
            .last()
            .is_none_or(|last| word.range.start >= last.range.end)
        {
            kept.push(word);
        }
    }
    kept
}

/// `source[shown]` as HTML, the `marked` ranges (in order, inside `shown`) in `<mark>`, with
/// an ellipsis where the text goes on.
fn render(
    source: &str,
    shown: Range<usize>,
    marked: impl Iterator<Item = Range<usize>>,
    (more_before, more_after): (bool, bool),
) -> String {
    let mut html = String::new();
    // Any letter or digit before or after (bytes past ASCII are taken to be letters).
    let wordy = |b: &u8| b.is_ascii_alphanumeric() || !b.is_ascii();
    if more_before || source.as_bytes()[..shown.start].iter().any(wordy) {
        html.push('…');
    }
    let mut cursor = shown.start;
    for range in marked {
        // Two words within one character that normalises to several share its range.
        if range.start < cursor || range.end > shown.end {
            continue;
        }
        html.push_str(&escape(&source[cursor..range.start]));
        html.push_str("<mark>");
        html.push_str(&escape(&source[range.clone()]));
        html.push_str("</mark>");
        cursor = range.end;
    }
    html.push_str(&escape(&source[cursor..shown.end]));
    if more_after || source.as_bytes()[shown.end..].iter().any(wordy) {
        html.push('…');
    }
    html.replace('\n', " ")
}

/// Text made safe inside HTML elements and attribute values.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
