// A seat answered but Asterisk did not join it with the caller (issue #15 item 6): the caller is
// not the one to lose. The seat's leg goes, the call is queued again at its place and offered to
// the next seat; the second connection does only the steps the first one did not finish.
import t from 'tap';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { QueueService } from '../../../src/queue/queue-service';
import { CallService } from '../../../src/calls/call-service';
import { AsteriskUnavailable } from '../../../src/asterisk/errors';
import type { Recorder } from '../../../src/recording/recorder';
import { FakeTelephony, fakeSeats, silentLog } from '../../support/fake-telephony';

const flush = () => new Promise((r) => setTimeout(r, 30));

t.test('joining the caller with the seat fails: back in the queue, offered again, connected', async (t) => {
  const db = await Database.open(':memory:');
  const incidents = new Incidents(new IncidentsRepo(db));
  await incidents.start();
  const fake = new FakeTelephony();
  const { seats, faults } = fakeSeats(['1001', '1002']);
  for (const id of ['1001', '1002']) seats.apply(seats.get(id)!, 'login');
  const queue = new QueueService(fake.port, seats, { ringNoAnswerMs: 60_000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' }, silentLog(), faults);
  const recorder = { start: async () => 'rec-1', halt: async () => true, finished: async () => undefined } as unknown as Recorder;
  const calls = new CallService(fake.port, incidents, queue, seats, recorder, { officersIn: () => 0, endFor: async () => undefined }, { onArrival: async () => undefined }, {}, silentLog());
  t.teardown(async () => {
    queue.stop();
    await incidents.written(1).catch(() => undefined);
    await db.close();
  });

  calls.arrived({ channelId: 'caller-1', callerNumber: '13800000001', callerName: '', callerRaw: '', trunk: '110', arrivedAt: Date.now() });
  await flush();
  const [first] = fake.created();
  t.match(first, /seat-1001/, 'offered to the seat idle longest');
  fake.failing.addToBridge = new AsteriskUnavailable('add to bridge: no answer in 5000 ms');
  queue.legEntered(first);
  queue.legAnswered(first);
  await flush();

  t.ok(fake.calls('hangup').some(([id]) => id === first), "the answered seat's leg is let go");
  t.same(fake.calls('play').at(-1)?.slice(0, 2), ['caller-1', 'tone:ring;tonezone=cn'], 'the caller, answered already, hears ringing again');
  const [second] = fake.created().slice(1);
  t.match(second, /seat-1002/, 'the call is offered again at once, to the next seat');
  t.equal(queue.snapshot().waiting[0]?.channelId, 'caller-1', 'waiting again');

  delete fake.failing.addToBridge;
  queue.legEntered(second);
  queue.legAnswered(second);
  await flush();
  t.equal(fake.calls('answer').length, 1, 'the caller was answered once only');
  t.equal(fake.calls('createBridge').length, 1, 'its bridge made once only');
  t.same(fake.calls('addToBridge').at(-1), [`cti110-${(await incidents.get((await incidents.list(1))[0].number)).number}`, ['caller-1', second]], 'caller and the second seat joined in the same bridge');
  t.ok(fake.calls('stopPlayback').length >= 1, 'the ringback tone stopped');
  const timeline = (await incidents.get((await incidents.list(1))[0].number)).timeline.map((e) => e.kind);
  t.ok(timeline.includes('connect_failed'), 'the failed connection is on the timeline');
  t.equal(seats.get('1002')!.state, 'on_call');
});
