// The officer role (issue 14, M3): an officer's terminal signs in bound to one officer id and may
// report that officer's position, duty, "signed for" and "on scene", nothing else; every other
// route of the service answers it 403. Until then terminals used supervisor accounts, which could
// play recordings and barge into calls.
import t from 'tap';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../../src/store/database';
import { UsersRepo } from '../../../src/store/users-repo';
import { OfficersRepo } from '../../../src/store/officers-repo';
import { AuthService, BadUser } from '../../../src/auth/auth-service';
import { Officers } from '../../../src/dispatch/officers';
import { loadDispatchData } from '../../../src/dispatch/data-files';
import { createBaseApp } from '../../../src/http/base';
import { installAuthGuard } from '../../../src/http/auth-guard';
import { authRoutes } from '../../../src/http/routes/auth';
import { officerRoutes } from '../../../src/http/routes/officers';
import { dispatchRecordRoutes } from '../../../src/http/routes/dispatch-record';
import { buildApp, type AppDeps } from '../../../src/http/app';

const INCIDENT = '20260101-000001';
const silent = pino({ level: 'silent' });

async function users(t: { teardown(fn: () => unknown): void }) {
  const db = await Database.open(':memory:');
  t.teardown(() => db.close());
  const auth = new AuthService(new UsersRepo(db), { sessionTtlMs: 3_600_000, maxFailures: 5, windowMs: 900_000 }, silent);
  await auth.addUser({ name: 'car2001', role: 'officer', officer: '2001', password: 'car2001-password' });
  await auth.addUser({ name: 'li', role: 'call-taker', seat: '1001', password: 'li-password-1' });
  await auth.addUser({ name: 'boss', role: 'supervisor', password: 'boss-password-1' });
  return { db, auth };
}

async function bearer(app: FastifyInstance, name: string, password: string) {
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { name, password } });
  return { authorization: `Bearer ${(res.json() as { token: string }).token}` };
}

t.test('an officer account needs an officer id, and only an officer account takes one', async (t) => {
  const { auth } = await users(t);
  await t.rejects(auth.addUser({ name: 'car9', role: 'officer', password: 'car9-password' }), BadUser);
  await t.rejects(auth.addUser({ name: 'boss2', role: 'supervisor', officer: '2001', password: 'boss2-password' }), BadUser);
  await t.rejects(auth.addUser({ name: 'car9', role: 'officer', officer: '20 01', password: 'car9-password' }), BadUser);
});

t.test("an officer's terminal: its own officer's position, duty and reports; another's 403", async (t) => {
  const { db, auth } = await users(t);
  const { grid, poles, roster } = loadDispatchData(join(__dirname, '../../../../config/grid'));
  const officers = new Officers(new OfficersRepo(db), 120_000);
  await officers.seed(roster);
  const reports: string[] = [];
  const record = { report: async (n: string, officer: string, what: string) => (reports.push(`${n} ${officer} ${what}`), 1) };
  const app = createBaseApp();
  await app.register(cookie);
  installAuthGuard(app, { enabled: true, auth });
  authRoutes(app, { auth, secureCookie: false });
  officerRoutes(app, { officers, grid, poles });
  dispatchRecordRoutes(app, { record, repo: {}, alerts: {} } as unknown as Parameters<typeof dispatchRecordRoutes>[1]);
  await app.ready();
  t.teardown(() => app.close());
  const car = await bearer(app, 'car2001', 'car2001-password');
  const li = await bearer(app, 'li', 'li-password-1');
  const boss = await bearer(app, 'boss', 'boss-password-1');
  const send = (headers: object, method: 'PUT' | 'POST', url: string, payload: object) => app.inject({ method, url, headers: headers as Record<string, string>, payload });

  t.match((await app.inject({ url: '/auth/me', headers: car })).json(), { name: 'car2001', role: 'officer', seat: null, officer: '2001' }, 'who-am-I names the officer');
  t.equal((await send(car, 'PUT', '/officers/2001/position', { lon: 116.385, lat: 39.905 })).statusCode, 200, 'own position');
  t.equal((await send(car, 'PUT', '/officers/2001/duty', { duty: 'on_duty' })).statusCode, 200, 'own duty');
  t.equal((await send(car, 'POST', `/incidents/${INCIDENT}/signed-for`, { officer: '2001' })).statusCode, 200, 'own report: signed for');
  t.equal((await send(car, 'POST', `/incidents/${INCIDENT}/on-scene`, { officer: '2001' })).statusCode, 200, 'own report: on scene');
  for (const [method, url, payload] of [
    ['PUT', '/officers/2002/position', { lon: 116.385, lat: 39.905 }],
    ['PUT', '/officers/2002/duty', { duty: 'off_duty' }],
    ['POST', `/incidents/${INCIDENT}/signed-for`, { officer: '2002' }],
    ['POST', `/incidents/${INCIDENT}/on-scene`, { officer: '2002' }],
  ] as const) {
    const res = await send(car, method, url, payload);
    t.equal(res.statusCode, 403, `${method} ${url} for another officer: 403`);
    t.equal(res.json().error, 'NOT_YOURS');
  }
  t.same(reports, [`${INCIDENT} 2001 signed_for`, `${INCIDENT} 2001 on_scene`], 'only its own reports went through');
  t.equal((await officers.get('2002')).position, null, "another officer's position is untouched");

  t.equal((await send(boss, 'PUT', '/officers/2002/position', { lon: 116.395, lat: 39.905 })).statusCode, 200, 'a supervisor still reports for any officer');
  t.equal((await send(boss, 'POST', `/incidents/${INCIDENT}/signed-for`, { officer: '2002' })).statusCode, 200);
  t.equal((await send(li, 'PUT', '/officers/2001/position', { lon: 116.385, lat: 39.905 })).statusCode, 403, 'a call-taker reports no position');
  t.equal((await send(li, 'POST', `/incidents/${INCIDENT}/on-scene`, { officer: '2001' })).statusCode, 403, 'nor an officer report');
});

