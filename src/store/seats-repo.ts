// Seat states (so a restart finds who was logged in) and the seat event log supervisors read.
import type { Database } from './database';

export interface SeatRow {
  id: string;
  state: string;
  reason: string | null;
  since: number;
  idleSince: number;
  /** The channel of a nailed seat's connection, while it is up. */
  nailedChannel: string | null;
}

export interface SeatEventRow {
  seatId: string;
  at: number;
  kind: string;
  detail: Record<string, unknown>;
}

export class SeatsRepo {
  constructor(private readonly db: Database) {}

  all(): Promise<SeatRow[]> {
    return this.db.all<SeatRow>('SELECT id, state, reason, since, idle_since AS "idleSince", nailed_channel AS "nailedChannel" FROM seats');
  }

  async save(seat: SeatRow): Promise<void> {
    await this.db.run(
      `INSERT INTO seats (id, state, reason, since, idle_since, nailed_channel) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, idle_since = excluded.idle_since, nailed_channel = excluded.nailed_channel`,
      [seat.id, seat.state, seat.reason, seat.since, seat.idleSince, seat.nailedChannel],
    );
  }

  async addEvent(seatId: string, kind: string, detail: Record<string, unknown>, at = Date.now()): Promise<void> {
    await this.db.run('INSERT INTO seat_events (seat_id, at, kind, detail) VALUES (?, ?, ?, ?)', [seatId, at, kind, JSON.stringify(detail)]);
  }

  async events(limit: number): Promise<SeatEventRow[]> {
    const rows = await this.db.all<{ seatId: string; at: number; kind: string; detail: string }>(
      'SELECT seat_id AS "seatId", at, kind, detail FROM seat_events ORDER BY id DESC LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
