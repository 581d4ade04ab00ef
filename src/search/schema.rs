//! What a language's search index holds and how it is laid out: the part of `search` that
//! reading needs too. Reading runs natively and, compiled to WebAssembly, in the browser
//! (`src/wasm/`, which includes this file): nothing here touches files.
//!
//! Layout under the built site: `_search/meta.json` (`{"format": 6, "languages": [...]}`)
//! and `_search/<lang>/`, a tantivy index of the pages written in that language with its
//! `bodies.bin` (the pages' bodies for excerpts, see `body_store`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::Index;

use crate::analysis;

pub const SEARCH_DIR: &str = "_search";
/// Raised whenever what the index holds or how it is analysed changes.
pub const FORMAT_VERSION: u32 = 6;
/// The facets every page can be filtered and counted by: `source` is the member that
/// published it, `site` the site it is on (others' pages come in through their exports).
pub const FACETS: [&str; 7] = ["kind", "group", "year", "theme", "region", "source", "site"];

/// One page in one language, as search sees it. The body is borrowed from the rendered
/// pages while indexing: it is most of the text, and copying it cost time and memory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchDoc<'a> {
    pub lang: String,
    pub url: String,
    pub title: String,
    pub description: String,
    pub headings: String,
    /// Indexed; kept for excerpts in the body store (`body_store`), not in the stored fields.
    #[serde(skip)]
    pub body: Cow<'a, str>,
    /// Where the body store holds the body: (offset, length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_body: Option<(u64, u64)>,
    pub date: Option<String>,
    pub kind: Option<String>,
    pub group: Option<String>,
    pub year: Option<String>,
    pub themes: Vec<String>,
    pub region: Option<String>,
    /// The id of the member source it comes from; `None` for the site's own content.
    #[serde(default)]
    pub source: Option<String>,
    /// The site it is on, by `site_id`.
    #[serde(default)]
    pub site: Option<String>,
    /// The same page in the other languages it is written in: (language, URL).
    pub translations: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
pub struct Meta {
    pub format: u32,
    pub languages: Vec<String>,
}

/// The fields of a language's index. What results show is stored as the JSON of a
/// `SearchDoc` without its body, which the body store keeps.
pub struct Fields {
    /// The page's URL, as one term: what a rebuild deletes a changed page by.
    pub url: Field,
    pub title: Field,
    pub description: Field,
    pub headings: Field,
    pub body: Field,
    pub stored: Field,
    pub facets: [Field; FACETS.len()],
}

pub fn schema(lang: &str) -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(&analysis::analyzer_name(lang))
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let searched = TextOptions::default().set_indexing_options(indexing);
    let fields = Fields {
        url: builder.add_text_field("url", STRING),
        title: builder.add_text_field("title", searched.clone()),
        description: builder.add_text_field("description", searched.clone()),
        headings: builder.add_text_field("headings", searched.clone()),
        body: builder.add_text_field("body", searched),
        stored: builder.add_text_field("doc", STORED),
        facets: FACETS.map(|name| builder.add_facet_field(name, FacetOptions::default())),
    };
    (builder.build(), fields)
}

pub fn register_analyzer(index: &Index, lang: &str) {
    index
        .tokenizers()
        .register(&analysis::analyzer_name(lang), analysis::analyzer(lang));
}
