// The overload phase's queueing figures: the same arithmetic for cti110 and Queue().
import t from 'tap';
import { answerOrder, idleWhileWaiting } from '../../../scripts/bench/queueing';
import { parseBridges } from '../../../scripts/bench/bridges';

t.test('answer order: a call answered before an earlier one is an inversion', async (t) => {
  const arrived = new Map([['a', 0], ['b', 10], ['c', 20], ['d', 30]]);
  t.same(answerOrder(arrived, new Map([['a', 100], ['b', 110], ['c', 120], ['d', 130]])), { inversions: 0, overtaking: 0 });
  // c overtakes a and b; d (never answered) does not count
  t.same(answerOrder(arrived, new Map([['a', 300], ['b', 200], ['c', 100]])), { inversions: 3, overtaking: 2 });
});

t.test('idle while waiting: min(idle seats, waiting calls) over time', async (t) => {
  // One seat idle from 0 (start) to its INVITE at 1000; one call waiting 0 -> 1000: 1 s wasted.
  t.equal(idleWhileWaiting(['s1'], [{ seat: 's1', kind: 'invite', t: 1000 }], [{ from: 0, to: 1000 }], 0, 5000), 1);
  // Seat busy from 0 to 2000 (BYE), next INVITE at 2500; a call waits 1000 -> 2500: only 2000-2500 counts.
  const busy = [{ seat: 's1', kind: 'invite' as const, t: 0 }, { seat: 's1', kind: 'free' as const, t: 2000 }, { seat: 's1', kind: 'invite' as const, t: 2500 }];
  t.equal(idleWhileWaiting(['s1'], busy, [{ from: 0, to: 0 }, { from: 1000, to: 2500 }], 0, 5000), 0.5);
  // Two idle seats, one waiting call: one seat-second per second, not two.
  t.equal(idleWhileWaiting(['s1', 's2'], [{ seat: 's1', kind: 'invite', t: 1000 }], [{ from: 0, to: 1000 }], 0, 5000), 1);
  // A seat CANCELled (ring withdrawn) is idle again; a call that never got a seat waits to the end.
  const cancelled = [{ seat: 's1', kind: 'invite' as const, t: 0 }, { seat: 's1', kind: 'free' as const, t: 1000 }];
  t.equal(idleWhileWaiting(['s1'], cancelled, [{ from: 0, to: 0 }, { from: 500, to: 3000 }], 0, 3000), 2);
});

t.test('bridge show all: technology per bridge, a name may be empty', async (t) => {
  const out = `Bridge-ID                            Name                 Chans Type            Technology      Duration
0b1c6c4e-2f0a-4a0e-9a43-1f2a3b4c5d6e cti110-2026          2 stasis          simple_bridge   00:00:05
1c2d3e4f-0000-1111-2222-333344445555                      2 basic           native_rtp      00:00:04
2c2d3e4f-0000-1111-2222-333344445555                      3 basic           softmix         00:00:04
`;
  t.same(parseBridges(out), [{ chans: 2, type: 'stasis', technology: 'simple_bridge' }, { chans: 2, type: 'basic', technology: 'native_rtp' }, { chans: 3, type: 'basic', technology: 'softmix' }]);
  t.same(parseBridges('Bridge-ID Name Chans Type Technology Duration\n'), []);
});
