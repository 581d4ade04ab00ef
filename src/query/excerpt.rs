//! Excerpts of hits: the passage of a page's body where the searched words are, matches in
//! `<mark>`, read from the body store's chunk that the index's positions point to.

use std::collections::VecDeque;
use std::ops::{ControlFlow, Range};

use tantivy::tokenizer::TextAnalyzer;

use super::{prefix_of, Parsed};
use crate::analysis;
use crate::body_store::Body;

/// Words an excerpt shows.
const EXCERPT_WORDS: usize = 32;
/// Words of a page read for its excerpt once one has matched (see `scan`).
const EXCERPT_SCAN_WORDS: usize = 5_000;
/// Bytes of text an excerpt's passage needs at most, about.
const PASSAGE_BYTES: usize = 1024;

/// What an excerpt marks: the terms of every word and phrase, and the unfinished last word.
pub(super) struct Marks {
    /// Also what the hit's body positions are looked up for (`Searched::terms_in_body`).
    pub(super) terms: Vec<String>,
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

pub(super) fn mark_terms(parsed: &Parsed, analyzer: &mut TextAnalyzer, lang: &str) -> Marks {
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
pub(super) fn excerpt(
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
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
