// The follow-up service over a real SQLite store, a fake clock and a scripted channel: scheduled
// on close (major always, others by share, quiet hours), rung when due, retried, given up,
// answered, an unsatisfied answer pushed to the unit and its verification recorded, and a
// restart that finds what was scheduled and rings again what was being rung.
process.env.TZ = 'Asia/Shanghai';
import t, { type Test } from 'tap';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { FollowUpsRepo } from '../../../src/store/followups-repo';
import { DispatchRepo } from '../../../src/store/dispatch-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { FollowUpService, type FollowUpSettings } from '../../../src/followup/service';
import type { AttemptOutcome, AttemptRequest, FollowUpChannel } from '../../../src/followup/channel';
import type { OutboxMessage } from '../../../src/outbox/outbox';
import { silentLog } from '../../support/fake-telephony';

const NOON = new Date(2026, 11, 7, 12, 0).getTime();
const SETTINGS: FollowUpSettings = { delayMs: 60_000, quietHours: { from: '22:00', to: '08:00' }, sharePct: 0, majorCategories: ['robbery'], retries: 1, retryGapMs: 600_000, maxConcurrent: 2, pollMs: 1000 };

/** A channel that answers each attempt from a script. */
class ScriptedChannel implements FollowUpChannel {
  readonly name = 'voice';
  readonly asked: AttemptRequest[] = [];
  constructor(readonly outcomes: AttemptOutcome[]) {}
  async ask(req: AttemptRequest): Promise<AttemptOutcome> {
    this.asked.push(req);
    return this.outcomes.shift() ?? { reached: false, why: 'no_answer' };
  }
}

async function setup(t: Test, outcomes: AttemptOutcome[], settings: Partial<FollowUpSettings> = {}, file = `${t.testdir({})}/f.sqlite`) {
  const db = await Database.open(file);
  t.teardown(() => db.close());
  const incidents = new Incidents(new IncidentsRepo(db));
  await incidents.start();
  t.teardown(() => incidents.stop(1000));
  const clock = { now: NOON };
  const channel = new ScriptedChannel(outcomes);
  const pushed: OutboxMessage[] = [];
  const repo = new FollowUpsRepo(db);
  const service = new FollowUpService(
    { repo, incidents, unitOf: async () => 'U1', channels: { voice: channel }, defaultChannel: 'voice', outbox: { enqueue: async (m) => (pushed.push(m), { id: pushed.length, created: true }) }, unitWebhooks: { U1: 'http://127.0.0.1:9/unit' }, clock: () => clock.now, log: silentLog() },
    { ...SETTINGS, ...settings },
  );
  let n = 0;
  const incident = async (category: string | null, callerNumber = '13900000001', trunk = '110') => {
    const row = await incidents.open({ callerNumber, callerName: '', callerRaw: '', trunk, channelId: `c${++n}`, state: 'arrived', arrivedAt: clock.now, priority: 10 });
    if (category) await incidents.classify(row.number, { police: true, category, summary: null });
    return row;
  };
  const kinds = async (number: string) => (await incidents.get(number)).timeline.filter((e) => e.kind.startsWith('followup_')).map((e) => e.kind);
  const run = async () => {
    await service.tick();
    await service.settled();
  };
  return { db, incidents, clock, channel, pushed, repo, service, incident, kinds, run };
}

t.test('a major incident is followed up; a minor one with share 0 is not; closed twice, once', async (t) => {
  const s = await setup(t, []);
  const major = await s.incident('robbery');
  const minor = await s.incident('car_moving');
  const id = await s.service.closed(major.id, NOON);
  t.ok(id, 'scheduled');
  t.equal(await s.service.closed(minor.id, NOON), undefined, 'not major, share 0: none');
  t.equal(await s.service.closed(major.id, NOON), undefined, 'a second close schedules nothing more');
  const row = await s.service.get(id!);
  t.match(row, { state: 'scheduled', reason: 'major', dueAt: NOON + 60_000, number: '13900000001', unitId: 'U1', attempts: 0 });
  t.same(await s.kinds(major.number), ['followup_scheduled']);
});

