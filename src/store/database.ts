// Opening the store: SQLite (a file path, or ':memory:') or PostgreSQL (a postgres:// URL), both
// behind the same port (store.ts), so that the repositories and their callers never know which.
import { PgStore, describePgUrl, type PgSettings } from './pg-store';
import { SqliteStore } from './sqlite-store';
import type { Store } from './store';

export type { Row } from './store';

/** The store as the repositories see it (store.ts). */
export type Database = Store;

/** The store part of the configuration (config/schema.ts). */
export interface StoreConfig {
  /** The SQLite file: the embedded store of one node. */
  path: string;
  /** A postgres:// URL: the shared store of several nodes; when set, `path` is not used. */
  url?: string;
  poolSize?: number;
}

export const isPostgresUrl = (target: string): boolean => /^postgres(ql)?:\/\//.test(target);

export const Database = {
  /** Opens (and migrates) the store at a SQLite path or a postgres:// URL. */
  open(target: string, pg: Partial<PgSettings> = {}): Promise<Database> {
    return isPostgresUrl(target) ? PgStore.open(target, pg) : SqliteStore.open(target);
  },
};

export function openStore(config: StoreConfig): Promise<Database> {
  return Database.open(config.url ?? config.path, config.poolSize === undefined ? {} : { poolSize: config.poolSize });
}

/** Where the store is, for logs: the file, or host:port/database without credentials. */
export function describeStore(config: StoreConfig): string {
  return config.url === undefined ? config.path : `postgres ${describePgUrl(config.url)}`;
}
