// Two imports for one incident must never lose a file: both draw the same next seq, the first
// file used to be renamed over by the second before the UNIQUE (incident, seq) row refused it.
import t from 'tap';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { RecordingsRepo } from '../../../src/store/recordings-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { Recorder, recordingName } from '../../../src/recording/recorder';
import { FileExists, storeAtomically } from '../../../src/recording/storage';
import { fakeTelephony } from '../../support/app-with-fakes';

t.test('a stored file is never replaced', async (t) => {
  const root = t.testdir({});
  await storeAtomically(root, 'a/1.wav', Buffer.from('first'));
  await t.rejects(storeAtomically(root, 'a/1.wav', Buffer.from('second')), FileExists);
  t.equal(readFileSync(join(root, 'a/1.wav'), 'utf8'), 'first');
});

t.test('two recordings of one incident imported at once: both files kept, each with its row', async (t) => {
  const root = t.testdir({});
  const db = await Database.open(':memory:');
  t.teardown(() => db.close());
  const incidents = new Incidents(new IncidentsRepo(db));
  const repo = new RecordingsRepo(db);
  const incident = await incidents.open({ callerNumber: '13800000000', callerName: '', callerRaw: '', trunk: '110', channelId: 'ch-1', state: 'ended', arrivedAt: Date.now(), priority: 100 });
  const at = Date.now();
  const names = [recordingName(incident.number, at, '1001'), recordingName(incident.number, at + 1, '1002')];
  const telephony = { ...fakeTelephony(), downloadRecording: async (name: string) => Buffer.from(`audio of ${name}`) };
  const recorder = new Recorder(telephony, incidents, repo, root, pino({ level: 'silent' }));
  await Promise.all(names.map((n) => recorder.finished(n)));
  const rows = await repo.forIncident(incident.id);
  t.equal(rows.length, 2, 'both registered');
  t.same(rows.map((r) => r.seq), [1, 2]);
  t.same(new Set(rows.map((r) => readFileSync(join(root, r.path), 'utf8'))), new Set(names.map((n) => `audio of ${n}`)), 'each file holds its own recording');

  // A file left without a row (e.g. a crash between file and row) is not replaced either.
  const next = rows[1]!.path.replace(/2\.wav$/, '3.wav');
  mkdirSync(join(root, next, '..'), { recursive: true });
  writeFileSync(join(root, next), 'left over');
  await recorder.finished(recordingName(incident.number, at + 2, '1003'));
  t.equal(readFileSync(join(root, next), 'utf8'), 'left over', 'the existing file is untouched');
  t.same((await repo.forIncident(incident.id)).map((r) => r.seq), [1, 2, 4], 'the new one took the next free seq');
});
