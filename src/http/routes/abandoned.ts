import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Incidents } from '../../incidents/incidents';
import type { CallbackService } from '../../queue/callback-service';
import { ErrorBody, Int } from '../schemas';
import { CENTRE_STAFF, CALL_HANDLERS } from '../../auth/roles';

const Abandoned = Type.Object({
  number: Type.String({ description: 'the incident number' }),
  callerNumber: Type.String(),
  arrivedAt: Type.Integer(),
  at: Type.Integer({ description: 'when the caller hung up (ms)' }),
  waitMs: Type.Integer(),
  position: Type.Integer({ description: 'place in the queue when they hung up, 1 = head' }),
  callbackAt: Type.Union([Type.Integer(), Type.Null()], { description: 'first callback attempt, null = none yet' }),
  callbackSeat: Type.Union([Type.String(), Type.Null()]),
  callbackResult: Type.Union([Type.String(), Type.Null()]),
});
const ListQuery = Type.Object(
  { limit: Int({ minimum: 1, maximum: 500, default: 100 }), pending: Type.Boolean({ default: false, description: 'only those not yet called back' }) },
  { additionalProperties: false },
);
const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number' }) });
const CallbackBody = Type.Object({ seat: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'the seat that calls back' }) }, { additionalProperties: false });

export function abandonedRoutes(app: FastifyInstance, deps: { incidents: Incidents; callbacks: CallbackService }): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/abandoned',
    { config: { access: CENTRE_STAFF }, schema: { summary: 'Callers who hung up before being answered, newest first', querystring: ListQuery, response: { 200: Type.Array(Abandoned) } } },
    async (req) => deps.incidents.listAbandoned(req.query.limit, req.query.pending),
  );

  app.post<{ Params: Static<typeof NumberParams>; Body: Static<typeof CallbackBody> }>(
    '/abandoned/:number/callback',
    {
      config: { access: CALL_HANDLERS, owner: (req) => ({ seat: (req.body as { seat: string }).seat }) },
      schema: {
        summary: "Call an abandoned caller back: the seat's phone rings first, then the caller, in one bridge",
        params: NumberParams,
        body: CallbackBody,
        response: { 202: Type.Object({ incident: Type.String(), seat: Type.String() }), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => reply.status(202).send(await deps.callbacks.start(req.params.number, req.body.seat)),
  );
}
