// GET /stats/recent: the wallboard's last hour, minute by minute, and the seats Erlang C asks
// for now beside the seats taking calls (stats/recent.ts has the figures, stats/erlang.ts the model).
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import type { StatsRepo } from '../../store/stats-repo';
import { HISTORY_MS, LOOKBACK_MS, recent, type Recent } from '../../stats/recent';
import { liveFigures, type QueueSnapshot } from '../../stats/snapshot';
import { SUPERVISORS } from '../../auth/roles';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const RecentStats = Type.Object({
  at: Type.Integer(),
  history: Type.Array(
    Type.Object({
      at: Type.Integer({ description: 'start of the minute (ms)' }),
      waiting: Type.Integer({ description: 'most calls waiting at once during the minute' }),
      answered: Type.Integer(),
      maxAnswerMs: Nullable(Type.Integer({ description: 'slowest answer of the minute' })),
      avgAnswerMs: Nullable(Type.Integer()),
    }),
    { description: 'the last 60 minutes, oldest first; the last one is the current minute so far' },
  ),
  staffing: Type.Object({
    windowMs: Type.Integer(),
    arrivals: Type.Integer(),
    arrivalsPerMin: Type.Number(),
    handleMs: Nullable(Type.Integer({ description: 'average answer-to-end time of the calls answered in the window' })),
    abandonedPct: Nullable(Type.Number()),
    targetMs: Type.Integer(),
    goalPct: Type.Number({ description: 'share of calls the seats are counted to answer within targetMs' }),
    traffic: Nullable(Type.Number({ description: 'erlangs' })),
    needed: Nullable(Type.Integer({ description: 'seats Erlang C asks for now; null while no call of the window has ended' })),
    staffed: Type.Integer({ description: 'seats ready, ringing or on a call' }),
    ready: Type.Integer(),
    shortfall: Type.Integer(),
  }),
});

/**
 * How long one reading serves every wallboard: each reads the hour's calls (in a surge, a
 * hundred thousand rows), and each re-reads when calls are answered; a second's delay shows nowhere.
 */
export const RECENT_CACHE_MS = 1000;

export function recentStatsRoute(app: FastifyInstance, deps: { stats: StatsRepo; now(): QueueSnapshot; clock: () => number }): void {
  let last: { at: number; value: Promise<Recent> } | null = null;
  const read = (at: number): Promise<Recent> => deps.stats.recentCalls(at - HISTORY_MS - LOOKBACK_MS, at + 1).then((calls) => recent(calls, liveFigures(deps.now(), at), at));
  app.get(
    '/stats/recent',
    { config: { access: SUPERVISORS }, schema: { summary: 'The last hour minute by minute (calls waiting, answer times), and the seats needed now for the 3 s target (Erlang C)', response: { 200: RecentStats } } },
    async (): Promise<Recent> => {
      const at = deps.clock();
      if (!last || at - last.at >= RECENT_CACHE_MS || at < last.at) {
        const value = read(at);
        // A failed reading is not kept: the next request tries again.
        value.catch(() => {
          if (last?.value === value) last = null;
        });
        last = { at, value };
      }
      return last.value;
    },
  );
}
