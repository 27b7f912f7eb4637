// Service level over a period: how fast callers reached a call-taker. Pure, no I/O.
//
// Which calls count: every call that arrived in the period and has finished waiting, i.e. was
// answered or abandoned. Abandoned calls count AGAINST the target, as in NENA-STA-020.1-2020,
// whose target is set on "all 9-1-1 calls arriving at the PSAP" (90 % within 15 s, 95 % within
// 20 s): a caller who hung up after 40 s of ringing was not answered within 15 s, and dropping
// that call would make a centre look better the worse it does. We do not drop short abandons
// either (some centres do): a 110 caller who hangs up after 2 s may be the one in danger.
// Calls still waiting, or that ended some other way (e.g. through the native fallback while the
// service was down), have no answer time and are counted in `offered` only.
//
// Answer time = answeredAt - arrivedAt (the caller's wait, ringback included), in ms.
// Percentiles use the nearest-rank method (always one of the observed values, never interpolated).
// Every figure that has nothing to be computed from is null, never NaN.

export type Delivery = 'ring' | 'nailed';

/** One call's timing, as the stats repository returns it. */
export interface CallTiming {
  arrivedAt: number;
  answeredAt: number | null;
  abandonedAt: number | null;
  /** How the seat that took (or was offered) the call gets calls; null if never offered to one. */
  delivery: Delivery | null;
}

export interface AnswerFigures {
  /** Calls that arrived in the period (waiting, answered, abandoned or ended otherwise). */
  offered: number;
  answered: number;
  abandoned: number;
  /** Percent (0–100) of answered + abandoned calls answered within 3 s (inclusive). */
  answeredWithin3sPct: number | null;
  within15sPct: number | null;
  within20sPct: number | null;
  avgAnswerMs: number | null;
  p50AnswerMs: number | null;
  p90AnswerMs: number | null;
  p99AnswerMs: number | null;
}

export interface ServiceLevel extends AnswerFigures {
  /**
   * The same figures for calls offered to 'ring' seats and to 'nailed' seats. A call never offered
   * to a seat (delivery null, e.g. abandoned in the queue) is only in the totals, so ring + nailed
   * can add up to less than the totals.
   */
  byDelivery: Record<Delivery, AnswerFigures>;
}

export function serviceLevel(calls: readonly CallTiming[]): ServiceLevel {
  return {
    ...answerFigures(calls),
    byDelivery: {
      ring: answerFigures(calls.filter((c) => c.delivery === 'ring')),
      nailed: answerFigures(calls.filter((c) => c.delivery === 'nailed')),
    },
  };
}

export function answerFigures(calls: readonly CallTiming[]): AnswerFigures {
  const answerMs: number[] = [];
  let abandoned = 0;
  for (const call of calls) {
    // Answered wins over abandoned: once connected, the caller was answered, whatever came later.
    if (call.answeredAt !== null) {
      // The wall clock can step back (NTP) between the two stamps; a negative wait is really ~0.
      answerMs.push(Math.max(0, call.answeredAt - call.arrivedAt));
    } else if (call.abandonedAt !== null) {
      abandoned += 1;
    }
  }
  answerMs.sort((a, b) => a - b);
  const ended = answerMs.length + abandoned;
  const within = (ms: number): number | null => (ended === 0 ? null : (countAtMost(answerMs, ms) * 100) / ended);
  return {
    offered: calls.length,
    answered: answerMs.length,
    abandoned,
    answeredWithin3sPct: within(3_000),
    within15sPct: within(15_000),
    within20sPct: within(20_000),
    avgAnswerMs: answerMs.length === 0 ? null : Math.round(answerMs.reduce((sum, ms) => sum + ms, 0) / answerMs.length),
    p50AnswerMs: nearestRank(answerMs, 50),
    p90AnswerMs: nearestRank(answerMs, 90),
    p99AnswerMs: nearestRank(answerMs, 99),
  };
}

/** Nearest-rank percentile of an ascending list: the value at rank ceil(p/100 × n), 1-based. */
export function nearestRank(sortedAsc: readonly number[], p: number): number | null {
  if (sortedAsc.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[rank - 1] ?? null;
}

function countAtMost(sortedAsc: readonly number[], limit: number): number {
  let n = 0;
  while (n < sortedAsc.length && sortedAsc[n] <= limit) n += 1;
  return n;
}
