// The record-side repositories' main operations, the same on SQLite and on PostgreSQL:
// recordings, their access log, search and retention, spot-checks, users and sessions, the outbox.
import t from 'tap';
import { IncidentsRepo, type NumberedIncident } from '../../../src/store/incidents-repo';
import { RecordingsRepo, type NewRecording } from '../../../src/store/recordings-repo';
import { RecordingAccessRepo } from '../../../src/store/recording-access-repo';
import { findRecording, searchRecordings } from '../../../src/store/recordings-search';
import { RetentionRepo } from '../../../src/store/retention-repo';
import { SpotChecksRepo } from '../../../src/store/spot-checks-repo';
import { UsersRepo } from '../../../src/store/users-repo';
import { OutboxRepo } from '../../../src/store/outbox-repo';
import type { Database } from '../../../src/store/database';
import { bothEngines } from '../../support/engines';

const each = bothEngines(t);
const AT = new Date(2026, 10, 23, 9, 0, 0).getTime();

async function incidents(db: Database, n: number): Promise<IncidentsRepo> {
  const repo = new IncidentsRepo(db);
  for (let id = 1; id <= n; id++) {
    const row: NumberedIncident = { id, number: `20261123-${String(id).padStart(6, '0')}`, callerNumber: `138${id}`, callerName: '', callerRaw: '', trunk: '110', channelId: `ch-${id}`, state: 'ended', arrivedAt: AT + id * 1000, priority: 10, caseRef: null };
    await repo.insert(row);
  }
  return repo;
}

const recording = (incidentId: number, name: string, startedAt: number, seatId: string | null = '1001'): NewRecording => ({
  incidentId, name, path: `2026/11/23/${name}.wav`, source: 'bridge', seatId, startedAt, endedAt: startedAt + 5000, durationMs: 5000, size: 80000, sha256: 'ab'.repeat(32),
});

each('recordings: pieces in order, access log, search, retention', async (t, open) => {
  const db = await open();
  const inc = await incidents(db, 2);
  const repo = new RecordingsRepo(db);
  t.equal(await repo.nextSeq(1), 1);
  const first = await repo.insert({ ...recording(1, 'r1', AT + 2000), seq: 1 });
  t.equal(await repo.nextSeq(1), 2);
  const second = await repo.insert({ ...recording(1, 'r2', AT + 9000, null), seq: 2 });
  const other = await repo.insert({ ...recording(2, 'r3', AT + 4000, '1002'), seq: 1 });
  t.ok(first < second && second < other, 'ids from the store, in order');
  await t.rejects(repo.insert({ ...recording(1, 'r4', AT), seq: 2 }), 'one row per piece');
  t.match(await repo.findByName('r2'), { id: second, incidentId: 1, incidentNumber: '20261123-000001', seq: 2, seatId: null, durationMs: 5000 });
  t.same((await repo.forIncident(1)).map((r) => r.name), ['r1', 'r2']);

  const access = new RecordingAccessRepo(db);
  const a1 = await access.record({ recordingId: first, at: AT, who: 'sup', action: 'listen', remote: '10.0.0.1', range: 'bytes=0-' });
  const a2 = await access.record({ recordingId: first, at: AT + 1, who: 'sup', action: 'download', remote: '10.0.0.1', range: null });
  await access.record({ recordingId: other, at: AT + 2, who: 'sup2', action: 'listen', remote: '10.0.0.2', range: null });
  t.same((await access.list({ recordingId: first, limit: 10 })).map((r) => [r.id, r.action, r.range]), [[a2, 'download', null], [a1, 'listen', 'bytes=0-']]);
  t.equal((await access.list({ limit: 10, beforeId: a2 })).length, 1, 'pages backwards');

  t.same((await searchRecordings(db, { limit: 10 })).map((r) => r.name), ['r3', 'r2', 'r1'], 'newest first');
  t.same((await searchRecordings(db, { callerNumber: '1381', from: AT + 2000, to: AT + 9000, limit: 10 })).map((r) => r.name), ['r1'], '[from, to)');
  t.same((await searchRecordings(db, { incident: '20261123-000002', seat: '1002', limit: 10 })).map((r) => r.callerNumber), ['1382']);
  t.equal((await findRecording(db, other))?.incidentNumber, '20261123-000002');

  await inc.setState(2, 'talking');
  const retention = new RetentionRepo(db);
  await db.run('UPDATE incidents SET ended_at = ? WHERE id = 1', [AT + 20000]);
  t.same((await retention.expired(AT + 15000)).map((r) => [r.id, r.incidentOpen]), [[first, false], [other, true], [second, false]], 'oldest first, open incidents marked');
  await retention.markDeleted(first, AT + 30000);
  t.equal(await retention.countWithAudio(), 2);
  t.same((await repo.all()).map((r) => r.name), ['r2', 'r3'], 'the integrity check skips deleted audio');
});

