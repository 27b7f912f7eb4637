import t from 'tap';
import { dispatchTargets } from '../../../src/dispatch/conference';
import type { Ranking } from '../../../src/dispatch/ranking';

const ranking = {
  location: { lon: 116.385, lat: 39.905 },
  cell: { id: 'A1', unit: 'PS1' },
  unit: null,
  escalation: [
    { id: 'PS1', name: 'station', dutyLine: 'PJSIP/2901', superior: 'BUR1' },
    { id: 'BUR1', name: 'bureau', dutyLine: '01065550110', superior: null },
  ],
  candidates: [
    { id: '2001', name: 'a', unit: 'PS1', phone: 'PJSIP/2001', distanceM: 10, sameCell: true, cell: 'A1', accuracyM: null, positionAt: 0 },
    { id: '2002', name: 'b', unit: 'PS1', phone: '13800138000', distanceM: 20, sameCell: true, cell: 'A1', accuracyM: null, positionAt: 0 },
    { id: '2003', name: 'c', unit: 'PS2', phone: 'PJSIP/2003', distanceM: 30, sameCell: false, cell: 'A3', accuracyM: null, positionAt: 0 },
  ],
  skipped: [],
} as unknown as Ranking;

const endpoint = (p: string) => (p.startsWith('PJSIP/') ? p : `PJSIP/${p}@trunk110`);

t.test('escalation order: the nearest officers, then the unit, then its superiors', async (t) => {
  t.same(
    dispatchTargets(ranking, 2, endpoint).map((x) => `${x.kind}:${x.id}:${x.endpoint}`),
    ['officer:2001:PJSIP/2001', 'officer:2002:PJSIP/13800138000@trunk110', 'unit:PS1:PJSIP/2901', 'unit:BUR1:PJSIP/01065550110@trunk110'],
  );
  t.same(dispatchTargets(ranking, 0, endpoint).map((x) => x.id), ['PS1', 'BUR1'], 'officersToTry 0: straight to the duty line');
  t.same(dispatchTargets({ ...ranking, candidates: [], escalation: [] } as Ranking, 2, endpoint), [], 'nobody: empty (the service says so, 409)');
});
