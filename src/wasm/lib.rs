//! Plenary's search compiled to WebAssembly, so that a site on any static host can be searched
//! in the visitor's browser with the index its build wrote, and answer as `plenary search` does.
//!
//! There is one copy of the search code: the files below are the main crate's own, included
//! with `#[path]`. They are the read side of the search, kept in files of their own that read
//! no files (`search/schema.rs`, `body_store/read.rs`, `query.rs` with `IndexSource`) so that
//! this crate compiles them unchanged; what touches the disk stays in the main crate
//! (`search.rs`, `body_store.rs`). A cargo feature gating the native parts of one crate was
//! the other way: it would have made half of that crate's dependencies optional and put
//! `#[cfg]` through files that do not concern the browser. Two things differ from the native
//! build: jieba's dictionary is handed over at run time (`set_zh_dict`, see analysis.rs), and
//! the logarithm that ranking takes is glibc's (logf.rs), so that scores agree to the last bit.
//!
//! The interface is plain functions (no wasm-bindgen) over the module's memory. Every buffer
//! handed to the module is first got from `alloc` and is the module's from then on. Answers
//! are in the output buffer (`out_ptr`, `out_len`), valid until the next call:
//! - `add_file(path, bytes)`: a file of the built site's `_search/` folder, by its path
//!   under it (`meta.json`, `en/bodies.bin`, `en/<segment>.idx`, ...).
//! - `add_lazy_file(path, id, len)`: a file of `len` bytes that the module reads in parts, as
//!   the search asks for them, through the function it imports, `plenary.read(id, offset,
//!   len, dest)`: the caller copies the bytes to `dest` in the module's memory and returns 0
//!   (anything else: they could not be had). Reads come while `open` or `search` runs.
//! - `set_zh_dict(bytes)`: jieba's dictionary (its `dict.txt`), needed to search Chinese.
//! - `open()`: opens the files added so far; 0, or 1 with the error in the output.
//! - `read_ahead(request)`: reads what `search` will read for the request, as far as it can
//!   without waiting on a read that failed; answers as `search` does, with no JSON. A caller
//!   that reads in parts fails the reads it has not fetched yet, fetches them together, and
//!   calls again until none fails: a few round trips rather than one a read.
//! - `search(request)`: the request as JSON, `{"q", "lang", "filters": [[facet, value]],
//!   "page", "per_page"}` (as `/_search` takes them; all may be left out: `lang` is then
//!   `all`, `page` 1, `per_page` 10). Answers 0 with the JSON `plenary search --json` prints;
//!   1 with the message of a request the caller must fix (what `plenary search` prints after
//!   `error: `); 2 with the message of any other failure; 3 when the search segments Chinese
//!   (a query with Han characters, in `zh` or `all`) and the dictionary has not been handed
//!   over yet.

// The main crate's read side, unchanged (see above). Public so that what the native crate
// uses of them and this one does not is not taken for dead code.
#[path = "../analysis.rs"]
pub mod analysis;
#[path = "../body_store/read.rs"]
pub mod body_store;
#[path = "../facet_counts.rs"]
pub mod facet_counts;
#[path = "../query.rs"]
pub mod query;
#[path = "../search/schema.rs"]
pub mod search;

mod files;
mod lazy;
pub mod logf;

use std::cell::RefCell;

use query::{Invalid, Request, Searcher};

#[derive(Default)]
struct State {
    files: files::Files,
    searcher: Option<Searcher>,
    out: Vec<u8>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// What `search` is given: the parameters of `/_search`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchRequest {
    #[serde(default)]
    q: String,
    #[serde(default = "all_languages")]
    lang: String,
    #[serde(default)]
    filters: Vec<(String, String)>,
    #[serde(default = "first_page")]
    page: usize,
    #[serde(default = "results_a_page")]
    per_page: usize,
}

fn all_languages() -> String {
    "all".to_string()
}

fn first_page() -> usize {
    1
}

fn results_a_page() -> usize {
    10
}

