// results.json, results.md (the short tables the README links to) and latency.png (gnuplot).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhaseResult } from './phases';
import type { Percentiles } from './measure';
import { checksMarkdown } from './report-checks';
import { twoNodeMarkdown, type TwoNodeInput } from './report-two-node';

export interface Report {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: Record<string, unknown>;
  plan: Record<string, unknown>;
  phases: PhaseResult[];
  drained: Record<string, number>;
  lostCalls: number;
  lostAtLimit: number;
  /** Answered calls without a stored recording, outside the ramp's limit step. */
  unrecorded: number;
  errors: string[];
  /** Asterisk's "task processor queue reached N scheduled tasks" warnings of the run. */
  taskprocessorOverloads?: string[];
  profile?: string[];
  /** The two-node run's calls per node (its phases are in `phases`: two-node-burst, two-node-capacity). */
  twoNodes?: TwoNodeInput['twoNodes'];
}

const f = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(v));
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? '–' : (a / b).toFixed(2));
const pct = (p: Percentiles) => `${f(p.p50)} | ${f(p.p90)} | ${f(p.p99)} | ${f(p.max)}`;
const lostCell = (r: PhaseResult) => `${r.lost}${Object.keys(r.refused).length ? ` (${Object.entries(r.refused).map(([s, n]) => `${n}×${s}`).join(', ')})` : ''}`;

function pairs(report: Report, phase: string): [PhaseResult, PhaseResult | undefined][] {
  const mine = report.phases.filter((p) => p.phase === phase && p.system === 'cti110');
  return mine.map((c) => [c, report.phases.find((b) => b.phase === phase && b.system === 'baseline' && b.rate === c.rate && b.placed === c.placed)]);
}

