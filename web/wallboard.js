// The supervisors' wall: queue, seats, today's service level and alerts, all from the live
// stream; today's figures are re-read only when a call was answered or abandoned (no polling).
// The last hour and the seats needed now (GET /stats/recent) are re-read then too, and once a
// minute, when the chart moves on by a minute.
import { api, live, startPage, t, el, duration, clock, report, path, $ } from './common.js';
import { drawMap } from './map.js';
import { drawChart } from './chart.js';

/** @typedef {import('../src/http/page-types').SeatView} SeatView */
/** @typedef {import('../src/http/page-types').MonitoringView} MonitoringView */
/** @typedef {import('../src/http/page-types').Supervisor} Supervisor */
/** @typedef {import('../src/http/page-types').QueueStats} QueueStats */
/** @typedef {import('../src/http/page-types').Recent} Recent */
/** @typedef {import('../src/http/page-types').CellCollection} CellCollection */
/** @typedef {import('../src/http/page-types').Officer} Officer */
/** @typedef {import('../src/http/page-types').FollowUpStats} FollowUpStats */
/** @typedef {import('../src/http/page-types').FollowUpFigures} FollowUpFigures */
/** @typedef {Extract<import('../src/http/page-types').LiveMessage, { type: 'queue' }>} QueueMessage */

await startPage();
/** @type {Map<string, SeatView>} */
const seats = new Map();
/** @type {Pick<QueueMessage, 'waiting' | 'longestWaitMs' | 'seats'> & { receivedAt: number }} */
let queue = { waiting: 0, longestWaitMs: 0, receivedAt: Date.now(), seats: { logged_out: 0, ready: 0, ringing: 0, on_call: 0, wrap_up: 0, not_ready: 0 } };

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
/** @type {MonitoringView | null} the monitoring session opened from this page, as GET /monitoring/:id says */
let session = null;
/** @type {ReturnType<typeof setInterval> | null} */
let polling = null;

/** @param {SeatView} s */
function monitorButtons(s) {
  if (s.state !== 'on_call') return '';
  return el('span', {}, ...MODES.map((mode) => el('button', {
    class: `monitor-${mode}`, 'data-seat': s.id, 'data-mode': mode, 'aria-label': `${t(mode)} ${t('seat')} ${s.id}`,
    'aria-pressed': String(!!session && session.state !== 'ended' && session.seat === s.id && session.mode === mode), onclick: () => monitor(s.id, mode),
  }, t(mode))));
}

function showSeats() {
  // Re-drawn on every seat change: keyboard focus stays on the monitoring button it was on.
  const focused = document.activeElement?.closest('#seats button');
  const keep = focused instanceof HTMLElement ? `button[data-seat="${focused.dataset.seat}"][data-mode="${focused.dataset.mode}"]` : null;
  $('seats').replaceChildren(...[...seats.values()].sort((a, b) => a.id.localeCompare(b.id)).map((s) => el('tr', {}, el('td', {}, s.id), el('td', { class: `state-${s.state}` }, t(`s_${s.state}`)), el('td', {}, s.reason ?? ''), el('td', {}, monitorButtons(s)))));
  const again = keep ? $('seats').querySelector(keep) : null;
  if (again instanceof HTMLElement) again.focus();
}

function showSession() {
  const open = session && session.state !== 'ended';
  $('monitor-state').textContent = session ? `${t(`m_${session.state}`)} · ${t(session.mode)} · ${t('seat')} ${session.seat ?? '–'} · ${session.incident} · ${session.supervisor}` : t('m_none');
  $('monitor-state').dataset.state = session?.state ?? 'none';
  $('btn-stop', HTMLButtonElement).disabled = !open;
  $('supervisor', HTMLSelectElement).disabled = !!open;
  for (const b of document.querySelectorAll('#seats button[data-mode]')) {
    if (b instanceof HTMLElement) b.setAttribute('aria-pressed', String(!!open && session?.seat === b.dataset.seat && session?.mode === b.dataset.mode));
  }
}

/** @param {MonitoringView | null} s */
function follow(s) {
  session = s;
  showSession();
  const open = s && s.state !== 'ended';
  if (!open) {
    if (polling) clearInterval(polling);
    polling = null;
  } else if (!polling) {
    polling = setInterval(async () => {
      if (!session) return;
      try {
        follow(await api('GET', path`/monitoring/${session.id}`));
      } catch (err) {
        if (/** @type {import('./common.js').ApiError} */ (err).status === 404 && session) follow({ ...session, state: 'ended' }); // stopped, or the call or the supervisor hung up
      }
    }, 1000);
  }
}

