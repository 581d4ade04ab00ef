// Drives the search page of a running `plenary serve` in headless Chromium, as readers use it:
// with scripts (live results, facets, keyboard), right to left, without scripts, and with the
// API gone (the form falls back to plain submission). .ci/check-search starts the server.
//
//   node .ci/search.mjs --base http://127.0.0.1:PORT
//
// Exit: 0 every check passed, 1 a check failed, 2 the checker itself failed (browser would
// not start, the server never answered, bad arguments).
import { expect, launchChromium, runChecks, watchContext } from './browser.mjs';

const WAIT_MS = 10000;
// Words the bundled content/ holds: "gender" in English pages (BPF Gender and Access, DC on
// Gender), "gouvernance" only in French ones, "الإنترنت" in the Arabic translations,
// "internet" on more pages than one page of results holds.
const ENGLISH_WORD = 'gender';
const FRENCH_WORD = 'gouvernance';
const ARABIC_WORD = 'الإنترنت';
const COMMON_WORD = 'internet';

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--base') {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      opts.base = argv[++i];
    } else {
      throw new Error(`unknown argument ${a}`);
    }
  }
  if (!opts.base) throw new Error('--base is required');
  return opts;
}


/** The number a result count message starts with ("1,234 results" -> 1234), or null. */
function countIn(text) {
  const m = /\d[\d,.\u00a0\u202f ]*/.exec(text || '');
  return m ? Number(m[0].replace(/\D/g, '')) : null;
}

async function waitForServer(base) {
  const deadline = Date.now() + 30000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(new URL('/search/', base));
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer /search/ within 30 s (${last})`);
}

/** Everything about the results that the checks read, in one round trip. */
function snapshot(page) {
  return page.evaluate(() => {
    const q = (s) => document.querySelector(s);
    return {
      url: location.pathname + location.search,
      status: (q('#search-status') || {}).textContent || '',
      error: (q('#search-error') || {}).textContent || '',
      hits: Array.from(document.querySelectorAll('.search-hit')).map((li) => ({
        lang: li.getAttribute('lang'),
        dir: li.getAttribute('dir'),
        computedDir: getComputedStyle(li).direction,
        href: (li.querySelector('.search-hit-title a') || {}).getAttribute?.('href') ?? null,
        marks: li.querySelectorAll('.search-hit-excerpt mark').length,
        translations: Array.from(li.querySelectorAll('.search-hit-translations a')).map((a) => ({
          lang: a.getAttribute('lang'), hreflang: a.getAttribute('hreflang'),
        })),
      })),
      facets: Array.from(document.querySelectorAll('#search-facet-list a[data-facet]')).map((a) => ({
        facet: a.dataset.facet,
        value: a.dataset.value,
        count: Number((a.querySelector('.search-facet-count') || {}).textContent),
        selected: a.getAttribute('aria-current') === 'true',
      })),
      active: document.activeElement ? {
        id: document.activeElement.id,
        tag: document.activeElement.tagName.toLowerCase(),
        hitLink: !!document.activeElement.closest('.search-hit-title'),
        href: document.activeElement.getAttribute('href'),
        facet: document.activeElement.dataset ? document.activeElement.dataset.facet : undefined,
      } : null,
      box: (q('#search-q') || {}).value,
      searched: (q('#search-form') || { dataset: {} }).dataset.searched,
      htmlLang: document.documentElement.lang,
      htmlDir: document.documentElement.dir,
      reloaded: !window.__searchCheckMarker,
    };
  });
}

/** Marks the document, so that a later snapshot tells whether the page was reloaded. */
function mark(page) {
  return page.evaluate(() => { window.__searchCheckMarker = true; });
}

/** Waits until the status line differs from `before` and holds a result count. */
async function waitForStatusChange(page, before) {
  await page.waitForFunction((prev) => {
    const s = document.querySelector('#search-status');
    return s && s.textContent.trim() !== '' && s.textContent !== prev;
  }, before, { timeout: WAIT_MS });
}

async function typeQuery(page, text) {
  const box = page.locator('#search-q');
  await box.click();
  await box.fill('');
  await box.pressSequentially(text, { delay: 30 });
}

// ---- The checks. Each gets a fresh page and the base URL; it throws CheckFailed.

async function liveResults(context, base) {
  const page = await context.newPage();
  await page.goto(new URL('/search/', base).href);
  const s0 = await snapshot(page);
  expect(s0.htmlLang === 'en', `/search/ is <html lang="${s0.htmlLang}">, expected en`);
  expect(s0.hits.length === 0 && s0.status === '', '/search/ without a query already shows results');
  const live = await page.getAttribute('#search-status', 'aria-live');
  expect(live === 'polite', `#search-status has aria-live="${live}", expected polite`);
  await mark(page);
  await typeQuery(page, ENGLISH_WORD);
  await page.waitForSelector('.search-hit', { timeout: WAIT_MS });
  await page.waitForFunction(() => /[?&]q=gender(&|$)/.test(location.search), null, { timeout: WAIT_MS });
  const s = await snapshot(page);
  expect(!s.reloaded, 'the page reloaded: results did not come from the script');
  expect(s.box === ENGLISH_WORD, `the box holds "${s.box}" after typing`);
  expect(/gender/.test(s.status), `the status "${s.status}" does not name the query`);
  expect(s.hits.some((h) => h.marks > 0), `no excerpt of the ${s.hits.length} hits has a <mark>`);
  expect(s.facets.length > 0, 'no facet values shown with the results');
  return `typing "${ENGLISH_WORD}" (no Enter) shows ${s.hits.length} hits without a reload; `
    + `status "${s.status}"; excerpts with <mark>: ${s.hits.filter((h) => h.marks).length}; URL ${s.url}`;
}

