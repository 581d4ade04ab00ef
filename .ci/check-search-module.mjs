// The search module (src/wasm/) against `plenary search --json`, request by request: for each
// built site, a reproducible set of mixed requests (.ci/search-queries.mjs) is answered by
// both, and the answers must be the same bytes (the JSON, or the message of a request the
// caller must fix). Prints the differences and the module's time per search in Node.
//   usage: node .ci/check-search-module.mjs --plenary BIN --module WASM --zh-dict DICT_TXT_GZ
//            [--count N] [--seed S] [--record FILE] [--native-only] [--first-pages] ROOT:PUBLIC...
// ROOT is a site's source (site.toml, content/), PUBLIC its built output. --record writes the
// native answers as JSON lines; --native-only asks only the CLI (with --record: to compare two
// builds of Plenary); --first-pages keeps page 1 only (for a Plenary without `--page`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

import { DONE, INVALID, NEEDS_ZH_DICT, SearchModule } from './search-module.mjs';
import { commonWords, makeRequests } from './search-queries.mjs';

const { values: options, positionals: sites } = parseArgs({
  allowPositionals: true,
  options: {
    plenary: { type: 'string' }, module: { type: 'string' }, 'zh-dict': { type: 'string' },
    count: { type: 'string', default: '1050' }, seed: { type: 'string', default: '2020' },
    record: { type: 'string' }, 'native-only': { type: 'boolean' }, 'first-pages': { type: 'boolean' },
  },
});
const nativeOnly = options['native-only'];
if (!options.plenary || (!nativeOnly && (!options.module || !options['zh-dict'])) || sites.length === 0) {
  console.error('usage: node .ci/check-search-module.mjs --plenary BIN --module WASM --zh-dict DICT_TXT_GZ [--count N] [--seed S] [--record FILE] [--native-only] [--first-pages] ROOT:PUBLIC...');
  process.exit(2);
}

// `plenary search` for a request: its standard output, or what it says on error.
function native(publicDir, request) {
  const args = ['search', '--site', publicDir, '--json', '--lang', request.lang, '--limit', String(request.per_page)];
  if (request.page !== 1) args.push('--page', String(request.page));
  for (const [facet, value] of request.filters) args.push('--filter', `${facet}=${value}`);
  args.push('--', request.q);
  return new Promise((resolve, reject) => {
    const child = spawn(options.plenary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [], err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8'), stderr = Buffer.concat(err).toString('utf8');
      resolve(code === 0 ? stdout : code === 2 ? stderr : `exit ${code}: ${stderr}`);
    });
  });
}

