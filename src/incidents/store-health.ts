// The store as /health reports it: down while incident writes fail or stall (the writer knows at
// once, without a query that would itself wait for the lock), or while reads get no answer.
import type { StoreStatus } from './incident-writer';

export interface StoreHealth {
  up: boolean;
  writeQueue: number;
  failingSince?: number;
  error?: string;
}

export async function storeHealth(writes: StoreStatus, ping: () => Promise<boolean>): Promise<StoreHealth> {
  if (!writes.up) return { up: false, writeQueue: writes.queued, failingSince: writes.failingSince ?? Date.now(), error: writes.error ?? 'writes fail' };
  if (await ping()) return { up: true, writeQueue: writes.queued };
  return { up: false, writeQueue: writes.queued, error: 'the store does not answer a query (locked or failing)' };
}
