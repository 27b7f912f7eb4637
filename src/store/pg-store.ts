// The PostgreSQL engine: the shared store when several nodes (and an active and a standby
// service) work on the same data (issue #16). A pool of connections; a transaction holds one of
// them for itself; every error leaves as a StoreError (errors.ts).
import pg from 'pg';
import { fromPg, StoreError } from './errors';
import { MIGRATIONS, forPostgres, migrationSql } from './migrations';
import { answersWithin, type Row, type Store } from './store';

export interface PgSettings {
  /** Connections in the pool (REST reads, the write-behind's batches, the outbox...). */
  poolSize: number;
  /** How long a statement waits for a free connection, or for a new one to open, before it fails. */
  connectTimeoutMs: number;
}

const DEFAULTS: PgSettings = { poolSize: 10, connectTimeoutMs: 5000 };

/** Serialises the migrations of services started at once against the same database. */
const MIGRATION_LOCK = 1100016;

/**
 * `?` placeholders as PostgreSQL's `$1, $2, ...`, outside quotes and comments: the repositories
 * write their SQL once, for both engines.
 */
export function numbered(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = null; // a doubled quote ('it''s') closes and reopens: the same
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
      continue;
    } else if (c === '?') {
      out += `$${++n}`;
      continue;
    }
    out += c;
  }
  return out;
}

// BIGINT (ms timestamps, ids, COUNT) and NUMERIC (SUM of BIGINT) as numbers, as SQLite gives
// them: pg's default is a string, since int8 can pass 2^53; nothing stored here comes near it.
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC ? Number : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** What PostgreSQL's text cannot hold, and what stands for it there: U+2400 SYMBOL FOR NULL. */
export const NUL_STAND_IN = '\u2400';

// SQLite binds true/false as 1/0, and the schema keeps flags as integers on both engines.
// PostgreSQL's text cannot hold NUL, which a caller id may bring: refused, the write would be
// skipped for good (the incident lost), so NUL is stored as a visible stand-in instead.
const bind = (params: unknown[]) =>
  params.map((p) => (typeof p === 'boolean' ? Number(p) : typeof p === 'string' && p.includes('\0') ? p.replaceAll('\0', NUL_STAND_IN) : p));

/** The statements of one connection or of the pool; errors leave as StoreError. */
class PgQueries {
  readonly dialect = 'postgres';

  constructor(protected readonly conn: pg.Pool | pg.PoolClient) {}

  protected async query(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
    try {
      return await this.conn.query(numbered(sql), bind(params));
    } catch (err) {
      throw fromPg(err);
    }
  }

  async run(sql: string, params?: unknown[]): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async get<T = Row>(sql: string, params?: unknown[]): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async all<T = Row>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.conn.query(sql); // no parameters: the simple protocol, several statements allowed
    } catch (err) {
      throw fromPg(err);
    }
  }

  ping(timeoutMs = 2000): Promise<boolean> {
    return answersWithin(() => this.query('SELECT 1 AS ok'), timeoutMs);
  }
}

/** The statements of one transaction, on the connection it holds. */
class PgTransaction extends PgQueries implements Store {
  transaction<T>(): Promise<T> {
    return Promise.reject(new StoreError('STORE_ERROR', 'a transaction inside a transaction'));
  }

  batch(): Promise<void> {
    return this.transaction();
  }

  writerConnection(): Promise<Store> {
    return Promise.reject(new StoreError('STORE_ERROR', 'a transaction has no writer connection'));
  }

  async close(): Promise<void> {} // the transaction gives its connection back, not its user
}

/** BEGIN, fn, COMMIT on one client; a client whose connection broke is destroyed, not reused. */
async function inTransaction<T>(client: pg.PoolClient, fn: (tx: Store) => Promise<T>): Promise<{ result: T } | { error: unknown; broken: boolean }> {
  const tx = new PgTransaction(client);
  try {
    await tx.exec('BEGIN');
    const result = await fn(tx);
    await tx.exec('COMMIT');
    return { result };
  } catch (error) {
    const broken = await client.query('ROLLBACK').then(() => false, () => true);
    return { error, broken };
  }
}

export class PgStore extends PgQueries implements Store {
  private closing: Promise<void> | undefined;

  private constructor(private readonly pool: pg.Pool) {
    super(pool);
  }

  static async open(url: string, settings: Partial<PgSettings> = {}): Promise<PgStore> {
    const s = { ...DEFAULTS, ...settings };
    const pool = new pg.Pool({
      connectionString: url,
      max: s.poolSize,
      connectionTimeoutMillis: s.connectTimeoutMs,
      idleTimeoutMillis: 30000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10000,
      types: TYPES,
      // Days in reports are the centre's local days, as SQLite's 'localtime' gives them.
      options: `-c TimeZone=${localZone()}`,
    });
    // An idle connection the server dropped (a restart): the pool discards it and the next
    // statement opens a new one; a statement that meets the outage reports it to its caller.
    pool.on('error', () => undefined);
    const store = new PgStore(pool);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end().catch(() => undefined);
      // One line for the operator: where (never the password) and what the server or socket said.
      const e = fromPg(err);
      throw new StoreError(e.code, `store: PostgreSQL at ${describePgUrl(url)}: ${e.message}`, e.sqlstate, { cause: err });
    }
    return store;
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw fromPg(err);
    }
    // A held connection whose server goes away between two statements emits 'error': without a
    // listener that would end the process; the transaction's next statement reports it instead.
    const onError = () => undefined;
    client.on('error', onError);
    const outcome = await inTransaction(client, fn);
    client.off('error', onError);
    if ('result' in outcome) {
      client.release();
      return outcome.result;
    }
    client.release(outcome.broken ? true : undefined);
    throw outcome.error; // the store's as StoreError, fn's own as they are
  }

  /** A round trip per statement either way on PostgreSQL: a batch is a transaction. */
  batch(fn: (tx: Store) => Promise<void>): Promise<void> {
    return this.transaction(fn);
  }

  /** Every transaction holds a connection of its own: the pool itself serves the write-behind. */
  async writerConnection(): Promise<Store> {
    return this;
  }

  /** Once: a second close (a shutdown path and a test's teardown) waits for the first. */
  close(): Promise<void> {
    return (this.closing ??= this.pool.end());
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    const session = new PgTransaction(client);
    try {
      await session.run('SELECT pg_advisory_lock(?)', [MIGRATION_LOCK]);
      await session.exec(forPostgres('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)'));
      const current = (await session.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations'))?.v ?? 0;
      for (const [index, migration] of MIGRATIONS.entries()) {
        const version = index + 1;
        if (version <= current) continue;
        // DDL is transactional in PostgreSQL and references are checked as rows change: a
        // migration is all or nothing, with no SQLite-style check before commit.
        const outcome = await inTransaction(client, async (tx) => {
          await tx.exec(migrationSql(migration, 'postgres'));
          await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [version, Date.now()]);
        });
        if ('error' in outcome) throw new Error(`migration ${version}: ${(outcome.error as Error).message}`, { cause: outcome.error });
      }
      await session.run('SELECT pg_advisory_unlock(?)', [MIGRATION_LOCK]);
      client.release();
    } catch (err) {
      client.release(true); // the session lock goes with the connection
      throw err;
    }
  }
}

/** The process's time zone (TZ, or the system's), for the server session. */
function localZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return /^[A-Za-z0-9_+\-/]+$/.test(zone) ? zone : 'UTC';
}

/** host:port/database of a postgres:// URL, without user or password (for logs and errors). */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(an unreadable URL)';
  }
}
