// The migration that adds the officer role rebuilds the users table (SQLite cannot change a CHECK):
// a database from before it keeps its users, their ids and their open sessions.
import t from 'tap';
import sqlite3 from 'sqlite3';
import { Database } from '../../../src/store/database';
import { MIGRATIONS, migrationSql } from '../../../src/store/migrations';
import { UsersRepo } from '../../../src/store/users-repo';

const exec = (db: sqlite3.Database, sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));

t.test('users and sessions of an older database survive; officers can be added', async (t) => {
  const path = `${t.testdir({})}/old.sqlite`;
  const before = MIGRATIONS.findIndex((m) => migrationSql(m, 'sqlite').includes("'officer'"));
  t.ok(before > 0, 'the officer migration is there');
  const raw = new sqlite3.Database(path);
  await exec(raw, 'PRAGMA foreign_keys = ON; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const [i, m] of MIGRATIONS.slice(0, before).entries()) await exec(raw, `BEGIN; ${migrationSql(m, 'sqlite')}; INSERT INTO schema_migrations VALUES (${i + 1}, 0); COMMIT;`);
  await exec(raw, "INSERT INTO users (id, name, role, seat_id, password_hash, created_at) VALUES (7, 'li', 'call-taker', '1001', 'h', 1); INSERT INTO sessions VALUES ('tok', 7, 1, 9999999999999)");
  await new Promise<void>((resolve) => raw.close(() => resolve()));

  const db = await Database.open(path);
  t.teardown(() => db.close());
  const repo = new UsersRepo(db);
  t.match(await repo.sessionUser('tok', 2), { id: 7, name: 'li', role: 'call-taker', seatId: '1001', officerId: null }, 'the session still finds its user');
  t.same(await db.all('PRAGMA foreign_key_check'), [], 'no dangling reference');
  await repo.upsert({ name: 'car2001', role: 'officer', seatId: null, officerId: '2001', passwordHash: 'h' });
  t.match(await repo.findByName('car2001'), { role: 'officer', officerId: '2001' });
  await t.rejects(db.run("INSERT INTO users (name, role, password_hash, created_at) VALUES ('x', 'officer', 'h', 1)"), /CHECK/, 'an officer row without an officer id is refused');
  await t.rejects(db.run("INSERT INTO users (name, role, password_hash, created_at) VALUES ('y', 'janitor', 'h', 1)"), /CHECK/, 'an unknown role still is');
});