export function markdown(report: Report): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(`# cti110 benchmark${report.quick ? ' (quick mode: small counts, not for quoting)' : ''}`, '');
  out.push(`Run ${report.startedAt} → ${report.finishedAt} on ${m.cpu} (${m.cores} cores), ${m.memGb} GB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.asterisk}, ${m.sipp}; ${m.note}`, '', `Asterisk's ICE (rtp.conf icesupport, needed only by browser seats): ${process.env.AST_ICE_SUPPORT === 'yes' ? 'on' : 'off'} (the bench's seats are SIP phones; CTI110_BENCH_ICE=yes runs it on).`, '');
  out.push(`Calls answered without a stored recording: **${report.unrecorded}**.`, '');
  out.push(`Calls lost in the whole run: **${report.lostCalls}** (plus ${report.lostAtLimit} failed at the capacity step where a ramp found its limit, which is what the ramp looks for). Times in ms from SIPp's own timestamps on loopback. A lost call: refused (busy, 503, ...), dropped, or not answered before SIPp's time limit for the phase (30 s after the last call was placed).`, '');

  if (report.errors.length) out.push(...report.errors.map((e) => `**Failed:** ${e}`), '');
  const overloads = report.taskprocessorOverloads ?? [];
  out.push(`Asterisk taskprocessor overload warnings: ${overloads.length}${overloads.length ? `: ${[...new Set(overloads)].slice(0, 8).join('; ')}` : ''}.`, '');
  out.push('## 1. Distribution latency: INVITE reaching Asterisk → INVITE reaching a seat (100 ready seats)', '');
  out.push('| calls/s | system | calls | p50 | p90 | p99 | max | lost | cti110/baseline p50 | p99 |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const [c, b] of [...pairs(report, 'steady'), ...pairs(report, 'burst')]) {
    out.push(`| ${c.rate}${c.phase === 'burst' ? ' (burst)' : ''} | cti110 | ${c.placed} | ${pct(c.distributionMs)} | ${lostCell(c)} | ${b ? ratio(c.distributionMs.p50, b.distributionMs.p50) : '–'} | ${b ? ratio(c.distributionMs.p99, b.distributionMs.p99) : '–'} |`);
    if (b) out.push(`| ${b.rate}${b.phase === 'burst' ? ' (burst)' : ''} | Queue() | ${b.placed} | ${pct(b.distributionMs)} | ${lostCell(b)} | | |`);
  }
  out.push('', 'Answer time (INVITE → 200 OK at the caller; the seat answers after ' + String(report.plan.seatAnswerMs) + ' ms):', '');
  out.push('| calls/s | system | p50 | p90 | p99 | max | within 3 s |', '|---|---|---|---|---|---|---|');
  for (const r of report.phases.filter((p) => p.phase === 'steady' || p.phase === 'burst' || p.phase === 'repeat')) {
    out.push(`| ${r.rate}${r.phase !== 'steady' ? ` (${r.phase})` : ''} | ${r.system === 'cti110' ? 'cti110' : 'Queue()'} | ${pct(r.answerMs)} | ${f(r.within3sPct)} % |`);
  }

  out.push('', "Seat held after the caller hangs up (caller's BYE → BYE at the seat; the seat takes no call meanwhile):", '');
  out.push('| calls/s | system | p50 | p90 | p99 | max |', '|---|---|---|---|---|---|');
  for (const r of report.phases.filter((p) => p.phase === 'steady' || p.phase === 'burst' || p.phase === 'repeat')) {
    out.push(`| ${r.rate}${r.phase !== 'steady' ? ` (${r.phase})` : ''} | ${r.system === 'cti110' ? 'cti110' : 'Queue()'} | ${pct(r.releaseMs)} |`);
  }

  out.push('', '## 2. Capacity: concurrent recorded calls (caller–seat bridge + recording), CPU % of one core at full load', '');
  out.push('| concurrent | cti110 lost | answer p99 | service CPU | Asterisk CPU | machine busy | Queue() lost | answer p99 | Asterisk CPU | machine busy |', '|---|---|---|---|---|---|---|---|---|---|');
  // Every step either system reached: one ramp may stop before the other.
  const steps = [...new Set(report.phases.filter((p) => p.phase === 'capacity').map((p) => p.placed))].sort((a, b) => a - b);
  const step = (system: string, n: number) => report.phases.find((p) => p.phase === 'capacity' && p.system === system && p.placed === n);
  for (const n of steps) {
    const [c, b] = [step('cti110', n), step('baseline', n)];
    const cells = (r: PhaseResult | undefined, service: boolean) =>
      r ? `${lostCell(r)} | ${f(r.answerMs.p99)} | ${service ? `${f(r.cpu.service)} | ` : ''}${f(r.cpu.asterisk)} | ${f(r.cpu.machine)} %` : `– | – | ${service ? '– | ' : ''}– | –`;
    out.push(`| ${n} | ${cells(c, true)} | ${cells(b, false)} |`);
  }

  const held = (system: string) => {
    const ok = report.phases.filter((p) => p.phase === 'capacity' && p.system === system && p.lost === 0 && (p.answerMs.p99 ?? Infinity) <= 3000);
    return ok.length ? Math.max(...ok.map((p) => p.placed)) : 0;
  };
  out.push('', `Held (no call lost, answer p99 ≤ 3 s): cti110 **${held('cti110')}**, Queue() **${held('baseline')}** concurrent recorded calls (the ramp stops at the first step that fails; its top is the number of bench seats).`);

  out.push('', `## 3. Burst: ${String(report.plan.burst)}`, '');
  out.push('| system | calls | lost | waiting after | answer p50 | p90 | p99 | max | within 3 s |', '|---|---|---|---|---|---|---|---|---|');
  for (const r of report.phases.filter((p) => p.phase === 'burst')) {
    out.push(`| ${r.system === 'cti110' ? 'cti110' : 'Queue()'} | ${r.placed} | ${lostCell(r)} | ${f(report.drained[`burst-${r.system}`])} | ${pct(r.answerMs)} | ${f(r.within3sPct)} % |`);
  }

  out.push('', '## 4. Service overhead (cti110 phases; from /metrics right after each)', '');
  out.push('StasisStart → offer: mean over the phase; p50/p99 over the service\'s last 60 s (a sliding window). Event-loop lag over the phase.', '');
  out.push('| phase | calls/s | StasisStart → offer mean | p50 | p99 | event-loop lag p99 | max | heap used MB | RSS MB | calls so far | seats set not ready |', '|---|---|---|---|---|---|---|---|---|---|---|');
  let total = 0;
  for (const r of report.phases.filter((p) => p.system === 'cti110' && p.service)) {
    total += r.placed;
    const s = r.service!;
    out.push(`| ${r.phase} | ${r.rate} | ${f(s.stasisToOfferMs.phaseMean)} | ${f(s.stasisToOfferMs.p50)} | ${f(s.stasisToOfferMs.p99)} | ${f(s.eventLoopLagMs.p99)} | ${f(s.eventLoopLagMs.max)} | ${f(s.heapUsedMb)} | ${f(s.rssMb)} | ${total} | ${f(r.seatsNotReady)} |`);
  }

  out.push('', '## 5. Permanent connections (#10): INVITE → 200 OK (two-way audio), a seat free', '');
  out.push('| mode | calls | p50 | p90 | p99 | max | lost | p99 ≤ 250 ms |', '|---|---|---|---|---|---|---|---|');
  const label: Record<string, string> = { 'perm-ring': 'cti110 ringing seats (auto-answer)', 'perm-nailed': 'cti110 nailed seats', 'perm-agents': 'Queue() + AgentLogin() agents' };
  for (const r of report.phases.filter((p) => p.phase.startsWith('perm-'))) {
    out.push(`| ${label[r.phase]} | ${r.placed} | ${pct(r.answerMs)} | ${lostCell(r)} | ${r.answerMs.p99 !== null && r.answerMs.p99 <= 250 ? 'yes' : 'no'} |`);
  }
  out.push('', ...checksMarkdown(report));
  const two = twoNodeMarkdown(report);
  if (two.length) out.push('', ...two);
  if (report.profile?.length) out.push('', '## Where the service spends its CPU (node --cpu-prof, self time)', '', '```', ...report.profile, '```');
  out.push('', '![latency and CPU vs load](latency.png)', '');
  return out.join('\n');
}

