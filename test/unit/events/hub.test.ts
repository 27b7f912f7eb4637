// The live stream: what each role sees, queue changes sent once, alerts (the WebSocket route:
// test/unit/events/live-sockets.test.ts).
import t from 'tap';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { EventHub } from '../../../src/events/hub';
import type { LiveMessage } from '../../../src/events/messages';
import type { Seats } from '../../../src/queue/seats';
import type { Incidents } from '../../../src/incidents/incidents';
import type { QueueSnapshot } from '../../../src/stats/snapshot';

const seat = (id: string, state: string) => ({ id, state, reason: null, since: 1, reachable: true });
const row = (id: number, seatId: string | null) => ({ id, number: `20261123-00000${id}`, callerNumber: '139', arrivedAt: 1, answeredAt: 2, seatId, state: 'talking' });

function sources() {
  const seats = Object.assign(new EventEmitter(), { all: () => [seat('1001', 'ready'), seat('1002', 'ready')] }) as unknown as Seats;
  const incidents = Object.assign(new EventEmitter(), { findById: async (id: number) => row(id, id === 1 ? '1001' : '1002') }) as unknown as Incidents;
  const snapshot: QueueSnapshot = { waiting: [], seats: [] };
  return { seats, incidents, snapshot, queue: () => snapshot };
}
const flush = () => new Promise((r) => setTimeout(r, 20));

t.test('call-takers see their own calls and alerts; supervisors see all; queue sent on change only', async (t) => {
  const src = sources();
  const hub = new EventHub(src, { majorCategories: ['crime'], tickMs: 10_000 }, pino({ level: 'silent' }));
  t.teardown(() => hub.stop());
  const li: LiveMessage[] = [];
  const boss: LiveMessage[] = [];
  hub.subscribe({ user: { name: 'li', role: 'call-taker', seat: '1001', officer: null }, send: (m) => li.push(m) });
  hub.subscribe({ user: { name: 'boss', role: 'supervisor', seat: null, officer: null }, send: (m) => boss.push(m) });
  t.same(li.map((m) => m.type), ['hello', 'queue', 'seat', 'seat'], 'a new screen gets who it is, the queue and every seat at once');

  src.incidents.emit('stamped', { incidentId: 1, kind: 'answered', detail: {}, at: 5 });
  src.incidents.emit('stamped', { incidentId: 2, kind: 'classified', detail: { category: 'crime' }, at: 6 });
  await flush();
  const calls = (msgs: LiveMessage[]) => msgs.filter((m) => m.type === 'incident').map((m) => (m.type === 'incident' ? `${m.incident.number}:${m.kind}` : ''));
  t.same(calls(li), ['20261123-000001:answered'], "only the call-taker's own call");
  t.same(calls(boss), ['20261123-000001:answered', '20261123-000002:classified']);
  t.equal(li.filter((m) => m.type === 'alert').length, 0, "another seat's alert is not shown to a call-taker");
  const alert = boss.find((m) => m.type === 'alert');
  t.match(alert, { alert: { kind: 'major_incident', incident: '20261123-000002', seat: '1002' } });

  const before = boss.filter((m) => m.type === 'queue').length;
  src.snapshot.waiting.push({ incident: '20261123-000003', arrivedAt: Date.now() - 1000, priority: 10 });
  (src.seats as unknown as EventEmitter).emit('changed', seat('1001', 'on_call'), { from: 'ready', event: 'answered' });
  (src.seats as unknown as EventEmitter).emit('changed', seat('1001', 'on_call'), { from: 'ready', event: 'answered' });
  const queues = boss.filter((m) => m.type === 'queue');
  t.equal(queues.length, before + 1, 'the queue is sent when it changed, once');
  t.match(queues[queues.length - 1], { waiting: 1 });
});

t.test('supervisors are alerted when the store fails and when it is back', async (t) => {
  const store = new EventEmitter();
  const hub = new EventHub({ ...sources(), store }, { majorCategories: [], tickMs: 10_000 }, pino({ level: 'silent' }));
  t.teardown(() => hub.stop());
  const boss: LiveMessage[] = [];
  const li: LiveMessage[] = [];
  hub.subscribe({ user: { name: 'boss', role: 'supervisor', seat: null, officer: null }, send: (m) => boss.push(m) });
  hub.subscribe({ user: { name: 'li', role: 'call-taker', seat: '1001', officer: null }, send: (m) => li.push(m) });
  store.emit('failing', { up: false, queued: 7, failingSince: 1, error: 'SQLITE_FULL: database or disk is full' });
  store.emit('recovered', { up: true, queued: 0, failingSince: null, error: null, downMs: 12_400 });
  const alerts = boss.flatMap((m) => (m.type === 'alert' ? [m.alert] : []));
  t.match(alerts, [
    { kind: 'store_failing', incident: null, message: /SQLITE_FULL.*calls go on, 7 incident writes kept in memory/ },
    { kind: 'store_recovered', incident: null, message: /after 12 s/ },
  ]);
});

