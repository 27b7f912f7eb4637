import t from 'tap';
import { join } from 'node:path';
import { loadDispatchData } from '../../../src/dispatch/data-files';
import { distanceM } from '../../../src/dispatch/geo';
import type { Officer } from '../../../src/dispatch/officers';
import { rankOfficers } from '../../../src/dispatch/ranking';

const { grid } = loadDispatchData(join(__dirname, '../../../../config/grid'));

const officer = (id: string, lon: number | null, lat: number | null, over: Partial<Officer> = {}): Officer => ({
  id,
  name: `Officer ${id}`,
  unit: 'PS1',
  phone: `PJSIP/${id}`,
  duty: 'on_duty',
  position: lon === null || lat === null ? null : { lon, lat, accuracyM: 10, at: 1000 },
  positionFresh: lon !== null,
  ...over,
});

t.test('haversine distances, checked by hand', async (t) => {
  // One degree of latitude is R·π/180 = 6,371,008.8 × 0.0174533 = 111,195 m, so 0.01° ≈ 1,112 m.
  t.equal(Math.round(distanceM({ lon: 116.4, lat: 39.9 }, { lon: 116.4, lat: 39.91 })), 1112);
  // Along the parallel, shrunk by cos(39.9°) = 0.76717: 1,111.95 × 0.76717 ≈ 853 m.
  t.equal(Math.round(distanceM({ lon: 116.4, lat: 39.9 }, { lon: 116.41, lat: 39.9 })), 853);
  t.equal(distanceM({ lon: 116.4, lat: 39.9 }, { lon: 116.4, lat: 39.9 }), 0);
  // Half the Earth's circumference, without NaN from rounding: π × R = π × 6,371,008.8 = 20,015,114 m.
  t.equal(Math.round(distanceM({ lon: 0, lat: 0 }, { lon: 180, lat: 0 })), 20015114);
});

t.test('on-duty officers with a fresh position, nearest first, with the reasons', async (t) => {
  const location = { lon: 116.4, lat: 39.905 }; // on the A2/A3 edge: A2 comes first in the file
  const r = rankOfficers(location, grid, [
    officer('far', 116.4, 39.915), // 0.01° north: 1,112 m, outside the grid
    officer('near', 116.41, 39.905), // 0.01° east: 853 m, in A3
    officer('busy', 116.4, 39.906, { duty: 'busy' }),
    officer('off', 116.4, 39.906, { duty: 'off_duty' }),
    officer('lost', null, null),
    officer('stale', 116.4, 39.906, { positionFresh: false }),
  ]);
  t.same(r.cell, { id: 'A2', unit: 'PS1' });
  t.equal(r.unit?.name, 'Donghe Road Police Station');
  t.same(r.escalation.map((u) => u.id), ['PS1', 'BUR1', 'CITY']);
  t.same(r.candidates.map((c) => [c.id, c.distanceM, c.sameCell, c.cell]), [
    ['near', 853, false, 'A3'], // on A3's east edge: edges count as inside
    ['far', 1112, false, null],
  ]);
  t.same(r.skipped, [
    { id: 'busy', reason: 'busy' },
    { id: 'off', reason: 'off_duty' },
    { id: 'lost', reason: 'no_position' },
    { id: 'stale', reason: 'position_stale' },
  ]);
});

t.test("ties go to the officer in the location's own cell, then to the lower id", async (t) => {
  const location = { lon: 116.395, lat: 39.9015 }; // A2, 1.5e-3° north of the B2 edge
  // 0.003° north (A2) and 0.003° south (B2): both 333.6 m away.
  const r = rankOfficers(location, grid, [officer('1', 116.395, 39.8985), officer('9', 116.395, 39.9045)]);
  t.same(r.candidates.map((c) => [c.id, c.distanceM, c.sameCell, c.cell]), [
    ['9', 334, true, 'A2'],
    ['1', 334, false, 'B2'],
  ]);
  const outside = rankOfficers({ lon: 116.5, lat: 39.9 }, grid, [officer('b', 116.5, 39.901), officer('a', 116.5, 39.899)]);
  t.equal(outside.cell, null);
  t.same(outside.escalation, []);
  t.same(outside.candidates.map((c) => [c.id, c.distanceM, c.sameCell]), [['a', 111, false], ['b', 111, false]], 'outside the grid: by id');
});
