// Searches the site in the visitor's browser, off the page's thread: Plenary's own search
// compiled to WebAssembly, run against the index the build wrote, so that a site on any static
// host answers as `plenary search --json` does. search.js starts it when a reader starts to
// search and talks to it by messages:
//   {type: 'init', index}         the URL of the build's `_search/browser.json`
//   {type: 'warm', lang}          fetch what a search in `lang` needs, before it is asked
//   {type: 'search', id, request} request: {q, lang, filters: [[facet, value]], page, per_page}
// and gets back {id, code, text}: code 0 with the JSON, 1 with the message of a request to fix,
// 2 when the search failed. The module's interface is described atop src/wasm/lib.rs.
//
// Small languages are fetched whole, all files at once. A large one (more bytes than the
// manifest's `range_reads_above`) is read in parts: before the first search, the files every
// search reads are fetched in parallel (whole, or their head and what opening the index reads:
// the manifest's `prefetch` and `opening`), and
// the module reads the rest through its `plenary.read` import, which this script answers from
// a cache of 4 KiB blocks. Before each search the module reads ahead what the search will
// read, and the blocks it lacks are fetched together by range requests, in a few rounds
// (readAhead); a read the search still makes of a block not cached waits on a synchronous
// range request (a search in the module is synchronous; a worker may wait on the network). A
// host that ignores `Range` sends the whole file instead, which is kept, and the language's
// other files are then fetched whole too.
// Plain ES2017, no library.
'use strict';

// The module's answer codes.
const DONE = 0, INVALID = 1, FAILED = 2, NEEDS_ZH_DICT = 3;
// The manifest layout this script reads (search_browser.rs).
const MANIFEST_FORMAT = 1;
// The block cache's block. A search reads its hits' stored fields and bodies here and there,
// a few KiB each, all read ahead together: small blocks fetch little more than is read, and
// cost no more requests (a request fetches a run of blocks).
const BLOCK = 4 * 1024;
// Rounds of reading ahead before a search: three make a search's reads (see readAhead); more
// only if a read depends on one that failed for another reason, which the search then meets.
const READ_AHEAD_ROUNDS = 4;
// Runs of blocks this many blocks apart or fewer are fetched as one.
const RUN_GAP = 4;
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
    // The files read in parts, by their number for the module, and by path.
    parts: [],
    partsByPath: {},
    // Whether the host answers range requests: null until one has been answered.
    ranges: null,
    // Why a read the module made failed, to say after the call that made it.
    readFailure: null,
    // While the module reads ahead: the blocks its reads wanted and did not find.
    missing: null,
  };
  const imports = { plenary: { read: (id, offset, len, dest) => readPart(b, id, offset, len, dest) } };
  // A host that compressed the manifest will compress the module: else the gzipped one, a
  // third of the size, unzipped here.
  const zipped = !response.headers.get('Content-Encoding') && manifest.module_gzip
    && typeof DecompressionStream === 'function';
  b.exports = zipped
    ? instantiateZipped(new URL(manifest.module_gzip.url, b.base).href, imports)
    : instantiate(new URL(manifest.module.url, b.base).href, imports);
  b.meta = fetchFile(b, manifest.meta).then((bytes) => JSON.parse(decoder.decode(bytes)));
  b.exports.catch(() => {});
  b.meta.catch(() => {});
  return b;
}

async function instantiate(url, imports) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const type = response.headers.get('Content-Type') || '';
  // Compiling while it downloads needs `application/wasm`; other hosts get it whole.
  if (WebAssembly.instantiateStreaming && type.split(';')[0].trim() === 'application/wasm') {
    return (await WebAssembly.instantiateStreaming(response, imports)).instance.exports;
  }
  return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance.exports;
}

/** The module from its gzipped file. A host that says it is `Content-Encoding: gzip` has
 *  had the browser unzip it already. */
async function instantiateZipped(url, imports) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes);
  return (await WebAssembly.instantiate(bytes, imports)).instance.exports;
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

