// An active and a standby service on one PostgreSQL and one Asterisk (issue #16): the standby
// waits (role standby on /health, 503 for actions), takes over when the active dies, re-attaches
// every call (waiting callers keep their place and arrival time, the talking call its seat and
// recording); an active that was paused and comes back after the takeover does not act; and an
// active cut off from the store stops when its lease runs out, and the standby takes over.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startService, serviceEnv, sipp, waitFor, sleep, workDir, seatPhone, registered, post, incidentsOf, type Service, type IncidentView } from '../support/harness';
import { startPostgres } from '../support/postgres';
import { FaultyProxy } from '../support/faulty-proxy';

interface Health {
  status: string;
  role: 'active' | 'standby';
  lease: string;
}
type Incident = IncidentView & { state: string };

const TTL_MS = 3000;

const health = async (svc: Service) => (await svc.get<Health>('/health')).body;
const isActive = async (svc: Service) => {
  const res = await svc.get<Health>('/health');
  return res.status === 200 && res.body.role === 'active';
};
const incident = async (svc: Service, number: string) => (await svc.get<Incident>(`/incidents/${number}`)).body;

/** The service's log lines (pino JSON), those written from `since` (ms epoch) on. */
interface LogLine {
  level: number;
  time: number;
  msg: string;
  reason?: string;
  reqId?: string;
}

function logLines(svc: Service, since = 0): LogLine[] {
  return readFileSync(svc.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.time >= since);
}

