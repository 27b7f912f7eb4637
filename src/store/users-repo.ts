// Users, sessions and the sign-in audit (src/auth/ owns the rules; the SQL lives here).
import type { Database } from './database';

export interface UserRow {
  id: number;
  name: string;
  role: string;
  seatId: string | null;
  officerId: string | null;
  passwordHash: string;
  disabled: number;
}

const USER_COLUMNS = 'u.id, u.name, u.role, u.seat_id AS "seatId", u.officer_id AS "officerId", u.password_hash AS "passwordHash", u.disabled';

export class UsersRepo {
  constructor(private readonly db: Database) {}

  findByName(name: string): Promise<UserRow | undefined> {
    return this.db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.name = ?`, [name]);
  }

  /** Adds the user, or replaces role, seat, officer and password of an existing one; true if added. */
  async upsert(u: { name: string; role: string; seatId: string | null; officerId: string | null; passwordHash: string }, at = Date.now()): Promise<boolean> {
    const existing = await this.findByName(u.name);
    await this.db.run(
      `INSERT INTO users (name, role, seat_id, officer_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, seat_id = excluded.seat_id, officer_id = excluded.officer_id, password_hash = excluded.password_hash, disabled = 0`,
      [u.name, u.role, u.seatId, u.officerId, u.passwordHash, at],
    );
    // A changed password or role ends the sessions that were opened with the old one.
    if (existing) await this.db.run('DELETE FROM sessions WHERE user_id = ?', [existing.id]);
    return !existing;
  }

  async addSession(tokenHash: string, userId: number, at: number, expiresAt: number): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE expires_at <= ?', [at]);
    await this.db.run('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [tokenHash, userId, at, expiresAt]);
  }

  /** The session's user if the session exists, has not expired and the user is not disabled. */
  sessionUser(tokenHash: string, now: number): Promise<(UserRow & { expiresAt: number }) | undefined> {
    return this.db.get(`SELECT ${USER_COLUMNS}, s.expires_at AS "expiresAt" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`, [tokenHash, now]);
  }

  async endSession(tokenHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  /** One row of the sign-in audit; its id, to add to its count later. */
  async recordSignIn(at: number, name: string, remote: string, outcome: string): Promise<number> {
    return (await this.db.get<{ id: number }>('INSERT INTO sign_ins (at, name, remote, outcome) VALUES (?, ?, ?, ?) RETURNING id', [at, name.slice(0, 64), remote, outcome]))!.id;
  }

  async addToSignIn(id: number, count: number): Promise<void> {
    await this.db.run('UPDATE sign_ins SET count = count + ? WHERE id = ?', [count, id]);
  }

  /** True when this name signed in successfully from this address before. */
  async signedInFrom(name: string, remote: string): Promise<boolean> {
    return (await this.db.get("SELECT 1 AS y FROM sign_ins WHERE name = ? COLLATE NOCASE AND remote = ? AND outcome = 'ok' LIMIT 1", [name, remote])) !== undefined;
  }

  /** The seat that answered an incident, for ownership checks (undefined: no such incident). */
  async seatOfIncident(number: string): Promise<string | null | undefined> {
    const row = await this.db.get<{ seatId: string | null }>('SELECT seat_id AS "seatId" FROM incidents WHERE number = ?', [number]);
    return row ? row.seatId : undefined;
  }

  /** The seat a recording was made at, or else the seat that answered its incident. */
  async seatOfRecording(id: number): Promise<string | null | undefined> {
    const row = await this.db.get<{ seatId: string | null }>('SELECT COALESCE(r.seat_id, i.seat_id) AS "seatId" FROM recordings r JOIN incidents i ON i.id = r.incident_id WHERE r.id = ?', [id]);
    return row ? row.seatId : undefined;
  }
}
