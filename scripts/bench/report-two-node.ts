// The report's "Two nodes through Kamailio" section (issue #16 point 6): the two-node burst and
// ramp side by side with the single-node cti110 figures of the same run, calls per node, whether
// two nodes held what one held, and the latency the edge adds.
import type { PhaseResult } from './phases';
import type { Percentiles } from './measure';

export interface TwoNodeInput {
  phases: PhaseResult[];
  drained: Record<string, number>;
  plan: Record<string, unknown>;
  twoNodes?: { callsPerNode: { phase: string; placed: number; a: number; b: number }[]; drainedAfterBurst: number; edgeHopMs?: Percentiles };
}

const f = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(v));
const pct = (p: Percentiles) => `${f(p.p50)} | ${f(p.p90)} | ${f(p.p99)} | ${f(p.max)}`;
const minus = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || b === null || b === undefined ? null : Math.round((a - b) * 10) / 10);

/** The largest ramp step with no call lost and answer p99 ≤ 3 s (as section 2 counts it). */
function held(steps: PhaseResult[]): number {
  const ok = steps.filter((p) => p.lost === 0 && (p.answerMs.p99 ?? Infinity) <= 3000);
  return ok.length ? Math.max(...ok.map((p) => p.placed)) : 0;
}

function parts(report: TwoNodeInput) {
  const one = (phase: string) => report.phases.filter((p) => p.phase === phase && p.system === 'cti110');
  const burst1 = one('burst')[0];
  const burst2 = one('two-node-burst')[0];
  const ramp1 = one('capacity');
  const ramp2 = one('two-node-capacity');
  return { burst1, burst2, ramp1, ramp2 };
}

/** Two nodes held what one held: the burst lost nothing, and the ramp got as far (when both ran). */
export function heldVerdict(report: TwoNodeInput): boolean | null {
  const { burst1, burst2, ramp1, ramp2 } = parts(report);
  // Nothing to compare with: the single-node burst and ramp did not run (--only two-node).
  if ((!burst1 || !burst2) && (!ramp1.length || !ramp2.length)) return null;
  const burstOk = !burst1 || !burst2 || burst2.lost <= burst1.lost;
  const rampOk = !ramp1.length || !ramp2.length || held(ramp2) >= held(ramp1);
  return burstOk && rampOk;
}

/** The edge's added latency: two-node minus single-node p50, burst phase of the same run. */
function added(report: TwoNodeInput): { distribution: number | null; answer: number | null } {
  const { burst1, burst2 } = parts(report);
  return { distribution: minus(burst2?.distributionMs.p50, burst1?.distributionMs.p50), answer: minus(burst2?.answerMs.p50, burst1?.answerMs.p50) };
}

const cpu = (r: PhaseResult | undefined) => (r ? `${f(r.cpu.asterisk ?? r.cpu.asteriskA)}${r.cpu.asteriskB !== undefined ? ` + ${f(r.cpu.asteriskB)}` : ''} | ${f(r.cpu.service)} | ${r.cpu.kamailio !== undefined ? f(r.cpu.kamailio) : '–'} | ${f(r.cpu.machine)} %` : '– | – | – | –');

