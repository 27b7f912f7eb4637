// Read-only queries for the stats area: per-call timing over a period.
import type { Database } from './database';
import type { RecentCall } from '../stats/recent';

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

  /**
   * Calls that arrived in [fromMs, toMs), oldest first (uses the incidents_arrived index). Voice
   * calls only: a text report (trunk sms) is taken by a seat too, but its "answer" is a seat
   * opening a conversation, not a caller waiting for a voice: not in the 3-second figures.
   */
  answerTimes(fromMs: number, toMs: number): Promise<AnswerTimeRow[]> {
    return this.db.all<AnswerTimeRow>(
      `SELECT number, arrived_at AS "arrivedAt", offered_at AS "offeredAt", answered_at AS "answeredAt",
              abandoned_at AS "abandonedAt", seat_id AS "seatId",
              CASE WHEN delivery IN ('ring', 'nailed') THEN delivery END AS delivery
         FROM incidents
        WHERE arrived_at >= ? AND arrived_at < ? AND trunk <> 'sms'
        ORDER BY arrived_at, id`,
      [fromMs, toMs],
    );
  }

  /** Arrival, answer, abandon and end of the voice calls that arrived in [fromMs, toMs): the wallboard's last hour (stats/recent.ts). */
  recentCalls(fromMs: number, toMs: number): Promise<RecentCall[]> {
    return this.db.all<RecentCall>(
      `SELECT arrived_at AS "arrivedAt", answered_at AS "answeredAt", abandoned_at AS "abandonedAt", ended_at AS "endedAt"
         FROM incidents
        WHERE arrived_at >= ? AND arrived_at < ? AND trunk <> 'sms'
        ORDER BY arrived_at, id`,
      [fromMs, toMs],
    );
  }
}

export interface TransferStatsRow {
  day: string;
  category: string | null;
  transferred: number;
  failed: number;
}

/** Calls handed to 12345 per day (local) and category, and failed attempts, for incidents arriving in [from, to). */
export function transferStats(db: Database, fromMs: number, toMs: number): Promise<TransferStatsRow[]> {
  // The local day of a ms timestamp: the engines share no date function (PostgreSQL's session
  // runs in the service's time zone, pg-store.ts). Counts by CASE, nulls first: the same on both.
  const day = db.dialect === 'postgres' ? "to_char(to_timestamp(i.arrived_at / 1000.0), 'YYYY-MM-DD')" : "date(i.arrived_at / 1000, 'unixepoch', 'localtime')";
  return db.all<TransferStatsRow>(
    `SELECT ${day} AS day, i.category AS category,
            SUM(CASE WHEN e.kind = 'transfer_answered' THEN 1 ELSE 0 END) AS transferred,
            SUM(CASE WHEN e.kind = 'transfer_failed' THEN 1 ELSE 0 END) AS failed
     FROM incident_events e JOIN incidents i ON i.id = e.incident_id
     WHERE e.kind IN ('transfer_answered', 'transfer_failed') AND i.arrived_at >= ? AND i.arrived_at < ?
     GROUP BY day, i.category ORDER BY day, i.category NULLS FIRST`,
    [fromMs, toMs],
  );
}
