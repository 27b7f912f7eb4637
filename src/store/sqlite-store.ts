// The SQLite engine: one file, WAL, promise wrappers over sqlite3, and the migrations. The
// embedded default for one node.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import { MIGRATIONS, migrationSql } from './migrations';
import { SqliteBatch } from './sqlite-batch';
import { answersWithin, type Row, type Store } from './store';

export class SqliteStore implements Store {
  readonly dialect = 'sqlite';
  private writer: Promise<SqliteStore> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: sqlite3.Database,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<SqliteStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const store = await SqliteStore.connect(path);
    await store.migrate();
    return store;
  }

  private static async connect(path: string): Promise<SqliteStore> {
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(db)));
    });
    // One statement at a time per connection, queued in JS: SQLite runs them one by one anyway
    // (one mutex per connection), but node-sqlite3 would otherwise give each a libuv worker that
    // then waits on that mutex. With the write lock held elsewhere (busy_timeout, 5 s), a few
    // waiting statements took all four workers and stalled logs and file I/O (issue #14 H3).
    raw.serialize();
    const store = new SqliteStore(raw, path);
    // WAL: readers (REST) never wait for the writer (call events); NORMAL sync is safe with WAL.
    await store.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    return store;
  }

  /**
   * A second connection to the same file, for the incidents' write-behind batches: a transaction
   * on this shared connection would take in whatever other statement runs between its BEGIN and
   * COMMIT (and roll it back with the batch). ':memory:' has no second connection: itself.
   */
  writerConnection(): Promise<SqliteStore> {
    return (this.writer ??= this.path === ':memory:' ? Promise.resolve(this) : SqliteStore.connect(this.path));
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
  }

  run(sql: string, params: unknown[] = []): Promise<{ changes: number }> {
    return new Promise((resolve, reject) =>
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes });
      }),
    );
  }

  get<T = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => this.db.get(sql, params, (err, row) => (err ? reject(err) : resolve(row as T | undefined))));
  }

  all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  }

  /**
   * Runs fn inside one IMMEDIATE transaction on this connection; `tx` is this connection itself
   * (sqlite3 serialises statements on it), which is why the write-behind has a connection of its own.
   */
  async transaction<T>(fn: (tx: SqliteStore) => Promise<T>): Promise<T> {
    await this.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn(this);
      await this.exec('COMMIT');
      return result;
    } catch (err) {
      // SQLite may have rolled back already (SQLITE_FULL, SQLITE_BUSY at BEGIN): the ROLLBACK then
      // fails with "no transaction is active", which must not hide the error that matters.
      await this.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Store.batch: the writes of fn reach SQLite as one script with BEGIN and COMMIT (sqlite-batch.ts). */
  async batch(fn: (tx: Store) => Promise<void>): Promise<void> {
    const tx = new SqliteBatch(this);
    await tx.exec('BEGIN IMMEDIATE');
    try {
      await fn(tx);
      await tx.exec('COMMIT');
      await tx.send();
    } catch (err) {
      // As in transaction(); also when the script stopped at a failing write, its BEGIN sent.
      await this.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** False if the store does not answer within timeoutMs (e.g. behind a statement waiting for a lock). */
  ping(timeoutMs = 2000): Promise<boolean> {
    return answersWithin(() => this.get('SELECT 1 AS ok'), timeoutMs);
  }

  private async migrate(): Promise<void> {
    await this.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const row = await this.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = row?.v ?? 0;
    if (current >= MIGRATIONS.length) return;
    // A table rebuild (SQLite's only way to change a constraint) drops a table others refer to;
    // with enforcement on, that drop would count their rows as violations for ever. So, as SQLite
    // documents it: enforcement off while migrating, every reference checked before each commit.
    await this.exec('PRAGMA foreign_keys = OFF');
    try {
      for (const [index, migration] of MIGRATIONS.entries()) {
        const version = index + 1;
        if (version <= current) continue;
        await this.transaction(async (tx) => {
          await tx.exec(migrationSql(migration, 'sqlite'));
          const dangling = await tx.all<{ table: string; parent: string }>('PRAGMA foreign_key_check');
          if (dangling.length) throw new Error(`migration ${version} leaves ${dangling.length} rows of ${dangling[0]!.table} without their ${dangling[0]!.parent}`);
          await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [version, Date.now()]);
        });
      }
    } finally {
      await this.exec('PRAGMA foreign_keys = ON');
    }
  }

  /** Once: a second close (a shutdown path and a test's teardown) waits for the first. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      const writer = this.writer && (await this.writer);
      if (writer && writer !== this) await writer.close();
      await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
    })());
  }
}
