// The report's issue-#15 sections: ratios to Queue() against the issue's limits, the overload
// phase, calls without a recording, the service's cost per call, the bridge technology. Limits
// are shown as pass/fail; only lost and unrecorded calls change the exit code.
import type { PhaseResult } from './phases';
import type { Percentiles } from './measure';
import { bridgeSummary } from './bridges';

/** The part of the report these sections read. */
export interface ChecksInput {
  phases: PhaseResult[];
  drained: Record<string, number>;
  plan: Record<string, unknown>;
}

export const LIMITS = { distributionRatio: 1.5, answerP99Ratio: 1.2, cpuMsPerCall: 10, lagP99Ms: 20, lagAtRate: 20 };

const f = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(v));
const who = (r: PhaseResult) => (r.system === 'cti110' ? 'cti110' : 'Queue()');
// (two-node-burst and two-node-capacity: the two-node run's, labelled like their single-node twins)
const label = (r: PhaseResult) => `${r.phase}${['steady', 'repeat', 'burst', 'overload', 'two-node-burst'].includes(r.phase) ? ` ${r.rate}/s` : r.phase.endsWith('capacity') ? ` ${r.placed}` : ''}`;
const verdict = (ok: boolean | null) => (ok === null ? '–' : ok ? 'pass' : '**FAIL**');

interface Ratio {
  what: string;
  p50: number | null;
  p99: number | null;
  answerP99: number | null;
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100;
}

/** cti110 / Queue() for the steady rates and the burst, each pair from the same run. */
export function ratios(phases: PhaseResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const c of phases.filter((p) => (p.phase === 'steady' || p.phase === 'burst') && p.system === 'cti110')) {
    const b = phases.find((p) => p.phase === c.phase && p.system === 'baseline' && p.rate === c.rate && p.placed === c.placed);
    if (!b) continue;
    const d = (p: PhaseResult, k: keyof Percentiles) => p.distributionMs[k] as number | null;
    out.push({ what: c.phase === 'burst' ? `burst ${c.rate}/s` : `${c.rate} calls/s`, p50: ratio(d(c, 'p50'), d(b, 'p50')), p99: ratio(d(c, 'p99'), d(b, 'p99')), answerP99: ratio(c.answerMs.p99, b.answerMs.p99) });
  }
  return out;
}

const under = (v: number | null, limit: number) => (v === null ? null : v <= limit);

