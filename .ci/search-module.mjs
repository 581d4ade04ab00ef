// Loads Plenary's search module (src/wasm/, built by .ci/build-search-module) in Node and hands
// it a built site's `_search/` folder, as a page's script will in a browser. See the interface
// at the top of src/wasm/lib.rs.
import fs from 'node:fs';
import path from 'node:path';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The module's answer codes (src/wasm/lib.rs).
export const DONE = 0, INVALID = 1, FAILED = 2, NEEDS_ZH_DICT = 3;

export class SearchModule {
  static async load(wasmPath) {
    const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), {});
    return new SearchModule(instance.exports);
  }

  constructor(exports) {
    this.x = exports;
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

  // Every file under `searchDir` (a built site's `_search/`), by its path under it.
  addFolder(searchDir) {
    let bytes = 0;
    const walk = (dir, prefix) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
        else {
          const data = fs.readFileSync(full);
          bytes += data.length;
          this.addFile(prefix + entry.name, data);
        }
      }
    };
    walk(searchDir, '');
    return bytes;
  }

  setZhDict(bytes) {
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
