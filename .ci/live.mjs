// Drives a page of a running `plenary serve` (watch mode) in headless Chromium, as an author
// previews it: a save shows up with no action, a broken save puts its diagnostic over the
// page (the last good text stays), and fixing the file clears it. .ci/check-live starts the
// server on a copy of the site and passes the page and the file it is written from.
//
//   node .ci/live.mjs --base http://127.0.0.1:PORT --site DIR --page /bpf/ --file content/bpf/_index.md
//
// Exit: 0 every check passed, 1 a check failed, 2 the checker itself failed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browser.mjs';

const WAIT_MS = 15000;

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!['base', 'site', 'page', 'file'].includes(name) || i + 1 >= argv.length) {
      throw new Error(`unknown argument or missing value: ${argv[i]}`);
    }
    opts[name] = argv[++i];
  }
  for (const need of ['base', 'site', 'page', 'file']) {
    if (!opts[need]) throw new Error(`--${need} is required`);
  }
  return opts;
}

class CheckFailed extends Error {}

/** Waits for `predicate(arg)` in the page, failing with `message` after WAIT_MS. */
async function waitIn(page, predicate, arg, message) {
  try {
    await page.waitForFunction(predicate, arg, { timeout: WAIT_MS });
  } catch (e) {
    throw new CheckFailed(`${message} (within ${WAIT_MS / 1000} s)`);
  }
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`live: ${e.message}`);
    return 2;
  }
  const file = join(opts.site, opts.file);
  const original = readFileSync(file, 'utf8');
  const browser = await launchChromium('live');
  if (!browser) return 2;
  console.log(`live: Chromium ${browser.version()} against ${opts.base}${opts.page}`);
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const failed = [];
  const check = async (name, run) => {
    try {
      console.log(`ok   ${name}: ${await run()}`);
    } catch (e) {
      failed.push(name);
      const message = e instanceof CheckFailed ? e.message : `${e.name}: ${e.message.split('\n')[0]}`;
      console.log(`FAIL ${name}: ${message}`);
    }
  };
  const word = `livecheck${Date.now().toString(36)}`;
  try {
    await page.goto(new URL(opts.page, opts.base).href);
    // Give the page a moment to open its live channel before the first save.
    await page.waitForTimeout(500);

    await check('1 a save shows up by itself', async () => {
      await page.evaluate(() => { window.__liveCheckMarker = true; });
      const started = Date.now();
      writeFileSync(file, `${original}\nThe ${word} paragraph was added while the page was open.\n`);
      await waitIn(page, (w) => document.body.innerText.includes(w), word,
        'the new text never appeared');
      const reloaded = await page.evaluate(() => !window.__liveCheckMarker);
      if (!reloaded) throw new CheckFailed('the text appeared without a reload?');
      return `new text shown ${Date.now() - started} ms after the save`;
    });

    await check('2 a broken save shows its error over the page', async () => {
      writeFileSync(file, '+++\ntitle = \n+++\n\nBroken.\n');
      await waitIn(page, () => {
        const o = document.getElementById('plenary-overlay');
        return o && o.getBoundingClientRect().height > 0 && /:\d+:\d+: error/.test(o.textContent);
      }, null, 'no overlay with a path:line:col diagnostic');
      const text = await page.evaluate(() => document.getElementById('plenary-overlay').textContent);
      if (!text.includes(opts.file)) throw new CheckFailed(`the overlay does not name ${opts.file}: ${text}`);
      if (text.includes(opts.site)) throw new CheckFailed(`the overlay shows a local path: ${text}`);
      const kept = await page.evaluate((w) => document.body.innerText.includes(w), word);
      if (!kept) throw new CheckFailed('the last good text is gone');
      // A page opened now shows the error too.
      const other = await browser.newPage();
      await other.goto(new URL(opts.page, opts.base).href);
      const shown = await other.evaluate(() => !!document.getElementById('plenary-overlay'));
      await other.close();
      if (!shown) throw new CheckFailed('a page opened after the broken save has no overlay');
      return text.split('\n')[0];
    });

    await check('3 fixing the file clears the error', async () => {
      writeFileSync(file, original);
      await waitIn(page, (w) => !document.getElementById('plenary-overlay')
        && !document.body.innerText.includes(w), word, 'the overlay or the old text stayed');
      return 'overlay gone, page as saved';
    });
  } finally {
    writeFileSync(file, original);
    await browser.close();
  }
  if (pageErrors.length) {
    failed.push('script errors');
    console.log(`FAIL script errors: ${pageErrors.join('; ')}`);
  }
  if (failed.length) {
    console.log(`check-live: FAIL: ${failed.join(', ')}`);
    return 1;
  }
  console.log('check-live: ok: 3 checks passed');
  return 0;
}

process.exitCode = await main();
