import t from 'tap';
import { join } from 'node:path';
import { loadDispatchData } from '../../../src/dispatch/data-files';
import { Grid } from '../../../src/dispatch/grid';

const DEMO = join(__dirname, '../../../../config/grid');
const FILES = { cells: 'config/grid/cells.geojson', units: 'config/grid/units.json' };

const square = (x: number, y: number, d = 0.01) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]];
const cell = (id: string, unit: string, geometry: unknown = { type: 'Polygon', coordinates: square(116.4, 39.9) }) => ({ type: 'Feature', properties: { id, unit }, geometry });
const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });
const UNITS = [
  { id: 'PS1', name: 'One', dutyLine: 'PJSIP/2901', superior: 'BUR' },
  { id: 'BUR', name: 'Bureau', dutyLine: '01065550110', superior: null },
];

t.test('the demo grid loads and answers which cell a point is in', async (t) => {
  const { grid, poles, roster } = loadDispatchData(DEMO);
  t.equal(grid.cells.length, 6);
  t.equal(grid.cellAt(116.385, 39.905)?.id, 'A1');
  t.equal(grid.cellAt(116.405, 39.895)?.id, 'B3');
  t.equal(grid.cellAt(116.413, 39.894)?.id, 'B3', 'the detached part of a MultiPolygon cell');
  t.equal(grid.cellAt(116.411, 39.894), undefined, 'between the two parts of B3');
  t.equal(grid.cellAt(116.5, 39.9), undefined, 'outside the grid');
  t.equal(grid.cellAt(116.39, 39.905)?.id, 'A1', 'on a shared edge the first cell in file order wins');
  t.ok(poles.size >= 7);
  t.same(roster.map((o) => o.id), ['2001', '2002', '2003', '2004']);
});

t.test('unitChain climbs the superiors for escalation', async (t) => {
  const { grid } = loadDispatchData(DEMO);
  t.same(grid.unitChain('PS2').map((u) => u.id), ['PS2', 'BUR1', 'CITY']);
  t.same(grid.unitChain('CITY').map((u) => u.id), ['CITY']);
  t.same(grid.unitChain('nope'), []);
});

t.test('a grid that does not hold up stops the start with one line naming the file and the item', async (t) => {
  const bad = (cells: unknown, units: unknown, message: string | RegExp, what: string) =>
    t.throws(() => Grid.parse(cells, units, FILES), { code: 'CONFIG_INVALID', message }, what);
  bad(fc(cell('A3', 'PS9')), UNITS, 'grid: cell "A3" in config/grid/cells.geojson names unknown unit "PS9"', 'unknown unit');
  bad(fc(cell('A1', 'PS1'), cell('A1', 'PS1')), UNITS, 'grid: cell "A1" in config/grid/cells.geojson is listed twice', 'duplicate cell');
  bad(fc(cell('A1', 'PS1', { type: 'Point', coordinates: [116.4, 39.9] })), UNITS, /cell "A1" .*must be a Polygon or MultiPolygon, got "Point"/, 'not a polygon');
  bad(fc(cell('A1', 'PS1', { type: 'Polygon', coordinates: [[[116.4, 39.9], [116.41, 39.9], [116.41, 39.91], [116.4, 39.91]]] })), UNITS, /cell "A1" .*ring 0 is not closed/, 'unclosed ring');
  bad(fc(cell('A1', 'PS1', { type: 'Polygon', coordinates: [[[116.4, 39.9], [116.41, 39.9], [116.4, 39.9]]] })), UNITS, /ring 0 has 3 positions; a closed ring needs at least 4/, 'too few positions');
  bad(fc(cell('A1', 'PS1', { type: 'Polygon', coordinates: [[[116.4, 39.9], ['116.41', 39.9], [116.41, 39.91], [116.4, 39.9]]] })), UNITS, /position 1 of ring 0: longitude must be a number/, 'non-numeric');
  bad(fc(cell('A1', 'PS1', { type: 'Polygon', coordinates: [[[116.4, 39.9], [116.41, 99.9], [116.41, 39.91], [116.4, 39.9]]] })), UNITS, /position 1 of ring 0: latitude must be within -90..90, got 99.9/, 'out of range');
  bad(fc(cell('A1', 'PS1', { type: 'MultiPolygon', coordinates: [square(116.4, 39.9), [[[116.4, 39.9], [116.41, 39.9], [116.41, 39.91]]]] })), UNITS, /ring 0 of polygon 1 has 3 positions/, 'a bad part of a MultiPolygon');
  bad(fc({ type: 'Feature', properties: { unit: 'PS1' }, geometry: null }), UNITS, /feature #0 in config\/grid\/cells.geojson: expected a Feature whose properties.id/, 'no id');
  bad({ type: 'Feature' }, UNITS, 'grid: config/grid/cells.geojson: expected a GeoJSON FeatureCollection', 'not a collection');
  bad(fc(), [{ ...UNITS[0], superior: 'NOPE' }, UNITS[1]], 'grid: unit "PS1" in config/grid/units.json names unknown superior "NOPE"', 'unknown superior');
  bad(fc(), [UNITS[0], UNITS[0]], 'grid: unit "PS1" in config/grid/units.json is listed twice', 'duplicate unit');
  bad(fc(), [{ ...UNITS[0], dutyLine: 'SIP/x' }], /unit "PS1" .*dutyLine must be a PJSIP endpoint/, 'bad duty line');
  bad(
    fc(),
    [
      { id: 'A', name: 'a', dutyLine: 'PJSIP/1', superior: 'B' },
      { id: 'B', name: 'b', dutyLine: 'PJSIP/2', superior: 'C' },
      { id: 'C', name: 'c', dutyLine: 'PJSIP/3', superior: 'A' },
    ],
    'grid: unit "A" in config/grid/units.json: superiors form a cycle A -> B -> C -> A',
    'cycle',
  );
  bad(fc(), [{ id: 'A', name: 'a', dutyLine: 'PJSIP/1', superior: 'A' }], /superiors form a cycle A -> A/, 'own superior');
  bad(
    fc(),
    [
      { id: 'X', name: 'x', dutyLine: 'PJSIP/1', superior: 'B' },
      { id: 'B', name: 'b', dutyLine: 'PJSIP/2', superior: 'C' },
      { id: 'C', name: 'c', dutyLine: 'PJSIP/3', superior: 'B' },
    ],
    /unit "B" .*cycle B -> C -> B/,
    'a cycle above a unit is reported from inside it',
  );
});

t.test('missing or broken files name the path', async (t) => {
  const dir = t.testdir({ 'cells.geojson': '{', 'units.json': '[]', 'poles.json': '{}', 'officers.json': '[]' });
  t.throws(() => loadDispatchData(dir), { message: /^grid: .*cells\.geojson is not valid JSON/ });
  t.throws(() => loadDispatchData(t.testdir({})), { message: /^grid: cannot read .*cells\.geojson: ENOENT$/ });
});
