// A minimal app with the recording routes, a migrated database and one real WAV on disk.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Test } from 'tap';
import Fastify, { type FastifyInstance } from 'fastify';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { RecordingsRepo } from '../../../src/store/recordings-repo';
import { installErrorHandler } from '../../../src/http/errors';
import { recordingRoutes } from '../../../src/http/routes/recordings';

export const T0 = new Date(2026, 10, 23, 9, 0).getTime();

export interface Fixture {
  app: FastifyInstance;
  db: Database;
  root: string;
  /** ids: [0] has the WAV (incident 1, seat 1001), [1] incident 1 seat 1002, [2] incident 2 seat 1001 */
  ids: number[];
  wav: Buffer;
  incidents: string[];
}

export async function setup(t: Test, opts: { requireSupervisor?: boolean } = {}): Promise<Fixture> {
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
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } } });
  installErrorHandler(app);
  recordingRoutes(app, { db, storageDir: root, requireSupervisor: opts.requireSupervisor ?? false });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  return { app, db, root, ids, wav: readFileSync(file), incidents: [a.number, b.number] };
}
