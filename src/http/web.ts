// The browser pages (web/: hand-written HTML, CSS and ES modules, no build step), served under
// /ui/. Public: they hold no data and no secret; everything they show comes from signed-in REST
// calls and the live stream. ARI/AMI credentials stay in the service's config.
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export const WEB_DIR = resolve(__dirname, '../../../web');

export async function webRoutes(app: FastifyInstance, dir = WEB_DIR): Promise<void> {
  await app.register(async (scope) => {
    // @fastify/static takes no per-route config: its routes are declared public here instead.
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    await scope.register(fastifyStatic, { root: dir, prefix: '/ui/', index: 'index.html', cacheControl: false });
  });
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui/index.html'));
}
