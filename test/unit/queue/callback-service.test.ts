// Calling an abandoned caller back, over a fake Telephony: a call-taker who leaves the seat while
// their phone rings for the callback takes it back (issue 14, H1: the crossing answer used to be
// applied to a not-ready seat and threw inside the ARI event handler).
import t from 'tap';
import { CallbackService } from '../../../src/queue/callback-service';
import type { Incidents } from '../../../src/incidents/incidents';
import { FakeTelephony, fakeSeats, silentLog } from '../../support/fake-telephony';

function setup() {
  const phone = new FakeTelephony();
  const { seats, faults } = fakeSeats(['1001']);
  const results: string[] = [];
  const incidents = {
    findByNumber: async (number: string) => ({ id: 7, number, callerNumber: '13900000009' }),
    callback: async (_id: number, _seat: string, result: string) => void results.push(result),
    stamp: async () => undefined,
  } as unknown as Incidents;
  const callbacks = new CallbackService(phone.port, seats, incidents, { trunk: 'trunk110', ringNoAnswerMs: 60_000, callerRingMs: 60_000 }, silentLog());
  const reported: string[] = [];
  faults.on('fault', (f) => reported.push(f.where));
  seats.apply(seats.get('1001'), 'login');
  return { phone, seats, callbacks, results, reported };
}
const settle = () => new Promise((r) => setTimeout(r, 10));

for (const [action, state] of [
  ['not_ready', 'not_ready'],
  ['logout', 'logged_out'],
] as const) {
  t.test(`${action} while the seat rings for a callback: the callback is taken back; a crossing answer is ignored`, async (t) => {
    const { phone, seats, callbacks, results, reported } = setup();
    await callbacks.start('20261202-000007', '1001');
    const [seatLeg] = phone.created();
    callbacks.legEntered(seatLeg);
    t.equal(seats.get('1001').state, 'ringing');
    t.doesNotThrow(() => seats.apply(seats.get('1001'), action, action === 'not_ready' ? 'break' : null));
    await settle();
    t.ok(phone.calls('hangup').some(([id]) => id === seatLeg), "the seat's ringing leg is hung up");
    t.same(results, ['started', `seat_${state}`], 'the incident says why the callback did not happen');
    t.notOk(callbacks.isLeg(seatLeg));
    t.doesNotThrow(() => callbacks.legAnswered(seatLeg), 'an answer that crossed it does not throw');
    t.equal(seats.get('1001').state, state, 'and leaves the seat as the call-taker set it');
    t.equal(phone.created().length, 1, 'the caller is not rung');
    callbacks.legEntered(seatLeg); // a StasisStart that the hang-up overtook
    t.same(phone.calls('dial'), [[seatLeg, 65]], 'not dialled again');
    t.same(reported, []);
  });
}

t.test('not ready after the seat answered: the callback goes on; the seat is not ready once it ends', async (t) => {
  const { phone, seats, callbacks, results } = setup();
  await callbacks.start('20261202-000007', '1001');
  const [seatLeg] = phone.created();
  callbacks.legEntered(seatLeg);
  callbacks.legAnswered(seatLeg);
  await settle();
  const [, callerLeg] = phone.created();
  t.ok(callerLeg, 'the caller is rung');
  seats.apply(seats.get('1001'), 'not_ready', 'after this one');
  callbacks.legAnswered(callerLeg);
  await settle();
  t.same(results, ['started', 'connected'], 'the callback connects');
  callbacks.legGone(callerLeg, 'hangup');
  await settle();
  t.same([seats.get('1001').state, seats.get('1001').reason], ['not_ready', 'after this one']);
});
