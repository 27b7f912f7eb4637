// A recording that does not start is tried again; one that still cannot start is stamped
// recording_failed (which alerts supervisors, see events/hub.ts) and never takes the call down.
import t from 'tap';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { BridgeGone, TelephonyRejected } from '../../../src/asterisk/errors';
import { Recorder } from '../../../src/recording/recorder';
import { EventHub } from '../../../src/events/hub';
import type { Telephony } from '../../../src/asterisk/telephony';
import type { Incidents } from '../../../src/incidents/incidents';
import type { RecordingsRepo } from '../../../src/store/recordings-repo';
import type { Seats } from '../../../src/queue/seats';
import type { LiveMessage } from '../../../src/events/messages';

function recorderWith(outcomes: (Error | 'ok')[]) {
  const names: string[] = [];
  const stamps: { kind: string; detail: Record<string, unknown> }[] = [];
  const telephony = {
    recordBridge: async (_bridge: string, name: string) => {
      names.push(name);
      const outcome = outcomes[names.length - 1] ?? 'ok';
      if (outcome !== 'ok') throw outcome;
    },
  } as unknown as Telephony;
  const incidents = { stamp: async (_id: number, kind: string, detail: Record<string, unknown>) => void stamps.push({ kind, detail }) } as unknown as Incidents;
  const recorder = new Recorder(telephony, incidents, {} as RecordingsRepo, '/nonexistent', pino({ level: 'silent' }), [1, 1]);
  return { recorder, names, stamps };
}

t.test('refused once, then started: one recording stamped, with its attempts', async (t) => {
  const { recorder, names, stamps } = recorderWith([new TelephonyRejected('Recording already in progress'), 'ok']);
  const name = await recorder.start(1, '20261202-000001', 'bridge-1', '1001');
  t.equal(names.length, 2);
  t.equal(name, names[1], 'the name of the try that worked');
  t.same(stamps.map((s) => s.kind), ['recording']);
  t.equal(stamps[0].detail.attempts, 2);
});

t.test('never starts: stamped recording_failed after every retry, the call goes on', async (t) => {
  const refused = new TelephonyRejected('Allocation failed');
  const { recorder, names, stamps } = recorderWith([refused, refused, refused, refused]);
  t.equal(await recorder.start(1, '20261202-000001', 'bridge-1', '1001'), undefined);
  t.equal(names.length, 3, 'one try and two retries');
  t.same(stamps.map((s) => s.kind), ['recording_failed']);
});

t.test('the bridge is gone (the call ended): no retry', async (t) => {
  const { recorder, names, stamps } = recorderWith([new BridgeGone('bridge-1')]);
  await recorder.start(1, '20261202-000001', 'bridge-1', '1001');
  t.equal(names.length, 1);
  t.same(stamps.map((s) => s.kind), ['recording_failed']);
});

t.test('recording_failed reaches supervisors and the seat as an alert', async (t) => {
  const seats = Object.assign(new EventEmitter(), { all: () => [] }) as unknown as Seats;
  const incidents = Object.assign(new EventEmitter(), { findById: async () => ({ id: 1, number: '20261202-000001', callerNumber: '139', arrivedAt: 1, answeredAt: 2, seatId: '1001', state: 'talking' }) }) as unknown as Incidents;
  const hub = new EventHub({ seats, incidents, queue: () => ({ waiting: [], seats: [] }) }, { majorCategories: [], tickMs: 10_000 }, pino({ level: 'silent' }));
  t.teardown(() => hub.stop());
  const got: LiveMessage[] = [];
  hub.subscribe({ user: { name: 'boss', role: 'supervisor', seat: null, officer: null }, send: (m) => got.push(m) });
  incidents.emit('stamped', { incidentId: 1, kind: 'recording_failed', detail: { error: 'Allocation failed' }, at: 5 });
  await new Promise((r) => setTimeout(r, 20));
  const alert = got.find((m) => m.type === 'alert');
  t.match(alert, { alert: { kind: 'recording_failed', incident: '20261202-000001', seat: '1001', message: /RECORDING DID NOT START/ } });
});
