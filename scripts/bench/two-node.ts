// The two-node run (issue #16 point 6): the burst and the capacity ramp through the SIP edge
// (Kamailio, test/support/edge.ts) onto two sandbox Asterisk nodes in edge mode, ONE service
// attached to both (CTI110_ARI_NODES). cti110 only: Queue() is one node's queue, it has no
// two-node equivalent. Everything started here is stopped at its end (and by the bench's
// cleanup on failure or Ctrl-C).
//
// The bench seats keep their static contact at the seat SIPp (conf.ts): the edge's registrar
// takes only phones with credentials in config/asterisk/pjsip.conf, and SIPp 3.6.1 registers one
// digest identity per process (100-200 SIPps). So the caller's INVITE goes carrier -> edge ->
// node, and the seat's leg goes from its node straight to the seat SIPp (not through the edge).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startAsterisk, startService, waitFor, type Sandbox } from '../../test/support/harness';
import { callsProcessed, startEdge } from '../../test/support/edge';
import { serviceConfig, writeAsteriskExtras, type BenchSeats } from './conf';
import { Cleanup, CpuSampler, startSipp } from './procs';
import { callers, loginRing, waitingAfter, type Ctx, type PhaseResult } from './phases';
import type { Plan } from './plan';
import type { Percentiles } from './measure';
import { captureEdgeHop } from './edge-hop';

export interface TwoNodeResult {
  phases: PhaseResult[];
  /** Calls each node took per phase: its `core show calls` "calls processed" over the phase. */
  callsPerNode: { phase: string; placed: number; a: number; b: number }[];
  /** Waiting callers left after the burst. */
  drainedAfterBurst: number;
  /** The edge's own time per INVITE in the burst: at its entrance -> at a node (tcpdump on loopback). */
  edgeHopMs?: Percentiles;
}

/**
 * The bench's caller scenario, following the dialog's route set: through the edge the ACK and BYE
 * must go by the Record-Route (the edge relays in-dialog requests by their Route headers only).
 */
function edgeCallerScenario(dir: string): string {
  const original = readFileSync(join(__dirname, '../../../scripts/bench/sipp/caller.xml'), 'utf8');
  const file = join(dir, 'caller-edge.xml');
  const inDialog = /(ACK|BYE) sip:\[service\]@\[remote_ip\]:\[remote_port\] SIP\/2\.0\n(\s*)Via: SIP\/2\.0\/\[transport\] \[local_ip\]:\[local_port\];branch=\[branch\]\n/g;
  const edited = original.replace('<recv response="200" rtd="1" crlf="true">', '<recv response="200" rtd="1" crlf="true" rrs="true">').replace(inDialog, (_m, method: string, indent: string) => `${method} [next_url] SIP/2.0\n${indent}Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n${indent}[routes]\n`);
  // Two in-dialog requests (ACK, BYE); the ACK of a refusal stays hop-by-hop (it has [last_Via:]).
  if ((edited.match(/\[routes\]/g) ?? []).length !== 2) throw new Error('caller.xml changed: the two-node caller scenario cannot be derived from it');
  writeFileSync(file, edited);
  return file;
}

