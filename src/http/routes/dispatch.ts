import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { CallService } from '../../calls/call-service';
import type { PoleRegister } from '../../dispatch/location';
import type { DispatchService } from '../../dispatch/service';
import { ErrorBody } from '../schemas';
import { LocationFields, locationOf } from './officers';
import { CALL_HANDLERS } from '../../auth/roles';
import { byIncident } from '../ownership';

const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number' }) });
const DispatchBody = Type.Object(LocationFields, { additionalProperties: false, description: 'where the incident is: lon and lat, or a street-light pole code; nothing: where the call said the caller is (INVITE location or lookup)' });
const Started = Type.Object({
  cell: Type.Union([Type.String(), Type.Null()]),
  targets: Type.Array(Type.Object({ kind: Type.String(), id: Type.String() }), { description: 'who is rung, in order: the nearest officer, then the duty lines up the unit chain' }),
});

export interface DispatchRouteDeps {
  poles: PoleRegister;
  dispatch: DispatchService;
  calls: CallService;
}

export function dispatchRoutes(app: FastifyInstance, deps: DispatchRouteDeps): void {
  app.post<{ Params: Static<typeof NumberParams>; Body: Static<typeof DispatchBody> }>(
    '/incidents/:number/dispatch',
    {
      config: { access: CALL_HANDLERS, owner: byIncident },
      schema: {
        summary: 'Flat dispatch: ring the nearest officer into the call (caller, call-taker, officer), escalating to the unit and its superiors',
        params: NumberParams,
        body: DispatchBody,
        response: { 202: Started, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
      // No body at all means the same as {}: use the location the call brought.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const given = Object.keys(req.body).length > 0 ? locationOf(req.body, deps.poles) : undefined;
      const { ranking, targets } = await deps.dispatch.dispatch(req.params.number, given);
      return reply.status(202).send({ cell: ranking.cell?.id ?? null, targets: targets.map((t) => ({ kind: t.kind, id: t.id })) });
    },
  );

  app.post<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/taker/leave',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'The call-taker leaves caller and officer talking', params: NumberParams, response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => {
      await deps.calls.takerLeave(req.params.number);
      return reply.status(204).send();
    },
  );
}
