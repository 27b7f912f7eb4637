// The audit chain in the store, the same on SQLite and PostgreSQL: appends from two connections
// at once stay one chain, incidents are named, anchors are signed once a day, the check names an
// entry edited in the table, and an incident's export verifies until it is changed.
import t from 'tap';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { RecordingsRepo } from '../../../src/store/recordings-repo';
import { AuditRepo } from '../../../src/store/audit-repo';
import type { Database } from '../../../src/store/database';
import { appendNow } from '../../../src/audit/append-now';
import { AuditLog, type WriteBehind } from '../../../src/audit/audit-log';
import { checkChain } from '../../../src/audit/check';
import { exportIncident, verifyExport } from '../../../src/audit/export';
import { loadOrCreateKey } from '../../../src/audit/keys';
import { bothEngines } from '../../support/engines';

const each = bothEngines(t);
const AT = new Date(2026, 11, 7, 9, 0, 0).getTime();
const NUMBER = '20261207-000001';

async function anIncidentWithARecording(db: Database): Promise<{ recordingId: number }> {
  const incidents = new IncidentsRepo(db);
  await incidents.insert({ id: 1, number: NUMBER, callerNumber: '13800000001', callerName: '', callerRaw: '', trunk: '110', channelId: 'ch-1', state: 'ended', arrivedAt: AT, priority: 10, caseRef: null });
  await incidents.addEvent(1, 'answered', { seat: '1001' }, AT + 2000);
  await incidents.classify(1, { police: true, category: 'crime', summary: 'a bicycle stolen outside the station' });
  const recordingId = await new RecordingsRepo(db).insert({ incidentId: 1, seq: 1, name: 'r1', path: `2026/12/07/${NUMBER}/1.wav`, source: 'call', seatId: '1001', startedAt: AT + 2000, endedAt: AT + 9000, durationMs: 7000, size: 1000, sha256: 'ab'.repeat(32) });
  return { recordingId };
}

/** The write-behind as main.ts gives it, without the incidents' writer: each push one transaction. */
const directWriter = (db: Database): WriteBehind & { done: Promise<unknown> } => {
  const w = {
    done: Promise.resolve() as Promise<unknown>,
    push: (_what: string, run: (db: Database) => Promise<void>, after: (stored: boolean) => void) => {
      w.done = w.done.then(() => db.transaction(run)).then(() => after(true), () => after(false));
    },
    settled: async () => {
      await w.done;
      return true;
    },
  };
  return w;
};

each('appends: one chain from two connections at once, incidents named', async (t, open) => {
  const db = await open();
  const { recordingId } = await anIncidentWithARecording(db);
  const other = await db.writerConnection();
  // Two writers at once, as the service and a CLI (or two nodes): one after the other on each
  // connection (a SQLite connection holds one transaction at a time), the two interleaved.
  const writer = async (conn: Database, from: number) => {
    for (let i = from; i < 20; i += 2) await appendNow(conn, [{ actor: `u${i}`, action: 'test.act', detail: { i } }, { actor: 'system', action: 'test.second', detail: { i } }]);
  };
  await Promise.all([writer(db, 0), writer(other, 1)]);
  await appendNow(db, [{ actor: 'system', action: 'call.answered', incidentId: 1 }, { actor: 'li', action: 'recording.listen', recordingId }, { actor: 'li\0\ud800', action: 'POST /x', incident: NUMBER }]);
  const repo = new AuditRepo(db);
  const all = await repo.page(0, 1000);
  t.equal(all.length, 43);
  t.equal(all[42]!.actor, 'li\u2400\ufffd', 'a NUL and a lone surrogate stored as hashed');
  t.same(all.map((e) => e.id), Array.from({ length: 43 }, (_, i) => i + 1), 'numbered without gap');
  const key = loadOrCreateKey(join(t.testdirName, 'key.pem'));
  t.same(await checkChain(repo, [key.publicKey]), { entries: 43, anchors: 0, broken: undefined, badAnchors: [] }, 'every link holds');
  t.same((await repo.forIncident(NUMBER)).map((e) => e.action), ['call.answered', 'recording.listen', 'POST /x'], 'by incident id, by recording, by number');
});

each('anchors once a day; an entry edited in the table is named; a forged anchor is refused', async (t, open) => {
  const db = await open();
  const key = loadOrCreateKey(join(t.testdirName, 'key.pem'));
  const writer = directWriter(db);
  let now = AT;
  const log = new AuditLog(writer, pino({ level: 'silent' }), () => now);
  log.anchor(key); // the empty chain, at start
  for (let i = 0; i < 5; i++) log.record({ actor: 'system', action: `step.${i}` });
  log.flush();
  log.anchor(key); // the same day: already anchored
  now += 86_400_000;
  log.anchor(key);
  await log.settled(1000);
  const repo = new AuditRepo(db);
  const anchors = await repo.anchors();
  t.same(anchors.map((a) => [a.lastId]), [[0], [5]], 'one per day: the head as it stood');
  t.same((await checkChain(repo, [key.publicKey])).broken, undefined);

  await db.run("UPDATE audit_log SET actor = 'nobody' WHERE id = 3");
  const edited = await checkChain(repo, [key.publicKey]);
  t.match(edited.broken, { id: 3, reason: /edited/ }, 'the edited entry is named');

  await db.run("UPDATE audit_anchors SET last_id = 2 WHERE last_id = 5");
  t.match((await checkChain(repo, [key.publicKey])).badAnchors, [{ reason: /bad signature/ }]);
  const stranger = generateKeyPairSync('ed25519').publicKey;
  t.equal((await checkChain(repo, [stranger])).badAnchors.length, 2, 'anchors by a key not given are not trusted');
});

each('an incident exports as one signed file that fails once changed', async (t, open) => {
  const db = await open();
  await anIncidentWithARecording(db);
  await appendNow(db, [{ actor: 'system', action: 'call.answered', incidentId: 1, detail: { seat: '1001' } }]);
  const key = loadOrCreateKey(join(t.testdirName, 'key.pem'));
  const doc = (await exportIncident(db, NUMBER, key))!;
  t.equal(await exportIncident(db, '20261207-000099', key), undefined, 'no such incident');
  const copy = () => JSON.parse(JSON.stringify(doc));
  t.match(doc.record, { incident: { number: NUMBER }, timeline: [{ kind: 'answered' }], audit: [{ action: 'call.answered' }], recordings: [{ sha256: 'ab'.repeat(32) }], texts: [{ kind: 'summary', text: /bicycle/ }] });
  t.same(verifyExport(copy(), [key.publicKey]), { ok: true, keyId: key.keyId, problems: [] }, 'verifies after a JSON round trip');

  const edited = copy();
  edited.record.recordings[0].sha256 = 'cd'.repeat(32);
  t.match(verifyExport(edited, [key.publicKey]).problems, [/signature does not match/], 'a changed hash fails');
  const entry = copy();
  entry.record.audit[0].actor = 'nobody';
  t.match(verifyExport(entry, [key.publicKey]).problems, [/signature does not match/, /audit entry 1: content does not match its hash/]);
  t.match(verifyExport(copy(), [generateKeyPairSync('ed25519').publicKey]).problems, [/not one of the keys given/], 'only a trusted key verifies');
  t.match(verifyExport({ hello: 1 }, [key.publicKey]).problems, [/not a cti110-incident-record/]);
});
