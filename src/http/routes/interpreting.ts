import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { InterpretingService } from '../../interpreting/service';
import { ErrorBody } from '../schemas';
import { CALL_HANDLERS, CENTRE_STAFF } from '../../auth/roles';
import { byIncident } from '../ownership';

const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number' }) });
const InterpreterBody = Type.Object(
  { language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$', description: 'a language tag offered by GET /interpreting/languages, e.g. en' }) },
  { additionalProperties: false },
);
const Started = Type.Object({ language: Type.String(), lines: Type.Integer({ description: 'how many interpreter lines will be tried, in order' }) });

export function interpretingRoutes(app: FastifyInstance, deps: { interpreting: InterpretingService }): void {
  // The console's picker comes from the service's configuration, never a copy in the page.
  app.get('/interpreting/languages', { config: { access: CENTRE_STAFF }, schema: { summary: 'Languages an interpreter can be rung for (外语接警)', response: { 200: Type.Array(Type.String()) } } }, async () => deps.interpreting.offered());

  app.post<{ Params: Static<typeof NumberParams>; Body: Static<typeof InterpreterBody> }>(
    '/incidents/:number/interpreter',
    {
      config: { access: CALL_HANDLERS, owner: byIncident },
      schema: {
        summary: "Ring an interpreter of the language into the call (caller, call-taker, interpreter), trying the language's lines in order",
        params: NumberParams,
        body: InterpreterBody,
        response: { 202: Started, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => reply.status(202).send(await deps.interpreting.call(req.params.number, req.body.language)),
  );

  app.delete<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/interpreter',
    { config: { access: CALL_HANDLERS, owner: byIncident }, schema: { summary: 'Dismiss the interpreter (or stop ringing one): caller and call-taker talk on', params: NumberParams, response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => {
      await deps.interpreting.dismiss(req.params.number);
      return reply.status(204).send();
    },
  );
}