async function facetToggles(context, base) {
  const page = await context.newPage();
  await page.goto(new URL(`/search/?q=${COMMON_WORD}&lang=en`, base).href);
  await mark(page);
  const s0 = await snapshot(page);
  const total = countIn(s0.status);
  expect(total !== null && total > 1, `the status "${s0.status}" has no count above 1`);
  const pick = s0.facets.find((f) => !f.selected && f.count >= 2 && f.count < total)
    || s0.facets.find((f) => !f.selected && f.count < total);
  expect(pick, `no facet value narrows the ${total} results: ${JSON.stringify(s0.facets)}`);
  const link = page.locator(`#search-facet-list a[data-facet="${pick.facet}"][data-value="${pick.value}"]`);
  await link.click();
  await waitForStatusChange(page, s0.status);
  await page.waitForFunction(([f, v]) => new URLSearchParams(location.search).get(f) === v,
    [pick.facet, pick.value], { timeout: WAIT_MS });
  const s1 = await snapshot(page);
  expect(!s1.reloaded, 'clicking a facet reloaded the page');
  const narrowed = countIn(s1.status) ?? s1.hits.length;
  expect(narrowed === pick.count, `after ${pick.facet}=${pick.value} the status says "${s1.status}", `
    + `the facet said ${pick.count}`);
  const chosen = s1.facets.find((f) => f.facet === pick.facet && f.value === pick.value);
  expect(chosen && chosen.selected, `${pick.facet}=${pick.value} is not marked aria-current after the click`);
  expect(s1.active && s1.active.facet === pick.facet, 'focus did not stay on the facet that was clicked');
  const hidden = await page.locator(`#search-form input[type=hidden][name="${pick.facet}"]`).getAttribute('value');
  expect(hidden === pick.value, `the form carries no hidden ${pick.facet}=${pick.value} for a plain submit`);
  // Once more removes the filter.
  await page.locator(`#search-facet-list a[data-facet="${pick.facet}"][data-value="${pick.value}"]`).click();
  await waitForStatusChange(page, s1.status);
  const s2 = await snapshot(page);
  expect(countIn(s2.status) === total, `removing the filter gives "${s2.status}", expected ${total} results`);
  expect(!new URLSearchParams(s2.url.split('?')[1] || '').has(pick.facet), `the URL ${s2.url} still has the filter`);
  return `"${COMMON_WORD}": ${total} results; facet ${pick.facet}=${pick.value} -> ${narrowed} `
    + `(URL ${s1.url}), clicked again -> ${total}; no reload`;
}

