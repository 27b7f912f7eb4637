// Store errors that callers can branch on whatever the engine. SQLite's errors keep their own
// codes (SQLITE_CONSTRAINT, SQLITE_BUSY, ...: the write-behind and its tests know them); a
// PostgreSQL error becomes a StoreError with one of these codes, so that the same caller does the
// same thing: skip a write the store refuses for good, retry a store that is failing.
import { DatabaseError } from 'pg';

export type StoreErrorCode =
  /** A constraint refused the row (unique, foreign key, check, not null): retrying will not help. */
  | 'STORE_CONSTRAINT'
  /** The value does not fit the column (out of range, not a number): retrying will not help. */
  | 'STORE_INVALID'
  /** The store cannot be reached or cannot work (connection lost, shut down, disk full): retry. */
  | 'STORE_UNAVAILABLE'
  /** A conflicting transaction (deadlock, serialization, lock timeout): retry. */
  | 'STORE_BUSY'
  /** Anything else the server reports (e.g. a bad statement). */
  | 'STORE_ERROR';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** PostgreSQL's SQLSTATE, when the server sent one. */
    readonly sqlstate?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** By SQLSTATE class (the first two characters): https://www.postgresql.org/docs/current/errcodes-appendix.html */
const BY_CLASS: Record<string, StoreErrorCode> = {
  '23': 'STORE_CONSTRAINT', // integrity constraint violation
  '22': 'STORE_INVALID', // data exception
  '08': 'STORE_UNAVAILABLE', // connection exception
  '57': 'STORE_UNAVAILABLE', // operator intervention: admin/crash shutdown, cannot connect now
  '53': 'STORE_UNAVAILABLE', // insufficient resources: disk full, out of memory, too many connections
  '58': 'STORE_UNAVAILABLE', // system error (I/O)
  '40': 'STORE_BUSY', // transaction rollback: serialization failure, deadlock
  '55': 'STORE_BUSY', // object not in prerequisite state: lock not available
};

/**
 * A PostgreSQL error as a StoreError. Anything that is not the server's answer (ECONNREFUSED,
 * "Connection terminated unexpectedly", the pool's connect timeout) is the store being
 * unreachable: the write-behind must keep the writes and retry, never drop them.
 */
export function fromPg(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof DatabaseError && typeof err.code === 'string') {
    return new StoreError(BY_CLASS[err.code.slice(0, 2)] ?? 'STORE_ERROR', message, err.code, { cause: err });
  }
  return new StoreError('STORE_UNAVAILABLE', message, undefined, { cause: err });
}
