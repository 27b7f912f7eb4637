// The outbox: HTTP hand-overs (12345 platform, units' webhooks) written down before they are sent,
// so a receiver that is down, or a restart of ours, loses nothing.
import type { Database } from './database';

/**
 * For the lead to append to MIGRATIONS. UNIQUE idempotency_key makes a second enqueue of the same
 * hand-over a no-op; the partial index keeps the worker's "what is due" query small however many
 * delivered rows pile up.
 */
export const OUTBOX_MIGRATION = `
  CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,          -- what it is, for status and filtering: 'transfer12345', 'unit-webhook', ...
    url             TEXT    NOT NULL,
    headers         TEXT    NOT NULL DEFAULT '{}', -- JSON object, sent as is (may hold credentials: never listed)
    body            TEXT    NOT NULL,          -- JSON, sent verbatim
    idempotency_key TEXT    NOT NULL UNIQUE,   -- also sent as Idempotency-Key: the receiver drops repeats
    created_at      INTEGER NOT NULL,          -- ms since epoch
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         INTEGER NOT NULL,          -- ms since epoch: not tried again before this
    delivered_at    INTEGER,                   -- null until a 2xx
    last_error      TEXT
  );
  CREATE INDEX outbox_due ON outbox (next_at, id) WHERE delivered_at IS NULL;
`;

export interface NewOutboxRow {
  kind: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  key: string;
  at: number;
}

/** A row as the worker sends it. */
export interface OutboxItem {
  id: number;
  kind: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  key: string;
  attempts: number;
}

/** A row as status shows it: no headers, since they may carry tokens. */
export interface OutboxEntry {
  id: number;
  kind: string;
  url: string;
  key: string;
  createdAt: number;
  attempts: number;
  nextAt: number;
  deliveredAt: number | null;
  lastError: string | null;
}

export class OutboxRepo {
  constructor(private readonly db: Database) {}

  /** Inserts unless the key exists (the first row wins). Returns the row's id and whether it is new. */
  async insert(row: NewOutboxRow): Promise<{ id: number; created: boolean }> {
    const { changes } = await this.db.run(
      `INSERT INTO outbox (kind, url, headers, body, idempotency_key, created_at, next_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
      [row.kind, row.url, JSON.stringify(row.headers), row.body, row.key, row.at, row.at],
    );
    const found = await this.db.get<{ id: number }>('SELECT id FROM outbox WHERE idempotency_key = ?', [row.key]);
    return { id: found!.id, created: changes === 1 };
  }

  /**
   * The oldest undelivered row that is due. Due rows only, so that one receiver in backoff does not
   * hold up hand-overs to the others.
   */
  async nextDue(now: number): Promise<OutboxItem | undefined> {
    const row = await this.db.get<Omit<OutboxItem, 'headers'> & { headers: string }>(
      `SELECT id, kind, url, headers, body, idempotency_key AS key, attempts FROM outbox
       WHERE delivered_at IS NULL AND next_at <= ? ORDER BY id LIMIT 1`,
      [now],
    );
    return row && { ...row, headers: JSON.parse(row.headers) as Record<string, string> };
  }

  /** When the next undelivered row falls due (ms), or undefined if there is none. */
  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db.get<{ at: number | null }>('SELECT MIN(next_at) AS at FROM outbox WHERE delivered_at IS NULL');
    return row?.at ?? undefined;
  }

  async markDelivered(id: number, at: number): Promise<void> {
    await this.db.run('UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?', [at, id]);
  }

  async markFailed(id: number, attempts: number, nextAt: number, error: string): Promise<void> {
    await this.db.run('UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?', [attempts, nextAt, error, id]);
  }

  async countPending(kind?: string): Promise<number> {
    const row = kind === undefined
      ? await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL')
      : await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND kind = ?', [kind]);
    return row?.n ?? 0;
  }

  /** Newest first. */
  async list(limit: number): Promise<OutboxEntry[]> {
    return this.db.all<OutboxEntry>(
      `SELECT id, kind, url, idempotency_key AS key, created_at AS "createdAt", attempts, next_at AS "nextAt",
         delivered_at AS "deliveredAt", last_error AS "lastError"
       FROM outbox ORDER BY id DESC LIMIT ?`,
      [limit],
    );
  }
}
