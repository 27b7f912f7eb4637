import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { loadDispatchData } from '../../../src/dispatch/data-files';
import { Officers } from '../../../src/dispatch/officers';
import { createBaseApp } from '../../../src/http/base';
import { officerRoutes } from '../../../src/http/routes/officers';
import { Database } from '../../../src/store/database';
import { OFFICERS_MIGRATION, OfficersRepo } from '../../../src/store/officers-repo';

const NOW = 1_800_000_000_000;

async function setup(t: Test): Promise<{ app: FastifyInstance; clock: { now: number } }> {
  const db = await Database.open(`${t.testdir({})}/o.sqlite`);
  if (!(await db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'officers'"))) await db.exec(OFFICERS_MIGRATION);
  const { grid, poles, roster } = loadDispatchData(join(__dirname, '../../../../config/grid'));
  const clock = { now: NOW };
  const officers = new Officers(new OfficersRepo(db), 120_000, () => clock.now);
  await officers.seed(roster);
  // The service's own base (src/http/base.ts), so validation behaves as in the service.
  const app = createBaseApp();
  await app.register(swagger, { openapi: { info: { title: 'cti110', version: '0' } } });
  officerRoutes(app, { officers, grid, poles });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  return { app, clock };
}

const put = (app: FastifyInstance, url: string, payload: unknown) => app.inject({ method: 'PUT', url, payload: payload as object });

t.test('terminals report positions; the roster shows them', async (t) => {
  const { app } = await setup(t);
  const res = await put(app, '/officers/2001/position', { lon: 116.385, lat: 39.905, accuracyM: 12 });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { id: '2001', name: 'Wang Wei', unit: 'PS1', phone: 'PJSIP/2001', duty: 'on_duty', position: { lon: 116.385, lat: 39.905, accuracyM: 12, at: NOW }, positionFresh: true });
  const list = (await app.inject('/officers')).json() as { id: string; position: unknown }[];
  t.same(list.map((o) => o.id), ['2001', '2002', '2003', '2004']);
  t.equal(list[1]!.position, null);
  t.ok((app.swagger() as { paths: Record<string, unknown> }).paths['/dispatch/nearest'], 'the schemas make an OpenAPI document');
});

t.test('bad bodies and unknown officers', async (t) => {
  const { app } = await setup(t);
  const expect = async (res: Promise<{ statusCode: number; json(): unknown }>, status: number, body: { error: string; message: string | RegExp }) => {
    const r = await res;
    t.equal(r.statusCode, status);
    t.match(r.json(), body);
  };
  await expect(put(app, '/officers/9999/position', { lon: 116.4, lat: 39.9 }), 404, { error: 'OFFICER_NOT_FOUND', message: 'no officer "9999"' });
  await expect(put(app, '/officers/9999/duty', { duty: 'busy' }), 404, { error: 'OFFICER_NOT_FOUND', message: /9999/ });
  await expect(put(app, '/officers/2001/position', { lon: 116.4, lat: 139.9 }), 400, { error: 'BAD_REQUEST', message: 'body /lat must be <= 90' });
  await expect(put(app, '/officers/2001/position', { lon: 116.4 }), 400, { error: 'BAD_REQUEST', message: /must have required property 'lat'/ });
  await expect(put(app, '/officers/2001/position', { lon: 116.4, lat: 39.9, speed: 3 }), 400, { error: 'BAD_REQUEST', message: /must NOT have additional properties/ });
  await expect(put(app, '/officers/2001/position', { lon: '116.4e', lat: 39.9 }), 400, { error: 'BAD_REQUEST', message: 'body /lon must be number' });
  await expect(put(app, '/officers/2001/duty', { duty: 'asleep' }), 400, { error: 'BAD_REQUEST', message: /body \/duty/ });
});

// Fastify's coerceTypes used to read a JSON null as 0 (a position at 0°, 0°) and a numeric string
// as a number: a body's values are taken as sent, while query-string numbers are still converted.
t.test('null and strings in a body are 400, not coerced; query-string numbers still work', async (t) => {
  const { app } = await setup(t);
  for (const body of [{ lon: 116.4, lat: null }, { lon: null, lat: 39.9 }, { lon: 116.4, lat: '39.9' }, { lon: 116.4, lat: 39.9, accuracyM: null }]) {
    const res = await put(app, '/officers/2001/position', body);
    t.equal(res.statusCode, 400, `${JSON.stringify(body)}: 400`);
    t.match(res.json(), { error: 'BAD_REQUEST', message: /^body \/(lon|lat|accuracyM) must be number$/ });
  }
  t.equal((await put(app, '/officers/2001/duty', { duty: null })).statusCode, 400, 'duty null: 400');
  t.equal((await app.inject('/officers')).json()[0].position, null, 'no position was stored');
  await put(app, '/officers/2001/position', { lon: 116.385, lat: 39.905 });
  const near = await app.inject('/dispatch/nearest?lon=116.385&lat=39.905&limit=1');
  t.equal(near.statusCode, 200, 'numbers in a query string are converted');
  t.same(near.json().candidates.map((c: { id: string }) => c.id), ['2001']);
  t.match((await app.inject('/dispatch/nearest?lon=116.385&lat=39.905&limit=abc')).json(), { error: 'BAD_REQUEST', message: 'querystring /limit must be integer' });
  t.equal((await app.inject('/dispatch/nearest?lon=116.385&lat=north')).statusCode, 400);
  for (const limit of ['1.5', 'Infinity', '1e400', '9'.repeat(400), '']) t.equal((await app.inject(`/dispatch/nearest?lon=116.385&lat=39.905&limit=${limit}`)).statusCode, 400, `limit=${limit.slice(0, 12)}: 400`);
});

t.test('nearest officer for coordinates or a pole code, with the reasons', async (t) => {
  const { app, clock } = await setup(t);
  await put(app, '/officers/2001/position', { lon: 116.385, lat: 39.905 }); // A1
  await put(app, '/officers/2002/position', { lon: 116.395, lat: 39.905 }); // A2
  await put(app, '/officers/2003/position', { lon: 116.3851, lat: 39.9062 }); // A1, 111 m north of pole 0001
  await put(app, '/officers/2003/duty', { duty: 'busy' });
  await put(app, '/officers/2004/position', { lon: 116.3851, lat: 39.9052 }); // off duty, on the pole

  const byPole = (await app.inject('/dispatch/nearest?pole=bj-dc-0001')).json();
  t.same(byPole.location, { lon: 116.3851, lat: 39.9052, source: 'pole', pole: 'BJ-DC-0001' });
  t.same(byPole.cell, { id: 'A1', unit: 'PS1' });
  t.same(byPole.escalation.map((u: { id: string }) => u.id), ['PS1', 'BUR1', 'CITY']);
  // 0.0001° of longitude here is 8.53 m, 0.0001° of latitude 11.12 m (see ranking.test.ts).
  // 2001: 1e-4° west, 2e-4° south of the pole: √(8.5² + 22.2²) ≈ 24 m. 2002: 99e-4° east,
  // 2e-4° south: √(844.5² + 22.2²) ≈ 845 m.
  t.same(byPole.candidates.map((c: { id: string; distanceM: number; sameCell: boolean }) => [c.id, c.distanceM, c.sameCell]), [['2001', 24, true], ['2002', 845, false]]);
  t.same(byPole.skipped, [{ id: '2003', reason: 'busy' }, { id: '2004', reason: 'off_duty' }]);

  const byCoords = await app.inject('/dispatch/nearest?lon=116.395&lat=39.905&limit=1');
  t.equal(byCoords.statusCode, 200);
  t.same(byCoords.json().candidates.map((c: { id: string; distanceM: number }) => [c.id, c.distanceM]), [['2002', 0]]);
  t.equal(byCoords.json().location.source, 'manual');

  clock.now += 120_001;
  t.same((await app.inject('/dispatch/nearest?lon=116.395&lat=39.905')).json().candidates, [], 'positions grew stale: nobody to send');
});

t.test('nearest: bad queries', async (t) => {
  const { app } = await setup(t);
  const check = async (url: string, status: number, error: string, message: string | RegExp) => {
    const res = await app.inject(url);
    t.equal(res.statusCode, status, url);
    t.match(res.json(), { error, message }, url);
  };
  await check('/dispatch/nearest', 400, 'BAD_REQUEST', 'give either lon and lat, or pole');
  await check('/dispatch/nearest?lon=116.4', 400, 'BAD_REQUEST', 'give either lon and lat, or pole');
  await check('/dispatch/nearest?lon=116.4&lat=39.9&pole=BJ-DC-0001', 400, 'BAD_REQUEST', 'give either lon and lat, or pole');
  await check('/dispatch/nearest?lon=216.4&lat=39.9', 400, 'BAD_REQUEST', 'querystring /lon must be <= 180');
  await check('/dispatch/nearest?lon=abc&lat=39.9', 400, 'BAD_REQUEST', 'querystring /lon must be number');
  await check('/dispatch/nearest?pole=XX-0000', 404, 'POLE_NOT_FOUND', 'no street-light pole "XX-0000" in the pole register');
});
