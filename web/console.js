// The call-taker's screen: seat state, the current call as it happens (live stream), triage,
// flat dispatch, 12345 transfer and abandoned callers. Every action is a REST call; the screen
// changes only from what the live stream then reports, so it never shows what did not happen.
import { api, live, startPage, t, el, duration, clock, report, path } from './common.js';
import { drawMap } from './map.js';
import { startPhonePanel } from './phone-panel.js';

const $ = (id) => document.getElementById(id);
const me = await startPage();
// A supervisor (or sign-in off) may open the console for a seat: ?seat=1001.
const seat = me.seat ?? new URLSearchParams(location.search).get('seat') ?? (await api('GET', '/seats'))[0]?.id;
let current = null; // { number, callerNumber, arrivedAt, state, ended }
let location_ = null; // the query that found officers: { pole } or { lon, lat }
let cells = { features: [] };
let officers = [];
let caller = null;
let phone = null; // the browser seat's phone (phone-panel.js), null for a SIP softphone seat

async function act(fn) {
  try {
    await fn();
    report(null);
  } catch (err) {
    report(err);
  }
}

// Seat
let lastSeat = null;
function showSeat(s) {
  lastSeat = s;
  $('seat-state').textContent = t(`s_${s.state}`);
  $('seat-state').className = `state-${s.state}`;
  $('seat-reason').textContent = s.reason ? `(${s.reason})` : '';
  $('btn-login').disabled = s.state !== 'logged_out';
  $('btn-ready').disabled = !['not_ready', 'wrap_up', 'logged_out'].includes(s.state);
  $('btn-notready').disabled = !['ready', 'wrap_up', 'ringing'].includes(s.state);
  $('btn-logout').disabled = s.state === 'logged_out';
  $('btn-ready').dataset.state = s.state;
  phone?.refresh();
}
const seatAction = (action, body) => act(() => api('POST', path`/seats/${seat}/${action}`, body));
$('btn-login').addEventListener('click', () => seatAction('login'));
// From logged out, signing the seat in is what makes it ready (the seat machine's login → ready).
$('btn-ready').addEventListener('click', () => seatAction(lastSeat?.state === 'logged_out' ? 'login' : 'ready'));
$('btn-notready').addEventListener('click', () => seatAction('not-ready', { reason: $('reason').selectedOptions[0].textContent }));
$('btn-logout').addEventListener('click', () => seatAction('logout'));

// The current call
function showCall() {
  $('no-call').hidden = !!current;
  $('call').hidden = !current;
  const active = !!current && !current.ended;
  for (const id of ['btn-classify', 'btn-transfer', 'btn-leave', 'btn-conference', 'btn-dispatch-now', 'btn-recall']) $(id).disabled = !active;
  if (!current) return;
  $('call-incident').textContent = current.number;
  $('call-caller').textContent = current.callerNumber || '–';
  $('call-state').textContent = current.ended ? '—' : current.state;
}
function tick() {
  if (current) $('call-since').textContent = duration((current.ended ?? Date.now()) - current.arrivedAt);
}
setInterval(tick, 1000);

function timelineLine(e) {
  const detail = Object.entries(e.detail ?? {}).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ');
  return el('li', {}, `${clock(e.at)} ${e.kind}${detail ? ` · ${detail}` : ''}`);
}
async function newCall(incident) {
  current = { ...incident, ended: null };
  $('timeline').replaceChildren();
  $('officers').replaceChildren();
  $('call-location').textContent = '–';
  caller = null;
  showCall();
  tick();
  const full = await api('GET', path`/incidents/${incident.number}`);
  $('timeline').replaceChildren(...full.timeline.map(timelineLine));
  showLatest();
}
// The newest step is the one that matters: keep it in view.
const showLatest = () => ($('timeline').scrollTop = $('timeline').scrollHeight);

