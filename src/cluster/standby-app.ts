// What the standby service answers while it waits for the lease: /health with role 'standby'
// (HTTP 200: a load balancer tells the two apart by the role, and a standby is healthy), and a
// 503 with a clear error for everything else, so a console pointed at it knows where to go.
// It has no calls, seats or incidents in memory: it builds them from the store when it takes over.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { createBaseApp } from '../http/base';

export interface StandbySources {
  /** The store answers (the standby cannot take over without it). */
  database(): Promise<boolean>;
}

export async function buildStandbyApp(logger: FastifyBaseLogger, sources: StandbySources): Promise<FastifyInstance> {
  const app = createBaseApp(logger);
  app.get('/health', async () => ({ status: 'standby', role: 'standby', lease: 'waiting', database: { up: await sources.database() } }));
  app.all('/*', async (_req, reply) =>
    reply.status(503).send({ error: 'STANDBY', message: 'this is the standby service: it takes no calls or actions until the active one stops; use the active service' }),
  );
  await app.ready();
  return app;
}
