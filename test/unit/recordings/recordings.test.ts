// Recording routes over a migrated database and a real WAV made by sox: search, ranges, audit, refusals.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { RecordingsRepo } from '../../../src/store/recordings-repo';
import { createBaseApp } from '../../../src/http/base';
import { recordingRoutes } from '../../../src/http/routes/recordings';
import { searchRecordings } from '../../../src/store/recordings-search';
import { RecordingAccessRepo } from '../../../src/store/recording-access-repo';

const T0 = new Date(2026, 10, 23, 9, 0).getTime();

interface Fixture {
  app: FastifyInstance;
  db: Database;
  root: string;
  /** ids: [0] has the WAV (incident 1, seat 1001), [1] incident 1 seat 1002, [2] incident 2 seat 1001 */
  ids: number[];
  wav: Buffer;
  incidents: string[];
}

async function setup(t: Test, opts: { requireSupervisor?: boolean } = {}): Promise<Fixture> {
  const dir = t.testdir({});
  const root = join(dir, 'storage');
  const db = await Database.open(join(dir, 'r.sqlite'));
  const incidentsRepo = new IncidentsRepo(db);
  const repo = new RecordingsRepo(db);
  const base = { callerName: '', callerRaw: '', trunk: '110', state: 'ended', priority: 10 };
  const a = await incidentsRepo.create({ ...base, callerNumber: '13800138000', channelId: 'c1', arrivedAt: T0 });
  const b = await incidentsRepo.create({ ...base, callerNumber: '13900139000', channelId: 'c2', arrivedAt: T0 + 60_000 });
  const row = (incidentId: number, seq: number, number: string, seatId: string | null, startedAt: number) => ({
    incidentId, seq, seatId, startedAt, name: `rec-${number}-${seq}`, path: `2026/11/23/${number}/${seq}.wav`,
    source: 'bridge', endedAt: startedAt + 2_000, durationMs: 2_000, size: 32_044, sha256: '0'.repeat(64),
  });
  const ids = [
    await repo.insert(row(a.id, 1, a.number, '1001', T0)),
    await repo.insert(row(a.id, 2, a.number, '1002', T0 + 10_000)),
    await repo.insert(row(b.id, 1, b.number, '1001', T0 + 60_000)),
  ];
  const file = join(root, `2026/11/23/${a.number}/1.wav`);
  mkdirSync(dirname(file), { recursive: true });
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', file, 'synth', '2', 'sine', '440']);

  // The options of src/http/app.ts, without the logger.
  // The service's own base (src/http/base.ts), so validation behaves as in the service.
  const app = createBaseApp();
  recordingRoutes(app, { db, storageDir: root, requireSupervisor: opts.requireSupervisor ?? false });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  return { app, db, root, ids, wav: readFileSync(file), incidents: [a.number, b.number] };
}

t.test('search: filters by incident, caller number, seat and start time; newest first; paged by id', async (t) => {
  const { app, db, ids, incidents } = await setup(t);
  const ofQuery = async (q: Record<string, unknown>) => (await searchRecordings(db, { limit: 10, ...q })).map((r) => r.id);
  t.same(await ofQuery({}), [ids[2], ids[1], ids[0]]);
  t.same(await ofQuery({ incident: incidents[0] }), [ids[1], ids[0]]);
  t.same(await ofQuery({ callerNumber: '13900139000' }), [ids[2]]);
  t.same(await ofQuery({ callerNumber: '1390' }), [], 'caller number is an exact match');
  t.same(await ofQuery({ seat: '1001' }), [ids[2], ids[0]]);
  t.same(await ofQuery({ from: T0 + 1, to: T0 + 60_000 }), [ids[1]], '[from, to)');
  t.same(await ofQuery({ seat: '1001', incident: incidents[0] }), [ids[0]]);
  t.same(await ofQuery({ beforeId: ids[2] }), [ids[1], ids[0]]);

  const get = async (url: string) => app.inject({ url });
  const p1 = (await get('/recordings?limit=2')).json();
  t.same(p1.items.map((r: { id: number }) => r.id), [ids[2], ids[1]]);
  t.match(p1.items[0], { incidentNumber: incidents[1], callerNumber: '13900139000', seatId: '1001', seq: 1, durationMs: 2_000 });
  t.notOk('path' in p1.items[0], 'the storage layout is not part of the API');
  const p2 = (await get(`/recordings?limit=2&before=${p1.next}`)).json();
  t.same(p2, { items: [p2.items[0]], next: null });
  t.equal(p2.items[0].id, ids[0]);
  t.same((await get(`/recordings?seat=1001&callerNumber=13800138000`)).json().items.map((r: { id: number }) => r.id), [ids[0]]);

  const one = await get(`/recordings/${ids[1]}`);
  t.equal(one.statusCode, 200);
  t.match(one.json(), { id: ids[1], incidentNumber: incidents[0], seatId: '1002', callerNumber: '13800138000' });
  t.match((await get('/recordings/999')).json(), { error: 'RECORDING_NOT_FOUND', message: 'no recording 999' });
  t.equal((await get('/recordings/999')).statusCode, 404);
});

