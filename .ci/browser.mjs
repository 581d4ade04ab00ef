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
