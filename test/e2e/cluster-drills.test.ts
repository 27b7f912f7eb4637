// Drills of the multi-node topology (issue #16, item 4), on one shared set: the SIP edge
// (Kamailio: dispatcher + the phones' registrar), Asterisk nodes A and B in edge mode (every
// phone's AOR points at the edge), PostgreSQL, and the service on PostgreSQL attached to both
// nodes (CTI110_ARI_NODES: one queue across them, issue #16.2). Seat 1001's phone registers at
// the edge only, so the service reaches it from either node.
//
// Drills, in this order (the last one takes node A away):
//   1. restart Kamailio: the registration comes back and a new call reaches the seat;
//   2. restart PostgreSQL with a call up and callers waiting: the service stays up and reconnects,
//      every incident written before and during the restart is there after;
//   3. stop node A with calls up: the calls on A are lost with it and counted, new calls all go
//      to B once the dispatcher's OPTIONS probe has seen A gone, and the service (still attached
//      to B) answers them through the seat, not B's fallback queue.
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, serviceEnv, sipp, waitFor, sleep, workDir, seatPhone, registered, post, incidentsOf, readSeatLog, type Sandbox, type Service } from '../support/harness';
import { nodeUri, startTwoNodes, callsProcessed as processed, callerViaEdge as viaEdge, type Edge } from '../support/edge';
import { startPostgres } from '../support/postgres';

const PROBE_S = 2;
// Probe interval + the probe's own timeout (2 s) + a generous margin for a loaded machine: how
// long the dispatcher may take to see a node gone. A bound for waiting, not a measure of speed.
const NOTICE_MS = (PROBE_S + 2) * 1000 + 15000;
// Longer than a PostgreSQL restart here: the active keeps its lease across it (issue #16.4).
const TTL_MS = 30000;

