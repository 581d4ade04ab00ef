// Runs axe-core (WCAG 2.0/2.1 level A and AA rules) in headless Chromium on pages of a
// built site that .ci/check-a11y serves over loopback HTTP.
//
//   node .ci/a11y.mjs --base http://127.0.0.1:PORT --root DIR [--content DIR] [PATH...]
//
// Exit: 0 no violation, 1 a violation or a page that did not load with status 200,
// 2 the checker itself failed (browser would not start, bad arguments).
import { launchChromium } from './browser.mjs';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const LANG_PREFIXES = ['', '/ar', '/zh'];
// English paths checked when none are given; each is also checked under /ar/ and /zh/.
// `untranslated`: meant to be a page with no Arabic or Chinese translation, so that its
// /ar/ and /zh/ versions are fallback pages (English text inside an RTL / zh page).
const DEFAULT_PAGES = [
  { path: '/' },
  { path: '/bpf/' },
  { path: '/bpf/how-bpfs-work/' },
  { path: '/dc/core-internet-values/', untranslated: true },
];

function parseArgs(argv) {
  const opts = { paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--base' || a === '--root' || a === '--content') {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      opts[a.slice(2)] = argv[++i];
    } else if (a.startsWith('--')) {
      throw new Error(`unknown option ${a}`);
    } else {
      opts.paths.push(a.startsWith('/') ? a : `/${a}`);
    }
  }
  if (!opts.base || !opts.root) throw new Error('--base and --root are required');
  return opts;
}

