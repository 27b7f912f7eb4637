// HTTP of the follow-up area: statistics for supervisors, one follow-up, and the unit's answer to
// an unsatisfied one (an officer's terminal of that unit, or a supervisor passing it on).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ErrorBody, Int, Ms } from '../http/schemas';
import { HttpError } from '../http/errors';
import { OFFICER_TERMINALS, SUPERVISORS } from '../auth/roles';
import { resolvePeriod } from '../stats/period';
import type { FollowUpsRepo } from '../store/followups-repo';
import type { FollowUpService } from './service';
import { followUpStats } from './stats';

export interface FollowUpRouteDeps {
  followUps: FollowUpService;
  repo: FollowUpsRepo;
  /** The unit of an officer (an officer's terminal verifies for its own unit only). */
  officerUnit(officerId: string): Promise<string>;
  clock?: () => number;
}

export const MAX_ANSWER_LENGTH = 2000;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Score = Nullable(Type.Integer({ description: '1 (poor) to 5 (excellent); null: no answer' }));
const FollowUp = Type.Object({
  id: Type.Integer(),
  incident: Type.String(),
  channel: Type.String({ description: 'voice (sms: later)' }),
  reason: Type.String({ description: 'major: every major-category incident; share: the configured sample' }),
  state: Type.String({ description: 'scheduled | calling | answered | not_reached' }),
  seatId: Nullable(Type.String()),
  unitId: Nullable(Type.String()),
  scheduledAt: Ms(),
  dueAt: Ms('next attempt not before this'),
  attempts: Type.Integer(),
  lastResult: Nullable(Type.String()),
  finishedAt: Nullable(Ms()),
  speed: Score,
  attitude: Score,
  efficiency: Score,
  verification: Nullable(Type.String()),
  verifiedBy: Nullable(Type.String()),
  verifiedAt: Nullable(Ms()),
});
const Figures = Type.Object({
  key: Type.String({ description: "seat, unit or YYYY-MM-DD; '-' for none" }),
  asked: Type.Integer({ description: 'follow-ups finished in the period' }),
  answered: Type.Integer(),
  notReached: Type.Integer(),
  unsatisfied: Type.Integer({ description: 'answered with a score of 2 or less' }),
  meanSpeed: Nullable(Type.Number()),
  meanAttitude: Nullable(Type.Number()),
  meanEfficiency: Nullable(Type.Number()),
});
const Stats = Type.Object({ from: Ms(), to: Ms(), total: Figures, bySeat: Type.Array(Figures), byUnit: Type.Array(Figures), byDay: Type.Array(Figures) });
const StatsQuery = Type.Object(
  {
    from: Type.Optional(Ms('start of the period, inclusive (ms); default: local midnight of the day `to` falls in')),
    to: Type.Optional(Ms('end of the period, exclusive (ms); default: now')),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Int({ minimum: 1, maximum: 2 ** 53 - 1, description: 'a follow-up id' }) });
const VerificationBody = Type.Object(
  { answer: Type.String({ minLength: 1, maxLength: MAX_ANSWER_LENGTH, description: "the unit's finding, as it should stand on the incident" }) },
  { additionalProperties: false },
);

/** Who answers: the signed-in user; with sign-in off, X-User as sent (or 'unsigned'). */
function answeredBy(req: FastifyRequest): string {
  if (req.user) return req.user.name;
  const v = req.headers['x-user'];
  return (Array.isArray(v) ? v.join(', ') : (v ?? '')).trim().slice(0, 64) || 'unsigned';
}

export function followUpRoutes(app: FastifyInstance, deps: FollowUpRouteDeps): void {
  /** The follow-up; an officer's terminal sees and answers only those of its own unit. */
  const ofCaller = async (req: FastifyRequest, id: number) => {
    const row = await deps.followUps.get(id);
    if (req.user?.role === 'officer') {
      const unit = await deps.officerUnit(req.user.officer ?? '');
      if (row.unitId !== unit) throw new HttpError(403, 'NOT_YOURS', `follow-up ${row.id} is for unit ${row.unitId ?? '(none)'}, not ${unit}`);
    }
    return row;
  };

  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/stats/follow-up',
    {
      config: { access: SUPERVISORS },
      schema: { summary: 'Follow-ups finished in [from, to): counts and mean scores per call-taker seat, per unit and per day', querystring: StatsQuery, response: { 200: Stats, 400: ErrorBody } },
    },
    async (req) => {
      const period = resolvePeriod(req.query, (deps.clock ?? Date.now)());
      return followUpStats(await deps.repo.finishedBetween(period.from, period.to), period);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/follow-ups/:id',
    { config: { access: OFFICER_TERMINALS }, schema: { summary: "One follow-up: state, attempts, scores, verification (an officer's terminal: its own unit's only)", params: IdParams, response: { 200: FollowUp, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody } } },
    async (req) => ofCaller(req, req.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof VerificationBody> }>(
    '/follow-ups/:id/verification',
    {
      config: { access: OFFICER_TERMINALS },
      schema: {
        summary: "The unit's answer to an unsatisfied follow-up (a score of 2 or less), once; on the incident's timeline. An officer's terminal answers for its own unit only",
        params: IdParams,
        body: VerificationBody,
        response: { 200: FollowUp, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      await ofCaller(req, req.params.id);
      return deps.followUps.verify(req.params.id, { answer: req.body.answer, by: answeredBy(req) });
    },
  );
}