async function keyboard(context, base) {
  const page = await context.newPage();
  await page.goto(new URL(`/search/?q=${COMMON_WORD}&lang=en`, base).href);
  await page.waitForSelector('.search-hit');
  const visible = await page.isVisible('#search-keys');
  expect(visible, 'the keyboard hint is not shown with scripts on');
  // Away from the box: focus on the page itself, as after a click on text.
  await page.locator('h1').click();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const before = await page.inputValue('#search-q');
  await page.keyboard.press('/');
  let s = await snapshot(page);
  expect(s.active && s.active.id === 'search-q', `after "/" focus is on <${s.active && s.active.tag}> #${s.active && s.active.id}`);
  expect(s.box === before, `"/" was typed into the box ("${s.box}")`);
  await page.keyboard.press('ArrowDown');
  s = await snapshot(page);
  const firstHref = s.hits[0] && s.hits[0].href;
  expect(s.active && s.active.hitLink && s.active.href === firstHref,
    `ArrowDown from the box focused ${JSON.stringify(s.active)}, not the first result link ${firstHref}`);
  await page.keyboard.press('ArrowDown');
  s = await snapshot(page);
  expect(s.active && s.active.hitLink && s.active.href === s.hits[1].href, 'a second ArrowDown did not reach the second result');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  s = await snapshot(page);
  expect(s.active && s.active.id === 'search-q', 'ArrowUp from the first result did not return to the box');
  // "/" inside the box is a character, not the shortcut.
  await page.keyboard.press('End');
  await page.keyboard.press('/');
  s = await snapshot(page);
  expect(s.box === `${before}/`, `"/" typed in the box gave "${s.box}"`);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelectorAll('.search-hit').length === 0, null, { timeout: WAIT_MS });
  s = await snapshot(page);
  expect(s.box === '' && s.status.trim() === '', `Escape left "${s.box}" in the box and status "${s.status}"`);
  return '"/" from the page focuses the box (and types "/" inside it), ArrowDown/ArrowUp move '
    + 'between the box and the result links, Escape clears the box and the results';
}

async function rightToLeft(context, base) {
  const page = await context.newPage();
  await page.goto(new URL('/ar/search/', base).href);
  let s = await snapshot(page);
  expect(s.htmlLang === 'ar' && s.htmlDir === 'rtl', `/ar/search/ is <html lang="${s.htmlLang}" dir="${s.htmlDir}">`);
  const selected = await page.inputValue('#search-lang');
  expect(selected === 'ar', `the language select starts at "${selected}", expected ar`);
  await typeQuery(page, ARABIC_WORD);
  await page.waitForSelector('.search-hit', { timeout: WAIT_MS });
  s = await snapshot(page);
  expect(s.hits.every((h) => h.lang === 'ar' && h.dir === 'rtl' && h.computedDir === 'rtl'),
    `Arabic hits without lang="ar" dir="rtl": ${JSON.stringify(s.hits.map((h) => [h.lang, h.dir, h.computedDir]))}`);
  expect(s.hits.some((h) => h.marks > 0), 'no Arabic excerpt has a <mark>');
  const arCount = s.hits.length;
  // A French page found from the Arabic page keeps its own language and direction.
  await page.selectOption('#search-lang', 'all');
  await typeQuery(page, FRENCH_WORD);
  await page.waitForSelector('.search-hit[lang="fr"]', { timeout: WAIT_MS });
  s = await snapshot(page);
  const fr = s.hits.filter((h) => h.lang === 'fr');
  expect(fr.every((h) => h.dir === 'ltr' && h.computedDir === 'ltr'),
    `French hits on the Arabic page are not dir="ltr": ${JSON.stringify(fr)}`);
  const metaDir = await page.evaluate(() => getComputedStyle(document.querySelector('.search-hit .search-hit-meta')).direction);
  expect(metaDir === 'rtl', `the interface line of a French hit is laid out ${metaDir}, expected rtl`);
  expect(/[?&]lang=all(&|$)/.test(s.url), `the URL ${s.url} does not say lang=all`);
  return `<html lang="ar" dir="rtl">; "${ARABIC_WORD}" -> ${arCount} hits, all lang="ar" dir="rtl" `
    + `with <mark>; "${FRENCH_WORD}" in all languages -> ${fr.length} French hits with dir="ltr" `
    + 'and their metadata right to left';
}

