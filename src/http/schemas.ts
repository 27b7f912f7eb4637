// Response and request schemas, declared once: validation, serialisation and OpenAPI.
import { Type, type NumberOptions } from '@sinclair/typebox';

/**
 * Every number a request carries (query, path, body) goes through these two, bounds required.
 * Why: with `coerceTypes`, Ajv turns the strings "Infinity" and "1e400" (or 400 digits) into
 * Infinity and then skips minimum/maximum for a non-finite number, so `?limit=Infinity` used to
 * reach SQL and come back a 500. The `allOf` checks the coerced value again, where a non-finite
 * number is refused as not a number (400).
 */
type Bounds = NumberOptions & { minimum: number; maximum: number };
export const Int = (opts: Bounds) => Type.Integer({ ...opts, allOf: [{ type: 'integer' }] });
export const Num = (opts: Bounds) => Type.Number({ ...opts, allOf: [{ type: 'number' }] });
/** ms since the epoch, within what a Date can hold. */
export const Ms = (description = 'ms since epoch') => Int({ minimum: 0, maximum: 8.64e15, description });

export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() });

export const Incident = Type.Object({
  number: Type.String({ description: 'YYYYMMDD-NNNNNN, unique' }),
  callerNumber: Type.String({ description: 'as received from the network, possibly empty' }),
  callerName: Type.String(),
  callerRaw: Type.String({ description: 'the SIP From header exactly as received, whole' }),
  trunk: Type.String(),
  channelId: Type.String(),
  state: Type.String(),
  arrivedAt: Type.Integer({ description: 'ms since epoch' }),
  endedAt: Type.Union([Type.Integer(), Type.Null()]),
  priority: Type.Integer({ description: 'queue priority class, lower first' }),
  offeredAt: Type.Union([Type.Integer(), Type.Null()], { description: 'first offered to a seat (ms)' }),
  answeredAt: Type.Union([Type.Integer(), Type.Null()], { description: 'a call-taker had the caller (ms)' }),
  abandonedAt: Type.Union([Type.Integer(), Type.Null()], { description: 'the caller hung up before an answer (ms)' }),
  seatId: Type.Union([Type.String(), Type.Null()], { description: 'the seat that answered' }),
  delivery: Type.Union([Type.String(), Type.Null()], { description: 'ring, nailed or overflow' }),
  police: Type.Union([Type.Integer(), Type.Null()], { description: '1 police matter, 0 not, null not classified yet' }),
  category: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Union([Type.String(), Type.Null()]),
  caseRef: Type.Union([Type.String(), Type.Null()], { description: "the 12345 case a handed-back call refers to" }),
});

export const TimelineEntry = Type.Object({
  at: Type.Integer(),
  kind: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export const IncidentWithTimeline = Type.Intersect([Incident, Type.Object({ timeline: Type.Array(TimelineEntry) })]);

export const IncidentPage = Type.Object({
  items: Type.Array(Incident),
  next: Type.Union([Type.String(), Type.Null()], { description: 'cursor for the next (older) page, or null' }),
});

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  /** This app answers only on the active service; the standby has its own (src/cluster/standby-app.ts). */
  role: Type.Literal('active'),
  /** held: the PostgreSQL lease of an active/standby pair; none: SQLite, one node, always active. */
  lease: Type.Union([Type.Literal('held'), Type.Literal('none')]),
  ari: Type.Object({ up: Type.Boolean(), since: Type.Optional(Type.Integer()), attempts: Type.Integer() }),
  ami: Type.Object({ up: Type.Boolean() }),
  database: Type.Object({
    up: Type.Boolean(),
    /** Incident writes acknowledged but not in the store yet (write-behind). */
    writeQueue: Type.Optional(Type.Integer()),
    failingSince: Type.Optional(Type.Integer()),
    error: Type.Optional(Type.String()),
  }),
  activeCalls: Type.Integer(),
});
