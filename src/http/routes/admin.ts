// Telephony admins: the deployed dialplan, a check by Asterisk's own parser, and a reload that
// only happens when the check passes. Read and reload only: there is no route that edits a file.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { DialplanAdmin } from '../../admin/dialplan';
import { ADMINS } from '../../auth/roles';
import { ErrorBody } from '../schemas';

const Check = Type.Object({ ok: Type.Boolean(), problems: Type.Array(Type.String()), files: Type.Array(Type.Object({ name: Type.String(), contexts: Type.Integer() })) });

export function adminRoutes(app: FastifyInstance, deps: { dialplan: DialplanAdmin }): void {
  app.get('/admin/dialplan', { config: { access: ADMINS }, schema: { summary: 'The dialplan files as Asterisk has them deployed (parsed by Asterisk)', response: { 200: Type.Array(Type.Object({ name: Type.String(), text: Type.String(), contexts: Type.Array(Type.String()) })), 503: ErrorBody } } }, async () => deps.dialplan.list());

  app.post('/admin/dialplan/check', { config: { access: ADMINS }, schema: { summary: 'Check the deployed dialplan with Asterisk\'s own parser, without reloading', response: { 200: Check, 503: ErrorBody } } }, async () => deps.dialplan.check());

  app.post(
    '/admin/dialplan/reload',
    { config: { access: ADMINS }, schema: { summary: 'Check, then reload through AMI; 409 with the problems when the check fails', response: { 200: Type.Intersect([Check, Type.Object({ reloaded: Type.Boolean(), output: Type.String() })]), 409: Type.Intersect([Check, Type.Object({ reloaded: Type.Boolean(), output: Type.String() })]), 503: ErrorBody } } },
    async (req, reply) => {
      const result = await deps.dialplan.reload(req.user?.name ?? 'sign-in off');
      return reply.status(result.reloaded ? 200 : 409).send(result);
    },
  );
}