t.test('cluster drills', async (t) => {
  const logDir = workDir(t);
  const { a, b, edge } = await startTwoNodes(t, 'drill', { logDir, probeS: PROBE_S });
  const pg = await startPostgres(t);
  const state = async (node: Sandbox) => (await edge.nodes()).get(nodeUri(node)) ?? '';

  const configFile = join(logDir, 'drills.json');
  writeFileSync(configFile, JSON.stringify({
    seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }],
    cluster: { leaseTtlMs: TTL_MS, renewMs: 2000 },
  }));
  const env = { ...serviceEnv(a, join(logDir, 'cti110.sqlite')), CTI110_CONFIG: configFile, CTI110_ARI_NODES: `A=http://127.0.0.1:${a.httpPort} B=http://127.0.0.1:${b.httpPort}`, CTI110_DB_URL: await pg.freshDatabase(), CTI110_RECORDINGS_DIR: join(logDir, 'recordings'), CTI110_AUDIT_KEY_FILE: join(logDir, 'audit.pem') };

  const phone = await seatPhone(t, a, '1001', { logDir, stayS: 900, answerMs: 200, to: edge.phoneSocket });
  const answered = () => readSeatLog(phone.logFile).filter((l) => l.event === 'answered').length;
  await waitFor('1001 registered at the edge', async () => (await edge.phones()).has('1001'), 30000);
  // Node A's qualify reaches the phone through the edge: A sees it Avail, as if it had registered there.
  await registered(a, '1001');
  await registered(b, '1001');
  // A phone not registered at the edge: the edge leaves the qualify unanswered, the node marks it
  // Unavailable (the fallback queue and the service skip it), as without the edge.
  await waitFor('1002 (not registered) unavailable at node A', async () => /1002\/sip:1002@\S+\s+\S+\s+Unavail/.test(await a.cli('pjsip show contacts')), 30000);

  const service = await startService(t, env, logDir);
  await waitFor('the service active', async () => (await service.get<{ role: string }>('/health')).body.role === 'active', 30000);
  await waitFor('seat 1001 reachable for the service (device state through the edge)', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable, 30000);
  t.equal((await post(service, '/seats/1001/login')).status, 200, 'the seat signs in');

  /** A 110 caller straight onto node A (the carrier's address, 127.0.0.2): the service's queue. */
  const callerOnA = (n: string, holdS: number) =>
    sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', n, '-set', 'hold_s', String(holdS), '-m', '1', '-l', '1', '-timeout', '120s', '-timeout_error'], { sandbox: a, ip: '127.0.0.2', logDir });
  /** A 110 caller through the edge's entrance: the dispatcher picks the node. */
  const callerViaEdge = (n: string, holdS: number) => viaEdge(t, edge, a, logDir, n, holdS);

  await t.test("a call on node B is answered by the service's queue through the seat registered at the edge", async (t) => {
    await callOnBReachesSeat(t, edge, a, b, service, callerViaEdge, answered, '13600000001');
  });

  // A phone's own call (a feature code) goes through the edge to a node, which challenges it as
  // usual: the service attached to that node answers it (200), whichever node the Call-ID's hash
  // picks.
  await t.test("a seat's feature code through the edge reaches a node, digest auth end to end", async (t) => {
    const log = join(logDir, 'feature-1002.log');
    const run = await sipp(t, 'seat-feature.xml', ['-s', '*13', '-key', 'seat', '1002', '-au', '1002', '-ap', 'seat-1002-dev', '-set', 'max_s', '5', '-set', 'accept_reject', '1', '-trace_logs', '-log_file', log, '-trace_msg', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox: a, to: edge.phoneSocket, logDir });
    t.equal(await run.done, 0, 'the feature call ended with a final answer');
    // B's 503 reaches the phone as 500: a proxy does not pass a 503 on (RFC 3261 16.7), Kamailio's tm turns it into 500.
    t.match(readFileSync(log, 'utf8'), /code=\*13 result=answered status=200/, "the service's answer through the node, not the edge's");
    t.match(await state(a), /^A/, 'node A still active at the edge');
    t.match(await state(b), /^A/, 'node B still active');
  });

  await t.test('restart Kamailio: the registration comes back, a new call reaches the seat', async (t) => {
    await edge.stop();
    await edge.start();
    await waitFor('1001 registered at the edge again', async () => (await edge.phones()).has('1001'), 30000);
    t.pass('the phone is known to the restarted edge (registrations kept in db/location)');
    await waitFor('both nodes up again at the edge', async () => (await state(a)).startsWith('A') && (await state(b)).startsWith('A'), NOTICE_MS);
    const before = answered();
    const caller = await callerViaEdge('13600000002', 2);
    t.equal(await caller.done, 0, 'the call through the restarted edge was answered and ended');
    t.equal(answered() - before, 1, 'by seat 1001, reached through the restarted edge');
  });

  await t.test('restart PostgreSQL with a call up and callers waiting: nothing acknowledged is lost', async (t) => {
    const talking = await callerOnA('13700000001', 25);
    await waitFor('the first call talking', async () => (await incidentsOf(service, '13700000001'))[0]?.answeredAt);
    const waiting = [await callerOnA('13700000002', 2), await callerOnA('13700000003', 2)];
    await waitFor('two callers waiting', async () => {
      const list = [(await incidentsOf(service, '13700000002'))[0], (await incidentsOf(service, '13700000003'))[0]];
      return list.every((i) => i && i.answeredAt === null);
    });

    await pg.stop();
    // A caller arriving while the store is down: taken in and queued as any other.
    const during = await callerOnA('13700000004', 2);
    await sleep(3000);
    await pg.start();

    for (const [i, c] of [talking, ...waiting, during].entries()) t.equal(await c.done, 0, `caller ${i + 1} answered, talked, hung up`);
    t.equal(service.process.exitCode, null, 'the service stayed up across the restart');
    const numbers = ['13700000001', '13700000002', '13700000003', '13700000004'];
    const incidents = await waitFor('every incident ended in the store', async () => {
      const list = (await Promise.all(numbers.map(async (n) => (await incidentsOf(service, n))[0]))).filter(Boolean);
      return list.length === numbers.length && list.every((i) => i.answeredAt && i.endedAt) ? list : undefined;
    }, 60000);
    t.same(incidents.map((i) => i.callerNumber), numbers, 'the incidents of the calls before and during the restart are all there');
    t.ok(incidents.every((i) => i.seatId === '1001'), 'each answered by seat 1001');
  });

  await t.test('stop node A with calls up: those calls are lost and counted, new calls go to node B', async (t) => {
    // Callers who mean to hold for HOLD_S: a call that ends long before, on its own, was cut off.
    const HOLD_S = 400;
    const onA = [await callerOnA('13800000001', HOLD_S), await callerOnA('13800000002', HOLD_S)].map((c) => ({ ...c, ended: false }));
    for (const c of onA) void c.done.then(() => (c.ended = true));
    await waitFor('a call talking and one waiting on A', async () => (await incidentsOf(service, '13800000002')).length === 1 && (await incidentsOf(service, '13800000001'))[0]?.answeredAt);
    const survivorsB = await processed(b);
    await a.stop();
    const stoppedAt = Date.now();
    // Asterisk stopping hangs its channels up (BYE): the callers' calls end, well before HOLD_S.
    await waitFor('the calls on node A ended with it', () => onA.every((c) => c.ended), 60000).catch(() => undefined);
    const lost = onA.filter((c) => c.ended).length;
    t.comment(`calls lost with node A: ${lost} of ${onA.length} (their media node died); calls on B meanwhile: ${(await processed(b)) - survivorsB}`);
    t.equal(lost, onA.length, 'every call up on node A is lost with it, and counted');
    for (const c of onA) await c.kill();
    await waitFor('node A marked inactive by the dispatcher', async () => (await state(a)).startsWith('I'), NOTICE_MS);
    t.comment(`node A marked inactive ${Date.now() - stoppedAt} ms after it stopped (probe every ${PROBE_S} s)`);
    // The service counts A's calls lost once A stays away (node-router.ts): seat 1001 is freed.
    await waitFor('seat 1001 free again for the service', async () => (await service.get<{ state: string }>('/seats/1001')).body.state === 'ready', 60000);
    const lostIncidents = await Promise.all(['13800000001', '13800000002'].map(async (n) => (await incidentsOf(service, n))[0]));
    t.ok(lostIncidents.every((i) => i?.endedAt || i?.abandonedAt), "the service ended the incidents of A's calls");
    const b0 = await processed(b);
    const before = answered();
    const numbers = ['13800000003', '13800000004', '13800000005'];
    for (const n of numbers) {
      const caller = await callerViaEdge(n, 1);
      t.equal(await caller.done, 0, `call ${n} answered and ended`);
    }
    t.ok((await processed(b)) - b0 >= 3, 'all three new calls went to node B');
    t.equal(answered() - before, 3, 'and reached seat 1001 through the edge');
    for (const n of numbers) {
      const inc = await waitFor(`${n} in the service's store`, async () => (await incidentsOf(service, n))[0]);
      t.match(inc, { seatId: '1001', trunk: '110' }, `${n}: answered by the service's queue on node B (not B's fallback queue)`);
    }
  });
});

/** A call the dispatcher gives to B: retried through the edge until one lands on B; the service answers it. */
async function callOnBReachesSeat(t: Test, edge: Edge, a: Sandbox, b: Sandbox, service: Service, via: (n: string, holdS: number) => Promise<{ done: Promise<number> }>, answered: () => number, n: string) {
  for (let i = 0; i < 6; i++) {
    const [b0, before] = [await processed(b), answered()];
    const caller = await via(`${n}${i}`, 1);
    t.equal(await caller.done, 0, 'the call was answered and ended');
    t.equal(answered() - before, 1, 'by seat 1001');
    if ((await processed(b)) > b0) {
      const inc = await waitFor('its incident', async () => (await incidentsOf(service, `${n}${i}`))[0]);
      t.match(inc, { seatId: '1001', trunk: '110' }, "that call was on node B, answered by the service's queue (B reached the phone at the edge)");
      return;
    }
  }
  t.fail(`no call landed on node B (edge ${edge.name}, node A ${a.name})`);
}
