// The lease of the active service (src/cluster/): one row, who holds it and until when. Only on
// PostgreSQL, the store several services share; with SQLite there is one node and no lease.
//
// The expiry is written and compared in the database's clock (clock_timestamp()), so the clocks of
// the two nodes never meet: each node only measures durations on its own monotonic clock.
import type { Database } from './database';

export const LEASE_MIGRATION = `
  CREATE TABLE service_lease (
    name       TEXT    PRIMARY KEY,  -- 'active': the one role that is leased
    holder     TEXT    NOT NULL,     -- the holding process (host, pid, a random part)
    expires_at INTEGER NOT NULL      -- ms since epoch, in the database's clock
  );
`;

// The database's "now" in ms, as the statement runs (not as its transaction began).
const NOW_MS = '(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT';

export class LeaseRepo {
  constructor(private readonly db: Database) {}

  /**
   * Takes the lease for ttlMs from now, or renews it: only if `holder` holds it already, or if
   * it has expired. One statement, so two services claiming at once cannot both win.
   */
  async claim(holder: string, ttlMs: number): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO service_lease (name, holder, expires_at) VALUES ('active', ?, ${NOW_MS} + ?)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE service_lease.holder = EXCLUDED.holder OR service_lease.expires_at < ${NOW_MS}`,
      [holder, ttlMs],
    );
    return changes === 1;
  }

  /** Gives the lease up (a clean shutdown): the standby need not wait for it to expire. */
  async release(holder: string): Promise<void> {
    await this.db.run(`DELETE FROM service_lease WHERE name = 'active' AND holder = ?`, [holder]);
  }

  /** Who holds the lease and for how much longer (ms, negative once expired); for tests and logs. */
  async current(): Promise<{ holder: string; remainingMs: number } | undefined> {
    return this.db.get(`SELECT holder, expires_at - ${NOW_MS} AS "remainingMs" FROM service_lease WHERE name = 'active'`);
  }
}
