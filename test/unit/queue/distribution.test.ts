import t from 'tap';
import { pickSeat, orderWaiting } from '../../../src/queue/distribution';

const seat = (id: string, state: string, idleSince: number, reachable = true) => ({ id, state, idleSince, reachable });

t.test('the ready, reachable seat idle longest gets the call', async (t) => {
  const seats = [seat('a', 'ready', 300), seat('b', 'ready', 100), seat('c', 'ready', 50, false), seat('d', 'not_ready', 10), seat('e', 'on_call', 1)];
  t.equal(pickSeat(seats)?.id, 'b', 'c is idle longer but its phone is unreachable');
  t.equal(pickSeat(seats, new Set(['b']))?.id, 'a', 'excluded seats are skipped');
  t.equal(pickSeat([seat('x', 'ready', 5), seat('w', 'ready', 5)])?.id, 'w', 'ties are broken by id, so the choice is repeatable');
  t.equal(pickSeat([seat('d', 'not_ready', 1)]), undefined, 'no ready seat: nobody');
});

t.test('first come, first served within priority classes', async (t) => {
  const calls = [
    { key: 'new-late', priority: 10, arrivedAt: 300 },
    { key: 'new-early', priority: 10, arrivedAt: 100 },
    { key: 'from12345', priority: 0, arrivedAt: 400 },
    { key: 'requeued', priority: 10, arrivedAt: 50 }, // an offer failed: it keeps its arrival, so its place
  ];
  t.same(orderWaiting(calls).map((c) => c.key), ['from12345', 'requeued', 'new-early', 'new-late']);
});
