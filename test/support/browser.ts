// Headless Chromium for the console tests: Debian's own `chromium` driven by playwright-core
// (no browser download), nothing phoning home. Playwright gives each launch a fresh, temporary
// --user-data-dir of its own (and refuses one passed in args), so no profile leaks between runs.
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CTI110_CHROMIUM ?? '/usr/bin/chromium';

/** extraArgs: e.g. fakeMicrophone(wav) for a browser phone. */
export async function launchBrowser(t: { teardown(fn: () => unknown): void }, extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', ...extraArgs],
  });
  t.teardown(() => browser.close());
  return browser;
}

/**
 * The browser's microphone plays `wav` (looped) and its use is granted without asking: a browser
 * seat's phone (web/phone.js) talks with a known tone.
 */
export const fakeMicrophone = (wav: string): string[] => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`];

/**
 * Presses Alt+<key> once the button it runs is enabled. A button's state follows the seat's and
 * the call's over the page's WebSocket, which can lag the REST answer a test just waited on: a
 * key pressed on a still-disabled button does nothing (as it would for a person).
 */
export async function shortcut(page: Page, key: string, timeoutMs = 15000): Promise<void> {
  await page.waitForFunction((k) => {
    const b = document.querySelector(`[aria-keyshortcuts="${k}"]`) as HTMLButtonElement | null;
    return b !== null && !b.disabled;
  }, key, { timeout: timeoutMs });
  await page.keyboard.press(key);
}