/** Two panels: distribution latency percentiles vs calls/s; CPU vs concurrent calls. */
export function chart(report: Report, dir: string): boolean {
  // gnuplot refuses an empty data file: a partial run (--only) may have nothing to draw.
  if (!['steady', 'capacity'].every((phase) => report.phases.some((p) => p.phase === phase))) return false;
  const rows = (system: string) =>
    report.phases
      .filter((p) => (p.phase === 'steady' || p.phase === 'burst') && p.system === system)
      .map((p) => `${p.rate} ${f(p.distributionMs.p50)} ${f(p.distributionMs.p90)} ${f(p.distributionMs.p99)}`.replace(/–/g, 'NaN'))
      .join('\n');
  const cap = (system: string) =>
    report.phases
      .filter((p) => p.phase === 'capacity' && p.system === system)
      .map((p) => `${p.placed} ${p.cpu.asterisk ?? 'NaN'} ${p.cpu.service ?? 'NaN'} ${p.cpu.machine ?? 'NaN'}`)
      .join('\n');
  writeFileSync(join(dir, 'latency-cti110.dat'), rows('cti110') + '\n');
  writeFileSync(join(dir, 'latency-baseline.dat'), rows('baseline') + '\n');
  writeFileSync(join(dir, 'cpu-cti110.dat'), cap('cti110') + '\n');
  writeFileSync(join(dir, 'cpu-baseline.dat'), cap('baseline') + '\n');
  const script = `set terminal pngcairo size 1200,480 font ",10"
set output "latency.png"
set multiplot layout 1,2 title "cti110 vs Asterisk Queue() (same Asterisk, same seats, same run)"
set title "Distribution latency: INVITE at Asterisk -> INVITE at seat"
set xlabel "calls per second (100 ready seats)"
set ylabel "ms"
set logscale y
set key top left
set grid
plot "latency-cti110.dat" u 1:2 w lp lw 2 lc rgb "#1f77b4" pt 7 t "cti110 p50", \\
     "" u 1:3 w lp lw 1 lc rgb "#1f77b4" pt 5 dt 2 t "cti110 p90", \\
     "" u 1:4 w lp lw 1 lc rgb "#1f77b4" pt 9 dt 3 t "cti110 p99", \\
     "latency-baseline.dat" u 1:2 w lp lw 2 lc rgb "#d62728" pt 7 t "Queue() p50", \\
     "" u 1:3 w lp lw 1 lc rgb "#d62728" pt 5 dt 2 t "Queue() p90", \\
     "" u 1:4 w lp lw 1 lc rgb "#d62728" pt 9 dt 3 t "Queue() p99"
unset logscale y
set title "CPU at full load (% of one core; 2 cores = 200 %)"
set xlabel "concurrent recorded calls"
set ylabel "% CPU"
plot "cpu-cti110.dat" u 1:2 w lp lw 2 lc rgb "#1f77b4" pt 7 t "Asterisk (cti110 run)", \\
     "" u 1:3 w lp lw 2 lc rgb "#2ca02c" pt 5 t "cti110 service", \\
     "cpu-baseline.dat" u 1:2 w lp lw 2 lc rgb "#d62728" pt 7 t "Asterisk (Queue() run)"
unset multiplot
`;
  writeFileSync(join(dir, 'latency.gp'), script);
  execFileSync('gnuplot', ['latency.gp'], { cwd: dir, stdio: 'inherit' }); // relative paths: the folder can move
  return true;
}
