// Where a seat goes when its call ends, after the call-taker asked for something during it or
// an answer crossed their leaving (issue 14, H1).
import t from 'tap';
import { fakeSeats } from '../../support/fake-telephony';

t.test('not ready asked during a call: the seat goes not ready when the call ends, not to the next call', async (t) => {
  const { seats, events } = fakeSeats(['1001'], undefined, 5000);
  const seat = seats.get('1001');
  seats.apply(seat, 'login');
  seats.apply(seat, 'offer');
  seats.apply(seat, 'answered');
  const changes: string[] = [];
  seats.on('changed', (s, { event }) => changes.push(`${event}:${s.state}`));
  seats.apply(seat, 'not_ready', 'toilet');
  t.same([seat.state, seat.reason, changes], ['on_call', null, []], 'still on call; nothing changes yet');
  t.ok(events.some((e) => e.kind === 'not_ready_after_call' && e.detail.reason === 'toilet'), 'noted for supervisors');
  seats.apply(seat, 'call_ended');
  t.same([seat.state, seat.reason], ['not_ready', 'toilet'], 'not ready, not wrap-up, once the call is over');
  t.same(changes, ['call_ended:not_ready']);
});

t.test('ready asked after not ready during the same call: the last wish wins', async (t) => {
  const { seats } = fakeSeats(['1001']);
  const seat = seats.get('1001');
  for (const e of ['login', 'offer', 'answered'] as const) seats.apply(seat, e);
  seats.apply(seat, 'not_ready', 'break');
  seats.apply(seat, 'ready');
  seats.apply(seat, 'call_ended');
  t.equal(seat.state, 'ready');
});

t.test('an answer that reaches a seat no longer ringing: on call, then back to what the call-taker chose', async (t) => {
  const { seats, events } = fakeSeats(['1001', '1002']);
  const a = seats.get('1001');
  for (const e of ['login', 'offer'] as const) seats.apply(a, e);
  seats.apply(a, 'not_ready', 'break');
  t.doesNotThrow(() => seats.apply(a, 'answered'), 'not refused (it used to throw SeatStateError inside the ARI handler)');
  t.equal(a.state, 'on_call');
  t.ok(events.some((e) => e.kind === 'answered_while_away'));
  seats.apply(a, 'call_ended');
  t.same([a.state, a.reason], ['not_ready', 'break']);

  const b = seats.get('1002');
  for (const e of ['login', 'offer', 'logout', 'answered'] as const) seats.apply(b, e);
  t.equal(b.state, 'on_call');
  seats.apply(b, 'call_ended');
  t.equal(b.state, 'logged_out', 'a seat logged out meanwhile is logged out after the call');
});

t.test('a seat change listener that throws: the change stands and the other listeners run', async (t) => {
  const { seats, faults } = fakeSeats(['1001']);
  const reported: string[] = [];
  faults.on('fault', (f) => reported.push(f.where));
  seats.on('changed', () => {
    throw new Error('bug');
  });
  const seen: string[] = [];
  seats.on('changed', (s) => seen.push(s.state));
  t.doesNotThrow(() => seats.apply(seats.get('1001'), 'login'));
  t.same([seats.get('1001').state, seen, reported], ['ready', ['ready'], ["Seats 'changed' listener"]]);
});