t.test('search: bad input is a 400 that names the field', async (t) => {
  const { app } = await setup(t);
  const bad = async (qs: string, message: RegExp) => {
    const res = await app.inject({ url: `/recordings?${qs}` });
    t.equal(res.statusCode, 400, qs);
    t.match(res.json(), { error: 'BAD_REQUEST', message }, qs);
  };
  await bad('incident=2026-1', /\/incident must match pattern/);
  await bad('from=yesterday', /\/from must be integer/);
  await bad('from=10&to=5', /from \(10\) must be before to \(5\)/);
  await bad('limit=0', /\/limit must be >= 1/);
  await bad('limit=501', /\/limit must be <= 500/);
  await bad('before=abc', /\/before must match pattern/);
  await bad('seat=10%2701', /\/seat must match pattern/);
  t.match((await app.inject({ url: '/recordings/1/audio?download=yes' })).json(), { error: 'BAD_REQUEST', message: /\/download must match pattern/ });
  await bad('officer=7', /must NOT have additional properties/);
  t.equal((await app.inject({ url: '/recordings/abc' })).statusCode, 400);
});

t.test('access log: newest first, filtered by recording, paged; the repo has no way to change a row', async (t) => {
  const { db, ids } = await setup(t);
  const repo = new RecordingAccessRepo(db);
  for (const [i, id] of [ids[0], ids[1], ids[0]].entries()) {
    await repo.record({ recordingId: id!, at: T0 + i, who: `u${i}`, action: i === 1 ? 'download' : 'listen', remote: '127.0.0.1', range: i === 2 ? 'bytes=0-9' : null });
  }
  t.same((await repo.list({ limit: 10 })).map((r) => r.who), ['u2', 'u1', 'u0']);
  const mine = await repo.list({ recordingId: ids[0], limit: 1 });
  t.match(mine, [{ recordingId: ids[0], who: 'u2', action: 'listen', range: 'bytes=0-9', at: T0 + 2 }]);
  t.same((await repo.list({ recordingId: ids[0], limit: 5, beforeId: mine[0]!.id })).map((r) => r.who), ['u0']);
  const methods = Object.getOwnPropertyNames(RecordingAccessRepo.prototype).filter((m) => m !== 'constructor');
  t.same(methods.sort(), ['list', 'record']);
});

const audio = (app: Fixture['app'], id: number, headers: Record<string, string> = {}, qs = '') => app.inject({ url: `/recordings/${id}/audio${qs}`, headers, remoteAddress: '10.1.2.3' });

