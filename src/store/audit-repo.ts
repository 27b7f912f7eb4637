// The audit chain's table and its anchors (src/audit/ owns the rules; the SQL lives here).
// Appends are serialized by the store itself: SQLite's IMMEDIATE transaction holds the write lock
// from the head read to the commit, and PostgreSQL takes a transaction lock first, so that two
// writers (the service and a CLI, or two nodes) can never link two entries to the same head.
import type { Database } from './database';
import { GENESIS, link, type Anchor, type AuditEntry, type AuditInput } from '../audit/chain';

export const AUDIT_MIGRATION = `
  CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,      -- 1, 2, ... with no gap: a gap is a deleted entry
    at        INTEGER NOT NULL,         -- ms since epoch
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    incident  TEXT,                     -- incident number
    detail    TEXT    NOT NULL,         -- canonical JSON, as hashed
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
  );
  CREATE INDEX audit_log_incident ON audit_log (incident) WHERE incident IS NOT NULL;
  CREATE TABLE audit_anchors (
    day       TEXT    PRIMARY KEY,      -- YYYYMMDD, the centre's local day
    last_id   INTEGER NOT NULL,
    last_hash TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    key_id    TEXT    NOT NULL,
    signature TEXT    NOT NULL
  );
`;

/** 8 values a row: well under SQLite's and PostgreSQL's limits on a statement's parameters. */
const ROWS_PER_INSERT = 100;

/** Held for the append's transaction on PostgreSQL (the migrations hold 1100016). */
const APPEND_LOCK = 1100017;

const ENTRY_COLUMNS = 'id, at, actor, action, incident, detail, prev_hash AS "prevHash", hash';
const ANCHOR_COLUMNS = 'day, last_id AS "lastId", last_hash AS "lastHash", at, key_id AS "keyId", signature';

export class AuditRepo {
  /** `db` must be inside a transaction for append() and anchor() (the write-behind's batch, or transaction()). */
  constructor(private readonly db: Database) {}

  /** Takes the append lock (PostgreSQL) and reads the head. */
  async head(): Promise<{ id: number; hash: string }> {
    if (this.db.dialect === 'postgres') await this.db.run(`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
    return this.lastEntry();
  }

  /** Links the inputs after the head and writes them; returns them as stored. */
  async append(inputs: readonly AuditInput[]): Promise<AuditEntry[]> {
    if (!inputs.length) return [];
    const head = await this.head();
    const numbers = await this.incidentNumbers(inputs);
    const entries = link(
      head,
      inputs.map((i) => ({ at: i.at, actor: i.actor, action: i.action, detail: i.detail, incident: i.incident ?? numbers.get(i) ?? null })),
    );
    // Many rows per statement: a call stamps about a dozen steps, and a statement each doubled
    // the store's statements per call in a surge (the call path's write-behind shares them).
    for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
      const rows = entries.slice(i, i + ROWS_PER_INSERT);
      await this.db.run(
        `INSERT INTO audit_log (id, at, actor, action, incident, detail, prev_hash, hash) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        rows.flatMap((e) => [e.id, e.at, e.actor, e.action, e.incident, e.detail, e.prevHash, e.hash]),
      );
    }
    return entries;
  }

  /** The incident numbers of inputs that name an incident id or a recording: one query each kind. */
  private async incidentNumbers(inputs: readonly AuditInput[]): Promise<Map<AuditInput, string>> {
    const out = new Map<AuditInput, string>();
    const lookup = async (ids: number[], sql: (marks: string) => string, pick: (i: AuditInput) => number | undefined) => {
      const unique = [...new Set(ids)];
      if (!unique.length) return;
      const rows = await this.db.all<{ id: number; number: string }>(sql(unique.map(() => '?').join(', ')), unique);
      const byId = new Map(rows.map((r) => [r.id, r.number]));
      for (const i of inputs) {
        const n = pick(i) === undefined ? undefined : byId.get(pick(i)!);
        if (n !== undefined && !i.incident) out.set(i, n);
      }
    };
    await lookup(inputs.flatMap((i) => (i.incidentId === undefined ? [] : [i.incidentId])), (m) => `SELECT id, number FROM incidents WHERE id IN (${m})`, (i) => i.incidentId);
    await lookup(inputs.flatMap((i) => (i.recordingId === undefined ? [] : [i.recordingId])), (m) => `SELECT r.id, i.number FROM recordings r JOIN incidents i ON i.id = r.incident_id WHERE r.id IN (${m})`, (i) => i.recordingId);
    return out;
  }

  /** The day's anchor if there is one already (a node or a restart may have signed it). */
  anchorOf(day: string): Promise<Anchor | undefined> {
    return this.db.get<Anchor>(`SELECT ${ANCHOR_COLUMNS} FROM audit_anchors WHERE day = ?`, [day]);
  }

  async addAnchor(a: Anchor): Promise<void> {
    await this.db.run('INSERT INTO audit_anchors (day, last_id, last_hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (day) DO NOTHING', [a.day, a.lastId, a.lastHash, a.at, a.keyId, a.signature]);
  }

  anchors(): Promise<Anchor[]> {
    return this.db.all<Anchor>(`SELECT ${ANCHOR_COLUMNS} FROM audit_anchors ORDER BY day`);
  }

  /** Entries after `afterId`, in chain order: the check reads the chain a page at a time. */
  page(afterId: number, limit: number): Promise<AuditEntry[]> {
    return this.db.all<AuditEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit]);
  }

  forIncident(number: string): Promise<AuditEntry[]> {
    return this.db.all<AuditEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE incident = ? ORDER BY id`, [number]);
  }

  /** The head as it stands (no lock: for reading). */
  async lastEntry(): Promise<{ id: number; hash: string }> {
    return (await this.db.get<{ id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1')) ?? { id: 0, hash: GENESIS };
  }
}
