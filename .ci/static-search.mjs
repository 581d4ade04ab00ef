// The search page of a built site served by a plain static server (no Plenary process), in
// headless Chromium: the page searches in its worker with the WebAssembly module, and must
// show what `plenary search --json` answers for the same query (the same pages, in the same
// order), in English, Arabic (right to left), Chinese and all languages, with facets, paging
// and the keyboard, at 320, 390 and 1280 px. .ci/check-static-search builds the sites and serves them.
//
//   node .ci/static-search.mjs --base http://127.0.0.1:PORT/[PATH/] --plenary BIN --site DIR
//     [--shots DIR] [--ranges-log FILE]
// --base: where the site is served (its path, if any, is the site's); --site: the built site
// the CLI searches; --shots: screenshots of the results at both widths are written there;
// --ranges-log: the request log of .ci/static-server.mjs serving the site, whose languages
// the manifest says to read in parts: a last check sees that they were, by range requests.
//
// Exit: 0 every check passed, 1 a check failed, 2 the checker itself failed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { expect, launchChromium, runChecks, watchContext } from './browser.mjs';

const WAIT_MS = 20000;

// [page, language to pick (null: the page's own), query]: words the bundled content/ holds.
const QUERIES = [
  ['search/', null, 'cybersecurity'],
  ['search/', null, 'gender and access'],
  ['search/', null, 'cyber'],
  ['search/', 'all', 'internet'],
  ['search/', 'fr', 'gouvernance'],
  ['ar/search/', null, 'الإنترنت'],
  ['ar/search/', null, 'منتدى'],
  ['zh/search/', null, '互联网'],
  ['zh/search/', null, '网络安全'],
  ['zh/search/', 'all', '治理'],
];

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' }, plenary: { type: 'string' }, site: { type: 'string' },
    shots: { type: 'string' }, 'ranges-log': { type: 'string' },
  },
});
if (!opts.base || !opts.plenary || !opts.site) {
  console.error('usage: node .ci/static-search.mjs --base URL --plenary BIN --site DIR [--shots DIR]');
  process.exit(2);
}
const base = new URL(opts.base.endsWith('/') ? opts.base : `${opts.base}/`);
// The path the site is under, as its pages write it before every URL (`/igf`, or '').
const basePath = base.pathname.replace(/\/$/, '');


/** What the CLI answers: {total, hits: [{url, title}]}. */
function cli(lang, query, { filters = [], limit = 10 } = {}) {
  const args = ['search', '--site', opts.site, '--json', '--lang', lang, '--limit', String(limit)];
  for (const [facet, value] of filters) args.push('--filter', `${facet}=${value}`);
  args.push('--', query);
  return JSON.parse(execFileSync(opts.plenary, args, { encoding: 'utf8' }));
}

/** The hits the page shows, as the CLI gives them (URLs from the site's root). */
function shown(page) {
  return page.evaluate((prefix) => Array.from(document.querySelectorAll('.search-hit')).map((li) => {
    const a = li.querySelector('.search-hit-title a');
    const href = a.getAttribute('href');
    return { url: href.startsWith(prefix) ? href.slice(prefix.length) : `(outside ${prefix}) ${href}`, title: a.textContent };
  }), basePath);
}

function same(expected, got) {
  const want = expected.map((h) => `${h.url} ${h.title}`);
  const have = got.map((h) => `${h.url} ${h.title}`);
  return want.length === have.length && want.every((line, i) => line === have[i]);
}

function difference(expected, got) {
  return `expected ${expected.length} hits [${expected.map((h) => h.url).join(' ')}], `
    + `the page shows ${got.length} [${got.map((h) => h.url).join(' ')}]`;
}

/** Waits until the page has searched `query` (its URL says so) and shows a count. */
async function waitForSearch(page, query) {
  await page.waitForFunction((q) => {
    const status = document.querySelector('#search-status');
    const error = document.querySelector('#search-error');
    if (error && error.textContent.trim()) return true;
    return new URLSearchParams(location.search).get('q') === q && status && status.textContent.trim() !== '';
  }, query, { timeout: WAIT_MS });
  const error = await page.textContent('#search-error');
  expect(!error.trim(), `searching "${query}" shows the error "${error.trim()}"`);
}

async function type(page, query) {
  const box = page.locator('#search-q');
  await box.click();
  await box.fill('');
  await box.pressSequentially(query, { delay: 20 });
}

async function openSearch(context, path, width) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('worker', (w) => w.on('console', () => {}));
  await page.goto(new URL(path, base).href);
  return { page, requests };
}

