import t from 'tap';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { NUL_STAND_IN } from '../../../src/store/pg-store';
import { bothEngines } from '../../support/engines';

const each = bothEngines(t);

each('incident numbers are unique per day, caller ids stored as received, timeline in order', async (t, open, dialect) => {
  const repo = new IncidentsRepo(await open());
  const at = new Date(2026, 10, 23, 9, 0, 0).getTime();
  const odd = ['', 'x'.repeat(200), `'; DROP TABLE incidents; --`, '"引号" 😀 \u0000'];
  const made = await Promise.all(odd.map((n, i) => repo.create({ callerNumber: n, callerName: n, callerRaw: n, trunk: '110', channelId: `ch${i}`, state: 'arrived', arrivedAt: at, priority: 10 })));
  t.same(made.map((m) => m.number).sort(), ['20261123-000001', '20261123-000002', '20261123-000003', '20261123-000004']);
  for (const [i, m] of made.entries()) {
    const row = await repo.findByNumber(m.number);
    // PostgreSQL's text holds no NUL: it is kept as a visible stand-in rather than refused.
    t.equal(row?.callerNumber, dialect === 'postgres' ? odd[i]!.replaceAll('\0', NUL_STAND_IN) : odd[i]);
  }
  await repo.addEvent(made[0]!.id, 'arrived', { a: 1 }, at);
  await repo.addEvent(made[0]!.id, 'ended', {}, at + 5);
  t.same((await repo.timeline(made[0]!.id)).map((e) => e.kind), ['arrived', 'ended']);
  t.equal((await repo.listOpen()).length, 4);
  await repo.markEnded(made[0]!.id, at + 5);
  t.equal((await repo.listOpen()).length, 3);
  const page1 = await repo.list(2);
  const page2 = await repo.list(2, page1[1]!.id);
  t.same([...page1, ...page2].map((r) => r.id), [4, 3, 2, 1]);
});

each('reopening a database keeps what is stored and applies no migration twice', async (t, open) => {
  const db1 = await open();
  await new IncidentsRepo(db1).create({ callerNumber: '1', callerName: '', callerRaw: '', trunk: '110', channelId: 'a', state: 'waiting', arrivedAt: Date.now(), priority: 10 });
  await db1.close();
  const db2 = await open();
  t.equal((await new IncidentsRepo(db2).list(10)).length, 1);
});

each("a write-behind batch's timeline rows go in many per statement, in order, and a rollback takes them all", async (t, open, dialect) => {
  const db = await open();
  const repo = new IncidentsRepo(db);
  const at = new Date(2026, 10, 23, 9, 0, 0).getTime();
  const incident = await repo.create({ callerNumber: '13800000001', callerName: '', callerRaw: '', trunk: '110', channelId: 'ch-batch', state: 'arrived', arrivedAt: at, priority: 10 });
  const statements: string[] = [];
  const run = db.run.bind(db);
  db.run = (sql: string, params?: unknown[]) => {
    statements.push(sql);
    return run(sql, params);
  };
  // SQLite's batch sends its writes as one script (store/sqlite-batch.ts): one exec for them all.
  const exec = db.exec.bind(db);
  const scripts: string[] = [];
  db.exec = (sql: string) => {
    scripts.push(sql);
    statements.push(...sql.split('\n;\n'));
    return exec(sql);
  };
  const kinds = Array.from({ length: 450 }, (_, i) => `step_${i}`);
  await repo.writeStore().batch(async (tx) => {
    for (const [i, kind] of kinds.entries()) await tx.addEvent(incident.id, kind, { i }, at + i);
  });
  // SQLite's transaction runs on the connection itself (PostgreSQL's on a pooled client).
  if (dialect === 'sqlite') {
    t.equal(statements.filter((s) => s.startsWith('INSERT INTO incident_events')).length, 3, '450 rows in 3 statements (200 a statement)');
    t.equal(scripts.length, 1, 'sent to SQLite in one call, BEGIN to COMMIT');
  }
  t.same((await repo.timeline(incident.id)).map((e) => e.kind), kinds, 'all of them, in the order stamped');
  await t.rejects(
    repo.writeStore().batch(async (tx) => {
      await tx.addEvent(incident.id, 'rolled_back', {}, at);
      throw new Error('the batch fails');
    }),
  );
  await t.rejects(repo.writeStore().batch(async (tx) => tx.addEvent(999_999, 'no_such_incident', {}, at)), 'a row for a missing incident still fails its batch');
  t.equal((await repo.timeline(incident.id)).length, kinds.length, 'nothing of a failed batch is stored');
});
