// What flat dispatch knows about an incident: where the caller is (and how we know), who was
// sent, and the times that matter (dispatch call, officer answer, signed for, on scene). One row
// per incident, apart from the incidents table so that a call that is never dispatched costs
// nothing and the call-taking columns stay as they are.
import type { Database } from './database';

export const DISPATCH_MIGRATION = `
  CREATE TABLE incident_dispatch (
    incident_id         INTEGER PRIMARY KEY REFERENCES incidents (id),
    location_lon        REAL,
    location_lat        REAL,
    location_source     TEXT,             -- sip-pidf | lookup | pole | manual
    location_accuracy_m REAL,             -- radius in metres, when the source says
    location_at         INTEGER,          -- ms, when the service learnt it
    officer_id          TEXT,             -- the officer who answered (NULL: a duty line did)
    unit_id             TEXT,             -- the officer's unit, or the unit whose duty line answered
    dispatch_at         INTEGER,          -- ms, the first dispatch call was placed
    officer_answered_at INTEGER,          -- ms, an officer (or duty line) joined the caller
    officer_talk_ms     INTEGER,          -- arrival to that moment: the 30 s target
    signed_for_at       INTEGER,          -- ms, the officer's terminal signed for the incident
    on_scene_at         INTEGER,          -- ms, the officer's terminal reported arrival on scene
    closed_at           INTEGER           -- ms, the incident was closed (its officer is free again)
  );
  CREATE INDEX incident_dispatch_answered ON incident_dispatch (officer_answered_at);
`;

export interface DispatchRow {
  location: { lon: number; lat: number; source: string; accuracyM: number | null; at: number } | null;
  officerId: string | null;
  unitId: string | null;
  dispatchAt: number | null;
  officerAnsweredAt: number | null;
  officerTalkMs: number | null;
  signedForAt: number | null;
  onSceneAt: number | null;
  closedAt: number | null;
}

interface Stored extends Omit<DispatchRow, 'location'> {
  lon: number | null;
  lat: number | null;
  source: string | null;
  accuracyM: number | null;
  locationAt: number | null;
}

export interface DispatchStatsRow {
  dispatched: number;
  answered: number;
  within30s: number;
  talkMs: number[];
}

export interface AlertRow {
  incident: string;
  at: number;
  category: string;
  callerNumber: string;
  state: string;
}

const SELECT = `SELECT location_lon AS lon, location_lat AS lat, location_source AS source, location_accuracy_m AS "accuracyM",
  location_at AS "locationAt", officer_id AS "officerId", unit_id AS "unitId", dispatch_at AS "dispatchAt",
  officer_answered_at AS "officerAnsweredAt", officer_talk_ms AS "officerTalkMs", signed_for_at AS "signedForAt", on_scene_at AS "onSceneAt", closed_at AS "closedAt"
  FROM incident_dispatch`;

export class DispatchRepo {
  constructor(private readonly db: Database) {}

  async get(incidentId: number): Promise<DispatchRow | undefined> {
    const row = await this.db.get<Stored>(`${SELECT} WHERE incident_id = ?`, [incidentId]);
    if (!row) return undefined;
    const { lon, lat, source, accuracyM, locationAt, ...rest } = row;
    return { ...rest, location: lon === null || lat === null || source === null || locationAt === null ? null : { lon, lat, source, accuracyM, at: locationAt } };
  }

  async setLocation(incidentId: number, l: { lon: number; lat: number; source: string; accuracyM?: number; at: number }): Promise<void> {
    await this.upsert(incidentId, 'location_lon = ?, location_lat = ?, location_source = ?, location_accuracy_m = ?, location_at = ?', [l.lon, l.lat, l.source, l.accuracyM ?? null, l.at]);
  }

  /** The first dispatch call counts: a second dispatch of the same incident keeps it. */
  async markDispatched(incidentId: number, at: number): Promise<void> {
    await this.upsert(incidentId, 'dispatch_at = COALESCE(dispatch_at, ?)', [at]);
  }

  /** The first answer counts for the 30 s figure; who answered last is who is on the case. */
  async markAnswered(incidentId: number, a: { officerId: string | null; unitId: string | null; at: number }): Promise<void> {
    await this.upsert(
      incidentId,
      `officer_id = ?, unit_id = ?, officer_answered_at = COALESCE(officer_answered_at, ?),
       officer_talk_ms = COALESCE(officer_talk_ms, ? - (SELECT arrived_at FROM incidents WHERE id = ?))`,
      [a.officerId, a.unitId, a.at, a.at, incidentId],
    );
  }

  /** Returns false when it was already set: the first report is the one of record. */
  async markOnce(incidentId: number, what: 'signed_for_at' | 'on_scene_at' | 'closed_at', at: number): Promise<boolean> {
    if (what === 'closed_at') await this.db.run('INSERT INTO incident_dispatch (incident_id) VALUES (?) ON CONFLICT DO NOTHING', [incidentId]);
    const { changes } = await this.db.run(`UPDATE incident_dispatch SET ${what} = ? WHERE incident_id = ? AND ${what} IS NULL`, [at, incidentId]);
    return changes > 0;
  }

  /** Incidents that arrived in [from, to) and were dispatched, with arrival-to-officer times. */
  async stats(from: number, to: number): Promise<DispatchStatsRow> {
    const rows = await this.db.all<{ talkMs: number | null }>(
      `SELECT d.officer_talk_ms AS "talkMs" FROM incident_dispatch d JOIN incidents i ON i.id = d.incident_id
       WHERE d.dispatch_at IS NOT NULL AND i.arrived_at >= ? AND i.arrived_at < ?`,
      [from, to],
    );
    const talkMs = rows.map((r) => r.talkMs).filter((v): v is number => v !== null).sort((a, b) => a - b);
    return { dispatched: rows.length, answered: talkMs.length, within30s: talkMs.filter((v) => v <= 30000).length, talkMs };
  }

  /** Major-incident alerts, newest first: the timeline is their record (nothing kept twice). */
  async alerts(limit: number): Promise<AlertRow[]> {
    const rows = await this.db.all<Omit<AlertRow, 'category'> & { detail: string }>(
      `SELECT i.number AS incident, e.at, e.detail, i.caller_number AS "callerNumber", i.state FROM incident_events e
       JOIN incidents i ON i.id = e.incident_id WHERE e.kind = 'major_alert' ORDER BY e.id DESC LIMIT ?`,
      [limit],
    );
    return rows.map(({ detail, ...r }) => ({ ...r, category: String((JSON.parse(detail) as { category?: unknown }).category ?? '') }));
  }

  async hasAlert(incidentId: number): Promise<boolean> {
    return (await this.db.get("SELECT 1 FROM incident_events WHERE incident_id = ? AND kind = 'major_alert'", [incidentId])) !== undefined;
  }

  private async upsert(incidentId: number, set: string, params: unknown[]): Promise<void> {
    await this.db.run('INSERT INTO incident_dispatch (incident_id) VALUES (?) ON CONFLICT DO NOTHING', [incidentId]);
    await this.db.run(`UPDATE incident_dispatch SET ${set} WHERE incident_id = ?`, [...params, incidentId]);
  }
}
