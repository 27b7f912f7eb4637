// Issue #16 item 4, at the store: PostgreSQL restarts while incidents are being written. The
// write-behind sees a failing store (not a refused write), keeps every acknowledged write, retries,
// and once the server is back the pool reconnects and everything is stored, once.
import t from 'tap';
import { IncidentWriter } from '../../../src/incidents/incident-writer';
import { storeHealth } from '../../../src/incidents/store-health';
import { Database } from '../../../src/store/database';
import { IncidentsRepo, type NumberedIncident } from '../../../src/store/incidents-repo';
import { startPostgres } from '../../support/postgres';

const incident = (id: number): NumberedIncident => ({
  id, number: `20261123-${String(id).padStart(6, '0')}`, callerNumber: '', callerName: '', callerRaw: '', trunk: '110', channelId: `ch-${id}`, state: 'waiting', arrivedAt: 1_800_000_000_000 + id, priority: 10, caseRef: null,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 20000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(20);
  }
};

t.test('PostgreSQL restart mid-run: writes fail as a store failure, then all go in after the reconnect', async (t) => {
  const pg = await startPostgres(t);
  const db = await Database.open(await pg.freshDatabase(), { connectTimeoutMs: 1000 });
  t.teardown(() => db.close());
  const writer = new IncidentWriter(new IncidentsRepo(await db.writerConnection()).writeStore(), undefined, { stallMs: 1000, retryMinMs: 50, retryMaxMs: 300 });
  t.teardown(() => writer.stop(0));
  const skipped: number[] = [];
  let pushed = 0;
  const push = () => {
    const id = ++pushed;
    writer.push(id, 'insert', (tx) => tx.insert(incident(id)), { after: (stored) => stored || skipped.push(id) });
    writer.push(id, 'event', (tx) => tx.addEvent(id, 'arrived', { n: id }), { after: (stored) => stored || skipped.push(id) });
  };
  // A call every 10 ms from start to end, as the call path would hand them over.
  const ticker = setInterval(push, 10);
  t.teardown(() => clearInterval(ticker));

  await until('some writes stored', () => pushed > 30 && writer.depth() < 10);
  const stoppedAt = Date.now();
  await pg.stop();
  await until('the writer reports a failing store', () => !writer.status().up);
  t.match(writer.status().error, /^STORE_UNAVAILABLE: /, 'an outage, not a refused write');
  t.match(await storeHealth(writer.status(), () => db.ping()), { up: false }, '/health says down');
  await sleep(1000);
  const queuedInOutage = writer.depth();
  t.ok(queuedInOutage > 50, `writes acknowledged during the outage are kept (${queuedInOutage} queued)`);

  await pg.start();
  await until('the writer recovers', () => writer.status().up && writer.depth() < 10);
  t.comment(`outage ${Date.now() - stoppedAt} ms from stop to a drained queue`);
  clearInterval(ticker);
  await writer.written(null);

  t.same(skipped, [], 'nothing skipped');
  const incidents = await db.get<{ n: number; max: number }>('SELECT COUNT(*) AS n, MAX(id) AS max FROM incidents');
  t.same(incidents, { n: pushed, max: pushed }, `every acknowledged incident stored (${pushed})`);
  const events = await db.get<{ n: number; distinct: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT incident_id) AS "distinct" FROM incident_events');
  t.equal(events?.distinct, pushed, 'every incident has its event');
  t.equal(events?.n, pushed, 'and only once');
  t.equal(await db.ping(), true, 'reads work again on the reconnected pool');
});
