// Incidents and their timelines. Every call gets one incident; every step is a timeline row.
import type { Database } from './database';

export interface IncidentRow {
  id: number;
  number: string;
  callerNumber: string;
  callerName: string;
  callerRaw: string;
  trunk: string;
  channelId: string;
  state: string;
  arrivedAt: number;
  endedAt: number | null;
  priority: number;
  offeredAt: number | null;
  answeredAt: number | null;
  abandonedAt: number | null;
  seatId: string | null;
  delivery: string | null;
  seatChannelId: string | null;
  bridgeId: string | null;
  police: number | null;
  category: string | null;
  summary: string | null;
  caseRef: string | null;
}

export interface AbandonedRow {
  number: string;
  callerNumber: string;
  arrivedAt: number;
  at: number;
  waitMs: number;
  position: number;
  callbackAt: number | null;
  callbackSeat: string | null;
  callbackResult: string | null;
}

export interface TimelineRow {
  at: number;
  kind: string;
  detail: Record<string, unknown>;
}

export interface NewIncident {
  callerNumber: string;
  callerName: string;
  callerRaw: string;
  trunk: string;
  channelId: string;
  state: string;
  arrivedAt: number;
  priority: number;
}

const COLUMNS = `id, number, caller_number AS "callerNumber", caller_name AS "callerName", caller_raw AS "callerRaw", trunk,
  channel_id AS "channelId", state, arrived_at AS "arrivedAt", ended_at AS "endedAt", priority,
  offered_at AS "offeredAt", answered_at AS "answeredAt", abandoned_at AS "abandonedAt", seat_id AS "seatId",
  delivery, seat_channel_id AS "seatChannelId", bridge_id AS "bridgeId", police, category, summary, case_ref AS "caseRef"`;

/** The centre's local day of a time, YYYYMMDD: the first half of an incident number. */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
}

/** An incident whose id and number were allocated in memory (incidents/numbers.ts). */
export interface NumberedIncident extends NewIncident {
  id: number;
  number: string;
  caseRef: string | null;
}

/** incident_id, at, kind, detail: 4 values a row, well under both engines' limits per statement. */
const EVENTS_PER_INSERT = 200;

/** A timeline row written in a write-behind batch. */
export interface TimelineWrite {
  incidentId: number;
  at: number;
  kind: string;
  detail: Record<string, unknown>;
}

export class IncidentsRepo {
  /**
   * pendingEvents: in a write-behind batch, timeline rows are kept here and inserted many per
   * statement at the batch's end (a call stamps about a dozen; one statement each was most of the
   * store's work per call in a surge). Outside a batch (undefined) each is inserted at once.
   */
  constructor(
    private readonly db: Database,
    private readonly pendingEvents?: TimelineWrite[],
  ) {}

  /** The store under this repository: in a write-behind batch, its transaction (the audit chain appends there too). */
  get store(): Database {
    return this.db;
  }

  /**
   * The write-behind's view of this repository: a batch of its writes in one transaction.
   * `withRows` runs in that transaction once the batch's timeline rows are in (the audit chain
   * appends them there: one head read per batch, and no row without its entry or the reverse).
   */
  writeStore(withRows?: (tx: Database, rows: TimelineWrite[]) => Promise<void>): { batch(fn: (tx: IncidentsRepo) => Promise<void>): Promise<void> } {
    return {
      batch: (fn) =>
        this.db.batch(async (tx) => {
          const repo = new IncidentsRepo(tx, []);
          await fn(repo);
          const rows = await repo.insertPendingEvents();
          if (withRows && rows.length) await withRows(tx, rows);
        }),
    };
  }

  /** Where numbering starts: the highest id, and the sequences of today and later days. */
  async numbering(fromDay: string): Promise<{ maxId: number; days: { day: string; last: number }[] }> {
    const max = await this.db.get<{ maxId: number | null }>('SELECT MAX(id) AS "maxId" FROM incidents');
    const days = await this.db.all<{ day: string; last: number }>('SELECT day, last FROM incident_sequences WHERE day >= ?', [fromDay]);
    return { maxId: max?.maxId ?? 0, days };
  }