// Triage
$('classify').addEventListener('submit', (e) => {
  e.preventDefault();
  act(() => api('POST', path`/incidents/${current.number}/classify`, { police: $('police-yes').checked, category: $('category').value || undefined, summary: $('notes').value || undefined }));
});
$('btn-transfer').addEventListener('click', () => act(() => api('POST', path`/incidents/${current.number}/transfer`)));
$('btn-leave').addEventListener('click', () => act(() => api('POST', path`/incidents/${current.number}/taker/leave`)));
// The headset's *1 and *2 as buttons: dispatch the nearest officer to where the call said the
// caller is (no location typed), and instant recall of the last seconds; the same services.
$('btn-dispatch-now').addEventListener('click', () => act(() => api('POST', path`/incidents/${current.number}/dispatch`, {})));
$('btn-recall').addEventListener('click', () => act(() => api('POST', path`/incidents/${current.number}/recall`)));

// Dispatch
function locationQuery() {
  const pole = $('pole').value.trim();
  if (pole) return { pole };
  return { lon: Number($('lon').value), lat: Number($('lat').value) };
}
$('btn-find').addEventListener('click', () =>
  act(async () => {
    location_ = locationQuery();
    const ranking = await api('GET', `/dispatch/nearest?${new URLSearchParams(location_)}`);
    const l = ranking.location;
    caller = { lon: l.lon, lat: l.lat, cell: ranking.cell?.id };
    $('call-location').textContent = `${l.lon.toFixed(5)}, ${l.lat.toFixed(5)} · ${t('source')}: ${l.source}${l.pole ? ` ${l.pole}` : ''}${ranking.cell ? ` · ${ranking.cell.id}` : ''}`;
    $('officers').replaceChildren(...ranking.candidates.map((c, i) => el('tr', {}, el('td', {}, i + 1), el('td', {}, `${c.name} (${c.id})`), el('td', {}, `${c.distanceM} m`))));
    officers = await api('GET', '/officers');
    redrawMap();
  }),
);
$('btn-conference').addEventListener('click', () => act(() => api('POST', path`/incidents/${current.number}/dispatch`, location_ ?? locationQuery())));

// Abandoned callers
async function loadAbandoned() {
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
    $('abandoned').querySelector('tr:last-child button')?.click();
  }
});

const redrawMap = () => drawMap($('map'), cells, officers, caller, { on_duty: 'on duty', busy: 'busy', off_duty: 'off duty', caller: t('caller') });

// Live
let waiting = 0;
live((m) => {
  if (m.type === 'seat' && m.seat.id === seat) showSeat(m.seat);
  if (m.type === 'queue') {
    if (m.waiting < waiting) loadAbandoned().catch(() => undefined); // someone left the queue: maybe hung up
    waiting = m.waiting;
  }
  if (m.type === 'incident' && m.incident.seatId === seat) {
    if (m.kind === 'answered' && m.incident.number !== current?.number) {
      newCall(m.incident).catch(report);
      return;
    }
    if (m.incident.number !== current?.number) return;
    current.state = m.incident.state;
    if (m.kind === 'ended') current.ended = m.at;
    $('timeline').append(timelineLine(m));
    showLatest();
    showCall();
  }
  if (m.type === 'alert') $('message').textContent = m.alert.message;
}, $('live'));

// The phone first: a nailed seat's log-in needs it registered.
phone = await startPhonePanel(seat, () => lastSeat?.state === 'on_call');
const categories = await api('GET', '/triage/categories');
$('category').replaceChildren(el('option', { value: '' }, '–'), ...Object.entries(categories).map(([id, where]) => el('option', { value: id }, `${id} → ${where}`)));
showCall();
// After a reload (or on a second screen) the call in progress at the seat is found again.
const inProgress = await api('GET', path`/seats/${seat}/call`);
if (inProgress && inProgress.incident !== current?.number) await newCall(await api('GET', path`/incidents/${inProgress.incident}`)).catch(report);
await loadAbandoned();
[cells, officers] = await Promise.all([api('GET', '/dispatch/cells'), api('GET', '/officers')]);
redrawMap();
document.addEventListener('cti110:lang', () => {
  if (lastSeat) showSeat(lastSeat);
  showCall();
  redrawMap();
});
