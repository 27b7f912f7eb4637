// The lease row on a real PostgreSQL (store/lease-repo.ts): one holder at a time, renewed only
// by its holder, taken over once expired in the database's clock, given up on release; two
// services claiming at the same moment: exactly one wins.
import t from 'tap';
import { Database } from '../../../src/store/database';
import { LeaseRepo } from '../../../src/store/lease-repo';
import { startPostgres } from '../../support/postgres';
import { sleep } from '../../support/harness';

t.test('the lease on PostgreSQL', async (t) => {
  const pg = await startPostgres(t);
  const db = await Database.open(await pg.freshDatabase());
  t.teardown(() => db.close());
  const repo = new LeaseRepo(db);

  t.equal(await repo.current(), undefined, 'nobody holds it at first');
  t.equal(await repo.claim('a', 400), true, 'a free lease is taken');
  t.equal(await repo.claim('b', 400), false, 'not by another while it runs');
  t.equal(await repo.claim('a', 400), true, 'renewed by its holder');
  const held = await repo.current();
  t.equal(held?.holder, 'a');
  t.ok(held!.remainingMs > 0 && held!.remainingMs <= 400, `expires in the ttl (${held?.remainingMs} ms)`);
  await sleep(600);
  t.equal(await repo.claim('b', 400), true, 'taken over once expired');
  t.equal(await repo.claim('a', 400), false, 'the old holder cannot renew it back');
  await repo.release('a');
  t.equal((await repo.current())?.holder, 'b', 'a release by a non-holder does nothing');
  await repo.release('b');
  t.equal(await repo.current(), undefined, 'released by its holder');

  const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => repo.claim(`n${i}`, 5000)));
  t.equal(wins.filter(Boolean).length, 1, 'eight claims at once: exactly one wins');
});
