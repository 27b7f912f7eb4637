// One migration list on both engines: every version applied once and recorded, nothing applied
// twice on reopen; on PostgreSQL the type rules hold (ms in BIGINT, coordinates in DOUBLE
// PRECISION), services starting at once migrate once, and a database from before the officer
// role keeps its users and sessions.
import t from 'tap';
import pg from 'pg';
import { Database } from '../../../src/store/database';
import { MIGRATIONS, migrationSql } from '../../../src/store/migrations';
import { UsersRepo } from '../../../src/store/users-repo';
import { bothEngines } from '../../support/engines';
import { startPostgres, type TestPostgres } from '../../support/postgres';

const each = bothEngines(t);
const versions = (db: Database) => db.all<{ version: number; appliedAt: number }>('SELECT version, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version');

each('every migration applied once, in order; a reopen applies none again', async (t, open) => {
  const first = await versions(await open());
  t.same(first.map((r) => r.version), MIGRATIONS.map((_, i) => i + 1));
  t.ok(first.every((r) => r.appliedAt > 1_700_000_000_000), 'applied_at holds ms');
  t.same(await versions(await open()), first, 'nothing applied twice');
});

let cluster: Promise<TestPostgres> | undefined;
const fresh = async () => (await (cluster ??= startPostgres(t))).freshDatabase();

t.test('postgres: ms and coordinates keep their range and digits', async (t) => {
  const db = await Database.open(await fresh());
  t.teardown(() => db.close());
  const type = async (table: string, column: string) =>
    (await db.get<{ type: string }>('SELECT data_type AS type FROM information_schema.columns WHERE table_name = ? AND column_name = ?', [table, column]))?.type;
  t.equal(await type('incidents', 'arrived_at'), 'bigint');
  t.equal(await type('incidents', 'id'), 'bigint');
  t.equal(await type('officers', 'lon'), 'double precision');
  t.equal(await type('incident_dispatch', 'location_accuracy_m'), 'double precision');
  t.equal(await type('schema_migrations', 'applied_at'), 'bigint');
});

t.test('postgres: services started at once against one database migrate it once', async (t) => {
  const url = await fresh();
  const dbs = await Promise.all([Database.open(url), Database.open(url), Database.open(url)]);
  t.teardown(() => Promise.all(dbs.map((db) => db.close())));
  t.same((await versions(dbs[0]!)).map((r) => r.version), MIGRATIONS.map((_, i) => i + 1));
});

t.test('postgres: users and sessions from before the officer role survive its migration', async (t) => {
  const url = await fresh();
  const before = MIGRATIONS.findIndex((m) => migrationSql(m, 'postgres').includes("'officer'"));
  t.ok(before > 0, 'the officer migration is there');
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  await raw.query('CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const [i, m] of MIGRATIONS.slice(0, before).entries()) await raw.query(`BEGIN; ${migrationSql(m, 'postgres')}; INSERT INTO schema_migrations VALUES (${i + 1}, 0); COMMIT;`);
  await raw.query("INSERT INTO users (id, name, role, seat_id, password_hash, created_at) VALUES (7, 'li', 'call-taker', '1001', 'h', 1); INSERT INTO sessions VALUES ('tok', 7, 1, 9999999999999)");
  await raw.end();

  const db = await Database.open(url);
  t.teardown(() => db.close());
  const repo = new UsersRepo(db);
  t.match(await repo.sessionUser('tok', 2), { id: 7, name: 'li', role: 'call-taker', seatId: '1001', officerId: null }, 'the session still finds its user');
  await repo.upsert({ name: 'car2001', role: 'officer', seatId: null, officerId: '2001', passwordHash: 'h' });
  t.match(await repo.findByName('CAR2001'), { role: 'officer', officerId: '2001' });
  await t.rejects(db.run("INSERT INTO users (name, role, password_hash, created_at) VALUES ('x', 'officer', 'h', 1)"), { code: 'STORE_CONSTRAINT' }, 'an officer row without an officer id is refused');
  await t.rejects(db.run("INSERT INTO users (name, role, password_hash, created_at) VALUES ('y', 'janitor', 'h', 1)"), { code: 'STORE_CONSTRAINT' }, 'an unknown role still is');
  await t.rejects(db.run("INSERT INTO sessions VALUES ('t2', 99, 1, 2)"), { code: 'STORE_CONSTRAINT' }, 'sessions still refer to users');
});
