// The search page's live results. As the reader types, it asks for results and renders the
// same markup as templates/search.html, so keep the two in step. Results come from one of two
// engines, which answer alike (the same code, the same index):
// - `plenary serve`'s JSON API (`data-api` on the form), when it answers: there the index
//   follows every edit while previewing, and a visitor downloads nothing but the answers;
// - otherwise (any static host) Plenary's search compiled to WebAssembly, in a Web Worker
//   (`data-worker`) that fetches the module and the index (`data-index`) only once the reader
//   starts to search (the box is focused, or a key typed).
// Without this script, or in a browser without WebAssembly or workers, the page is a plain
// GET form, which `plenary serve` answers. Plain ES2017, no library, no request to any other
// host.
(() => {
  'use strict';

  const form = document.getElementById('search-form');
  const box = document.getElementById('search-q');
  const langSelect = document.getElementById('search-lang');
  const statusEl = document.getElementById('search-status');
  const errorEl = document.getElementById('search-error');
  const body = document.getElementById('search-body');
  const facetsSection = document.getElementById('search-facets');
  const facetList = document.getElementById('search-facet-list');
  const stringsEl = document.getElementById('search-strings');
  if (!form || !box || !langSelect || !statusEl || !errorEl || !body || !facetsSection
    || !facetList || !stringsEl || !('content' in stringsEl) || !window.fetch
    || !window.URLSearchParams || !window.history || !window.history.replaceState) {
    return;
  }

  const FACETS = ['kind', 'group', 'year', 'theme', 'region', 'source', 'site'];
  // Scripts written right to left, for hits in a language the page has not shown yet.
  const RTL = ['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi'];
  const DEBOUNCE_MS = 150;
  const root = document.documentElement;
  const pageLang = root.getAttribute('lang') || 'en';
  const pageDir = root.getAttribute('dir') || 'ltr';
  // The path the site is published under (`/igf`; none at the host's root): the API's URLs
  // are from the site's root, and links get it before them as the server's pages do.
  const basePath = form.dataset.basePath || '';
  const api = form.dataset.api || `${basePath}/_search`;
  const indexUrl = form.dataset.index ? new URL(form.dataset.index, window.location.href).href : '';
  const workerUrl = form.dataset.worker || '';
  const perPage = Number(form.dataset.perPage) || 10;
  const action = form.getAttribute('action') || window.location.pathname;

  // ---- Interface strings, rendered by the server into <template id="search-strings">.
  const messages = {};
  const counts = [];
  const languageLabels = {};
  const labels = {};
  for (const d of stringsEl.content.querySelectorAll('data')) {
    const value = d.getAttribute('value');
    const text = d.textContent;
    if (d.hasAttribute('data-count')) counts.push({ n: Number(value), text });
    else if (d.hasAttribute('data-message')) messages[value] = text;
    else if (d.hasAttribute('data-language')) languageLabels[value] = text;
    else if (d.hasAttribute('data-label')) {
      const facet = d.getAttribute('data-label');
      (labels[facet] = labels[facet] || {})[value] = text;
    }
  }
  const directions = {};
  directions[pageLang] = pageDir;
  for (const hit of document.querySelectorAll('.search-hit[lang][dir]')) {
    directions[hit.getAttribute('lang')] = hit.getAttribute('dir');
  }

  // Numbers are grouped as the server groups them, which the samples of the count message show.
  const grouping = (() => {
    const million = counts.find((c) => c.n === 1000000);
    const thousand = counts.find((c) => c.n === 1000);
    const m = million && /1(\D{1,2})000(?:\1)000/.exec(million.text);
    return {
      separator: m ? m[1] : (million && million.text.indexOf('1000000') >= 0 ? '' : ','),
      minDigits: thousand && /(^|\D)1000(\D|$)/.test(thousand.text) ? 5 : 4,
    };
  })();

  function formatNumber(n) {
    const digits = String(Math.abs(Math.trunc(n)));
    const sign = n < 0 ? '-' : '';
    if (digits.length < grouping.minDigits) return sign + digits;
    let out = '';
    for (let i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) out += grouping.separator;
      out += digits[i];
    }
    return sign + out;
  }

  let pluralRules = null;
  try {
    pluralRules = new Intl.PluralRules(pageLang);
  } catch (e) {
    pluralRules = null;
  }

  /** The count message for `n` results: the server's sample for that number, else for the
   *  largest sample of the same plural category, with the number put in. */
  function countText(n, query) {
    let sample = counts.find((c) => c.n === n);
    if (!sample && pluralRules) {
      const category = pluralRules.select(n);
      const same = counts.filter((c) => pluralRules.select(c.n) === category);
      sample = same[same.length - 1];
    }
    if (!sample) sample = counts[counts.length - 1];
    if (!sample) return '';
    return sample.text.replace(formatNumber(sample.n), formatNumber(n)).split('%Q').join(query);
  }

  function fill(text, values) {
    return (text || '').replace(/%[A-Z]/g, (m) => (m in values ? values[m] : m));
  }

  function formatDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    if (!m || !messages.date) return iso;
    return fill(messages.date, {
      '%D': String(Number(m[3])),
      '%M': messages[`month-${Number(m[2])}`] || m[2],
      '%Y': m[1],
    });
  }

  function label(facet, value) {
    return (labels[facet] && labels[facet][value]) || value;
  }

  function dirOf(code) {
    if (directions[code]) return directions[code];
    return RTL.indexOf(String(code).split('-')[0].toLowerCase()) >= 0 ? 'rtl' : 'ltr';
  }

  function onSite(url) {
    return /^\/(?!\/)/.test(url || '') ? basePath + url : url;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    if (attrs) for (const name of Object.keys(attrs)) node.setAttribute(name, attrs[name]);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // ---- What is searched: the form's fields, kept here while the page is not reloaded.
  const state = {
    q: box.value,
    lang: langSelect.value,
    filters: Array.from(form.querySelectorAll('input[data-filter]')).map((i) => [i.name, i.value]),
    page: Number(form.dataset.page) || 1,
  };

  function copy(s, changes) {
    return Object.assign({ q: s.q, lang: s.lang, filters: s.filters.slice(), page: s.page }, changes);
  }

  function params(s) {
    const p = new URLSearchParams();
    p.set('q', s.q);
    p.set('lang', s.lang);
    for (const [name, value] of s.filters) p.append(name, value);
    if (s.page > 1) p.set('page', String(s.page));
    return p;
  }

  function pageUrl(s) {
    return s.q.trim() ? `${action}?${params(s)}` : action;
  }

  function selected(s, facet) {
    let value = null;
    for (const [name, v] of s.filters) if (name === facet) value = v;
    return value;
  }

  /** `s` with the filter `facet=value` set, or removed when it was set; back to page 1. */
  function toggle(s, facet, value) {
    const was = selected(s, facet) === value;
    const filters = s.filters.filter(([name]) => name !== facet);
    if (!was) filters.push([facet, value]);
    return copy(s, { filters, page: 1 });
  }

  /** The form's fields as the state says, so that a normal submission searches the same. */
  function syncForm() {
    if (Array.from(langSelect.options).some((o) => o.value === state.lang)) {
      langSelect.value = state.lang;
    }
    for (const input of form.querySelectorAll('input[data-filter]')) input.remove();
    for (const [name, value] of state.filters) {
      form.appendChild(el('input', { type: 'hidden', name, value, 'data-filter': '' }));
    }
  }

  function replaceUrl(url) {
    try {
      window.history.replaceState(window.history.state, '', url);
    } catch (e) {
      // A sandboxed or file: page may refuse; the results are shown all the same.
    }
  }

  // ---- Rendering: the same elements, classes and attributes as search.html.
  function hitItem(hit) {
    const li = el('li', { class: 'search-hit', lang: hit.lang, dir: dirOf(hit.lang) });
    const title = el('h3', { class: 'search-hit-title' });
    title.appendChild(el('a', { href: onSite(hit.url) }, hit.title));
    li.appendChild(title);
    const meta = el('p', { class: 'search-hit-meta', lang: pageLang, dir: pageDir });
    meta.appendChild(el('span', { class: 'search-hit-lang', lang: hit.lang },
      languageLabels[hit.lang] || hit.lang));
    if (hit.kind) meta.appendChild(el('span', { class: 'badge' }, label('kind', hit.kind)));
    if (hit.date) meta.appendChild(el('time', { datetime: hit.date }, formatDate(hit.date)));
    if (hit.group) {
      meta.appendChild(el('span', { class: 'search-hit-group' }, label('group', hit.group)));
    }
    li.appendChild(meta);
    const excerpt = el('p', { class: 'search-hit-excerpt' });
    // The API's excerpt is HTML: <mark> around the matched words, everything else escaped.
    excerpt.innerHTML = hit.excerpt || '';
    li.appendChild(excerpt);
    if (hit.translations && hit.translations.length) {
      const others = el('div', { class: 'search-hit-translations', lang: pageLang, dir: pageDir });
      others.appendChild(el('span', null, messages.translations));
      const ul = el('ul');
      for (const [code, url] of hit.translations) {
        const item = el('li');
        item.appendChild(el('a', { href: onSite(url), hreflang: code, lang: code }, languageLabels[code] || code));
        ul.appendChild(item);
      }
      others.appendChild(ul);
      li.appendChild(others);
    }
    return li;
  }

  function pagination(s, page, pages) {
    const nav = el('nav', { class: 'pagination', 'aria-label': messages['pagination-label'] || '' });
    nav.appendChild(el('p', null,
      fill(messages['page-status'], { '%C': formatNumber(page), '%T': formatNumber(pages) })));
    const ul = el('ul');
    const link = (to, rel, text) => {
      const li = el('li');
      li.appendChild(el('a', { href: pageUrl(copy(s, { page: to })), rel, 'data-page': String(to) }, text));
      ul.appendChild(li);
    };
    if (page > 1) link(page - 1, 'prev', messages.previous);
    if (page < pages) link(page + 1, 'next', messages.next);
    nav.appendChild(ul);
    return nav;
  }

  function renderFacets(s, facets) {
    facetList.textContent = '';
    let any = false;
    for (const name of FACETS) {
      const counted = facets[name] || {};
      const values = Object.keys(counted).map((value) => [value, counted[value]]);
      // One site alone is no choice: the site facet shows when others' pages are searched too.
      if (!values.length || (name === 'site' && values.length < 2)) continue;
      values.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      any = true;
      const current = selected(s, name);
      const group = el('div', { class: 'search-facet' });
      group.appendChild(el('h3', null, messages[`facet-${name}`] || name));
      const ul = el('ul');
      for (const [value, count] of values) {
        const a = el('a', { href: pageUrl(toggle(s, name, value)), 'data-facet': name, 'data-value': value });
        if (current === value) a.setAttribute('aria-current', 'true');
        a.appendChild(el('span', { class: 'search-facet-label' }, label(name, value)));
        a.appendChild(document.createTextNode(' '));
        a.appendChild(el('span', { class: 'search-facet-count' }, String(count)));
        if (current === value) a.appendChild(el('span', { class: 'visually-hidden' }, ` ${messages.selected}`));
        const li = el('li');
        li.appendChild(a);
        ul.appendChild(li);
      }
      group.appendChild(ul);
      facetList.appendChild(group);
    }
    facetsSection.hidden = !any;
  }

  function render(s, data) {
    errorEl.textContent = '';
    statusEl.textContent = countText(data.total, s.q);
    body.textContent = '';
    if (data.total === 0) body.appendChild(el('p', { class: 'search-empty' }, messages['no-results']));
    if (data.hits.length) {
      const ol = el('ol', { class: 'search-hits' });
      for (const hit of data.hits) ol.appendChild(hitItem(hit));
      body.appendChild(ol);
    }
    const pages = Math.max(1, Math.ceil(data.total / Math.max(1, data.per_page || perPage)));
    const page = data.page || s.page;
    if (pages > 1) body.appendChild(pagination(s, page, pages));
    renderFacets(s, data.facets || {});
    if (messages.title) document.title = messages.title.split('%Q').join(s.q);
  }

  function renderNothing() {
    errorEl.textContent = '';
    statusEl.textContent = '';
    body.textContent = '';
    facetList.textContent = '';
    facetsSection.hidden = true;
    if (messages['title-empty']) document.title = messages['title-empty'];
  }

  function renderError(text) {
    statusEl.textContent = '';
    body.textContent = '';
    facetList.textContent = '';
    facetsSection.hidden = true;
    errorEl.textContent = '';
    errorEl.appendChild(el('p', null, text));
  }

  // ---- The engine: the API when it answers, else the module in a worker.
  // The worker's answer codes (search-worker.js).
  const DONE = 0;
  const INVALID = 1;
  let engine = null;
  let worker = null;
  let requests = 0;
  const warmed = {};
  const waiting = {};

  /** Whether `plenary serve`'s API answers here: a static host has a folder `_search/`
   *  there, or nothing, and answers with a listing, a redirect or an error page. */
  async function apiAnswers() {
    try {
      const response = await fetch(`${api}?q=&lang=${encodeURIComponent(pageLang)}&per_page=1`, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        // The API answers at once; a static host redirects the folder `_search` to
        // `_search/`, which is answer enough: not following it saves a round trip.
        redirect: 'manual',
      });
      const type = response.headers.get('Content-Type') || '';
      if (!response.ok || type.indexOf('json') < 0) return false;
      const data = await response.json();
      return Boolean(data && Array.isArray(data.hits));
    } catch (e) {
      return false;
    }
  }

  function startWorker() {
    worker = new Worker(workerUrl);
    worker.onmessage = (e) => {
      const answer = e.data || {};
      const pending = waiting[answer.id];
      delete waiting[answer.id];
      if (pending) pending.resolve(answer);
    };
    worker.onerror = () => {
      for (const id of Object.keys(waiting)) {
        waiting[id].reject(new Error('the search worker failed'));
        delete waiting[id];
      }
    };
    worker.postMessage({ type: 'init', index: indexUrl });
  }

  /** 'api', 'worker', or 'none' (this browser cannot search a static copy). Chosen once. */
  function chooseEngine() {
    if (!engine) {
      engine = apiAnswers().then((answers) => {
        if (answers) return 'api';
        if (!indexUrl || !workerUrl || !window.Worker || typeof WebAssembly !== 'object') return 'none';
        try {
          startWorker();
          return 'worker';
        } catch (e) {
          return 'none';
        }
      });
    }
    return engine;
  }

  /** Fetches what a search in the selected language needs, before the first key. */
  function warm() {
    if (broken || warmed[state.lang]) return;
    const lang = state.lang;
    warmed[lang] = true;
    chooseEngine().then((chosen) => {
      if (chosen === 'worker') worker.postMessage({ type: 'warm', lang });
    });
  }

  function askWorker(s) {
    const id = ++requests;
    return new Promise((resolve, reject) => {
      waiting[id] = { resolve, reject };
      worker.postMessage({
        type: 'search',
        id,
        request: { q: s.q, lang: s.lang, filters: s.filters, page: s.page, per_page: perPage },
      });
    });
  }

  // ---- Asking.
  let broken = false;
  let sequence = 0;
  let controller = null;
  let timer = 0;

  /** Neither engine answers (the API failed, and this browser cannot search a static copy):
   *  the form goes back to plain submission, which a server answers. */
  function failed(s, reason) {
    broken = true;
    if (reason === 'load') {
      // This page is already the form's answer: submitting again would only reload it.
      renderError(messages.unavailable || '');
      return;
    }
    state.q = s.q;
    syncForm();
    form.submit();
  }

  async function run(reason) {
    window.clearTimeout(timer);
    const s = copy(state);
    const mine = ++sequence;
    if (controller) controller.abort();
    controller = null;
    if (!s.q.trim()) {
      renderNothing();
      replaceUrl(action);
      return false;
    }
    const chosen = await chooseEngine();
    if (mine !== sequence) return false;
    if (chosen === 'worker') return runInWorker(s, mine);
    if (chosen === 'none') {
      failed(s, reason);
      return false;
    }
    const p = params(s);
    p.set('per_page', String(perPage));
    controller = window.AbortController ? new AbortController() : null;
    let response;
    let data;
    try {
      response = await fetch(`${api}?${p}`, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: controller ? controller.signal : undefined,
      });
      data = await response.json();
    } catch (e) {
      if (mine !== sequence || (e && e.name === 'AbortError')) return false;
      failed(s, reason);
      return false;
    }
    if (mine !== sequence) return false;
    if (response.status === 400 && data && typeof data.error === 'string') {
      renderError(data.error);
      replaceUrl(pageUrl(s));
      return false;
    }
    if (!response.ok || !data || !Array.isArray(data.hits)) {
      failed(s, reason);
      return false;
    }
    render(s, data);
    replaceUrl(pageUrl(s));
    return true;
  }

  async function runInWorker(s, mine) {
    let answer;
    try {
      answer = await askWorker(s);
    } catch (e) {
      answer = null;
    }
    if (mine !== sequence) return false;
    if (answer && answer.code === INVALID) {
      renderError(answer.text);
      replaceUrl(pageUrl(s));
      return false;
    }
    let data = null;
    try {
      data = answer && answer.code === DONE ? JSON.parse(answer.text) : null;
    } catch (e) {
      data = null;
    }
    if (!data || !Array.isArray(data.hits)) {
      renderError(messages.unavailable || '');
      return false;
    }
    render(s, data);
    replaceUrl(pageUrl(s));
    return true;
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => run('type'), DEBOUNCE_MS);
  }

  function focusFacet(facet, value) {
    for (const a of facetList.querySelectorAll('a[data-facet]')) {
      if (a.dataset.facet === facet && a.dataset.value === value) {
        a.focus();
        return;
      }
    }
  }

  function resultLinks() {
    return Array.from(body.querySelectorAll('.search-hit-title a'));
  }

  function isField(node) {
    if (!node || !node.tagName) return false;
    if (node.isContentEditable) return true;
    const tag = node.tagName.toLowerCase();
    if (tag === 'textarea' || tag === 'select') return true;
    if (tag !== 'input') return false;
    return ['button', 'checkbox', 'radio', 'submit', 'reset', 'image', 'file', 'range', 'color']
      .indexOf((node.getAttribute('type') || 'text').toLowerCase()) < 0;
  }

  function plainClick(e) {
    return e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey && !e.altKey;
  }

  // ---- Events.
  box.addEventListener('focus', warm);
  box.addEventListener('keydown', warm);
  box.addEventListener('input', (e) => {
    if (broken || e.isComposing) return;
    state.q = box.value;
    state.page = 1;
    schedule();
  });
  // Chinese and other input methods: search once the characters are chosen.
  box.addEventListener('compositionend', () => {
    if (broken) return;
    state.q = box.value;
    state.page = 1;
    schedule();
  });
  langSelect.addEventListener('change', () => {
    if (broken) return;
    state.lang = langSelect.value;
    state.page = 1;
    warm();
    run('lang');
  });
  form.addEventListener('submit', (e) => {
    if (broken) return;
    e.preventDefault();
    state.q = box.value;
    state.lang = langSelect.value;
    state.page = 1;
    run('submit');
  });
  facetList.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-facet]');
    if (!a || broken || !plainClick(e)) return;
    e.preventDefault();
    const next = toggle(state, a.dataset.facet, a.dataset.value);
    state.filters = next.filters;
    state.page = 1;
    syncForm();
    const { facet, value } = a.dataset;
    run('facet').then((shown) => {
      if (shown) focusFacet(facet, value);
    });
  });
  body.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('.pagination a[data-page]');
    if (!a || broken || !plainClick(e)) return;
    e.preventDefault();
    state.page = Number(a.dataset.page) || 1;
    run('page').then((shown) => {
      const first = resultLinks()[0];
      if (shown && first) {
        first.focus();
        statusEl.scrollIntoView({ block: 'nearest' });
      }
    });
  });

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target;
    if (e.key === '/' && !isField(target)) {
      e.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (e.key === 'Escape' && target === box) {
      if (!box.value) return;
      e.preventDefault();
      box.value = '';
      state.q = '';
      state.page = 1;
      if (!broken) run('clear');
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = resultLinks();
    if (!links.length) return;
    if (target === box) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        links[0].focus();
      }
      return;
    }
    const i = links.indexOf(target);
    if (i < 0) return;
    e.preventDefault();
    if (e.key === 'ArrowDown') links[Math.min(i + 1, links.length - 1)].focus();
    else if (i === 0) box.focus();
    else links[i - 1].focus();
  });

  // ---- Start.
  const keys = document.getElementById('search-keys');
  if (keys) keys.hidden = false;
  if (document.activeElement === box) {
    warm();
    const end = box.value.length;
    try {
      box.setSelectionRange(end, end);
    } catch (e) {
      // Not every input type has a caret to place.
    }
  }
  // A static copy of the page opened with a query (from the header's form, say): the server
  // did not answer it, so ask, once.
  const asked = new URLSearchParams(window.location.search);
  if (form.dataset.searched !== 'true' && (asked.get('q') || '').trim()) {
    state.q = asked.get('q');
    box.value = state.q;
    const lang = asked.get('lang');
    if (lang && Array.from(langSelect.options).some((o) => o.value === lang)) state.lang = lang;
    state.filters = [];
    for (const [name, value] of asked) {
      if (FACETS.indexOf(name) >= 0 && value) state.filters.push([name, value]);
    }
    state.page = Math.max(1, Number(asked.get('page')) || 1);
    syncForm();
    run('load');
  }
})();
