// Issue #15, item 6: a failed step is never the caller's loss. A proxy of the test's own between
// the service and ARI stalls every request for a while, then breaks every connection for a while,
// as calls come in; every caller is answered and recorded all the same.
import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startAsterisk, startService, serviceEnv, sipp, sleep, waitFor, workDir, seatPhone, registered, post, incidentsOf } from '../support/harness';
import { FaultyProxy } from '../support/faulty-proxy';

t.test('ARI stalls and drops requests during calls', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'aridrill');
  const proxy = new FaultyProxy(sandbox.httpPort);
  const proxyPort = await proxy.listen();
  t.teardown(() => proxy.close());
  const seats = ['1001', '1002'];
  const configFile = join(logDir, 'drill.json');
  writeFileSync(configFile, JSON.stringify({
    seats: seats.map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true })),
    queue: { ringNoAnswerMs: 4000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' },
    // Short timeouts so that a stall becomes failed requests within the test's time.
    ari: { requestTimeoutMs: 1000, retryDelaysMs: [200, 500, 1000, 2000, 2000, 2000], keepaliveIntervalMs: 2000, keepaliveTimeoutMs: 20000 },
  }));
  const env = { ...serviceEnv(sandbox, join(logDir, 'cti110.sqlite')), CTI110_CONFIG: configFile, CTI110_ARI_URL: `http://127.0.0.1:${proxyPort}`, CTI110_RECORDINGS_DIR: join(logDir, 'recordings') };
  const service = await startService(t, env, logDir);
  await waitFor('healthy', async () => (await service.get('/health')).status === 200, 30000);
  const phones = await Promise.all(seats.map((id) => seatPhone(t, sandbox, id, { logDir, stayS: 90, answerMs: 150 })));
  for (const id of seats) await registered(sandbox, id);
  await waitFor('seats reachable', async () => (await service.get<{ reachable: boolean }[]>('/seats')).body.every((s) => s.reachable));
  for (const id of seats) await post(service, `/seats/${id}/login`);

  const calls = 8;
  const callers = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13500000000', '-set', 'hold_s', '2', '-m', String(calls), '-r', '1', '-rp', '1000', '-l', String(calls), '-timeout', '80s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
  await sleep(1000);
  proxy.setMode('stall'); // every request held past the 1 s timeout
  await sleep(2500);
  proxy.setMode('pass');
  await sleep(1000);
  proxy.setMode('drop'); // every connection broken, with or without the request carried out
  await sleep(2000);
  proxy.setMode('pass');
  t.comment(`proxy: ${proxy.counts.stalled} requests stalled, ${proxy.counts.dropped} connections dropped`);
  t.ok(proxy.counts.stalled > 0 && proxy.counts.dropped > 0, 'the drill did stall and drop requests');

  t.equal(await callers.done, 0, `SIPp: all ${calls} callers answered and talked`);
  const incidents = await waitFor('every incident ended and recorded', async () => {
    const list = await incidentsOf(service, '135');
    return list.length === calls && list.every((i) => i.endedAt !== null && i.timeline.some((e) => e.kind === 'recorded')) ? list : undefined;
  }, 60000);
  t.equal(incidents.filter((i) => i.answeredAt !== null).length, calls, 'every call answered by a seat');
  t.equal((await service.get('/health')).status, 200, 'the service is healthy after the drill');
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  t.match(metrics, /cti110_ari_request_seconds_count\{operation="[a-z ]+",outcome="ASTERISK_UNAVAILABLE"\} [1-9]/, 'failed requests are on /metrics');
  await Promise.all(phones.map((p) => p.kill()));
});
