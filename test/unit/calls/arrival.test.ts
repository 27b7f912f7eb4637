// A call's first moments (calls/call-service.ts arrived()): the request for a ready seat leaves
// first, since a seat's INVITE is what the caller waits for (issue #15: distribution latency), and
// ringing follows in the same turn; ringing is sent whatever else fails.
import t from 'tap';
import { callsOverFakes } from '../../support/calls-over-fakes';

const arrival = { channelId: 'caller-1', callerNumber: '13800000001', callerName: '', callerRaw: '', trunk: '110', arrivedAt: Date.now() };

t.test('a ready seat is sent for before the caller hears ringing, in the same turn', async (t) => {
  const { fake, calls } = await callsOverFakes(t, ['1001']);
  calls.arrived(arrival);
  t.same(fake.requests.map((r) => r.op), ['originate', 'ring'], 'both requests leave synchronously, the seat first');
  calls.callerLeft(arrival.channelId); // the offer withdrawn: its ring timer stops
  await new Promise((r) => setTimeout(r, 30));
});

t.test('ringing is sent even if opening the incident fails', async (t) => {
  const { fake, incidents, calls } = await callsOverFakes(t, ['1001']);
  incidents.arrive = () => {
    throw new Error('numbering broke');
  };
  t.throws(() => calls.arrived(arrival), /numbering broke/);
  t.same(fake.requests.map((r) => r.op), ['ring'], 'the caller hears ringing');
});
