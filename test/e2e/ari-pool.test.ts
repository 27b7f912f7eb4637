// The REST link to Asterisk holds a surge of requests: the drill of issue #15. Asterisk's HTTP
// server listens with a backlog of 10 and allows 100 sessions; a client that opens a connection
// per request in flight loses requests to both (SYNs dropped and retried after 1, 3, 7 s; "HTTP
// session count exceeded"). Ours keeps a bounded pool of warm connections and queues the rest.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { AriRest } from '../../src/asterisk/ari-rest';
import { startAsterisk } from '../support/harness';

/** Established TCP connections to Asterisk's HTTP port right now (the kernel's count, not ours). */
function connectionsTo(port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim()).length;
}

t.test('ARI request pool', async (t) => {
  const sandbox = await startAsterisk(t, 'aripool');
  const rest = new AriRest({ url: `http://127.0.0.1:${sandbox.httpPort}`, user: 'cti110', password: 'cti110-dev-secret', requestTimeoutMs: 5000, maxConnections: 8 });
  t.teardown(() => rest.close());
  await rest.warm();

  await t.test('300 requests at once: all answered, never more than 8 connections', async (t) => {
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, connectionsTo(sandbox.httpPort))), 5);
    const times: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, async (_, i) => {
        const started = performance.now();
        // A mix of reads and the create/destroy pair every call makes for its bridge.
        if (i % 3 === 0) await rest.json('GET', '/asterisk/info');
        else {
          await rest.json('POST', `/bridges/pool-${i}`, { type: 'mixing' });
          await rest.json('DELETE', `/bridges/pool-${i}`);
        }
        times.push(performance.now() - started);
      }),
    );
    clearInterval(sampler);
    const failed = results.filter((r) => r.status === 'rejected');
    t.equal(failed.length, 0, `every request answered (${failed.map((f) => (f as PromiseRejectedResult).reason?.message).slice(0, 3).join('; ')})`);
    t.ok(most <= 8, `at most 8 connections to Asterisk (saw ${most})`);
    times.sort((a, b) => a - b);
    t.comment(`p50 ${times[Math.floor(times.length / 2)]?.toFixed(1)} ms, p99 ${times[Math.floor(times.length * 0.99)]?.toFixed(1)} ms, slowest ${times.at(-1)?.toFixed(1)} ms`);
    t.equal((await rest.json<unknown[]>('GET', '/bridges')).length, 0, 'every bridge made was destroyed');
    t.equal(rest.pending, 0, 'nothing left pending');
  });

  await t.test('errors keep their status and message; Asterisk gone is refused at once', async (t) => {
    await t.rejects(rest.json('POST', '/channels/no-such-channel/answer'), { status: 404, message: /Channel not found/i });
    const wrong = new AriRest({ url: `http://127.0.0.1:${sandbox.httpPort}`, user: 'cti110', password: 'wrong', requestTimeoutMs: 2000, maxConnections: 1 });
    t.teardown(() => wrong.close());
    await t.rejects(wrong.json('GET', '/asterisk/info'), { status: 401, message: /./ });
    await sandbox.stop();
    const started = Date.now();
    await t.rejects(rest.json('GET', '/asterisk/info'), { code: /ECONNREFUSED|ECONNRESET/ });
    t.ok(Date.now() - started < 4000, 'no wait for a timeout when nothing listens');
  });
});
