//! How each language's text becomes search terms: normalisation, word splitting, stemming.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::{ControlFlow, Range};

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
        "zh" => TextAnalyzer::from(NormalizedJieba::default()),
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
            two_byte: two_byte_word_chars(),
        }
    }
}

struct WordStream<'a> {
    tokenizer: &'a mut WordTokenizer,
    text: &'a str,
    cursor: usize,
    token: Token,
    position: usize,
    two_byte: &'static [bool; 0x800],
}

impl WordStream<'_> {
    fn next_word(&mut self) -> Option<Range<usize>> {
        let start = skip_run(self.text, self.two_byte, self.cursor, false);
        if start == self.text.len() {
            return None;
        }
        let end = skip_run(self.text, self.two_byte, start, true);
        self.cursor = end;
        Some(start..end)
    }
}

/// Where the run of word (or non-word) characters of `text` from `at` ends.
fn skip_while(text: &str, at: usize, in_word: bool) -> usize {
    skip_run(text, two_byte_word_chars(), at, in_word)
}

/// `skip_while` with the table of two-byte characters at hand: the tokenizer runs it twice a
/// word, and fetching the table each time showed.
#[inline(always)]
fn skip_run(text: &str, two_byte: &[bool; 0x800], mut at: usize, in_word: bool) -> usize {
    while at < text.len() {
        let (word, len) = char_at(text, two_byte, at);
        if word != in_word {
            break;
        }
        at += len;
    }
    at
}

/// Whether the character at byte `at` of `text` is a word character, and its length. This
/// runs on every character indexed, and the general test (`is_word_char`) is slow: ASCII and
/// the two-byte characters (accented Latin, Cyrillic, Arabic...) are looked up in tables.
#[inline(always)]
fn char_at(text: &str, two_byte: &[bool; 0x800], at: usize) -> (bool, usize) {
    let bytes = text.as_bytes();
    let lead = bytes[at];
    if lead < 0x80 {
        (lead.is_ascii_alphanumeric(), 1)
    } else if lead < 0xE0 && at + 1 < bytes.len() {
        let code = (usize::from(lead & 0x1F) << 6) | usize::from(bytes[at + 1] & 0x3F);
        (two_byte[code], 2)
    } else {
        let c = text[at..].chars().next().unwrap_or_default();
        (is_word_char(c), c.len_utf8())
    }
}

/// `is_word_char` of every character below U+0800, by code point.
fn two_byte_word_chars() -> &'static [bool; 0x800] {
    static TABLE: std::sync::LazyLock<[bool; 0x800]> = std::sync::LazyLock::new(|| {
        let mut table = [false; 0x800];
        for (code, word) in table.iter_mut().enumerate() {
            *word = char::from_u32(code as u32).is_some_and(is_word_char);
        }
        table
    });
    &TABLE
}

/// How many words `text` has, as `word_start` counts them: one pass that counts where a
/// word character follows a non-word one (without branching on it, which prose defeats).
pub fn count_words(text: &str) -> usize {
    let two_byte = two_byte_word_chars();
    let (mut count, mut in_word, mut at) = (0, false, 0);
    while at < text.len() {
        let (word, len) = char_at(text, two_byte, at);
        count += usize::from(word & !in_word);
        in_word = word;
        at += len;
    }
    count
}

/// `at` (a character boundary) if it is not inside a word, else where that word ends.
pub fn word_end(text: &str, at: usize) -> usize {
    let starts_inside = at > 0
        && text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || (!c.is_ascii() && is_word_char(c)));
    if starts_inside {
        skip_while(text, at, true)
    } else {
        at
    }
}

