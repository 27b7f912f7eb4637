// One queue across two Asterisk nodes (issue #16.2), through the real sandbox: the SIP edge
// (Kamailio: dispatcher over nodes A and B, the phones' registrar), both nodes in edge mode, and
// ONE service attached to both (CTI110_ARI_NODES), on SQLite. Seat 1001's phone registers at the
// edge only: the service rings it from whichever node the caller is on.
//   1. calls through the edge land on both nodes, and every one is answered by the service's
//      queue through the seat, and recorded;
//   2. a caller on node B: the seat's leg and the bridge are on B (A has nothing of the call),
//      and a 12345 hand-over works (the trunk rung from B), recorded to the end;
//   3. a nailed seat (its connection on the node its *11 call reached) takes the callers on its
//      node only; a caller on the other node waits for the ringing seat.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, serviceEnv, sipp, waitFor, workDir, seatPhone, registered, post, incidentsOf, readSeatLog } from '../support/harness';
import { startTwoNodes, callsProcessed as processed, callerViaEdge as viaEdge } from '../support/edge';

t.test('one queue across two Asterisk nodes', async (t) => {
  const logDir = workDir(t);
  const { a, b, edge } = await startTwoNodes(t, 'nodes', { logDir });

  const configFile = join(logDir, 'nodes.json');
  writeFileSync(configFile, JSON.stringify({ seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }, { id: '1002', endpoint: 'PJSIP/1002', autoAnswer: true, delivery: 'nailed' }], transfer: { answerMs: 8000 } }));
  const env = {
    ...serviceEnv(a, join(logDir, 'cti110.sqlite')),
    CTI110_CONFIG: configFile,
    CTI110_ARI_NODES: `A=http://127.0.0.1:${a.httpPort} B=http://127.0.0.1:${b.httpPort}`,
    CTI110_RECORDINGS_DIR: join(logDir, 'recordings'),
  };
  const phone = await seatPhone(t, a, '1001', { logDir, stayS: 600, answerMs: 200, to: edge.phoneSocket });
  const answered = () => readSeatLog(phone.logFile).filter((l) => l.event === 'answered').length;
  await waitFor('1001 registered at the edge', async () => (await edge.phones()).has('1001'), 30000);
  await registered(a, '1001');
  await registered(b, '1001');

  const service = await startService(t, env, logDir);
  await waitFor('seat 1001 reachable for the service', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable, 30000);
  t.equal((await post(service, '/seats/1001/login')).status, 200, 'the seat signs in');
  const health = (await service.get<{ ari: { up: boolean } }>('/health')).body;
  t.equal(health.ari.up, true, 'ARI up (both nodes attached)');

  /** A 110 caller through the edge's entrance: the dispatcher picks the node. */
  const callerViaEdge = (n: string, holdS: number) => viaEdge(t, edge, a, logDir, n, holdS);
  const recordingsOf = async (incident: string) => (await service.get<{ items: { id: number }[] }>(`/recordings?incident=${incident}`)).body.items;

  await t.test('calls through the edge land on both nodes; the service answers each through the seat, recorded', async (t) => {
    const on = { A: 0, B: 0 };
    const numbers: string[] = [];
    for (let i = 0; i < 10 && (on.A === 0 || on.B === 0 || numbers.length < 4); i++) {
      const [a0, b0, before] = [await processed(a), await processed(b), answered()];
      const n = `1390000000${i}`;
      numbers.push(n);
      const caller = await callerViaEdge(n, 2);
      t.equal(await caller.done, 0, `call ${n} answered and ended`);
      t.equal(answered() - before, 1, 'by seat 1001');
      // The seat's leg is on the caller's node: that node processed two calls (caller + leg), the other none.
      const [da, db] = [(await processed(a)) - a0, (await processed(b)) - b0];
      t.ok((da === 0) !== (db === 0), `the call and its seat leg on one node (A +${da}, B +${db})`);
      on[da > 0 ? 'A' : 'B'] += 1;
    }
    t.comment(`calls on A: ${on.A}, on B: ${on.B}`);
    t.ok(on.A > 0 && on.B > 0, 'calls landed on both nodes');
    for (const n of numbers) {
      const [inc] = await waitFor(`incident of ${n} ended`, async () => {
        const list = await incidentsOf(service, n);
        return list[0]?.endedAt ? list : undefined;
      }, 30000);
      t.match(inc, { seatId: '1001', trunk: '110' }, `${n}: answered by the service's queue at seat 1001`);
      t.ok(inc.answeredAt, `${n}: answered`);
      const items = await waitFor(`${n}: recording stored`, async () => ((await recordingsOf(inc.number)).length ? recordingsOf(inc.number) : undefined), 60000);
      t.equal(items.length, 1, `${n}: one recording, fetched from its node`);
    }
  });

  await t.test('a caller on node B: leg and bridge on B, a 12345 hand-over from B', async (t) => {
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13900000020', '-set', 'hold_s', '25', '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox: b, ip: '127.0.0.2', logDir });
    const inc = await waitFor('answered', async () => {
      const [i] = await incidentsOf(service, '13900000020');
      return i?.answeredAt ? i : undefined;
    }, 30000);
    const channelsB = await b.cli('core show channels concise');
    t.match(channelsB, /PJSIP\/1001-/, "the seat's leg is on node B");
    t.match(await b.cli('bridge show all'), new RegExp(`cti110-${inc.number}`), "the call's bridge is on node B");
    t.match(await a.cli('core show channels count'), /^0 active channels/m, 'node A has nothing of this call');

    // 12345's agent answers on node B's 12345 trunk: the transfer leg was made on B.
    const agent = await sipp(t, 'trunk-callee.xml', ['-set', 'answer_ms', '300', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox: b, ip: '127.0.0.3', port: b.trunk12345Port, logDir });
    t.equal((await post(service, `/incidents/${inc.number}/classify`, { police: false, category: 'car_moving', summary: 'a car blocks the gate' })).status, 200);
    t.equal((await post(service, `/incidents/${inc.number}/transfer`)).status, 202);
    const timeline = async () => (await incidentsOf(service, '13900000020'))[0].timeline;
    await waitFor('12345 answered', async () => (await timeline()).some((e) => e.kind === 'transfer_answered'), 20000);
    t.equal((await post(service, `/incidents/${inc.number}/taker/leave`)).status, 204, 'the call-taker leaves the caller with 12345');
    await waitFor('seat free again', async () => (await service.get<{ state: string }>('/seats/1001')).body.state === 'ready', 20000);
    t.equal(await caller.done, 0, 'the caller stayed connected to 12345 until they hung up');
    t.equal(await agent.done, 0, 'the 12345 agent was hung up with the caller');
    const kinds = (await waitFor('recorded', async () => {
      const tl = await timeline();
      return tl.some((e) => e.kind === 'recorded') ? tl : undefined;
    }, 60000)).map((e) => e.kind);
    t.ok(['transfer_dialed', 'transfer_answered', 'taker_left', 'recorded'].every((k) => kinds.includes(k)), 'hand-over and recording in the timeline');
    t.equal((await recordingsOf(inc.number)).length, 1, 'the recording stored');
  });

  await t.test('a nailed seat takes the callers on its own node; a caller on the other node rings the ringing seat', async (t) => {
    const seat = async (id: string) => (await service.get<{ state: string }>(`/seats/${id}`)).body;
    await seatPhone(t, a, '1002', { logDir, stayS: 200, answerMs: 200, to: edge.phoneSocket }); // registered: reachable
    await waitFor('seat 1002 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1002')).body.reachable, 30000);
    t.equal((await post(service, '/seats/1001/logout')).status, 200, 'the ringing seat leaves for now');
    // The nailed connection: 1002's softphone dials *11 through the edge, which picks a node.
    await sipp(t, 'seat-feature.xml', ['-s', '*11', '-key', 'seat', '1002', '-au', '1002', '-ap', 'seat-1002-dev', '-set', 'max_s', '120', '-m', '1', '-l', '1', '-timeout', '150s', '-timeout_error'], { sandbox: a, to: edge.phoneSocket, logDir });
    await waitFor('seat 1002 nailed up', async () => (await seat('1002')).state === 'ready', 30000);
    const onA = /PJSIP\/1002-/.test(await a.cli('core show channels concise'));
    const [home, other] = onA ? [a, b] : [b, a];
    t.comment(`the nailed connection is on node ${onA ? 'A' : 'B'}`);

    const away = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13900000031', '-set', 'hold_s', '2', '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox: other, ip: '127.0.0.2', logDir });
    await waitFor('the caller on the other node waiting', async () => (await incidentsOf(service, '13900000031')).length === 1, 20000);
    const near = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13900000032', '-set', 'hold_s', '2', '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox: home, ip: '127.0.0.2', logDir });
    t.equal(await near.done, 0, "the caller on the nailed seat's node answered and ended");
    const [nearInc] = await incidentsOf(service, '13900000032');
    t.match(nearInc, { seatId: '1002', delivery: 'nailed' }, 'by the nailed seat, although it came later');
    t.equal((await incidentsOf(service, '13900000031'))[0]?.answeredAt, null, 'the caller on the other node still waits: never switched into a connection on another node');
    t.equal((await post(service, '/seats/1001/login')).status, 200, 'the ringing seat is back');
    t.equal(await away.done, 0, 'the caller on the other node answered and ended');
    const [awayInc] = await incidentsOf(service, '13900000031');
    t.match(awayInc, { seatId: '1001', delivery: 'ring' }, 'by the ringing seat, rung from its node');
    t.equal((await post(service, '/seats/1002/logout')).status, 200, 'the nailed seat logs out (its connection hung up)');
  });
});
