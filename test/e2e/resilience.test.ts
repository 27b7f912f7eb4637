// The service can die, Asterisk can restart or freeze: calls stay up, the service finds them
// again, and it reconnects by itself for as long as it takes.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startAsterisk, startService, serviceEnv, sipp, waitFor, sleep, workDir, type Sandbox } from '../support/harness';

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
  writeFileSync(configFile, JSON.stringify({ ari: { reconnectMinMs: 100, reconnectMaxMs: 300, keepaliveIntervalMs: 500, keepaliveTimeoutMs: 2000 }, ami: { reconnectMinMs: 100, reconnectMaxMs: 300, keepaliveIntervalMs: 500 } }));
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
    const last = ended.timeline[ended.timeline.length - 1];
    t.equal(last.kind, 'ended');
    t.equal(last.detail.reason, 'caller_hung_up', 'the end was seen live, by the restarted service');
    await second.kill();
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
