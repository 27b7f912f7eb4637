// The grid map as SVG, to scale: cells with their names, officers by duty state, the caller, a
// scale bar. Projected to metres around the map's centre (equidistant cylindrical with its
// standard parallel there: x = R·Δλ·cos φ0, y = R·Δφ), so one SVG unit is one metre both ways and
// the bar, drawn in the same units, stays true whatever size the page gives the map. Across a
// city (< 50 km) the projection is off by under 0.2 %, less than the GPS error it shows.
import { t } from './common.js';

/** @typedef {import('../src/http/page-types').CellCollection} CellCollection */
/** @typedef {import('../src/http/page-types').Officer} Officer */
/** @typedef {{ lon: number, lat: number, cell?: string | null }} CallerMark */
/** @typedef {[number, number]} XY metres east and north of the map's centre */

/** The mean Earth radius the service's distances use (src/dispatch/geo.ts): the bar agrees with them. */
const EARTH_RADIUS_M = 6_371_008.8;
const NS = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag @param {Record<string, string | number>} attrs @param {string} [text]
 * @returns {SVGElement}
 */
const node = (tag, attrs, text) => {
  const n = /** @type {SVGElement} */ (document.createElementNS(NS, tag));
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
};
/** @param {CellCollection['features'][number]['geometry']} g @returns {number[][][]} */
const rings = (g) => (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat());

/** A projection to metres around (lon0, lat0). @param {number} lon0 @param {number} lat0 */
export function projection(lon0, lat0) {
  const k = (Math.PI / 180) * EARTH_RADIUS_M;
  const cos0 = Math.cos((lat0 * Math.PI) / 180);
  /** @param {number} lon @param {number} lat @returns {XY} */
  return (lon, lat) => [(lon - lon0) * k * cos0, (lat - lat0) * k];
}

/** The longest 1, 2 or 5 × 10^n metres not over `max`. @param {number} max */
export function niceLength(max) {
  const p = 10 ** Math.floor(Math.log10(max));
  return [5, 2, 1].map((m) => m * p).find((m) => m <= max) ?? p;
}

/** Area-weighted centre of a ring (shoelace). @param {XY[]} ring @returns {XY} */
function centroid(ring) {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[i + 1];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-9) return ring[0];
  return [cx / (3 * a), cy / (3 * a)];
}

/**
 * Where a cell's name goes: centred, near the top of its (outer) ring, so that officers and the
 * caller, who are mostly nearer the middle, do not cover it. A ring too low for that: its centre.
 * @param {XY[]} ring @param {number} font @returns {XY}
 */
function labelAt(ring, font) {
  const [cx, cy] = centroid(ring);
  const top = Math.max(...ring.map((p) => p[1]));
  const bottom = Math.min(...ring.map((p) => p[1]));
  return top - bottom > font * 4 ? [cx, top - font * 1.2] : [cx, cy + font * 0.3];
}

/**
 * Draws the map into `svg`.
 * @param {SVGSVGElement} svg
 * @param {CellCollection} cells
 * @param {Officer[]} officers
 * @param {CallerMark | null} caller
 */