// Every route of the whole service, taken from its OpenAPI document: an officer's token gets 403
// everywhere but on its own officer's routes, sign-out, who-am-I and the public ones. The route
// modules' dependencies are never reached: the guard refuses before any handler runs.
t.test('every other route of the service answers an officer 403', async (t) => {
  const { auth } = await users(t);
  const stub: unknown = new Proxy(() => stub, { get: (_target, key) => (key === 'then' ? undefined : stub), apply: () => stub });
  const deps = new Proxy({ logger: silent, auth: { enabled: true, service: auth, secureCookie: false }, stats: { stats: stub, now: stub, extraMetrics: [] }, events: { hub: stub, live: { maxPerUser: 5, allowedOrigins: [], recheckMs: 60_000 } }, seatPhones: { phones: { origins: () => [] } } } as Record<string, unknown>, { get: (target, key: string) => target[key] ?? stub }) as unknown as AppDeps;
  const app = await buildApp(deps);
  t.teardown(() => app.close());
  const car = await bearer(app, 'car2001', 'car2001-password');
  // A station's terminal also reads and answers the unsatisfied follow-ups of its own unit (src/followup/routes.ts checks the unit).
  const allowed = new Set(['PUT /officers/{id}/position', 'PUT /officers/{id}/duty', 'POST /incidents/{number}/signed-for', 'POST /incidents/{number}/on-scene', 'GET /auth/me', 'POST /auth/logout', 'GET /follow-ups/{id}', 'POST /follow-ups/{id}/verification']);
  // The SMS gateway's webhook is signed, not signed in (src/texts/): no role is asked there.
  const open = new Set(['POST /auth/login', 'GET /health', 'GET /metrics', 'POST /texts/inbound']);
  const paths = (app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
  const routes = [...Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)), 'GET /openapi.json'];
  // The live stream (a WebSocket route) is not in the document; a plain GET meets the same guard.
  if (!routes.includes('GET /events')) routes.push('GET /events');
  t.ok(routes.length > 40, `${routes.length} routes`);
  const refused: string[] = [];
  for (const route of routes) {
    if (allowed.has(route) || open.has(route)) continue;
    const [method, path] = route.split(' ') as [string, string];
    const url = path.replace('{number}', INCIDENT).replace(/\{[^}]+\}/g, '2001');
    const res = await app.inject({ method: method as 'GET', url, headers: car });
    if (res.statusCode === 403) refused.push(route);
    else t.fail(`${route}: ${res.statusCode}, expected 403`);
  }
  t.equal(refused.length, routes.length - [...routes].filter((r) => allowed.has(r) || open.has(r)).length, 'every other route refused the officer');
  t.ok(refused.some((r) => /^GET \/recordings\/\{id\}\//.test(r)), 'playing recordings among them');
  t.ok(refused.includes('POST /monitoring'), 'and barging in');
  t.ok(refused.includes('GET /events'), 'and the live stream');
});
