//! How each language's text becomes search terms: normalisation, word splitting, stemming.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, SimpleTokenizer, Stemmer, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// The name an index knows a language's analyzer by.
pub fn analyzer_name(lang: &str) -> String {
    format!("plenary_{}", primary(lang))
}

fn primary(lang: &str) -> &str {
    lang.split('-').next().unwrap_or(lang)
}

/// The analyzer for a language's text, applied after `normalize`.
/// French and Spanish are folded to ASCII before stemming, because people type them without
/// accents and both spellings must reach the stemmer as one word; Chinese is segmented into words by jieba; unknown languages are only lowercased.
pub fn analyzer(lang: &str) -> TextAnalyzer {
    let stemmed = |language: Language| {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer(language))
            .build()
    };
    match primary(lang) {
        "en" => stemmed(Language::English),
        "ru" => stemmed(Language::Russian),
        "ar" => stemmed(Language::Arabic),
        "fr" => TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(CachedStemmer(Language::French))
            .build(),
        "es" => TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(CachedStemmer(Language::Spanish))
            .build(),
        "zh" => {
            let mut jieba = tantivy_jieba::JiebaTokenizer::new();
            // Consecutive positions, so that quoted phrases work.
            jieba.set_ordinal_position_mode(true);
            TextAnalyzer::builder(jieba).filter(LowerCaser).build()
        }
        _ => TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .build(),
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
        matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
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

/// Tantivy's stemmer behind a cache of the words it has seen: prose repeats its vocabulary,
/// and stemming every occurrence was a fifth of the time spent indexing.
#[derive(Clone)]
struct CachedStemmer(Language);

/// Words cached per analyzer before the cache starts again, to bound its memory.
const STEM_CACHE_WORDS: usize = 200_000;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerTokenizer<T> {
        let stemmer = TextAnalyzer::builder(RawTokenizer::default())
            .filter(Stemmer::new(self.0))
            .build();
        CachedStemmerTokenizer {
            inner,
            stemmer,
            cache: HashMap::new(),
        }
    }
}

#[derive(Clone)]
struct CachedStemmerTokenizer<T> {
    inner: T,
    stemmer: TextAnalyzer,
    cache: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerTokenizer<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.cache.len() > STEM_CACHE_WORDS {
            self.cache.clear();
        }
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            cache: &mut self.cache,
        }
    }
}

struct CachedStemmerStream<'a, S> {
    tail: S,
    stemmer: &'a mut TextAnalyzer,
    cache: &'a mut HashMap<String, String>,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clone_from(stem);
            return true;
        }
        let word = token.text.clone();
        let stem = {
            let mut stream = self.stemmer.token_stream(&word);
            if stream.advance() {
                stream.token().text.clone()
            } else {
                word.clone()
            }
        };
        token.text.clone_from(&stem);
        self.cache.insert(word, stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The terms of a piece of text, as the index holds them.
pub fn terms(analyzer: &mut TextAnalyzer, lang: &str, text: &str) -> Vec<String> {
    let normalized = normalize(lang, text);
    let mut stream = analyzer.token_stream(&normalized);
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

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
        terms(&mut analyzer(lang), lang, text)
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
