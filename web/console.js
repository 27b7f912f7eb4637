// The call-taker's screen: seat state, the current call as it happens (live stream), triage,
// flat dispatch, 12345 transfer and abandoned callers. Every action is a REST call; the screen
// changes only from what the live stream then reports, so it never shows what did not happen.
import { api, live, startPage, t, el, duration, report, path, $ } from './common.js';
import { drawMap } from './map.js';
import { startPhonePanel } from './phone-panel.js';
import { startTextPanel } from './texts-panel.js';
import { timelineItem, languageName } from './timeline.js';

/** @typedef {import('../src/http/page-types').SeatView} SeatView */
/** @typedef {import('../src/http/page-types').CallView} CallView */
/** @typedef {import('../src/http/page-types').IncidentWithTimeline} IncidentWithTimeline */
/** @typedef {import('../src/http/page-types').TimelineEntry} TimelineEntry */
/** @typedef {import('../src/http/page-types').CellCollection} CellCollection */
/** @typedef {import('../src/http/page-types').Officer} Officer */
/** @typedef {import('../src/http/page-types').NearestAnswer} NearestAnswer */
/** @typedef {import('../src/http/page-types').AbandonedCall} AbandonedCall */
/** @typedef {import('./map.js').CallerMark} CallerMark */

const me = await startPage();
// A supervisor (or sign-in off) may open the console for a seat: ?seat=1001.
/** @type {string} */
const seat = me.seat ?? new URLSearchParams(location.search).get('seat') ?? (await api('GET', '/seats'))[0]?.id;
/** @type {(Pick<CallView, 'number' | 'callerNumber' | 'arrivedAt' | 'state'> & { ended: number | null }) | null} */
let current = null;
/** @type {{ pole: string } | { lon: number, lat: number } | null} the query that found officers */
let location_ = null;
/** @type {CellCollection} */
let cells = { type: 'FeatureCollection', features: [] };
/** @type {Officer[]} */
let officers = [];
/** @type {CallerMark | null} */
let caller = null;
/** @type {{ refresh(): void } | null} the browser seat's phone (phone-panel.js), null for a SIP softphone seat */
let phone = null;
/** @type {{ incidentStep(m: Extract<import('../src/http/page-types').LiveMessage, { type: 'incident' }>): boolean } | null} the text report panel (texts-panel.js) */
let texts = null;
/** @type {{ kind: string, at: number, detail: Record<string, unknown> }[]} the current call's steps, kept to re-word them when the language changes */
let steps = [];

/** @param {() => Promise<unknown>} fn */
async function act(fn) {
  try {
    await fn();
    report(null);
  } catch (err) {
    report(err);
  }
}

// Seat
/** @type {SeatView | null} */
let lastSeat = null;
/** @param {SeatView} s */
function showSeat(s) {
  lastSeat = s;
  $('seat-state').textContent = t(`s_${s.state}`);
  $('seat-state').className = `state-${s.state}`;
  $('seat-reason').textContent = s.reason ? `(${s.reason})` : '';
  $('btn-login', HTMLButtonElement).disabled = s.state !== 'logged_out';
  $('btn-ready', HTMLButtonElement).disabled = !['not_ready', 'wrap_up', 'logged_out'].includes(s.state);
  $('btn-notready', HTMLButtonElement).disabled = !['ready', 'wrap_up', 'ringing'].includes(s.state);
  $('btn-logout', HTMLButtonElement).disabled = s.state === 'logged_out';
  $('btn-ready').dataset.state = s.state;
  phone?.refresh();
}
/** @param {string} action @param {unknown} [body] */
const seatAction = (action, body) => act(() => api('POST', path`/seats/${seat}/${action}`, body));
$('btn-login').addEventListener('click', () => seatAction('login'));
// From logged out, signing the seat in is what makes it ready (the seat machine's login → ready).
$('btn-ready').addEventListener('click', () => seatAction(lastSeat?.state === 'logged_out' ? 'login' : 'ready'));
$('btn-notready').addEventListener('click', () => seatAction('not-ready', { reason: $('reason', HTMLSelectElement).selectedOptions[0]?.textContent }));
$('btn-logout').addEventListener('click', () => seatAction('logout'));

