// Erlang C against published values: the Erlang C table for 10 erlangs, the textbook worked
// example (100 calls in 30 minutes, 3-minute handle time, 80 % within 20 s → 14 agents, 88.8 %,
// average wait 7.8 s), and small cases worked by hand from the closed form.
import t from 'tap';
import { answeredWithin, averageWaitS, erlangB, erlangC, seatsNeeded } from '../../../src/stats/erlang';

t.test('Erlang C for 10 erlangs, 11 to 15 seats (published table)', async (t) => {
  const table: [number, number][] = [[11, 0.6821], [12, 0.4494], [13, 0.2853], [14, 0.1741], [15, 0.102]];
  for (const [seats, c] of table) t.ok(Math.abs(erlangC(10, seats) - c) < 5e-5, `C(10, ${seats}) = ${erlangC(10, seats).toFixed(4)} ≈ ${c}`);
});

t.test('small cases by hand: C(2, 3) = 4/9, C(1, 2) = 1/3, B(1, 1) = 1/2', async (t) => {
  t.ok(Math.abs(erlangC(2, 3) - 4 / 9) < 1e-12);
  t.ok(Math.abs(erlangC(1, 2) - 1 / 3) < 1e-12);
  t.ok(Math.abs(erlangB(1, 1) - 1 / 2) < 1e-12);
});

t.test('too few seats: every call waits, none within any target; no traffic: none waits', async (t) => {
  t.equal(erlangC(10, 10), 1);
  t.equal(answeredWithin(10, 9, 180, 20), 0);
  t.equal(averageWaitS(10, 10, 180), Infinity);
  t.equal(erlangC(0, 3), 0);
  t.equal(answeredWithin(0, 0, 180, 3), 1);
});

t.test('the worked example: 100 calls / 30 min, 180 s each, 80 % within 20 s', async (t) => {
  const need = seatsNeeded(100 / 1800, 180, 20, 0.8);
  t.equal(need.traffic, 10);
  t.equal(need.seats, 14, '13 seats give 79.6 %, 14 give 88.8 %');
  t.ok(Math.abs(need.within - 0.8884) < 1e-4, `within 20 s: ${(need.within * 100).toFixed(1)} %`);
  t.ok(Math.abs(answeredWithin(10, 13, 180, 20) - 0.7956) < 1e-4);
  t.ok(Math.abs(averageWaitS(10, 14, 180) - 7.836) < 1e-3, 'average wait 7.8 s');
});

t.test('a 3 s target is harder than 20 s; a surge of thousands of erlangs is counted in one pass', async (t) => {
  t.ok(Math.abs(answeredWithin(10, 14, 180, 3) - 0.8371) < 1e-4, 'the same 14 seats answer 83.7 % within 3 s');
  t.same(seatsNeeded(0, 60, 3, 0.99), { traffic: 0, seats: 0, within: 1 });
  const surge = seatsNeeded(35, 60, 3, 0.99); // the benchmark's 35 calls/s, one minute each
  t.ok(surge.seats > 2100 && surge.seats < 2300 && surge.within >= 0.99, `35 calls/s × 60 s = 2100 erlangs: ${surge.seats} seats`);
});

t.test('an impossible goal or a broken input is refused, not looped on', async (t) => {
  t.throws(() => seatsNeeded(1, 60, 3, 1), RangeError);
  t.throws(() => seatsNeeded(1, 0, 3, 0.9), RangeError);
  t.throws(() => seatsNeeded(Number.NaN, 60, 3, 0.9), RangeError);
});
