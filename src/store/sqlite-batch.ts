// A SQLite transaction whose writes are sent together. node-sqlite3 costs, per statement, a call
// into the addon, a job on libuv's thread pool (a thread woken, then the JS thread woken for the
// result) and a promise: for the write-behind's batches (a call's ~30 small writes: timeline,
// seats, audit entries) that was most of the service's store work per call (issue #15). Here the
// writes of a batch are rendered with their values as SQL literals and run as one script
// (sqlite3_exec: one job for all of them) when the batch reads something or commits.
//
// Only for writes whose outcome nobody reads: `run` resolves before its statement ran, so its
// `changes` is not known (reading it throws), and a write's error surfaces at the next read or at
// COMMIT, failing the whole batch (which the write-behind retries, or splits to find the bad one).
// A value that cannot be written as a literal exactly (a string with NUL, a Buffer, NaN) sends the
// queue first and then runs that statement with bound parameters, as before.
import type { Row, Store } from './store';

/** The literal SQLite reads back as exactly this value, or undefined when there is none. */
export function sqlLiteral(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0'; // what node-sqlite3 binds
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // Integers as integers (SQLite's INTEGER affinity); others in JS's shortest exact form.
    return Number.isSafeInteger(value) || !Number.isInteger(value) ? String(value) : undefined;
  }
  if (typeof value === 'string') {
    // sqlite3_exec reads C strings: a NUL would end the script inside the literal.
    if (value.includes('\0')) return undefined;
    return `'${value.replace(/'/g, "''")}'`;
  }
  return undefined;
}

/**
 * The statement with each `?` outside quotes replaced by its value's literal; undefined when a
 * value has no exact literal or the count of placeholders is not the count of values (the bound
 * statement then reports that error as SQLite words it).
 */
export function inlineParams(sql: string, params: readonly unknown[]): string | undefined {
  let out = '';
  let next = 0;
  let quote: string | null = null;
  let from = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = null; // a doubled quote closes and reopens: same result
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '?') {
      if (next >= params.length || /[0-9]/.test(sql[i + 1] ?? '')) return undefined;
      const literal = sqlLiteral(params[next++]);
      if (literal === undefined) return undefined;
      out += sql.slice(from, i) + literal;
      from = i + 1;
    }
  }
  return next === params.length ? out + sql.slice(from) : undefined;
}

/** A write of a batch: resolved at once, its statement still to be sent. */
export const UNKNOWN_CHANGES: { readonly changes: number } = Object.freeze({
  get changes(): number {
    throw new Error('a batched write does not know how many rows it changed: run it in transaction(), not batch()');
  },
});

type Connection = Pick<Store, 'run' | 'get' | 'all' | 'exec' | 'ping'>;

/** The `tx` of SqliteStore.batch(): writes queue up as one script, reads send the queue first. */
export class SqliteBatch implements Store {
  readonly dialect = 'sqlite';
  private script: string[] = [];

  constructor(private readonly conn: Connection) {}

  async run(sql: string, params: unknown[] = []): Promise<{ changes: number }> {
    const inlined = inlineParams(sql, params);
    if (inlined !== undefined) {
      this.script.push(inlined);
      return UNKNOWN_CHANGES;
    }
    await this.send();
    return this.conn.run(sql, params);
  }

  async get<T = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    await this.send();
    return this.conn.get<T>(sql, params);
  }

  async all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    await this.send();
    return this.conn.all<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    this.script.push(sql);
  }

  /** Runs what is queued, in one call. Statements are split by a line of their own: a statement may end in a `--` comment. */
  async send(): Promise<void> {
    if (!this.script.length) return;
    const script = this.script.join('\n;\n');
    this.script = [];
    await this.conn.exec(script);
  }

  transaction<T>(): Promise<T> {
    return Promise.reject(new Error('a transaction inside a batch'));
  }

  batch(): Promise<void> {
    return this.transaction();
  }

  writerConnection(): Promise<Store> {
    return Promise.reject(new Error('a batch has no writer connection'));
  }

  ping(timeoutMs?: number): Promise<boolean> {
    return this.conn.ping(timeoutMs);
  }

  async close(): Promise<void> {} // the batch gives its connection back, not its user
}
