import t from 'tap';
import { MAX_PERIOD_MS, resolvePeriod, startOfLocalDay } from '../../../src/stats/period';
import { liveFigures, type QueueSnapshot } from '../../../src/stats/snapshot';

const local = (d: number, h = 0, m = 0) => new Date(2026, 10, d, h, m).getTime();

t.test('period defaults: today so far; `to` alone means that day up to `to`', async (t) => {
  t.same(resolvePeriod({}, local(23, 9, 30)), { from: local(23), to: local(23, 9, 30) });
  t.same(resolvePeriod({ to: local(20, 12) }, local(23, 9)), { from: local(20), to: local(20, 12) });
  // [from, to): a `to` of exactly midnight is the end of the day before
  t.same(resolvePeriod({ to: local(21) }, local(23)), { from: local(20), to: local(21) });
  t.same(resolvePeriod({ from: 5, to: 6 }, local(23)), { from: 5, to: 6 });
});

t.test('period rules: from before to, at most MAX_PERIOD_MS', async (t) => {
  t.throws(() => resolvePeriod({ from: 10, to: 10 }, local(23)), { name: 'PeriodError', message: 'from (10) must be before to (10)' });
  t.throws(() => resolvePeriod({ from: local(24) }, local(23)), { name: 'PeriodError', code: 'BAD_PERIOD' });
  t.throws(() => resolvePeriod({ from: 0, to: MAX_PERIOD_MS + 1 }, local(23)), { code: 'BAD_PERIOD', message: /longer than 31 days/ });
  t.same(resolvePeriod({ from: 0, to: MAX_PERIOD_MS }, local(23)), { from: 0, to: MAX_PERIOD_MS });
});

t.test('start of the local day', async (t) => {
  t.equal(startOfLocalDay(local(23, 23, 59) + 59_999), local(23));
  t.equal(startOfLocalDay(local(23)), local(23));
});

t.test('live figures: counts per seat state, all six present; longest wait', async (t) => {
  const at = 1_000_000;
  const snap: QueueSnapshot = {
    waiting: [
      { incident: '20261123-000002', arrivedAt: at - 4_000, priority: 1 },
      { incident: null, arrivedAt: at - 9_500, priority: 0 },
    ],
    seats: [
      { id: '1001', state: 'ready', reason: null, delivery: 'ring' },
      { id: '1002', state: 'ready', reason: null, delivery: 'nailed' },
      { id: '1003', state: 'not_ready', reason: 'ring-no-answer', delivery: 'ring' },
    ],
  };
  t.same(liveFigures(snap, at), {
    at,
    waiting: 2,
    longestWaitMs: 9_500,
    seats: { logged_out: 0, ready: 2, ringing: 0, on_call: 0, wrap_up: 0, not_ready: 1 },
  });
  t.match(liveFigures({ waiting: [], seats: [] }, at), { waiting: 0, longestWaitMs: 0 });
  t.equal(liveFigures({ waiting: [{ incident: null, arrivedAt: at + 5, priority: 0 }], seats: [] }, at).longestWaitMs, 0);
});
