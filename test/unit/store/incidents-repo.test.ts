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
