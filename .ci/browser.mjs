// Headless Chromium for the CI checks (a11y, search, live reload): Debian's browser, driven by
// playwright-core, with what a test machine does not need turned off.

import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Starts Chromium ($CHROMIUM, else /usr/bin/chromium); on failure says so under `name` and
// returns null.
export async function launchChromium(name) {
  try {
    return await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
  } catch (e) {
    console.error(`${name}: could not start Chromium: ${e.message}`);
    return null;
  }
}

/** A check's failure, said in its own words (anything else thrown is reported by its name). */
export class CheckFailed extends Error {}

export function expect(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

/**
 * Keeps `context`'s pages on the site's host: any other request is refused and listed in the
 * returned `foreign`; script errors on any page are listed in `pageErrors`.
 */
export async function watchContext(context, host) {
  const watched = { foreign: [], pageErrors: [] };
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.host === host || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
    watched.foreign.push(u.href);
    return route.abort();
  });
  context.on('page', (p) => p.on('pageerror', (e) => watched.pageErrors.push(`${p.url()}: ${e.message}`)));
  return watched;
}

/**
 * Runs `checks` ([name, async () => what it saw]) in turn, prints `ok` or `FAIL` for each and
 * then for the script errors and foreign requests `watched` collected, closes the browser,
 * and returns the exit code.
 */
export async function runChecks(name, checks, watched, browser) {
  const failed = [];
  for (const [check, run] of checks) {
    const started = Date.now();
    try {
      const what = await run();
      console.log(`ok   ${check}: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed.push(check);
      const message = e instanceof CheckFailed ? e.message : `${e.name}: ${e.message.split('\n')[0]}`;
      console.log(`FAIL ${check}: ${message}`);
    }
  }
  if (watched.pageErrors.length) {
    failed.push('script errors');
    console.log(`FAIL script errors: ${watched.pageErrors.join('; ')}`);
  }
  if (watched.foreign.length) {
    failed.push('third-party requests');
    console.log(`FAIL third-party requests: ${watched.foreign.join(' ')}`);
  }
  await browser.close();
  if (failed.length) {
    console.log(`${name}: FAIL: ${failed.length} of ${checks.length} checks failed (${failed.join(', ')})`);
    return 1;
  }
  console.log(`${name}: ok: ${checks.length} checks passed`);
  return 0;
}
