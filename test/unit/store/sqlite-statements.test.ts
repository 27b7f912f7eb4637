// Writes run on kept prepared statements (store/sqlite-store.ts): a kept statement must behave
// exactly as a fresh one, errors included, and a text that cannot be prepared stays an error.
import t from 'tap';
import { SqliteStore } from '../../../src/store/sqlite-store';

t.test('kept statements: same results, same errors, every time', async (t) => {
  const store = await SqliteStore.open(':memory:');
  t.teardown(() => store.close());
  for (let i = 0; i < 3; i++) await t.rejects(store.run('INSERT INTO nowhere VALUES (?)', [i]), { code: 'SQLITE_ERROR' }, 'a text that cannot be prepared fails each time, never hangs');
  await store.exec('CREATE TABLE kept (a INTEGER UNIQUE)');
  for (let i = 0; i < 5; i++) t.same(await store.run('INSERT INTO kept VALUES (?)', [i]), { changes: 1 });
  await t.rejects(store.run('INSERT INTO kept VALUES (?)', [1]), { code: 'SQLITE_CONSTRAINT' }, 'a constraint still refuses, with its code');
  t.same(await store.run('INSERT INTO kept VALUES (?)', [9]), { changes: 1 }, 'and the kept statement goes on after it');
  t.same(await store.run('UPDATE kept SET a = a + 100 WHERE a < ?', [3]), { changes: 3 });
  t.same(await store.run('UPDATE kept SET a = a + 100 WHERE a < ?', [3]), { changes: 0 }, 'changes counted per run, not carried over');
  t.same((await store.all('SELECT a FROM kept ORDER BY a')).map((r) => r.a), [3, 4, 9, 100, 101, 102]);
  await store.transaction(async (tx) => {
    await tx.run('INSERT INTO kept VALUES (?)', [50]);
  });
  await t.rejects(store.transaction(async (tx) => {
    await tx.run('INSERT INTO kept VALUES (?)', [51]);
    await tx.run('INSERT INTO kept VALUES (?)', [50]);
  }));
  t.same((await store.all('SELECT a FROM kept WHERE a IN (50, 51)')).map((r) => r.a), [50], 'a rolled-back run on a kept statement is rolled back');
});