// ---- The checks.

async function queries(context) {
  const done = [];
  for (const [path, lang, query] of QUERIES) {
    const { page, requests } = await openSearch(context, path, 1280);
    try {
      const pageLang = await page.getAttribute('html', 'lang');
      const searched = lang || pageLang;
      if (lang) await page.selectOption('#search-lang', lang);
      await type(page, query);
      await waitForSearch(page, query);
      const expected = cli(searched, query);
      const got = await shown(page);
      expect(same(expected.hits, got), `${path} "${query}" (${searched}): ${difference(expected.hits, got)}`);
      // The API is asked once at most (to learn it does not answer); no page reload.
      const api = requests.filter((p) => p === `${basePath}/_search`).length;
      expect(api <= 1, `${path}: the page asked ${basePath}/_search ${api} times`);
      const dictionary = requests.some((p) => /jieba-dict\.[0-9a-f]+\.txt\.gz$/.test(p));
      // Fetched for a search in Chinese, and for `all` only when the query has Han characters:
      // Chinese text without them is segmented without it.
      const han = /[\u2E80-\u9FFF\uF900-\uFAFF]/u.test(query);
      const chinese = searched === 'zh' || (searched === 'all' && han);
      expect(dictionary === chinese,
        `${path} "${query}" (${searched}): jieba's dictionary was ${dictionary ? '' : 'not '}fetched`);
      done.push(`${searched} "${query}" ${expected.hits.length}/${expected.total}`);
    } finally {
      await page.close();
    }
  }
  return `the same hits as the CLI for ${done.join(', ')}`;
}

async function nothingBeforeSearching(context) {
  // A page other than the search page loads nothing of the search.
  const { page, requests } = await openSearch(context, '', 1280);
  await page.waitForLoadState('load');
  await page.close();
  const early = requests.filter((p) => p.includes('/_search') || p.endsWith('search-worker.js'));
  expect(early.length === 0, `the home page fetched ${early.join(' ')}`);
  return 'the home page fetches nothing of the search';
}

async function facetsPagingKeyboard(context) {
  const query = 'internet';
  const { page } = await openSearch(context, 'search/', 1280);
  try {
    await type(page, query);
    await waitForSearch(page, query);
    // Paging: the second page holds the CLI's 11th to 20th hits.
    const twenty = cli('en', query, { limit: 20 });
    expect(twenty.total > 10, `"${query}" has ${twenty.total} hits: no second page to check`);
    await page.click('.pagination a[rel=next]');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('page') === '2', null, { timeout: WAIT_MS });
    await page.waitForFunction(() => document.activeElement && document.activeElement.closest('.search-hit'), null, { timeout: WAIT_MS });
    const second = await shown(page);
    expect(same(twenty.hits.slice(10), second), `page 2: ${difference(twenty.hits.slice(10), second)}`);
    // A facet: the first value of the first facet.
    await page.click('.pagination a[rel=prev]');
    await page.waitForFunction(() => !new URLSearchParams(location.search).get('page'), null, { timeout: WAIT_MS });
    const link = page.locator('#search-facet-list a[data-facet]').first();
    const facet = await link.getAttribute('data-facet');
    const value = await link.getAttribute('data-value');
    await link.click();
    await page.waitForFunction(([f, v]) => new URLSearchParams(location.search).get(f) === v, [facet, value], { timeout: WAIT_MS });
    await page.waitForSelector('#search-facet-list a[aria-current=true]', { timeout: WAIT_MS });
    const filtered = cli('en', query, { filters: [[facet, value]] });
    const got = await shown(page);
    expect(same(filtered.hits, got), `${facet}=${value}: ${difference(filtered.hits, got)}`);
    // The keyboard: `/` to the box, arrow down to the first result, Escape clears.
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement.id === 'search-q'), '`/` did not focus the box');
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => document.activeElement.closest('.search-hit') !== null);
    expect(first, 'arrow down from the box did not reach the first result');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelectorAll('.search-hit').length === 0, null, { timeout: WAIT_MS });
    return `page 2 and ${facet}=${value} as the CLI; /, arrows and Escape work`;
  } finally {
    await page.close();
  }
}

