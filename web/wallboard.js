// The supervisors' wall: queue, seats, today's service level and alerts, all from the live
// stream; today's figures are re-read only when a call was answered or abandoned (no polling).
import { api, live, startPage, t, el, duration, clock, report, path } from './common.js';
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

// Monitoring: on a seat's live call, ring the chosen supervisor phone to listen, whisper or barge
// (POST /monitoring by seat); on the seat already monitored, the same buttons switch the mode
// (PUT /monitoring/:id/mode). The session's state is read while one is open.
const MODES = ['listen', 'whisper', 'barge'];
let session = null; // the monitoring session opened from this page, as GET /monitoring/:id says
let polling = null;

function monitorButtons(s) {
  if (s.state !== 'on_call') return '';
  return el('span', {}, ...MODES.map((mode) => el('button', {
    class: `monitor-${mode}`, 'data-seat': s.id, 'data-mode': mode, 'aria-label': `${t(mode)} ${t('seat')} ${s.id}`,
    'aria-pressed': String(!!session && session.state !== 'ended' && session.seat === s.id && session.mode === mode), onclick: () => monitor(s.id, mode),
  }, t(mode))));
}

function showSeats() {
  // Re-drawn on every seat change: keyboard focus stays on the monitoring button it was on.
  const focused = document.activeElement?.closest?.('#seats button');
  const keep = focused ? `button[data-seat="${focused.dataset.seat}"][data-mode="${focused.dataset.mode}"]` : null;
  $('seats').replaceChildren(...[...seats.values()].sort((a, b) => a.id.localeCompare(b.id)).map((s) => el('tr', {}, el('td', {}, s.id), el('td', { class: `state-${s.state}` }, t(`s_${s.state}`)), el('td', {}, s.reason ?? ''), el('td', {}, monitorButtons(s)))));
  if (keep) $('seats').querySelector(keep)?.focus();
}

function showSession() {
  const open = session && session.state !== 'ended';
  $('monitor-state').textContent = session ? `${t(`m_${session.state}`)} · ${t(session.mode)} · ${t('seat')} ${session.seat ?? '–'} · ${session.incident} · ${session.supervisor}` : t('m_none');
  $('monitor-state').dataset.state = session?.state ?? 'none';
  $('btn-stop').disabled = !open;
  $('supervisor').disabled = !!open;
  for (const b of document.querySelectorAll('#seats button[data-mode]')) b.setAttribute('aria-pressed', String(!!open && session.seat === b.dataset.seat && session.mode === b.dataset.mode));
}

function follow(s) {
  session = s;
  showSession();
  const open = s && s.state !== 'ended';
  if (!open) {
    clearInterval(polling);
    polling = null;
  } else if (!polling) {
    polling = setInterval(async () => {
      if (!session) return;
      try {
        follow(await api('GET', path`/monitoring/${session.id}`));
      } catch (err) {
        if (err.status === 404) follow({ ...session, state: 'ended' }); // stopped, or the call or the supervisor hung up
      }
    }, 1000);
  }
}

async function monitor(seatId, mode) {
  try {
    if (session && session.state !== 'ended' && session.seat === seatId) follow(await api('PUT', path`/monitoring/${session.id}/mode`, { mode }));
    else follow(await api('POST', '/monitoring', { seat: seatId, mode, supervisor: $('supervisor').value }));
    report(null);
  } catch (err) {
    report(err);
  }
}

$('btn-stop').addEventListener('click', async () => {
  if (!session) return;
  try {
    await api('DELETE', path`/monitoring/${session.id}`);
    follow({ ...session, state: 'ended' });
    report(null);
  } catch (err) {
    report(err);
  }
});
$('supervisor').addEventListener('change', () => localStorage.setItem('cti110.supervisor', $('supervisor').value));

async function loadSupervisors() {
  const { items } = await api('GET', '/monitoring/supervisors');
  const chosen = localStorage.getItem('cti110.supervisor');
  $('supervisor').replaceChildren(...items.map((s) => el('option', { value: s.id, selected: s.id === chosen }, `${s.id} (${s.endpoint})`)));
  // A session this page opened before a reload goes on: pick it up again.
  const open = (await api('GET', '/monitoring')).items.find((s) => s.supervisor === $('supervisor').value && s.state !== 'ended');
  follow(open ?? null);
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
await loadSupervisors().catch(report);
const [cells, officers] = await Promise.all([api('GET', '/dispatch/cells'), api('GET', '/officers')]);
drawMap($('map'), cells, officers, null, { on_duty: 'on duty', busy: 'busy', off_duty: 'off duty' });
document.addEventListener('cti110:lang', () => {
  showQueue();
  showSeats();
  showSession();
});
