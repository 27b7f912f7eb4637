// The SIP edge spreads 110 calls over several Asterisk nodes (issue #16, item 1): two sandbox
// Asterisk instances and one address where nothing answers, behind one Kamailio. Calls go only to
// nodes that answer the edge's OPTIONS probes; once a node stops, new calls go to the other one
// within the probe interval (plus a margin), and a node that comes back gets calls again. No
// service runs here: each node's dialplan takes the call into its fallback queue, which rings
// (180), and the caller hangs up (CANCEL) after a moment. Which node took a call is read from
// that node's own count of calls processed.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, sipp, waitFor, workDir, freePort, type Sandbox } from '../support/harness';
import { startEdge, nodeUri, type Edge } from '../support/edge';

const PROBE_S = 2;
// Probe interval + the probe's own timeout (EDGE_NODE_TIMEOUT_MS, 2 s) + a generous margin for a
// machine shared with other tests; this is not a measure of speed.
const NOTICE_MS = (PROBE_S + 2) * 1000 + 10000;

const processed = async (node: Sandbox) => Number(/(\d+) calls? processed/.exec(await node.cli('core show calls'))?.[1] ?? NaN);

/** `count` calls from the 110 carrier through the edge, one after the other; each rings, then is cancelled. */
async function calls(t: Test, edge: Edge, node: Sandbox, logDir: string, count: number) {
  for (let i = 0; i < count; i++) {
    const caller = await sipp(t, 'caller-ringing.xml', ['-s', '110', '-key', 'from', `<sip:1380000${String(i).padStart(4, '0')}@127.0.0.2>`, '-d', '1000', '-m', '1', '-l', '1', '-timeout', '30s', '-timeout_error'], { sandbox: node, to: edge.entrance, ip: '127.0.0.2', logDir });
    t.equal(await caller.done, 0, `call ${i + 1}: relayed to a node, rang, cancelled`);
  }
}

t.test('the edge spreads calls over the nodes that answer its probes', async (t) => {
  const logDir = workDir(t);
  const a = await startAsterisk(t, 'edge-a', { rtpPorts: 20 });
  const b = await startAsterisk(t, 'edge-b', { rtpPorts: 20 });
  const dead = `127.0.0.1:${await freePort(true)}`;
  const edge = await startEdge(t, 'dispatch', [a, dead, b], { logDir, probeS: PROBE_S });
  const state = async (node: Sandbox | string) => (await edge.nodes()).get(nodeUri(node)) ?? '';

  await t.test('probes: both Asterisk nodes up, the silent address down', async (t) => {
    await waitFor('the silent address marked inactive', async () => (await state(dead)).startsWith('I'), NOTICE_MS);
    t.match(await state(a), /^A/, 'node A active');
    t.match(await state(b), /^A/, 'node B active');
  });

  await t.test('calls go to both nodes, never to the silent address', async (t) => {
    const [a0, b0] = [await processed(a), await processed(b)];
    await calls(t, edge, a, logDir, 4);
    const [da, db] = [(await processed(a)) - a0, (await processed(b)) - b0];
    t.equal(da + db, 4, `every call reached an Asterisk node (A ${da}, B ${db})`);
    t.ok(da > 0 && db > 0, 'both nodes took calls (round robin over the active ones)');
  });

  // A node that hangs (SIGSTOP: no reply to anything) before any probe noticed: a call the round
  // robin gives it waits EDGE_NODE_TIMEOUT_MS for a first reply, then moves to the next node.
  await t.test('node B hangs: the calls sent to it meanwhile move on to A', async (t) => {
    const pid = Number(readFileSync(join(b.chroot + b.instanceDir, 'asterisk.pid'), 'utf8'));
    const cont = () => process.kill(pid, 'SIGCONT');
    t.teardown(cont);
    const moved = () => (readFileSync(edge.logFile, 'utf8').match(/failed the call/g) ?? []).length;
    const [a0, moved0] = [await processed(a), moved()];
    process.kill(pid, 'SIGSTOP');
    await calls(t, edge, a, logDir, 2);
    t.equal((await processed(a)) - a0, 2, 'both calls answered (rung) by node A');
    t.comment(`${moved() - moved0} call(s) moved from B to A after B's silence; the others went to A by the probes' word`);
    cont();
    await waitFor('node B answering probes again', async () => (await state(b)).startsWith('A'), NOTICE_MS);
  });

  await t.test('node B stops: marked down within the probe interval, new calls all go to A', async (t) => {
    await b.stop();
    const stoppedAt = Date.now();
    await waitFor('node B marked inactive', async () => (await state(b)).startsWith('I'), NOTICE_MS);
    t.comment(`node B marked inactive ${Date.now() - stoppedAt} ms after it stopped (probe every ${PROBE_S} s)`);
    const a0 = await processed(a);
    await calls(t, edge, a, logDir, 3);
    t.equal((await processed(a)) - a0, 3, 'all three on node A');
  });

  await t.test('node B back: probed up again, and takes calls again', async (t) => {
    await b.start();
    await waitFor('node B marked active', async () => (await state(b)).startsWith('A'), NOTICE_MS);
    const b0 = await processed(b);
    await calls(t, edge, a, logDir, 3);
    t.ok((await processed(b)) - b0 > 0, 'node B took some of them');
  });
});