export function checksMarkdown(report: ChecksInput): string[] {
  const out: string[] = [];
  out.push('## Against issue #15: cti110 / Queue() from this run', '');
  out.push(`| load | distribution p50 ratio | p99 ratio | ≤ ${LIMITS.distributionRatio}× | answer p99 ratio | ≤ ${LIMITS.answerP99Ratio}× |`, '|---|---|---|---|---|---|');
  for (const r of ratios(report.phases)) {
    const dist = r.p50 === null || r.p99 === null ? null : r.p50 <= LIMITS.distributionRatio && r.p99 <= LIMITS.distributionRatio;
    out.push(`| ${r.what} | ${f(r.p50)} | ${f(r.p99)} | ${verdict(dist)} | ${f(r.answerP99)} | ${verdict(under(r.answerP99, LIMITS.answerP99Ratio))} |`);
  }

  const over = report.phases.filter((p) => p.phase === 'overload');
  if (over.length) {
    out.push('', `## Overload: ${String(report.plan.overload)}`, '');
    out.push('Answer time from SIPp; order and idle seats from SIPp\'s logs, the same way for both: inversions are pairs of calls answered in the opposite order of their arrival (one priority class); idle while waiting is ∫ min(idle seats, waiting calls) dt, a seat idle from its previous call\'s end (BYE or CANCEL at the seat) to its next INVITE, a call waiting from its INVITE at Asterisk to its seat\'s INVITE.', '');
    out.push('| system | calls | lost | waiting after | answer p50 | p90 | p99 | max | within 3 s | order inversions | calls that overtook | seat-seconds idle while a call waited |', '|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of over) {
      const q = r.queueing;
      out.push(`| ${who(r)} | ${r.placed} | ${r.lost} | ${f(report.drained[`overload-${r.system}`])} | ${f(r.answerMs.p50)} | ${f(r.answerMs.p90)} | ${f(r.answerMs.p99)} | ${f(r.answerMs.max)} | ${f(r.within3sPct)} % | ${f(q?.inversions)} | ${f(q?.overtaking)} | ${f(q?.idleWhileWaitingS)} |`);
    }
  }

  out.push('', '## Calls answered without a stored recording (any fails the run)', '');
  out.push('cti110: answered callers with no recording on `GET /recordings`; Queue(): no `MixMonitor` file with audio. Counted once the recordings stopped coming (bounded wait).', '');
  out.push('| phase | system | answered | without recording | waited ms | e.g. |', '|---|---|---|---|---|---|');
  for (const r of report.phases) {
    const c = r.recordings;
    out.push(`| ${label(r)}${r.limit ? ' (ramp limit)' : ''} | ${who(r)} | ${c.answered} | ${c.missing ? `**${c.missing}**` : '0'} | ${c.waitedMs} | ${c.examples.join(' ')} |`);
  }

  out.push('', `## Service cost per call (cti110): its own CPU (utime + stime from /proc) over the phase / calls placed; target ≤ ${LIMITS.cpuMsPerCall} ms, event-loop lag p99 < ${LIMITS.lagP99Ms} ms at ${LIMITS.lagAtRate} calls/s`, '');
  out.push('| phase | calls | CPU ms | CPU ms per call | ≤ 10 ms | event-loop lag p99 ms | < 20 ms at 20 calls/s |', '|---|---|---|---|---|---|---|');
  for (const r of report.phases.filter((p) => p.serviceCost)) {
    const c = r.serviceCost!;
    const lag = r.service?.eventLoopLagMs.p99 ?? null;
    const lagCheck = r.phase === 'steady' && r.rate === LIMITS.lagAtRate ? verdict(lag === null ? null : lag < LIMITS.lagP99Ms) : '';
    out.push(`| ${label(r)} | ${r.placed} | ${Math.round(c.cpuMs)} | ${f(c.cpuMsPerCall)} | ${verdict(under(c.cpuMsPerCall, LIMITS.cpuMsPerCall))} | ${f(lag)} | ${lagCheck} |`);
  }

  const sampled = report.phases.filter((p) => p.bridges);
  if (sampled.length) {
    out.push('', '## Bridge technology during the capacity plateau (`bridge show all`, one sample mid-plateau)', '');
    out.push('| concurrent calls | system | bridges by technology | sampled in the plateau |', '|---|---|---|---|');
    for (const r of sampled) out.push(`| ${r.placed} | ${who(r)} | ${bridgeSummary(r.bridges)} | ${r.bridges!.inPlateau ? 'yes' : 'no'} |`);
  }
  return out;
}

/** The same figures, one line each, for the console at the end of a run. */
export function summaryLines(report: ChecksInput): string[] {
  const lines = ratios(report.phases).map((r) => `ratio cti110/Queue() ${r.what}: distribution p50 ${f(r.p50)}×, p99 ${f(r.p99)}× (limit ${LIMITS.distributionRatio}×), answer p99 ${f(r.answerP99)}× (limit ${LIMITS.answerP99Ratio}×)`);
  for (const r of report.phases.filter((p) => p.phase === 'overload')) {
    lines.push(`overload ${who(r)}: lost ${r.lost}, answer p50/p99 ${f(r.answerMs.p50)}/${f(r.answerMs.p99)} ms, inversions ${f(r.queueing?.inversions)}, idle while waiting ${f(r.queueing?.idleWhileWaitingS)} seat-s`);
  }
  const missing = report.phases.filter((p) => p.recordings.missing > 0);
  lines.push(missing.length ? `answered without a recording: ${missing.map((p) => `${label(p)} ${who(p)} ${p.recordings.missing}`).join(', ')}` : 'every answered call has a stored recording');
  for (const r of report.phases.filter((p) => p.bridges)) lines.push(`bridges at ${r.placed} concurrent, ${who(r)}: ${bridgeSummary(r.bridges)}`);
  return lines;
}
