// Response and request schemas, declared once: validation, serialisation and OpenAPI.
import { Type } from '@sinclair/typebox';

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
