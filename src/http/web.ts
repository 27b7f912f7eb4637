// The browser pages (web/: hand-written HTML, CSS and ES modules, no build step), served under
// /ui/. Public: they hold no data and no secret; everything they show comes from signed-in REST
// calls and the live stream. ARI/AMI credentials stay in the service's config.
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export const WEB_DIR = resolve(__dirname, '../../../web');
/**
 * SIP.js (the console's phone, web/phone.js) as installed by npm: its ES modules import one
 * another with relative paths, so the browser loads them as they are, from this origin (no CDN,
 * no bundler), and `npm ci` alone decides the version.
 */
export const SIPJS_DIR = join(dirname(require.resolve('sip.js/package.json')), 'lib');

export async function webRoutes(app: FastifyInstance, dir = WEB_DIR): Promise<void> {
  await app.register(async (scope) => {
    // @fastify/static takes no per-route config: its routes are declared public here instead.
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    await scope.register(fastifyStatic, { root: dir, prefix: '/ui/', index: 'index.html', cacheControl: false });
    await scope.register(fastifyStatic, { root: SIPJS_DIR, prefix: '/ui/vendor/sip.js/', cacheControl: false, decorateReply: false, allowedPath: (path) => path.endsWith('.js') });
  });
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui/index.html'));
}
