// Search on a static host, timed in headless Chromium as a first-time visitor meets it: for each
// site, the search page opened in a fresh browser context (empty cache, no open connections)
// under throttled network conditions, the first query entered as soon as the page has loaded,
// then a second query in the same page. bench/static-search.sh builds and serves the sites.
//
//   node bench/static-search.mjs --config FILE [--rounds N] [--out FILE.jsonl]
//
// FILE is JSON: {profiles: [{name, latency_ms, mbit, rounds (at most; optional)}], sites: [{name, kind, url, dir, queries}]}
// kind: `plenary` (its /search/ page, the worker and the module) or `pagefind` (the page
// bench/static-search.sh writes into Hugo's output, using Pagefind's JS API); url: the search
// page; dir: the folder served (to read the fetched files' sizes compressed); queries: two.
// Rounds run every profile and site in turn, the sites' order reversed every other round, so
// that a slow spell of a shared machine falls on all of them alike.
//
// One JSON line per query measured goes to --out; the medians to stdout, as Markdown.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(path.join(here, '../.ci/node_modules/playwright-core/index.mjs'));

const WAIT_MS = 180000;
// Quiet this long with nothing in flight: the first query's downloads are over.
const SETTLE_MS = 500;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const { values: opts } = parseArgs({
  options: { config: { type: 'string' }, rounds: { type: 'string' }, out: { type: 'string' } },
});
if (!opts.config) {
  console.error('usage: node bench/static-search.mjs --config FILE [--rounds N] [--out FILE.jsonl]');
  process.exit(2);
}
const config = JSON.parse(fs.readFileSync(opts.config, 'utf8'));
const rounds = Number(opts.rounds || 3);

/** What a fetched file is: the search code (module and scripts, cached after a first visit),
 *  the rest of the search (index, manifest, fragments), or the page's own. */
function category(kind, pathname) {
  const name = pathname.split('/').pop();
  if (kind === 'plenary') {
    if (/^plenary-search\.[0-9a-f]+\.wasm(\.gz)?$/.test(name) || name === 'search-worker.js') return 'code';
    if (/^jieba-dict\./.test(name)) return 'dict';
    if (pathname.includes('/_search')) return 'index';
    return 'page';
  }
  if (pathname.includes('/pagefind/')) {
    if (/\.js$/.test(name) || /^wasm\..*\.pagefind$/.test(name)) return 'code';
    return 'index';
  }
  return 'page';
}

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

// Sizes of a served file compressed as a host could send it (brotli 11, gzip 9), by path.
const compressedCache = new Map();
function compressed(dir, pathname) {
  const file = path.join(dir, decodeURIComponent(pathname));
  if (!compressedCache.has(file)) {
    let sizes = null;
    try {
      const bytes = fs.readFileSync(file);
      sizes = {
        br: zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
        gz: zlib.gzipSync(bytes, { level: 9 }).length,
      };
    } catch (e) {
      sizes = null; // Not a file (a listing, a 404): counted as sent.
    }
    compressedCache.set(file, sizes);
  }
  return compressedCache.get(file);
}

// In the page before its scripts: when each input event on the search box came, and when the
// page first showed its answer for the box's value.
function probe([kind, firstQuery]) {
  const marks = { inputs: [], shown: {}, searched: {} };
  window.__bench = marks;
  document.addEventListener('focus', (e) => {
    if (e.target && e.target.id === 'search-q' && marks.focus === undefined) marks.focus = performance.timeOrigin + performance.now();
  }, true);
  document.addEventListener('input', (e) => {
    if (e.target && e.target.id === 'search-q') marks.inputs.push({ value: e.target.value, t: performance.timeOrigin + performance.now() });
  }, true);
  // When the worker is asked (Plenary): the end of the page's typing pause.
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message && message.type === 'search' && message.request && !(message.request.q in marks.searched)) {
      marks.searched[message.request.q] = performance.timeOrigin + performance.now();
    }
    return post.call(this, message, ...rest);
  };
  const answered = () => {
    if (kind === 'plenary') {
      const status = document.getElementById('search-status');
      const q = new URLSearchParams(location.search).get('q');
      if (!status || !status.textContent.trim() || q === null) return null;
      return { q, hits: document.querySelectorAll('.search-hit').length };
    }
    const list = document.getElementById('search-results');
    if (!list || list.dataset.q === undefined) return null;
    return { q: list.dataset.q, hits: list.querySelectorAll('.search-hit').length };
  };
  const watch = () => {
    new MutationObserver(() => {
      const a = answered();
      if (a && !(a.q in marks.shown)) marks.shown[a.q] = { t: performance.timeOrigin + performance.now(), hits: a.hits };
    }).observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
  };
  // The first query, typed the moment the page has loaded (before the page's own load
  // handlers), so that no engine starts ahead of the keystroke.
  window.addEventListener('load', () => {
    const box = document.getElementById('search-q');
    box.focus();
    box.value = firstQuery;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }, { once: true });
  if (document.documentElement) watch();
  else document.addEventListener('DOMContentLoaded', watch);
}

