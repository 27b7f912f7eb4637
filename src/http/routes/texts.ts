// Text reports (12110): the gateway's webhook (signed, no sign-in), and the call-taker's
// conversation: read it, reply, quick replies, ask for the location, let go, close, call back.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { TextInbox } from '../../texts/text-inbox';
import type { TextDesk } from '../../texts/text-desk';
import { SIGNATURE_HEADER } from '../../texts/signature';
import { ConversationBody } from '../../texts/schemas';
import { ErrorBody } from '../schemas';
import { CALL_HANDLERS, CENTRE_STAFF } from '../../auth/roles';
import { byIncident } from '../ownership';
import { actorOf } from '../../audit/http-audit';

const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number' }) });
const SeatParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'a seat id' }) });
const ReplyBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 1000, description: 'the text to send, 1-1000 characters' }) }, { additionalProperties: false });
const CallBackBody = Type.Object({ seat: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'the seat that calls back' }) }, { additionalProperties: false });
const Sent = Type.Object({ key: Type.String({ description: "the outbox's idempotency key (the gateway's message id)" }) });
const Received = Type.Object({ status: Type.String({ description: 'created, joined, duplicate or consumed' }), incident: Type.Optional(Type.String()) });

export function textRoutes(app: FastifyInstance, deps: { inbox: TextInbox; desk: TextDesk; quickReplies: readonly string[] }): void {
  // The signature is over the raw bytes: this route (alone, in its own scope) keeps the body as text.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    scope.post<{ Body: string }>(
      '/texts/inbound',
      {
        // Public: the gateway is no user. It proves itself by the HMAC of the body (docs/sms-gateway.md).
        config: { access: 'public' },
        schema: { summary: "The SMS gateway's webhook for inbound texts (12110), signed with X-Gateway-Signature", response: { 200: Received, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 415: ErrorBody } },
      },
      async (req) => deps.inbox.receive(typeof req.body === 'string' ? req.body : '', req.headers[SIGNATURE_HEADER]),
    );
  });

  app.get('/texts/quick-replies', { config: { access: CENTRE_STAFF }, schema: { summary: "The console's one-click replies (texts.quickReplies)", response: { 200: Type.Array(Type.String()) } } }, async () => deps.quickReplies);

  app.get<{ Params: Static<typeof SeatParams> }>(
    '/seats/:id/text',
    { config: { access: CALL_HANDLERS, owner: (req) => ({ seat: (req.params as { id: string }).id }) }, schema: { summary: 'The incident whose text conversation the seat holds; 204 when none', params: SeatParams, response: { 200: Type.Object({ incident: Type.String() }), 204: Type.Null() } } },
    async (req, reply) => {
      const incident = deps.desk.atSeat(req.params.id);
      return incident === undefined ? reply.status(204).send() : { incident };
    },
  );

  app.get<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/texts',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: "The incident's text conversation, every message in and out", params: NumberParams, response: { 200: ConversationBody, 404: ErrorBody } } },
    async (req) => deps.desk.view(req.params.number),
  );

  app.post<{ Params: Static<typeof NumberParams>; Body: Static<typeof ReplyBody> }>(
    '/incidents/:number/texts',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'Text the sender (through the gateway, durably): 202, queued until the gateway takes it', params: NumberParams, body: ReplyBody, response: { 202: Sent, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => reply.status(202).send(await deps.desk.reply(req.params.number, req.body.text, actorOf(req))),
  );

  app.post<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/texts/location-request',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'Text the sender asking for their location (texts.locationRequest)', params: NumberParams, response: { 202: Sent, 404: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => reply.status(202).send(await deps.desk.requestLocation(req.params.number, actorOf(req))),
  );

  for (const [action, summary] of [
    ['release', 'The call-taker lets the conversation go for now: the seat is free; a new text from the sender queues it again'],
    ['close', 'The conversation is over: a new text from the number opens a new incident'],
  ] as const) {
    app.post<{ Params: Static<typeof NumberParams> }>(
      `/incidents/:number/texts/${action}`,
      { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary, params: NumberParams, response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody } } },
      async (req, reply) => {
        await (action === 'release' ? deps.desk.release(req.params.number) : deps.desk.close(req.params.number));
        return reply.status(204).send();
      },
    );
  }

  app.post<{ Params: Static<typeof NumberParams>; Body: Static<typeof CallBackBody> }>(
    '/incidents/:number/texts/call-back',
    {
      config: { access: CALL_HANDLERS, owner: (req) => ({ seat: (req.body as { seat: string }).seat }) },
      schema: { summary: "Escalate to a voice call from the same incident: the seat's phone rings, then the sender's", params: NumberParams, body: CallBackBody, response: { 202: Type.Object({ incident: Type.String(), seat: Type.String() }), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
    },
    async (req, reply) => reply.status(202).send(await deps.desk.callBack(req.params.number, req.body.seat)),
  );
}
