// Prometheus exposition of the stats area (prom-client). No I/O of its own: it reads figures
// through `source` at scrape time. One Registry per call, never prom-client's global one, so that
// two apps (tests, or a second listener) never share or double-register metrics.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { LiveFigures } from './snapshot';
import { SEAT_STATES } from './snapshot';
import type { AnswerFigures, ServiceLevel } from './service-level';

export interface MetricsSource {
  live(): LiveFigures;
  /** Service level from local midnight to now. */
  today(): Promise<ServiceLevel>;
}

interface Scrape {
  live: LiveFigures;
  today: ServiceLevel;
}

const DELIVERY_HELP = 'delivery="all" is every call; "ring"/"nailed" only calls offered to a seat of that kind';

export function createStatsMetrics(source: MetricsSource): Registry {
  const registry = new Registry();
  const registers = [registry];

  // Registry.metrics() calls every collect() in the same tick, so they all share one promise:
  // one database query and one queue snapshot per scrape, and figures consistent with each other.
  let pending: Promise<Scrape> | undefined;
  const scrape = (): Promise<Scrape> =>
    (pending ??= (async () => ({ live: source.live(), today: await source.today() }))().finally(() => {
      pending = undefined;
    }));

  const waiting: Gauge = new Gauge({
    name: 'cti110_calls_waiting',
    help: 'Calls waiting for a call-taker now',
    registers,
    collect: async () => waiting.set((await scrape()).live.waiting),
  });
  const longest: Gauge = new Gauge({
    name: 'cti110_longest_wait_seconds',
    help: 'How long the oldest waiting call has waited so far (0 when none waits)',
    registers,
    collect: async () => longest.set((await scrape()).live.longestWaitMs / 1000),
  });
  const seats: Gauge<'state'> = new Gauge({
    name: 'cti110_seats',
    help: 'Call-taker seats by state now',
    labelNames: ['state'],
    registers,
    collect: async () => {
      const live = (await scrape()).live;
      for (const state of SEAT_STATES) seats.set({ state }, live.seats[state]);
    },
  });

  const today = (name: string, help: string, pick: (f: AnswerFigures) => number | null): void => {
    const gauge: Gauge<'delivery'> = new Gauge({
      name,
      help: `${help}; ${DELIVERY_HELP}`,
      labelNames: ['delivery'],
      registers,
      collect: async () => {
        const level = (await scrape()).today;
        // reset(): a figure with nothing to compute from (null) is left out, not exported as NaN or 0.
        gauge.reset();
        for (const [delivery, figures] of [['all', level], ['ring', level.byDelivery.ring], ['nailed', level.byDelivery.nailed]] as const) {
          const value = pick(figures);
          if (value !== null) gauge.set({ delivery }, value);
        }
      },
    });
  };
  today('cti110_calls_answered_today', 'Calls that arrived since local midnight and were answered', (f) => f.answered);
  today('cti110_calls_abandoned_today', 'Calls that arrived since local midnight and hung up before an answer', (f) => f.abandoned);
  today(
    'cti110_answered_within_3s_ratio_today',
    'Share (0-1) of today\'s answered+abandoned calls answered within 3 s; abandoned calls count against it',
    (f) => (f.answeredWithin3sPct === null ? null : f.answeredWithin3sPct / 100),
  );
  today('cti110_answer_seconds_p90_today', 'Nearest-rank 90th percentile of today\'s answer times', (f) => (f.p90AnswerMs === null ? null : f.p90AnswerMs / 1000));

  // Process metrics (CPU, memory, GC, event loop lag: a blocked loop delays every call event).
  collectDefaultMetrics({ register: registry });
  return registry;
}
