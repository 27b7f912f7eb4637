// Recording search for supervisors: by incident, caller number, seat and time, newest first.
import type { Database } from './database';
import { RECORDING_COLUMNS, type RecordingRow } from './recordings-repo';

export type RecordingHit = RecordingRow & { callerNumber: string };

export interface RecordingQuery {
  incident?: string;
  /** Exact match on the number as received from the network. */
  callerNumber?: string;
  seat?: string;
  /** Started at or after `from` and before `to` (ms), like the stats period: [from, to). */
  from?: number;
  to?: number;
  limit: number;
  beforeId?: number;
}

const SELECT = `SELECT ${RECORDING_COLUMNS}, i.caller_number AS "callerNumber" FROM recordings r JOIN incidents i ON i.id = r.incident_id`;

/** Newest first; `beforeId` pages backwards like IncidentsRepo.list(). */
export function searchRecordings(db: Database, q: RecordingQuery): Promise<RecordingHit[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    if (value === undefined) return;
    where.push(sql);
    params.push(value);
  };
  add('i.number = ?', q.incident);
  add('i.caller_number = ?', q.callerNumber);
  add('r.seat_id = ?', q.seat);
  add('r.started_at >= ?', q.from);
  add('r.started_at < ?', q.to);
  add('r.id < ?', q.beforeId);
  // Search by officer waits for the officers table (dispatch): recordings only know seats today.
  return db.all<RecordingHit>(`${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT ?`, [...params, q.limit]);
}

export function findRecording(db: Database, id: number): Promise<RecordingHit | undefined> {
  return db.get<RecordingHit>(`${SELECT} WHERE r.id = ?`, [id]);
}
