// The bench's phases. Each places calls with a fresh caller SIPp and reads SIPp's own logs; cti110
// and the native baseline run one right after the other on the same Asterisk and seats.
import { post, sleep, waitFor, type Sandbox, type Service } from '../../test/support/harness';
import { BASELINE_ADDR, seatPassword, type BenchSeats } from './conf';
import { answeredCallers, outcome, parseMetrics, type CallOutcome, type ServiceFigures } from './measure';
import { procTicks, startSipp, TICK, type Cleanup, type CpuSampler, type SippRun } from './procs';
import { checkRecordings, type RecordingCheck } from './recordings';
import { bridgeSummary, sampleBridges, type BridgeSample } from './bridges';
import { queueing, type QueueingFigures } from './queueing';

export type System = 'cti110' | 'baseline';

export interface Ctx {
  cleanup: Cleanup;
  dir: string;
  sandbox: Sandbox;
  service: Service;
  seats: BenchSeats;
  seatUas: SippRun;
  sampler: CpuSampler;
  /** Two-node run: the other Asterisk node (calls left over are hung up on both). */
  otherNode?: Sandbox;
  log(line: string): void;
}

export interface PhaseResult extends CallOutcome {
  phase: string;
  system: System;
  rate: number;
  holdMs: number;
  cpu: Record<string, number>;
  service?: ServiceFigures;
  sippExit: number;
  /** cti110: seats the queue set not ready during the phase (ring-no-answer: out of the pool). */
  seatsNotReady?: number;
  /** The capacity step where the ramp found its limit: its failures are the measurement. */
  limit?: boolean;
  /** Answered calls without a stored recording (each fails the run). */
  recordings: RecordingCheck;
  /** cti110: the service's own CPU (utime + stime) over the phase, per call placed. */
  serviceCost?: { cpuMs: number; cpuMsPerCall: number | null };
  /** `bridge show all` in the middle of the capacity plateau. */
  bridges?: BridgeSample;
  /** Overload: answer order and seats idle while calls waited. */
  queueing?: QueueingFigures;
}

export interface CallerOpts {
  rate: number;
  count: number;
  holdMs: number;
  exten?: string;
  cpuWindow?: 'plateau' | 'all';
  /** SIPp's time limit for the whole phase (default: placing + hold + 30 s). */
  timeoutS?: number;
  /** Overload: the seats that take the calls (for the idle-while-waiting figure). */
  queueSeats?: string[];
  /** Sample the bridges this long after the first call is placed. */
  bridgesAtMs?: number;
  /** Two-node run: callers go to the SIP edge's entrance with a scenario that follows its Record-Route. */
  target?: string;
  scenario?: string;
}

let phaseNo = 100;

/** The seats logged in for cti110 (the rest logged out); the baseline has its own queues. */
export async function loginRing(ctx: Ctx, ids: string[]): Promise<void> {
  const want = new Set(ids);
  const seats = (await ctx.service.get<{ id: string; state: string }[]>('/seats')).body;
  for (const s of seats) {
    if (!ctx.seats.ring.includes(s.id)) continue;
    if (want.has(s.id) && s.state === 'logged_out') await post(ctx.service, `/seats/${s.id}/login`);
    // A seat the queue set not ready (ring-no-answer under load) is made ready again: each phase
    // starts with the same seats.
    if (want.has(s.id) && s.state === 'not_ready') await post(ctx.service, `/seats/${s.id}/ready`);
    if (!want.has(s.id) && s.state !== 'logged_out') await post(ctx.service, `/seats/${s.id}/logout`);
  }
}

/**
 * The one reader of the service's /metrics (a bearer token, when the service asks for one, goes
 * here). Scraping also resets prom-client's event-loop histogram: call it before a phase.
 */
