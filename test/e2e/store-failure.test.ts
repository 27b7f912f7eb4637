// Issue #14 H3: a store that fails must not take a call away. With SQLite's write lock held past
// the service's busy_timeout by another process, and with the store's disk full, a 110 call is
// still offered to a ready seat and answered at once; /health says the store is failing; once the
// store is back the incident and its whole timeline are in the file.
import t, { type Test } from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, rmdirSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { ROOT, startAsterisk, startService, serviceEnv, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, sleep, type Service, type Teardown } from '../support/harness';

interface Health {
  status: string;
  database: { up: boolean; writeQueue?: number; error?: string };
}

interface StoredIncident {
  id: number;
  number: string;
  answered_at: number | null;
  arrived_at: number;
  ended_at: number | null;
  seat_id: string | null;
}

/** Reads the service's SQLite file directly: what is really stored, not the service's memory. */
async function readStore(path: string, callerNumber: string): Promise<{ incident?: StoredIncident; kinds: string[] }> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(d)));
  });
  const all = <T>(sql: string, params: unknown[]) => new Promise<T[]>((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  try {
    const [incident] = await all<StoredIncident>('SELECT id, number, answered_at, arrived_at, ended_at, seat_id FROM incidents WHERE caller_number = ?', [callerNumber]);
    const kinds = incident ? (await all<{ kind: string }>('SELECT kind FROM incident_events WHERE incident_id = ? ORDER BY id', [incident.id])).map((r) => r.kind) : [];
    return { incident, kinds };
  } finally {
    await new Promise((r) => db.close(r));
  }
}

/** Another process takes SQLite's write lock (BEGIN IMMEDIATE) and keeps it for holdMs. */
async function holdWriteLock(t: Teardown, path: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const script = `const s = require('sqlite3'); const db = new s.Database(process.argv[1]);
    db.exec('PRAGMA busy_timeout = 20000; BEGIN IMMEDIATE', (err) => {
      if (err) { console.error(err.message); process.exit(1); }
      console.log('locked');
      setTimeout(() => db.exec('COMMIT', () => db.close(() => process.exit(0))), Number(process.argv[2]));
    });`;
  const child = spawn(process.execPath, ['-e', script, path, String(holdMs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill('SIGKILL'));
  const released = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
  return { released };
}

/** Fills the file system holding `dir` until it refuses another byte. */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

t.test('store failure', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'store');
  const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 240, answerMs: 100 });
  await registered(sandbox, '1001');

  const start = async (t: Test, dbPath: string): Promise<Service> => {
    // A call of a subtest that failed (its SIPp killed, no BYE) would be adopted by the next
    // service and hold the seat: hung up here.
    await sandbox.cli('channel request hangup all');
    await waitFor('no call left in Asterisk', async () => /^0 active channels/m.test(await sandbox.cli('core show channels count')), 30000);
    const configFile = join(logDir, `config-${Date.now()}.json`);
    writeFileSync(configFile, JSON.stringify({ seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }], queue: { ringNoAnswerMs: 2000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' } }));
    const service = await startService(t, { ...serviceEnv(sandbox, dbPath), CTI110_CONFIG: configFile, CTI110_RECORDINGS_DIR: join(logDir, 'recordings') }, logDir);
    await waitFor('service healthy', async () => (await service.get('/health')).status === 200, 30000);
    await waitFor('seat 1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
    t.equal((await post(service, '/seats/1001/login')).status, 200, 'seat 1001 ready');
    return service;
  };
  const health = async (service: Service) => service.get<Health>('/health');
  const answersSoFar = () => readSeatLog(phone.logFile).filter((l) => l.event === 'answered').length;

  /** One call while the store fails: answered at once, /health 503 meanwhile, stored once back. */
  const callThroughFailure = async (t: Test, o: { service: Service; dbPath: string; caller: string; storeBack: () => Promise<void>; failingMs: number; errorLike: RegExp }) => {
    const before = answersSoFar();
    const placedAt = Date.now();
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', o.caller, '-set', 'hold_s', '15', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    // Offered and answered within normal bounds although nothing of the call could be written.
    await waitFor('the seat to answer', () => answersSoFar() > before, 10000, 50);
    const answerMs = Date.now() - placedAt;
    t.ok(answerMs < 4000, `the seat answered ${answerMs} ms after the call was placed, the store failing`);
    const down = await waitFor('/health to say the store fails', async () => {
      const h = await health(o.service);
      return h.status === 503 && !h.body.database.up && h;
    }, o.failingMs, 100);
    t.equal(down.body.status, 'degraded', `/health 503, database down (${down.body.database.error}), ${down.body.database.writeQueue} writes waiting`);
    t.ok(o.errorLike.test(down.body.database.error ?? ''), `the store's error is shown: ${down.body.database.error}`);
    t.notOk((await readStore(o.dbPath, o.caller)).incident, 'nothing of the call is in the store yet');
    await waitFor('the store alert in the log', () => readFileSync(o.service.logFile, 'utf8').includes('store failing: incident writes are kept in memory and retried'), 5000);
    await o.storeBack();
    await waitFor('/health 200 again', async () => (await health(o.service)).status === 200, 20000);
    t.equal(await caller.done, 0, 'the caller was answered and talked until hanging up');
    // ...up to its recording, registered after the call (the last step of its timeline).
    const stored = await waitFor('the incident in the store, ended and its recording registered', async () => {
      const s = await readStore(o.dbPath, o.caller);
      return s.incident?.ended_at && s.kinds.includes('recorded') ? s : undefined;
    }, 30000);
    t.equal(stored.incident!.seat_id, '1001', 'answered by seat 1001');
    t.ok(stored.incident!.answered_at! - stored.incident!.arrived_at < 4000, `answer time stored: ${stored.incident!.answered_at! - stored.incident!.arrived_at} ms`);
    for (const kind of ['arrived', 'entered_service', 'state', 'offered', 'answered', 'recording', 'ended', 'recorded']) t.ok(stored.kinds.includes(kind), `timeline has ${kind}`);
    t.ok(stored.kinds.indexOf('arrived') < stored.kinds.indexOf('offered') && stored.kinds.indexOf('offered') < stored.kinds.indexOf('answered') && stored.kinds.indexOf('answered') < stored.kinds.indexOf('ended'), `in order: ${stored.kinds.join(' ')}`);
    const view = (await o.service.get<{ timeline: { kind: string }[] }>(`/incidents/${stored.incident!.number}`)).body;
    t.equal(view.timeline.length, stored.kinds.length, 'the REST view and the store agree');
  };

  await t.test('write lock held by another process past busy_timeout', async (t) => {
    const dbPath = join(logDir, 'locked', 'cti110.sqlite');
    mkdirSync(join(logDir, 'locked'), { recursive: true });
    const service = await start(t, dbPath);
    const { released } = await holdWriteLock(t, dbPath, 8000);
    await callThroughFailure(t, { service, dbPath, caller: '13900000001', storeBack: () => released, failingMs: 7000, errorLike: /SQLITE_BUSY|no write went through|does not answer/ });
    await service.kill();
  });

  await t.test("the store's disk is full", async (t) => {
    const mount = `/tmp/cti110-store-full-${process.pid}`;
    mkdirSync(mount, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
    t.teardown(() => {
      execFileSync('umount', ['-l', mount]);
      rmdirSync(mount);
    });
    const dbPath = join(mount, 'cti110.sqlite');
    const service = await start(t, dbPath);
    const filler = fill(mount);
    await sleep(500); // seat state writes fail now, as they should: nothing to do with the call
    await callThroughFailure(t, { service, dbPath, caller: '13900000002', storeBack: async () => {
        rmSync(filler);
        await sleep(0);
      }, failingMs: 10000, errorLike: /SQLITE_FULL/ });
    await service.kill();
  });
});
