// Spot-check routes through fastify.inject: status codes, validation and the X-User scorer.
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { SPOT_CHECKS_MIGRATION, SpotChecksRepo } from '../../../src/store/spot-checks-repo';
import { SpotChecks } from '../../../src/recording/spot-check';
import { createBaseApp } from '../../../src/http/base';
import { spotCheckRoutes } from '../../../src/http/routes/spot-checks';

const DAY = '2026-11-23';
const T0 = new Date(2026, 10, 23, 8, 0).getTime();
const NOW = new Date(2026, 10, 23, 18, 0).getTime();

async function setup(t: Test): Promise<FastifyInstance> {
  const db = await Database.open(`${t.testdir({})}/s.sqlite`);
  if (!(await db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spot_checks'"))) await db.exec(SPOT_CHECKS_MIGRATION);
  const incidents = new IncidentsRepo(db);
  for (let n = 1; n <= 6; n++) {
    const inc = await incidents.create({ callerNumber: `13800${n}`, callerName: '', callerRaw: '', trunk: '110', channelId: `ch${n}`, state: 'ended', arrivedAt: T0 + n * 60_000, priority: 10 });
    await incidents.markAnswered(inc.id, { at: T0 + n * 60_000 + 2_000, seatId: '1002', delivery: 'ring', seatChannelId: `s${n}`, bridgeId: `b${n}` });
    await incidents.markEnded(inc.id, T0 + n * 60_000 + 30_000);
  }
  let r = 0;
  const spotChecks = new SpotChecks(new SpotChecksRepo(db), { sampleSize: 4, random: () => ((r = (r + 0.37) % 1)), clock: () => NOW });
  // The options of src/http/app.ts, without the logger.
  // The service's own base (src/http/base.ts), so validation behaves as in the service.
  const app = createBaseApp();
  spotCheckRoutes(app, { spotChecks });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  return app;
}

t.test('draw and list', async (t) => {
  const app = await setup(t);
  const first = await app.inject({ method: 'POST', url: '/spot-checks/draw' });
  t.equal(first.statusCode, 201, 'drawn now: 201');
  const body = first.json();
  t.equal(body.day, DAY, 'default: today');
  t.equal(body.items.length, 4, 'default size from config');
  t.match(body.items[0], { day: DAY, incidentNumber: /^20261123-\d{6}$/, callerNumber: /^13800\d$/, seatId: '1002', recordings: 0, drawnAt: NOW, score: null });
  t.equal(body.items[0].answeredAt - body.items[0].arrivedAt, 2_000);
  t.notOk('created' in body);

  const again = await app.inject({ method: 'POST', url: `/spot-checks/draw?day=${DAY}&size=2` });
  t.equal(again.statusCode, 200, 'already drawn: 200');
  t.same(again.json(), body, 'the same sample');
  t.same((await app.inject(`/spot-checks?day=${DAY}`)).json(), body);
  t.same((await app.inject('/spot-checks?day=2026-11-22')).json(), { day: '2026-11-22', drawnAt: null, items: [] }, 'no sample yet');
  t.equal((await app.inject({ method: 'POST', url: '/spot-checks/draw?day=2026-11-22&size=2' })).json().items.length, 0, 'no handled calls that day');
});

t.test('draw and list: 400s', async (t) => {
  const app = await setup(t);
  const cases: [string, string, RegExp][] = [
    ['POST', '/spot-checks/draw?day=23-11-2026', /day/],
    ['POST', '/spot-checks/draw?day=2026-02-30', /not a calendar day/],
    ['POST', '/spot-checks/draw?day=2026-11-24', /has not begun/],
    ['POST', '/spot-checks/draw?size=0', /size/],
    ['POST', '/spot-checks/draw?size=201', /size/],
    ['POST', '/spot-checks/draw?size=ten', /size/],
    ['POST', '/spot-checks/draw?days=2026-11-23', /additional/],
    ['GET', '/spot-checks?day=2026-13-01', /not a calendar day/],
  ];
  for (const [method, url, message] of cases) {
    const res = await app.inject({ method: method as 'GET' | 'POST', url });
    t.equal(res.statusCode, 400, url);
    t.match(res.json(), { error: /^(BAD_REQUEST|BAD_DAY)$/, message }, url);
  }
});

t.test('score', async (t) => {
  const app = await setup(t);
  const [item] = (await app.inject({ method: 'POST', url: '/spot-checks/draw' })).json().items;
  const put = (payload: unknown, headers: Record<string, string> = { 'x-user': 'supervisor-li' }, id = item.id) =>
    app.inject({ method: 'PUT', url: `/spot-checks/${id}/score`, payload: payload as object, headers });
  const good = { speed: 5, attitude: 4, correctness: 3, note: 'asked for the location first' };

  for (const bad of [{ ...good, speed: 6 }, { ...good, attitude: 0 }, { ...good, correctness: 2.5 }, { speed: 5, attitude: 4 }, { ...good, note: 'x'.repeat(1001) }, { ...good, extra: 1 }]) {
    t.equal((await put(bad)).statusCode, 400, JSON.stringify(bad).slice(0, 80));
  }
  const anon = await put(good, {});
  t.same([anon.statusCode, anon.json().error], [400, 'SCORER_REQUIRED'], 'the scorer must say who they are');
  t.equal((await put(good, undefined, 999)).statusCode, 404);
  t.equal((await put(good, undefined, 999)).json().error, 'SPOT_CHECK_NOT_FOUND');

  const ok = await put(good);
  t.equal(ok.statusCode, 200);
  t.same(ok.json().score, { ...good, scorer: 'supervisor-li', scoredAt: NOW });
  const twice = await put({ speed: 1, attitude: 1, correctness: 1 }, { 'x-user': 'supervisor-wang' });
  t.same([twice.statusCode, twice.json().error], [409, 'SPOT_CHECK_SCORED'], 'a score is final');
  t.match(twice.json().message, /supervisor-li/);
  const listed = (await app.inject(`/spot-checks?day=${DAY}`)).json().items.find((i: { id: number }) => i.id === item.id);
  t.same(listed.score, { ...good, scorer: 'supervisor-li', scoredAt: NOW }, 'a supervisor sees who scored');

  const [, second] = (await app.inject(`/spot-checks?day=${DAY}`)).json().items;
  const noNote = await put({ speed: 2, attitude: 2, correctness: 2 }, undefined, second.id);
  t.equal(noNote.json().score.note, null, 'the note is optional');
});