/** A file of the index, fetched whole, once. */
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

/** Whether a language is read in parts rather than fetched whole. */
function inParts(b, lang) {
  const above = b.manifest.range_reads_above;
  return typeof above === 'number' && b.manifest.languages[lang].bytes > above;
}

/** Fetches the languages' files in parallel (or, for those read in parts, what every search
 *  reads of them) and hands them to the module, with jieba's dictionary when searching
 *  Chinese. */
async function ready(b, languages) {
  const whole = [], parts = [];
  for (const lang of languages) (inParts(b, lang) ? parts : whole).push(...b.manifest.languages[lang].files);
  // Fetched ahead for a search in Chinese; for `all`, only when a query has Han characters
  // (the module says so: NEEDS_ZH_DICT).
  const dictionary = languages.length === 1 && isChinese(languages[0]) ? loadDictionary(b) : null;
  const fetching = Promise.all(whole.map((file) => fetchFile(b, file)));
  fetching.catch(() => {});
  await Promise.all(parts.map((file) => prefetch(b, file)));
  // A host that ignores `Range` sends whole files: fetch the others whole too, in parallel.
  if (b.ranges === false) await Promise.all(parts.map((file) => fetchWhole(b, part(b, file))));
  const bytes = await fetching;
  const x = await b.exports;
  b.x = x;
  const handOver = (file, data) => {
    if (b.handed[file.path]) return;
    const path = hand(x, encoder.encode(file.path));
    const code = data ? x.add_file(...path, ...hand(x, data)) : x.add_lazy_file(...path, part(b, file).id, file.size);
    if (code !== DONE) throw new Error(`${file.path}: not taken`);
    b.handed[file.path] = true;
  };
  whole.forEach((file, i) => handOver(file, bytes[i]));
  parts.forEach((file) => handOver(file, part(b, file).whole));
  if (dictionary) await dictionary;
}

/** The cache of a file read in parts: its blocks, or all of it once had whole. */
function part(b, file) {
  let p = b.partsByPath[file.path];
  if (!p) {
    p = { id: b.parts.length, url: new URL(file.url, b.base).href, size: file.size, blocks: new Map(), whole: null };
    b.parts.push(p);
    b.partsByPath[file.path] = p;
  }
  return p;
}

/** What every search reads of a file read in parts, fetched before the first search: its
 *  head (the manifest's `prefetch`: all of some files) and what opening the index reads of it
 *  (`opening`: tantivy's footers and each field's header), in blocks, in parallel; all of it
 *  when that is most of it or it fits in a block. */
function prefetch(b, file) {
  const p = part(b, file);
  if (p.whole) return Promise.resolve();
  if (file.prefetch >= file.size || file.size <= BLOCK) return fetchWhole(b, p);
  if (!p.prefetching) {
    const blocks = [];
    for (let i = 0; i * BLOCK < (file.prefetch || 0); i++) blocks.push([p, i]);
    for (const [start, end] of file.opening || []) {
      for (let i = Math.floor(start / BLOCK); i * BLOCK < end; i++) blocks.push([p, i]);
    }
    // One request first: a host that ignores `Range` answers it with the whole file, and
    // the others would each bring the whole file again.
    p.prefetching = (async () => {
      if (blocks.length) await fetchBlocks(b, blocks.slice(0, 1));
      if (!p.whole) await fetchBlocks(b, blocks.filter(([, i]) => !p.blocks.has(i)));
    })();
    // Asked for again at the next search if it failed.
    p.prefetching.catch(() => {
      p.prefetching = null;
    });
  }
  return p.prefetching;
}

