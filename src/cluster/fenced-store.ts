// The service's store, each statement of which first asks the lease (cluster/lease.ts): a
// service that was paused and lost its lease writes nothing more, not even a write-behind batch
// its timer flushes before any ARI event or request would have found the lease gone. (The lease's
// own connections are not behind this: they are how it renews.)
import { StoreError } from '../store/errors';
import type { Row, Store } from '../store/store';

export function fencedStore(inner: Store, acting: () => boolean): Store {
  // Async: a refusal is a rejected promise, as a failing store's is, never a throw in the caller.
  const check = async () => {
    if (!acting()) throw new StoreError('STORE_ERROR', 'not run: this service no longer holds the lease');
  };
  return {
    dialect: inner.dialect,
    run: async (sql: string, params?: unknown[]) => (await check(), inner.run(sql, params)),
    get: async <T = Row>(sql: string, params?: unknown[]) => (await check(), inner.get<T>(sql, params)),
    all: async <T = Row>(sql: string, params?: unknown[]) => (await check(), inner.all<T>(sql, params)),
    exec: async (sql: string) => (await check(), inner.exec(sql)),
    transaction: async <T>(fn: (tx: Store) => Promise<T>) => (await check(), inner.transaction((tx) => fn(fencedStore(tx, acting)))),
    batch: async (fn: (tx: Store) => Promise<void>) => (await check(), inner.batch((tx) => fn(fencedStore(tx, acting)))),
    writerConnection: async () => (await check(), fencedStore(await inner.writerConnection(), acting)),
    ping: (timeoutMs?: number) => inner.ping(timeoutMs),
    close: () => inner.close(),
  };
}
