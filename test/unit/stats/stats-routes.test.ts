import t, { type Test } from 'tap';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { Database } from '../../../src/store/database';
import { StatsRepo } from '../../../src/store/stats-repo';
import { createBaseApp } from '../../../src/http/base';
import { statsRoutes } from '../../../src/http/routes/stats';
import type { QueueSnapshot } from '../../../src/stats/snapshot';
import { createServiceTime } from '../../../src/stats/service-time';

/** Until the queue migration lands, add its timing columns here; once it has, this adds nothing. */
async function openWithTimingColumns(path: string): Promise<Database> {
  const db = await Database.open(path);
  const have = new Set((await db.all<{ name: string }>('PRAGMA table_info(incidents)')).map((c) => c.name));
  const wanted = { offered_at: 'INTEGER', answered_at: 'INTEGER', abandoned_at: 'INTEGER', seat_id: 'TEXT', delivery: 'TEXT' };
  for (const [name, type] of Object.entries(wanted)) if (!have.has(name)) await db.exec(`ALTER TABLE incidents ADD COLUMN ${name} ${type}`);
  return db;
}

class CountingRepo extends StatsRepo {
  queries = 0;
  recentQueries = 0;
  override answerTimes(fromMs: number, toMs: number) {
    this.queries += 1;
    return super.answerTimes(fromMs, toMs);
  }
  override recentCalls(fromMs: number, toMs: number) {
    this.recentQueries += 1;
    return super.recentCalls(fromMs, toMs);
  }
}

/** /metrics as with sign-in off: who may scrape it is tested in test/unit/http/metrics-access.test.ts. */
const OPEN = { token: '', open: true };
const NOW = new Date(2026, 10, 23, 12, 0).getTime();
const MIDNIGHT = new Date(2026, 10, 23).getTime();

const SNAPSHOT: QueueSnapshot = {
  waiting: [
    { incident: '20261123-000009', arrivedAt: NOW - 12_000, priority: 0 },
    { incident: null, arrivedAt: NOW - 2_000, priority: 0 },
  ],
  seats: [
    { id: '1001', state: 'on_call', reason: null, delivery: 'nailed' },
    { id: '1002', state: 'ringing', reason: null, delivery: 'ring' },
    { id: '1003', state: 'ready', reason: null, delivery: 'ring' },
    { id: '1004', state: 'not_ready', reason: 'break', delivery: 'ring' },
  ],
};

async function setup(t: Test, clock: () => number = () => NOW): Promise<{ app: FastifyInstance; repo: CountingRepo }> {
  const db = await openWithTimingColumns(`${t.testdir({})}/s.sqlite`);
  const calls: [number, number | null, number | null, string | null][] = [
    // arrivedAt, answered after (ms), abandoned after (ms), delivery
    [MIDNIGHT - 60_000, 1_000, null, 'ring'], // yesterday: not in today's figures
    [MIDNIGHT, 0, null, 'nailed'],
    [MIDNIGHT + 1_000, 2_000, null, 'ring'],
    [MIDNIGHT + 2_000, 10_000, null, 'ring'],
    [MIDNIGHT + 3_000, null, 30_000, null],
  ];
  for (const [i, [arrivedAt, answer, abandon, delivery]] of calls.entries()) {
    await db.run(
      `INSERT INTO incidents (number, caller_number, caller_name, trunk, channel_id, state, arrived_at, answered_at, abandoned_at, delivery)
       VALUES (?, '', '', '110', ?, 'ended', ?, ?, ?, ?)`,
      [`20261123-${String(i + 1).padStart(6, '0')}`, `ch${i}`, arrivedAt, answer === null ? null : arrivedAt + answer, abandon === null ? null : arrivedAt + abandon, delivery],
    );
  }
  const repo = new CountingRepo(db);
  // The service's own base (src/http/base.ts), so validation behaves as in the service.
  const app = createBaseApp();
  await app.register(swagger, { openapi: { info: { title: 'cti110', version: '0' } } });
  statsRoutes(app, { stats: repo, now: () => SNAPSHOT, clock, metrics: OPEN });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await db.close();
  });
  return { app, repo };
}

