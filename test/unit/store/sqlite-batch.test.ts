// The write-behind's batches on SQLite: writes sent together as one script, values as literals
// read back exactly as bound values would be, and a failing write failing the whole batch.
import t from 'tap';
import { inlineParams, sqlLiteral } from '../../../src/store/sqlite-batch';
import { SqliteStore } from '../../../src/store/sqlite-store';
import { SeatsRepo } from '../../../src/store/seats-repo';

t.test('literals: exact or none', async (t) => {
  t.equal(sqlLiteral(null), 'NULL');
  t.equal(sqlLiteral(undefined), 'NULL');
  t.equal(sqlLiteral(true), '1');
  t.equal(sqlLiteral(1_796_675_315_000), '1796675315000');
  t.equal(sqlLiteral(-2.5), '-2.5');
  t.equal(sqlLiteral("O'Brien"), "'O''Brien'");
  // (Named by JSON: a NUL in a test's name would put a binary byte in the suite's output.)
  for (const none of [NaN, Infinity, 2 ** 60, 'a\0b', Buffer.from('x'), 10n, {}]) t.equal(sqlLiteral(none), undefined, `no literal for ${typeof none === 'string' ? JSON.stringify(none) : String(none)}`);
});

t.test('placeholders: only outside quotes, counted', async (t) => {
  t.equal(inlineParams(`UPDATE x SET a = ?, b = '?', "c?" = ? WHERE d = ?`, [1, "it's", null]), `UPDATE x SET a = 1, b = '?', "c?" = 'it''s' WHERE d = NULL`);
  t.equal(inlineParams('SELECT ?', []), undefined, 'too few values');
  t.equal(inlineParams('SELECT ?', [1, 2]), undefined, 'too many values');
  t.equal(inlineParams('SELECT ?1', [1]), undefined, 'numbered placeholders are not ours');
  t.equal(inlineParams('SELECT ?', ['a\0']), undefined, 'a value with no literal: bound instead');
});

t.test('a batch on a real SQLite file', async (t) => {
  const db = await SqliteStore.open(':memory:');
  t.teardown(() => db.close());
  const odd = ["'; DROP TABLE seats; --", '"引号" 😀', 'nul \0 inside', 'x'.repeat(5000), '?'];
  await db.batch(async (tx) => {
    const seats = new SeatsRepo(tx);
    for (const [i, reason] of odd.entries()) await seats.save({ id: `s${i}`, state: 'ready', reason, since: 1.5 + i, idleSince: 1_796_675_315_000 + i, nailedChannel: null });
    const seen = await tx.all<{ id: string }>('SELECT id FROM seats ORDER BY id');
    t.same(seen.map((s) => s.id), ['s0', 's1', 's2', 's3', 's4'], 'a read in the batch sees its earlier writes');
    await tx.run('INSERT INTO seat_events (seat_id, at, kind, detail) VALUES (?, ?, ?, ?) -- a comment at the end', ['s0', 1, 'k', '{}']);
  });
  const rows = await db.all<{ id: string; reason: string; since: number; idleSince: number }>('SELECT id, reason, since, idle_since AS "idleSince" FROM seats ORDER BY id');
  t.same(rows.map((r) => r.reason), odd, 'every value read back as written (the NUL one bound)');
  t.same(rows.map((r) => [r.since, r.idleSince]), odd.map((_, i) => [1.5 + i, 1_796_675_315_000 + i]));
  t.equal((await db.all('SELECT 1 FROM seat_events')).length, 1, 'the statement ending in a comment ran');

  const changes = await new Promise<unknown>((resolve) => void db.batch(async (tx) => resolve(await tx.run('DELETE FROM seats WHERE id = ?', ['none']).then((r) => r.changes).catch((e: Error) => e.message))));
  t.match(String(changes), /does not know how many rows/, "a batched write's changes cannot be read by mistake");

  // The second write breaks a constraint: the whole batch goes, with SQLite's own code.
  const err = await db
    .batch(async (tx) => {
      await new SeatsRepo(tx).addEvent('s1', 'first', {});
      await tx.run('INSERT INTO seats (id, state, reason, since, idle_since) VALUES (?, ?, ?, ?, ?)', ['s9', 'ready', null, null, 1]);
    })
    .catch((e: { code?: string }) => e);
  t.equal((err as { code?: string }).code, 'SQLITE_CONSTRAINT');
  t.equal((await db.all('SELECT 1 FROM seat_events')).length, 1, 'nothing of the failed batch stayed');
  await db.batch(async (tx) => void (await new SeatsRepo(tx).addEvent('s1', 'after', {})));
  t.equal((await db.all('SELECT 1 FROM seat_events')).length, 2, 'the connection is usable after it (no transaction left open)');
});