async function widths(context) {
  const done = [];
  for (const [path, query] of [['search/', 'internet governance'], ['ar/search/', 'الإنترنت']]) {
    for (const width of [320, 390, 1280]) {
      const { page } = await openSearch(context, path, width);
      try {
        await type(page, query);
        await waitForSearch(page, query);
        const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
        expect(fits, `${path} at ${width} px is wider than the window`);
        const dir = await page.evaluate(() => getComputedStyle(document.querySelector('.search-hit')).direction);
        expect(dir === (path.startsWith('ar/') ? 'rtl' : 'ltr'), `${path}: the hits read ${dir}`);
        if (opts.shots) {
          const name = `${opts.shots}/${path.startsWith('ar/') ? 'ar' : 'en'}-${width}${basePath ? '-subpath' : ''}.png`;
          // At 320 and 390 px the results are below the form: the whole page.
          await page.screenshot({ path: name, fullPage: width < 600 });
        }
        done.push(`${path} ${width}`);
      } finally {
        await page.close();
      }
    }
  }
  return `fits and reads in its direction: ${done.join(', ')}`;
}

async function fromTheHeader(context) {
  // The header's box on the French home leads to the French search page, which searches.
  const { page } = await openSearch(context, 'fr/', 1280);
  try {
    await page.fill('#header-search-q', 'gouvernance');
    await Promise.all([page.waitForURL(/\/fr\/search\/\?q=gouvernance/), page.press('#header-search-q', 'Enter')]);
    await waitForSearch(page, 'gouvernance');
    const expected = cli('fr', 'gouvernance');
    const got = await shown(page);
    expect(same(expected.hits, got), `from the header: ${difference(expected.hits, got)}`);
    return `the French header box leads to ${expected.hits.length} results, as the CLI's`;
  } finally {
    await page.close();
  }
}

// The worker's block (search-worker.js): a file no larger is fetched whole.
const BLOCK = 4 * 1024;

const unforeseen = [];

async function readInParts() {
  const manifest = JSON.parse(fs.readFileSync(path.join(opts.site, '_search/browser.json'), 'utf8'));
  const inParts = Object.entries(manifest.languages).filter(([, l]) => l.bytes > manifest.range_reads_above);
  expect(inParts.length > 0, `no language is read in parts (range_reads_above ${manifest.range_reads_above})`);
  // The files a search may read in parts: neither fetched whole before the first search nor small.
  const partial = new Set();
  for (const [, language] of inParts) {
    for (const file of language.files) {
      if (!(file.prefetch >= file.size) && file.size > BLOCK) partial.add(`${basePath}/_search/${file.path}`);
    }
  }
  const log = fs.readFileSync(opts['ranges-log'], 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const index = log.filter((r) => partial.has(r.path));
  const whole = index.filter((r) => r.status !== 206);
  expect(whole.length === 0, `fetched whole: ${whole.map((r) => `${r.path} ${r.status}`).join(', ')}`);
  const ranges = log.filter((r) => r.status === 206);
  expect(index.length > 0, 'no file was read in parts');
  const bytes = ranges.reduce((sum, r) => sum + r.bytes, 0);
  const size = [...partial].reduce((sum, p) => sum + inParts.flatMap(([, l]) => l.files)
    .find((f) => `${basePath}/_search/${f.path}` === p).size, 0);
  // Every read a search made was read ahead, and fetched with the others of its round.
  expect(unforeseen.length === 0, `read one at a time: ${unforeseen.slice(0, 10).join(', ')}`);
  return `${inParts.map(([code]) => code).join(', ')} read in parts: ${ranges.length} range requests `
    + `(${bytes} bytes, over every page opened) for ${partial.size} files of ${size} bytes; none fetched `
    + 'whole, none read one at a time';
}

async function main() {
  const browser = await launchChromium('static-search');
  if (!browser) return 2;
  console.log(`static-search: Chromium ${browser.version()} against ${base.href}`);
  const context = await browser.newContext();
  const watched = await watchContext(context, base.host);
  // The worker's synchronous range requests (XMLHttpRequest): a read of the module's that
  // reading ahead did not foresee.
  context.on('request', (r) => {
    if (r.resourceType() === 'xhr' && new URL(r.url()).pathname.includes('/_search/')) unforeseen.push(r.url());
  });
  const checks = [
    ['1 nothing before searching', () => nothingBeforeSearching(context)],
    ['2 the CLI\'s answers', () => queries(context)],
    ['3 paging, facets, keyboard', () => facetsPagingKeyboard(context)],
    ['4 from the header', () => fromTheHeader(context)],
    ['5 320, 390 and 1280 px', () => widths(context)],
  ];
  if (opts['ranges-log']) checks.push(['6 read in parts', () => readInParts()]);
  return runChecks('static-search', checks, watched, browser);
}

process.exit(await main());
