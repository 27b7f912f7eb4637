// Officers: roster data (who, which unit, how to reach them), duty state and the last position
// their terminal reported, so that a restart finds who is on duty and where.
import type { Database } from './database';

/** For src/store/migrations.ts (appended there as one entry). */
export const OFFICERS_MIGRATION = `
  CREATE TABLE officers (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    unit        TEXT    NOT NULL,            -- a unit id from config/grid/units.json
    phone       TEXT    NOT NULL,            -- PJSIP/2001, or a mobile number dialled over a trunk
    duty        TEXT    NOT NULL,            -- on_duty | off_duty | busy
    lon         REAL,                        -- last reported position (WGS84), NULL until one
    lat         REAL,
    accuracy_m  REAL,
    position_at INTEGER                      -- ms since epoch, when the service received it
  );
`;

export interface RosterRow {
  id: string;
  name: string;
  unit: string;
  phone: string;
  duty: string;
}

export interface PositionRow {
  lon: number;
  lat: number;
  accuracyM: number | null;
  at: number;
}

export interface OfficerRow extends RosterRow {
  position: PositionRow | null;
}

type Stored = RosterRow & { lon: number | null; lat: number | null; accuracyM: number | null; at: number | null };

const SELECT = 'SELECT id, name, unit, phone, duty, lon, lat, accuracy_m AS "accuracyM", position_at AS at FROM officers';

const toRow = ({ lon, lat, accuracyM, at, ...roster }: Stored): OfficerRow => ({
  ...roster,
  position: lon === null || lat === null || at === null ? null : { lon, lat, accuracyM, at },
});

export class OfficersRepo {
  constructor(private readonly db: Database) {}

  async all(): Promise<OfficerRow[]> {
    return (await this.db.all<Stored>(`${SELECT} ORDER BY id`)).map(toRow);
  }

  async get(id: string): Promise<OfficerRow | undefined> {
    const row = await this.db.get<Stored>(`${SELECT} WHERE id = ?`, [id]);
    return row && toRow(row);
  }

  /**
   * Roster data wins; duty is taken only for officers not yet stored, and positions are kept:
   * a restart must not make a busy officer available, nor forget where anyone is.
   */
  async upsertRoster(rows: RosterRow[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const r of rows) {
        await tx.run(
          `INSERT INTO officers (id, name, unit, phone, duty) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit, phone = excluded.phone`,
          [r.id, r.name, r.unit, r.phone, r.duty],
        );
      }
    });
  }

  /** False when there is no such officer. */
  async setPosition(id: string, p: PositionRow): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE officers SET lon = ?, lat = ?, accuracy_m = ?, position_at = ? WHERE id = ?', [p.lon, p.lat, p.accuracyM, p.at, id]);
    return changes > 0;
  }

  /** False when there is no such officer. */
  async setDuty(id: string, duty: string): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE officers SET duty = ? WHERE id = ?', [duty, id]);
    return changes > 0;
  }
}
