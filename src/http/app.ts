// The HTTP app, built by a factory so tests can build and close it; main.ts alone calls listen().
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import type { Incidents } from '../incidents/incidents';
import { installErrorHandler } from './errors';
import { healthRoutes, type HealthSources } from './routes/health';
import { incidentRoutes } from './routes/incidents';
import { seatRoutes } from './routes/seats';
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

export interface AppDeps {
  logger: Logger;
  incidents: Incidents;
  health: HealthSources;
  seats: Parameters<typeof seatRoutes>[1];
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
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Typed as the base logger so that route modules take a plain FastifyInstance.
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger.child({ area: 'http' }) as FastifyBaseLogger,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } },
  });
  installErrorHandler(app);
  await app.register(swagger, {
    openapi: { info: { title: 'cti110', description: 'CTI server for a 110 emergency call centre', version: '0.1.0' } },
  });
  healthRoutes(app, deps.health);
  incidentRoutes(app, deps.incidents);
  seatRoutes(app, deps.seats);
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
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
