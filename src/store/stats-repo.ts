// Read-only queries for the stats area: per-call timing over a period.
import type { Database } from './database';

export interface AnswerTimeRow {
  number: string;
  arrivedAt: number;
  offeredAt: number | null;
  answeredAt: number | null;
  abandonedAt: number | null;
  seatId: string | null;
  /** Only 'ring' or 'nailed'; any other stored value reads as null rather than lying to the type. */
  delivery: 'ring' | 'nailed' | null;
}

export class StatsRepo {
  constructor(private readonly db: Database) {}

  /** Calls that arrived in [fromMs, toMs), oldest first (uses the incidents_arrived index). */
  answerTimes(fromMs: number, toMs: number): Promise<AnswerTimeRow[]> {
    return this.db.all<AnswerTimeRow>(
      `SELECT number, arrived_at AS arrivedAt, offered_at AS offeredAt, answered_at AS answeredAt,
              abandoned_at AS abandonedAt, seat_id AS seatId,
              CASE WHEN delivery IN ('ring', 'nailed') THEN delivery END AS delivery
         FROM incidents
        WHERE arrived_at >= ? AND arrived_at < ?
        ORDER BY arrived_at, id`,
      [fromMs, toMs],
    );
  }
}
