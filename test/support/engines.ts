// One test, run on both store engines: SQLite (a file in the test's folder) and a real PostgreSQL
// (a fresh database of one cluster per test file, test/support/postgres.ts).
import type { Test } from 'tap';
import { Database } from '../../src/store/database';
import type { Dialect } from '../../src/store/store';
import { startPostgres, type TestPostgres } from './postgres';

/** Opens the test's store (the same one each call: a reopen finds what was stored); closed at the end. */
export type OpenStore = () => Promise<Database>;

type Body = (t: Test, open: OpenStore, dialect: Dialect) => Promise<void>;

/**
 * `each(name, body)` adds two tests, `name (sqlite)` and `name (postgres)`. The cluster starts at
 * the first PostgreSQL test of the file and is destroyed when the file's tests end.
 */
export function bothEngines(root: Test): (name: string, body: Body) => void {
  let cluster: Promise<TestPostgres> | undefined;
  const opener = (t: Test, target: string): OpenStore => async () => {
    const db = await Database.open(target);
    t.teardown(() => db.close());
    return db;
  };
  return (name, body) => {
    root.test(`${name} (sqlite)`, (t) => body(t, opener(t, `${t.testdir({})}/store.sqlite`), 'sqlite'));
    root.test(`${name} (postgres)`, async (t) => {
      const pg = await (cluster ??= startPostgres(root));
      await body(t, opener(t, await pg.freshDatabase()), 'postgres');
    });
  };
}