const DONE: i32 = 0;
const INVALID: i32 = 1;
const FAILED: i32 = 2;
const NEEDS_ZH_DICT: i32 = 3;

/// A buffer of `len` bytes for the caller to fill and hand over.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buffer = std::mem::ManuallyDrop::new(Vec::<u8>::with_capacity(len));
    buffer.as_mut_ptr()
}

/// Gives back a buffer from `alloc` that was not handed over.
///
/// # Safety
/// `ptr` and `len` are those of an `alloc` not yet handed over or freed.
#[no_mangle]
pub unsafe extern "C" fn free(ptr: *mut u8, len: usize) {
    drop(taken(ptr, len));
}

/// The bytes of a buffer from `alloc`, filled by the caller: the module's from now on.
///
/// # Safety
/// `ptr` and `len` are those of an `alloc`, filled, not yet handed over or freed.
unsafe fn taken(ptr: *mut u8, len: usize) -> Vec<u8> {
    // `Vec::with_capacity(len)` allocates exactly `len` bytes: the capacity is `len`.
    Vec::from_raw_parts(ptr, len, len)
}

/// Adds a file of `_search/`, replacing one of the same path; the searcher sees it at the
/// next `open`. 2 if the path is not UTF-8.
///
/// # Safety
/// Both buffers come from `alloc`, filled; they are the module's from now on.
#[no_mangle]
pub unsafe extern "C" fn add_file(
    path_ptr: *mut u8,
    path_len: usize,
    data_ptr: *mut u8,
    data_len: usize,
) -> i32 {
    let path = taken(path_ptr, path_len);
    let data = taken(data_ptr, data_len);
    let Ok(path) = String::from_utf8(path) else {
        return FAILED;
    };
    STATE.with_borrow_mut(|state| state.files.add(path, data));
    DONE
}

/// Adds a file of `_search/` that the module reads in parts through `plenary.read`, as file
/// number `id` (the caller's); it replaces one of the same path. 2 if the path is not UTF-8.
///
/// # Safety
/// The buffer comes from `alloc`, filled; it is the module's from now on.
#[no_mangle]
pub unsafe extern "C" fn add_lazy_file(
    path_ptr: *mut u8,
    path_len: usize,
    id: u32,
    len: usize,
) -> i32 {
    let Ok(path) = String::from_utf8(taken(path_ptr, path_len)) else {
        return FAILED;
    };
    STATE.with_borrow_mut(|state| state.files.add_lazy(path, id, len));
    DONE
}

/// Hands over jieba's dictionary; 2 if it was handed over already (it cannot change once
/// Chinese has been segmented).
///
/// # Safety
/// The buffer comes from `alloc`, filled; it is the module's from now on.
#[no_mangle]
pub unsafe extern "C" fn set_zh_dict(ptr: *mut u8, len: usize) -> i32 {
    match analysis::ZH_DICTIONARY.set(taken(ptr, len)) {
        Ok(()) => DONE,
        Err(_) => FAILED,
    }
}

/// Opens the files added so far: 0, or 1 with the error in the output.
#[no_mangle]
pub extern "C" fn open() -> i32 {
    STATE.with_borrow_mut(|state| {
        state.searcher = None;
        match Searcher::open_from(&state.files) {
            Ok(searcher) => {
                state.searcher = Some(searcher);
                DONE
            }
            Err(e) => answer(state, INVALID, format!("{e:#}")),
        }
    })
}

/// Searches: see the codes at the top of this file.
///
/// # Safety
/// The buffer comes from `alloc`, filled; it is the module's from now on.
#[no_mangle]
pub unsafe extern "C" fn search(request_ptr: *mut u8, request_len: usize) -> i32 {
    let request = taken(request_ptr, request_len);
    STATE.with_borrow_mut(|state| {
        let (searcher, request) = match asked(state, &request) {
            Ok(asked) => asked,
            Err((code, message)) => return answer(state, code, message),
        };
        match searcher.search(&request) {
            // As `plenary search --json` prints it.
            Ok(response) => match serde_json::to_string_pretty(&response) {
                Ok(json) => answer(state, DONE, json + "\n"),
                Err(e) => answer(state, FAILED, e.to_string()),
            },
            Err(Invalid(message)) => answer(state, INVALID, message),
        }
    })
}

