// The two-node section's verdicts: two nodes held what one held, and the edge's added latency.
import t from 'tap';
import { heldVerdict, twoNodeMarkdown } from '../../../scripts/bench/report-two-node';
import { hops } from '../../../scripts/bench/edge-hop';
import type { PhaseResult } from '../../../scripts/bench/phases';

const p = (n: number | null) => ({ n: 1, p50: n, p90: n, p99: n, max: n });
const phase = (name: string, placed: number, lost: number, answerP50: number, distP50: number): PhaseResult =>
  ({ phase: name, system: 'cti110', rate: 35, holdMs: 1000, placed, answered: placed - lost, ended: placed - lost, refused: {}, lost, answerMs: p(answerP50), within3sPct: 100, distributionMs: p(distP50), releaseMs: p(1), firstInviteAt: 0, lastAnsweredAt: 0, firstEndedAt: 0, lastEndedAt: 0, cpu: {}, sippExit: 0, recordings: { answered: placed - lost, missing: 0, waitedMs: 0, examples: [] } }) as PhaseResult;
const twoNodes = { callsPerNode: [{ phase: 'burst', placed: 35, a: 17, b: 18 }], drainedAfterBurst: 0 };
const input = (phases: PhaseResult[]) => ({ phases, drained: {}, plan: {}, twoNodes });

t.test('two nodes held what one held: the burst lost no more, the ramp got as far', async (t) => {
  const one = [phase('burst', 35, 0, 120, 8), phase('capacity', 10, 0, 115, 5), phase('capacity', 20, 0, 115, 5)];
  t.equal(heldVerdict(input([...one, phase('two-node-burst', 35, 0, 121, 8.5), phase('two-node-capacity', 10, 0, 118, 6), phase('two-node-capacity', 20, 0, 118, 6)])), true);
  t.equal(heldVerdict(input([...one, phase('two-node-burst', 35, 2, 121, 8.5)])), false, 'a call lost in the two-node burst');
  t.equal(heldVerdict(input([...one, phase('two-node-burst', 35, 0, 121, 8.5), phase('two-node-capacity', 10, 0, 118, 6), phase('two-node-capacity', 20, 3, 118, 6)])), false, 'the two-node ramp stopped earlier');
  t.equal(heldVerdict(input([phase('two-node-burst', 35, 0, 121, 8.5)])), null, 'nothing to compare with (--only two-node)');
});

t.test('the section: side by side, calls per node, the added latency as two-node minus one-node p50', async (t) => {
  const md = twoNodeMarkdown(input([phase('burst', 35, 0, 120, 8), phase('two-node-burst', 35, 0, 121.5, 8.4)])).join('\n');
  t.match(md, /\| burst, one node \| 35 \| 0 \|[\s\S]*\| burst, two nodes \| 35 \| 0 \|/);
  t.match(md, /\| burst \| 35 \| 17 \| 18 \| 35 \|/);
  t.match(md, /distribution p50 0\.4 ms, answer p50 1\.5 ms/);
  t.same(twoNodeMarkdown({ phases: [], drained: {}, plan: {} }), [], 'no section without the two-node run');
});

t.test("the edge's hop: first INVITE at the entrance -> first at a node, by Call-ID, from tcpdump -A", async (t) => {
  const invite = (at: string, port: number, callId: string) => `${at} IP 127.0.0.2.5070 > 127.0.0.1.${port}: UDP, length 300\nE....y@.@.I......INVITE sip:110@127.0.0.1:${port} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.2:5070\nCall-ID: ${callId}\nCSeq: 1 INVITE\n\n`;
  const reply = `1000.004000 IP 127.0.0.1.5080 > 127.0.0.1.5070: UDP, length 200\nE.....SIP/2.0 100 Trying\nCall-ID: 1-1@127.0.0.2\nCSeq: 1 INVITE\n\n`;
  const text = invite('1000.000000', 5070, '1-1@127.0.0.2') + reply + invite('1000.001500', 5080, '1-1@127.0.0.2') + invite('1000.501500', 5070, '1-1@127.0.0.2') + invite('1001.000000', 5070, '2-1@127.0.0.2') + invite('1001.002000', 5090, '2-1@127.0.0.2') + invite('1002.000000', 5070, 'never-relayed');
  const ms = hops(text, 5070, new Set([5080, 5090])).map((v) => Math.round(v * 10) / 10);
  t.same(ms, [1.5, 2], 'one per call relayed; a retransmission and the reply do not count');
});
