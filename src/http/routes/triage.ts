import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { TransferService } from '../../transfer/service';
import { ErrorBody, Incident } from '../schemas';
import { CENTRE_STAFF, CALL_HANDLERS } from '../../auth/roles';
import { byIncident } from '../ownership';

const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number' }) });
const ClassifyBody = Type.Object(
  {
    police: Type.Boolean({ description: 'a police matter?' }),
    category: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'a configured category (transfer.categories)' })),
    summary: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export function triageRoutes(app: FastifyInstance, deps: { transfers: TransferService; categories: Record<string, '12345' | 'police'> }): void {
  // The console's category list comes from the service's own configuration, never a copy in the page.
  app.get('/triage/categories', { config: { access: CENTRE_STAFF }, schema: { summary: 'Triage categories and where each goes (12345 or police)', response: { 200: Type.Record(Type.String(), Type.String()) } } }, async () => deps.categories);

  app.post<{ Params: Static<typeof NumberParams>; Body: Static<typeof ClassifyBody> }>(
    '/incidents/:number/classify',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'The call-taker classifies the incident: police matter or not, category, summary', params: NumberParams, body: ClassifyBody, response: { 200: Incident, 400: ErrorBody, 404: ErrorBody } } },
    async (req) => deps.transfers.classify(req.params.number, req.body),
  );

  app.post<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/transfer',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'Hot transfer to 12345: the trunk is rung into the call; the call-taker leaves once 12345 has the caller', params: NumberParams, response: { 202: Type.Object({ incident: Type.String() }), 404: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => {
      await deps.transfers.transfer(req.params.number);
      return reply.status(202).send({ incident: req.params.number });
    },
  );
}
