// Searches the site in the visitor's browser, off the page's thread: Plenary's own search
// compiled to WebAssembly, run against the index the build wrote, so that a site on any static
// host answers as `plenary search --json` does. search.js starts it when a reader starts to
// search and talks to it by messages:
//   {type: 'init', index}         the URL of the build's `_search/browser.json`
//   {type: 'warm', lang}          fetch what a search in `lang` needs, before it is asked
//   {type: 'search', id, request} request: {q, lang, filters: [[facet, value]], page, per_page}
// and gets back {id, code, text}: code 0 with the JSON, 1 with the message of a request to fix,
// 2 when the search failed. The module's interface is described atop src/wasm/lib.rs.
// Plain ES2017, no library.
'use strict';

// The module's answer codes.
const DONE = 0, INVALID = 1, FAILED = 2, NEEDS_ZH_DICT = 3;
// The manifest layout this script reads (search_browser.rs).
const MANIFEST_FORMAT = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let indexUrl = null;
// One build's index: its manifest, the module instance, the files fetched and handed to it.
let build = null;
// Messages are handled one after another: a search waits for the files it needs.
let queue = Promise.resolve();

self.onmessage = (event) => {
  const message = event.data || {};
  queue = queue.then(() => handle(message)).catch(() => {});
};

async function handle(message) {
  if (message.type === 'init') {
    indexUrl = message.index;
  } else if (message.type === 'warm') {
    try {
      const b = await current();
      await ready(b, languagesFor(b, message.lang));
    } catch (e) {
      // The search that follows will say what went wrong.
    }
  } else if (message.type === 'search') {
    let answer;
    try {
      answer = await search(message.request);
    } catch (e) {
      answer = { code: FAILED, text: String((e && e.message) || e) };
    }
    self.postMessage(Object.assign({ id: message.id }, answer));
  }
}

/** The build being searched, started on first use: the manifest, then the module, compiled
 *  while the index's files are fetched. */
function current() {
  if (!build) {
    build = start();
    // A manifest that could not be read is asked for again at the next search.
    build.catch(() => {
      build = null;
    });
  }
  return build;
}

