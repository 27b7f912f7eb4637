// Headless Chromium for the console tests: Debian's own `chromium` driven by playwright-core
// (no browser download), nothing phoning home. Playwright gives each launch a fresh, temporary
// --user-data-dir of its own (and refuses one passed in args), so no profile leaks between runs.
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CTI110_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(t: { teardown(fn: () => unknown): void }): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  t.teardown(() => browser.close());
  return browser;
}