t.test('active and standby', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'standby');
  const pg = await startPostgres(t);
  const configFile = join(logDir, 'pair.json');
  writeFileSync(configFile, JSON.stringify({
    seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }],
    cluster: { leaseTtlMs: TTL_MS, renewMs: 500 },
    ari: { reconnectMinMs: 100, reconnectMaxMs: 300, keepaliveIntervalMs: 500, keepaliveTimeoutMs: 2000 },
  }));
  const dbUrl = await pg.freshDatabase();
  const env = { ...serviceEnv(sandbox, join(logDir, 'cti110.sqlite')), CTI110_CONFIG: configFile, CTI110_DB_URL: dbUrl, CTI110_RECORDINGS_DIR: join(logDir, 'recordings'), CTI110_AUDIT_KEY_FILE: join(logDir, 'audit.pem') };
  const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 170, answerMs: 200 });
  await registered(sandbox, '1001');
  const caller = (n: string, holdS: number) =>
    sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', n, '-set', 'hold_s', String(holdS), '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });

  const first = await startService(t, env, logDir);
  await waitFor('the first service active', () => isActive(first), 30000);
  t.match(await health(first), { role: 'active', lease: 'held' }, 'the first holds the lease');
  const second = await startService(t, env, logDir);
  t.match((await second.get<Health>('/health')), { status: 200, body: { role: 'standby', lease: 'waiting' } }, 'the second is the standby, healthy (200) and says so');
  t.match(await post(second, '/seats/1001/login'), { status: 503, body: { error: 'STANDBY' } }, 'the standby refuses actions');
  await sleep(2 * TTL_MS);
  t.equal((await health(second)).role, 'standby', 'and stays standby while the active renews its lease');

  await t.test('kill -9 the active: the standby takes over, the talking call keeps its seat and recording, the waiting callers their place', async (t) => {
    await waitFor('1001 reachable', async () => (await first.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
    t.equal((await post(first, '/seats/1001/login')).status, 200);
    const talking = await caller('13700000001', 22);
    const talk = await waitFor('the first call talking', async () => (await incidentsOf(first, '13700000001'))[0]?.answeredAt ? (await incidentsOf(first, '13700000001'))[0] : undefined);
    const w1 = await caller('13700000002', 2);
    await sleep(700);
    const w2 = await caller('13700000003', 2);
    const [before1, before2] = await waitFor('two callers waiting', async () => {
      const list = [(await incidentsOf(first, '13700000002'))[0], (await incidentsOf(first, '13700000003'))[0]];
      return list.every((i) => i && i.answeredAt === null) ? (list as IncidentView[]) : undefined;
    });

    await first.kill('SIGKILL');
    await waitFor('the standby active', () => isActive(second), TTL_MS + 30000);
    t.match(await health(second), { role: 'active', lease: 'held' }, '/health: the second is active now');
    await waitFor('the talking call re-attached', async () => (await incident(second, talk.number)).timeline.some((e) => e.kind === 'reattached'), 30000);
    t.equal((await second.get<{ state: string }>('/seats/1001')).body.state, 'on_call', 'the seat is still on the talking call');

    t.same(await Promise.all([talking.done, w1.done, w2.done]), [0, 0, 0], 'the talking caller talked on, both waiting callers were answered');
    const [after1, after2] = [await incident(second, before1.number), await incident(second, before2.number)];
    t.equal(after1.arrivedAt, before1.arrivedAt, 'the first waiting caller kept its arrival time');
    t.equal(after2.arrivedAt, before2.arrivedAt, 'the second too');
    t.ok(after1.answeredAt && after2.answeredAt && after1.answeredAt < after2.answeredAt, 'answered in their order');
    const ended = await waitFor('the talking call ended and recorded', async () => {
      const i = await incident(second, talk.number);
      return i.endedAt !== null && i.timeline.some((e) => e.kind === 'recorded') ? i : undefined;
    }, 30000);
    t.equal(ended.timeline.filter((e) => e.kind === 'ended').pop()?.detail.reason, 'caller_hung_up', 'ended by the caller, seen live by the new active');
  });

  await t.test('SIGSTOP the active: the standby takes over; the old one, resumed, acts no more', async (t) => {
    // The killed first service's supervisor would start it again: as the standby now.
    const third = await startService(t, env, logDir);
    t.equal((await health(third)).role, 'standby', 'a restarted service is the standby');
    await waitFor('seat 1001 ready', async () => (await second.get<{ state: string }>('/seats/1001')).body.state === 'ready', 30000);
    const talking = await caller('13700000011', 20);
    const talk = await waitFor('the call talking', async () => {
      const i = (await incidentsOf(second, '13700000011'))[0];
      return i?.answeredAt ? i : undefined;
    });

    const pid = second.process.pid!;
    process.kill(pid, 'SIGSTOP');
    t.teardown(() => {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* already gone */
      }
    });
    await waitFor('the standby active', () => isActive(third), TTL_MS + 30000);
    await waitFor('the call re-attached by the new active', async () => (await incident(third, talk.number)).timeline.some((e) => e.kind === 'reattached'), 30000);
    t.equal((await third.get<{ state: string }>('/seats/1001')).body.state, 'on_call', 'the seat still on the call');

    const resumedAt = Date.now();
    process.kill(pid, 'SIGCONT');
    const code = await new Promise<number | null>((resolve) => (second.process.exitCode !== null ? resolve(second.process.exitCode) : second.process.once('exit', (c) => resolve(c))));
    t.equal(code, 75, 'the resumed service fenced itself and exited (75: restart me as the standby)');
    // A request taken in before the pause may have its completion logged after it (the
    // response's 'finish' is an I/O callback, and may run before the lease timer fences); a
    // request that arrives after the resume is refused by the fence. Nothing else may be logged.
    const before = new Set(logLines(second).filter((l) => l.time < resumedAt && l.msg === 'incoming request').map((l) => l.reqId));
    const after = logLines(second, resumedAt);
    const acted = after.filter((l) => !l.msg.startsWith('FENCED') && !(l.msg === 'request completed' && before.has(l.reqId)));
    t.same(acted.map((l) => l.msg), [], 'after resuming it handled no event, took no request, sent no ARI request: only its FENCED line');
    t.match(after.find((l) => l.msg.startsWith('FENCED')), { level: 60, msg: /lost its lease/ });

    t.equal(await talking.done, 0, 'the call went on, unaffected');
    const ended = await waitFor('ended and recorded', async () => {
      const i = await incident(third, talk.number);
      return i.endedAt !== null && i.timeline.some((e) => e.kind === 'recorded') ? i : undefined;
    }, 30000);
    t.equal(ended.timeline.filter((e) => e.kind === 'ended').pop()?.detail.reason, 'caller_hung_up');
    t.match(await health(third), { role: 'active', lease: 'held' });
    await third.kill();
  });

  await t.test('the active loses the store (cut off from PostgreSQL): it stops at the end of its lease, the standby takes over', async (t) => {
    // The SIGTERM above gave the lease up: the next service takes it at once. This one reaches
    // PostgreSQL through a proxy of the test's own, which then holds every byte (a partition).
    const proxy = new FaultyProxy(Number(new URL(dbUrl).port));
    t.teardown(() => proxy.close());
    const proxied = new URL(dbUrl);
    proxied.port = String(await proxy.listen());
    const cutOff = await startService(t, { ...env, CTI110_DB_URL: proxied.toString() }, logDir);
    await waitFor('the proxied service active', () => isActive(cutOff), 30000);
    t.notOk(logLines(cutOff).some((l) => l.msg.startsWith('standby')), 'active at once, never standby: the stopped service had given the lease up');
    const standby = await startService(t, env, logDir);
    t.equal((await health(standby)).role, 'standby');
    await waitFor('1001 reachable', async () => (await cutOff.get<{ reachable: boolean }>('/seats/1001')).body.reachable, 30000);
    const talking = await caller('13700000021', 18);
    const talk = await waitFor('the call talking', async () => {
      const i = (await incidentsOf(cutOff, '13700000021'))[0];
      return i?.answeredAt ? i : undefined;
    });
    await sleep(1500); // the write-behind has stored the answer

    proxy.setMode('stall');
    const code = await new Promise<number | null>((resolve) => (cutOff.process.exitCode !== null ? resolve(cutOff.process.exitCode) : cutOff.process.once('exit', (c) => resolve(c))));
    t.equal(code, 75, 'the active fenced itself when its lease ran out unrenewed');
    t.match(logLines(cutOff).filter((l) => l.msg.startsWith('FENCED')), [{ reason: /lease expired by this node's clock/ }]);
    await waitFor('the standby active', () => isActive(standby), TTL_MS + 30000);
    await waitFor('the call re-attached', async () => (await incident(standby, talk.number)).timeline.some((e) => e.kind === 'reattached'), 30000);
    t.equal((await standby.get<{ state: string }>('/seats/1001')).body.state, 'on_call', 'the seat still on the call');
    t.equal(await talking.done, 0, 'the call went on');
    const ended = await waitFor('ended and recorded', async () => {
      const i = await incident(standby, talk.number);
      return i.endedAt !== null && i.timeline.some((e) => e.kind === 'recorded') ? i : undefined;
    }, 30000);
    t.equal(ended.timeline.filter((e) => e.kind === 'ended').pop()?.detail.reason, 'caller_hung_up');
    await post(standby, '/seats/1001/logout');
    await standby.kill();
  });
  await Promise.all([second.kill(), phone.kill()]);
});