async function withoutScripts(browser, base) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    // The header form of an ordinary page goes to its language's search page.
    await page.goto(new URL('/fr/', base).href);
    const action = await page.getAttribute('form.header-search', 'action');
    expect(action === '/fr/search/', `the header search form of /fr/ goes to ${action}`);
    await page.fill('#header-search-q', FRENCH_WORD);
    await Promise.all([page.waitForURL(/\/fr\/search\/\?q=/), page.press('#header-search-q', 'Enter')]);
    let s = await snapshot(page);
    expect(s.searched === 'true' && s.hits.length > 0, `the header form led to ${s.url} with ${s.hits.length} hits`);
    // The page's own form, submitted with the button.
    await page.fill('#search-q', COMMON_WORD);
    await page.selectOption('#search-lang', 'en');
    await Promise.all([page.waitForURL(/[?&]q=internet/), page.click('#search-form button[type=submit]')]);
    s = await snapshot(page);
    const total = countIn(s.status);
    expect(s.searched === 'true' && s.hits.length > 0 && total > 0,
      `submitting the form without scripts gave ${s.hits.length} hits, status "${s.status}"`);
    expect(/[?&]lang=en(&|$)/.test(s.url), `the submitted URL ${s.url} has no lang=en`);
    expect(s.hits.some((h) => h.marks > 0), 'no server-rendered excerpt has a <mark>');
    const translated = s.hits.flatMap((h) => h.translations);
    expect(translated.every((t) => t.lang && t.lang === t.hreflang),
      `translation links without matching lang/hreflang: ${JSON.stringify(translated)}`);
    // Facets and pagination are plain links.
    const pick = s.facets.find((f) => f.count < total);
    expect(pick, 'no facet link to follow without scripts');
    await Promise.all([page.waitForURL((u) => u.searchParams.get(pick.facet) === pick.value),
      page.click(`#search-facet-list a[data-facet="${pick.facet}"][data-value="${pick.value}"]`)]);
    const s2 = await snapshot(page);
    expect((countIn(s2.status) ?? s2.hits.length) === pick.count, `following ${pick.facet}=${pick.value} gave "${s2.status}"`);
    await page.goBack();
    const next = page.locator('.pagination a[rel=next]');
    let paged = 'one page of results';
    if (total > 10) {
      expect(await next.count() === 1, `${total} results but no link to the next page`);
      await Promise.all([page.waitForURL(/[?&]page=2/), next.click()]);
      const s3 = await snapshot(page);
      expect(s3.hits.length > 0, 'page 2 without scripts has no hits');
      paged = `page 2 has ${s3.hits.length} hits`;
    }
    return `header form on /fr/ -> /fr/search/ with ${FRENCH_WORD} hits; form submit "${COMMON_WORD}" -> `
      + `${s.hits.length} server-rendered hits ("${s.status}"); facet link ${pick.facet}=${pick.value} -> `
      + `${pick.count}; ${paged}`;
  } finally {
    await context.close();
  }
}

