import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Incidents } from '../../incidents/incidents';
import { ErrorBody, IncidentPage, IncidentWithTimeline, Int } from '../schemas';
import { CALL_HANDLERS, SUPERVISORS } from '../../auth/roles';
import { byIncident } from '../ownership';

const ListQuery = Type.Object(
  {
    limit: Int({ minimum: 1, maximum: 500, default: 50 }),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'the `next` cursor of the previous page' })),
  },
  { additionalProperties: false },
);
const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number, YYYYMMDD-NNNNNN' }) });

export function incidentRoutes(app: FastifyInstance, incidents: Incidents): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/incidents',
    { config: { access: SUPERVISORS }, schema: { summary: 'Incidents, newest first, paged', querystring: ListQuery, response: { 200: IncidentPage, 400: ErrorBody } } },
    async (req) => {
      const rows = await incidents.list(req.query.limit + 1, req.query.before === undefined ? undefined : Number(req.query.before));
      const page = rows.slice(0, req.query.limit);
      const next = rows.length > req.query.limit ? String((page[page.length - 1] as { id: number }).id) : null;
      return { items: page, next };
    },
  );

  app.get<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'One incident with its timeline', params: NumberParams, response: { 200: IncidentWithTimeline, 400: ErrorBody, 404: ErrorBody } } },
    async (req) => incidents.get(req.params.number),
  );
}