  async lastNumber(day: string): Promise<number> {
    return (await this.db.get<{ last: number }>('SELECT last FROM incident_sequences WHERE day = ?', [day]))?.last ?? 0;
  }

  /** Numbers up to `last` of the day may be in use: a restart continues after them. */
  async reserveNumbers(day: string, last: number): Promise<void> {
    await this.db.run(
      `INSERT INTO incident_sequences (day, last) VALUES (?, ?) ON CONFLICT (day) DO UPDATE
       SET last = CASE WHEN excluded.last > incident_sequences.last THEN excluded.last ELSE incident_sequences.last END`,
      [day, last],
    );
  }

  /** A clean shutdown gives back the reserved numbers it did not use (no gap after a restart). */
  async releaseNumbers(day: string, used: number): Promise<void> {
    await this.db.run('UPDATE incident_sequences SET last = ? WHERE day = ? AND last > ?', [used, day, used]);
  }

  /** Inserts an incident numbered in memory. */
  async insert(incident: NumberedIncident): Promise<void> {
    await this.db.run(
      `INSERT INTO incidents (id, number, caller_number, caller_name, caller_raw, trunk, channel_id, state, arrived_at, priority, case_ref)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [incident.id, incident.number, incident.callerNumber, incident.callerName, incident.callerRaw, incident.trunk, incident.channelId, incident.state, incident.arrivedAt, incident.priority, incident.caseRef],
    );
  }

  /**
   * Numbers from the store itself, in one atomic statement. For tests and tools only: the service
   * numbers in memory (incidents/numbers.ts) and must be the only one numbering its file.
   */
  async create(incident: NewIncident): Promise<IncidentRow> {
    const day = dayOf(incident.arrivedAt);
    const seq = await this.db.get<{ last: number }>(
      `INSERT INTO incident_sequences (day, last) VALUES (?, 1)
       ON CONFLICT (day) DO UPDATE SET last = incident_sequences.last + 1 RETURNING last`,
      [day],
    );
    const number = `${day}-${String(seq!.last).padStart(6, '0')}`;
    const { id } = (await this.db.get<{ id: number }>(
      `INSERT INTO incidents (number, caller_number, caller_name, caller_raw, trunk, channel_id, state, arrived_at, priority)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [number, incident.callerNumber, incident.callerName, incident.callerRaw, incident.trunk, incident.channelId, incident.state, incident.arrivedAt, incident.priority],
    ))!;
    return { id, number, ...incident, endedAt: null, offeredAt: null, answeredAt: null, abandonedAt: null, seatId: null, delivery: null, seatChannelId: null, bridgeId: null, police: null, category: null, summary: null, caseRef: null };
  }

  async addEvent(incidentId: number, kind: string, detail: Record<string, unknown> = {}, at = Date.now()): Promise<void> {
    if (this.pendingEvents) {
      this.pendingEvents.push({ incidentId, at, kind, detail });
      return;
    }
    await this.db.run('INSERT INTO incident_events (incident_id, at, kind, detail) VALUES (?, ?, ?, ?)', [
      incidentId,
      at,
      kind,
      JSON.stringify(detail),
    ]);
  }

  private async insertPendingEvents(): Promise<TimelineWrite[]> {
    const rows = this.pendingEvents!.splice(0);
    for (let i = 0; i < rows.length; i += EVENTS_PER_INSERT) {
      const chunk = rows.slice(i, i + EVENTS_PER_INSERT);
      await this.db.run(
        `INSERT INTO incident_events (incident_id, at, kind, detail) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((r) => [r.incidentId, r.at, r.kind, JSON.stringify(r.detail)]),
      );
    }
    return rows;
  }


  async setState(incidentId: number, state: string): Promise<void> {
    await this.db.run('UPDATE incidents SET state = ? WHERE id = ?', [state, incidentId]);
  }

  async markEnded(incidentId: number, at: number): Promise<void> {
    await this.db.run('UPDATE incidents SET ended_at = ? WHERE id = ? AND ended_at IS NULL', [at, incidentId]);
  }

  async classify(incidentId: number, c: { police: boolean; category: string | null; summary: string | null }): Promise<void> {
    await this.db.run('UPDATE incidents SET police = ?, category = ?, summary = ? WHERE id = ?', [c.police ? 1 : 0, c.category, c.summary, incidentId]);
  }

  async setCaseRef(incidentId: number, caseRef: string): Promise<void> {
    await this.db.run('UPDATE incidents SET case_ref = ? WHERE id = ?', [caseRef, incidentId]);
  }

  async markOffered(incidentId: number, at: number): Promise<void> {
    await this.db.run('UPDATE incidents SET offered_at = ? WHERE id = ? AND offered_at IS NULL', [at, incidentId]);
  }

  async markAnswered(incidentId: number, answer: { at: number; seatId: string | null; delivery: string; seatChannelId: string; bridgeId: string }): Promise<void> {
    await this.db.run(
      'UPDATE incidents SET answered_at = COALESCE(answered_at, ?), seat_id = ?, delivery = ?, seat_channel_id = ?, bridge_id = ? WHERE id = ?',
      [answer.at, answer.seatId, answer.delivery, answer.seatChannelId, answer.bridgeId, incidentId],
    );
  }

  /** The seat leg is gone but the caller stays (e.g. the seat left a conference). */
  async clearSeat(incidentId: number): Promise<void> {
    await this.db.run('UPDATE incidents SET seat_channel_id = NULL WHERE id = ?', [incidentId]);
  }

  async markAbandoned(incidentId: number, at: number, waitMs: number, position: number): Promise<void> {
    await this.db.run('UPDATE incidents SET abandoned_at = ? WHERE id = ? AND answered_at IS NULL', [at, incidentId]);
    await this.db.run('INSERT INTO abandoned_calls (incident_id, at, wait_ms, position) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [incidentId, at, waitMs, position]);
  }

  async markCallback(incidentId: number, at: number, seatId: string, result: string): Promise<void> {
    await this.db.run('UPDATE abandoned_calls SET callback_at = COALESCE(callback_at, ?), callback_seat = ?, callback_result = ? WHERE incident_id = ?', [at, seatId, result, incidentId]);
  }

  listAbandoned(limit: number, onlyWithoutCallback: boolean): Promise<AbandonedRow[]> {
    return this.db.all<AbandonedRow>(
      `SELECT i.number, i.caller_number AS "callerNumber", i.arrived_at AS "arrivedAt", a.at, a.wait_ms AS "waitMs", a.position,
              a.callback_at AS "callbackAt", a.callback_seat AS "callbackSeat", a.callback_result AS "callbackResult"
       FROM abandoned_calls a JOIN incidents i ON i.id = a.incident_id
       ${onlyWithoutCallback ? 'WHERE a.callback_at IS NULL' : ''}
       ORDER BY a.at DESC LIMIT ?`,
      [limit],
    );
  }

  findById(id: number): Promise<IncidentRow | undefined> {
    return this.db.get<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE id = ?`, [id]);
  }

  findByNumber(number: string): Promise<IncidentRow | undefined> {
    return this.db.get<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE number = ?`, [number]);
  }

  findByChannel(channelId: string): Promise<IncidentRow | undefined> {
    return this.db.get<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE channel_id = ?`, [channelId]);
  }

  /**
   * Incidents whose call has not ended: what a restarted service must find again. A text report
   * (trunk 'sms', src/texts/) has no call to find: its conversation is restored by the texts area.
   */
  listOpen(): Promise<IncidentRow[]> {
    return this.db.all<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE ended_at IS NULL AND trunk <> 'sms' ORDER BY id`);
  }

  /** Newest first; `beforeId` pages backwards without OFFSET's cost on a large table. */
  list(limit: number, beforeId?: number): Promise<IncidentRow[]> {
    return beforeId === undefined
      ? this.db.all<IncidentRow>(`SELECT ${COLUMNS} FROM incidents ORDER BY id DESC LIMIT ?`, [limit])
      : this.db.all<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE id < ? ORDER BY id DESC LIMIT ?`, [beforeId, limit]);
  }

  async timeline(incidentId: number): Promise<TimelineRow[]> {
    const rows = await this.db.all<{ at: number; kind: string; detail: string }>(
      'SELECT at, kind, detail FROM incident_events WHERE incident_id = ? ORDER BY id',
      [incidentId],
    );
    return rows.map((r) => ({ at: r.at, kind: r.kind, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
