// User acts over REST into the audit chain, from the one hook: what the route declares decides,
// sign-ins come from the sign-in audit, a password never goes in.
import t from 'tap';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import pino from 'pino';
import { Database } from '../../../src/store/database';
import { UsersRepo } from '../../../src/store/users-repo';
import { AuthService } from '../../../src/auth/auth-service';
import { CALL_HANDLERS, SUPERVISORS } from '../../../src/auth/roles';
import { installErrorHandler } from '../../../src/http/errors';
import { installAuthGuard } from '../../../src/http/auth-guard';
import { authRoutes } from '../../../src/http/routes/auth';
import { installHttpAudit } from '../../../src/audit/http-audit';
import type { AuditRecord } from '../../../src/audit/audit-log';

t.test('which requests are audited, and what an entry says', async (t) => {
  const db = await Database.open(':memory:');
  const auth = new AuthService(new UsersRepo(db), { sessionTtlMs: 3_600_000, maxFailures: 5, windowMs: 900_000 }, pino({ level: 'silent' }));
  await auth.addUser({ name: 'boss', role: 'supervisor', password: 'boss-password-1' });
  const entries: AuditRecord[] = [];
  const sink = { record: (e: AuditRecord) => void entries.push(e) };
  auth.audit.chainTo(sink);
  const app = Fastify({ logger: false });
  installErrorHandler(app);
  await app.register(cookie);
  installAuthGuard(app, { enabled: true, auth });
  installHttpAudit(app, sink);
  authRoutes(app, { auth, secureCookie: false });
  app.get('/wall', { config: { access: SUPERVISORS } }, async () => ({ ok: true }));
  app.get('/recordings/:id/audio', { config: { access: CALL_HANDLERS, audit: () => ({ action: 'recording.listen' }) } }, async () => 'wav');
  app.post('/incidents/:number/classify', { config: { access: CALL_HANDLERS } }, async () => ({ ok: true }));
  app.put('/officers/:id/position', { config: { access: CALL_HANDLERS, audit: false } }, async () => ({ ok: true }));
  app.post('/users', { config: { access: SUPERVISORS } }, async () => ({ ok: true }));
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  await app.ready();

  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { name: 'boss', password: 'wrong-password' } })).statusCode, 401);
  const { token } = (await app.inject({ method: 'POST', url: '/auth/login', payload: { name: 'boss', password: 'boss-password-1' } })).json() as { token: string };
  const h = { authorization: `Bearer ${token}` };
  t.equal((await app.inject({ url: '/wall', headers: h })).statusCode, 200);
  t.equal((await app.inject({ method: 'HEAD', url: '/wall', headers: h })).statusCode, 200);
  t.equal((await app.inject({ url: '/recordings/7/audio', headers: h })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/incidents/20261207-000001/classify', headers: h, payload: { police: true, summary: 'x' } })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/incidents/20261207-000001/classify', payload: {} })).statusCode, 401);
  t.equal((await app.inject({ method: 'PUT', url: '/officers/2001/position', headers: h, payload: {} })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/users', headers: h, payload: { name: 'li', password: 'secret-1234', nested: { token: 'x' } } })).statusCode, 200);

  t.match(entries, [
    { actor: 'boss', action: 'auth.sign_in', detail: { outcome: 'bad_password' } },
    { actor: 'boss', action: 'auth.sign_in', detail: { outcome: 'ok' } },
    { actor: 'boss', action: 'recording.listen', recordingId: 7, detail: { status: 200, role: 'supervisor' } },
    { actor: 'boss', action: 'POST /incidents/:number/classify', incident: '20261207-000001', detail: { status: 200, body: { police: true, summary: 'x' } } },
    { actor: 'boss', action: 'POST /users', detail: { body: { name: 'li', password: '[removed]', nested: { token: '[removed]' } } } },
  ]);
  t.equal(entries.length, 5, 'not: a plain GET or HEAD, a request with no session, a route that opts out, the sign-in route itself');
  t.notMatch(JSON.stringify(entries), /secret-1234|boss-password-1/, 'no password in the chain');
});
