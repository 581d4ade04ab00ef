//! How each language's text becomes search terms: normalisation, word splitting, stemming.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use rustc_hash::FxBuildHasher;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, Stemmer, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// The name an index knows a language's analyzer by.
pub fn analyzer_name(lang: &str) -> String {
    format!("plenary_{}", primary(lang))
}

fn primary(lang: &str) -> &str {
    lang.split('-').next().unwrap_or(lang)
}

/// The analyzer for a language's text. Each word is normalised (`normalize`), lowercased,
/// stemmed where tantivy has a stemmer, and for French and Spanish folded to ASCII before
/// stemming, because people type them without accents and both spellings must reach the
/// stemmer as one word. Chinese is normalised, then segmented into words by jieba.
pub fn analyzer(lang: &str) -> TextAnalyzer {
    let word_to_term = |language: Option<Language>, fold: bool| {
        let builder = TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser);
        let term = match (fold, language) {
            (true, Some(language)) => builder
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(language))
                .build(),
            (false, Some(language)) => builder.filter(Stemmer::new(language)).build(),
            (true, None) => builder.filter(AsciiFoldingFilter).build(),
            (false, None) => builder.build(),
        };
        TextAnalyzer::from(WordTokenizer {
            lang: primary(lang).to_string(),
            stop_words: stop_words(lang),
            term,
            cache: HashMap::default(),
        })
    };
    match primary(lang) {
        "en" => word_to_term(Some(Language::English), false),
        "ru" => word_to_term(Some(Language::Russian), false),
        "ar" => word_to_term(Some(Language::Arabic), false),
        "fr" => word_to_term(Some(Language::French), true),
        "es" => word_to_term(Some(Language::Spanish), true),
        "zh" => TextAnalyzer::builder(NormalizedJieba {
            // Consecutive positions, so that quoted phrases work.
            jieba: tantivy_jieba::JiebaTokenizer::with_ordinal_position_mode(true),
            tokens: Vec::new(),
        })
        .filter(LowerCaser)
        .build(),
        _ => word_to_term(None, false),
    }
}

/// Text as it is compared: NFKC, no invisible controls, and per language the forms people
/// write interchangeably made one (Arabic hamza and alef forms, alef maqsura, ta marbuta,
/// diacritics and tatweel; Russian ё).
pub fn normalize<'a>(lang: &str, text: &'a str) -> Cow<'a, str> {
    let arabic = primary(lang) == "ar";
    let russian = primary(lang) == "ru";
    // ASCII needs nothing done, and most English text is ASCII: checking it is cheap.
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    // Nearly all text is already NFKC: the quick check spares recomposing it.
    let text: Cow<str> = match is_nfkc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfkc().collect()),
    };
    let changes = |c: char| {
        is_invisible_control(c)
            || (arabic
                && matches!(
                    c,
                    '\u{064B}'
                        ..='\u{065F}'
                            | '\u{0670}'
                            | '\u{0640}'
                            | 'أ'
                            | 'إ'
                            | 'آ'
                            | 'ٱ'
                            | 'ى'
                            | 'ة'
                            | 'ؤ'
                            | 'ئ'
                ))
            || (russian && matches!(c, 'ё' | 'Ё'))
    };
    if !text.chars().any(changes) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}' => {}
            c if arabic => match c {
                '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => {}
                'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
                'ى' => out.push('ي'),
                'ة' => out.push('ه'),
                'ؤ' => out.push('و'),
                'ئ' => out.push('ي'),
                c => out.push(c),
            },
            'ё' if russian => out.push('е'),
            'Ё' if russian => out.push('Е'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Finds the words of a text and turns each into its term in one pass. Prose repeats its
/// vocabulary, so each distinct word is normalised, lowercased and stemmed once and its term
/// cached: indexing then costs little more than finding words and copying terms. (Tantivy's
/// tokenizer and filter chain did all of it for every occurrence: most of the indexing time.)
#[derive(Clone)]
struct WordTokenizer {
    lang: String,
    stop_words: &'static [&'static str],
    /// Turns one normalised word into its term.
    term: TextAnalyzer,
    /// Word as written -> what the index holds for it.
    cache: HashMap<Box<str>, Term, FxBuildHasher>,
}

#[derive(Clone)]
enum Term {
    Word(Box<str>),
    /// A word too common to be worth its postings: it keeps its position, so phrases
    /// around it still need it in its place.
    Stop,
    /// Only invisible characters: not a word at all.
    Nothing,
}

/// Words cached per analyzer before the cache starts again, to bound its memory.
const TERM_CACHE_WORDS: usize = 200_000;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        if self.cache.len() > TERM_CACHE_WORDS {
            self.cache.clear();
        }
        WordStream {
            tokenizer: self,
            text,
            cursor: 0,
            token: Token::default(),
            position: 0,
        }
    }
}

struct WordStream<'a> {
    tokenizer: &'a mut WordTokenizer,
    text: &'a str,
    cursor: usize,
    token: Token,
    position: usize,
}