async function allLanguages(context, base) {
  const page = await context.newPage();
  await page.goto(new URL('/search/', base).href);
  await page.selectOption('#search-lang', 'all');
  await typeQuery(page, FRENCH_WORD);
  await page.waitForSelector('.search-hit', { timeout: WAIT_MS });
  const s = await snapshot(page);
  const fr = s.hits.filter((h) => h.lang === 'fr');
  expect(fr.length > 0, `"${FRENCH_WORD}" in all languages found no French page: ${JSON.stringify(s.hits.map((h) => h.lang))}`);
  expect(fr.every((h) => h.href && h.href.startsWith('/fr/')), `French hits not under /fr/: ${fr.map((h) => h.href)}`);
  expect(fr.some((h) => h.marks > 0), 'no French excerpt has a <mark>');
  return `lang=all "${FRENCH_WORD}" -> ${fr.length} French pages (${fr.slice(0, 3).map((h) => h.href).join(' ')})`;
}

async function apiFallback(browser, base) {
  // The API gone, in a browser that cannot search a static copy itself (no WebAssembly; with
  // it, the page searches in a worker: .ci/check-static-search): the form must still work by
  // plain submission.
  const context = await browser.newContext();
  try {
    await context.addInitScript(() => { delete window.WebAssembly; });
    await context.route((u) => u.pathname === '/_search', (route) => route.abort());
    const page = await context.newPage();
    await page.goto(new URL('/search/', base).href);
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('q') === ENGLISH_WORD, { timeout: WAIT_MS }),
      page.fill('#search-q', ENGLISH_WORD),
    ]);
    await page.waitForLoadState('load');
    const s = await snapshot(page);
    expect(s.searched === 'true' && s.hits.length > 0,
      `with the API failing, typing led to ${s.url} with ${s.hits.length} hits`);
    // A static copy opened with a query: the script says search is unavailable, once, and
    // does not reload the page again and again.
    const staticHtml = await (await fetch(new URL('/search/', base))).text();
    await context.route((u) => u.pathname === '/search/' && u.searchParams.has('q'),
      (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: staticHtml }));
    const loads = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) loads.push(f.url()); });
    await page.goto(new URL(`/search/?q=${ENGLISH_WORD}&lang=en`, base).href);
    await page.waitForFunction(() => document.querySelector('#search-error').textContent.trim() !== '', null, { timeout: WAIT_MS });
    await page.waitForTimeout(1000);
    const s2 = await snapshot(page);
    expect(loads.length === 1, `the static page was loaded ${loads.length} times: ${loads.join(' ')}`);
    expect(s2.box === ENGLISH_WORD, `the static page's box holds "${s2.box}", not the query of its URL`);
    return `with /_search failing, typing submits the form (server-rendered ${s.hits.length} hits); `
      + `a static page with ?q= says "${s2.error.trim().slice(0, 60)}…" and loads once`;
  } finally {
    await context.close();
  }
}

/** The results as a list of lines: elements with sorted attributes (links read as path and
 *  decoded parameters), and text with its spaces collapsed. */
function describeResults(page) {
  return page.evaluate(() => {
    const href = (value) => {
      const u = new URL(value, location.href);
      return u.pathname + (u.search ? `?${Array.from(u.searchParams).map(([k, v]) => `${k}=${v}`).join('&')}` : '');
    };
    const lines = [];
    const walk = (n, depth) => {
      const pad = '  '.repeat(depth);
      if (n.nodeType === Node.TEXT_NODE) {
        const text = n.textContent.replace(/\s+/g, ' ').trim();
        if (text) lines.push(`${pad}"${text}"`);
        return;
      }
      if (n.nodeType !== Node.ELEMENT_NODE) return;
      const attrs = Array.from(n.attributes)
        .map((a) => `${a.name}=${a.name === 'href' ? href(a.value) : a.value}`)
        .sort();
      lines.push(`${pad}<${n.tagName.toLowerCase()}${attrs.length ? ` ${attrs.join(' ')}` : ''}>`);
      for (const c of n.childNodes) walk(c, depth + 1);
    };
    for (const id of ['search-status', 'search-error', 'search-body', 'search-facet-list']) {
      lines.push(`#${id}`);
      for (const c of document.getElementById(id).childNodes) walk(c, 1);
    }
    lines.push(`#search-facets hidden=${document.getElementById('search-facets').hidden}`);
    lines.push(`title "${document.title}"`);
    return lines;
  });
}

