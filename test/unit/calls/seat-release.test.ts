// The caller hangs up: the seat is given back at once, not behind the call's own bookkeeping
// (its lane of stamps and store writes), which in a surge can lag by seconds (issue #15: seat
// held after the caller's BYE). The bookkeeping still follows, and nothing is done twice.
import t from 'tap';
import type { Incidents } from '../../../src/incidents/incidents';
import { callsOverFakes } from '../../support/calls-over-fakes';

const flush = () => new Promise((r) => setTimeout(r, 30));

for (const recordingName of ['call-1.wav', 'bridge-recording-1']) {
  t.test(`a ringing seat is free as the caller leaves, while the call's lane is still busy (${recordingName === 'call-1.wav' ? 'MixMonitor' : 'bridge recording'})`, async (t) => {
    const { fake, incidents, queue, seats, calls } = await callsOverFakes(t, ['1001'], recordingName);

    calls.arrived({ channelId: 'caller-1', callerNumber: '13800000001', callerName: '', callerRaw: '', trunk: '110', arrivedAt: Date.now() });
    await flush();
    const [leg] = fake.created();
    queue.legEntered(leg);
    queue.legAnswered(leg);
    await flush();
    t.equal(seats.get('1001')!.state, 'on_call');

    // The call's bookkeeping stalls (a slow store, a long lane): its state change does not finish.
    let resume!: () => void;
    const stalled = new Promise<void>((r) => (resume = r));
    const moved = incidents.moved.bind(incidents);
    incidents.moved = async (...args: Parameters<Incidents['moved']>) => {
      await stalled;
      return moved(...args);
    };
    calls.callerLeft('caller-1');
    await flush();
    t.not(seats.get('1001')!.state, 'on_call', 'the seat is free before the bookkeeping is done');
    t.ok(fake.calls('hangup').some(([id]) => id === leg), "the seat's leg is hung up already");
    t.equal(fake.calls('destroyBridge').length, 1, 'and the bridge removed');

    resume();
    await flush();
    const [incident] = await incidents.list(1);
    t.ok((await incidents.get(incident.number)).endedAt, 'the call still ends on its incident');
    t.equal(fake.calls('destroyBridge').length, 1, 'the bridge was removed once only');
    t.equal(fake.calls('hangup').filter(([id]) => id === leg).length, 1, 'the leg hung up once only');
  });
}