async function start() {
  if (!indexUrl) throw new Error('no index to search');
  // Asked for again each time (the other files' URLs hold their hashes): a new build is seen.
  const response = await fetch(indexUrl, { cache: 'no-cache', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${indexUrl}: ${response.status}`);
  const manifest = await response.json();
  if (manifest.format !== MANIFEST_FORMAT) throw new Error(`${indexUrl}: unknown format`);
  const b = {
    manifest,
    base: new URL('.', new URL(indexUrl, self.location.href)).href,
    exports: null,
    fetched: {},
    handed: {},
    opened: null,
    dictionary: null,
  };
  b.exports = instantiate(new URL(manifest.module.url, b.base).href);
  b.meta = fetchFile(b, manifest.meta).then((bytes) => JSON.parse(decoder.decode(bytes)));
  b.exports.catch(() => {});
  b.meta.catch(() => {});
  return b;
}

async function instantiate(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const type = response.headers.get('Content-Type') || '';
  // Compiling while it downloads needs `application/wasm`; other hosts get it whole.
  if (WebAssembly.instantiateStreaming && type.split(';')[0].trim() === 'application/wasm') {
    return (await WebAssembly.instantiateStreaming(response, {})).instance.exports;
  }
  return (await WebAssembly.instantiate(await response.arrayBuffer(), {})).instance.exports;
}

/** The languages a search in `lang` reads: one, or all of them for `all` (and for a language
 *  the site lacks, so that the module names the ones it has, as `plenary search` does). */
function languagesFor(b, lang) {
  const all = Object.keys(b.manifest.languages);
  return all.indexOf(lang) >= 0 ? [lang] : all;
}

function isChinese(code) {
  return String(code).split('-')[0] === 'zh';
}

/** A file of the index, fetched once. Whole files, all at once: the seam where large
 *  languages will be read by HTTP range requests through a block cache instead. */
function fetchFile(b, file) {
  if (!b.fetched[file.path]) {
    b.fetched[file.path] = (async () => {
      const url = new URL(file.url, b.base).href;
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      // Another build's file under this build's name (a deploy under way): start again.
      if (bytes.length !== file.size) throw new Stale(url);
      return bytes;
    })();
    b.fetched[file.path].catch(() => {});
  }
  return b.fetched[file.path];
}

class Stale extends Error {}

/** Fetches the languages' files in parallel and hands them to the module, with jieba's
 *  dictionary when one of them is Chinese. */
async function ready(b, languages) {
  const files = [];
  for (const lang of languages) files.push(...b.manifest.languages[lang].files);
  const dictionary = languages.some(isChinese) ? loadDictionary(b) : null;
  const bytes = await Promise.all(files.map((file) => fetchFile(b, file)));
  const x = await b.exports;
  files.forEach((file, i) => {
    if (b.handed[file.path]) return;
    if (x.add_file(...hand(x, encoder.encode(file.path)), ...hand(x, bytes[i])) !== DONE) {
      throw new Error(`${file.path}: not taken`);
    }
    b.handed[file.path] = true;
  });
  if (dictionary) await dictionary;
}

/** jieba's dictionary, gzipped as the build wrote it: only Chinese searches need it. */
function loadDictionary(b) {
  const asset = b.manifest.zh_dict;
  if (!asset) return Promise.resolve();
  if (!b.dictionary) {
    b.dictionary = (async () => {
      const url = new URL(asset.url, b.base).href;
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      let bytes = new Uint8Array(await response.arrayBuffer());
      // A host that sends it with `Content-Encoding: gzip` has had the browser unzip it.
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes);
      const x = await b.exports;
      if (x.set_zh_dict(...hand(x, bytes)) !== DONE) throw new Error('set_zh_dict');
    })();
  }
  return b.dictionary;
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Copies bytes into a buffer of the module's, which the module owns from then on. */
function hand(x, bytes) {
  const at = x.alloc(bytes.length);
  new Uint8Array(x.memory.buffer, at, bytes.length).set(bytes);
  return [at, bytes.length];
}

function out(x) {
  return decoder.decode(new Uint8Array(x.memory.buffer, x.out_ptr(), x.out_len()));
}

/** Opens the languages handed so far: the module reads the languages of `meta.json`, so it
 *  gets the build's own with only those listed. */
async function open(b, languages) {
  const meta = await b.meta;
  const open = meta.languages.filter((code) =>
    b.manifest.languages[code].files.every((file) => b.handed[file.path]));
  const key = open.join(' ');
  if (b.opened === key) return;
  const x = await b.exports;
  const text = JSON.stringify(Object.assign({}, meta, { languages: open }));
  if (x.add_file(...hand(x, encoder.encode('meta.json')), ...hand(x, encoder.encode(text))) !== DONE
    || x.open() !== DONE) {
    throw new Error(`the index does not open: ${out(x)}`);
  }
  b.opened = key;
  if (languages.some((code) => open.indexOf(code) < 0)) throw new Error('a language is missing');
}

async function search(request, retried) {
  const b = await current();
  const languages = languagesFor(b, request.lang);
  try {
    await ready(b, languages);
    await open(b, languages);
  } catch (e) {
    // A file of another build: the manifest has changed since it was read; read it again.
    if (e instanceof Stale && !retried) {
      build = null;
      return search(request, true);
    }
    throw e;
  }
  const x = await b.exports;
  let code = x.search(...hand(x, encoder.encode(JSON.stringify(request))));
  if (code === NEEDS_ZH_DICT && b.manifest.zh_dict) {
    await loadDictionary(b);
    code = x.search(...hand(x, encoder.encode(JSON.stringify(request))));
  }
  return { code: code === NEEDS_ZH_DICT ? FAILED : code, text: out(x) };
}