/** @param {string} seatId @param {string} mode */
async function monitor(seatId, mode) {
  try {
    if (session && session.state !== 'ended' && session.seat === seatId) follow(await api('PUT', path`/monitoring/${session.id}/mode`, { mode }));
    else follow(await api('POST', '/monitoring', { seat: seatId, mode, supervisor: $('supervisor', HTMLSelectElement).value }));
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
$('supervisor').addEventListener('change', () => localStorage.setItem('cti110.supervisor', $('supervisor', HTMLSelectElement).value));

async function loadSupervisors() {
  /** @type {{ items: Supervisor[] }} */
  const { items } = await api('GET', '/monitoring/supervisors');
  const chosen = localStorage.getItem('cti110.supervisor');
  $('supervisor').replaceChildren(...items.map((s) => el('option', { value: s.id, selected: s.id === chosen }, `${s.id} (${s.endpoint})`)));
  // A session this page opened before a reload goes on: pick it up again.
  /** @type {{ items: MonitoringView[] }} */
  const sessions = await api('GET', '/monitoring');
  const open = sessions.items.find((s) => s.supervisor === $('supervisor', HTMLSelectElement).value && s.state !== 'ended');
  follow(open ?? null);
}

async function loadToday() {
  /** @type {QueueStats} */
  const stats = await api('GET', '/stats/queue');
  $('sl').textContent = stats.period.answeredWithin3sPct === null ? '–' : `${stats.period.answeredWithin3sPct.toFixed(1)}%`;
  $('abandoned').textContent = String(stats.period.abandoned);
}

// Today's follow-ups (回访) per call-taker seat and per unit (GET /stats/follow-up), re-read when
// one finishes. A service with follow-ups off has no such route: the section goes.
/** @type {FollowUpStats | null} */
let followUps = null;
/** @param {number | null} x */
const mean = (x) => (x === null ? '–' : x.toFixed(2));
/** @param {string} label @param {FollowUpFigures} f */
const followUpRow = (label, f) => el('tr', { class: f.unsatisfied ? 'unsatisfied' : '' }, ...[label, f.asked, f.answered, f.notReached, mean(f.meanSpeed), mean(f.meanAttitude), mean(f.meanEfficiency), f.unsatisfied].map((v) => el('td', {}, String(v))));
function showFollowUps() {
  if (!followUps) return;
  const f = followUps;
  $('followup-rows').replaceChildren(
    followUpRow(t('fu_all'), f.total),
    ...f.bySeat.map((x) => followUpRow(`${t('seat')} ${x.key}`, x)),
    ...f.byUnit.map((x) => followUpRow(`${t('fu_unit')} ${x.key}`, x)),
  );
}
async function loadFollowUps() {
  try {
    followUps = await api('GET', '/stats/follow-up');
    showFollowUps();
  } catch (err) {
    if (/** @type {import('./common.js').ApiError} */ (err).status === 404) $('followup').hidden = true;
    else throw err;
  }
}

// The last hour and the seats needed: the server's figures, with the live queue laid over the
// current minute (a call waiting now shows at once, not at the next read).
/** @type {Recent | null} */
let recent = null;
/** Whether a queue message came since the page opened (before it, the seats are the last read's). */
let queueHeard = false;
function showRecent() {
  if (!recent) return;
  const last = recent.history.length - 1;
  const points = recent.history.map((p, i) => (i === last && queueHeard ? { ...p, waiting: Math.max(p.waiting, queue.waiting) } : p));
  drawChart($('chart', SVGSVGElement), points, recent.staffing.targetMs);
  const s = recent.staffing;
  // The seats there are now, from the live stream (the figure read with the last hour ages).
  const staffed = queueHeard ? queue.seats.ready + queue.seats.ringing + queue.seats.on_call : s.staffed;
  const short = s.needed === null ? 0 : Math.max(0, s.needed - staffed);
  $('seats-needed').textContent = s.needed === null ? '–' : String(s.needed);
  $('seats-staffed').textContent = String(staffed);
  $('seats-short').textContent = String(short);
  $('staffing').dataset.shortfall = String(short);
  $('staffing-basis').textContent = s.needed === null ? t('staffing_unknown') : t('staffing_basis', { rate: s.arrivalsPerMin, handle: duration(s.handleMs ?? 0), goal: s.goalPct });
}
async function loadRecent() {
  recent = await api('GET', '/stats/recent');
  showRecent();
}
// Re-read after calls are answered, abandoned or ended, but at most every 5 s: in a surge those
// come many a second, and each read covers the hour's calls.
const RECENT_EVERY_MS = 5000;
/** @type {ReturnType<typeof setTimeout> | null} */
let recentTimer = null;
let recentReadAt = 0;
function refreshRecent() {
  if (recentTimer) return;
  recentTimer = setTimeout(() => {
    recentTimer = null;
    recentReadAt = Date.now();
    loadRecent().catch(() => undefined);
  }, Math.max(0, recentReadAt + RECENT_EVERY_MS - Date.now()));
}

live((m) => {
  if (m.type === 'queue') {
    queue = { ...m, receivedAt: Date.now() };
    queueHeard = true;
    showQueue();
    showRecent();
  }
  if (m.type === 'seat') {
    seats.set(m.seat.id, m.seat);
    showSeats();
  }
  if (m.type === 'incident' && ['answered', 'abandoned', 'ended'].includes(m.kind)) {
    if (m.kind !== 'ended') loadToday().catch(() => undefined);
    refreshRecent();
  }
  if (m.type === 'incident' && ['followup_answered', 'followup_not_reached'].includes(m.kind)) loadFollowUps().catch(() => undefined);
  if (m.type === 'alert') $('alerts').prepend(el('li', {}, `${clock(m.alert.at)} ${m.alert.message}`));
}, $('live'));

await loadToday();
recentReadAt = Date.now();
await loadRecent().catch(report);
// The chart's minutes move on even when no call does.
setInterval(refreshRecent, 60_000);
await loadSupervisors().catch(report);
await loadFollowUps().catch(report);
setInterval(() => loadFollowUps().catch(() => undefined), 60_000);
/** @type {[CellCollection, Officer[]]} */
const [cells, officers] = await Promise.all([api('GET', '/dispatch/cells'), api('GET', '/officers')]);
const redrawMap = () => drawMap($('map', SVGSVGElement), cells, officers, null);
redrawMap();
// The chart is drawn to its box: a new window size, a new drawing.
addEventListener('resize', showRecent);
document.addEventListener('cti110:lang', () => {
  showQueue();
  showSeats();
  showSession();
  showRecent();
  showFollowUps();
  redrawMap();
});
