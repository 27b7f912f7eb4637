// A call's first moments (calls/call-service.ts arrived()): the request for a ready seat leaves
// first, since a seat's INVITE is what the caller waits for (issue #15: distribution latency), and
// ringing follows in the same turn; ringing is sent whatever else fails.
import t, { type Test } from 'tap';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { QueueService } from '../../../src/queue/queue-service';
import { CallService } from '../../../src/calls/call-service';
import type { Recorder } from '../../../src/recording/recorder';
import { FakeTelephony, fakeSeats, silentLog } from '../../support/fake-telephony';

async function setup(t: Test) {
  const db = await Database.open(':memory:');
  const incidents = new Incidents(new IncidentsRepo(db));
  await incidents.start();
  const fake = new FakeTelephony();
  const { seats, faults } = fakeSeats(['1001']);
  seats.apply(seats.get('1001')!, 'login');
  const queue = new QueueService(fake.port, seats, { ringNoAnswerMs: 60_000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' }, silentLog(), faults);
  const recorder = { start: async () => undefined, halt: async () => true, finished: async () => undefined } as unknown as Recorder;
  const calls = new CallService(fake.port, incidents, queue, seats, recorder, { officersIn: () => 0, endFor: async () => undefined }, { onArrival: async () => undefined }, {}, silentLog());
  t.teardown(async () => {
    queue.stop();
    await db.close();
  });
  return { fake, incidents, calls };
}
const arrival = { channelId: 'caller-1', callerNumber: '13800000001', callerName: '', callerRaw: '', trunk: '110', arrivedAt: Date.now() };

t.test('a ready seat is sent for before the caller hears ringing, in the same turn', async (t) => {
  const { fake, calls } = await setup(t);
  calls.arrived(arrival);
  t.same(fake.requests.map((r) => r.op), ['originate', 'ring'], 'both requests leave synchronously, the seat first');
  calls.callerLeft(arrival.channelId); // the offer withdrawn: its ring timer stops
  await new Promise((r) => setTimeout(r, 30));
});

t.test('ringing is sent even if opening the incident fails', async (t) => {
  const { fake, incidents, calls } = await setup(t);
  incidents.arrive = () => {
    throw new Error('numbering broke');
  };
  t.throws(() => calls.arrived(arrival), /numbering broke/);
  t.same(fake.requests.map((r) => r.op), ['ring'], 'the caller hears ringing');
});
