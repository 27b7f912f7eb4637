// The supervisors' wall: queue, seats, today's service level and alerts, all from the live
// stream; today's figures are re-read only when a call was answered or abandoned (no polling).
import { api, live, startPage, t, el, duration, clock } from './common.js';
import { drawMap } from './map.js';

const $ = (id) => document.getElementById(id);
await startPage();
const seats = new Map();
let queue = { waiting: 0, longestWaitMs: 0, receivedAt: Date.now(), seats: {} };

function showQueue() {
  $('waiting').textContent = String(queue.waiting);
  $('longest').textContent = duration(queue.waiting ? queue.longestWaitMs + (Date.now() - queue.receivedAt) : 0);
  $('seat-counts').textContent = Object.entries(queue.seats).map(([s, n]) => `${t(`s_${s}`)} ${n}`).join(' · ');
}
setInterval(showQueue, 1000);

function showSeats() {
  $('seats').replaceChildren(...[...seats.values()].sort((a, b) => a.id.localeCompare(b.id)).map((s) => el('tr', {}, el('td', {}, s.id), el('td', { class: `state-${s.state}` }, t(`s_${s.state}`)), el('td', {}, s.reason ?? ''))));
}

async function loadToday() {
  const stats = await api('GET', '/stats/queue');
  $('sl').textContent = stats.period.answeredWithin3sPct === null ? '–' : `${stats.period.answeredWithin3sPct.toFixed(1)}%`;
  $('abandoned').textContent = String(stats.period.abandoned);
}

live((m) => {
  if (m.type === 'queue') {
    queue = { ...m, receivedAt: Date.now() };
    showQueue();
  }
  if (m.type === 'seat') {
    seats.set(m.seat.id, m.seat);
    showSeats();
  }
  if (m.type === 'incident' && ['answered', 'abandoned'].includes(m.kind)) loadToday().catch(() => undefined);
  if (m.type === 'alert') $('alerts').prepend(el('li', {}, `${clock(m.alert.at)} ${m.alert.message}`));
}, $('live'));

await loadToday();
const [cells, officers] = await Promise.all([api('GET', '/dispatch/cells'), api('GET', '/officers')]);
drawMap($('map'), cells, officers, null, { on_duty: 'on duty', busy: 'busy', off_duty: 'off duty' });
document.addEventListener('cti110:lang', () => {
  showQueue();
  showSeats();
});
