// What each side of an active/standby pair answers over HTTP: the standby's /health is a 200
// with role standby (a load balancer tells the two apart) and every other route a clear 503; the
// active's /health says role active; and an active that lost its lease serves nothing at all.
import t from 'tap';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { buildStandbyApp } from '../../../src/cluster/standby-app';
import { appWithFakes } from '../../support/app-with-fakes';

const silent = pino({ level: 'silent' }) as FastifyBaseLogger;

t.test('the standby: /health 200 with role standby, every other route 503 STANDBY', async (t) => {
  const app = await buildStandbyApp(silent, { database: async () => true });
  t.teardown(() => app.close());
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'standby', role: 'standby', lease: 'waiting', database: { up: true } });
  for (const [method, url] of [['GET', '/incidents'], ['POST', '/seats/1001/login'], ['GET', '/'], ['DELETE', '/nothing/here']] as const) {
    const res = await app.inject({ method, url });
    t.equal(res.statusCode, 503, `${method} ${url}`);
    t.match(res.json(), { error: 'STANDBY', message: /standby service.*use the active service/ });
  }
});

t.test('the active: /health says role active; SQLite (no lease) says lease none', async (t) => {
  const fake = await appWithFakes({ authEnabled: false, acting: () => true });
  t.teardown(() => fake.close());
  const health = await fake.app.inject({ method: 'GET', url: '/health' });
  t.match(health.json(), { role: 'active', lease: 'none' });
});

t.test('an active that lost its lease answers nothing but 503 NOT_ACTIVE, /health included', async (t) => {
  let acting = true;
  const fake = await appWithFakes({ authEnabled: false, acting: () => acting });
  t.teardown(() => fake.close());
  t.equal((await fake.app.inject({ method: 'GET', url: '/incidents' })).statusCode, 200);
  acting = false;
  for (const [method, url] of [['GET', '/health'], ['GET', '/incidents'], ['POST', '/seats/1001/login']] as const) {
    const res = await fake.app.inject({ method, url });
    t.equal(res.statusCode, 503, `${method} ${url}`);
    t.equal(res.json().error, 'NOT_ACTIVE');
  }
});
