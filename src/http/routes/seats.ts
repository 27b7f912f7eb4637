import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { SeatService } from '../../queue/seat-service';
import type { Seats } from '../../queue/seats';
import type { SeatsRepo } from '../../store/seats-repo';
import { ErrorBody, Int } from '../schemas';
import { HttpError } from '../errors';
import { CENTRE_STAFF, CALL_HANDLERS, SUPERVISORS } from '../../auth/roles';

const SeatBody = Type.Object({
  id: Type.String(),
  endpoint: Type.String(),
  state: Type.String({ description: 'logged_out, ready, ringing, on_call, wrap_up or not_ready' }),
  reason: Type.Union([Type.String(), Type.Null()]),
  since: Type.Integer(),
  reachable: Type.Boolean({ description: 'the phone is registered and answers qualify' }),
  autoAnswer: Type.Boolean(),
});
const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'a seat id' }) });
const ActionParams = Type.Intersect([IdParams, Type.Object({ action: Type.Union([Type.Literal('login'), Type.Literal('logout'), Type.Literal('ready'), Type.Literal('not-ready')], { description: 'login, logout, ready or not-ready' }) })]);

/** The body is optional (a softphone button sends none), so it is checked here, not by schema. */
function reasonOf(body: unknown): string | null {
  if (body === undefined || body === null || body === '') return null;
  const reason = (body as { reason?: unknown }).reason;
  if (typeof body !== 'object' || Object.keys(body).some((k) => k !== 'reason') || (reason !== undefined && (typeof reason !== 'string' || reason.length < 1 || reason.length > 100))) {
    throw new HttpError(400, 'BAD_REQUEST', 'body must be {"reason": "<1-100 characters>"} or empty');
  }
  return (reason as string | undefined) ?? null;
}

const view = (s: Static<typeof SeatBody>) => ({ id: s.id, endpoint: s.endpoint, state: s.state, reason: s.reason, since: s.since, reachable: s.reachable, autoAnswer: s.autoAnswer });

/** What the seat routes need of the calls area: the incident a seat's call-taker is talking on. */
export interface SeatCalls {
  incidentAtSeat(seatId: string): string | undefined;
}

export function seatRoutes(app: FastifyInstance, deps: { seats: Seats; seatService: SeatService; repo: Pick<SeatsRepo, 'events'>; calls: SeatCalls }): void {
  app.get('/seats', { config: { access: CENTRE_STAFF }, schema: { summary: 'Every seat with its state', response: { 200: Type.Array(SeatBody) } } }, async () => deps.seats.all().map(view));

  app.get<{ Params: Static<typeof IdParams> }>('/seats/:id', { config: { access: CENTRE_STAFF }, schema: { params: IdParams, response: { 200: SeatBody, 404: ErrorBody } } }, async (req) => view(deps.seats.get(req.params.id)));

  // The console after a reload (or a second screen) finds the call in progress at its seat again.
  app.get<{ Params: Static<typeof IdParams> }>(
    '/seats/:id/call',
    {
      config: { access: CALL_HANDLERS, owner: (req) => ({ seat: (req.params as { id: string }).id }) },
      schema: { summary: "The incident whose call the seat's call-taker is talking on now; 204 when none", params: IdParams, response: { 200: Type.Object({ incident: Type.String() }), 204: Type.Null(), 404: ErrorBody } },
    },
    async (req, reply) => {
      deps.seats.get(req.params.id); // 404 for an unknown seat
      const incident = deps.calls.incidentAtSeat(req.params.id);
      return incident === undefined ? reply.status(204).send() : { incident };
    },
  );

  app.post<{ Params: Static<typeof ActionParams>; Body: unknown }>(
    '/seats/:id/:action',
    {
      config: { access: CALL_HANDLERS, owner: (req) => ({ seat: (req.params as { id: string }).id }) },
      schema: {
        summary: 'Log in, log out, ready, not ready; not-ready takes an optional body {"reason": "..."}. Log-in of a nailed seat calls its headset: 202, ready once answered',
        params: ActionParams,
        response: { 200: SeatBody, 202: SeatBody, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const action = req.params.action === 'not-ready' ? 'notready' : req.params.action;
      if (action === 'login') {
        reasonOf(req.body);
        const { seat, pending } = await deps.seatService.login(req.params.id);
        return reply.code(pending ? 202 : 200).send(view(seat));
      }
      return view(deps.seatService.act(req.params.id, action, reasonOf(req.body)));
    },
  );

  const EventsQuery = Type.Object({ limit: Int({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false });
  app.get<{ Querystring: Static<typeof EventsQuery> }>(
    '/seats/events',
    { config: { access: SUPERVISORS }, schema: { summary: 'Seat events for supervisors (no answer, unreachable, state changes), newest first', querystring: EventsQuery, response: { 200: Type.Array(Type.Object({ seatId: Type.String(), at: Type.Integer(), kind: Type.String(), detail: Type.Record(Type.String(), Type.Unknown()) })) } } },
    async (req) => deps.repo.events(req.query.limit),
  );
}
