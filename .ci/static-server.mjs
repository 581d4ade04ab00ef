// A plain static file server that answers HTTP range requests, as most hosts and CDNs do (python's
// http.server does not): for the checks and the measurements of search on a static host.
// Serves DIR on 127.0.0.1, prints `serving http://127.0.0.1:PORT/` once it listens, and with
// --log appends a JSON line per request: {path, range, status, bytes}. --latency-ms and --mbit
// shape the link as a slow network would: each answer starts a round trip after its request,
// and all answers share one link of that speed, one after another.
//   node .ci/static-server.mjs --dir DIR [--port 0] [--log FILE] [--latency-ms N] [--mbit N]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    dir: { type: 'string' }, port: { type: 'string', default: '0' }, log: { type: 'string' },
    'latency-ms': { type: 'string', default: '0' }, mbit: { type: 'string', default: '0' },
  },
});
if (!opts.dir) {
  console.error('usage: node .ci/static-server.mjs --dir DIR [--port 0] [--log FILE] [--latency-ms N] [--mbit N]');
  process.exit(2);
}
const root = path.resolve(opts.dir);
const latency = Number(opts['latency-ms']);
const bytesPerMs = (Number(opts.mbit) * 1e6) / 8 / 1000;
const log = opts.log ? fs.createWriteStream(opts.log, { flags: 'a' }) : null;

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip', '.woff2': 'font/woff2',
};

/** The file a URL path names (a folder's index.html), or null outside the root. */
function fileFor(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const full = path.resolve(root, `.${decoded}`);
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  try {
    return fs.statSync(full).isDirectory() ? path.join(full, 'index.html') : full;
  } catch {
    return full;
  }
}

/** [start, end] (inclusive) of a single `bytes=` range over `size` bytes; null if none fits. */
function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start, end;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? [start, end] : null;
}

// When the shared link is free again (ms, performance.now()'s clock).
let linkFree = 0;

function send(res, status, headers, body, done) {
  const ready = performance.now() + latency;
  const start = Math.max(ready, linkFree);
  const finish = bytesPerMs > 0 ? start + body.length / bytesPerMs : start;
  linkFree = finish;
  const write = () => {
    res.writeHead(status, { ...headers, 'Content-Length': body.length });
    res.end(body);
    done();
  };
  const wait = finish - performance.now();
  if (wait > 0) setTimeout(write, wait);
  else write();
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const range = req.headers.range || null;
  const record = (status, bytes) => {
    if (log) log.write(`${JSON.stringify({ path: url.pathname, range, status, bytes })}\n`);
  };
  const file = req.method === 'GET' || req.method === 'HEAD' ? fileFor(url.pathname) : null;
  let body;
  try {
    body = file && fs.readFileSync(file);
  } catch {
    body = null;
  }
  if (!body) {
    const text = Buffer.from('not found\n');
    return send(res, 404, { 'Content-Type': 'text/plain' }, text, () => record(404, text.length));
  }
  const headers = {
    'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-cache',
  };
  if (range) {
    const span = parseRange(range, body.length);
    if (!span) {
      return send(res, 416, { 'Content-Range': `bytes */${body.length}` }, Buffer.alloc(0), () => record(416, 0));
    }
    const part = body.subarray(span[0], span[1] + 1);
    headers['Content-Range'] = `bytes ${span[0]}-${span[1]}/${body.length}`;
    return send(res, 206, headers, req.method === 'HEAD' ? Buffer.alloc(0) : part, () => record(206, part.length));
  }
  return send(res, 200, headers, req.method === 'HEAD' ? Buffer.alloc(0) : body, () => record(200, body.length));
});

server.listen(Number(opts.port), '127.0.0.1', () => {
  console.log(`serving http://127.0.0.1:${server.address().port}/`);
});