/// Where the word at `position` starts in `text`, counting positions as the index does outside
/// Chinese (each run of word characters is one; a run of only invisible characters, which the
/// index skips, is too rare to matter here); `None` past the last word. Only finds words,
/// which is cheap: an excerpt reads the words of its passage with `for_each_term`.
pub fn word_start(text: &str, position: usize) -> Option<usize> {
    let mut at = 0;
    for _ in 0..position {
        let start = skip_while(text, at, false);
        at = skip_while(text, start, true);
    }
    let start = skip_while(text, at, false);
    (start < text.len()).then_some(start)
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

/// Jieba's segmentation of the normalised text, lowercased. Jieba also returns each space and
/// punctuation mark as a word, a quarter of what it returns: those are left out, like stop
/// words, keeping their positions so that phrases still need their words side by side.
#[derive(Clone, Default)]
struct NormalizedJieba {
    /// The text segmented last, normalised.
    text: String,
    /// Its words: where each is in `text`, and its position.
    words: Vec<(Range<usize>, usize)>,
}

/// One segmenter for the whole process: its dictionary takes a tenth of a second to load.
#[cfg(not(target_family = "wasm"))]
static JIEBA: std::sync::LazyLock<jieba_rs::Jieba> = std::sync::LazyLock::new(jieba_rs::Jieba::new);

/// In the browser (this file compiled to WebAssembly by `src/wasm/`) jieba's dictionary is not
/// built in: it is 1.5 MB compressed, and only Chinese needs it. The page hands it over before
/// the first Chinese search; the same text as the one built in natively (jieba-rs's `dict.txt`).
#[cfg(target_family = "wasm")]
pub static ZH_DICTIONARY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// The segmenter with the dictionary handed over; made when first used after that.
#[cfg(target_family = "wasm")]
static JIEBA_WITH_DICTIONARY: std::sync::LazyLock<jieba_rs::Jieba> =
    std::sync::LazyLock::new(|| {
        let dictionary = ZH_DICTIONARY.get().map(Vec::as_slice).unwrap_or_default();
        jieba_rs::Jieba::with_dict(&mut std::io::BufReader::new(dictionary))
            .unwrap_or_else(|_| jieba_rs::Jieba::empty())
    });

/// Before the dictionary is handed over: a segmenter for text without Han characters (a query
/// of `all` in Latin, Cyrillic or Arabic script, which the Chinese index is searched with too),
/// which segments such text as the whole dictionary does, so that those searches need not
/// download it. Jieba looks words up only in runs of Han characters and `[A-Za-z0-9+#&._%-]`,
/// and weighs them against the dictionary's total frequency: `wasm/han-free-dict.txt` holds the
/// dictionary's words made of those ASCII characters alone (`C++`, `AT&T`, ...) and one Han word
/// carrying the rest of its total (see `needs_dictionary`; a test checks both against the
/// dictionary). The module asks for the dictionary before it segments Han characters.
#[cfg(target_family = "wasm")]
static JIEBA_HAN_FREE: std::sync::LazyLock<jieba_rs::Jieba> = std::sync::LazyLock::new(|| {
    let dictionary = include_bytes!("wasm/han-free-dict.txt");
    jieba_rs::Jieba::with_dict(&mut std::io::BufReader::new(&dictionary[..]))
        .unwrap_or_else(|_| jieba_rs::Jieba::empty())
});

#[cfg(target_family = "wasm")]
fn jieba() -> &'static jieba_rs::Jieba {
    if ZH_DICTIONARY.get().is_some() {
        &JIEBA_WITH_DICTIONARY
    } else {
        &JIEBA_HAN_FREE
    }
}

#[cfg(not(target_family = "wasm"))]
fn jieba() -> &'static jieba_rs::Jieba {
    &JIEBA
}

/// Whether segmenting `text` (normalised) needs jieba's whole dictionary: whether it has a
/// character of the Han ranges jieba looks up (a superset of them: CJK radicals to the end of
/// the unified ideographs, the compatibility ideographs, and the supplementary planes'
/// ideographs). Without one, `wasm/han-free-dict.txt` segments it alike.
pub fn needs_dictionary(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
    })
}

impl Tokenizer for NormalizedJieba {
    type TokenStream<'a> = JiebaWords<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaWords<'a> {
        self.words.clear();
        self.text.clear();
        self.text.push_str(&normalize("zh", text));
        let base = self.text.as_ptr() as usize;
        // Search mode: long words also yield the words inside them (中华人民共和国: 中华, 人民,
        // 共和国...), so that a query for a part finds the whole.
        for (position, token) in jieba()
            .tokenize(&self.text, jieba_rs::TokenizeMode::Search, true)
            .iter()
            .enumerate()
        {
            let word = token.word;
            if STOP_ZH.contains(&word) || !word.chars().any(is_word_char) {
                continue;
            }
            let start = word.as_ptr() as usize - base;
            self.words.push((start..start + word.len(), position));
        }
        JiebaWords {
            text: &self.text,
            words: &self.words,
            next: 0,
            token: Token::default(),
        }
    }
}

