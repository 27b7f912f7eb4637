// The store behind the lease (cluster/fenced-store.ts): statements run while the service acts;
// once it does not, every statement, a transaction's and the write-behind's included, is refused
// before it reaches the store.
import t from 'tap';
import { Database } from '../../../src/store/database';
import { fencedStore } from '../../../src/cluster/fenced-store';

t.test('statements run while acting, none once the lease is lost', async (t) => {
  const inner = await Database.open(':memory:');
  t.teardown(() => inner.close());
  let acting = true;
  const db = fencedStore(inner, () => acting);
  await db.exec('CREATE TABLE x (v INTEGER)');
  await db.run('INSERT INTO x (v) VALUES (?)', [1]);
  const writer = await db.writerConnection();
  await db.transaction(async (tx) => {
    await tx.run('INSERT INTO x (v) VALUES (2)');
  });
  t.same(await db.all('SELECT v FROM x ORDER BY v'), [{ v: 1 }, { v: 2 }]);

  acting = false;
  const refused = { code: 'STORE_ERROR', message: /no longer holds the lease/ };
  await t.rejects(db.run('INSERT INTO x (v) VALUES (3)'), refused, 'run');
  await t.rejects(db.get('SELECT v FROM x'), refused, 'get');
  await t.rejects(db.all('SELECT v FROM x'), refused, 'all');
  await t.rejects(db.exec('DELETE FROM x'), refused, 'exec');
  await t.rejects(writer.run('INSERT INTO x (v) VALUES (4)'), refused, "the write-behind's connection");
  await t.rejects(db.transaction(async () => undefined), refused, 'a transaction');
  t.equal(await db.ping(), true, 'ping is not an act');
  t.same(await inner.all('SELECT v FROM x ORDER BY v'), [{ v: 1 }, { v: 2 }], 'nothing more was written');
});

t.test("a transaction's own statements ask too (the lease may end in the middle of one)", async (t) => {
  const inner = await Database.open(':memory:');
  t.teardown(() => inner.close());
  let acting = true;
  const db = fencedStore(inner, () => acting);
  await db.exec('CREATE TABLE x (v INTEGER)');
  await t.rejects(
    db.transaction(async (tx) => {
      await tx.run('INSERT INTO x (v) VALUES (1)');
      acting = false;
      await tx.run('INSERT INTO x (v) VALUES (2)');
    }),
    { message: /no longer holds the lease/ },
  );
  t.same(await inner.all('SELECT v FROM x'), [], 'rolled back whole');
});
