// Instant recall had no limit: a loop of POST /incidents/:n/recall (or a stuck *2 key) started a
// replay, two snoop channels and a new segment in Asterisk each time. Now one recall at a time per
// call and RECALL_MIN_INTERVAL_MS between them; the REST route says 429 with Retry-After.
import t, { type Test } from 'tap';
import Fastify from 'fastify';
import pino from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { Arrivals } from '../../../src/monitoring/arrivals';
import { InstantRecall } from '../../../src/monitoring/recall';
import { RecallTooSoon } from '../../../src/monitoring/errors';
import { installErrorHandler } from '../../../src/http/errors';
import { monitoringRoutes } from '../../../src/http/routes/monitoring';
import { fakeTelephony } from '../../support/app-with-fakes';
import type { CallInProgress } from '../../../src/calls/call-service';

async function setup(t: Test, minIntervalMs: number) {
  const db = await Database.open(':memory:');
  const incidents = new Incidents(new IncidentsRepo(db));
  const row = await incidents.open({ callerNumber: '13800000000', callerName: '', callerRaw: '', trunk: '110', channelId: 'caller-1', state: 'talking', arrivedAt: Date.now(), priority: 10 });
  const call: CallInProgress = { incident: row.number, incidentId: row.id, callerChannelId: 'caller-1', takerChannelId: 'taker-1', bridgeId: 'b-1', seatId: '1001' };
  const arrivals = new Arrivals();
  const plays: string[] = [];
  // Asterisk as far as recall needs it: a snoop channel enters the app at once; plays are counted.
  const telephony = {
    ...fakeTelephony(),
    snoop: async (_channel: string, spec: { snoopId: string }) => void setImmediate(() => arrivals.arrived(spec.snoopId)),
    play: async (channelId: string) => void plays.push(channelId),
  };
  const recall = new InstantRecall(telephony, incidents, { callInProgress: (n) => (n === call.incident ? call : undefined) }, arrivals, { seconds: 60, segmentMs: 60_000, minIntervalMs }, pino({ level: 'silent' }));
  recall.talking(call);
  t.teardown(async () => {
    recall.ended(call.incident);
    // Closed only once its writes are in: a write behind a closed store is retried for ever.
    await incidents.written(call.incidentId);
    await db.close();
  });
  await sleep(50); // the rolling recording has something in it
  return { recall, call, plays };
}

t.test('one recall at a time per call, and a minimum interval between them', async (t) => {
  const { recall, call, plays } = await setup(t, 300);
  const first = await recall.recall(call.incident);
  t.ok(first.heardMs > 0);
  const busy = await recall.recall(call.incident).catch((err: unknown) => err);
  t.type(busy, RecallTooSoon, 'while the first replay plays: refused');
  t.ok((busy as RecallTooSoon).retryAfterMs >= 300 - 50, 'and says when to come back');
  t.equal(plays.length, 1, 'nothing more was played');
  // The replay ends (PlaybackFinished); the interval still applies for a moment.
  const [playbackId] = [...(recall as unknown as { replays: Map<string, unknown> }).replays.keys()];
  recall.playbackFinished(playbackId!);
  const soon = await recall.recall(call.incident).catch((err: unknown) => err);
  t.type(soon, RecallTooSoon, 'right after it: too soon');
  await sleep(350);
  await recall.recall(call.incident);
  t.equal(plays.length, 2, 'after the interval a recall plays again');
  // Key presses go the same way: a *2 while this replay plays starts nothing.
  recall.byTaker(call.takerChannelId);
  await sleep(50);
  t.equal(plays.length, 2, '*2 during a replay: ignored');
});

t.test('POST /incidents/:n/recall: 429 with Retry-After', async (t) => {
  const { recall, call } = await setup(t, 3000);
  const app = Fastify({ logger: false });
  installErrorHandler(app);
  monitoringRoutes(app, { monitoring: {} as never, recall });
  await app.ready();
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'POST', url: `/incidents/${call.incident}/recall` })).statusCode, 202);
  const again = await app.inject({ method: 'POST', url: `/incidents/${call.incident}/recall` });
  t.equal(again.statusCode, 429, again.body);
  t.equal(again.json().error, 'RECALL_TOO_SOON');
  t.ok(Number(again.headers['retry-after']) >= 1, `Retry-After: ${again.headers['retry-after']}`);
});

t.test('a call the dialplan records: recall replays the caller side of its MixMonitor, nothing started per call', async (t) => {
  const db = await Database.open(':memory:');
  const incidents = new Incidents(new IncidentsRepo(db));
  const row = await incidents.open({ callerNumber: '13800000001', callerName: '', callerRaw: '', trunk: '110', channelId: 'caller-2', state: 'talking', arrivedAt: Date.now(), priority: 10 });
  const call: CallInProgress = { incident: row.number, incidentId: row.id, callerChannelId: 'caller-2', takerChannelId: 'taker-2', bridgeId: 'b-2', seatId: '1001', recordingFile: 'call_1700000000_1700000000-7_13800000001' };
  const arrivals = new Arrivals();
  const acts: string[] = [];
  const telephony = {
    ...fakeTelephony(),
    snoop: async (channel: string, spec: { snoopId: string }) => {
      acts.push(`snoop ${channel}`);
      setImmediate(() => arrivals.arrived(spec.snoopId));
    },
    recordChannel: async (_c: string, name: string) => void acts.push(`record ${name}`),
    play: async (_c: string, media: string | string[], _id?: string, offsetMs?: number) => void acts.push(`play ${String(media)} @${offsetMs ?? 0}`),
    hangup: async (channelId: string) => void acts.push(`hangup ${channelId.split('-').slice(0, 2).join('-')}`),
    deleteRecording: async (name: string) => void acts.push(`delete ${name}`),
  };
  const recall = new InstantRecall(telephony, incidents, { callInProgress: (n) => (n === call.incident ? call : undefined) }, arrivals, { seconds: 1, segmentMs: 60_000, minIntervalMs: 0 }, pino({ level: 'silent' }));
  t.teardown(async () => {
    await incidents.written(call.incidentId);
    await db.close();
  });
  recall.talking(call);
  await sleep(1300);
  t.same(acts, [], 'answered: no snoop, no recording, no request at all');
  const result = await recall.recall(call.incident);
  t.equal(result.heardMs, 1000, 'the last second (all that is configured)');
  const played = acts.find((a) => a.startsWith('play'))!;
  t.match(played, /^play recording:recall_call_1700000000_1700000000-7_13800000001 @(\d+)$/, 'the caller side of the MixMonitor file, from a second before its end');
  t.ok(Number(/@(\d+)/.exec(played)![1]) >= 250, 'skipping what was said before');
  t.same(acts.filter((a) => a.startsWith('snoop')), ['snoop taker-2'], 'one whisper snoop on the call-taker, for the replay');
  await sleep(1200);
  t.ok(acts.includes('hangup cti110-recall'), 'the replay of a file that keeps growing is ended after the second it plays');
  recall.ended(call.incident);
  await sleep(20);
  t.equal(acts.pop(), 'delete recall_call_1700000000_1700000000-7_13800000001', 'the caller side is deleted with the call');
});