t.test('share 100 takes every incident; a number that cannot be dialled gets none', async (t) => {
  const s = await setup(t, [], { sharePct: 100 });
  t.ok(await s.service.closed((await s.incident('car_moving')).id, NOON));
  t.equal(await s.service.closed((await s.incident('car_moving', 'anonymous')).id, NOON), undefined);
});

t.test('a text report is never followed up by a voice call (no SMS channel yet: none)', async (t) => {
  const s = await setup(t, [], { sharePct: 100 });
  t.equal(await s.service.closed((await s.incident('robbery', '13900000021', 'sms')).id, NOON), undefined);
  t.ok(await s.service.closed((await s.incident('robbery', '13900000022')).id, NOON), 'a call: by voice');
});

t.test('closed at night: due at the end of the quiet hours', async (t) => {
  const s = await setup(t, []);
  const late = new Date(2026, 11, 7, 21, 59, 30).getTime();
  const id = await s.service.closed((await s.incident('robbery')).id, late);
  t.equal((await s.service.get(id!)).dueAt, new Date(2026, 11, 8, 8, 0).getTime(), '21:59:30 + 1 min is in the quiet hours: 08:00 next day');
});

t.test('rung only when due; answered: scores stored and on the timeline', async (t) => {
  const s = await setup(t, [{ reached: true, answers: { speed: 5, attitude: 4, efficiency: null } }]);
  const inc = await s.incident('robbery');
  const id = (await s.service.closed(inc.id, NOON))!;
  await s.run();
  t.equal(s.channel.asked.length, 0, 'not before the delay');
  s.clock.now += 60_000;
  await s.run();
  t.match(s.channel.asked, [{ followUpId: id, incident: inc.number, number: '13900000001', attempt: 1 }]);
  t.match(await s.service.get(id), { state: 'answered', attempts: 1, speed: 5, attitude: 4, efficiency: null, finishedAt: s.clock.now });
  t.same(await s.kinds(inc.number), ['followup_scheduled', 'followup_calling', 'followup_answered']);
  t.same(s.pushed, [], 'satisfied: nothing pushed');
});

t.test('not reached: retried after the gap, then given up', async (t) => {
  const s = await setup(t, [{ reached: false, why: 'busy' }, { reached: false, why: 'no_answer' }]);
  const inc = await s.incident('robbery');
  const id = (await s.service.closed(inc.id, NOON))!;
  s.clock.now += 60_000;
  await s.run();
  t.match(await s.service.get(id), { state: 'scheduled', attempts: 1, lastResult: 'busy', dueAt: s.clock.now + 600_000 });
  await s.run();
  t.equal(s.channel.asked.length, 1, 'not again before the gap');
  s.clock.now += 600_000;
  await s.run();
  t.match(await s.service.get(id), { state: 'not_reached', attempts: 2, lastResult: 'no_answer' });
  t.same(await s.kinds(inc.number), ['followup_scheduled', 'followup_calling', 'followup_retry', 'followup_calling', 'followup_not_reached']);
});

t.test('a retry that would fall in the quiet hours waits for the morning', async (t) => {
  const s = await setup(t, [{ reached: false, why: 'no_answer' }]);
  s.clock.now = new Date(2026, 11, 7, 21, 50).getTime();
  const id = (await s.service.closed((await s.incident('robbery')).id, s.clock.now - 60_000))!;
  await s.run();
  t.equal((await s.service.get(id)).dueAt, new Date(2026, 11, 8, 8, 0).getTime());
});

