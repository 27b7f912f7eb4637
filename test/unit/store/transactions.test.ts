// Transactions and errors the same on both engines: a rolled-back transaction leaves nothing and
// takes nothing else with it; a refused write is told apart from a failing store, so the
// incidents' write-behind skips the one and would retry the other.
import t from 'tap';
import { IncidentWriter } from '../../../src/incidents/incident-writer';
import { IncidentsRepo, type NumberedIncident } from '../../../src/store/incidents-repo';
import { SeatsRepo, type SeatRow } from '../../../src/store/seats-repo';
import { bothEngines } from '../../support/engines';

const each = bothEngines(t);
const seat = (id: string): SeatRow => ({ id, state: 'ready', reason: null, since: 1, idleSince: 1, nailedChannel: null });
const incident = (id: number, channelId = `ch-${id}`): NumberedIncident => ({
  id, number: `20261123-${String(id).padStart(6, '0')}`, callerNumber: '', callerName: '', callerRaw: '', trunk: '110', channelId, state: 'waiting', arrivedAt: 1_800_000_000_000 + id, priority: 10, caseRef: null,
});

each('a rolled-back transaction leaves nothing, and takes in no statement made beside it', async (t, open) => {
  const db = await open();
  const seats = new SeatsRepo(db);
  const writer = await db.writerConnection();
  let inserted!: () => void;
  const insertedP = new Promise<void>((resolve) => (inserted = resolve));
  let fail!: () => void;
  const failP = new Promise<void>((resolve) => (fail = resolve));
  const boom = new Error('the batch fails');
  const tx = writer.transaction(async (tx) => {
    await new SeatsRepo(tx).save(seat('in-tx'));
    inserted();
    await failP;
    throw boom;
  });
  await insertedP;
  t.same((await seats.all()).map((s) => s.id), [], 'the open transaction is not visible outside');
  // Beside the transaction (SQLite: the other connection, waiting for the write lock; PostgreSQL:
  // another pooled connection, at once): it must not go down with the transaction.
  const beside = seats.save(seat('beside'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  fail();
  await t.rejects(tx, boom, "fn's own error comes back as it is");
  await beside;
  t.same((await seats.all()).map((s) => s.id), ['beside']);
  t.same(await writer.transaction(async (tx) => (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM seats'))?.n), 1, 'a committed transaction returns its result');
});

each('a unique violation is a refusal for good: the write-behind skips it and stores the rest', async (t, open, dialect) => {
  const db = await open();
  const repo = new IncidentsRepo(db);
  await repo.insert(incident(1));
  const err = await repo.insert(incident(2, 'ch-1')).then(() => undefined, (e: unknown) => e);
  t.match(err, dialect === 'postgres' ? { name: 'StoreError', code: 'STORE_CONSTRAINT', sqlstate: '23505' } : { code: 'SQLITE_CONSTRAINT' });

  const writer = new IncidentWriter(new IncidentsRepo(await db.writerConnection()).writeStore(), undefined, { retryMinMs: 10, retryMaxMs: 50 });
  t.teardown(() => writer.stop(0));
  const told: [number, boolean][] = [];
  for (const [id, channel] of [[3, 'ch-3'], [4, 'ch-1'], [5, 'ch-5']] as const) {
    writer.push(id, 'insert', (tx) => tx.insert(incident(id, channel)), { after: (stored) => told.push([id, stored]) });
    writer.push(id, 'event', (tx) => tx.addEvent(id, 'arrived'), { after: (stored) => told.push([id, stored]) });
  }
  await writer.written(null);
  t.same(told, [[3, true], [3, true], [4, false], [4, false], [5, true], [5, true]], 'the bad incident (and its event, whose incident is missing) skipped, in order');
  t.same((await repo.listOpen()).map((r) => r.id), [1, 3, 5]);
  t.equal(writer.status().up, true, 'a refused write is not a failing store');
});
