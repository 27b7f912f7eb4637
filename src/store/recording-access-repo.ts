// Who listened to or downloaded which recording: append-only, so there is no update or delete here.
import type { Database } from './database';

export type AccessAction = 'listen' | 'download';

export interface NewAccess {
  recordingId: number;
  at: number;
  who: string;
  action: AccessAction;
  remote: string;
  /** The Range header as sent, or null when there was none. */
  range: string | null;
}

export type AccessRow = NewAccess & { id: number };

const COLUMNS = 'id, recording_id AS "recordingId", at, who, action, remote, "range"';

export class RecordingAccessRepo {
  constructor(private readonly db: Database) {}

  async record(a: NewAccess): Promise<number> {
    const { id } = (await this.db.get<{ id: number }>('INSERT INTO recording_access (recording_id, at, who, action, remote, "range") VALUES (?, ?, ?, ?, ?, ?) RETURNING id', [
      a.recordingId,
      a.at,
      a.who,
      a.action,
      a.remote,
      a.range,
    ]))!;
    return id;
  }

  /** Newest first; `beforeId` pages backwards. */
  list(q: { recordingId?: number; limit: number; beforeId?: number }): Promise<AccessRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.recordingId !== undefined) {
      where.push('recording_id = ?');
      params.push(q.recordingId);
    }
    if (q.beforeId !== undefined) {
      where.push('id < ?');
      params.push(q.beforeId);
    }
    return this.db.all<AccessRow>(`SELECT ${COLUMNS} FROM recording_access ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`, [...params, q.limit]);
  }
}
