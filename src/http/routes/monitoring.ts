// Live monitoring (supervisor listens, whispers or barges from their own phone) and instant recall
// (the call-taker re-hears the last seconds of the call).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { MonitoringService } from '../../monitoring/monitoring-service';
import type { InstantRecall } from '../../monitoring/recall';
import { MONITOR_MODES } from '../../monitoring/modes';
import { ErrorBody, Int } from '../schemas';
import { HttpError } from '../errors';
import { CALL_HANDLERS, SUPERVISORS } from '../../auth/roles';
import { byIncident } from '../ownership';

const Mode = Type.Union(
  MONITOR_MODES.map((m) => Type.Literal(m)),
  { description: 'listen: hear caller and call-taker, unheard; whisper: talk to the call-taker only; barge: join the call' },
);
const StartBody = Type.Object(
  {
    incident: Type.Optional(Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'the incident whose call to monitor' })),
    seat: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: "or the seat whose call to monitor" })),
    mode: Mode,
    supervisor: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: "the supervisor (monitoring.supervisors) whose phone is rung" }),
  },
  { additionalProperties: false },
);
const ModeBody = Type.Object({ mode: Mode }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'a monitoring session id' }) });
const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number' }) });
// A query string, not a body: a recall is one click (or one key), usually with nothing to add.
const RecallQuery = Type.Object({ seconds: Type.Optional(Int({ minimum: 1, maximum: 600, description: 'how far back (default and upper bound: monitoring.recallSeconds)' })) }, { additionalProperties: false });
const Session = Type.Object({
  id: Type.String(),
  incident: Type.String(),
  seat: Type.Union([Type.String(), Type.Null()]),
  supervisor: Type.String(),
  mode: Type.String(),
  state: Type.String({ description: 'ringing (the supervisor phone rings), connected, ended' }),
  requestedAt: Type.Integer(),
});
const Recall = Type.Object({ incident: Type.String(), seconds: Type.Integer(), heardMs: Type.Integer({ description: 'how much is replayed (less when the call is younger)' }) });

export function monitoringRoutes(app: FastifyInstance, deps: { monitoring: MonitoringService; recall: InstantRecall }): void {
  app.post<{ Body: Static<typeof StartBody> }>(
    '/monitoring',
    { config: { access: SUPERVISORS }, schema: { summary: "Ring a supervisor's phone and connect it to a live call (by incident or seat)", body: StartBody, response: { 201: Session, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => {
      const { incident, seat, mode, supervisor } = req.body;
      if ((incident === undefined) === (seat === undefined)) throw new HttpError(400, 'BAD_REQUEST', 'name either an incident or a seat');
      // Signed in: who that is; sign-in off (a lab bench): the X-User header, as in the audit logs.
      const by = req.user?.name ?? (typeof req.headers['x-user'] === 'string' ? req.headers['x-user'].slice(0, 64) : null);
      return reply.status(201).send(await deps.monitoring.start({ incident, seat }, mode, supervisor, by));
    },
  );

  app.get(
    '/monitoring/supervisors',
    { config: { access: SUPERVISORS }, schema: { summary: "The supervisors' own phones (monitoring.supervisors), read-only: whose phone a monitoring may ring", response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), endpoint: Type.String() })) }) } } },
    async () => ({ items: deps.monitoring.supervisors() }),
  );

  app.get('/monitoring', { config: { access: SUPERVISORS }, schema: { summary: 'Monitoring sessions in progress', response: { 200: Type.Object({ items: Type.Array(Session) }) } } }, async () => ({ items: deps.monitoring.list() }));

  app.get<{ Params: Static<typeof IdParams> }>(
    '/monitoring/:id',
    { config: { access: SUPERVISORS }, schema: { summary: 'One monitoring session', params: IdParams, response: { 200: Session, 404: ErrorBody } } },
    async (req) => deps.monitoring.get(req.params.id),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof ModeBody> }>(
    '/monitoring/:id/mode',
    { config: { access: SUPERVISORS }, schema: { summary: 'Switch mode (answers once the new mode is in place)', params: IdParams, body: ModeBody, response: { 200: Session, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (req) => deps.monitoring.setMode(req.params.id, req.body.mode),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/monitoring/:id',
    { config: { access: SUPERVISORS }, schema: { summary: "Stop monitoring: the supervisor's phone is hung up", params: IdParams, response: { 204: Type.Null(), 404: ErrorBody } } },
    async (req, reply) => {
      await deps.monitoring.stop(req.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Static<typeof NumberParams>; Querystring: Static<typeof RecallQuery> }>(
    '/incidents/:number/recall',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'Instant recall: replay the last seconds of the call to its call-taker only (the recording of record goes on); one at a time per call, 3 s apart (429 with Retry-After)', params: NumberParams, querystring: RecallQuery, response: { 202: Recall, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody } } },
    async (req, reply) => reply.status(202).send(await deps.recall.recall(req.params.number, req.query.seconds)),
  );
}
