// Follow-ups (回访) of closed incidents (src/followup/): one row per incident, durable, so that a
// scheduled call survives a restart and the results feed the statistics.
import type { Database } from './database';

/**
 * For MIGRATIONS. UNIQUE incident_id: a second close event schedules nothing twice. seat_id and
 * unit_id are copied at scheduling time, for statistics per call-taker and per unit.
 */
export const FOLLOW_UPS_MIGRATION = `
  CREATE TABLE follow_ups (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL UNIQUE REFERENCES incidents (id),
    channel       TEXT    NOT NULL,          -- voice | sms
    reason        TEXT    NOT NULL,          -- major | share
    state         TEXT    NOT NULL,          -- scheduled | calling | answered | not_reached
    number        TEXT    NOT NULL,          -- whom to call: the incident's caller number
    seat_id       TEXT,                      -- the call-taker's seat that answered the incident
    unit_id       TEXT,                      -- the unit that handled it (dispatch), if any
    scheduled_at  INTEGER NOT NULL,          -- ms since epoch
    due_at        INTEGER NOT NULL,          -- next attempt not before this
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_result   TEXT,                      -- why the last attempt reached nobody
    finished_at   INTEGER,                   -- answered or given up
    speed         INTEGER CHECK (speed BETWEEN 1 AND 5),
    attitude      INTEGER CHECK (attitude BETWEEN 1 AND 5),
    efficiency    INTEGER CHECK (efficiency BETWEEN 1 AND 5),
    verification  TEXT,                      -- the unit's answer to an unsatisfied result
    verified_by   TEXT,
    verified_at   INTEGER
  );
  CREATE INDEX follow_ups_due ON follow_ups (due_at) WHERE state = 'scheduled';
  CREATE INDEX follow_ups_finished ON follow_ups (finished_at);
`;

export type StoredState = 'scheduled' | 'calling' | 'answered' | 'not_reached';

export interface FollowUpRow {
  id: number;
  incidentId: number;
  incident: string;
  channel: string;
  reason: string;
  state: StoredState;
  number: string;
  seatId: string | null;
  unitId: string | null;
  scheduledAt: number;
  dueAt: number;
  attempts: number;
  lastResult: string | null;
  finishedAt: number | null;
  speed: number | null;
  attitude: number | null;
  efficiency: number | null;
  verification: string | null;
  verifiedBy: string | null;
  verifiedAt: number | null;
}

export interface NewFollowUp {
  incidentId: number;
  channel: string;
  reason: string;
  number: string;
  seatId: string | null;
  unitId: string | null;
  scheduledAt: number;
  dueAt: number;
}

const SELECT = `SELECT f.id, f.incident_id AS "incidentId", i.number AS incident, f.channel, f.reason, f.state, f.number,
    f.seat_id AS "seatId", f.unit_id AS "unitId", f.scheduled_at AS "scheduledAt", f.due_at AS "dueAt", f.attempts,
    f.last_result AS "lastResult", f.finished_at AS "finishedAt", f.speed, f.attitude, f.efficiency,
    f.verification, f.verified_by AS "verifiedBy", f.verified_at AS "verifiedAt"
  FROM follow_ups f JOIN incidents i ON i.id = f.incident_id`;

export class FollowUpsRepo {
  constructor(private readonly db: Database) {}

  /** Inserts unless the incident has one; returns the new row's id, or undefined. */
  async insert(f: NewFollowUp): Promise<number | undefined> {
    const { changes } = await this.db.run(
      `INSERT INTO follow_ups (incident_id, channel, reason, state, number, seat_id, unit_id, scheduled_at, due_at)
       VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?, ?) ON CONFLICT (incident_id) DO NOTHING`,
      [f.incidentId, f.channel, f.reason, f.number, f.seatId, f.unitId, f.scheduledAt, f.dueAt],
    );
    if (changes === 0) return undefined;
    return (await this.db.get<{ id: number }>('SELECT id FROM follow_ups WHERE incident_id = ?', [f.incidentId]))!.id;
  }

