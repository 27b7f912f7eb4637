// The sign-in page (a file of its own: the Content-Security-Policy allows no inline script).
import { api, applyLabels, installShortcuts, toggleLanguage, $ } from './common.js';
applyLabels();
installShortcuts();
$('lang').addEventListener('click', toggleLanguage);
/** @type {Record<string, string | undefined>} */
const HOME = { 'call-taker': 'console.html', supervisor: 'wallboard.html', admin: 'admin.html' };
// An officer's terminal speaks REST only: it has no page here.
const home = (/** @type {string} */ role) => (HOME[role] ? `/ui/${HOME[role]}` : undefined);
$('signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  const msg = $('message');
  try {
    /** @type {{ user: { role: string } }} */
    const s = await api('POST', '/auth/login', { name: $('name', HTMLInputElement).value, password: $('password', HTMLInputElement).value });
    const page = home(s.user.role);
    if (page) location.href = page;
    else msg.textContent = `${s.user.role}: no page for this role`;
  } catch (err) {
    msg.textContent = err instanceof Error ? err.message : String(err);
  }
});
// Already signed in (or sign-in switched off): straight to the home page of the role.
api('GET', '/auth/me').then((/** @type {import('./common.js').Me} */ me) => {
  const page = home(me.role);
  if (page) location.href = page;
}, () => undefined);