/** One visit: the page opened, query 1 as soon as it has loaded, query 2 once that is shown and
 *  the network is quiet. Returns one record per query. */
async function visit(browser, site, profile) {
  const context = await browser.newContext();
  await context.addInitScript(probe, [site.kind, site.queries[0]]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: profile.latency_ms,
    downloadThroughput: (profile.mbit * 1e6) / 8,
    uploadThroughput: (profile.mbit * 1e6) / 8,
  });
  // Every request of the page and its workers, with when the browser asked for it and when
  // the last byte came (epoch ms, the browser's clock, as the page's marks are).
  const requests = [];
  let inFlight = 0;
  let lastChange = Date.now();
  page.on('request', () => {
    inFlight++;
    lastChange = Date.now();
  });
  const finish = (r, failed) => {
    inFlight--;
    lastChange = Date.now();
    requests.push((async () => {
      const u = new URL(r.url());
      const response = failed ? null : await r.response();
      const sizes = failed ? null : await r.sizes().catch(() => null);
      const length = response ? Number(await response.headerValue('content-length')) : NaN;
      // The body as sent: Content-Length when the server gives one (python's always does; the
      // body Chromium reports for a worker's own script is 0), else what Chromium counted.
      const body = Number.isFinite(length) && length >= 0 ? length : (sizes ? sizes.responseBodySize : 0);
      const timing = r.timing();
      return {
        path: u.pathname + u.search,
        pathname: u.pathname,
        status: response ? response.status() : 0,
        body,
        headers: sizes ? sizes.responseHeadersSize : 0,
        encoding: response ? await response.headerValue('content-encoding') : null,
        category: category(site.kind, u.pathname),
        at: timing.startTime,
        end: timing.responseEnd >= 0 ? timing.startTime + timing.responseEnd : null,
      };
    })());
  };
  page.on('requestfinished', (r) => finish(r, false));
  page.on('requestfailed', (r) => finish(r, true));

  const box = page.locator('#search-q');
  const settle = async () => {
    const until = Date.now() + WAIT_MS;
    while (Date.now() < until) {
      if (inFlight <= 0 && Date.now() - lastChange >= SETTLE_MS) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${site.name}: the network was still busy after ${WAIT_MS} ms`);
  };
  const records = [];
  try {
    await page.goto(site.url, { waitUntil: 'load', timeout: WAIT_MS });
    const origin = await page.evaluate(() => performance.timeOrigin);
    const loadEnd = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
    for (const [i, query] of site.queries.entries()) {
      if (i > 0) await box.fill(query);
      await page.waitForFunction((q) => window.__bench.shown[q] !== undefined, query, { timeout: WAIT_MS, polling: 50 });
      await settle();
      const marks = await page.evaluate(() => window.__bench);
      const input = marks.inputs.filter((m) => m.value === query).pop();
      const shown = marks.shown[query];
      const all = await Promise.all(requests);
      // What this query asked for: the first, everything from the page's opening (a page may
      // start on focus); the second, from its keystroke; both, until the answer was shown.
      const mine = all.filter((f) => (i === 0 || f.at >= input.t - 1) && f.at <= shown.t);
      const search = mine.filter((f) => f.category !== 'page');
      records.push({
        site: site.name,
        kind: site.kind,
        profile: profile.name,
        query_index: i + 1,
        query,
        hits: shown.hits,
        keystroke_ms: shown.t - input.t,
        // From the end of the page's typing pause (the engine asked) to the answer shown.
        engine_ms: marks.searched[query] !== undefined ? shown.t - marks.searched[query] : null,
        open_ms: i === 0 ? shown.t - origin : null,
        typed_at: input.t,
        // The box's focus (autofocus, or the typing's) and the load event, from the keystroke.
        focus_ms: marks.focus !== undefined ? marks.focus - input.t : null,
        load_ms: i === 0 ? origin + loadEnd - input.t : null,
        files: search.map((f) => {
          const c = f.status === 200 ? compressed(site.dir, f.pathname) : null;
          return Object.assign(f, { br: c ? c.br : f.body, gz: c ? c.gz : f.body });
        }),
        page_files: mine.length - search.length,
        after_answer: all.filter((f) => f.at > shown.t).length,
      });
    }
  } finally {
    await context.close();
  }
  return records;
}

function sum(files, key, filter = () => true) {
  return files.filter(filter).reduce((s, f) => s + f[key], 0);
}

const kib = (b) => (b / 1024).toFixed(0);
const code = (r) => r.files.filter((f) => f.category === 'code');
const bytes = (r) => sum(r.files, 'body') + sum(r.files, 'headers');
const codeBytes = (r) => sum(code(r), 'body') + sum(code(r), 'headers');
const restBytes = (r) => bytes(r) - codeBytes(r);
const restBrotli = (r) => sum(r.files, 'br', (f) => f.category !== 'code') + sum(r.files, 'headers', (f) => f.category !== 'code');

function groupBy(records, key) {
  const groups = new Map();
  for (const r of records) {
    const k = key(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  return groups;
}

/** The visit whose time is the median's (the lower middle one). */
function middle(rs) {
  const sorted = [...rs].sort((a, b) => a.keystroke_ms - b.keystroke_ms);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function summarize(records) {
  const lines = [];
  for (const [profile, byProfile] of groupBy(records, (r) => r.profile)) {
    lines.push(`#### ${profile}`, '');
    lines.push('| site | query | hits | keystroke to results, ms (min-max) | after the typing pause, ms | requests (code) | KiB sent | KiB code | KiB without code | the same, brotli |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    const medians = new Map();
    for (const [key, rs] of groupBy(byProfile, (r) => `${r.site}\t${r.query_index}`)) {
      const [site, q] = key.split('\t');
      const times = rs.map((r) => r.keystroke_ms);
      const m = {
        ms: median(times), engine: median(rs.map((r) => r.engine_ms)), requests: median(rs.map((r) => r.files.length)),
        codeRequests: median(rs.map((r) => code(r).length)), bytes: median(rs.map(bytes)),
        code: median(rs.map(codeBytes)), rest: median(rs.map(restBytes)), restBr: median(rs.map(restBrotli)),
      };
      medians.set(key, m);
      lines.push(`| ${site} | ${q}: "${rs[0].query}" | ${rs[0].hits} | ${m.ms.toFixed(0)} (${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)}) | ${m.engine.toFixed(0)} | ${m.requests} (${m.codeRequests}) | ${kib(m.bytes)} | ${kib(m.code)} | ${kib(m.rest)} | ${kib(m.restBr)} |`);
    }
    lines.push('');
    // Plenary against Pagefind on the same pages.
    const sites = [...new Set(byProfile.map((r) => `${r.kind}\t${r.site}`))];
    const pagefind = sites.find((s) => s.startsWith('pagefind\t'));
    if (pagefind) {
      const pf = pagefind.split('\t')[1];
      const works = pf.replace(/^Pagefind, /, '');
      const pl = `Plenary, ${works}`;
      for (const q of ['1', '2']) {
        const a = medians.get(`${pl}\t${q}`), b = medians.get(`${pf}\t${q}`);
        if (!a || !b) continue;
        lines.push(`- query ${q}, Plenary / Pagefind (${works}): time ${(a.ms / b.ms).toFixed(2)}x, bytes ${(a.bytes / b.bytes).toFixed(2)}x, bytes without code ${(a.rest / b.rest).toFixed(2)}x, requests ${(a.requests / b.requests).toFixed(2)}x`);
      }
      const a1 = medians.get(`${pl}\t1`), a2 = medians.get(`${pl}\t2`), b1 = medians.get(`${pf}\t1`);
      if (a1 && a2 && b1) {
        const yes = (ok) => (ok ? 'yes' : 'no');
        lines.push(`- targets (${works}): first results within 1.0 s: ${yes(a1.ms <= 1000)} (${a1.ms.toFixed(0)} ms); second query within 200 ms: ${yes(a2.ms <= 200)} (${a2.ms.toFixed(0)} ms, ${a2.engine.toFixed(0)} after the pause); first query's bytes without code at most Pagefind's: ${yes(a1.rest <= b1.rest)} (${kib(a1.rest)} against ${kib(b1.rest)} KiB)`);
      }
      lines.push('');
    }
  }
  // Where a first query's time and bytes go: the median visit of each site on the first profile.
  const first = records[0] && records[0].profile;
  lines.push(`#### What the first query fetched (${first}, the median visit; ms from the keystroke)`, '');
  for (const [site, rs] of groupBy(records.filter((r) => r.profile === first && r.query_index === 1), (r) => r.site)) {
    const r = middle(rs);
    lines.push(`${site}, round ${r.round}: ${r.keystroke_ms.toFixed(0)} ms, ${r.files.length} requests`, '');
    lines.push('| file | status | KiB | brotli KiB | asked at | done at |', '|---|---:|---:|---:|---:|---:|');
    for (const f of r.files) {
      lines.push(`| \`${f.path.length > 70 ? `${f.path.slice(0, 67)}...` : f.path}\` (${f.category}) | ${f.status} | ${kib(f.body)} | ${kib(f.br)} | ${(f.at - r.typed_at).toFixed(0)} | ${f.end === null ? '-' : (f.end - r.typed_at).toFixed(0)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  console.error(`static-search: Chromium ${browser.version()}`);
  const out = opts.out ? fs.openSync(opts.out, 'a') : null;
  const records = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const profile of config.profiles) {
        if (profile.rounds && round > profile.rounds) continue;
        const sites = round % 2 ? config.sites : [...config.sites].reverse();
        for (const site of sites) {
          const rs = await visit(browser, site, profile);
          for (const r of rs) {
            r.round = round;
            records.push(r);
            if (out !== null) fs.writeSync(out, `${JSON.stringify(r)}\n`);
            console.error(`round ${round} ${profile.name} ${site.name} q${r.query_index} "${r.query}": ${r.hits} hits, ${r.keystroke_ms.toFixed(0)} ms, ${r.files.length} requests, ${(sum(r.files, 'body') / 1024).toFixed(0)} KiB`);
          }
        }
      }
    }
  } finally {
    await browser.close();
  }
  console.log(summarize(records));
}

await main();
