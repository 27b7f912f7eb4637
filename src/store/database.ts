// SQLite access: open, WAL, migrations, and promise wrappers. SQL lives only under src/store/.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import { MIGRATIONS } from './migrations';

export type Row = Record<string, unknown>;

export class Database {
  private constructor(private readonly db: sqlite3.Database) {}

  static async open(path: string): Promise<Database> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(path, (err) => (err ? reject(err) : resolve(db)));
    });
    const database = new Database(raw);
    // WAL: readers (REST) never wait for the writer (call events); NORMAL sync is safe with WAL.
    await database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    await database.migrate();
    return database;
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
      await this.exec('ROLLBACK');
      throw err;
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.get('SELECT 1 AS ok');
      return true;
    } catch {
      return false; // reported as "database down" by /health; the error itself is not useful there
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

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}