// Runs `task` over `items`, two at a time (the machines this runs on have two cores).
async function inTwos(items, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

// Facet values the site's pages have, by language (and `all`): from the CLI's own answers to
// the commonest words of each language.
async function facetsOf(root, publicDir, languages, defaultLanguage) {
  const facets = { all: {} };
  for (const lang of languages) {
    facets[lang] = {};
    for (const q of commonWords(path.join(root, 'content'), languages, defaultLanguage, lang, 3)) {
      const answer = await native(publicDir, { q, lang, filters: [], page: 1, per_page: 1 });
      let found;
      try { found = JSON.parse(answer).facets; } catch { continue; }
      for (const [facet, counts] of Object.entries(found)) {
        for (const into of [facets[lang], facets.all]) {
          into[facet] = [...new Set([...(into[facet] ?? []), ...Object.keys(counts)])].sort();
        }
      }
    }
  }
  return facets;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

// The module's answers to `requests`, compared with the CLI's `answers`: the index's files
// handed over whole, or (`lazily`) each language's read in parts through the module's
// `plenary.read`, as the page's worker reads a large language by range requests: each search
// from a first visit's cache (what the manifest says to fetch beforehand), the module reading
// ahead first as the worker has it do; the search itself must then want no block not fetched.
async function throughModule(publicDir, requests, answers, lazily) {
  const how = lazily ? 'read lazily' : 'whole files';
  let started = performance.now();
  const module = await SearchModule.load(options.module);
  const loaded = performance.now() - started;
  const bytes = module.addFolder(path.join(publicDir, '_search'), { lazily });
  if (lazily) module.useBlocks(path.join(publicDir, '_search'));
  // Whole files: the dictionary from the start. Lazily, as the page's worker has it: only when
  // the module asks (a query with Han characters), so that searches of the Chinese index
  // without them are answered by its small dictionary for such text (analysis.rs).
  if (!lazily) module.setZhDict(dictionary);
  started = performance.now();
  module.open();
  const opened = performance.now() - started;
  console.log(`  module (${how}): compiled and instantiated in ${loaded.toFixed(1)} ms; ${bytes} bytes of index opened in ${opened.toFixed(1)} ms`);

  let same = 0;
  const times = [];
  const differences = [];
  // Lazily: how many requests read ahead in 0, 1, 2 ... rounds; those whose search still
  // wanted blocks not read ahead.
  const rounds = [];
  const unread = [];
  // Lazily: the searches of the Chinese index answered before the dictionary was handed over,
  // and the request that asked for it.
  let withoutDictionary = 0;
  let dictionaryAt = null;
  // Lazily, the requests without Han characters first, so that the Chinese index is searched
  // without the dictionary as often as such requests allow.
  const hasHan = (r) => Number(/[\u2E80-\u9FFF\uF900-\uFAFF\u{20000}-\u{3FFFF}]/u.test(r.q.normalize('NFKC')));
  const order = [...requests.keys()];
  if (lazily) order.sort((a, b) => hasHan(requests[a]) - hasHan(requests[b]) || a - b);
  order.forEach((i) => {
    const request = requests[i];
    const { kind, ...fields } = request;
    const t = performance.now();
    if (lazily) {
      module.forgetBlocks();
      const fetchedBefore = module.reads.fetched;
      const round = module.readAhead(fields);
      rounds[round] = (rounds[round] || 0) + 1;
      if (module.reads.fetched !== fetchedBefore) throw new Error('read_ahead read past the blocks it was given');
    }
    const fetchedBefore = module.reads.fetched;
    let { code, text } = module.search(fields);
    if (code === NEEDS_ZH_DICT && lazily) {
      // As the worker does: the dictionary, then reading ahead again, then the search.
      module.setZhDict(dictionary);
      dictionaryAt = i;
      module.readAhead(fields);
      ({ code, text } = module.search(fields));
    }
    if (!module.dictionarySet && (fields.lang === 'all' || fields.lang.startsWith('zh'))) withoutDictionary++;
    times.push(performance.now() - t);
    if (module.reads.fetched !== fetchedBefore) unread.push(i);
    const got = code === DONE ? text : code === INVALID ? `error: ${text}\n` : `module code ${code}: ${text}`;
    if (got === answers[i]) same++;
    else differences.push({ i, kind, request: fields, native: answers[i], module: got });
  });
  for (const d of differences.slice(0, 10)) {
    console.log(`  DIFFERENT #${d.i} (${d.kind}) ${JSON.stringify(d.request)}`);
    const at = [...d.native].findIndex((c, k) => c !== d.module[k]);
    console.log(`    plenary: ${JSON.stringify(d.native.slice(Math.max(0, at - 80), at + 120))}`);
    console.log(`    module:  ${JSON.stringify(d.module.slice(Math.max(0, at - 80), at + 120))}`);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const reads = lazily ? `; ${module.reads.count} reads of ${module.reads.bytes} bytes through plenary.read` : '';
  console.log(`  ${same} of ${requests.length} answers identical (${how}); module per search: median ${percentile(times, 50).toFixed(2)} ms, mean ${mean.toFixed(2)} ms, 99th percentile ${percentile(times, 99).toFixed(2)} ms, slowest ${times.at(-1).toFixed(1)} ms${reads}`);
  if (lazily && module.reads.count === 0) {
    console.log('  FAIL: nothing was read through plenary.read');
    return { same: 0, times };
  }
  if (lazily) {
    const histogram = Array.from(rounds, (n, round) => `${n || 0} in ${round}`).join(', ');
    console.log(`  read ahead from a first visit's cache: requests by rounds of fetching: ${histogram}; searches that still wanted a block: ${unread.length}`);
    console.log(`  jieba's dictionary handed over at request ${dictionaryAt} (the first with Han characters in zh or all); ${withoutDictionary} searches of the Chinese index answered without it`);
    if (unread.length) {
      for (const i of unread.slice(0, 10)) console.log(`  NOT READ AHEAD #${i} ${JSON.stringify(requests[i])}`);
      console.log('  FAIL: a search read blocks that reading ahead had not');
      return { same: 0, times };
    }
  }
  return { same, times };
}

// Gzipped as the site ships it; the browser unzips it the same way before handing it over.
const dictionary = nativeOnly ? null : zlib.gunzipSync(fs.readFileSync(options['zh-dict']));
const record = options.record ? fs.createWriteStream(options.record) : null;
let failed = false;
const totals = { requests: 0, same: 0, times: [] };
for (const site of sites) {
  const [root, publicDir] = site.split(':');
  const languages = JSON.parse(fs.readFileSync(path.join(publicDir, '_search/meta.json'), 'utf8')).languages;
  const siteToml = fs.readFileSync(path.join(root, 'site.toml'), 'utf8');
  const defaultLanguage = siteToml.match(/^default_language\s*=\s*"([^"]*)"/m)?.[1] ?? 'en';
  const facets = await facetsOf(root, publicDir, languages, defaultLanguage);
  let requests = makeRequests({
    contentDir: path.join(root, 'content'), languages, defaultLanguage, facets,
    count: Number(options.count), seed: Number(options.seed),
  });
  if (options['first-pages']) requests = requests.filter((r) => r.page === 1);
  console.log(`${root}: ${requests.length} requests in ${[...languages, 'all'].join(', ')}`);

  let started = performance.now();
  const answers = await inTwos(requests, (request) => native(publicDir, request));
  console.log(`  plenary search: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (record) {
    requests.forEach((request, i) => record.write(JSON.stringify({ site: path.basename(root), i, request, answer: answers[i] }) + '\n'));
  }
  if (nativeOnly) continue;

  for (const lazily of [false, true]) {
    const { same, times } = await throughModule(publicDir, requests, answers, lazily);
    failed ||= same !== requests.length;
    totals.requests += requests.length;
    totals.same += same;
    totals.times.push(...times);
  }
  const answered = answers.filter((a) => a.startsWith('{')).length;
  const withHits = answers.filter((a) => /"hits": \[\n/.test(a)).length;
  console.log(`  of the CLI's answers: ${answered} results (${withHits} with hits), ${requests.length - answered} refused`);
}
if (record) await new Promise((resolve) => record.end(resolve));
if (!nativeOnly) {
  totals.times.sort((a, b) => a - b);
  console.log(`all sites: ${totals.same} of ${totals.requests} answers identical; median ${percentile(totals.times, 50).toFixed(2)} ms a search`);
}
process.exit(failed ? 1 : 0);
