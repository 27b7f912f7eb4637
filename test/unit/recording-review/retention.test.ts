// Retention over a migrated database and real files: what is deleted, what is kept, what stays on
// record; the disk check; and the CLI's summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { RecordingsRepo } from '../../../src/store/recordings-repo';
import { RETENTION_MIGRATION, RetentionRepo } from '../../../src/store/retention-repo';
import { storeAtomically } from '../../../src/recording/storage';
import { applyRetention, diskStatus, retentionSummary } from '../../../src/recording/retention';

const DAY_MS = 24 * 3600_000;
const NOW = new Date(2026, 10, 23, 3, 0).getTime();
const ROOT_DIR = resolve(__dirname, '../../../..');

async function openDb(path: string): Promise<Database> {
  const db = await Database.open(path);
  // Until the lead appends RETENTION_MIGRATION to MIGRATIONS; afterwards this adds nothing.
  const columns = await db.all<{ name: string }>('PRAGMA table_info(recordings)');
  if (!columns.some((c) => c.name === 'deleted_at')) await db.exec(RETENTION_MIGRATION);
  return db;
}

interface Fixture {
  db: Database;
  dir: string;
  root: string;
  repo: RetentionRepo;
  /** Recording ids by name, and their paths. */
  rec: Record<string, { id: number; path: string; sha256: string }>;
}

/**
 * oldClosed (2 pieces, 40 days old), oldOpen (40 days old, call still up), recent (1 day old),
 * gone (40 days old, file already missing), escape (a stored path with `..`), viaLink (a folder
 * symlinked out of the root). Retention: 30 days.
 */
async function setup(t: Test): Promise<Fixture> {
  const dir = t.testdir({ outside: { 'victim.wav': 'not a recording', 'linked.wav': 'not a recording either' } });
  const root = join(dir, 'storage');
  mkdirSync(root);
  const db = await openDb(join(dir, 'r.sqlite'));
  t.teardown(() => db.close());
  const incidents = new IncidentsRepo(db);
  const recordings = new RecordingsRepo(db);
  const rec: Fixture['rec'] = {};
  const add = async (name: string, endedAt: number, open: boolean, pieces = 1, opts: { write?: boolean; path?: string } = {}) => {
    const inc = await incidents.create({ callerNumber: '13800138000', callerName: '', callerRaw: '', trunk: '110', channelId: name, state: 'ended', arrivedAt: endedAt - 60_000, priority: 10 });
    if (!open) await incidents.markEnded(inc.id, endedAt);
    for (let seq = 1; seq <= pieces; seq++) {
      const d = new Date(endedAt);
      const path = opts.path ?? `${d.getFullYear()}/${d.getMonth() + 1}/${d.getDate()}/${inc.number}/${seq}.wav`;
      const data = Buffer.alloc(300_000 + seq, seq);
      const stored = opts.write === false ? { size: data.length, sha256: 'f'.repeat(64) } : await storeAtomically(root, path, data);
      const id = await recordings.insert({ incidentId: inc.id, seq, name: `${name}-${seq}`, path, source: 'bridge', seatId: '1001', startedAt: endedAt - 30_000, endedAt, durationMs: 30_000, size: stored.size, sha256: stored.sha256 });
      rec[`${name}${pieces > 1 ? seq : ''}`] = { id, path, sha256: stored.sha256 };
    }
  };
  const old = NOW - 40 * DAY_MS;
  await add('oldClosed', old, false, 2);
  await add('oldOpen', old, true);
  await add('recent', NOW - DAY_MS, false);
  await add('gone', old, false, 1, { write: false });
  await add('escape', old, false, 1, { write: false, path: '../outside/victim.wav' });
  symlinkSync(join(dir, 'outside'), join(root, 'link'));
  await add('viaLink', old, false, 1, { write: false, path: 'link/linked.wav' });
  return { db, dir, root, repo: new RetentionRepo(db), rec };
}

const deletedAt = async (db: Database, id: number) => (await db.get<{ deleted_at: number | null; sha256: string }>('SELECT deleted_at, sha256 FROM recordings WHERE id = ?', [id]))!;

