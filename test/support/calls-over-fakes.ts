// A CallService over our own fakes (Telephony, seats, recorder) and an in-memory store: the unit
// tests of call-control decisions play Asterisk's events themselves (test/unit/calls/).
import type { Test } from 'tap';
import { Database } from '../../src/store/database';
import { IncidentsRepo } from '../../src/store/incidents-repo';
import { Incidents } from '../../src/incidents/incidents';
import { QueueService } from '../../src/queue/queue-service';
import { CallService } from '../../src/calls/call-service';
import type { Recorder } from '../../src/recording/recorder';
import { FakeTelephony, fakeSeats, silentLog } from './fake-telephony';

/** Seats `seatIds` logged in and ready; the recorder's recordings are named `recordingName`. */
export async function callsOverFakes(t: Test, seatIds: string[], recordingName?: string) {
  const db = await Database.open(':memory:');
  const incidents = new Incidents(new IncidentsRepo(db));
  await incidents.start();
  const fake = new FakeTelephony();
  const { seats, faults } = fakeSeats(seatIds);
  for (const id of seatIds) seats.apply(seats.get(id)!, 'login');
  const queue = new QueueService(fake.port, seats, { ringNoAnswerMs: 60_000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' }, silentLog(), faults);
  const recorder = { start: async () => recordingName, halt: async () => true, finished: async () => undefined } as unknown as Recorder;
  const calls = new CallService(fake.port, incidents, queue, seats, recorder, { officersIn: () => 0, endFor: async () => undefined }, { onArrival: async () => undefined }, {}, silentLog());
  t.teardown(async () => {
    queue.stop();
    await db.close();
  });
  return { fake, incidents, queue, seats, calls };
}
