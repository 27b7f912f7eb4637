// Daily spot-checks for supervisors: draw the day's sample, list it, score an item (once).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_NOTE_LENGTH, MAX_SAMPLE_SIZE, type SpotChecks } from '../../recording/spot-check';
import { HttpError } from '../errors';
import { ErrorBody, Int } from '../schemas';
import { SUPERVISORS } from '../../auth/roles';

export interface SpotCheckRouteDeps {
  spotChecks: SpotChecks;
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const ms = (description = 'ms since epoch') => Int({ minimum: 0, maximum: 8.64e15, description });
const points = (what: string) => Int({ minimum: 1, maximum: 5, description: `${what}, 1 (poor) to 5 (excellent)` });
// The pattern gives a clear 400 for a malformed day; the service refuses one that is not on the calendar.
const day = Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD, local time of the centre; default today' }));

const Item = Type.Object({
  id: Type.Integer(),
  day: Type.String(),
  incidentNumber: Type.String(),
  callerNumber: Type.String({ description: 'as received from the network' }),
  seatId: Nullable(Type.String({ description: 'the seat that answered' })),
  arrivedAt: ms(),
  answeredAt: ms(),
  endedAt: ms(),
  recordings: Type.Integer({ description: 'recorded pieces of the incident' }),
  drawnAt: ms(),
  score: Nullable(
    Type.Object({
      speed: Type.Integer(),
      attitude: Type.Integer(),
      correctness: Type.Integer(),
      note: Nullable(Type.String()),
      scorer: Type.String({ description: 'the signed-in supervisor; with sign-in off, X-User as sent' }),
      scoredAt: ms(),
    }),
  ),
});
const DaySample = Type.Object({
  day: Type.String(),
  drawnAt: Nullable(ms('when the sample was drawn; null: no sample yet')),
  items: Type.Array(Item),
});
const DrawQuery = Type.Object(
  { day, size: Type.Optional(Int({ minimum: 1, maximum: MAX_SAMPLE_SIZE, description: 'default: config spotCheck.sampleSize; ignored once the day has a sample' })) },
  { additionalProperties: false },
);
const DayQuery = Type.Object({ day }, { additionalProperties: false });
const IdParams = Type.Object({ id: Int({ minimum: 1, maximum: 2 ** 53 - 1, description: 'a spot-check item id' }) });
const ScoreBody = Type.Object(
  {
    speed: points('how fast the call-taker got to the point'),
    attitude: points('manner with the caller'),
    correctness: points('procedure and information taken'),
    note: Type.Optional(Nullable(Type.String({ maxLength: MAX_NOTE_LENGTH }))),
  },
  { additionalProperties: false },
);

// Sign-in comes with a later issue: until then the console names the supervisor in X-User. Anyone
// can set that header, so it records who says they scored, not who proved it. It is required
// because a score is final and supervisors must see whose it is.
// With sign-in on, the signed-in supervisor is the scorer and X-User is ignored.
function scorer(req: FastifyRequest): string {
  if (req.user) return req.user.name;
  const v = req.headers['x-user'];
  const name = (Array.isArray(v) ? v.join(', ') : (v ?? '')).trim().slice(0, 64);
  if (!name) throw new HttpError(400, 'SCORER_REQUIRED', 'header X-User (the supervisor scoring) is required');
  return name;
}

export function spotCheckRoutes(app: FastifyInstance, deps: SpotCheckRouteDeps): void {
  app.post<{ Querystring: Static<typeof DrawQuery> }>(
    '/spot-checks/draw',
    {
      config: { access: SUPERVISORS },
      schema: {
        summary: "Draw a day's random sample of handled calls (answered and ended); once per day: drawing again returns the same sample (200)",
        querystring: DrawQuery,
        response: { 200: DaySample, 201: DaySample, 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const { created, ...sample } = await deps.spotChecks.draw(req.query.day, req.query.size);
      return reply.status(created ? 201 : 200).send(sample);
    },
  );

  app.get<{ Querystring: Static<typeof DayQuery> }>(
    '/spot-checks',
    { config: { access: SUPERVISORS }, schema: { summary: "A day's sample with incident, times, recordings and scores", querystring: DayQuery, response: { 200: DaySample, 400: ErrorBody } } },
    async (req) => deps.spotChecks.list(req.query.day),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof ScoreBody> }>(
    '/spot-checks/:id/score',
    {
      config: { access: SUPERVISORS },
      schema: {
        summary: 'Score one item: speed, attitude, correctness (1–5) and a note; final (409 when scored already). Scorer: header X-User',
        params: IdParams,
        body: ScoreBody,
        response: { 200: Item, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => deps.spotChecks.score(req.params.id, scorer(req), req.body),
  );
}
