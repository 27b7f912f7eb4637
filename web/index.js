// The sign-in page (a file of its own: the Content-Security-Policy allows no inline script).
import { api, applyLabels, installShortcuts, toggleLanguage } from './common.js';
applyLabels();
installShortcuts();
document.getElementById('lang').addEventListener('click', toggleLanguage);
const HOME = { 'call-taker': 'console.html', supervisor: 'wallboard.html', admin: 'admin.html' };
// An officer's terminal speaks REST only: it has no page here.
const home = (role) => (HOME[role] ? `/ui/${HOME[role]}` : undefined);
document.getElementById('signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  const msg = document.getElementById('message');
  try {
    const s = await api('POST', '/auth/login', { name: e.target.name.value, password: e.target.password.value });
    if (home(s.user.role)) location.href = home(s.user.role);
    else msg.textContent = `${s.user.role}: no page for this role`;
  } catch (err) {
    msg.textContent = err.message;
  }
});
// Already signed in (or sign-in switched off): straight to the home page of the role.
api('GET', '/auth/me').then((me) => home(me.role) && (location.href = home(me.role)), () => undefined);
