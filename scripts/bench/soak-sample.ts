// The soak's minute samples (what must stay flat over an hour: issue #15 item 8) and its report.
import { readdirSync, statSync } from 'node:fs';
import { parseMetrics } from './measure';
import { parseBridges } from './bridges';
import { metricsText, type Ctx } from './phases';

export interface SoakSample {
  /** Minutes since the soak started. */
  min: number;
  callsPlaced: number;
  rssMb: number | null;
  heapUsedMb: number | null;
  openFds: number | null;
  channels: number | null;
  bridges: number | null;
  /** SQLite file + WAL, bytes per call placed so far. */
  storeBytesPerCall: number | null;
}

const fileSize = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export async function takeSample(ctx: Ctx, startedAt: number, callsPlaced: number, dbPath: string): Promise<SoakSample> {
  const m = parseMetrics(await metricsText(ctx.service));
  let openFds: number | null = null;
  try {
    openFds = readdirSync(`/proc/${ctx.service.process.pid}/fd`).length;
  } catch {
    /* the service is gone: reported as a gap */
  }
  const count = /^(\d+) active channels?/m.exec(await ctx.sandbox.cli('core show channels count'));
  const store = fileSize(dbPath) + fileSize(`${dbPath}-wal`);
  return {
    min: Math.round((Date.now() - startedAt) / 6000) / 10,
    callsPlaced,
    rssMb: m.rssMb,
    heapUsedMb: m.heapUsedMb,
    openFds,
    channels: count ? Number(count[1]) : null,
    bridges: parseBridges(await ctx.sandbox.cli('bridge show all')).length,
    storeBytesPerCall: callsPlaced ? Math.round(store / callsPlaced) : null,
  };
}

const KEYS = ['rssMb', 'heapUsedMb', 'openFds', 'channels', 'bridges', 'storeBytesPerCall'] as const;

/** Means over the first and the last `windowMin` minutes (10 in an hour's soak; half a short one). */
export function firstVsLast(samples: SoakSample[], minutes: number): { windowMin: number; first: Record<string, number | null>; last: Record<string, number | null> } {
  const windowMin = Math.max(1, Math.min(10, Math.floor(minutes / 2)));
  const mean = (rows: SoakSample[]) => {
    const out: Record<string, number | null> = {};
    for (const k of KEYS) {
      const v = rows.map((r) => r[k]).filter((x): x is number => x !== null);
      out[k] = v.length ? Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 10) / 10 : null;
    }
    return out;
  };
  const end = samples.length ? samples[samples.length - 1].min : 0;
  return { windowMin, first: mean(samples.filter((s) => s.min <= windowMin)), last: mean(samples.filter((s) => s.min >= end - windowMin)) };
}

export interface SoakResult {
  startedAt: string;
  finishedAt: string;
  minutes: number;
  load: string;
  machine: Record<string, unknown>;
  placed: number;
  answered: number;
  lost: number;
  abandoned: { placed: number; clean: number; lost: number };
  unrecorded: number;
  answerMs: Record<string, number | null>;
  conferences: { tried: number; joined: number; outcomes: string[] };
  handovers: { tried: number; handedOver: number; outcomes: string[] };
  samples: SoakSample[];
  flat: ReturnType<typeof firstVsLast>;
}

const f = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(v));

export function soakLines(r: SoakResult): string[] {
  const { windowMin, first, last } = r.flat;
  return [
    `soak ${r.minutes} min: ${r.placed} calls placed, ${r.answered} answered, lost ${r.lost}; abandoning callers ${r.abandoned.placed} (${r.abandoned.clean} hung up before an answer, ${r.abandoned.lost} failed); answered without a recording ${r.unrecorded}`,
    `soak: officer conferences ${r.conferences.joined} of ${r.conferences.tried} joined; 12345 hand-overs ${r.handovers.handedOver} of ${r.handovers.tried} done`,
    ...KEYS.map((k) => `soak ${k}: first ${windowMin} min ${f(first[k])}, last ${windowMin} min ${f(last[k])}`),
  ];
}

export function soakMarkdown(r: SoakResult): string {
  const out = [`# cti110 soak: ${r.minutes} min`, '', `Run ${r.startedAt} → ${r.finishedAt}; ${String(r.machine.note)}`, '', `Load: ${r.load}.`, ''];
  out.push(...soakLines(r).map((l) => `- ${l.replace(/^soak:? /, '')}`), '');
  out.push(`Answer time (ms): p50 ${f(r.answerMs.p50)}, p90 ${f(r.answerMs.p90)}, p99 ${f(r.answerMs.p99)}, max ${f(r.answerMs.max)}.`, '');
  out.push('| min | calls placed | RSS MB | heap used MB | open fds | Asterisk channels | bridges | store bytes per call |', '|---|---|---|---|---|---|---|---|');
  for (const s of r.samples) out.push(`| ${s.min} | ${s.callsPlaced} | ${f(s.rssMb)} | ${f(s.heapUsedMb)} | ${f(s.openFds)} | ${f(s.channels)} | ${f(s.bridges)} | ${f(s.storeBytesPerCall)} |`);
  if (r.conferences.outcomes.length || r.handovers.outcomes.length) out.push('', `Conferences: ${r.conferences.outcomes.join(', ') || '–'}.`, '', `Hand-overs: ${r.handovers.outcomes.join(', ') || '–'}.`);
  return out.join('\n') + '\n';
}
