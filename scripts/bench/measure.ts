// From SIPp's own timestamps to figures: what happened to every call placed, distribution
// latency (INVITE reaching Asterisk -> INVITE reaching a seat) and answer time (-> 200 OK).
// The harness's parser of SIPp `key=value` log lines serves the bench scenarios' logs too.
import { readSeatLog as readEvents } from '../../test/support/harness';

export interface Percentiles {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles in ms, 1 decimal. */
export function percentiles(values: number[]): Percentiles {
  const v = [...values].sort((a, b) => a - b);
  const at = (p: number) => (v.length ? Math.round(v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)] * 10) / 10 : null);
  return { n: v.length, p50: at(50), p90: at(90), p99: at(99), max: v.length ? Math.round(v[v.length - 1] * 10) / 10 : null };
}

export interface CallOutcome {
  placed: number;
  answered: number;
  ended: number;
  /** Final error responses by status (busy, 503, ...): each is a lost call. */
  refused: Record<string, number>;
  /** Placed and not ended normally: refused, dropped, or never answered. */
  lost: number;
  answerMs: Percentiles;
  within3sPct: number | null;
  /** INVITE at Asterisk -> INVITE at the first seat rung (ringing seats only). */
  distributionMs: Percentiles;
  /**
   * Caller's BYE -> BYE reaching the seat: how long a seat stays held after the caller has gone
   * (it takes no new call meanwhile).
   */
  releaseMs: Percentiles;
  /** When the first call was placed and the last answered/ended (ms since the epoch). */
  firstInviteAt: number;
  lastAnsweredAt: number;
  firstEndedAt: number;
  lastEndedAt: number;
}

/**
 * callerLog: the phase's bench caller log; seatLog: the log of the SIPp answering for every
 * ringing seat (shared by all phases; the phase's callers are told apart by their number prefix).
 */
export function outcome(callerLog: string, seatLog: string | undefined, prefix: string): CallOutcome {
  const events = readEvents(callerLog);
  const invites = new Map<string, number>();
  const answers = new Map<string, number>();
  const ended: number[] = [];
  const endedBySelf = new Map<string, number>();
  const refused: Record<string, number> = {};
  for (const e of events) {
    const t = Number(e.t);
    if (e.event === 'invite') invites.set(e.caller, t);
    else if (e.event === 'answered') answers.set(e.caller, t);
    else if (e.event === 'ended') {
      ended.push(t);
      if (e.by === 'self') endedBySelf.set(e.caller, t);
    }
    else if (e.event === 'refused') refused[e.status || '?'] = (refused[e.status || '?'] ?? 0) + 1;
  }
  const seatInvite = new Map<string, number>();
  const release: number[] = [];
  if (seatLog) {
    for (const e of readEvents(seatLog)) {
      if (!e.caller?.startsWith(prefix)) continue;
      if (e.event === 'invite' && !seatInvite.has(e.caller)) seatInvite.set(e.caller, Number(e.t)); // the first seat rung
      const gone = endedBySelf.get(e.caller);
      if (e.event === 'bye' && gone !== undefined) release.push(Number(e.t) - gone);
    }
  }
  const answerMs: number[] = [];
  const distribution: number[] = [];
  for (const [caller, t] of invites) {
    const a = answers.get(caller);
    if (a !== undefined) answerMs.push(a - t);
    const s = seatInvite.get(caller);
    if (s !== undefined) distribution.push(s - t);
  }
  const within = answerMs.filter((ms) => ms <= 3000).length;
  return {
    placed: invites.size,
    answered: answers.size,
    ended: ended.length,
    refused,
    lost: invites.size - ended.length,
    answerMs: percentiles(answerMs),
    within3sPct: invites.size ? Math.round((within / invites.size) * 1000) / 10 : null,
    distributionMs: percentiles(distribution),
    releaseMs: percentiles(release),
    firstInviteAt: Math.min(...invites.values()),
    lastAnsweredAt: Math.max(...answers.values()),
    firstEndedAt: Math.min(...ended),
    lastEndedAt: Math.max(...ended),
  };
}

/** Callers SIPp saw answered (200 OK), by number. */
export function answeredCallers(callerLog: string): string[] {
  return readEvents(callerLog).filter((e) => e.event === 'answered').map((e) => e.caller);
}

/** The service's own figures from /metrics (Prometheus text format). */
export interface ServiceFigures {
  /** Quantiles over the service's last 60 s; mean over this phase alone (from _sum/_count). */
  stasisToOfferMs: { p50: number | null; p90: number | null; p99: number | null; count: number; sumMs: number; phaseMean?: number | null };
  eventLoopLagMs: { p50: number | null; p99: number | null; max: number | null };
  heapUsedMb: number | null;
  rssMb: number | null;
}

export function parseMetrics(text: string): ServiceFigures {
  const value = (name: string, labels = ''): number | null => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
    if (!line) return null;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    return Number.isFinite(v) ? v : null;
  };
  const ms = (v: number | null) => (v === null ? null : Math.round(v * 10000) / 10);
  const mb = (v: number | null) => (v === null ? null : Math.round((v / 1048576) * 10) / 10);
  const q = (p: string) => ms(value('cti110_stasis_to_offer_seconds', `{quantile="${p}"}`));
  return {
    stasisToOfferMs: { p50: q('0.5'), p90: q('0.9'), p99: q('0.99'), count: value('cti110_stasis_to_offer_seconds_count') ?? 0, sumMs: (value('cti110_stasis_to_offer_seconds_sum') ?? 0) * 1000 },
    eventLoopLagMs: { p50: ms(value('nodejs_eventloop_lag_p50_seconds')), p99: ms(value('nodejs_eventloop_lag_p99_seconds')), max: ms(value('nodejs_eventloop_lag_max_seconds')) },
    heapUsedMb: mb(value('nodejs_heap_size_used_bytes')),
    rssMb: mb(value('process_resident_memory_bytes')),
  };
}