struct JiebaWords<'a> {
    text: &'a str,
    words: &'a [(Range<usize>, usize)],
    next: usize,
    token: Token,
}

impl TokenStream for JiebaWords<'_> {
    fn advance(&mut self) -> bool {
        let Some((range, position)) = self.words.get(self.next) else {
            return false;
        };
        self.next += 1;
        self.token.text.clear();
        push_lowercase(&mut self.token.text, &self.text[range.clone()]);
        self.token.offset_from = range.start;
        self.token.offset_to = range.end;
        self.token.position = *position;
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Appends `word` lowercased as tantivy's `LowerCaser` does (character by character), without
/// asking Unicode about each Han character, which has no case.
fn push_lowercase(out: &mut String, word: &str) {
    for c in word.chars() {
        match c {
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            '\0'..='\u{7F}' | '\u{3000}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => out.push(c),
            c => out.extend(c.to_lowercase()),
        }
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

/// Calls `each` with every word of `text` the index holds a term for, in order: where it is
/// written in `text`, its position (stop words count, as in the index) and its term, until
/// `each` breaks. Chinese is normalised before jieba segments it, so its offsets are mapped
/// back to the text as written; it is segmented a paragraph at a time, so that stopping early
/// spares segmenting the rest. Excerpts use this: they mark exactly what the index matched.
pub fn for_each_term(
    analyzer: &mut TextAnalyzer,
    lang: &str,
    text: &str,
    mut each: impl FnMut(Range<usize>, usize, &str) -> ControlFlow<()>,
) {
    if primary(lang) != "zh" {
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            if each(
                token.offset_from..token.offset_to,
                token.position,
                &token.text,
            )
            .is_break()
            {
                return;
            }
        }
        return;
    }
    let mut first_position = 0;
    for (start, paragraph) in paragraphs(text, 2048) {
        let normalized = normalize_mapped(lang, paragraph);
        let mut next_position = first_position;
        let mut stream = analyzer.token_stream(&normalized.text);
        while stream.advance() {
            let token = stream.token();
            let range = start + normalized.original(token.offset_from, false)
                ..start + normalized.original(token.offset_to, true);
            next_position = first_position + token.position + 1;
            if each(range, first_position + token.position, &token.text).is_break() {
                return;
            }
        }
        first_position = next_position;
    }
}

/// `text` cut after line ends into pieces of at least `size` bytes (the last may be shorter),
/// each with where it starts.
fn paragraphs(text: &str, size: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let from = start;
        let end = match text.get(from + size..).and_then(|rest| rest.find('\n')) {
            Some(newline) => from + size + newline + 1,
            None => text.len(),
        };
        start = end;
        Some((from, &text[from..end]))
    })
}

/// Text normalised (`normalize`) with the way back to where each piece is written.
pub struct Mapped<'a> {
    pub text: Cow<'a, str>,
    /// (offset in `text`, offset in the original) at each place from which the two run in
    /// step again; in pairs around each character whose normalised length differs.
    shifts: Vec<(usize, usize)>,
    original_len: usize,
}

impl Mapped<'_> {
    /// Where an offset of the normalised text is in the original. An offset inside a character
    /// that normalised to a different length goes to that character's start, or to its end
    /// when `end` is true.
    pub fn original(&self, offset: usize, end: bool) -> usize {
        let shifts = &self.shifts;
        let at = shifts.partition_point(|&(from, _)| from <= offset);
        let original = match at.checked_sub(1) {
            None => offset,
            Some(i) if i % 2 == 0 && offset > shifts[i].0 => shifts[if end { i + 1 } else { i }].1,
            Some(i) => shifts[i].1 + (offset - shifts[i].0),
        };
        original.min(self.original_len)
    }
}