t.test('GET /stats/queue: now, and today so far by default', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject('/stats/queue');
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.same(body.now, { at: NOW, waiting: 2, longestWaitMs: 12_000, seats: { logged_out: 0, ready: 1, ringing: 1, on_call: 1, wrap_up: 0, not_ready: 1 } });
  // today: answers 0, 2000, 10000 and one abandoned → 2/4 within 3 s, 3/4 within 15 s
  t.match(body.period, {
    from: MIDNIGHT,
    to: NOW,
    offered: 4,
    answered: 3,
    abandoned: 1,
    answeredWithin3sPct: 50,
    within15sPct: 75,
    within20sPct: 75,
    avgAnswerMs: 4_000,
    p50AnswerMs: 2_000,
    p90AnswerMs: 10_000,
    p99AnswerMs: 10_000,
    byDelivery: {
      ring: { offered: 2, answered: 2, answeredWithin3sPct: 50, p90AnswerMs: 10_000 },
      nailed: { offered: 1, answered: 1, answeredWithin3sPct: 100, p50AnswerMs: 0 },
    },
  });
});

t.test('GET /stats/queue with an explicit period; nothing in it gives nulls', async (t) => {
  const { app } = await setup(t);
  const yesterday = await app.inject({ url: '/stats/queue', query: { from: String(MIDNIGHT - 86_400_000), to: String(MIDNIGHT) } });
  t.equal(yesterday.statusCode, 200);
  t.match(yesterday.json().period, { offered: 1, answered: 1, answeredWithin3sPct: 100, p90AnswerMs: 1_000 });
  const empty = await app.inject({ url: '/stats/queue', query: { from: '1', to: '2' } });
  t.equal(empty.statusCode, 200);
  t.match(empty.json().period, { from: 1, to: 2, offered: 0, answeredWithin3sPct: null, avgAnswerMs: null, p90AnswerMs: null, byDelivery: { ring: { p50AnswerMs: null } } });
});

t.test('the routes are in the OpenAPI document', async (t) => {
  const { app } = await setup(t);
  const doc = app.swagger() as { paths: Record<string, { get: { parameters?: { name: string }[] } }> };
  t.same(doc.paths['/stats/queue']?.get.parameters?.map((p) => p.name), ['from', 'to']);
  t.ok(doc.paths['/metrics']);
});

t.test('GET /stats/queue refuses a bad period with 400 and a clear message', async (t) => {
  const { app } = await setup(t);
  const cases: [Record<string, string>, RegExp][] = [
    [{ from: 'yesterday' }, /from must be integer/],
    [{ from: '1.5' }, /from must be integer/],
    [{ to: '-1' }, /to must be >= 0/],
    [{ from: '20', to: '10' }, /^from \(20\) must be before to \(10\)$/],
    [{ from: '10', to: '10' }, /must be before/],
    [{ from: '0', to: String(NOW) }, /longer than 31 days/],
    [{ since: '1' }, /must NOT have additional properties/],
  ];
  for (const [query, message] of cases) {
    const res = await app.inject({ url: '/stats/queue', query });
    t.equal(res.statusCode, 400, JSON.stringify(query));
    t.match(res.json(), { error: String, message }, JSON.stringify(query));
  }
});

