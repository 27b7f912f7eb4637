// The HTTP app, built by a factory so tests can build and close it; main.ts alone calls listen().
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import type { Logger } from 'pino';
import type { Incidents } from '../incidents/incidents';
import { createBaseApp } from './base';
import { healthRoutes, type HealthSources } from './routes/health';
import { incidentRoutes } from './routes/incidents';
import { seatRoutes } from './routes/seats';
import { seatPhoneRoutes } from './routes/seat-phone';
import { statsRoutes, type StatsDeps } from './routes/stats';
import { abandonedRoutes } from './routes/abandoned';
import { recordingRoutes, type RecordingRouteDeps } from './routes/recordings';
import { spotCheckRoutes, type SpotCheckRouteDeps } from './routes/spot-checks';
import { officerRoutes, type OfficerRouteDeps } from './routes/officers';
import { dispatchRoutes, type DispatchRouteDeps } from './routes/dispatch';
import { triageRoutes } from './routes/triage';
import { dispatchRecordRoutes } from './routes/dispatch-record';
import { transferStatsRoutes } from './routes/transfer-stats';
import { monitoringRoutes } from './routes/monitoring';
import { interpretingRoutes } from './routes/interpreting';
import { textRoutes } from './routes/texts';
import { authRoutes } from './routes/auth';
import { eventRoutes, type EventRouteDeps } from './routes/events';
import { webRoutes } from './web';
import { adminRoutes } from './routes/admin';
import type { DialplanAdmin } from '../admin/dialplan';
import { installAuthGuard } from './auth-guard';
import type { AuthService } from '../auth/auth-service';
import { CENTRE_STAFF } from '../auth/roles';
import { installHttpAudit } from '../audit/http-audit';
import { auditRoutes, type AuditRouteDeps } from '../audit/routes';
import { followUpRoutes, type FollowUpRouteDeps } from '../followup/routes';

export interface AppDeps {
  logger: Logger;
  incidents: Incidents;
  health: HealthSources;
  seats: Parameters<typeof seatRoutes>[1];
  seatPhones: Parameters<typeof seatPhoneRoutes>[1];
  stats: StatsDeps;
  abandoned: Parameters<typeof abandonedRoutes>[1];
  recordings: RecordingRouteDeps;
  spotChecks: SpotCheckRouteDeps;
  officers: OfficerRouteDeps;
  dispatch: DispatchRouteDeps;
  dispatchRecord: Parameters<typeof dispatchRecordRoutes>[1];
  triage: Parameters<typeof triageRoutes>[1];
  transferStats: Parameters<typeof transferStatsRoutes>[1];
  monitoring: Parameters<typeof monitoringRoutes>[1];
  interpreting: Parameters<typeof interpretingRoutes>[1];
  /** Text reports (12110); tests may leave them out. */
  texts?: Parameters<typeof textRoutes>[1];
  auth: { enabled: boolean; service: AuthService; secureCookie: boolean };
  events: Pick<EventRouteDeps, 'hub' | 'live'>;
  admin: { dialplan: DialplanAdmin };
  /** The audit chain: every user act over REST goes in, and incidents export from it (main.ts; tests may leave it out). */
  audit?: AuditRouteDeps;
  /** Follow-ups of closed incidents (src/followup/); tests may leave it out. */
  followUp?: FollowUpRouteDeps;
  /** False once this service has lost its lease (src/cluster/lease.ts): nothing more is served. */
  acting?: () => boolean;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Typed as the base logger so that route modules take a plain FastifyInstance.
  const app = createBaseApp(deps.logger.child({ area: 'http' }) as FastifyBaseLogger, { connectTo: deps.seatPhones.phones.origins() });
  // First of all hooks: a service that lost its lease (paused, then resumed) serves nothing.
  const acting = deps.acting;
  if (acting) {
    app.addHook('onRequest', async (_req, reply) => {
      // Its own serializer: a route's response schema (/health's 503) does not describe this body.
      if (!acting()) return reply.status(503).type('application/json').serializer(JSON.stringify).send({ error: 'NOT_ACTIVE', message: 'this service no longer holds the lease: the other service is active' });
    });
  }
  await app.register(cookie);
  // Before the guard: its hooks must run first, or a refused upgrade's socket is never closed.
  await app.register(websocket, { options: { maxPayload: 4096 } });
  installAuthGuard(app, { enabled: deps.auth.enabled, auth: deps.auth.service });
  if (deps.audit) installHttpAudit(app, deps.audit.log);
  await app.register(swagger, {
    openapi: { info: { title: 'cti110', description: 'CTI server for a 110 emergency call centre', version: '0.1.0' } },
  });
  authRoutes(app, { auth: deps.auth.service, secureCookie: deps.auth.secureCookie });
  eventRoutes(app, { ...deps.events, auth: deps.auth.service, signInEnabled: deps.auth.enabled });
  await webRoutes(app);
  adminRoutes(app, deps.admin);
  healthRoutes(app, deps.health);
  incidentRoutes(app, deps.incidents);
  seatRoutes(app, deps.seats);
  seatPhoneRoutes(app, deps.seatPhones);
  statsRoutes(app, deps.stats);
  abandonedRoutes(app, deps.abandoned);
  recordingRoutes(app, deps.recordings);
  spotCheckRoutes(app, deps.spotChecks);
  officerRoutes(app, deps.officers);
  dispatchRoutes(app, deps.dispatch);
  dispatchRecordRoutes(app, deps.dispatchRecord);
  triageRoutes(app, deps.triage);
  transferStatsRoutes(app, deps.transferStats);
  monitoringRoutes(app, deps.monitoring);
  interpretingRoutes(app, deps.interpreting);
  if (deps.texts) textRoutes(app, deps.texts);
  if (deps.audit) auditRoutes(app, deps.audit);
  if (deps.followUp) followUpRoutes(app, deps.followUp);
  app.get('/openapi.json', { config: { access: CENTRE_STAFF }, schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