async function sameMarkup(context, base) {
  // Each case: the search page, the query, the language, and whether to go to page 2.
  const cases = [
    { path: '/search/', q: COMMON_WORD, lang: 'en', next: false, facet: true },
    { path: '/ru/search/', q: COMMON_WORD, lang: 'en', next: true },
    { path: '/ar/search/', q: FRENCH_WORD, lang: 'all', next: false },
    { path: '/zh/search/', q: ENGLISH_WORD, lang: 'all', next: false },
    { path: '/fr/search/', q: 'zzzqqq', lang: 'fr', next: false },
  ];
  const done = [];
  for (const c of cases) {
    const page = await context.newPage();
    try {
      await page.goto(new URL(c.path, base).href);
      await page.selectOption('#search-lang', c.lang);
      await typeQuery(page, c.q);
      await page.waitForFunction((q) => new URLSearchParams(location.search).get('q') === q
        && document.querySelector('#search-status').textContent.trim() !== '', c.q, { timeout: WAIT_MS });
      if (c.facet) {
        const before = await page.textContent('#search-status');
        const link = page.locator('#search-facet-list a[data-facet]').first();
        const facet = await link.getAttribute('data-facet');
        await link.click();
        await page.waitForFunction((f) => new URLSearchParams(location.search).has(f), facet, { timeout: WAIT_MS });
        await waitForStatusChange(page, before);
      }
      if (c.next) {
        const first = await page.getAttribute('.search-hit-title a', 'href');
        await page.click('.pagination a[rel=next]');
        await page.waitForFunction((f) => new URLSearchParams(location.search).get('page') === '2'
          && document.querySelector('.search-hit-title a').getAttribute('href') !== f, first, { timeout: WAIT_MS });
      }
      const url = await page.evaluate(() => location.pathname + location.search);
      const live = await describeResults(page);
      await page.goto(new URL(url, base).href);
      const served = await describeResults(page);
      const i = live.findIndex((line, k) => line !== served[k]);
      const at = i < 0 ? (live.length === served.length ? -1 : Math.min(live.length, served.length)) : i;
      expect(at < 0, `${url}: the script and the server render differently at line ${at + 1}:\n`
        + `      script: ${live[at] ?? '(end)'}\n      server: ${served[at] ?? '(end)'}`);
      done.push(`${url} (${live.length} lines)`);
    } finally {
      await page.close();
    }
  }
  return `the script renders what the server renders for ${done.join(', ')}`;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`search: ${e.message}`);
    return 2;
  }
  const base = new URL(opts.base);
  try {
    await waitForServer(base);
  } catch (e) {
    console.error(`search: ${e.message}`);
    return 2;
  }
  const browser = await launchChromium('search');
  if (!browser) return 2;
  console.log(`search: Chromium ${browser.version()} against ${base.origin}`);
  const context = await browser.newContext();
  // Only the site under test: a request to any other host is a defect of the theme.
  const watched = await watchContext(context, base.host);

  const checks = [
    ['1 live results', () => liveResults(context, base)],
    ['2 facet filter', () => facetToggles(context, base)],
    ['3 keyboard', () => keyboard(context, base)],
    ['4 right to left', () => rightToLeft(context, base)],
    ['5 without scripts', () => withoutScripts(browser, base)],
    ['6 all languages', () => allLanguages(context, base)],
    ['7 API fallback', () => apiFallback(browser, base)],
    ['8 same markup', () => sameMarkup(context, base)],
  ];
  return runChecks('check-search', checks, watched, browser);
}

process.exitCode = await main();
