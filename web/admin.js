// Telephony admin: the dialplan as deployed (read through Asterisk), check, reload. No editing:
// the service offers no route that writes an Asterisk file.
import { api, startPage, report, $ } from './common.js';

/** @typedef {{ ok: boolean, problems: string[], files?: { name: string, contexts: number }[], output?: string }} CheckResult what POST /admin/dialplan/check and reload answer */

await startPage();

/** @param {CheckResult} r */
const show = (r) => {
  $('result').textContent = [r.ok ? 'OK' : 'FAILED', ...r.problems, ...(r.files ?? []).map((f) => `${f.name}: ${f.contexts} contexts`), r.output ?? ''].filter(Boolean).join('\n');
};
async function load() {
  /** @type {{ name: string, text: string }[]} */
  const files = await api('GET', '/admin/dialplan');
  $('files').textContent = files.map((f) => `; ${f.name}\n${f.text}`).join('\n\n');
}
$('btn-check').addEventListener('click', () => api('POST', '/admin/dialplan/check').then(show).then(() => report(null), report));
$('btn-reload').addEventListener('click', async () => {
  try {
    show(await api('POST', '/admin/dialplan/reload'));
    report(null);
  } catch (err) {
    const body = /** @type {import('./common.js').ApiError} */ (err).body;
    if (body?.problems) show(body); // 409: the check failed, nothing was reloaded
    report(err);
  }
});
await load().catch(report);
