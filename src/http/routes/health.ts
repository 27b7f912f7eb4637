import type { FastifyInstance } from 'fastify';
import { Health } from '../schemas';

export interface HealthSources {
  ari(): { up: boolean; since?: number; attempts: number };
  ami(): boolean;
  /** up: reads answer and incident writes go through (a locked or full store is down). */
  database(): Promise<{ up: boolean; writeQueue?: number; failingSince?: number; error?: string }>;
  activeCalls(): number;
  /**
   * Which of an active/standby pair this is (src/cluster/). This app serves only while active;
   * lease 'held' on PostgreSQL, 'none' with SQLite (one node, always active). Unset: 'none'.
   */
  lease?(): 'held' | 'none';
}

export function healthRoutes(app: FastifyInstance, sources: HealthSources): void {
  app.get('/health', { config: { access: 'public' }, schema: { summary: 'role (active; a standby answers with role standby), ARI, AMI and database state; 200 only when all are up', response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    const body = {
      role: 'active' as const,
      lease: sources.lease?.() ?? 'none',
      ari: sources.ari(),
      ami: { up: sources.ami() },
      database: await sources.database(),
      activeCalls: sources.activeCalls(),
    };
    const ok = body.ari.up && body.ami.up && body.database.up;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', ...body });
  });
}
