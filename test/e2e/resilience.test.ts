// The service can die, Asterisk can restart or freeze: calls stay up, the service finds them
// again, and it reconnects by itself for as long as it takes.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startAsterisk, startService, serviceEnv, sipp, waitFor, sleep, workDir, seatPhone, registered, post, type Sandbox } from '../support/harness';

interface Health {
  status: string;
  ari: { up: boolean; attempts: number };
  ami: { up: boolean };
}
interface Incident {
  number: string;
  channelId: string;
  endedAt: number | null;
  timeline: { kind: string; detail: Record<string, unknown> }[];
}

async function ariChannelIds(sandbox: Sandbox): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${sandbox.httpPort}/ari/channels`, {
    headers: { Authorization: `Basic ${Buffer.from('cti110:cti110-dev-secret').toString('base64')}` },
  });
  return ((await res.json()) as { id: string }[]).map((c) => c.id);
}

t.test('resilience', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'resilience');
  // Short backoff so that "more tries than ari-client's ten" happens within seconds.
  const configFile = join(logDir, 'fast-retry.json');
  writeFileSync(configFile, JSON.stringify({ seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }], ari: { reconnectMinMs: 100, reconnectMaxMs: 300, keepaliveIntervalMs: 500, keepaliveTimeoutMs: 2000 }, ami: { reconnectMinMs: 100, reconnectMaxMs: 300, keepaliveIntervalMs: 500 } }));
  const env = { ...serviceEnv(sandbox, join(logDir, 'cti110.sqlite')), CTI110_CONFIG: configFile };
  const health = async (svc: { get<T>(p: string): Promise<{ status: number; body: T }> }) => svc.get<Health>('/health');

  await t.test('SIGKILL the service during a call: the call stays up and is re-attached', async (t) => {
    const first = await startService(t, env, logDir);
    await waitFor('healthy', async () => (await health(first)).status === 200, 30000);
    const started = Date.now();
    const caller = await sipp(t, 'caller-ringing.xml', ['-s', '110', '-key', 'from', '<sip:13912345678@127.0.0.2>', '-d', '20000', '-m', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const incident = await waitFor('the incident', async () => {
      const items = (await first.get<{ items: Incident[] }>('/incidents?limit=1')).body.items;
      return items[0] && items[0].endedAt === null ? items[0] : undefined;
    });
    await first.kill('SIGKILL');
    t.ok((await ariChannelIds(sandbox)).includes(incident.channelId), 'the call is still up in Asterisk without the service');

    const second = await startService(t, env, logDir);
    const reattached = await waitFor('re-attached in the timeline', async () => {
      const body = (await second.get<Incident>(`/incidents/${incident.number}`)).body;
      return body.timeline.some((e) => e.kind === 'reattached') ? body : undefined;
    }, 30000);
    t.equal(reattached.endedAt, null, 'still open after re-attaching');
    t.ok(Date.now() - started < 20000, 're-attached while the caller was still on the line');

    t.equal(await caller.done, 0, 'the caller stayed on until they gave up');
    const ended = await waitFor('the end of the call', async () => {
      const body = (await second.get<Incident>(`/incidents/${incident.number}`)).body;
      return body.endedAt !== null ? body : undefined;
    });
    const last = ended.timeline.filter((e) => e.kind === 'ended').pop()!;
    t.ok(last, 'ended on the timeline');
    // Nobody was logged in: the caller waited, re-attached to the queue, and gave up.
    t.equal(last.detail.reason, 'abandoned', 'the end was seen live, by the restarted service');
    await second.kill();
  });

  await t.test('SIGKILL during a talking call: re-attached with its seat, and its end frees the seat', async (t) => {
    const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 60, answerMs: 100 });
    await registered(sandbox, '1001');
    const first = await startService(t, env, logDir);
    await waitFor('healthy', async () => (await health(first)).status === 200, 30000);
    await waitFor('1001 reachable', async () => (await first.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
    await post(first, '/seats/1001/login');
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13912340000', '-set', 'hold_s', '12', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const incident = await waitFor('the call answered', async () => {
      const items = (await first.get<{ items: (Incident & { state: string })[] }>('/incidents?limit=1')).body.items;
      return items[0]?.state === 'talking' ? items[0] : undefined;
    });
    await first.kill('SIGKILL');
    const second = await startService(t, env, logDir);
    await waitFor('re-attached', async () => (await second.get<Incident>(`/incidents/${incident.number}`)).body.timeline.some((e) => e.kind === 'reattached'), 30000);
    t.equal((await second.get<{ state: string }>('/seats/1001')).body.state, 'on_call', 'the seat is still on that call');
    t.equal(await caller.done, 0, 'caller and call-taker talked on through the restart');
    const ended = await waitFor('ended', async () => {
      const body = (await second.get<Incident>(`/incidents/${incident.number}`)).body;
      return body.endedAt !== null ? body : undefined;
    });
    // 'recorded' may be stamped before or after 'ended' (the recording is stored beside the end).
    t.equal(ended.timeline.filter((e) => e.kind === 'ended').pop()?.detail.reason, 'caller_hung_up');
    await waitFor('seat 1001 ready again', async () => (await second.get<{ state: string }>('/seats/1001')).body.state === 'ready');
    t.pass('the seat is free for the next call');
    await post(second, '/seats/1001/logout');
    await Promise.all([second.kill(), phone.kill()]);
  });

  await t.test('a second instance taking the Stasis app is logged loudly', async (t) => {
    const first = await startService(t, env, logDir);
    await waitFor('healthy', async () => (await health(first)).status === 200, 30000);
    const second = await startService(t, env, logDir);
    await waitFor('ApplicationReplaced in the log', () => readFileSync(first.logFile, 'utf8').includes('ApplicationReplaced'), 20000);
    const line = readFileSync(first.logFile, 'utf8').split('\n').find((l) => l.includes('ApplicationReplaced'))!;
    t.equal(JSON.parse(line).level, 50, 'at error level');
    await Promise.all([first.kill(), second.kill()]);
  });

  await t.test('Asterisk restarts: /health goes 503, the service keeps retrying past ten tries, and recovers by itself', async (t) => {
    const svc = await startService(t, env, logDir);
    await waitFor('healthy', async () => (await health(svc)).status === 200, 30000);
    await sandbox.stop();
    const down = await waitFor('health 503', async () => {
      const h = await health(svc);
      return h.status === 503 ? h.body : undefined;
    });
    t.equal(down.ari.up, false);
    const attemptsAtStop = down.ari.attempts;
    await waitFor('more than 10 reconnect attempts', async () => (await health(svc)).body.ari.attempts > attemptsAtStop + 12, 30000);
    t.pass('still retrying after more tries than ari-client alone makes');
    await sandbox.start();
    const up = await waitFor('health 200 again', async () => {
      const h = await health(svc);
      return h.status === 200 ? h.body : undefined;
    }, 60000);
    t.ok(up.ari.up && up.ami.up, 'ARI and AMI both back');
    t.equal(svc.process.exitCode, null, 'the same process: no restart needed');
    await svc.kill();
  });

  await t.test('a frozen Asterisk (half-open link) is noticed by the keepalive', async (t) => {
    const svc = await startService(t, env, logDir);
    await waitFor('healthy', async () => (await health(svc)).status === 200, 30000);
    const pid = execFileSync('pgrep', ['-f', `^/usr/sbin/asterisk -C ${sandbox.instanceDir}/`]).toString().trim().split('\n')[0];
    process.kill(Number(pid), 'SIGSTOP');
    t.teardown(() => {
      try {
        process.kill(Number(pid), 'SIGCONT');
      } catch {
        /* already gone */
      }
    });
    try {
      const down = await waitFor('ARI down from missed pongs', async () => {
        const h = await health(svc);
        return h.status === 503 && !h.body.ari.up ? h.body : undefined;
      }, 20000);
      t.equal(down.ari.up, false, 'ARI marked down although no socket was closed');
    } finally {
      process.kill(Number(pid), 'SIGCONT');
    }
    await waitFor('health 200 after thawing', async () => (await health(svc)).status === 200, 60000);
    await sleep(100);
    await svc.kill();
  });
});