// The current call
function showCall() {
  $('no-call').hidden = !!current;
  $('call').hidden = !current;
  const active = !!current && !current.ended;
  for (const id of ['btn-classify', 'btn-transfer', 'btn-leave', 'btn-conference', 'btn-dispatch-now', 'btn-recall', 'btn-interpreter', 'btn-interpreter-dismiss']) $(id, HTMLButtonElement).disabled = !active;
  if (!current) return;
  $('call-incident').textContent = current.number;
  $('call-caller').textContent = current.callerNumber || '–';
  $('call-state').textContent = current.ended ? '—' : current.state;
}
function tick() {
  if (current) $('call-since').textContent = duration((current.ended ?? Date.now()) - current.arrivedAt);
}
setInterval(tick, 1000);

// The timeline in sentences (timeline.js), officers named as the roster names them.
const names = { officerName: (/** @type {string} */ id) => officers.find((o) => o.id === id)?.name ?? null };
const showTimeline = () => $('timeline').replaceChildren(...steps.map((e) => timelineItem(e, names)));

/** @param {Pick<CallView, 'number' | 'callerNumber' | 'arrivedAt' | 'state'>} incident */
async function newCall(incident) {
  current = { number: incident.number, callerNumber: incident.callerNumber, arrivedAt: incident.arrivedAt, state: incident.state, ended: null };
  steps = [];
  $('timeline').replaceChildren();
  $('officers').replaceChildren();
  found = null;
  $('call-location').textContent = '–';
  caller = null;
  showCall();
  tick();
  /** @type {IncidentWithTimeline} */
  const full = await api('GET', path`/incidents/${incident.number}`);
  steps = full.timeline;
  showTimeline();
  showLatest();
}
// The newest step is the one that matters: keep it in view.
const showLatest = () => ($('timeline').scrollTop = $('timeline').scrollHeight);

// Triage
/** The number of the call on screen: its actions are enabled only while there is one. */
const callNumber = () => {
  if (!current) throw new Error(t('no_call'));
  return current.number;
};
$('classify').addEventListener('submit', (e) => {
  e.preventDefault();
  act(() => api('POST', path`/incidents/${callNumber()}/classify`, { police: $('police-yes', HTMLInputElement).checked, category: $('category', HTMLSelectElement).value || undefined, summary: $('notes', HTMLTextAreaElement).value || undefined }));
});
$('btn-transfer').addEventListener('click', () => act(() => api('POST', path`/incidents/${callNumber()}/transfer`)));
$('btn-leave').addEventListener('click', () => act(() => api('POST', path`/incidents/${callNumber()}/taker/leave`)));
// The headset's *1 and *2 as buttons: dispatch the nearest officer to where the call said the
// caller is (no location typed), and instant recall of the last seconds; the same services.
$('btn-dispatch-now').addEventListener('click', () => act(() => api('POST', path`/incidents/${callNumber()}/dispatch`, {})));
$('btn-recall').addEventListener('click', () => act(() => api('POST', path`/incidents/${callNumber()}/recall`)));
// Interpreter on the line (外语接警): the chosen language's lines are rung into the call; the
// outcome (joined, nobody answered, left) comes as timeline steps like every other.
$('btn-interpreter').addEventListener('click', () => act(() => api('POST', path`/incidents/${callNumber()}/interpreter`, { language: $('interpreter-language', HTMLSelectElement).value })));
$('btn-interpreter-dismiss').addEventListener('click', () => act(() => api('DELETE', path`/incidents/${callNumber()}/interpreter`)));

// Dispatch
/** @type {NearestAnswer | null} the last officers' search: where it placed the caller */
let found = null;
function showLocation() {
  if (!found) return;
  const l = found.location;
  $('call-location').textContent = `${l.lon.toFixed(5)}, ${l.lat.toFixed(5)} · ${t('source')}: ${l.source}${l.pole ? ` ${l.pole}` : ''}${found.cell ? ` · ${found.cell.id}` : ''}`;
}
/** @returns {{ pole: string } | { lon: number, lat: number }} */
function locationQuery() {
  const pole = $('pole', HTMLInputElement).value.trim();
  if (pole) return { pole };
  return { lon: Number($('lon', HTMLInputElement).value), lat: Number($('lat', HTMLInputElement).value) };
}
$('btn-find').addEventListener('click', () =>
  act(async () => {
    const query = locationQuery();
    location_ = query;
    /** @type {NearestAnswer} */
    const ranking = await api('GET', `/dispatch/nearest?${new URLSearchParams('pole' in query ? query : { lon: String(query.lon), lat: String(query.lat) })}`);
    const l = ranking.location;
    caller = { lon: l.lon, lat: l.lat, cell: ranking.cell?.id };
    found = ranking;
    showLocation();
    $('officers').replaceChildren(...ranking.candidates.map((c, i) => el('tr', {}, el('td', {}, i + 1), el('td', {}, `${c.name} (${c.id})`), el('td', {}, `${c.distanceM} m`))));
    officers = await api('GET', '/officers');
    redrawMap();
  }),
);
$('btn-conference').addEventListener('click', () => act(() => api('POST', path`/incidents/${callNumber()}/dispatch`, location_ ?? locationQuery())));