async function fetchWhole(b, p) {
  if (p.whole) return;
  if (!p.fetching) {
    p.fetching = (async () => {
      const response = await fetch(p.url, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`${p.url}: ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length !== p.size) throw new Stale(p.url);
      p.whole = bytes;
    })();
    // Asked for again at the next search if it failed.
    p.fetching.catch(() => {
      p.fetching = null;
    });
  }
  return p.fetching;
}

/** Keeps what a request for bytes [from, to) of `p` brought: those blocks (206), or the
 *  whole file from a host that ignores `Range` (200). */
function keep(b, p, from, to, status, bytes, contentRange) {
  if (status === 206) {
    const total = /\/(\d+)\s*$/.exec(contentRange || '');
    // Another build's file under this build's name (a deploy under way): start again.
    if ((total && Number(total[1]) !== p.size) || bytes.length !== to - from) throw new Stale(p.url);
    for (let at = 0; at < bytes.length; at += BLOCK) p.blocks.set((from + at) / BLOCK, bytes.subarray(at, at + BLOCK));
    b.ranges = true;
  } else if (status === 200) {
    if (bytes.length !== p.size) throw new Stale(p.url);
    p.whole = bytes;
    p.blocks.clear();
    b.ranges = false;
  } else {
    throw new Error(`${p.url}: ${status}`);
  }
}

/** The module's `plenary.read`: copies `len` bytes of file `id` from `offset` into its memory
 *  at `dest`, fetching the blocks not yet cached (each run of them in one range request). */
function readPart(b, id, offset, len, dest) {
  try {
    const p = b.parts[id];
    if (!p || offset + len > p.size) throw new Error(`read past the end of file ${id}`);
    const first = Math.floor(offset / BLOCK), last = Math.floor((offset + len - 1) / BLOCK);
    if (b.missing && !p.whole) {
      // Reading ahead: the blocks not cached are noted, to be fetched with the others.
      let missing = false;
      for (let i = first; i <= last; i++) {
        if (!p.blocks.has(i)) {
          b.missing.push([p, i]);
          missing = true;
        }
      }
      if (missing) return FAILED;
    }
    for (let i = first; i <= last && !p.whole; i++) {
      if (p.blocks.has(i)) continue;
      let end = i;
      while (end + 1 <= last && !p.blocks.has(end + 1)) end++;
      fetchSync(b, p, i * BLOCK, Math.min(p.size, (end + 1) * BLOCK));
      i = end;
    }
    const into = new Uint8Array(b.x.memory.buffer, dest, len);
    if (p.whole) {
      into.set(p.whole.subarray(offset, offset + len));
      return DONE;
    }
    for (let i = first; i <= last; i++) {
      const block = p.blocks.get(i);
      const start = Math.max(offset, i * BLOCK), end = Math.min(offset + len, (i + 1) * BLOCK);
      into.set(block.subarray(start - i * BLOCK, end - i * BLOCK), start - offset);
    }
    return DONE;
  } catch (e) {
    // Thrown through the module, an error would leave it mid-call: it is said afterwards.
    if (!b.readFailure) b.readFailure = e;
    return FAILED;
  }
}

/** Has the module read ahead what the search of `request` (its JSON, encoded) will read
 *  (`read_ahead`), failing each read of blocks not cached yet; those are then fetched
 *  together, a range request per run of blocks, all at once, and again until no read fails.
 *  Each round is the reads that waited on the round before (the terms' postings, then the
 *  results' stored fields, then their bodies), so that a search costs a few round trips, not
 *  one a read; the search that follows finds what it reads. Answers the module's code. */
async function readAhead(b, x, request) {
  for (let round = 0; round < READ_AHEAD_ROUNDS && b.parts.some((p) => !p.whole); round++) {
    const missing = [];
    b.missing = missing;
    let code;
    try {
      code = x.read_ahead(...hand(x, request));
    } finally {
      b.missing = null;
    }
    // A read that failed otherwise than for want of its blocks: the search will meet it.
    b.readFailure = null;
    if (code !== DONE || !missing.length) return code;
    await fetchBlocks(b, missing);
  }
  return DONE;
}

/** Fetches blocks ([part, block number] pairs) in parallel: each file's in runs, a request a
 *  run; runs that nearly touch are asked for as one, since a browser opens only a few
 *  connections to a host at once and a block costs less than a round trip. */
function fetchBlocks(b, blocks) {
  if (!blocks.length) return Promise.resolve();
  const byPart = new Map();
  for (const [p, i] of blocks) {
    if (!byPart.has(p)) byPart.set(p, new Set());
    byPart.get(p).add(i);
  }
  const requests = [];
  for (const [p, set] of byPart) {
    const wanted = Array.from(set).sort((a, c) => a - c);
    let start = wanted[0], end = wanted[0];
    const flush = () => requests.push(fetchRange(b, p, start * BLOCK, Math.min(p.size, (end + 1) * BLOCK)));
    for (const i of wanted.slice(1)) {
      if (i - end <= RUN_GAP + 1) {
        end = i;
      } else {
        flush();
        start = end = i;
      }
    }
    flush();
  }
  return Promise.all(requests);
}

/** The URL to ask for bytes [from, to) of `p` at: the file's, naming the range in its query
 *  too (which static hosts ignore). A browser's HTTP cache lets one request at a time fetch a
 *  URL, so that range requests for one file would go one after another; each range its own
 *  URL, they go together, and each is still cached. */
function rangeUrl(p, from, to) {
  return `${p.url}${p.url.indexOf('?') >= 0 ? '&' : '?'}bytes=${from}-${to - 1}`;
}

/** Bytes [from, to) of `p`, by an asynchronous range request. */
async function fetchRange(b, p, from, to) {
  if (p.whole) return;
  const response = await fetch(rangeUrl(p, from, to), { credentials: 'same-origin', headers: { Range: `bytes=${from}-${to - 1}` } });
  keep(b, p, from, to, response.status, new Uint8Array(await response.arrayBuffer()),
    response.headers.get('Content-Range'));
}

/** Bytes [from, to) of `p`, by a synchronous range request. */
function fetchSync(b, p, from, to) {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', rangeUrl(p, from, to), false);
  xhr.withCredentials = true;
  xhr.responseType = 'arraybuffer';
  xhr.setRequestHeader('Range', `bytes=${from}-${to - 1}`);
  xhr.send();
  keep(b, p, from, to, xhr.status, new Uint8Array(xhr.response || new ArrayBuffer(0)),
    xhr.getResponseHeader('Content-Range'));
}

/** Throws, once, what made a read of the module's fail during the last call. */
function readFailed(b) {
  const failure = b.readFailure;
  b.readFailure = null;
  if (failure) throw failure;
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
  if (x.add_file(...hand(x, encoder.encode('meta.json')), ...hand(x, encoder.encode(text))) !== DONE) {
    throw new Error('meta.json: not taken');
  }
  const code = x.open();
  readFailed(b);
  if (code !== DONE) throw new Error(`the index does not open: ${out(x)}`);
  b.opened = key;
  if (languages.some((code) => open.indexOf(code) < 0)) throw new Error('a language is missing');
}

async function search(request, retried) {
  const b = await current();
  try {
    return await searchIn(b, request);
  } catch (e) {
    // A file of another build: the manifest has changed since it was read; read it again.
    if (e instanceof Stale && !retried) {
      build = null;
      return search(request, true);
    }
    throw e;
  }
}

async function searchIn(b, request) {
  const languages = languagesFor(b, request.lang);
  await ready(b, languages);
  await open(b, languages);
  const x = await b.exports;
  const bytes = encoder.encode(JSON.stringify(request));
  const ask = async () => {
    const ahead = await readAhead(b, x, bytes);
    if (ahead === NEEDS_ZH_DICT) return ahead;
    const code = x.search(...hand(x, bytes));
    // A read that failed would have left hits or an excerpt out: no answer rather than that.
    readFailed(b);
    return code;
  };
  let code = await ask();
  if (code === NEEDS_ZH_DICT && b.manifest.zh_dict) {
    await loadDictionary(b);
    code = await ask();
  }
  return { code: code === NEEDS_ZH_DICT ? FAILED : code, text: out(x) };
}