t.test('GET /metrics: Prometheus text, live and today gauges, one query per scrape', async (t) => {
  const { app, repo } = await setup(t);
  const res = await app.inject('/metrics');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const lines = new Set(res.body.split('\n'));
  for (const line of [
    'cti110_calls_waiting 2',
    'cti110_longest_wait_seconds 12',
    'cti110_seats{state="logged_out"} 0',
    'cti110_seats{state="ringing"} 1',
    'cti110_seats{state="not_ready"} 1',
    'cti110_calls_answered_today{delivery="all"} 3',
    'cti110_calls_answered_today{delivery="ring"} 2',
    'cti110_calls_answered_today{delivery="nailed"} 1',
    'cti110_calls_abandoned_today{delivery="all"} 1',
    'cti110_calls_abandoned_today{delivery="ring"} 0',
    'cti110_answered_within_3s_ratio_today{delivery="all"} 0.5',
    'cti110_answered_within_3s_ratio_today{delivery="nailed"} 1',
    'cti110_answer_seconds_p90_today{delivery="all"} 10',
    'cti110_answer_seconds_p90_today{delivery="nailed"} 0',
    '# TYPE cti110_seats gauge',
  ]) {
    t.ok(lines.has(line), line);
  }
  t.match(res.body, /^nodejs_eventloop_lag_seconds \d/m, 'default process metrics, event loop lag included');
  t.equal(repo.queries, 1, 'all today gauges share one database query');
  await app.inject('/metrics');
  t.equal(repo.queries, 2, 'and the next scrape queries again (nothing stale kept)');
});

t.test('GET /metrics leaves out figures with nothing to compute from, and two apps coexist', async (t) => {
  const a = await setup(t);
  const b = await setup(t);
  const quiet = Fastify({ logger: false });
  statsRoutes(quiet, { stats: b.repo, now: () => ({ waiting: [], seats: [] }), clock: () => MIDNIGHT - 1, metrics: OPEN });
  await quiet.ready();
  t.teardown(() => quiet.close());
  t.equal((await a.app.inject('/metrics')).statusCode, 200);
  const body = (await quiet.inject('/metrics')).body;
  // 23:59:59.999 of the day before: only the 'ring' call of that day is in
  t.match(body, /^cti110_calls_answered_today\{delivery="ring"\} 1$/m);
  t.match(body, /^cti110_answer_seconds_p90_today\{delivery="ring"\} 1$/m);
  t.notMatch(body, /cti110_answer_seconds_p90_today\{delivery="nailed"\}/, 'no answered nailed call: no p90 series, not NaN');
  t.notMatch(body, /NaN/);
  t.match(body, /^cti110_calls_waiting 0$/m);
  t.match(body, /^cti110_longest_wait_seconds 0$/m);
});

t.test("GET /metrics carries other areas' metrics: the service's time from StasisStart to offer", async (t) => {
  const { repo } = await setup(t);
  const serviceTime = createServiceTime();
  const app = Fastify({ logger: false });
  statsRoutes(app, { stats: repo, now: () => SNAPSHOT, clock: () => NOW, extraMetrics: [serviceTime], metrics: OPEN });
  await app.ready();
  t.teardown(() => app.close());
  serviceTime.observe(0.004);
  serviceTime.observe(0.006);
  const body = (await app.inject('/metrics')).body;
  t.match(body, /^cti110_stasis_to_offer_seconds_count 2$/m);
  t.match(body, /^cti110_stasis_to_offer_seconds_sum 0\.01$/m);
  t.match(body, /^cti110_stasis_to_offer_seconds\{quantile="0\.99"\} 0\.006$/m);
});

t.test('GET /stats/recent: the last hour and the seats needed, from the same store and queue', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject('/stats/recent');
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.at, NOW);
  t.equal(body.history.length, 60, 'one point a minute');
  t.match(body.staffing, { windowMs: 900_000, arrivals: 0, needed: 0, staffed: 3, ready: 1, shortfall: 0, targetMs: 3000, goalPct: 99 }, 'no call in the last 15 minutes; seats ready, ringing or on a call');
});

t.test('GET /stats/recent: one reading a second serves every wallboard', async (t) => {
  let now = NOW;
  const { app, repo } = await setup(t, () => now);
  const [a, b] = await Promise.all([app.inject('/stats/recent'), app.inject('/stats/recent')]);
  t.same(a.json(), b.json());
  t.equal(repo.recentQueries, 1, 'two wallboards at once: one query');
  now += 999;
  await app.inject('/stats/recent');
  t.equal(repo.recentQueries, 1, 'within the second: the same reading');
  now += 1;
  t.equal((await app.inject('/stats/recent')).json().at, now, 'a second later: read again');
  t.equal(repo.recentQueries, 2);
});
