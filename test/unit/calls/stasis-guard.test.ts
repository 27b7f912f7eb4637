// The ARI event dispatch cannot be thrown out of (issue 14, H1): before, a SeatStateError thrown
// by the queue inside an answer event reached the websocket's listener and Node exited. Now the
// event's handler fails alone: logged, a 'service_error' alert on the live stream, next events served.
import t from 'tap';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { bindStasis, type StasisDeps } from '../../../src/calls/stasis-bindings';
import { Faults } from '../../../src/events/faults';
import { EventHub } from '../../../src/events/hub';
import type { LiveMessage } from '../../../src/events/messages';
import type { AriEvent } from '../../../src/asterisk/ari-events';
import type { Seats } from '../../../src/queue/seats';
import type { Incidents } from '../../../src/incidents/incidents';

/** A dependency whose every method answers "not mine" (false / undefined). */
const nobody = () => new Proxy({}, { get: () => () => false });

t.test('a handler that throws or rejects does not end the process; supervisors are alerted', async (t) => {
  const ari = new EventEmitter();
  const faults = new Faults(pino({ level: 'silent' }));
  const answered: string[] = [];
  const queue = {
    isLeg: (id: string) => id.startsWith('leg-'),
    legEntered: (id: string) => {
      if (id === 'leg-bad') throw new Error('a seat that is not ready cannot answered');
      answered.push(id);
    },
  };
  const recorder = { finished: () => Promise.reject(new Error('disk gone')) };
  const seats = Object.assign(new EventEmitter(), { all: () => [] }) as unknown as Seats;
  const deps: Record<string, unknown> = { ari, faults, queue, recorder, seats, log: pino({ level: 'silent' }) };
  for (const name of ['telephony', 'calls', 'seatService', 'callbacks', 'conference', 'headsetCodes', 'transfer', 'interpreter', 'monitoring', 'recall']) deps[name] = nobody();
  bindStasis(deps as unknown as StasisDeps);

  const hub = new EventHub({ seats, incidents: new EventEmitter() as unknown as Incidents, queue: () => ({ waiting: [], seats: [] }), faults }, { majorCategories: [], tickMs: 60_000 }, pino({ level: 'silent' }));
  t.teardown(() => hub.stop());
  const boss: LiveMessage[] = [];
  const taker: LiveMessage[] = [];
  hub.subscribe({ user: { name: 'boss', role: 'supervisor', seat: null, officer: null }, send: (m) => boss.push(m) });
  hub.subscribe({ user: { name: 'li', role: 'call-taker', seat: '1001', officer: null }, send: (m) => taker.push(m) });

  // A seat leg is answered when it enters our app (it is originated straight into it).
  const up = (id: string) => ({ type: 'StasisStart', args: ['leg', 'caller-1'], channel: { id, name: `PJSIP/1001-${id}`, state: 'Up' } }) as unknown as AriEvent;
  t.doesNotThrow(() => ari.emit('event', up('leg-bad')), 'the throw stops at the guard');
  t.doesNotThrow(() => ari.emit('event', { type: 'RecordingFinished', recording: { name: 'x' } } as unknown as AriEvent));
  await new Promise((r) => setImmediate(r));
  ari.emit('event', up('leg-good'));
  t.same(answered, ['leg-good'], 'the next event is handled as usual');

  const alerts = boss.filter((m) => m.type === 'alert').map((m) => (m.type === 'alert' ? m.alert : undefined));
  t.match(alerts, [
    { kind: 'service_error', incident: null, seat: null, message: /ARI StasisStart: a seat that is not ready cannot answered/ },
    { kind: 'service_error', message: /ARI RecordingFinished: disk gone/ },
  ]);
  t.equal(taker.filter((m) => m.type === 'alert').length, 0, 'a service alert is for supervisors');
});