  find(id: number): Promise<FollowUpRow | undefined> {
    return this.db.get<FollowUpRow>(`${SELECT} WHERE f.id = ?`, [id]);
  }

  forIncident(incidentId: number): Promise<FollowUpRow | undefined> {
    return this.db.get<FollowUpRow>(`${SELECT} WHERE f.incident_id = ?`, [incidentId]);
  }

  due(now: number, limit: number): Promise<FollowUpRow[]> {
    return this.db.all<FollowUpRow>(`${SELECT} WHERE f.state = 'scheduled' AND f.due_at <= ? ORDER BY f.due_at, f.id LIMIT ?`, [now, limit]);
  }

  /** When the next scheduled one is due (undefined: none). */
  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db.get<{ at: number | null }>(`SELECT MIN(due_at) AS at FROM follow_ups WHERE state = 'scheduled'`);
    return row?.at ?? undefined;
  }

  /** scheduled → calling, counting the attempt; false if another worker (or a race) took it. */
  async claim(id: number): Promise<boolean> {
    const { changes } = await this.db.run(`UPDATE follow_ups SET state = 'calling', attempts = attempts + 1 WHERE id = ? AND state = 'scheduled'`, [id]);
    return changes === 1;
  }

  async reschedule(id: number, dueAt: number, lastResult: string): Promise<void> {
    await this.db.run(`UPDATE follow_ups SET state = 'scheduled', due_at = ?, last_result = ? WHERE id = ? AND state = 'calling'`, [dueAt, lastResult, id]);
  }

  async answered(id: number, at: number, s: { speed: number | null; attitude: number | null; efficiency: number | null }): Promise<void> {
    await this.db.run(`UPDATE follow_ups SET state = 'answered', finished_at = ?, speed = ?, attitude = ?, efficiency = ? WHERE id = ? AND state = 'calling'`, [at, s.speed, s.attitude, s.efficiency, id]);
  }

  async notReached(id: number, at: number, lastResult: string): Promise<void> {
    await this.db.run(`UPDATE follow_ups SET state = 'not_reached', finished_at = ?, last_result = ? WHERE id = ? AND state = 'calling'`, [at, lastResult, id]);
  }

  /** Calls a stopped (or dead) service left in progress: rung again from `now`. */
  async interrupted(now: number): Promise<number> {
    const { changes } = await this.db.run(`UPDATE follow_ups SET state = 'scheduled', due_at = ?, last_result = 'interrupted' WHERE state = 'calling'`, [now]);
    return changes;
  }

  /**
   * Incidents closed since `since` that have no follow-up row: those a process closed and died
   * before scheduling (the close and the schedule are two writes). Some were rightly not picked.
   */
  closedWithout(since: number): Promise<{ incidentId: number; closedAt: number }[]> {
    return this.db.all<{ incidentId: number; closedAt: number }>(
      `SELECT d.incident_id AS "incidentId", d.closed_at AS "closedAt" FROM incident_dispatch d
       WHERE d.closed_at >= ? AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.incident_id = d.incident_id) ORDER BY d.closed_at`,
      [since],
    );
  }

  /** The unit's answer, once: false if there is one already. */
  async verify(id: number, v: { answer: string; by: string; at: number }): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE follow_ups SET verification = ?, verified_by = ?, verified_at = ? WHERE id = ? AND verified_at IS NULL', [v.answer, v.by, v.at, id]);
    return changes === 1;
  }

  /** Finished (answered or not reached) in [from, to), for the statistics. */
  finishedBetween(from: number, to: number): Promise<FollowUpRow[]> {
    return this.db.all<FollowUpRow>(`${SELECT} WHERE f.finished_at >= ? AND f.finished_at < ? ORDER BY f.finished_at, f.id`, [from, to]);
  }
}