/** The file a URL path is served from, or null when it does not exist in the output. */
function servedFile(root, urlPath) {
  const rel = decodeURIComponent(urlPath.split(/[?#]/)[0]);
  const p = path.join(root, rel);
  if (rel.endsWith('/')) return existsSync(path.join(p, 'index.html')) ? path.join(p, 'index.html') : null;
  if (existsSync(p) && statSync(p).isFile()) return p;
  return existsSync(path.join(p, 'index.html')) ? path.join(p, 'index.html') : null;
}

/** Page directories (with an index.html) directly under DIR/SECTION, sorted; no pagination dirs. */
function sectionPages(root, prefix, section) {
  const dir = path.join(root, prefix, section);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !/^(page|\d+)$/.test(e.name)
      && existsSync(path.join(dir, e.name, 'index.html')))
    .map((e) => e.name)
    .sort();
}

/** Languages a page has source translations in (by `*.LANG.md` names), or null if unknown. */
function sourceLangs(contentDir, section, slug) {
  if (!contentDir) return null;
  const langs = new Set();
  const dir = path.join(contentDir, section, slug);
  const files = existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir) : [];
  for (const f of files) {
    const m = /\.([a-z]{2}(?:-[A-Za-z]+)?)\.md$/.exec(f);
    if (m) langs.add(m[1]);
  }
  for (const f of existsSync(path.join(contentDir, section)) ? readdirSync(path.join(contentDir, section)) : []) {
    const m = new RegExp(`^${slug.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.([a-z]{2})\\.md$`).exec(f);
    if (m) langs.add(m[1]);
  }
  return langs;
}

/**
 * Expands the default list to the paths to check, swapping a page that does not exist for
 * another page of the same section (preferring one whose translation status matches).
 */
function defaultPaths(root, contentDir) {
  const out = [];
  for (const { path: en, untranslated } of DEFAULT_PAGES) {
    const segs = en.split('/').filter(Boolean);
    let chosen = en;
    if (segs.length === 2 && !servedFile(root, en)) {
      const [section] = segs;
      const candidates = sectionPages(root, '', section);
      const wanted = (slug) => {
        const langs = sourceLangs(contentDir, section, slug);
        if (langs) {
          const has = langs.has('ar') || langs.has('zh');
          return untranslated ? !has : langs.has('ar') && langs.has('zh');
        }
        // Without the sources, a page present under every prefix is the best guess for a
        // translated one; nothing tells an untranslated one apart from its fallback pages.
        return untranslated || LANG_PREFIXES.every((p) => servedFile(root, `${p}/${section}/${slug}/`));
      };
      const slug = candidates.find(wanted) ?? candidates[0];
      if (slug) {
        chosen = `/${section}/${slug}/`;
        console.log(`a11y: ${en} is not in the output; using ${chosen} instead`
          + `${untranslated ? ' (as the page without Arabic/Chinese translation)' : ''}`);
      } else {
        console.log(`a11y: ${en} is not in the output and /${section}/ has no page to use instead`);
      }
    }
    for (const prefix of LANG_PREFIXES) {
      let p = prefix + chosen;
      if (prefix && segs.length === 2 && !servedFile(root, p)) {
        const section = chosen.split('/')[1];
        const alt = sectionPages(root, prefix, section)[0];
        if (alt) {
          console.log(`a11y: ${p} is not in the output; using ${prefix}/${section}/${alt}/ instead`);
          p = `${prefix}/${section}/${alt}/`;
        }
      }
      out.push(p);
    }
  }
  return out;
}

function printViolation(urlPath, v) {
  console.log(`  ${urlPath}: ${v.id} [${v.impact ?? 'n/a'}] ${v.help}`);
  console.log(`    ${v.helpUrl}`);
  for (const node of v.nodes) {
    const target = node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', ');
    console.log(`    - ${target}`);
    const html = node.html.replace(/\s+/g, ' ');
    console.log(`      ${html.length > 200 ? `${html.slice(0, 200)}…` : html}`);
    const summary = (node.failureSummary ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    for (const line of summary.slice(0, 4)) console.log(`      ${line}`);
  }
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`a11y: ${e.message}`);
    return 2;
  }
  const root = path.resolve(opts.root);
  const contentDir = opts.content && existsSync(opts.content) ? path.resolve(opts.content) : null;
  const paths = opts.paths.length ? opts.paths : defaultPaths(root, contentDir);
  const base = new URL(opts.base);

  const browser = await launchChromium('a11y');
  if (!browser) return 2;
  console.log(`a11y: axe-core ${require('axe-core/package.json').version}, Chromium ${browser.version()}, `
    + `rules tagged ${TAGS.join(', ')}; ${paths.length} pages`);

  const context = await browser.newContext();
  // Only the site under test: anything else (fonts, CDNs) is blocked, not waited for.
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    return u.host === base.host || u.protocol === 'data:' ? route.continue() : route.abort();
  });

  const failedLoads = [];
  let violations = 0;
  let nodes = 0;
  const badPages = new Set();
  for (const urlPath of paths) {
    const page = await context.newPage();
    try {
      const url = new URL(urlPath, base).href;
      const res = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
      const status = res ? res.status() : 0;
      if (status !== 200) {
        console.log(`FAIL ${urlPath}: HTTP ${status || 'no response'}`);
        failedLoads.push(urlPath);
        continue;
      }
      await page.addScriptTag({ path: AXE });
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
        TAGS,
      );
      if (result.violations.length === 0) {
        console.log(`ok   ${urlPath}: ${result.passes.length} rules passed, no violations`);
      } else {
        const n = result.violations.reduce((a, v) => a + v.nodes.length, 0);
        console.log(`FAIL ${urlPath}: ${result.violations.length} violations (${n} elements)`);
        for (const v of result.violations) printViolation(urlPath, v);
        violations += result.violations.length;
        nodes += n;
        badPages.add(urlPath);
      }
    } catch (e) {
      console.log(`FAIL ${urlPath}: ${e.message.split('\n')[0]}`);
      failedLoads.push(urlPath);
    } finally {
      await page.close();
    }
  }
  await browser.close();

  if (violations || failedLoads.length) {
    const parts = [];
    if (violations) parts.push(`${violations} violations (${nodes} elements) on ${badPages.size} pages`);
    if (failedLoads.length) parts.push(`${failedLoads.length} pages failed to load: ${failedLoads.join(' ')}`);
    console.log(`check-a11y: FAIL: ${parts.join('; ')}; ${paths.length} pages checked`);
    return 1;
  }
  console.log(`check-a11y: ok: ${paths.length} pages, no violations`);
  return 0;
}

process.exitCode = await main();