impl WordStream<'_> {
    fn next_word(&mut self) -> Option<Range<usize>> {
        let start = self.skip_while(self.cursor, false);
        if start == self.text.len() {
            return None;
        }
        let end = self.skip_while(start, true);
        self.cursor = end;
        Some(start..end)
    }

    /// Where the run of word (or non-word) characters from `at` ends. Bytes are read one by
    /// one while they are ASCII, which most text in Latin script is.
    fn skip_while(&self, mut at: usize, in_word: bool) -> usize {
        let bytes = self.text.as_bytes();
        while let Some(&byte) = bytes.get(at) {
            if byte.is_ascii() {
                if byte.is_ascii_alphanumeric() != in_word {
                    break;
                }
                at += 1;
                continue;
            }
            let c = self.text[at..].chars().next().unwrap_or_default();
            if is_word_char(c) != in_word {
                break;
            }
            at += c.len_utf8();
        }
        at
    }
}

impl WordTokenizer {
    fn term_of(&mut self, word: &str) -> Term {
        let normalized = normalize(&self.lang, word);
        if normalized.is_empty() {
            return Term::Nothing;
        }
        if self
            .stop_words
            .contains(&normalized.to_lowercase().as_str())
        {
            return Term::Stop;
        }
        let mut stream = self.term.token_stream(&normalized);
        if stream.advance() {
            Term::Word(std::mem::take(&mut stream.token_mut().text).into_boxed_str())
        } else {
            Term::Nothing
        }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(range) = self.next_word() {
            let word = &self.text[range.clone()];
            let tokenizer = &mut *self.tokenizer;
            let term = match tokenizer.cache.get(word) {
                Some(term) => term,
                None => {
                    let term = tokenizer.term_of(word);
                    tokenizer.cache.entry(word.into()).or_insert(term)
                }
            };
            let term = match term {
                Term::Word(term) => term,
                Term::Stop => {
                    self.position += 1;
                    continue;
                }
                Term::Nothing => continue,
            };
            self.token.text.clear();
            self.token.text.push_str(term);
            self.token.offset_from = range.start;
            self.token.offset_to = range.end;
            self.token.position = self.position;
            self.token.position_length = 1;
            self.position += 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Letters, digits, combining marks (an Arabic vowel sign or a decomposed accent stays inside
/// its word) and invisible controls (which `normalize` removes, joining what they split).
/// The common scripts' letters are checked first: the general lookup is slow.
fn is_word_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => true,
        '\0'..='\u{7F}' => false,
        '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}' => true,
        '\u{410}'..='\u{44F}' | '\u{621}'..='\u{63A}' | '\u{641}'..='\u{64A}' => true,
        c => c.is_alphanumeric() || is_combining_mark(c) || is_invisible_control(c),
    }
}

fn is_invisible_control(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Jieba's segmentation of the normalised text. Jieba segments a whole text at once, so
/// the tokens are collected, which lets the normalised copy be dropped straight away.
#[derive(Clone)]
struct NormalizedJieba {
    jieba: tantivy_jieba::JiebaTokenizer,
    tokens: Vec<Token>,
}

impl Tokenizer for NormalizedJieba {
    type TokenStream<'a> = CollectedTokens<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CollectedTokens<'a> {
        self.tokens.clear();
        let normalized = normalize("zh", text);
        let mut stream = self.jieba.token_stream(&normalized);
        while stream.advance() {
            // Positions are jieba's, so a dropped stop word leaves its gap.
            if !STOP_ZH.contains(&stream.token().text.as_str()) {
                self.tokens.push(stream.token().clone());
            }
        }
        CollectedTokens {
            tokens: &self.tokens,
            next: 0,
            token: Token::default(),
        }
    }
}

struct CollectedTokens<'a> {
    tokens: &'a [Token],
    next: usize,
    token: Token,
}

impl TokenStream for CollectedTokens<'_> {
    fn advance(&mut self) -> bool {
        let Some(token) = self.tokens.get(self.next) else {
            return false;
        };
        self.token.clone_from(token);
        self.next += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The terms of a piece of text, as the index holds them.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    terms_at(analyzer, text)
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}

/// The terms of a piece of text with their positions, which skip dropped stop words.
pub fn terms_at(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        let token = stream.token();
        terms.push((token.position, token.text.clone()));
    }
    terms
}

/// The commonest function words of each language, which are in nearly every page and say
/// nothing about any (a third of English text). Dropping them makes the index a third
/// smaller and faster to write and to query. The lists are short on purpose: words that are
/// also names or acronyms (IT, US, WHO) are kept. Written as `normalize` leaves them, lowercase.
fn stop_words(lang: &str) -> &'static [&'static str] {
    match primary(lang) {
        "en" => STOP_EN,
        "fr" => STOP_FR,
        "es" => STOP_ES,
        "ru" => STOP_RU,
        "ar" => STOP_AR,
        _ => &[],
    }
}

