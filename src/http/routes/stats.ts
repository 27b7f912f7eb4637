// Queue statistics: live figures and service level over a period (JSON), and Prometheus metrics.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Metric, Registry } from 'prom-client';
import type { StatsRepo } from '../../store/stats-repo';
import { createStatsMetrics } from '../../stats/metrics';
import { resolvePeriod, startOfLocalDay, type Period } from '../../stats/period';
import { serviceLevel, type ServiceLevel } from '../../stats/service-level';
import { liveFigures, SEAT_STATES, type QueueSnapshot } from '../../stats/snapshot';
import { ErrorBody, Int } from '../schemas';
import { SUPERVISORS } from '../../auth/roles';
import { tokenOf } from '../auth-guard';
import { HttpError } from '../errors';
import { recentStatsRoute } from './stats-recent';

export interface StatsDeps {
  stats: StatsRepo;
  /** The queue as it is now. */
  now(): QueueSnapshot;
  /** Wall clock in ms; tests pin it. */
  clock?: () => number;
  /** Metrics kept by other areas (e.g. the service's time per call), exposed on /metrics too. */
  extraMetrics?: Metric[];
  /** Who scrapes /metrics: `token` (Prometheus' bearer; '' = none) or a signed-in supervisor; `open` when sign-in is off. */
  metrics: { token: string; open: boolean };
}

/** Compared in constant time: the token is a secret, and its length is not worth hiding. */
const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

// 8.64e15 ms is the last instant a JavaScript Date can hold.
const ms = (description = 'ms since epoch') => Int({ minimum: 0, maximum: 8.64e15, description });
const StatsQuery = Type.Object(
  {
    from: Type.Optional(ms('start of the period, inclusive (ms); default: local midnight of the day `to` falls in')),
    to: Type.Optional(ms('end of the period, exclusive (ms); default: now')),
  },
  { additionalProperties: false },
);

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const answerFigureFields = {
  offered: Type.Integer({ description: 'calls that arrived in the period' }),
  answered: Type.Integer(),
  abandoned: Type.Integer({ description: 'callers who hung up before being answered' }),
  answeredWithin3sPct: Nullable(Type.Number({ description: 'percent of answered+abandoned calls answered within 3 s; abandoned calls count against it' })),
  within15sPct: Nullable(Type.Number()),
  within20sPct: Nullable(Type.Number()),
  avgAnswerMs: Nullable(Type.Integer()),
  p50AnswerMs: Nullable(Type.Integer({ description: 'nearest-rank percentiles of answer times' })),
  p90AnswerMs: Nullable(Type.Integer()),
  p99AnswerMs: Nullable(Type.Integer()),
};
const AnswerFigures = Type.Object(answerFigureFields);
const QueueStats = Type.Object({
  now: Type.Object({
    at: ms(),
    waiting: Type.Integer({ description: 'calls waiting for a call-taker' }),
    longestWaitMs: Type.Integer({ description: 'wait so far of the oldest waiting call; 0 when none waits' }),
    seats: Type.Object(Object.fromEntries(SEAT_STATES.map((s) => [s, Type.Integer()]))),
  }),
  period: Type.Object({
    from: ms(),
    to: ms(),
    ...answerFigureFields,
    byDelivery: Type.Object({ ring: AnswerFigures, nailed: AnswerFigures }, { description: 'calls offered to a seat of that kind only' }),
  }),
});

/** Registers the routes; returns the app's own metrics registry, should more metrics join it. */
export function statsRoutes(app: FastifyInstance, deps: StatsDeps): Registry {
  const clock = deps.clock ?? Date.now;
  const levelOver = async (period: Period): Promise<ServiceLevel> => serviceLevel(await deps.stats.answerTimes(period.from, period.to));

  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/stats/queue',
    { config: { access: SUPERVISORS }, schema: { summary: 'Queue now, and service level over a period (default: today so far)', querystring: StatsQuery, response: { 200: QueueStats, 400: ErrorBody } } },
    async (req) => {
      const at = clock();
      const period = resolvePeriod(req.query, at);
      const now = liveFigures(deps.now(), at);
      return { now, period: { ...period, ...(await levelOver(period)) } };
    },
  );

  recentStatsRoute(app, { stats: deps.stats, now: deps.now, clock });

  const registry = createStatsMetrics({
    live: () => liveFigures(deps.now(), clock()),
    today: () => {
      const t = clock();
      return levelOver({ from: startOfLocalDay(t), to: t });
    },
  });
  for (const metric of deps.extraMetrics ?? []) registry.registerMetric(metric);
  // Not a session route: Prometheus has no sign-in, so the guard lets it through (access 'public')
  // and the metrics token, or a supervisor's session, is checked here. The figures name nobody,
  // but they say how busy the centre is and how many call-takers are on: not for the whole LAN.
  const scraper = async (req: FastifyRequest) => {
    if (deps.metrics.open || (req.user && SUPERVISORS.includes(req.user.role))) return;
    const bearer = tokenOf(req);
    if (deps.metrics.token && bearer && sameSecret(bearer, deps.metrics.token)) return;
    throw new HttpError(401, 'SIGN_IN_REQUIRED', 'Authorization: Bearer <metrics.token> (or a supervisor session) required');
  };
  app.get('/metrics', { config: { access: 'public' }, preHandler: scraper, schema: { summary: 'Prometheus metrics (text exposition format); Authorization: Bearer <metrics.token>' } }, async (_req, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  return registry;
}
