// Headless Chromium for the console tests: Debian's own `chromium` driven by playwright-core
// (no browser download), nothing phoning home. Playwright gives each launch a fresh, temporary
// --user-data-dir of its own (and refuses one passed in args), so no profile leaks between runs.
import { chromium, type Browser } from 'playwright-core';

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
