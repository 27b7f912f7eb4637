// Recordings of record: one row per stored file, written only after the file is safely on disk.
import type { Database } from './database';

export interface RecordingRow {
  id: number;
  incidentId: number;
  incidentNumber: string;
  seq: number;
  name: string;
  path: string;
  source: string;
  seatId: string | null;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  size: number;
  sha256: string;
}

export type NewRecording = Omit<RecordingRow, 'id' | 'seq' | 'incidentNumber'>;

export const RECORDING_COLUMNS = `r.id, r.incident_id AS "incidentId", i.number AS "incidentNumber", r.seq, r.name, r.path, r.source,
  r.seat_id AS "seatId", r.started_at AS "startedAt", r.ended_at AS "endedAt", r.duration_ms AS "durationMs", r.size, r.sha256`;

export class RecordingsRepo {
  constructor(private readonly db: Database) {}

  /** Next piece number of an incident (pieces stay in recording order). */
  async nextSeq(incidentId: number): Promise<number> {
    const row = await this.db.get<{ n: number | null }>('SELECT MAX(seq) AS n FROM recordings WHERE incident_id = ?', [incidentId]);
    return (row?.n ?? 0) + 1;
  }

  async insert(rec: NewRecording & { seq: number }): Promise<number> {
    const { id } = (await this.db.get<{ id: number }>(
      `INSERT INTO recordings (incident_id, seq, name, path, source, seat_id, started_at, ended_at, duration_ms, size, sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [rec.incidentId, rec.seq, rec.name, rec.path, rec.source, rec.seatId, rec.startedAt, rec.endedAt, rec.durationMs, rec.size, rec.sha256],
    ))!;
    return id;
  }

  findByName(name: string): Promise<RecordingRow | undefined> {
    return this.db.get<RecordingRow>(`SELECT ${RECORDING_COLUMNS} FROM recordings r JOIN incidents i ON i.id = r.incident_id WHERE r.name = ?`, [name]);
  }

  forIncident(incidentId: number): Promise<RecordingRow[]> {
    return this.db.all<RecordingRow>(`SELECT ${RECORDING_COLUMNS} FROM recordings r JOIN incidents i ON i.id = r.incident_id WHERE r.incident_id = ? ORDER BY r.seq`, [incidentId]);
  }

  /** Every recording whose audio is kept (not deleted by retention), oldest first: the integrity check. */
  all(): Promise<RecordingRow[]> {
    return this.db.all<RecordingRow>(`SELECT ${RECORDING_COLUMNS} FROM recordings r JOIN incidents i ON i.id = r.incident_id WHERE r.deleted_at IS NULL ORDER BY r.id`);
  }
}