/// `normalize` a character (with its combining marks) at a time, keeping track of where the
/// lengths shift. Characters that normalise to themselves (ASCII, the common ideographs) are
/// copied as they are.
pub fn normalize_mapped<'a>(lang: &str, text: &'a str) -> Mapped<'a> {
    let mut shifts = Vec::new();
    if text.is_ascii() {
        return Mapped {
            text: Cow::Borrowed(text),
            shifts,
            original_len: text.len(),
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        while let Some(&(at, mark)) = chars.peek() {
            if !is_combining_mark(mark) {
                break;
            }
            end = at + mark.len_utf8();
            chars.next();
        }
        let unchanged = end == start + c.len_utf8()
            && (c.is_ascii() || matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'));
        if unchanged {
            out.push(c);
            continue;
        }
        let piece = normalize(lang, &text[start..end]);
        if piece.len() != end - start {
            shifts.push((out.len(), start));
            out.push_str(&piece);
            shifts.push((out.len(), end));
        } else {
            out.push_str(&piece);
        }
    }
    Mapped {
        text: Cow::Owned(out),
        shifts,
        original_len: text.len(),
    }
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
    fn chinese_punctuation_and_spaces_are_not_terms_but_keep_their_place() {
        let terms = terms_at(&mut analyzer("zh"), "自由， IGF 平等。");
        let words: Vec<&str> = terms.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(words, ["自由", "igf", "平等"]);
        let positions: Vec<usize> = terms.iter().map(|(p, _)| *p).collect();
        // 自由 , (space) IGF (space) 平等 。
        assert_eq!(positions, [0, 3, 5]);
    }

    #[test]
    fn invisible_controls_and_compatibility_forms_are_removed() {
        assert_eq!(normalize("en", "a\u{2068}b\u{200B}c"), "abc");
        assert_eq!(normalize("en", "ＩＧＦ"), "IGF");
    }

    fn located(lang: &str, text: &str) -> Vec<(String, usize, String)> {
        let mut found = Vec::new();
        for_each_term(&mut analyzer(lang), lang, text, |range, position, term| {
            found.push((text[range].to_string(), position, term.to_string()));
            ControlFlow::Continue(())
        });
        found
    }

    #[test]
    fn located_words_keep_arabic_vowel_signs_inside() {
        let words: Vec<String> = located("ar", "حُقُوق الإِنْسَان")
            .into_iter()
            .map(|(word, _, _)| word)
            .collect();
        assert_eq!(words, ["حُقُوق", "الإِنْسَان"]);
    }

    #[test]
    fn chinese_words_are_located_in_the_text_as_written() {
        // Full-width forms normalise to shorter ASCII: the offsets must still find the words.
        let text = "ＩＧＦ，人人有权享受生命、自由和人身安全。\n".repeat(200);
        let found = located("zh", &text);
        assert!(found.len() > 1000, "{}", found.len());
        for (word, _, term) in &found {
            assert_eq!(normalize("zh", word).to_lowercase(), *term);
        }
        let positions: Vec<usize> = found.iter().map(|(_, p, _)| *p).collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "positions go forward"
        );
        assert!(found.iter().any(|(word, _, _)| word == "ＩＧＦ"));
    }

    #[test]
    fn stopping_early_stops_the_scan() {
        let mut seen = 0;
        for_each_term(
            &mut analyzer("en"),
            "en",
            "one two three four",
            |_, _, _| {
                seen += 1;
                ControlFlow::Break(())
            },
        );
        assert_eq!(seen, 1);
    }

    /// The tables behind `char_at` must say what `is_word_char` says, and words must be
    /// counted as the index numbers their positions, in every script.
    #[test]
    fn words_are_found_alike_in_every_script() {
        let text = "Data, protection: l'été à Genève — права человека; حُقُوقُ الإِنْسَانِ، ٢٠٢٠ \
                    人人生而自由 e\u{301}te\u{301} zero\u{200B}width 🙂 x\u{FEFF}y ＩＧＦ 2020";
        for (at, c) in text.char_indices() {
            assert_eq!(
                char_at(text, two_byte_word_chars(), at),
                (is_word_char(c), c.len_utf8()),
                "{c:?}"
            );
        }
        let runs = text
            .split(|c: char| !is_word_char(c))
            .filter(|run| !run.is_empty())
            .count();
        assert_eq!(count_words(text), runs);
        assert_eq!(count_words(text), 17);
        let tenth = word_start(text, 9).unwrap();
        assert!(text[tenth..].starts_with("الإِنْسَانِ"));
    }
}
