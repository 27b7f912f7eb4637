// Daily spot-checks: the sample of a day's handled calls and the supervisors' scores on them.
import type { Database } from './database';

/** For the lead to append to MIGRATIONS. UNIQUE (day, incident_id) also serves the by-day listing. */
export const SPOT_CHECKS_MIGRATION = `
  CREATE TABLE spot_checks (
    id          INTEGER PRIMARY KEY,
    day         TEXT    NOT NULL,          -- YYYY-MM-DD, local time of the centre: the day the call arrived
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    drawn_at    INTEGER NOT NULL,          -- ms since epoch; one value for the whole sample of a day
    scored_at   INTEGER,                   -- null until scored; a score is final
    scorer      TEXT,
    speed       INTEGER CHECK (speed BETWEEN 1 AND 5),
    attitude    INTEGER CHECK (attitude BETWEEN 1 AND 5),
    correctness INTEGER CHECK (correctness BETWEEN 1 AND 5),
    note        TEXT,
    UNIQUE (day, incident_id)
  );
  CREATE INDEX spot_checks_incident ON spot_checks (incident_id);
`;

export interface SpotCheckRow {
  id: number;
  day: string;
  incidentNumber: string;
  callerNumber: string;
  seatId: string | null;
  arrivedAt: number;
  answeredAt: number;
  endedAt: number;
  /** Recording rows of the incident (pieces), whether or not retention removed their audio since. */
  recordings: number;
  drawnAt: number;
  scoredAt: number | null;
  scorer: string | null;
  speed: number | null;
  attitude: number | null;
  correctness: number | null;
  note: string | null;
}

export interface NewScore {
  scorer: string;
  at: number;
  speed: number;
  attitude: number;
  correctness: number;
  note: string | null;
}

const SELECT = `SELECT s.id, s.day, i.number AS "incidentNumber", i.caller_number AS "callerNumber", i.seat_id AS "seatId",
    i.arrived_at AS "arrivedAt", i.answered_at AS "answeredAt", i.ended_at AS "endedAt",
    (SELECT COUNT(*) FROM recordings r WHERE r.incident_id = s.incident_id) AS recordings,
    s.drawn_at AS "drawnAt", s.scored_at AS "scoredAt", s.scorer, s.speed, s.attitude, s.correctness, s.note
  FROM spot_checks s JOIN incidents i ON i.id = s.incident_id`;

export class SpotChecksRepo {
  constructor(private readonly db: Database) {}

  /** Calls that arrived in [from, to), were answered by a call-taker and have ended; by id, so a seeded draw repeats. */
  async handledIncidentIds(from: number, to: number): Promise<number[]> {
    const rows = await this.db.all<{ id: number }>(
      'SELECT id FROM incidents WHERE arrived_at >= ? AND arrived_at < ? AND answered_at IS NOT NULL AND ended_at IS NOT NULL ORDER BY id',
      [from, to],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Stores the sample unless the day already has one, in one statement: SQLite runs it atomically,
   * so two draws at once cannot both insert (the loser inserts nothing). Returns the rows inserted.
   */
  async insertSample(day: string, incidentIds: number[], drawnAt: number): Promise<number> {
    if (this.db.dialect === 'postgres') return this.insertSamplePg(day, incidentIds, drawnAt);
    const { changes } = await this.db.run(
      `INSERT INTO spot_checks (day, incident_id, drawn_at)
       SELECT ?, j.value, ? FROM json_each(?) j
       WHERE NOT EXISTS (SELECT 1 FROM spot_checks WHERE day = ?)`,
      [day, drawnAt, JSON.stringify(incidentIds), day],
    );
    return changes;
  }

  /**
   * The same on PostgreSQL, where two such statements at once can both see no sample (READ
   * COMMITTED): a lock on the day, held to the commit, makes the second wait and then see the first.
   */
  private insertSamplePg(day: string, incidentIds: number[], drawnAt: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.run("SELECT pg_advisory_xact_lock(hashtext('spot_checks:' || ?))", [day]);
      const { changes } = await tx.run(
        `INSERT INTO spot_checks (day, incident_id, drawn_at)
         SELECT ?, j.value::bigint, ?::bigint FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS j (value, n)
         WHERE NOT EXISTS (SELECT 1 FROM spot_checks WHERE day = ?) ORDER BY j.n`,
        [day, drawnAt, JSON.stringify(incidentIds), day],
      );
      return changes;
    });
  }

  forDay(day: string): Promise<SpotCheckRow[]> {
    return this.db.all<SpotCheckRow>(`${SELECT} WHERE s.day = ? ORDER BY i.arrived_at, s.id`, [day]);
  }

  find(id: number): Promise<SpotCheckRow | undefined> {
    return this.db.get<SpotCheckRow>(`${SELECT} WHERE s.id = ?`, [id]);
  }

  /** Only an unscored item takes a score (false otherwise): a score is final, and races cannot overwrite one. */
  async score(id: number, s: NewScore): Promise<boolean> {
    const { changes } = await this.db.run(
      'UPDATE spot_checks SET scored_at = ?, scorer = ?, speed = ?, attitude = ?, correctness = ?, note = ? WHERE id = ? AND scored_at IS NULL',
      [s.at, s.scorer, s.speed, s.attitude, s.correctness, s.note, id],
    );
    return changes === 1;
  }
}
