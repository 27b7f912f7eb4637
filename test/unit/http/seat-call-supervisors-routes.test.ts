// Access rules of the two small routes the pages use: GET /seats/:id/call (a call-taker's own seat
// only; supervisors any) and GET /monitoring/supervisors (supervisors and admins only).
import t from 'tap';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import pino from 'pino';
import { Database } from '../../../src/store/database';
import { UsersRepo } from '../../../src/store/users-repo';
import { AuthService } from '../../../src/auth/auth-service';
import { installErrorHandler } from '../../../src/http/errors';
import { installAuthGuard } from '../../../src/http/auth-guard';
import { authRoutes } from '../../../src/http/routes/auth';
import { seatRoutes } from '../../../src/http/routes/seats';
import { monitoringRoutes } from '../../../src/http/routes/monitoring';
import { SeatNotFound } from '../../../src/queue/seats';

type SeatDeps = Parameters<typeof seatRoutes>[1];
type MonitoringDeps = Parameters<typeof monitoringRoutes>[1];

t.test('GET /seats/:id/call and GET /monitoring/supervisors: who may call them', async (t) => {
  const db = await Database.open(':memory:');
  const auth = new AuthService(new UsersRepo(db), { sessionTtlMs: 3_600_000, maxFailures: 5, windowMs: 900_000 }, pino({ level: 'silent' }));
  await auth.addUser({ name: 'li', role: 'call-taker', seat: '1001', password: 'li-password-1' });
  await auth.addUser({ name: 'boss', role: 'supervisor', password: 'boss-password-1' });
  await auth.addUser({ name: 'root', role: 'admin', password: 'root-password-1' });
  const app = Fastify({ logger: false });
  installErrorHandler(app);
  await app.register(cookie);
  installAuthGuard(app, { enabled: true, auth });
  authRoutes(app, { auth, secureCookie: false });
  const atSeat: Record<string, string> = { '1002': '20260101-000042' };
  const seats = {
    get: (id: string) => {
      if (!['1001', '1002'].includes(id)) throw new SeatNotFound(id);
      return { id };
    },
  };
  seatRoutes(app, { seats, seatService: {}, repo: {}, calls: { incidentAtSeat: (id: string) => atSeat[id] } } as unknown as SeatDeps);
  const supervisors = [{ id: '3001', endpoint: 'PJSIP/3001' }, { id: '3002', endpoint: 'PJSIP/3002' }];
  monitoringRoutes(app, { monitoring: { supervisors: () => supervisors, list: () => [] }, recall: {} } as unknown as MonitoringDeps);
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  await app.ready();
  const tokenOf = async (name: string, password: string) => (await app.inject({ method: 'POST', url: '/auth/login', payload: { name, password } })).json().token as string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const li = as(await tokenOf('li', 'li-password-1'));
  const boss = as(await tokenOf('boss', 'boss-password-1'));
  const root = as(await tokenOf('root', 'root-password-1'));

  t.equal((await app.inject({ url: '/seats/1001/call' })).statusCode, 401, 'no token: 401');
  t.equal((await app.inject({ url: '/seats/1001/call', headers: li })).statusCode, 204, 'own seat, no call: 204');
  const other = await app.inject({ url: '/seats/1002/call', headers: li });
  t.equal(other.statusCode, 403, "another seat's call: 403");
  t.equal(other.json().error, 'NOT_YOURS');
  t.same((await app.inject({ url: '/seats/1002/call', headers: boss })).json(), { incident: '20260101-000042' }, 'a supervisor sees any seat');
  t.equal((await app.inject({ url: '/seats/1002/call', headers: root })).statusCode, 200, 'an admin too (call handlers: every role, call-takers only their own seat)');
  t.equal((await app.inject({ url: '/seats/9999/call', headers: boss })).statusCode, 404, 'unknown seat: 404');
  atSeat['1001'] = '20260101-000043';
  t.same((await app.inject({ url: '/seats/1001/call', headers: li })).json(), { incident: '20260101-000043' }, 'own seat on a call');

  t.equal((await app.inject({ url: '/monitoring/supervisors' })).statusCode, 401);
  t.equal((await app.inject({ url: '/monitoring/supervisors', headers: li })).statusCode, 403, 'a call-taker may not see them');
  t.same((await app.inject({ url: '/monitoring/supervisors', headers: boss })).json(), { items: supervisors }, 'a supervisor reads them');
  t.equal((await app.inject({ url: '/monitoring/supervisors', headers: root })).statusCode, 200, 'an admin too');
});
