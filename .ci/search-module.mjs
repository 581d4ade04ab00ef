// Loads Plenary's search module (src/wasm/, built by .ci/build-search-module) in Node and hands
// it a built site's `_search/` folder, as a page's script will in a browser. See the interface
// at the top of src/wasm/lib.rs.
import fs from 'node:fs';
import path from 'node:path';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The module's answer codes (src/wasm/lib.rs).
export const DONE = 0, INVALID = 1, FAILED = 2, NEEDS_ZH_DICT = 3;
// The page's worker's block and rounds of reading ahead (search-worker.js).
const BLOCK = 4 * 1024;
const READ_AHEAD_ROUNDS = 4;

export class SearchModule {
  static async load(wasmPath) {
    const module = new SearchModule();
    const imports = { plenary: { read: (id, offset, len, dest) => module.read(id, offset, len, dest) } };
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), imports);
    module.x = instance.exports;
    return module;
  }

  constructor() {
    this.x = null;
    // The files handed over lazily, by their number, and how the module read them.
    this.lazy = [];
    this.reads = { count: 0, bytes: 0, fetched: 0 };
    // With `useBlocks`: which blocks of each lazy file the worker would have fetched (a Set
    // by file number), what it fetches before any search (the manifest's `prefetch` and
    // `opening`), and, while the module reads ahead, the blocks its reads wanted.
    this.blocks = null;
    this.prefetched = null;
    this.missing = null;
  }

  // The module's `plenary.read`: copies bytes of a lazy file into its memory (as the page's
  // worker does from its block cache), counting the reads, and, with blocks, the reads that
  // wanted blocks not fetched yet (which the worker would fetch then, one request each).
  read(id, offset, len, dest) {
    const bytes = this.lazy[id];
    if (!bytes || offset + len > bytes.length) return 1;
    if (this.blocks && len > 0) {
      const cached = this.blocks[id];
      const wanted = [];
      for (let i = Math.floor(offset / BLOCK); i <= Math.floor((offset + len - 1) / BLOCK); i++) {
        if (!cached.has(i)) wanted.push(i);
      }
      if (wanted.length && this.missing) {
        for (const i of wanted) this.missing.push([id, i]);
        return 1;
      }
      if (wanted.length) this.reads.fetched++;
      for (const i of wanted) cached.add(i);
    }
    new Uint8Array(this.x.memory.buffer, dest, len).set(bytes.subarray(offset, offset + len));
    this.reads.count++;
    this.reads.bytes += len;
    return 0;
  }

  // Has the lazy files read in blocks, as the page's worker reads a large language: what the
  // manifest (`browser.json` in `searchDir`) says every search reads is fetched beforehand (each
  // file's `prefetch` head and `opening` ranges),
  // the rest as the module reads it. Call after `addFolder`.
  useBlocks(searchDir) {
    const manifest = JSON.parse(fs.readFileSync(path.join(searchDir, 'browser.json'), 'utf8'));
    const files = new Map();
    for (const language of Object.values(manifest.languages)) {
      for (const file of language.files) files.set(file.path, file);
    }
    this.prefetched = this.lazyNames.map((name, id) => {
      const file = files.get(name);
      const size = this.lazy[id].length;
      const count = Math.ceil(size / BLOCK);
      const head = file && file.prefetch ? Math.ceil(file.prefetch / BLOCK) : 0;
      const set = new Set();
      for (let i = 0; i < count; i++) if (size <= BLOCK || i < head) set.add(i);
      for (const [start, end] of (file && file.opening) || []) {
        for (let i = Math.floor(start / BLOCK); i * BLOCK < end; i++) set.add(i);
      }
      return set;
    });
    this.forgetBlocks();
  }

  // Back to a first search's cache: only what is fetched before any search.
  forgetBlocks() {
    this.blocks = this.prefetched.map((set) => new Set(set));
  }

  // As the page's worker does before a search (`readAhead` in search-worker.js): the module
  // reads ahead, the blocks its reads wanted are fetched, again until no read wants one.
  // Returns how many rounds fetched blocks.
  readAhead(request) {
    const json = JSON.stringify(request);
    for (let round = 0; round < READ_AHEAD_ROUNDS; round++) {
      const missing = [];
      this.missing = missing;
      let code;
      try {
        code = this.x.read_ahead(...this.hand(json));
      } finally {
        this.missing = null;
      }
      if (code !== DONE || !missing.length) return round;
      for (const [id, i] of missing) this.blocks[id].add(i);
    }
    return READ_AHEAD_ROUNDS;
  }

  // Copies bytes (or a string) into a buffer of the module's, which the module then owns.
  hand(bytes) {
    if (typeof bytes === 'string') bytes = encoder.encode(bytes);
    const at = this.x.alloc(bytes.length);
    new Uint8Array(this.x.memory.buffer, at, bytes.length).set(bytes);
    return [at, bytes.length];
  }

  out() {
    return decoder.decode(new Uint8Array(this.x.memory.buffer, this.x.out_ptr(), this.x.out_len()));
  }

  addFile(name, bytes) {
    if (this.x.add_file(...this.hand(name), ...this.hand(bytes)) !== DONE) throw new Error(`add_file ${name}`);
  }

  // A file the module reads in parts, through `read`, as it needs them.
  addLazyFile(name, bytes) {
    const id = this.lazy.length;
    this.lazy.push(bytes);
    (this.lazyNames ||= []).push(name);
    if (this.x.add_lazy_file(...this.hand(name), id, bytes.length) !== DONE) throw new Error(`add_lazy_file ${name}`);
  }

  // Every file under `searchDir` (a built site's `_search/`), by its path under it; with
  // `lazily`, each language's files are read through `read` (the top `meta.json` is handed
  // over whole, as the worker does).
  addFolder(searchDir, { lazily = false } = {}) {
    let bytes = 0;
    const walk = (dir, prefix) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
        else {
          const data = fs.readFileSync(full);
          bytes += data.length;
          if (lazily && prefix !== '') this.addLazyFile(prefix + entry.name, data);
          else this.addFile(prefix + entry.name, data);
        }
      }
    };
    walk(searchDir, '');
    return bytes;
  }

  setZhDict(bytes) {
    this.dictionarySet = true;
    if (this.x.set_zh_dict(...this.hand(bytes)) !== DONE) throw new Error('set_zh_dict: handed over already');
  }

  open() {
    if (this.x.open() !== DONE) throw new Error(`open: ${this.out()}`);
  }

  // `request`: {q, lang, filters: [[facet, value]], page, per_page}. Returns {code, text}.
  search(request) {
    const code = this.x.search(...this.hand(JSON.stringify(request)));
    return { code, text: this.out() };
  }
}