t.test('a score of 2 or less: pushed to the unit (once, by key), and its answer recorded once', async (t) => {
  const s = await setup(t, [{ reached: true, answers: { speed: 4, attitude: 2, efficiency: 5 } }]);
  const inc = await s.incident('robbery');
  const id = (await s.service.closed(inc.id, NOON))!;
  s.clock.now += 60_000;
  await s.run();
  t.match(s.pushed, [{ kind: 'followup-verification', url: 'http://127.0.0.1:9/unit', key: `followup-${id}`, body: { followUp: id, incident: inc.number, unit: 'U1', scores: { speed: 4, attitude: 2, efficiency: 5 } } }]);
  const verified = await s.service.verify(id, { answer: 'Called the caller: officer was late, explained', by: 'officer-7' });
  t.match(verified, { verification: 'Called the caller: officer was late, explained', verifiedBy: 'officer-7' });
  await t.rejects(s.service.verify(id, { answer: 'again', by: 'x' }), { code: 'ALREADY_VERIFIED', statusCode: 409 });
  await t.rejects(s.service.verify(id + 100, { answer: 'x', by: 'x' }), { code: 'FOLLOW_UP_NOT_FOUND', statusCode: 404 });
  t.same(await s.kinds(inc.number), ['followup_scheduled', 'followup_calling', 'followup_answered', 'followup_unsatisfied', 'followup_verified']);
});

t.test('a satisfied follow-up cannot be verified', async (t) => {
  const s = await setup(t, [{ reached: true, answers: { speed: 5, attitude: 5, efficiency: 5 } }]);
  const id = (await s.service.closed((await s.incident('robbery')).id, NOON))!;
  s.clock.now += 60_000;
  await s.run();
  await t.rejects(s.service.verify(id, { answer: 'x', by: 'x' }), { code: 'NOT_UNSATISFIED', statusCode: 409 });
});

t.test('a restart finds the scheduled follow-ups, and rings again one it was calling', async (t) => {
  const file = `${t.testdir({})}/restart.sqlite`;
  const first = await setup(t, [], {}, file);
  const a = (await first.service.closed((await first.incident('robbery', '13900000011')).id, NOON))!;
  const b = (await first.service.closed((await first.incident('robbery', '13900000012')).id, NOON))!;
  await first.repo.claim(b); // b was being rung when the process died
  await first.incidents.stop(1000);
  const second = await setup(t, [{ reached: true, answers: { speed: 3, attitude: 3, efficiency: 3 } }, { reached: true, answers: { speed: 4, attitude: 4, efficiency: 4 } }], {}, file);
  second.clock.now = NOON + 30_000;
  await second.service.start();
  t.teardown(() => second.service.stop());
  await second.run();
  t.same(second.channel.asked.map((r) => [r.followUpId, r.attempt]), [[b, 2]], 'the interrupted one at once (its first attempt counted)');
  second.clock.now = NOON + 60_000;
  await second.run();
  t.same(second.channel.asked.map((r) => r.followUpId), [b, a], 'the other when due');
});

t.test('start(): an incident closed on its timeline is scheduled', async (t) => {
  const s = await setup(t, []);
  await s.service.start();
  t.teardown(() => s.service.stop());
  const inc = await s.incident('robbery');
  await s.incidents.stamp(inc.id, 'incident_closed', {}, NOON);
  for (let i = 0; i < 50 && !(await s.repo.forIncident(inc.id)); i++) await new Promise((r) => setTimeout(r, 20));
  t.match(await s.repo.forIncident(inc.id), { state: 'scheduled', reason: 'major' });
});

t.test('start(): an incident closed while no process scheduled it is scheduled then', async (t) => {
  const s = await setup(t, []);
  const inc = await s.incident('robbery');
  await new DispatchRepo(s.db).markOnce(inc.id, 'closed_at', NOON - 5000); // closed; the process died before scheduling
  await s.service.start();
  t.teardown(() => s.service.stop());
  t.match(await s.repo.forIncident(inc.id), { state: 'scheduled', dueAt: NOON - 5000 + 60_000 });
});
