import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Database } from '../../store/database';
import { transferStats } from '../../store/stats-repo';
import { ErrorBody, Ms } from '../schemas';
import { SUPERVISORS } from '../../auth/roles';
import { checkPeriod } from '../../stats/period';

const Query = Type.Object(
  { from: Type.Optional(Ms('ms, default: 30 days ago')), to: Type.Optional(Ms('ms, default: now')) },
  { additionalProperties: false },
);
const Row = Type.Object({ day: Type.String(), category: Type.Union([Type.String(), Type.Null()]), transferred: Type.Integer(), failed: Type.Integer() });

export function transferStatsRoutes(app: FastifyInstance, deps: { db: Database }): void {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/stats/transfers',
    { config: { access: SUPERVISORS }, schema: { summary: 'Calls handed to 12345 per day and category, and failed attempts', querystring: Query, response: { 200: Type.Array(Row), 400: ErrorBody } } },
    async (req) => {
      const to = req.query.to ?? Date.now();
      // Capped like the other stats routes (PeriodError is a 400): a long period loads every transfer in it.
      const period = checkPeriod({ from: req.query.from ?? to - 30 * 86400000, to });
      return transferStats(deps.db, period.from, period.to);
    },
  );
}
