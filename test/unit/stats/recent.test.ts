// The wallboard's last hour and seats needed (stats/recent.ts), from calls laid out by hand.
import t from 'tap';
import { history, staffing, MINUTE_MS, type RecentCall } from '../../../src/stats/recent';
import { seatsNeeded } from '../../../src/stats/erlang';

const AT = Date.UTC(2026, 11, 7, 14, 30, 20); // 20 s into a minute
const MIN = Math.floor(AT / MINUTE_MS) * MINUTE_MS; // the current minute's start
const call = (arrivedAt: number, o: Partial<RecentCall> = {}): RecentCall => ({ arrivedAt, answeredAt: null, abandonedAt: null, endedAt: null, ...o });
const SEATS = { logged_out: 0, ready: 1, ringing: 1, on_call: 2, wrap_up: 1, not_ready: 3 };

t.test('history: 60 minutes ending with the current one; peak waiting and answer times per minute', async (t) => {
  const calls = [
    // two waiting together in the minute before this one; one answered after 2 s, one after 5 s
    call(MIN - 50_000, { answeredAt: MIN - 48_000, endedAt: MIN - 10_000 }),
    call(MIN - 49_000, { answeredAt: MIN - 44_000, endedAt: MIN - 5_000 }),
    // waiting since before the hour, given up in the hour's first minute
    call(MIN - 60 * MINUTE_MS + 30_000, { abandonedAt: MIN - 59 * MINUTE_MS + 5_000 }),
    // still waiting now
    call(AT - 5_000),
    // stopped waiting before the hour began: not in it
    call(MIN - 70 * MINUTE_MS, { answeredAt: MIN - 70 * MINUTE_MS + 1_000 }),
  ];
  const h = history(calls, AT);
  t.equal(h.length, 60);
  t.equal(h[59]!.at, MIN, 'the last point is the current minute');
  t.equal(h[0]!.at, MIN - 59 * MINUTE_MS);
  t.match(h[58], { waiting: 2, answered: 2, maxAnswerMs: 5_000, avgAnswerMs: 3_500 }, 'the minute before: two at once');
  t.match(h[59], { waiting: 1, answered: 0, maxAnswerMs: null, avgAnswerMs: null }, 'now: one waiting');
  t.match(h[0], { waiting: 1 }, 'the caller waiting since before the hour counts in its first minute');
  t.equal(h[1]!.waiting, 0, 'and not after giving up');
  t.equal(h.slice(2, 58).every((p) => p.waiting === 0 && p.answered === 0), true, 'quiet minutes are zero, not missing');
});

t.test('history: a call answered as another arrives, at the same instant, is not two waiting', async (t) => {
  const h = history([call(MIN + 1_000, { answeredAt: MIN + 3_000 }), call(MIN + 3_000, { answeredAt: MIN + 4_000 })], AT);
  t.equal(h[59]!.waiting, 1);
});

t.test('staffing: the last 15 minutes through Erlang C, beside the seats taking calls', async (t) => {
  // 30 calls in 15 minutes (2 a minute), each answered in 1 s and talked 90 s; one abandoned.
  const calls = Array.from({ length: 30 }, (_, i) => call(AT - 14 * MINUTE_MS + i * 28_000, { answeredAt: AT - 14 * MINUTE_MS + i * 28_000 + 1_000, endedAt: AT - 14 * MINUTE_MS + i * 28_000 + 91_000 }));
  calls.push(call(AT - 60_000, { abandonedAt: AT - 50_000 }));
  calls.push(call(AT - 20 * MINUTE_MS, { answeredAt: AT - 20 * MINUTE_MS, endedAt: AT - 10 * MINUTE_MS })); // before the window: not counted
  const s = staffing(calls, { seats: SEATS }, AT);
  const expected = seatsNeeded(31 / 900, 90, 3, 0.99);
  t.match(s, { windowMs: 15 * MINUTE_MS, arrivals: 31, arrivalsPerMin: 2.07, targetMs: 3000, goalPct: 99, staffed: 4, ready: 1 });
  t.ok(s.handleMs! >= 89_000 && s.handleMs! <= 90_000, `handle time ${s.handleMs} ms (calls not ended yet are left out)`);
  t.equal(s.abandonedPct, 3.2, '1 of 31 finished waits');
  t.equal(s.needed, expected.seats, `${s.needed} seats for ${s.traffic} erlangs`);
  t.ok(s.needed! >= 4, 'more than the traffic: a 3 s target needs free seats waiting');
  t.equal(s.shortfall, Math.max(0, s.needed! - 4));
});

t.test('staffing: nothing arrived: none needed; calls but none finished: not known yet', async (t) => {
  t.match(staffing([], { seats: SEATS }, AT), { arrivals: 0, needed: 0, traffic: 0, shortfall: 0, handleMs: null, abandonedPct: null });
  t.match(staffing([call(AT - 10_000, { answeredAt: AT - 9_000 })], { seats: SEATS }, AT), { arrivals: 1, needed: null, traffic: null, shortfall: 0 });
});

t.test('staffing: a shortfall when a surge outgrows the seats', async (t) => {
  const calls = Array.from({ length: 900 }, (_, i) => call(AT - 15 * MINUTE_MS + i * 1000, { answeredAt: AT - 15 * MINUTE_MS + i * 1000 + 500, endedAt: AT - 15 * MINUTE_MS + i * 1000 + 60_500 }));
  const s = staffing(calls, { seats: SEATS }, AT);
  t.ok(s.needed! > 60, `1 call/s of 60 s: ${s.needed} seats`);
  t.equal(s.shortfall, s.needed! - 4);
});
