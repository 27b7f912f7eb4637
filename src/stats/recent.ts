// The last hour, minute by minute, and the seats needed now: what the wallboard draws next to
// the live figures. Pure, no I/O: the route hands in the calls and the queue as they are.
import { seatsNeeded } from './erlang';
import type { LiveFigures } from './snapshot';

/** One call's timing, as the stats repository returns it (arrivals of the last ~75 minutes). */
export interface RecentCall {
  arrivedAt: number;
  answeredAt: number | null;
  abandonedAt: number | null;
  endedAt: number | null;
}

export const MINUTE_MS = 60_000;
export const HISTORY_MS = 60 * MINUTE_MS;
/** The staffing figures are read from this window: long enough to hold a few calls, short enough to follow a surge. */
export const STAFFING_WINDOW_MS = 15 * MINUTE_MS;
/**
 * A call that waited longer than this before the hour began is not in the chart's first minutes.
 * The calls are loaded by arrival time; this is how far before the hour they are read.
 */
export const LOOKBACK_MS = 15 * MINUTE_MS;
/** The centre's target: answered within 3 s (DOMAIN.md). */
export const TARGET_MS = 3_000;
/**
 * "Every call within 3 s" has no finite seat count in Erlang C (random arrivals bunch), so the
 * seats are counted for 99 % of calls within 3 s: one caller in a hundred waits a little longer.
 */
export const GOAL = 0.99;

export interface MinutePoint {
  /** Start of the minute (ms). */
  at: number;
  /** Most calls waiting at once during the minute. */
  waiting: number;
  /** Calls answered during the minute, and how long the slowest and the average of them waited. */
  answered: number;
  maxAnswerMs: number | null;
  avgAnswerMs: number | null;
}

export interface Staffing {
  windowMs: number;
  /** Calls that arrived in the window, and per minute. */
  arrivals: number;
  arrivalsPerMin: number;
  /** Average time from answer to end of the calls answered in the window and ended; null if none has ended. */
  handleMs: number | null;
  /** Percent of the window's finished waits that were abandoned (not used by Erlang C, shown for the supervisor). */
  abandonedPct: number | null;
  targetMs: number;
  goalPct: number;
  /** Traffic in erlangs; null when the handle time is not known yet. */
  traffic: number | null;
  /** Seats Erlang C asks for now; null when the handle time is not known yet. */
  needed: number | null;
  /** Seats taking calls now: ready, ringing or on a call (Erlang's N). */
  staffed: number;
  ready: number;
  /** needed − staffed when positive: the seats missing to hold the target. */
  shortfall: number;
}

export interface Recent {
  at: number;
  history: MinutePoint[];
  staffing: Staffing;
}

/** When a call stopped waiting: answered, abandoned or ended, whichever came first; null while it waits. */
const stoppedWaiting = (c: RecentCall): number | null => {
  const times = [c.answeredAt, c.abandonedAt, c.endedAt].filter((x): x is number => x !== null);
  return times.length ? Math.min(...times) : null;
};

/** Minutes ending with the current (partial) one: 60 points, oldest first. */
export function history(calls: readonly RecentCall[], at: number): MinutePoint[] {
  const first = Math.floor(at / MINUTE_MS) * MINUTE_MS - HISTORY_MS + MINUTE_MS;
  const points: MinutePoint[] = [];
  for (let m = first; m <= at; m += MINUTE_MS) points.push({ at: m, waiting: 0, answered: 0, maxAnswerMs: null, avgAnswerMs: null });
  const slot = (ms: number) => Math.floor((ms - first) / MINUTE_MS);
  // Calls waiting at once: +1 at arrival, −1 when the wait stops; the running count's peak per minute.
  const steps: [number, number][] = [];
  for (const c of calls) {
    const stop = stoppedWaiting(c);
    if (stop !== null && stop < first) continue;
    steps.push([c.arrivedAt, 1]);
    if (stop !== null) steps.push([stop, -1]);
  }
  // At the same instant the stop goes first: a call answered as another arrives is not two waiting.
  steps.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let count = 0;
  let i = 0;
  for (const [n, p] of points.entries()) {
    const end = p.at + MINUTE_MS;
    while (i < steps.length && steps[i][0] < p.at) count += steps[i++][1];
    let peak = count;
    while (i < steps.length && steps[i][0] < end) {
      count += steps[i++][1];
      peak = Math.max(peak, count);
    }
    points[n].waiting = Math.max(0, peak);
  }
  const sums = points.map(() => 0);
  for (const c of calls) {
    if (c.answeredAt === null || c.answeredAt < first || c.answeredAt > at) continue;
    const s = slot(c.answeredAt);
    const wait = Math.max(0, c.answeredAt - c.arrivedAt);
    const p = points[s];
    p.answered += 1;
    p.maxAnswerMs = Math.max(p.maxAnswerMs ?? 0, wait);
    sums[s] += wait;
  }
  for (const [s, p] of points.entries()) if (p.answered) p.avgAnswerMs = Math.round(sums[s] / p.answered);
  return points;
}

/** The seats needed now for the target, from the last 15 minutes' arrivals and handle times, beside the seats there are. */
export function staffing(calls: readonly RecentCall[], live: Pick<LiveFigures, 'seats'>, at: number): Staffing {
  const from = at - STAFFING_WINDOW_MS;
  const recent = calls.filter((c) => c.arrivedAt >= from && c.arrivedAt < at);
  const handled = recent.filter((c) => c.answeredAt !== null && c.endedAt !== null && c.endedAt >= c.answeredAt);
  const handleMs = handled.length ? Math.round(handled.reduce((s, c) => s + (c.endedAt! - c.answeredAt!), 0) / handled.length) : null;
  const answered = recent.filter((c) => c.answeredAt !== null).length;
  const abandoned = recent.filter((c) => c.answeredAt === null && c.abandonedAt !== null).length;
  const staffed = live.seats.ready + live.seats.ringing + live.seats.on_call;
  const ratePerS = recent.length / (STAFFING_WINDOW_MS / 1000);
  // No call in the window: nothing to staff for. Calls but none finished yet: handle time unknown.
  const need = recent.length === 0 ? { traffic: 0, seats: 0 } : handleMs === null ? null : seatsNeeded(ratePerS, Math.max(handleMs, 1) / 1000, TARGET_MS / 1000, GOAL);
  return {
    windowMs: STAFFING_WINDOW_MS,
    arrivals: recent.length,
    arrivalsPerMin: Math.round((recent.length / (STAFFING_WINDOW_MS / MINUTE_MS)) * 100) / 100,
    handleMs,
    abandonedPct: answered + abandoned === 0 ? null : Math.round((abandoned * 1000) / (answered + abandoned)) / 10,
    targetMs: TARGET_MS,
    goalPct: GOAL * 100,
    traffic: need === null ? null : Math.round(need.traffic * 100) / 100,
    needed: need?.seats ?? null,
    staffed,
    ready: live.seats.ready,
    shortfall: need === null ? 0 : Math.max(0, need.seats - staffed),
  };
}

export function recent(calls: readonly RecentCall[], live: Pick<LiveFigures, 'seats'>, at: number): Recent {
  return { at, history: history(calls, at), staffing: staffing(calls, live, at) };
}