// Abandoned callers
async function loadAbandoned() {
  /** @type {AbandonedCall[]} */
  const list = await api('GET', '/abandoned?pending=true&limit=20');
  $('abandoned').replaceChildren(
    ...list.map((a) =>
      el('tr', {}, el('td', {}, a.callerNumber), el('td', {}, a.number), el('td', {}, duration(a.waitMs)), el('td', {}, el('button', { 'aria-label': `${t('call_back')} ${a.callerNumber}`, onclick: () => act(() => api('POST', path`/abandoned/${a.number}/callback`, { seat })) }, t('call_back')))),
    ),
  );
}
// Alt+B calls back the oldest listed caller.
document.addEventListener('keydown', (e) => {
  if (e.altKey && e.key.toUpperCase() === 'B') {
    e.preventDefault();
    const oldest = $('abandoned').querySelector('tr:last-child button');
    if (oldest instanceof HTMLButtonElement) oldest.click();
  }
});

const redrawMap = () => drawMap($('map', SVGSVGElement), cells, officers, caller);

// Live
let waiting = 0;
live((m) => {
  if (m.type === 'seat' && m.seat.id === seat) showSeat(m.seat);
  if (m.type === 'queue') {
    if (m.waiting < waiting) loadAbandoned().catch(() => undefined); // someone left the queue: maybe hung up
    waiting = m.waiting;
  }
  if (m.type === 'incident' && m.incident.seatId === seat) {
    // A text report's steps go to its own panel; a text taken beside a call leaves the call on screen.
    if (texts?.incidentStep(m)) return;
    if (m.kind === 'answered' && m.incident.number !== current?.number) {
      newCall(m.incident).catch(report);
      return;
    }
    if (!current || m.incident.number !== current.number) return;
    current.state = m.incident.state;
    if (m.kind === 'ended') current.ended = m.at;
    steps.push(m);
    $('timeline').append(timelineItem(m, names));
    showLatest();
    showCall();
  }
  if (m.type === 'alert') $('message').textContent = m.alert.message;
}, $('live'));

// The phone first: a nailed seat's log-in needs it registered.
phone = await startPhonePanel(seat, () => lastSeat?.state === 'on_call');
texts = await startTextPanel(seat);
/** @type {Record<string, string>} */
const categories = await api('GET', '/triage/categories');
$('category').replaceChildren(el('option', { value: '' }, '–'), ...Object.entries(categories).map(([id, where]) => el('option', { value: id }, `${id} → ${where}`)));
/** @type {string[]} the languages with interpreter lines, from the service's configuration */
const languages = await api('GET', '/interpreting/languages');
const showLanguages = () => {
  const chosen = $('interpreter-language', HTMLSelectElement).value;
  $('interpreter-language').replaceChildren(...languages.map((tag) => el('option', { value: tag, selected: tag === chosen }, languageName(tag))));
};
showLanguages();
showCall();
// After a reload (or on a second screen) the call in progress at the seat is found again.
/** @type {{ incident: string } | null} */
const inProgress = await api('GET', path`/seats/${seat}/call`);
// (current is set by the live stream meanwhile: read through a function, not narrowed to its first value)
const onScreen = () => current?.number;
if (inProgress && inProgress.incident !== onScreen()) await newCall(await api('GET', path`/incidents/${inProgress.incident}`)).catch(report);
await loadAbandoned();
[cells, officers] = await Promise.all([api('GET', '/dispatch/cells'), api('GET', '/officers')]);
redrawMap();
document.addEventListener('cti110:lang', () => {
  if (lastSeat) showSeat(lastSeat);
  showCall();
  showTimeline();
  showLocation();
  showLanguages();
  redrawMap();
});
