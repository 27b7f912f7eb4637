// The reporting period of a stats request: defaults and the rules a period must follow. Pure.

/** Longest period one request may cover: every call in it is loaded to compute percentiles. */
export const MAX_PERIOD_MS = 31 * 24 * 3600_000;

export interface Period {
  from: number;
  to: number;
}

export class PeriodError extends Error {
  readonly code = 'BAD_PERIOD';
  override readonly name = this.constructor.name;
}

/**
 * `to` defaults to now; `from` to midnight (local time) of the day `to` falls in, so no parameter
 * means "today so far" and `to` alone means "that day up to `to`". `to - 1` because the period is
 * [from, to): a `to` of exactly midnight ends the day before.
 */
export function resolvePeriod(query: { from?: number; to?: number }, now: number): Period {
  const to = query.to ?? now;
  return checkPeriod({ from: query.from ?? startOfLocalDay(to - 1), to });
}

/** The rules every period follows, whatever its defaults: not empty, not longer than MAX_PERIOD_MS. */
export function checkPeriod(period: Period): Period {
  const { from, to } = period;
  if (from >= to) throw new PeriodError(`from (${from}) must be before to (${to})`);
  if (to - from > MAX_PERIOD_MS) throw new PeriodError(`the period from ${from} to ${to} is longer than ${MAX_PERIOD_MS / (24 * 3600_000)} days`);
  return period;
}

/** Midnight, local time of the centre, of the day containing `ms`. */
export function startOfLocalDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
