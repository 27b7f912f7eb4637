// The browser seat's phone settings for the console (web/phone.js): only the call-taker signed in
// at that seat gets them, so the SIP password is never typed in, and a supervisor (who may open
// any seat's console) cannot take a seat's phone over by registering in its place.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { SeatPhones } from '../../queue/seat-phones';
import { ErrorBody } from '../schemas';

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'a seat id' }) });
const Phone = Type.Object({
  seat: Type.String(),
  wsUrl: Type.String({ description: 'SIP over WebSocket (Asterisk /ws), subprotocol "sip"' }),
  uri: Type.String({ description: "the seat's SIP address of record" }),
  user: Type.String(),
  password: Type.String(),
  delivery: Type.String({ description: 'ring or nailed' }),
  autoAnswer: Type.Boolean(),
});

export function seatPhoneRoutes(app: FastifyInstance, deps: { phones: SeatPhones }): void {
  app.get<{ Params: Static<typeof IdParams> }>(
    '/seats/:id/phone',
    {
      config: { access: ['call-taker'], owner: (req) => ({ seat: (req.params as { id: string }).id }) },
      schema: {
        summary: "The browser seat's WebRTC phone: WebSocket URL and SIP credentials, for the call-taker signed in at this seat only; 404 for a seat with a SIP phone",
        params: IdParams,
        response: { 200: Phone, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      // A password: never kept by a cache or the browser's history.
      void reply.header('cache-control', 'no-store');
      return deps.phones.phoneOf(req.params.id);
    },
  );
}
