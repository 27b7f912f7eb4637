import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Database } from '../../store/database';
import { transferStats } from '../../store/stats-repo';
import { ErrorBody } from '../schemas';
import { HttpError } from '../errors';
import { SUPERVISORS } from '../../auth/roles';

const Query = Type.Object(
  { from: Type.Optional(Type.Integer({ minimum: 0, description: 'ms, default: 30 days ago' })), to: Type.Optional(Type.Integer({ minimum: 0, description: 'ms, default: now' })) },
  { additionalProperties: false },
);
const Row = Type.Object({ day: Type.String(), category: Type.Union([Type.String(), Type.Null()]), transferred: Type.Integer(), failed: Type.Integer() });

export function transferStatsRoutes(app: FastifyInstance, deps: { db: Database }): void {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/stats/transfers',
    { config: { access: SUPERVISORS }, schema: { summary: 'Calls handed to 12345 per day and category, and failed attempts', querystring: Query, response: { 200: Type.Array(Row), 400: ErrorBody } } },
    async (req) => {
      const to = req.query.to ?? Date.now();
      const from = req.query.from ?? to - 30 * 86400000;
      if (from >= to) throw new HttpError(400, 'BAD_PERIOD', `from (${from}) must be before to (${to})`);
      return transferStats(deps.db, from, to);
    },
  );
}
