// Every answer of the service carries the browser protections (issue 14, M4): a CSP that allows
// only this origin's files (the pages have no inline script or style), no framing, no MIME
// sniffing, no referrer; and the server does not wait for ever on a slow client.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import cookie from '@fastify/cookie';
import pino from 'pino';
import { createBaseApp, HTTP_TIMEOUTS } from '../../../src/http/base';
import { webRoutes, WEB_DIR } from '../../../src/http/web';
import { installAuthGuard } from '../../../src/http/auth-guard';
import { AuthService } from '../../../src/auth/auth-service';
import { UsersRepo } from '../../../src/store/users-repo';
import { Database } from '../../../src/store/database';
import { SUPERVISORS } from '../../../src/auth/roles';

t.test('security headers on every answer: pages, JSON, 400, 401, 404, 500', async (t) => {
  const db = await Database.open(':memory:');
  const app = createBaseApp();
  await app.register(cookie);
  installAuthGuard(app, { enabled: true, auth: new AuthService(new UsersRepo(db), { sessionTtlMs: 60_000, maxFailures: 5, windowMs: 60_000 }, pino({ level: 'silent' })) });
  await webRoutes(app);
  app.get('/open', { config: { access: 'public' }, schema: { querystring: Type.Object({ n: Type.Integer() }) } }, async () => ({ ok: true }));
  app.get('/boom', { config: { access: 'public' } }, async () => {
    throw new Error('internal detail');
  });
  app.get('/wall', { config: { access: SUPERVISORS } }, async () => ({ ok: true }));
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  const cases: [string, number][] = [['/ui/index.html', 200], ['/ui/console.js', 200], ['/open?n=1', 200], ['/open?n=x', 400], ['/wall', 401], ['/nowhere', 404], ['/boom', 500]];
  for (const [url, status] of cases) {
    const res = await app.inject(url);
    t.equal(res.statusCode, status, url);
    t.match(res.headers['content-security-policy'], /default-src 'self'; script-src 'self'; style-src 'self';.*object-src 'none'.*frame-ancestors 'none'/, `${url}: CSP`);
    t.equal(res.headers['x-frame-options'], 'DENY', `${url}: no framing`);
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${url}: no sniffing`);
    t.equal(res.headers['referrer-policy'], 'no-referrer', `${url}: no referrer`);
  }
});

// The CSP forbids inline script, inline style and inline handlers: the pages must have none.
t.test('the pages hold nothing the CSP would block', async (t) => {
  for (const file of readdirSync(WEB_DIR).filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(join(WEB_DIR, file), 'utf8');
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      t.match(m[1], /\bsrc="[^"]+"/, `${file}: every script is a file`);
      t.equal(m[2]!.trim(), '', `${file}: no inline script`);
    }
    t.notMatch(html, /<style\b|\sstyle="|\son[a-z]+="|javascript:/i, `${file}: no inline style, handler or javascript: URL`);
  }
});

t.test('timeouts: a request must arrive whole in 30 s; idle sockets are closed', async (t) => {
  t.same(HTTP_TIMEOUTS, { requestTimeout: 30_000, connectionTimeout: 60_000, keepAliveTimeout: 10_000 });
  const app = createBaseApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  t.equal(app.server.requestTimeout, 30_000, 'the server was given the request timeout (Fastify default 0: none)');
  t.equal(app.server.timeout, 60_000, 'idle socket timeout');
  t.equal(app.server.keepAliveTimeout, 10_000);
  t.equal(app.server.headersTimeout, 30_000, 'headers within the request timeout (Node: 60 s)');
});