/// Reads what `search` would read for the same request, each read that does not wait on
/// another that failed (`Searcher::read_ahead`), and answers nothing but the codes `search`
/// has: the caller fails the reads it has not fetched yet, fetches them all together, and
/// calls again until no read fails; `search` then finds everything it reads.
///
/// # Safety
/// The buffer comes from `alloc`, filled; it is the module's from now on.
#[no_mangle]
pub unsafe extern "C" fn read_ahead(request_ptr: *mut u8, request_len: usize) -> i32 {
    let request = taken(request_ptr, request_len);
    STATE.with_borrow_mut(|state| {
        let (searcher, request) = match asked(state, &request) {
            Ok(asked) => asked,
            Err((code, message)) => return answer(state, code, message),
        };
        match searcher.read_ahead(&request) {
            Ok(()) => answer(state, DONE, String::new()),
            Err(Invalid(message)) => answer(state, INVALID, message),
        }
    })
}

/// The open searcher and the request it is asked, or the code and message to answer.
fn asked<'s>(state: &'s State, request: &[u8]) -> Result<(&'s Searcher, Request), (i32, String)> {
    let Some(searcher) = &state.searcher else {
        return Err((FAILED, "the index is not open".to_string()));
    };
    let request: SearchRequest = serde_json::from_slice(request)
        .map_err(|e| (FAILED, format!("the request is not one: {e}")))?;
    let request = Request {
        query: request.q,
        lang: request.lang,
        filters: request.filters,
        page: request.page,
        per_page: request.per_page,
    };
    // Chinese segments text without Han characters without the dictionary (analysis.rs).
    let han = || analysis::needs_dictionary(&analysis::normalize("zh", &request.query));
    if needs_chinese(searcher, &request.lang) && analysis::ZH_DICTIONARY.get().is_none() && han() {
        let message = "searching Chinese needs jieba's dictionary: `set_zh_dict`";
        return Err((NEEDS_ZH_DICT, message.to_string()));
    }
    Ok((searcher, request))
}

/// Whether a search in `lang` reads a Chinese index.
fn needs_chinese(searcher: &Searcher, lang: &str) -> bool {
    searcher
        .languages()
        .filter(|code| lang == "all" || lang == *code)
        .any(|code| code.split('-').next() == Some("zh"))
}

fn answer(state: &mut State, code: i32, text: String) -> i32 {
    state.out = text.into_bytes();
    code
}

/// Where the last answer is.
#[no_mangle]
pub extern "C" fn out_ptr() -> *const u8 {
    STATE.with_borrow(|state| state.out.as_ptr())
}

/// How long the last answer is, in bytes.
#[no_mangle]
pub extern "C" fn out_len() -> usize {
    STATE.with_borrow(|state| state.out.len())
}

/// getrandom's `custom` source of randomness (see .cargo/config.toml): getrandom 0.3 and 0.4
/// both call this function, with error types of the same layout. Only writing an index asks for
/// randomness (tantivy's segment ids, its column writer's sampling), which a search never does;
/// should anything ask, a xorshift serves.
///
/// # Safety
/// `dest` is valid for writes of `len` bytes, as getrandom guarantees.
#[cfg(target_family = "wasm")]
#[no_mangle]
unsafe extern "Rust" fn __getrandom_v03_custom(
    dest: *mut u8,
    len: usize,
) -> Result<(), getrandom::Error> {
    thread_local! {
        static XORSHIFT: std::cell::Cell<u64> = const { std::cell::Cell::new(0x9E37_79B9_7F4A_7C15) };
    }
    for i in 0..len {
        let mut x = XORSHIFT.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        XORSHIFT.set(x);
        *dest.add(i) = x as u8;
    }
    Ok(())
}