export async function metricsText(service: Service): Promise<string> {
  const token = process.env.CTI110_METRICS_TOKEN;
  return (await fetch(`${service.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {})).text();
}

export async function serviceFigures(ctx: Ctx): Promise<ServiceFigures> {
  return parseMetrics(await metricsText(ctx.service));
}

/**
 * Places `count` calls at `rate`/s held `holdMs` after the answer. cti110 calls come in on the
 * 110 trunk; baseline calls from BASELINE_ADDR to `exten` (a Queue() of the same seats).
 */
export async function callers(ctx: Ctx, phase: string, system: System, opts: CallerOpts): Promise<PhaseResult> {
  const prefix = `139${phaseNo++}`;
  const name = `${phase}-${system}`;
  const before = system === 'cti110' ? await serviceFigures(ctx) : undefined; // also resets the lag histogram
  const servicePid = ctx.service.process.pid!;
  const ticksBefore = procTicks(servicePid);
  const timeoutS = opts.timeoutS ?? Math.ceil(opts.count / opts.rate + opts.holdMs / 1000 + 30);
  const started = Date.now();
  let bridges: Promise<BridgeSample> | undefined;
  const bridgeTimer = opts.bridgesAtMs === undefined ? undefined : setTimeout(() => (bridges = sampleBridges(ctx.sandbox)), opts.bridgesAtMs);
  const run = await startSipp(
    ctx.cleanup,
    ctx.dir,
    name,
    opts.target ?? `127.0.0.1:${ctx.sandbox.sipPort}`,
    opts.scenario ?? 'caller.xml',
    ['-s', system === 'cti110' ? '110' : (opts.exten ?? 'ring'), '-key', 'prefix', prefix, '-r', String(opts.rate), '-rp', '1000', '-m', String(opts.count), '-l', String(opts.count), '-d', String(opts.holdMs), '-timeout', `${timeoutS}s`, '-timeout_error'],
    system === 'cti110' ? '127.0.0.2' : BASELINE_ADDR,
  );
  const sippExit = await run.done;
  clearTimeout(bridgeTimer);
  const ended = Date.now();
  const result = outcome(run.logFile, ctx.seatUas.logFile, prefix);
  // plateau: every call answered and none ended yet (the capacity step's full load)
  const cpu = opts.cpuWindow === 'plateau' && result.lastAnsweredAt < result.firstEndedAt ? ctx.sampler.mean(result.lastAnsweredAt, result.firstEndedAt) : ctx.sampler.mean(started, ended);
  const service = system === 'cti110' ? await serviceFigures(ctx) : undefined;
  if (service && before) {
    const s = service.stasisToOfferMs;
    const n = s.count - before.stasisToOfferMs.count;
    s.phaseMean = n > 0 ? Math.round(((s.sumMs - before.stasisToOfferMs.sumMs) / n) * 10) / 10 : null;
  }
  const recordings = await checkRecordings(system === 'cti110' ? { service: ctx.service, fromMs: started - 5000 } : { sandbox: ctx.sandbox }, answeredCallers(run.logFile));
  // After the recordings are stored: their fetch and write are part of what a call costs.
  const ticksAfter = procTicks(servicePid);
  if (result.lost > 0 && !phase.startsWith('perm-')) await clearChannels(ctx);
  const r: PhaseResult = { phase, system, rate: opts.rate, holdMs: opts.holdMs, ...result, cpu, ...(service ? { service } : {}), sippExit, recordings };
  if (system === 'cti110' && ticksBefore !== undefined && ticksAfter !== undefined) {
    const cpuMs = ((ticksAfter - ticksBefore) * 1000) / TICK;
    r.serviceCost = { cpuMs, cpuMsPerCall: r.placed ? Math.round((cpuMs / r.placed) * 10) / 10 : null };
  }
  if (bridges) {
    r.bridges = await bridges;
    r.bridges.inPlateau = r.bridges.at > result.lastAnsweredAt && r.bridges.at < result.firstEndedAt;
  }
  if (opts.queueSeats) r.queueing = queueing(run.logFile, ctx.seatUas.logFile, prefix, opts.queueSeats, ended);
  if (system === 'cti110') r.seatsNotReady = (await ctx.service.get<{ state: string }[]>('/seats')).body.filter((s) => s.state === 'not_ready').length;
  ctx.log(`${name}: ${r.placed} placed, ${r.ended} ended, lost ${r.lost}, without recording ${recordings.missing} of ${recordings.answered} answered, distribution p50/p99 ${r.distributionMs.p50}/${r.distributionMs.p99} ms, answer p50/p99 ${r.answerMs.p50}/${r.answerMs.p99} ms, cpu ${JSON.stringify(cpu)}`);
  if (r.serviceCost) ctx.log(`${name}: service CPU ${r.serviceCost.cpuMsPerCall} ms per call, event-loop lag p99 ${service?.eventLoopLagMs.p99 ?? '–'} ms`);
  if (r.bridges) ctx.log(`${name}: bridges ${bridgeSummary(r.bridges)}${r.bridges.inPlateau ? '' : ' (sampled outside the plateau)'}`);
  if (r.queueing) ctx.log(`${name}: answer-order inversions ${r.queueing.inversions} (${r.queueing.overtaking} calls overtook), seat-seconds idle while a call waited ${r.queueing.idleWhileWaitingS}`);
  return r;
}

/**
 * A caller SIPp gave up on sends no CANCEL: its call stays in Asterisk (by design a 110 caller is
 * never dropped) and would hold seats and RTP ports in the next phase. Hung up before moving on.
 */
async function clearChannels(ctx: Ctx): Promise<void> {
  ctx.log('calls left over after a phase with losses: hanging them up before the next phase');
  for (const node of ctx.otherNode ? [ctx.sandbox, ctx.otherNode] : [ctx.sandbox]) {
    await node.cli('channel request hangup all');
    await waitFor('no channel left', async () => /^0 active channels/m.test(await node.cli('core show channels count')), 30000).catch(() => ctx.log('channels still up after 30 s'));
  }
  await sleep(1000);
}

/** Waiting callers left after a phase: the queue must have drained. */
export async function waitingAfter(ctx: Ctx, system: System, queue = 'bench-ring'): Promise<number> {
  if (system === 'cti110') return (await ctx.service.get<{ now: { waiting: number } }>('/stats/queue')).body.now.waiting;
  const out = await ctx.sandbox.cli(`queue show ${queue}`);
  const m = /has (\d+) calls/.exec(out);
  return m ? Number(m[1]) : -1;
}

/**
 * Permanent connections: each seat dials `code` once and stays up `holdMs` (cti110: *15 nailed
 * log-in; baseline: *19 AgentLogin). Resolves once all are up, with a promise of their ends.
 */
export async function permanentSeats(ctx: Ctx, kind: 'nailed' | 'agents', holdMs: number): Promise<{ ended: Promise<number[]> }> {
  const ids = kind === 'nailed' ? ctx.seats.nailed : ctx.seats.agents;
  // One SIPp per seat: SIPp 3.6.1 cannot take digest credentials from an injection file.
  const runs = await Promise.all(
    ids.map((id) =>
      startSipp(ctx.cleanup, ctx.dir, `${kind}-${id}`, `127.0.0.1:${ctx.sandbox.sipPort}`, 'nailed.xml', [
        '-s', kind === 'nailed' ? '*15' : '*19', '-key', 'seat', id, '-au', id, '-ap', seatPassword(id), '-m', '1', '-l', '1', '-d', String(holdMs), '-timeout', `${Math.ceil(holdMs / 1000) + 60}s`, '-timeout_error',
      ]),
    ),
  );
  if (kind === 'nailed') {
    await waitFor('nailed seats ready', async () => {
      const seats = (await ctx.service.get<{ id: string; state: string }[]>('/seats')).body;
      return ids.every((id) => seats.find((s) => s.id === id)?.state === 'ready');
    }, 30000);
  } else {
    // Logged in is not enough: an agent is offered calls once its state is NOT_INUSE (a few s later).
    await waitFor('agents ready', async () => {
      const out = await ctx.sandbox.cli('queue show bench-agents');
      return ids.every((id) => new RegExp(`Agent ${id} .*\\(Not in use\\)`).test(out));
    }, 30000);
  }
  await sleep(500);
  // Wrapped: an async function returning a bare promise would make the caller wait for it.
  return { ended: Promise.all(runs.map((r) => r.done)) };
}
