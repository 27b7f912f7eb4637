// The grid map as SVG: cells from GET /dispatch/cells, officers by duty state, the caller.
// Equirectangular projection scaled by cos(latitude): exact enough at a city's size.
const NS = 'http://www.w3.org/2000/svg';
const node = (tag, attrs, text) => {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
};
const rings = (g) => (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat());

export function drawMap(svg, cells, officers, caller, labels) {
  svg.replaceChildren();
  const pts = cells.features.flatMap((f) => rings(f.geometry).flat());
  if (!pts.length) return;
  const lons = pts.map((p) => p[0]);
  const lats = pts.map((p) => p[1]);
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos(((minLat + maxLat) / 2) * (Math.PI / 180));
  const W = 1000;
  const scale = W / ((maxLon - minLon) * k || 1);
  const H = (maxLat - minLat) * scale || 1;
  const xy = ([lon, lat]) => [((lon - minLon) * k * scale).toFixed(1), ((maxLat - lat) * scale).toFixed(1)];
  svg.setAttribute('viewBox', `-10 -10 ${W + 20} ${H + 20}`);
  const callerCell = caller?.cell;
  for (const f of cells.features) {
    const d = rings(f.geometry).map((r) => `M${r.map((p) => xy(p).join(',')).join('L')}Z`).join('');
    const path = node('path', { d, class: `cell${f.properties.id === callerCell ? ' caller-cell' : ''}` });
    path.append(node('title', {}, `${f.properties.id} (${f.properties.unit})`));
    svg.append(path);
    const r0 = rings(f.geometry)[0];
    const cx = r0.reduce((s, p) => s + p[0], 0) / r0.length;
    const cy = r0.reduce((s, p) => s + p[1], 0) / r0.length;
    const [x, y] = xy([cx, cy]);
    svg.append(node('text', { x, y, 'text-anchor': 'middle' }, f.properties.id));
  }
  for (const o of officers) {
    if (!o.position) continue;
    const [x, y] = xy([o.position.lon, o.position.lat]);
    const c = node('circle', { cx: x, cy: y, r: 9, class: `officer-${o.duty}` });
    c.append(node('title', {}, `${o.name} (${o.id}) · ${labels[o.duty] ?? o.duty}`));
    svg.append(c);
  }
  if (caller) {
    const [x, y] = xy([caller.lon, caller.lat]);
    const c = node('rect', { x: Number(x) - 8, y: Number(y) - 8, width: 16, height: 16, class: 'caller', transform: `rotate(45 ${x} ${y})` });
    c.append(node('title', {}, labels.caller));
    svg.append(c);
  }
}