/** Kamailio's main process and its children (the pid file the edge script writes). */
function kamailioPids(instance: string): number[] {
  const main = Number(readFileSync(`/run/cti110-edge/${instance}/kamailio.pid`, 'utf8').trim());
  const children = readFileSync(`/proc/${main}/task/${main}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return [main, ...children];
}

const asteriskPid = (node: Sandbox) => Number(readFileSync(join(node.chroot, node.instanceDir, 'asterisk.pid'), 'utf8').trim());

export async function twoNode(parent: Cleanup, work: string, plan: Plan, seats: BenchSeats, log: (line: string) => void): Promise<TwoNodeResult> {
  const cleanup = new Cleanup();
  parent.teardown(() => cleanup.run());
  try {
    const dir = join(work, 'two-node');
    mkdirSync(dir, { recursive: true });
    const seatPort = await freePort(true);
    writeAsteriskExtras(join(dir, 'asterisk'), seats, `127.0.0.1:${seatPort}`, plan.overload.seats);
    const phonePort = await freePort(true);
    const phoneEdge = `127.0.0.1:${phonePort}`;
    log('two nodes: starting Asterisk A and B (edge mode) and the SIP edge');
    const a = await startAsterisk(cleanup, 'bench-a', { rtpPorts: plan.rtpPorts, extraConfDir: join(dir, 'asterisk'), phoneEdge });
    const b = await startAsterisk(cleanup, 'bench-b', { rtpPorts: plan.rtpPorts, extraConfDir: join(dir, 'asterisk'), phoneEdge });
    const edge = await startEdge(cleanup, 'bench', [a, b], { logDir: work, phonePort });
    await waitFor('both nodes up at the edge', async () => [...(await edge.nodes()).values()].filter((f) => f.startsWith('A')).length === 2, 30000);
    // SIPp runs in the bench's folder, where the caller's audio file is.
    const seatUas = await startSipp(cleanup, work, 'two-node-seats', `127.0.0.1:${a.sipPort}`, 'seat.xml', ['-d', String(plan.seatAnswerMs)], '127.0.0.1', seatPort);
    writeFileSync(join(dir, 'cti110.json'), JSON.stringify(serviceConfig(seats, dir)));
    const service = await startService(
      cleanup,
      {
        CTI110_HTTP_PORT: '0',
        CTI110_ARI_URL: `http://127.0.0.1:${a.httpPort}`,
        CTI110_ARI_NODES: `A=http://127.0.0.1:${a.httpPort} B=http://127.0.0.1:${b.httpPort}`,
        // Several nodes: each node's recordings fetched over ARI (no folder of one node's).
        CTI110_ARI_RECORDINGS_DIR: '',
        CTI110_AMI_PORT: String(a.amiPort),
        CTI110_DB_PATH: join(dir, 'cti110.sqlite'),
        CTI110_CONFIG: join(dir, 'cti110.json'),
      },
      dir,
    );
    await waitFor('service healthy', async () => (await service.get('/health')).status === 200, 30000);
    await waitFor('bench seats reachable', async () => (await service.get<{ reachable: boolean }[]>('/seats')).body.every((s) => s.reachable), 30000);
    const kamailio = kamailioPids(edge.name);
    const [pidA, pidB] = [asteriskPid(a), asteriskPid(b)];
    const sampler = new CpuSampler(() => ({ asteriskA: pidA, asteriskB: pidB, service: service.process.pid, kamailio, seatsSipp: seatUas.pid }));
    sampler.start();
    cleanup.teardown(() => sampler.stop());
    const ctx: Ctx = { cleanup, dir: work, sandbox: a, otherNode: b, service, seats, seatUas, sampler, log };
    const scenario = edgeCallerScenario(dir);
    const viaEdge = { target: edge.entrance, scenario };
    const phases: PhaseResult[] = [];
    const callsPerNode: TwoNodeResult['callsPerNode'] = [];
    const placed = async (phase: string, run: () => Promise<PhaseResult>) => {
      const [a0, b0] = [await callsProcessed(a), await callsProcessed(b)];
      const r = await run();
      phases.push(r);
      callsPerNode.push({ phase, placed: r.placed, a: (await callsProcessed(a)) - a0, b: (await callsProcessed(b)) - b0 });
      log(`two nodes, ${phase}: calls processed by node A ${callsPerNode[callsPerNode.length - 1].a}, on node B ${callsPerNode[callsPerNode.length - 1].b}`);
      return r;
    };

    log('two nodes: burst');
    await loginRing(ctx, seats.ring.slice(0, 100));
    const burst = plan.burst;
    // Without tcpdump the run goes on: the added latency is still read from SIPp's timestamps.
    const capture = await captureEdgeHop(cleanup, dir, Number(edge.entrance.split(':')[1]), [a.sipPort, b.sipPort]).catch((err: Error) => (log(`two nodes: no capture of the edge's hop: ${err.message}`), undefined));
    await placed('burst', () => callers(ctx, 'two-node-burst', 'cti110', { rate: burst.rate, count: burst.rate * burst.seconds, holdMs: burst.holdMs, ...viaEdge }));
    const edgeHopMs = await capture?.stop();
    if (edgeHopMs) log(`two nodes: the edge's hop per INVITE (entrance -> node) p50/p99/max ${edgeHopMs.p50}/${edgeHopMs.p99}/${edgeHopMs.max} ms over ${edgeHopMs.n} INVITEs`);
    const drainedAfterBurst = await waitingAfter(ctx, 'cti110');

    log('two nodes: capacity ramp');
    for (const n of plan.capacity) {
      await loginRing(ctx, seats.ring);
      const placingMs = Math.ceil((n / plan.capacityRate) * 1000);
      const r = await placed(`capacity ${n}`, () => callers(ctx, 'two-node-capacity', 'cti110', { rate: plan.capacityRate, count: n, holdMs: placingMs + plan.plateauMs, cpuWindow: 'plateau', ...viaEdge }));
      // The same rule as the single-node ramp (main.ts).
      if (r.lost > 0 || (r.answerMs.p99 ?? 0) > 3000) {
        r.limit = true;
        log(`two nodes: stopping the ramp at ${n} (${r.lost > 0 ? 'failures' : 'answer p99 over 3 s'})`);
        break;
      }
    }
    return { phases, callsPerNode, drainedAfterBurst, ...(edgeHopMs ? { edgeHopMs } : {}) };
  } finally {
    await cleanup.run();
  }
}
