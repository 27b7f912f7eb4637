// Follow-up statistics: per seat, unit and day, counts and means over the answers given.
process.env.TZ = 'Asia/Shanghai';
import t from 'tap';
import { followUpStats } from '../../../src/followup/stats';

const day = (d: number, h = 10) => new Date(2026, 11, d, h).getTime();
const row = (state: string, seatId: string | null, unitId: string | null, finishedAt: number, s: [number | null, number | null, number | null] = [null, null, null]) => ({ state, seatId, unitId, finishedAt, speed: s[0], attitude: s[1], efficiency: s[2] });

t.test('counts asked / answered / not reached and mean scores, grouped three ways', async (t) => {
  const rows = [row('answered', '1001', 'U1', day(6), [5, 4, 2]), row('answered', '1001', null, day(7), [3, null, 4]), row('not_reached', '1002', 'U1', day(7))];
  const s = followUpStats(rows, { from: day(6, 0), to: day(8, 0) });
  t.same(s.total, { key: 'all', asked: 3, answered: 2, notReached: 1, unsatisfied: 1, meanSpeed: 4, meanAttitude: 4, meanEfficiency: 3 });
  t.same(s.bySeat.map((f) => [f.key, f.asked, f.answered, f.meanSpeed]), [['1001', 2, 2, 4], ['1002', 1, 0, null]]);
  t.same(s.byUnit.map((f) => [f.key, f.asked]), [['-', 1], ['U1', 2]], "'-': never dispatched to a unit");
  t.same(s.byDay.map((f) => [f.key, f.asked, f.notReached]), [['2026-12-06', 1, 0], ['2026-12-07', 2, 1]]);
});

t.test('nothing finished: zeros and null means', async (t) => {
  const s = followUpStats([], { from: 0, to: 1 });
  t.same(s.total, { key: 'all', asked: 0, answered: 0, notReached: 0, unsatisfied: 0, meanSpeed: null, meanAttitude: null, meanEfficiency: null });
  t.same([s.bySeat, s.byUnit, s.byDay], [[], [], []]);
});
