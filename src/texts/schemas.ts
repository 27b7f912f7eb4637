// The text conversation as REST shows it: declared once, for validation, OpenAPI and the console's
// type check (src/http/page-types.ts), so no Fastify type is needed here.
import { Type } from '@sinclair/typebox';

const Message = Type.Object({
  id: Type.Integer(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  body: Type.String(),
  sha256: Type.String(),
  at: Type.Integer({ description: 'in: received; out: written (ms)' }),
  sentAt: Type.Union([Type.Integer(), Type.Null()], { description: "in: the gateway's timestamp" }),
  author: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('received'), Type.Literal('queued'), Type.Literal('sent')], { description: 'out: queued until the gateway took it, then sent' }),
  deliveredAt: Type.Union([Type.Integer(), Type.Null()]),
  attempts: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});
export const ConversationBody = Type.Object({
  incident: Type.String(),
  number: Type.String({ description: "the sender's number" }),
  state: Type.String({ description: 'waiting, with_seat, released or closed' }),
  seatId: Type.Union([Type.String(), Type.Null()]),
  openedAt: Type.Integer(),
  closedAt: Type.Union([Type.Integer(), Type.Null()]),
  messages: Type.Array(Message),
});