export function drawMap(svg, cells, officers, caller) {
  svg.replaceChildren();
  const lonLats = [
    ...cells.features.flatMap((f) => rings(f.geometry).flat()),
    ...officers.flatMap((o) => (o.position ? [[o.position.lon, o.position.lat]] : [])),
    ...(caller ? [[caller.lon, caller.lat]] : []),
  ];
  if (!lonLats.length) return;
  const lons = lonLats.map((p) => p[0]);
  const lats = lonLats.map((p) => p[1]);
  const project = projection((Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2);
  const points = lonLats.map(([lon, lat]) => project(lon, lat));
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  // North up: SVG's y grows downwards, so north (y) is drawn at −y.
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(maxX - minX, maxY - minY, 200);
  const pad = span * 0.06;
  const bottom = span * 0.1; // room under the grid for the scale bar
  const width = maxX - minX + 2 * pad;
  const height = maxY - minY + 2 * pad + bottom;
  svg.setAttribute('viewBox', `${(minX - pad).toFixed(1)} ${(-maxY - pad).toFixed(1)} ${width.toFixed(1)} ${height.toFixed(1)}`);
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet'); // one scale both ways: never stretched to the box
  /** @param {number[]} p @returns {string} */
  const xy = (p) => {
    const [x, y] = project(p[0] ?? 0, p[1] ?? 0);
    return `${x.toFixed(1)},${(-y).toFixed(1)}`;
  };
  const font = span / 22;
  const dot = span / 80;

  for (const f of cells.features) {
    const d = rings(f.geometry).map((r) => `M${r.map(xy).join('L')}Z`).join('');
    const path = node('path', { d, class: `cell${f.properties.id === caller?.cell ? ' caller-cell' : ''}`, 'data-cell': f.properties.id });
    path.append(node('title', {}, `${f.properties.id} (${f.properties.unit})`));
    svg.append(path);
    // Each outer ring is named: a cell's detached part (a park across a lake) is still that cell.
    const outers = f.geometry.type === 'Polygon' ? [f.geometry.coordinates[0]] : f.geometry.coordinates.map((polygon) => polygon[0]);
    outers.forEach((outer, i) => {
      const size = i === 0 ? font : font * 0.5;
      const [cx, cy] = labelAt(outer.map((p) => project(p[0] ?? 0, p[1] ?? 0)), size);
      svg.append(node('text', { x: cx.toFixed(1), y: (-cy).toFixed(1), 'text-anchor': 'middle', class: i === 0 ? 'cell-name' : 'cell-part', 'font-size': size.toFixed(1) }, f.properties.id));
      if (i === 0) svg.append(node('text', { x: cx.toFixed(1), y: (-cy + font * 0.75).toFixed(1), 'text-anchor': 'middle', class: 'cell-unit', 'font-size': (font * 0.55).toFixed(1) }, f.properties.unit));
    });
  }
  for (const o of officers) {
    if (!o.position) continue;
    const [x, y] = project(o.position.lon, o.position.lat);
    const g = node('g', { class: `officer officer-${o.duty}`, 'data-officer': o.id });
    g.append(node('circle', { cx: x.toFixed(1), cy: (-y).toFixed(1), r: dot.toFixed(1) }));
    g.append(node('text', { x: (x + dot * 1.5).toFixed(1), y: (-y + dot * 0.6).toFixed(1), class: 'officer-name', 'font-size': (font * 0.6).toFixed(1) }, o.name));
    g.append(node('title', {}, `${o.name} (${o.id}) · ${t(`d_${o.duty}`)}`));
    svg.append(g);
  }
  if (caller) {
    const [x, y] = project(caller.lon, caller.lat);
    const r = dot * 1.2;
    const mark = node('path', { d: `M${x.toFixed(1)},${(-y - r).toFixed(1)}l${r.toFixed(1)},${r.toFixed(1)}l${(-r).toFixed(1)},${r.toFixed(1)}l${(-r).toFixed(1)},${(-r).toFixed(1)}Z`, class: 'caller', id: 'map-caller' });
    mark.append(node('title', {}, t('caller')));
    svg.append(mark);
  }

  // The scale bar: a round length near a quarter of the map's width, in the map's own units (metres).
  const length = niceLength(width / 4);
  const x0 = minX - pad + width * 0.04;
  const y0 = -minY + pad + bottom * 0.55;
  const tick = bottom * 0.2;
  const bar = node('g', { class: 'scale-bar', id: 'map-scale', 'data-metres': length });
  bar.append(node('path', { d: `M${x0.toFixed(1)},${(y0 - tick).toFixed(1)}v${tick.toFixed(1)}h${length}v${(-tick).toFixed(1)}` }));
  const words = length >= 1000 ? `${length / 1000} ${t('scale_km')}` : `${length} ${t('scale_m')}`;
  bar.append(node('text', { x: (x0 + length + font * 0.4).toFixed(1), y: y0.toFixed(1), 'font-size': (font * 0.6).toFixed(1) }, words));
  svg.append(bar);
}