export function twoNodeMarkdown(report: TwoNodeInput): string[] {
  const two = report.twoNodes;
  if (!two) return [];
  const { burst1, burst2, ramp1, ramp2 } = parts(report);
  const out: string[] = ['## Two nodes through Kamailio (issue #16)', ''];
  out.push(
    'The burst and the capacity ramp again, callers sent to the SIP edge\'s entrance (Kamailio, its dispatcher round robin over two sandbox Asterisk nodes in edge mode on this same machine), ONE cti110 service attached to both nodes over ARI (`ari.nodes`). cti110 only: Queue() is one node\'s queue and has no two-node equivalent. The bench seats keep their static contact at the seat SIPp (they are not registered at the edge: its registrar takes only the project\'s phones, and SIPp registers one digest identity per process), so the seat\'s leg goes from its node straight to the seat SIPp; the caller\'s INVITE, ACK and BYE go through the edge. The service fetches each node\'s recordings over ARI (single-node: it reads them in Asterisk\'s folder, `ari.recordingsDir`), which costs it more CPU per call here. The single-node parts are stopped before this run starts. CPU: % of one core (Asterisk A + B, the service, Kamailio\'s processes summed).',
    '',
  );
  out.push('| run | calls | lost | recordings missing | answer p50 | p90 | p99 | max | within 3 s | distribution p50 | p90 | p99 | max | Asterisk CPU | service CPU | Kamailio CPU | machine busy |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const row = (name: string, r: PhaseResult | undefined) => (r ? `| ${name} | ${r.placed} | ${r.lost} | ${r.recordings.missing} | ${pct(r.answerMs)} | ${f(r.within3sPct)} % | ${pct(r.distributionMs)} | ${cpu(r)} |` : `| ${name} | not run | | | | | | | | | | | | | | | |`);
  out.push(row('burst, one node', burst1), row('burst, two nodes', burst2));
  for (const n of [...new Set([...ramp1, ...ramp2].map((p) => p.placed))].sort((a, b) => a - b)) {
    out.push(row(`capacity ${n}, one node`, ramp1.find((p) => p.placed === n)), row(`capacity ${n}, two nodes${ramp2.find((p) => p.placed === n)?.limit ? ' (ramp limit)' : ''}`, ramp2.find((p) => p.placed === n)));
  }
  out.push('', `Waiting callers left after the two-node burst: ${two.drainedAfterBurst}.`, '');
  out.push("Calls per node: each node's `core show calls` \"calls processed\" over the phase (the caller's channels; A + B next to the calls placed shows whether anything else was counted):", '', '| phase | calls placed | node A | node B | A + B |', '|---|---|---|---|---|');
  for (const c of two.callsPerNode) out.push(`| ${c.phase} | ${c.placed} | ${c.a} | ${c.b} | ${c.a + c.b} |`);
  const v = heldVerdict(report);
  out.push('', `Held (no call lost, answer p99 ≤ 3 s): one node **${ramp1.length ? held(ramp1) : '–'}**, two nodes **${ramp2.length ? held(ramp2) : '–'}** concurrent recorded calls. Two nodes held what one held: **${v === null ? 'not compared (the single-node burst and ramp did not run)' : v ? 'yes' : 'no'}** (no gain is expected on one machine: both nodes share its cores).`);
  const a = added(report);
  const h = two.edgeHopMs;
  out.push('', `Latency the edge adds, burst: its own time per INVITE (first INVITE at its entrance → first INVITE at a node, paired by Call-ID in a tcpdump of loopback, ${h ? `${h.n} INVITEs` : 'not captured'}): p50 ${f(h?.p50)}, p90 ${f(h?.p90)}, p99 ${f(h?.p99)}, max ${f(h?.max)} ms. End to end, two nodes minus one node of the same run (SIPp's timestamps: INVITE sent → seat INVITE / 200 OK): distribution p50 ${f(a.distribution)} ms, answer p50 ${f(a.answer)} ms; that difference holds the edge's hop plus whatever differs between one Asterisk and two sharing the cores.`);
  return out;
}

export function twoNodeSummary(report: TwoNodeInput): string[] {
  if (!report.twoNodes) return [];
  const { burst2, ramp1, ramp2 } = parts(report);
  const v = heldVerdict(report);
  const a = added(report);
  const perNode = report.twoNodes.callsPerNode.map((c) => `${c.phase} A ${c.a}/B ${c.b}`).join(', ');
  return [
    `two nodes: burst lost ${f(burst2?.lost)}, answer p50/p99 ${f(burst2?.answerMs.p50)}/${f(burst2?.answerMs.p99)} ms; ramp held ${ramp2.length ? held(ramp2) : '–'} (one node ${ramp1.length ? held(ramp1) : '–'}); held what one held: ${v === null ? 'not compared' : v ? 'yes' : 'no'}`,
    `two nodes: the edge's hop per INVITE p50/p99 ${f(report.twoNodes.edgeHopMs?.p50)}/${f(report.twoNodes.edgeHopMs?.p99)} ms; two minus one node, burst p50: distribution ${f(a.distribution)} ms, answer ${f(a.answer)} ms; calls per node: ${perNode}`,
  ];
}
