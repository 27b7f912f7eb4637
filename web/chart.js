// The wallboard's last hour as plain SVG (no chart library, nothing from a CDN): calls waiting
// (the peak of each minute) above, the slowest answer of each minute below with the 3 s target
// across it. One shared time axis, an hour ago on the left, now on the right.
import { t } from './common.js';

/** @typedef {import('../src/http/page-types').MinutePoint} MinutePoint */

const NS = 'http://www.w3.org/2000/svg';
const LEFT = 44;
const RIGHT = 12;
const PANELS = { waiting: { top: 26, height: 84 }, answer: { top: 150, height: 84 } };
const H = 262;

/** @param {string} tag @param {Record<string, string | number>} attrs @param {string} [text] */
const node = (tag, attrs, text) => {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
};
/** The smallest 1, 2 or 5 × 10^n at least `v` (an axis' top). @param {number} v */
const niceCeil = (v) => {
  const p = 10 ** Math.floor(Math.log10(Math.max(v, 1)));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
};

/**
 * One panel: its axis, label and series; null values break the line (a minute with no answer).
 * @param {SVGSVGElement} svg @param {{ top: number, height: number }} panel @param {(number | null)[]} values
 * @param {number} max @param {string} label @param {string} cls @param {number[]} ticks
 */
function panel(svg, panel, values, max, label, cls, ticks) {
  const W = width(svg);
  const x = (/** @type {number} */ i) => LEFT + ((W - LEFT - RIGHT) * i) / Math.max(values.length - 1, 1);
  const y = (/** @type {number} */ v) => panel.top + panel.height - (panel.height * Math.min(v, max)) / max;
  svg.append(node('text', { x: LEFT, y: panel.top - 8, class: 'chart-label' }, label));
  for (const v of ticks) {
    svg.append(node('line', { x1: LEFT, x2: W - RIGHT, y1: y(v), y2: y(v), class: 'grid-line' }));
    svg.append(node('text', { x: LEFT - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(v)));
  }
  /** @type {string[][]} */
  const runs = [[]];
  values.forEach((v, i) => {
    if (v === null) runs.push([]);
    else runs[runs.length - 1].push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  const g = node('g', { class: `series ${cls}`, 'data-points': values.filter((v) => v !== null).length });
  for (const run of runs.filter((r) => r.length)) {
    if (run.length > 1) g.append(node('polyline', { points: run.join(' ') }));
    for (const p of run) {
      const [px, py] = p.split(',');
      g.append(node('circle', { cx: px, cy: py, r: 2.5 }));
    }
  }
  svg.append(g);
}

/**
 * The drawing's width in its own units: the box's shape at a fixed height, so that text keeps its
 * size and the hour spreads over whatever width the page gives it (redrawn when that changes).
 * @param {SVGSVGElement} svg
 */
const width = (svg) => {
  const box = svg.getBoundingClientRect();
  return box.width > 0 && box.height > 0 ? Math.max(480, Math.round((box.width / box.height) * H)) : 720;
};

/**
 * Draws the last hour into `svg` (60 points, oldest first, as GET /stats/recent gives them).
 * The points are minutes, the last one the current minute: point i is (n − 1 − i) minutes ago.
 * @param {SVGSVGElement} svg @param {MinutePoint[]} points @param {number} targetMs
 */
export function drawChart(svg, points, targetMs) {
  svg.replaceChildren();
  const W = width(svg);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const waiting = points.map((p) => p.waiting);
  const answers = points.map((p) => (p.maxAnswerMs === null ? null : p.maxAnswerMs / 1000));
  const waitMax = niceCeil(Math.max(1, ...waiting));
  panel(svg, PANELS.waiting, waiting, waitMax, t('chart_waiting'), 'series-waiting', [0, waitMax / 2, waitMax].filter((v) => Number.isInteger(v)));
  const targetS = targetMs / 1000;
  const answerMax = niceCeil(Math.max(targetS * 2, ...answers.map((a) => a ?? 0)));
  panel(svg, PANELS.answer, answers, answerMax, t('chart_answer'), 'series-answer', [0, answerMax]);
  // The target the floor is held to, across the answer panel.
  const ty = PANELS.answer.top + PANELS.answer.height - (PANELS.answer.height * targetS) / answerMax;
  svg.append(node('line', { x1: LEFT, x2: W - RIGHT, y1: ty, y2: ty, class: 'target-line' }));
  svg.append(node('text', { x: W - RIGHT, y: ty - 4, 'text-anchor': 'end', class: 'target-label' }, t('chart_target')));
  // Time axis: every quarter of an hour back from now.
  const base = PANELS.answer.top + PANELS.answer.height + 18;
  const last = points.length - 1;
  for (const ago of [45, 30, 15, 0].filter((m) => m <= last)) {
    const x = LEFT + ((W - LEFT - RIGHT) * (last - ago)) / Math.max(last, 1);
    svg.append(node('text', { x, y: base, 'text-anchor': ago === 0 ? 'end' : 'middle', class: 'tick' }, ago === 0 ? t('now') : `${ago} ${t('minutes_ago')}`));
  }
}
