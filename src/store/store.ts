// The store port: what the repositories need from a SQL engine, whichever it is. Two engines sit
// behind it: SQLite (sqlite-store.ts, the embedded default for one node) and PostgreSQL
// (pg-store.ts, the shared store of several nodes, issue #16). SQL is written once, with `?`
// placeholders; where the two dialects differ the repository asks `dialect` and says why.
export type Row = Record<string, unknown>;

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly dialect: Dialect;
  /** A statement without rows; `changes` is how many rows it wrote. (Ids come by `RETURNING id`.) */
  run(sql: string, params?: unknown[]): Promise<{ changes: number }>;
  get<T = Row>(sql: string, params?: unknown[]): Promise<T | undefined>;
  all<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (schema changes). */
  exec(sql: string): Promise<void>;
  /**
   * Runs fn in one transaction, all or nothing. Statements of the transaction go through `tx`:
   * on PostgreSQL it is the one pooled connection the transaction holds, so nothing else the
   * service does at the same time is taken into it (or rolled back with it).
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * A transaction for writes whose outcome nobody reads (the write-behind's batches): on SQLite its
   * writes are sent together (sqlite-batch.ts), so `run` resolves before its statement ran, its
   * `changes` is unknown, and a failing write fails the batch at its next read or at commit.
   */
  batch(fn: (tx: Store) => Promise<void>): Promise<void>;
  /** The store to hand the incidents' write-behind (its batches must take in nothing else). */
  writerConnection(): Promise<Store>;
  /** False if the store does not answer within timeoutMs (locked, or unreachable). */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Resolves to false after timeoutMs; used by both engines' ping(). */
export async function answersWithin(query: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([query().then(() => true), late]);
  } catch {
    return false; // reported as "database down" by /health; the error itself is not useful there
  } finally {
    clearTimeout(timer);
  }
}
