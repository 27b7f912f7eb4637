// Recording retention: which audio files are past their time, and marking them deleted. The row,
// its hash and its access trail stay: what was recorded and who listened remains on record.
import type { Database } from './database';

/** For the lead to append to MIGRATIONS. */
export const RETENTION_MIGRATION = `
  ALTER TABLE recordings ADD COLUMN deleted_at INTEGER;  -- ms since epoch: retention removed the audio file
  CREATE INDEX recordings_retention ON recordings (ended_at) WHERE deleted_at IS NULL;
`;

export interface ExpiredRecording {
  id: number;
  incidentNumber: string;
  path: string;
  size: number;
  /** The incident's call has not ended: its recordings are evidence in use and never deleted. */
  incidentOpen: boolean;
}

export class RetentionRepo {
  constructor(private readonly db: Database) {}

  /** Recordings that still have their file and ended before `cutoff` (ms), oldest first. */
  async expired(cutoff: number): Promise<ExpiredRecording[]> {
    // 1/0 written out: PostgreSQL's `IS NULL` is a boolean, SQLite's an integer.
    const rows = await this.db.all<Omit<ExpiredRecording, 'incidentOpen'> & { incidentOpen: number }>(
      `SELECT r.id, i.number AS "incidentNumber", r.path, r.size, CASE WHEN i.ended_at IS NULL THEN 1 ELSE 0 END AS "incidentOpen"
       FROM recordings r JOIN incidents i ON i.id = r.incident_id
       WHERE r.deleted_at IS NULL AND r.ended_at < ? ORDER BY r.ended_at, r.id`,
      [cutoff],
    );
    return rows.map((r) => ({ ...r, incidentOpen: r.incidentOpen === 1 }));
  }

  async markDeleted(id: number, at: number): Promise<void> {
    await this.db.run('UPDATE recordings SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL', [at, id]);
  }

  async countWithAudio(): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM recordings WHERE deleted_at IS NULL');
    return row?.n ?? 0;
  }
}
