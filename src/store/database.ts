// SQLite access: open, WAL, migrations, and promise wrappers. SQL lives only under src/store/.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import { MIGRATIONS } from './migrations';

export type Row = Record<string, unknown>;

export class Database {
  private writer: Promise<Database> | undefined;

  private constructor(
    private readonly db: sqlite3.Database,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<Database> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const database = await Database.connect(path);
    await database.migrate();
    return database;
  }

  private static async connect(path: string): Promise<Database> {
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(db)));
    });
    // One statement at a time per connection, queued in JS: SQLite runs them one by one anyway
    // (one mutex per connection), but node-sqlite3 would otherwise give each a libuv worker that
    // then waits on that mutex. With the write lock held elsewhere (busy_timeout, 5 s), a few
    // waiting statements took all four workers and stalled logs and file I/O (issue #14 H3).
    raw.serialize();
    const database = new Database(raw, path);
    // WAL: readers (REST) never wait for the writer (call events); NORMAL sync is safe with WAL.
    await database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    return database;
  }

  /**
   * A second connection to the same file, for the incidents' write-behind batches: a transaction
   * on this shared connection would take in whatever other statement runs between its BEGIN and
   * COMMIT (and roll it back with the batch). ':memory:' has no second connection: itself.
   */
  writerConnection(): Promise<Database> {
    return (this.writer ??= this.path === ':memory:' ? Promise.resolve(this) : Database.connect(this.path));
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
  }

  run(sql: string, params: unknown[] = []): Promise<{ lastID: number; changes: number }> {
    return new Promise((resolve, reject) =>
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ lastID: this.lastID, changes: this.changes });
      }),
    );
  }

  get<T = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => this.db.get(sql, params, (err, row) => (err ? reject(err) : resolve(row as T | undefined))));
  }

  all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  }

  /** Runs fn inside one IMMEDIATE transaction; sqlite3 serialises statements on one connection. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      await this.exec('COMMIT');
      return result;
    } catch (err) {
      // SQLite may have rolled back already (SQLITE_FULL, SQLITE_BUSY at BEGIN): the ROLLBACK then
      // fails with "no transaction is active", which must not hide the error that matters.
      await this.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** False if the store does not answer within timeoutMs (e.g. behind a statement waiting for a lock). */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.get('SELECT 1 AS ok').then(() => true), late]);
    } catch {
      return false; // reported as "database down" by /health; the error itself is not useful there
    } finally {
      clearTimeout(timer);
    }
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
      for (const [index, sql] of MIGRATIONS.entries()) {
        const version = index + 1;
        if (version <= current) continue;
        await this.transaction(async () => {
          await this.exec(sql);
          const dangling = await this.all<{ table: string; parent: string }>('PRAGMA foreign_key_check');
          if (dangling.length) throw new Error(`migration ${version} leaves ${dangling.length} rows of ${dangling[0]!.table} without their ${dangling[0]!.parent}`);
          await this.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [version, Date.now()]);
        });
      }
    } finally {
      await this.exec('PRAGMA foreign_keys = ON');
    }
  }

  async close(): Promise<void> {
    const writer = this.writer && (await this.writer);
    if (writer && writer !== this) await writer.close();
    await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}