t.test('retention deletes old audio of closed incidents only; rows, hashes and access stay', async (t) => {
  const f = await setup(t);
  await f.db.run("INSERT INTO recording_access (recording_id, at, who, action, remote) VALUES (?, ?, 'li', 'listen', '127.0.0.1')", [f.rec.oldClosed1!.id, NOW - 39 * DAY_MS]);
  const marked: [number, boolean][] = [];
  const r = await applyRetention(f.repo, { storageDir: f.root, retentionDays: 30, now: NOW, marked: async (rec, removed) => void marked.push([rec.id, removed]) });
  t.same(marked, [[f.rec.oldClosed1!.id, true], [f.rec.oldClosed2!.id, true], [f.rec.gone!.id, false]], 'each recording marked deleted is told (the CLI puts it in the audit chain)');
  const exists = (name: string) => existsSync(join(f.root, f.rec[name]!.path));

  t.notOk(exists('oldClosed1') || exists('oldClosed2'), 'old + closed: deleted');
  t.ok(exists('oldOpen'), 'old + open incident: kept');
  t.ok(exists('recent'), 'recent: kept');
  t.ok(existsSync(join(f.dir, 'outside/victim.wav')), 'a stored path with .. deletes nothing outside the root');
  t.ok(existsSync(join(f.dir, 'outside/linked.wav')), 'nor does a folder symlinked out of the root');
  t.same([r.deleted, r.deletedBytes, r.keptOpen], [2, 600_003, 1]);
  t.same(r.missing.map((m) => m.id), [f.rec.gone!.id], 'a file already gone is reported');
  t.same(r.failed.map((x) => x.rec.id).sort(), [f.rec.escape!.id, f.rec.viaLink!.id].sort(), 'refused paths are reported');
  t.equal(r.kept, 4, 'oldOpen and recent have audio; the two refused ones are untouched');
  t.equal(retentionSummary(r, 30), 'retention: deleted 2 files (0.6 MB), kept 4 (open incidents: 1); already missing 1; FAILED 2');

  for (const name of ['oldClosed1', 'oldClosed2', 'gone']) {
    const row = await deletedAt(f.db, f.rec[name]!.id);
    t.same(row, { deleted_at: NOW, sha256: f.rec[name]!.sha256 }, `${name}: row and hash kept, marked deleted`);
  }
  for (const name of ['oldOpen', 'recent', 'escape', 'viaLink']) t.equal((await deletedAt(f.db, f.rec[name]!.id)).deleted_at, null, `${name}: not marked`);
  t.equal((await f.db.all('SELECT id FROM recording_access')).length, 1, 'the access trail stays');
  const oldDay = f.rec.oldClosed1!.path.split('/').slice(0, 3).join('/');
  t.notOk(existsSync(join(f.root, oldDay, f.rec.oldClosed1!.path.split('/')[3]!)), 'the emptied incident folder is removed');
  t.ok(existsSync(f.root) && readdirSync(f.root).length > 0, 'the root and folders still in use stay');

  const second = await applyRetention(f.repo, { storageDir: f.root, retentionDays: 30, now: NOW + 60_000 });
  t.same([second.deleted, second.missing.length, second.keptOpen, second.kept], [0, 0, 1, 4], 'a second run has nothing more to do');
});

t.test('retentionDays 0 keeps everything', async (t) => {
  const f = await setup(t);
  const r = await applyRetention(f.repo, { storageDir: f.root, retentionDays: 0, now: NOW + 1000 * DAY_MS });
  t.same([r.deleted, r.keptOpen, r.missing.length, r.failed.length, r.kept], [0, 0, 0, 0, 7]);
  t.ok(existsSync(join(f.root, f.rec.oldClosed1!.path)));
  t.match(retentionSummary(r, 0), /^retention: deleted 0 files \(0\.0 MB\), kept 7 \(open incidents: 0\); retention off/);
});

t.test('disk check', async (t) => {
  const dir = t.testdir({});
  const huge = await diskStatus(dir, Number.MAX_SAFE_INTEGER);
  t.equal(huge.low, true, 'a threshold above any disk: low');
  t.ok(huge.freeBytes > 0 && huge.totalBytes >= huge.freeBytes);
  t.equal((await diskStatus(dir, 0)).low, false, 'threshold 0: never low');
  const notYet = await diskStatus(join(dir, 'not/created/yet'), 0);
  t.equal(notYet.path, dir, 'a storage folder not created yet is measured on its parent');
});

t.test('retention-cli: summary line, then exit 0 (or 3 with an ALERT when this disk is under 1 GB)', async (t) => {
  const f = await setup(t);
  const { CTI110_CONFIG: _ignored, ...env } = process.env;
  const run = spawnSync(process.execPath, [join(ROOT_DIR, 'dist/src/recording/retention-cli.js')], {
    cwd: f.dir,
    env: { ...env, CTI110_DB_PATH: join(f.dir, 'r.sqlite'), CTI110_RECORDINGS_DIR: f.root },
    encoding: 'utf8',
  });
  t.equal(run.stderr, '');
  t.comment(run.stdout.trim());
  // Until recording.retentionDays is in the config schema the CLI runs with 0: keep everything.
  t.match(run.stdout, /^retention: deleted \d+ files \([\d.]+ MB\), kept \d+ \(open incidents: \d+\)/m);
  const s = await statfs(f.root);
  const low = s.bavail * s.bsize < 1024 * 1048576;
  t.equal(run.status, low ? 3 : 0);
  if (low) t.match(run.stdout, /^ALERT: recordings disk low/m);
});
