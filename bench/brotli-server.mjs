// A static server that compresses as hosts and CDNs do, for bench/static-search.sh's
// COMPRESS=1: every file it may send compressed is brotli-compressed (quality 11, 5 for the
// index's files over 1 MiB) before it starts serving, and sent with `Content-Encoding: br` to
// browsers that accept it. Files
// already compressed (gzip, images, Pagefind's chunks) go as they are. Otherwise like
// `python3 -m http.server`: a folder without a slash is redirected to it, a folder gives its
// index.html (no listings: 404), no range requests. Prints python's first line once ready.
//
//   node bench/brotli-server.mjs DIR
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(process.argv[2] || '.');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.gz': 'application/gzip',
};
// Sent as they are: compressed already.
const STORED = /\.(gz|png|jpe?g|gif|webp|ico|woff2?|pagefind|pf_[a-z]+)$/;

// Everything that could be asked for compressed, compressed once: search files and scripts
// (pages, styles and pictures are loaded before the measured keystroke and are left alone).
const compressed = new Map();
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (!STORED.test(entry.name) && (file.includes(`${path.sep}_search${path.sep}`) || /\.(js|wasm|json)$/.test(entry.name))) {
      const bytes = fs.readFileSync(file);
      // Quality 11, as hosts that precompress use; 5, as CDNs compressing on the fly, for the
      // index's large files (already compressed by the index, brotli gains little on them).
      const quality = bytes.length > 1 << 20 && !entry.name.endsWith('.wasm') ? 5 : 11;
      compressed.set(file, zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality } }));
    }
  }
}
walk(root);

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  let file = path.join(root, decodeURIComponent(url.pathname));
  if (!file.startsWith(root)) {
    res.writeHead(403).end();
    return;
  }
  let stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat && stat.isDirectory()) {
    if (!url.pathname.endsWith('/')) {
      res.writeHead(301, { Location: `${url.pathname}/${url.search}`, 'Content-Length': 0 }).end();
      return;
    }
    file = path.join(file, 'index.html');
    stat = fs.statSync(file, { throwIfNoEntry: false });
  }
  if (!stat || !stat.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 9 }).end('not found');
    return;
  }
  const headers = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', Vary: 'Accept-Encoding' };
  const br = compressed.get(file);
  if (br && /\bbr\b/.test(req.headers['accept-encoding'] || '')) {
    res.writeHead(200, Object.assign(headers, { 'Content-Encoding': 'br', 'Content-Length': br.length })).end(br);
    return;
  }
  res.writeHead(200, Object.assign(headers, { 'Content-Length': stat.size }));
  fs.createReadStream(file).pipe(res);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`Serving HTTP on 127.0.0.1 port ${server.address().port} (http://127.0.0.1:${server.address().port}/) ...`);
});
