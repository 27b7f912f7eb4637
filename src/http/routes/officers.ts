// Officers' roster and positions (as their terminals report them) and the nearest-officer query
// the call-taker's screen asks when a call turns out to be a police matter.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Grid } from '../../dispatch/grid';
import { manualLocation, type CallerLocation, type PoleRegister } from '../../dispatch/location';
import { DUTIES, type Officers } from '../../dispatch/officers';
import { rankOfficers } from '../../dispatch/ranking';
import { ErrorBody, Int, Num } from '../schemas';
import { HttpError } from '../errors';
import { CENTRE_STAFF, OFFICER_TERMINALS } from '../../auth/roles';
import { byOfficerParam } from '../ownership';

export interface OfficerRouteDeps {
  officers: Officers;
  grid: Grid;
  poles: PoleRegister;
}

const Lon = Num({ minimum: -180, maximum: 180, description: 'WGS84 longitude, degrees' });
const Lat = Num({ minimum: -90, maximum: 90, description: 'WGS84 latitude, degrees' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const DutySchema = Type.Union(DUTIES.map((d) => Type.Literal(d)), { description: DUTIES.join(', ') });

const PositionSchema = Type.Object({ lon: Type.Number(), lat: Type.Number(), accuracyM: Nullable(Type.Number()), at: Type.Integer({ description: 'ms since epoch, when received' }) });
const OfficerSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  unit: Type.String(),
  phone: Type.String({ description: 'PJSIP/<endpoint> or a mobile number reached over a trunk' }),
  duty: Type.String({ description: DUTIES.join(', ') }),
  position: Nullable(PositionSchema),
  positionFresh: Type.Boolean({ description: 'recent enough to dispatch on; a stale position counts as unknown' }),
});
const UnitSchema = Type.Object({ id: Type.String(), name: Type.String(), dutyLine: Type.String(), superior: Nullable(Type.String()) });
const RankingSchema = Type.Object({
  location: Type.Object({ lon: Type.Number(), lat: Type.Number(), source: Type.String({ description: 'manual or pole' }), accuracyM: Type.Optional(Type.Number()), pole: Type.Optional(Type.String()) }),
  cell: Nullable(Type.Object({ id: Type.String(), unit: Type.String() })),
  unit: Nullable(UnitSchema),
  escalation: Type.Array(UnitSchema, { description: "the location's unit, its superior, ...: who to ring when no officer answers" }),
  candidates: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      unit: Type.String(),
      phone: Type.String(),
      distanceM: Type.Integer({ description: 'great-circle distance, metres' }),
      sameCell: Type.Boolean({ description: "the officer is inside the location's own cell" }),
      cell: Nullable(Type.String()),
      accuracyM: Nullable(Type.Number()),
      positionAt: Type.Integer(),
    }),
  ),
  skipped: Type.Array(Type.Object({ id: Type.String(), reason: Type.String({ description: 'off_duty, busy, no_position or position_stale' }) })),
});

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,32}$', description: 'an officer id' }) });
const PositionBody = Type.Object({ lon: Lon, lat: Lat, accuracyM: Type.Optional(Num({ minimum: 0, maximum: 100000, description: 'metres' })) }, { additionalProperties: false });
const DutyBody = Type.Object({ duty: DutySchema }, { additionalProperties: false });
export const LocationFields = { lon: Type.Optional(Lon), lat: Type.Optional(Lat), pole: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'a street-light pole code, e.g. BJ-DC-0001' })) };

const NearestQuery = Type.Object(
  { lon: Type.Optional(Lon), lat: Type.Optional(Lat), pole: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'a street-light pole code, e.g. BJ-DC-0001' })), limit: Int({ minimum: 1, maximum: 100, default: 10 }) },
  { additionalProperties: false },
);

export function locationOf(q: { lon?: number; lat?: number; pole?: string }, poles: PoleRegister): CallerLocation {
  const coordinates = q.lon !== undefined || q.lat !== undefined;
  if (coordinates === (q.pole !== undefined) || (coordinates && (q.lon === undefined || q.lat === undefined))) {
    throw new HttpError(400, 'BAD_REQUEST', 'give either lon and lat, or pole');
  }
  return q.pole !== undefined ? poles.locate(q.pole) : manualLocation(q.lon, q.lat);
}

export function officerRoutes(app: FastifyInstance, deps: OfficerRouteDeps): void {
  app.get('/officers', { config: { access: CENTRE_STAFF }, schema: { summary: 'Every officer with duty state and last position', response: { 200: Type.Array(OfficerSchema) } } }, async () => deps.officers.all());

  // The map is drawn from the project's own grid (no tile server on a police network).
  app.get('/dispatch/cells', { config: { access: CENTRE_STAFF }, schema: { summary: 'Grid cells as GeoJSON, for the map' } }, async () => ({
    type: 'FeatureCollection',
    features: deps.grid.cells.map((c) => ({ type: 'Feature', properties: { id: c.id, unit: c.unit }, geometry: c.geometry })),
  }));

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof PositionBody> }>(
    '/officers/:id/position',
    // audit: false: a terminal's position ping every few seconds is not an act (the last one stands
    // in the officers table); it would be most of the audit chain.
    { config: { access: OFFICER_TERMINALS, owner: byOfficerParam, audit: false }, schema: { summary: "An officer's terminal reports where it is (its own officer only)", params: IdParams, body: PositionBody, response: { 200: OfficerSchema, 400: ErrorBody, 404: ErrorBody } } },
    async (req) => deps.officers.reportPosition(req.params.id, req.body),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof DutyBody> }>(
    '/officers/:id/duty',
    { config: { access: OFFICER_TERMINALS, owner: byOfficerParam }, schema: { summary: "Set an officer on duty, off duty or busy (an officer's terminal: its own officer only)", params: IdParams, body: DutyBody, response: { 200: OfficerSchema, 400: ErrorBody, 404: ErrorBody } } },
    async (req) => deps.officers.setDuty(req.params.id, req.body.duty),
  );

  app.get<{ Querystring: Static<typeof NearestQuery> }>(
    '/dispatch/nearest',
    {
      config: { access: CENTRE_STAFF },
      schema: {
        summary: 'On-duty officers with a fresh position, nearest first, for ?lon=&lat= or ?pole=CODE',
        querystring: NearestQuery,
        response: { 200: RankingSchema, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const location = locationOf(req.query, deps.poles);
      const ranking = rankOfficers(location, deps.grid, await deps.officers.all());
      return { ...ranking, location, candidates: ranking.candidates.slice(0, req.query.limit) };
    },
  );
}
