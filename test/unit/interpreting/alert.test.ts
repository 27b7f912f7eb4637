// No interpreter line answered: the call-taker on that call is told on the live stream (and the
// supervisors), so that they keep handling the caller rather than wait.
import t from 'tap';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { EventHub } from '../../../src/events/hub';
import type { LiveMessage } from '../../../src/events/messages';
import type { Seats } from '../../../src/queue/seats';
import type { Incidents } from '../../../src/incidents/incidents';

t.test('interpreter_exhausted alerts the call-taker of that call', async (t) => {
  const seats = Object.assign(new EventEmitter(), { all: () => [] }) as unknown as Seats;
  const incidents = Object.assign(new EventEmitter(), { findById: async (id: number) => ({ id, number: `20261207-00000${id}`, callerNumber: '139', arrivedAt: 1, answeredAt: 2, seatId: id === 1 ? '1001' : '1002', state: 'talking' }) }) as unknown as Incidents;
  const hub = new EventHub({ seats, incidents, queue: () => ({ waiting: [], seats: [] }) }, { majorCategories: [], tickMs: 60_000 }, pino({ level: 'silent' }));
  t.teardown(() => hub.stop());
  const li: LiveMessage[] = [];
  hub.subscribe({ user: { name: 'li', role: 'call-taker', seat: '1001', officer: null }, send: (m) => li.push(m) });
  (incidents as unknown as EventEmitter).emit('stamped', { incidentId: 1, kind: 'interpreter_exhausted', detail: { language: 'en' }, at: 5 });
  (incidents as unknown as EventEmitter).emit('stamped', { incidentId: 2, kind: 'interpreter_exhausted', detail: { language: 'ru' }, at: 6 });
  await new Promise((r) => setTimeout(r, 20));
  const alerts = li.flatMap((m) => (m.type === 'alert' ? [m.alert] : []));
  t.match(alerts, [{ kind: 'no_interpreter', incident: '20261207-000001', seat: '1001', message: /no en interpreter answered/ }], "only their own call's alert");
});