const STOP_EN: &[&str] = &[
    "a", "also", "an", "and", "are", "as", "at", "be", "been", "being", "by", "for", "from", "has",
    "have", "in", "into", "is", "its", "of", "on", "or", "s", "such", "than", "that", "the",
    "their", "these", "they", "this", "those", "to", "was", "were", "which", "with",
];
const STOP_FR: &[&str] = &[
    "a", "à", "au", "aux", "avec", "c", "ce", "ces", "cette", "d", "dans", "de", "des", "du",
    "elle", "en", "est", "et", "il", "ils", "l", "la", "le", "les", "leur", "leurs", "n", "ne",
    "ou", "par", "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sont", "sur", "un",
    "une",
];
const STOP_ES: &[&str] = &[
    "a", "al", "como", "con", "de", "del", "e", "el", "en", "es", "la", "las", "le", "les", "lo",
    "los", "o", "para", "por", "que", "se", "son", "su", "sus", "u", "un", "una", "unas", "unos",
    "y",
];
const STOP_RU: &[&str] = &[
    "а", "в", "во", "для", "до", "его", "ее", "же", "за", "и", "из", "или", "их", "к", "как", "ко",
    "на", "не", "но", "о", "об", "он", "она", "они", "от", "по", "при", "с", "со", "так", "то",
    "у", "что", "это",
];
/// After `normalize`: hamza forms as bare alef, alef maqsura as ya.
const STOP_AR: &[&str] = &[
    "او",
    "الي",
    "الذي",
    "الذين",
    "التي",
    "ان",
    "بين",
    "ثم",
    "ذلك",
    "علي",
    "عن",
    "في",
    "قد",
    "كان",
    "كانت",
    "لا",
    "ما",
    "مع",
    "من",
    "هذا",
    "هذه",
    "هو",
    "هي",
];
const STOP_ZH: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "是", "在", "之", "其", "于",
];

/// Where the words are in display text, for excerpts: jieba's words for Chinese, elsewhere
/// runs of letters, digits and combining marks (Arabic vowel signs stay inside their word).
pub fn words(lang: &str, text: &str) -> Vec<Range<usize>> {
    if primary(lang) == "zh" {
        let mut jieba = TextAnalyzer::from(tantivy_jieba::JiebaTokenizer::with_search_mode(false));
        let mut stream = jieba.token_stream(text);
        let mut ranges = Vec::new();
        while stream.advance() {
            let token = stream.token();
            ranges.push(token.offset_from..token.offset_to);
        }
        return ranges;
    }
    let mut ranges = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let in_word = c.is_alphanumeric() || is_combining_mark(c);
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                ranges.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        ranges.push(s..text.len());
    }
    ranges
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzed(lang: &str, text: &str) -> Vec<String> {
        terms(&mut analyzer(lang), text)
    }

    #[test]
    fn forms_people_write_interchangeably_meet_in_one_term() {
        let cases = [
            ("en", "Freedoms", "freedom"),
            ("fr", "développement", "developpement"),
            ("fr", "Égalité", "egalite"),
            ("es", "educación", "educacion"),
            ("ru", "Всеобщая", "всеобщей"),
            ("ru", "ёлка", "елка"),
            ("ar", "الإنسان", "الانسان"),
            ("ar", "الإِنْسَان", "الانسان"),
            ("ar", "مدرسة", "مدرسه"),
            ("ar", "مستشفى", "مستشفي"),
            ("ar", "حـــقوق", "حقوق"),
        ];
        for (lang, a, b) in cases {
            assert_eq!(analyzed(lang, a), analyzed(lang, b), "{lang}: {a} / {b}");
        }
    }

    #[test]
    fn stop_words_are_dropped_but_keep_their_place() {
        let at = |lang: &str, text: &str| terms_at(&mut analyzer(lang), text);
        assert_eq!(
            at("en", "Freedom of the Press"),
            [(0, "freedom".to_string()), (3, "press".to_string())]
        );
        assert_eq!(at("fr", "l'éducation")[0], (1, "educ".to_string()));
        assert_eq!(at("ar", "في التعليم").len(), 1);
        assert_eq!(
            at("zh", "人人的权利")
                .iter()
                .filter(|(_, t)| t == "的")
                .count(),
            0
        );
        // Words that are also acronyms stay.
        assert_eq!(at("en", "IT US WHO").len(), 3);
    }

    #[test]
    fn long_cyrillic_and_arabic_words_are_kept() {
        let long_ru = "высококвалифицированными";
        let long_ar = "والاستراتيجيات";
        assert_eq!(analyzed("ru", long_ru).len(), 1);
        assert_eq!(analyzed("ar", long_ar).len(), 1);
    }

    #[test]
    fn chinese_is_segmented_into_words() {
        let terms = analyzed("zh", "人人有权享受生命自由");
        assert!(terms.len() >= 3, "{terms:?}");
        assert!(terms.contains(&"自由".to_string()), "{terms:?}");
    }

    #[test]
    fn invisible_controls_and_compatibility_forms_are_removed() {
        assert_eq!(normalize("en", "a\u{2068}b\u{200B}c"), "abc");
        assert_eq!(normalize("en", "ＩＧＦ"), "IGF");
    }

    #[test]
    fn words_keep_arabic_vowel_signs_inside() {
        let text = "حُقُوق الإِنْسَان";
        let words: Vec<&str> = words("ar", text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(words, ["حُقُوق", "الإِنْسَان"]);
    }
}
