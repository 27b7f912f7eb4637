// The audit's REST side: an incident's signed record for supervisors, and the public key to
// verify it with. The export is itself audited (GET with `audit: true`).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Database } from '../store/database';
import { SUPERVISORS } from '../auth/roles';
import { HttpError } from '../http/errors';
import { ErrorBody } from '../http/schemas';
import type { AuditLog } from './audit-log';
import { exportIncident } from './export';
import type { SigningKey } from './keys';

export interface AuditRouteDeps {
  db: Database;
  log: AuditLog;
  key: SigningKey;
}

const NumberParams = Type.Object({ number: Type.String({ pattern: '^[0-9]{8}-[0-9]{6,}$', description: 'an incident number, YYYYMMDD-NNNNNN' }) });

/** How long an export waits for the chain to take what was recorded before it (then: exported without). */
const SETTLE_MS = 3000;

export function auditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  app.get<{ Params: Static<typeof NumberParams> }>(
    '/incidents/:number/export',
    {
      config: { access: SUPERVISORS, audit: true },
      schema: { summary: "The incident's whole record (timeline, audit entries, recordings' hashes, texts) as one JSON file signed with the service's Ed25519 key", params: NumberParams, response: { 400: ErrorBody, 404: ErrorBody } },
    },
    async (req, reply) => {
      await deps.log.settled(SETTLE_MS);
      const doc = await exportIncident(deps.db, req.params.number, deps.key);
      if (!doc) throw new HttpError(404, 'INCIDENT_NOT_FOUND', `incident ${req.params.number} not found`);
      return reply.header('Content-Disposition', `attachment; filename="incident-${req.params.number}.json"`).send(doc);
    },
  );

  app.get(
    '/audit/public-key',
    { config: { access: SUPERVISORS, audit: false }, schema: { summary: "The service's Ed25519 public key (PEM): verifies anchors and exports" } },
    async (_req, reply) => reply.type('application/x-pem-file').header('X-Key-Id', deps.key.keyId).send(deps.key.publicPem),
  );
}