t.test('audio: whole file, byte ranges, download, and an audit row for every request', async (t) => {
  const { app, ids, wav, incidents } = await setup(t);
  const size = wav.length;
  t.equal(size, 32_044, 'sox: 2 s of 8 kHz 16-bit mono plus the 44-byte header');

  const full = await audio(app, ids[0]!, { 'x-user': '  officer.li  ' });
  t.equal(full.statusCode, 200);
  t.match(full.headers, { 'content-type': 'audio/wav', 'accept-ranges': 'bytes', 'content-length': String(size), 'cache-control': 'no-store' });
  t.notOk(full.headers['content-disposition']);
  t.ok(full.rawPayload.equals(wav), 'body is the file, byte for byte');

  const part = await audio(app, ids[0]!, { range: 'bytes=100-199' });
  t.equal(part.statusCode, 206);
  t.equal(part.headers['content-range'], `bytes 100-199/${size}`);
  t.equal(part.headers['content-length'], '100');
  t.ok(part.rawPayload.equals(wav.subarray(100, 200)), 'exactly bytes 100..199');

  const suffix = await audio(app, ids[0]!, { range: 'bytes=-500' });
  t.equal(suffix.statusCode, 206);
  t.equal(suffix.headers['content-range'], `bytes ${size - 500}-${size - 1}/${size}`);
  t.ok(suffix.rawPayload.equals(wav.subarray(size - 500)));

  const open = await audio(app, ids[0]!, { range: 'bytes=32000-' });
  t.equal(open.headers['content-range'], `bytes 32000-${size - 1}/${size}`);
  t.ok(open.rawPayload.equals(wav.subarray(32_000)));

  const past = await audio(app, ids[0]!, { range: `bytes=${size}-` });
  t.equal(past.statusCode, 416);
  t.equal(past.headers['content-range'], `bytes */${size}`);
  t.match(past.json(), { error: 'RANGE_NOT_SATISFIABLE' });

  const multi = await audio(app, ids[0]!, { range: 'bytes=0-1,5-6' });
  t.equal(multi.statusCode, 200, 'several ranges: the whole file');
  t.equal(multi.rawPayload.length, size);

  const dl = await audio(app, ids[0]!, { 'x-user': 'x'.repeat(100) }, '?download=1');
  t.equal(dl.statusCode, 200);
  t.equal(dl.headers['content-disposition'], `attachment; filename="${incidents[0]}-1.wav"`);
  t.ok(dl.rawPayload.equals(wav));

  const log = await app.inject({ url: `/recordings/access?recording=${ids[0]}` });
  t.equal(log.statusCode, 200);
  t.same(
    log.json().items.map((a: Record<string, unknown>) => [a.who, a.action, a.range, a.remote]),
    [
      ['x'.repeat(64), 'download', null, '10.1.2.3'],
      ['anonymous', 'listen', 'bytes=0-1,5-6', '10.1.2.3'],
      ['anonymous', 'listen', `bytes=${size}-`, '10.1.2.3'],
      ['anonymous', 'listen', 'bytes=32000-', '10.1.2.3'],
      ['anonymous', 'listen', 'bytes=-500', '10.1.2.3'],
      ['anonymous', 'listen', 'bytes=100-199', '10.1.2.3'],
      ['officer.li', 'listen', null, '10.1.2.3'],
    ],
  );
  t.equal(log.json().next, null);
  const paged = (await app.inject({ url: '/recordings/access?limit=6' })).json();
  t.equal(paged.items.length, 6);
  t.equal((await app.inject({ url: `/recordings/access?before=${paged.next}` })).json().items[0].who, 'officer.li');
  t.equal((await app.inject({ method: 'DELETE', url: '/recordings/access' })).statusCode, 404, 'nothing changes the log');
});

t.test('audio: a file gone from disk is a 410 with a clear message, and not audited', async (t) => {
  const { app, root, ids, incidents } = await setup(t);
  rmSync(join(root, `2026/11/23/${incidents[0]}/1.wav`));
  for (const id of [ids[0]!, ids[1]!]) {
    const res = await audio(app, id);
    t.equal(res.statusCode, 410);
    t.match(res.json(), { error: 'RECORDING_MISSING', message: new RegExp(`recording ${id} \\(incident ${incidents[0]}, piece \\d\\) is missing from storage`) });
  }
  t.equal((await audio(app, 999)).statusCode, 404);
  t.same((await app.inject({ url: '/recordings/access' })).json().items, []);
});

t.test('audio and access log need X-Role: supervisor when required; search does not', async (t) => {
  const { app, ids } = await setup(t, { requireSupervisor: true });
  for (const res of [await audio(app, ids[0]!), await audio(app, ids[0]!, { 'x-role': 'calltaker' }), await app.inject({ url: '/recordings/access' })]) {
    t.equal(res.statusCode, 403);
    t.same(res.json(), { error: 'FORBIDDEN', message: 'supervisor role required' });
  }
  t.equal((await app.inject({ url: '/recordings' })).statusCode, 200);
  t.equal((await audio(app, ids[0]!, { 'x-role': 'Supervisor', range: 'bytes=0-3' })).payload, 'RIFF');
  const log = await app.inject({ url: '/recordings/access', headers: { 'x-role': 'supervisor' } });
  t.equal(log.json().items.length, 1, 'refused requests read nothing and are not audited');
});

t.test('a stored path that leaves the storage root is refused, by .. or by symlink', async (t) => {
  const { app, db, root, ids } = await setup(t);
  writeFileSync(join(root, '..', 'secret.wav'), 'not for you');
  symlinkSync(join(root, '..', 'secret.wav'), join(root, 'link.wav'));
  for (const path of ['../secret.wav', '2026/../../secret.wav', join(root, '..', 'secret.wav'), 'link.wav', '', '.']) {
    await db.run('UPDATE recordings SET path = ? WHERE id = ?', [path, ids[1]]);
    const res = await audio(app, ids[1]!);
    t.equal(res.statusCode, 500, JSON.stringify(path));
    t.same(res.json(), { error: 'INTERNAL', message: 'Internal Server Error' }, 'nothing of the file, nothing of the path');
  }
  t.same((await app.inject({ url: '/recordings/access' })).json().items, []);
});