each('spot-checks: one sample per day, even drawn twice at once; a score is final', async (t, open) => {
  const db = await open();
  const inc = await incidents(db, 4);
  for (const id of [1, 2, 3]) await inc.markAnswered(id, { at: AT + id * 1000 + 500, seatId: '1001', delivery: 'ring', seatChannelId: 's', bridgeId: 'b' });
  await db.run('UPDATE incidents SET ended_at = arrived_at + 60000 WHERE id IN (1, 2, 4)');
  const repo = new SpotChecksRepo(db);
  t.same(await repo.handledIncidentIds(AT, AT + 86400000), [1, 2], 'answered and ended only');
  const drawn = await Promise.all([repo.insertSample('2026-11-23', [2, 1], AT + 1), repo.insertSample('2026-11-23', [1], AT + 2)]);
  t.same(drawn.sort(), [0, 2], 'the second draw of the day inserts nothing');
  const rows = await repo.forDay('2026-11-23');
  t.same(rows.map((r) => [r.incidentNumber, r.recordings, r.drawnAt]), [['20261123-000001', 0, AT + 1], ['20261123-000002', 0, AT + 1]]);
  const score = { scorer: 'sup', at: AT + 5, speed: 5, attitude: 4, correctness: 3, note: null };
  t.equal(await repo.score(rows[0]!.id, score), true);
  t.equal(await repo.score(rows[0]!.id, { ...score, speed: 1 }), false, 'final');
  t.match(await repo.find(rows[0]!.id), { scorer: 'sup', speed: 5, attitude: 4, correctness: 3 });
  await t.rejects(repo.score(rows[1]!.id, { ...score, speed: 9 }), 'scores are 1 to 5');
});

each('users: case-insensitive names, sessions, the sign-in audit, seat ownership', async (t, open) => {
  const db = await open();
  const inc = await incidents(db, 1);
  await inc.markAnswered(1, { at: AT, seatId: '1001', delivery: 'ring', seatChannelId: 's', bridgeId: 'b' });
  const repo = new UsersRepo(db);
  t.equal(await repo.upsert({ name: 'Li', role: 'call-taker', seatId: '1001', officerId: null, passwordHash: 'h1' }, AT), true);
  const li = (await repo.findByName('LI'))!;
  t.match(li, { name: 'Li', role: 'call-taker', seatId: '1001', officerId: null, passwordHash: 'h1', disabled: 0 });
  await repo.addSession('tok', li.id, AT, AT + 1000);
  t.match(await repo.sessionUser('tok', AT + 1), { id: li.id, expiresAt: AT + 1000 });
  t.equal(await repo.sessionUser('tok', AT + 1000), undefined, 'expired');
  t.equal(await repo.upsert({ name: 'li', role: 'supervisor', seatId: null, officerId: null, passwordHash: 'h2' }), false, 'the same user, whatever the case');
  t.equal(await repo.sessionUser('tok', AT + 1), undefined, 'a changed user loses its sessions');
  await repo.addSession('tok2', li.id, AT, AT + 1000);
  await repo.endSession('tok2');
  t.equal(await repo.sessionUser('tok2', AT + 1), undefined);
  await repo.upsert({ name: 'car2001', role: 'officer', seatId: null, officerId: '2001', passwordHash: 'h' });
  await t.rejects(repo.upsert({ name: 'x', role: 'officer', seatId: null, officerId: null, passwordHash: 'h' }), 'an officer has an officer id');
  await t.rejects(repo.upsert({ name: 'y', role: 'janitor', seatId: null, officerId: null, passwordHash: 'h' }), 'known roles only');

  const id = await repo.recordSignIn(AT, 'LI', '10.0.0.1', 'ok');
  await repo.recordSignIn(AT, 'li', '10.0.0.2', 'bad_password');
  await repo.addToSignIn(id, 4);
  t.equal((await db.get<{ count: number }>('SELECT count FROM sign_ins WHERE id = ?', [id]))?.count, 5);
  t.equal(await repo.signedInFrom('li', '10.0.0.1'), true, 'the name in any case');
  t.equal(await repo.signedInFrom('li', '10.0.0.2'), false, 'a refused sign-in does not count');
  t.equal(await repo.seatOfIncident('20261123-000001'), '1001');
  t.equal(await repo.seatOfIncident('nope'), undefined);
  const rec = await new RecordingsRepo(db).insert({ ...recording(1, 'r1', AT, null), seq: 1 });
  t.equal(await repo.seatOfRecording(rec), '1001', 'else the seat that answered');
});

each('outbox: the first row of a key wins, due rows in order, delivery and backoff', async (t, open) => {
  const repo = new OutboxRepo(await open());
  const a = await repo.insert({ kind: 'transfer12345', url: 'http://x/a', headers: { Authorization: 'Bearer t' }, body: '{"a":1}', key: 'k1', at: AT });
  t.same(await repo.insert({ kind: 'transfer12345', url: 'http://x/other', headers: {}, body: '{}', key: 'k1', at: AT + 1 }), { id: a.id, created: false });
  t.equal(a.created, true);
  const b = await repo.insert({ kind: 'unit-webhook', url: 'http://y', headers: {}, body: '{}', key: 'k2', at: AT + 10 });
  t.same(await repo.nextDue(AT + 5), { id: a.id, kind: 'transfer12345', url: 'http://x/a', headers: { Authorization: 'Bearer t' }, body: '{"a":1}', key: 'k1', attempts: 0 });
  await repo.markFailed(a.id, 1, AT + 1000, 'HTTP 503');
  t.equal((await repo.nextDue(AT + 20))?.id, b.id, 'a row in backoff does not hold up the others');
  t.equal(await repo.nextDueAt(), AT + 10);
  await repo.markDelivered(b.id, AT + 30);
  t.equal(await repo.nextDueAt(), AT + 1000);
  t.equal(await repo.countPending(), 1);
  t.equal(await repo.countPending('unit-webhook'), 0);
  t.match(await repo.list(10), [{ id: b.id, deliveredAt: AT + 30, attempts: 1, lastError: null }, { id: a.id, attempts: 1, nextAt: AT + 1000, lastError: 'HTTP 503', deliveredAt: null }]);
});
