// A call's first moments (calls/call-service.ts arrived()): the request for a ready seat is the
// first and only request, sent in the same turn, since a seat's INVITE is what the caller waits
// for (issue #15: distribution latency). Ringing is the dialplan's (Ringing() before Stasis,
// shown by every e2e caller that requires its 180, test/sipp/caller-ringing.xml).
import t from 'tap';
import { callsOverFakes } from '../../support/calls-over-fakes';

const arrival = { channelId: 'caller-1', callerNumber: '13800000001', callerName: '', callerRaw: '', trunk: '110', arrivedAt: Date.now() };

t.test('a ready seat is sent for at once, in the same turn, and nothing before it', async (t) => {
  const { fake, calls } = await callsOverFakes(t, ['1001']);
  calls.arrived(arrival);
  t.same(fake.requests.map((r) => r.op), ['originate'], 'the seat leg leaves synchronously, alone');
  calls.callerLeft(arrival.channelId); // the offer withdrawn: its ring timer stops
  await new Promise((r) => setTimeout(r, 30));
});
