// The guard over HTTP (fastify.inject): declared roles, secure by default, ownership, sign-in
// rate limit (5 wrong passwords → 429), the cookie, and sign-in switched off.
import t from 'tap';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import pino from 'pino';
import { Database } from '../../../src/store/database';
import { UsersRepo } from '../../../src/store/users-repo';
import { AuthService } from '../../../src/auth/auth-service';
import { SUPERVISORS, CALL_HANDLERS } from '../../../src/auth/roles';
import { installErrorHandler } from '../../../src/http/errors';
import { installAuthGuard } from '../../../src/http/auth-guard';
import { authRoutes } from '../../../src/http/routes/auth';

async function build(t: { teardown(fn: () => unknown): void }, enabled = true, extra?: (app: ReturnType<typeof Fastify>) => void) {
  const db = await Database.open(':memory:');
  const auth = new AuthService(new UsersRepo(db), { sessionTtlMs: 3_600_000, maxFailures: 5, windowMs: 900_000 }, pino({ level: 'silent' }));
  await auth.addUser({ name: 'li', role: 'call-taker', seat: '1001', password: 'li-password-1' });
  await auth.addUser({ name: 'boss', role: 'supervisor', password: 'boss-password-1' });
  const app = Fastify({ logger: false });
  installErrorHandler(app);
  await app.register(cookie);
  installAuthGuard(app, { enabled, auth });
  authRoutes(app, { auth, secureCookie: false });
  app.get('/wall', { config: { access: SUPERVISORS } }, async () => ({ ok: true }));
  app.post('/seats/:id/ready', { config: { access: CALL_HANDLERS, owner: (req) => ({ seat: (req.params as { id: string }).id }) } }, async () => ({ ok: true }));
  extra?.(app);
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  await app.ready();
  return app;
}

const login = (app: Awaited<ReturnType<typeof build>>, name: string, password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { name, password } });

t.test('roles, ownership and secure by default', async (t) => {
  const app = await build(t);
  const res = await login(app, 'li', 'li-password-1');
  t.equal(res.statusCode, 200);
  const token = (res.json() as { token: string }).token;
  const cookieHeader = String(res.headers['set-cookie']);
  t.match(cookieHeader, /cti110_session=.*HttpOnly.*SameSite=Strict/i, 'the browser gets an HttpOnly cookie');
  const bearer = { authorization: `Bearer ${token}` };

  t.equal((await app.inject({ url: '/wall' })).statusCode, 401, 'no token: 401');
  const refused = await app.inject({ url: '/wall', headers: bearer });
  t.equal(refused.statusCode, 403, 'a call-taker token on a supervisor route: 403');
  t.equal(refused.json().error, 'FORBIDDEN');
  t.equal((await app.inject({ method: 'POST', url: '/seats/1001/ready', headers: bearer })).statusCode, 200, 'own seat');
  t.equal((await app.inject({ method: 'POST', url: '/seats/1002/ready', headers: bearer })).json().error, 'NOT_YOURS', "another's seat: 403");
  t.equal((await app.inject({ url: '/auth/me', headers: { cookie: `cti110_session=${token}` } })).json().name, 'li', 'the cookie works as the token');
  t.equal((await app.inject({ url: '/nothing-here', headers: bearer })).statusCode, 404);

  const boss = (await login(app, 'boss', 'boss-password-1')).json() as { token: string };
  t.equal((await app.inject({ url: '/wall', headers: { authorization: `Bearer ${boss.token}` } })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/seats/1002/ready', headers: { authorization: `Bearer ${boss.token}` } })).statusCode, 200, 'a supervisor acts on any seat');

  t.equal((await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer })).statusCode, 204);
  t.equal((await app.inject({ url: '/auth/me', headers: bearer })).statusCode, 401, 'signed out: the token is dead');
});

t.test('5 wrong passwords, then 429 with Retry-After; bad input is a 400', async (t) => {
  const app = await build(t);
  for (let i = 0; i < 5; i++) {
    const res = await login(app, 'li', 'wrong-password');
    t.equal(res.statusCode, 401);
    t.same(res.json(), { error: 'SIGN_IN_FAILED', message: 'wrong user name or password' });
  }
  const limited = await login(app, 'li', 'li-password-1');
  t.equal(limited.statusCode, 429);
  t.equal(limited.json().error, 'TOO_MANY_ATTEMPTS');
  t.ok(Number(limited.headers['retry-after']) > 0);
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { name: 'li' } })).statusCode, 400);
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: '{not json', headers: { 'content-type': 'application/json' } })).statusCode, 400);
});

t.test('sign-in off: routes answer without a token', async (t) => {
  const app = await build(t, false);
  t.equal((await app.inject({ url: '/wall' })).statusCode, 200);
});

t.test('a route that declares no role stops the start, named (sign-in on or off)', async (t) => {
  for (const enabled of [true, false]) {
    await t.rejects(build(t, enabled, (app) => app.get('/forgotten', async () => ({ leaked: true }))), /no config\.access.*GET \/forgotten/);
  }
});
