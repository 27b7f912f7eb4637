// Recordings desk: search, play with seek (the <audio> element asks the Range endpoint; the
// session cookie goes with it, and every request is in the access log), and daily spot-checks.
import { api, startPage, el, duration, clock, report, t, path, $ } from './common.js';

/** @typedef {import('../src/http/page-types').RecordingItem} RecordingItem */
/** @typedef {import('../src/http/page-types').SpotCheckSample} SpotCheckSample */
/** @typedef {SpotCheckSample['items'][number]} SpotCheckItem */

await startPage();

/** @param {RecordingItem} r */
function play(r) {
  const player = $('player', HTMLAudioElement);
  player.src = path`/recordings/${r.id}/audio`;
  $('now-playing').textContent = `${r.incidentNumber} #${r.seq} · ${clock(r.startedAt)}`;
  player.play().catch(() => undefined); // autoplay may be refused: the controls stay usable
}

async function search() {
  const q = new URLSearchParams({ limit: '50' });
  for (const [id, key] of [['q-incident', 'incident'], ['q-caller', 'callerNumber'], ['q-seat', 'seat']]) if ($(id, HTMLInputElement).value.trim()) q.set(key, $(id, HTMLInputElement).value.trim());
  /** @type {{ items: RecordingItem[] }} */
  const page = await api('GET', `/recordings?${q}`);
  $('results').replaceChildren(
    ...page.items.map((r) => el('tr', {}, el('td', {}, `${r.incidentNumber} #${r.seq}`), el('td', {}, r.callerNumber), el('td', {}, r.seatId ?? ''), el('td', {}, duration(r.durationMs)), el('td', {}, el('button', { 'aria-label': `${t('play')} ${r.incidentNumber} #${r.seq}`, onclick: () => play(r) }, t('play'))))),
  );
}
$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  search().then(() => report(null), report);
});

/** @type {SpotCheckItem | null} */
let scoring = null;
/** @param {SpotCheckSample} sample */
function showSample(sample) {
  $('spot').replaceChildren(
    ...sample.items.map((i) =>
      el('tr', {}, el('td', {}, i.incidentNumber), el('td', {}, i.seatId ?? ''), el('td', {}, i.score ? `${i.score.speed}/${i.score.attitude}/${i.score.correctness} · ${i.score.scorer}` : '–'), el('td', {}, i.score ? '' : el('button', { 'aria-label': `${t('score')} ${i.incidentNumber}`, onclick: () => startScore(i) }, t('score')))),
    ),
  );
}
/** @param {SpotCheckItem} item */
function startScore(item) {
  scoring = item;
  $('score-form').hidden = false;
  $('score-item').textContent = item.incidentNumber;
  $('s-speed').focus();
}
$('btn-draw').addEventListener('click', () => api('POST', '/spot-checks/draw').then(showSample).then(() => report(null), report));
$('score-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (!scoring) return;
  const field = (/** @type {string} */ id) => /** @type {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} */ ($(id)).value;
  const body = { speed: Number(field('s-speed')), attitude: Number(field('s-attitude')), correctness: Number(field('s-correctness')), note: field('s-note') || null };
  api('PUT', path`/spot-checks/${scoring.id}/score`, body)
    .then(async () => {
      $('score-form').hidden = true;
      showSample(await api('GET', '/spot-checks'));
      report(null);
    })
    .catch(report);
});

await search();
showSample(await api('GET', '/spot-checks'));
