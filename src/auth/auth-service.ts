// Sign-in, sessions and ownership: the rules. Tokens are 32 random bytes handed to the browser
// once; only their SHA-256 is stored, with an expiry (a shift, by default).
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { UsersRepo } from '../store/users-repo';
import { decoyHash, hashPassword, verifyPassword } from './password';
import { isRole, type Ownership, type Role, type SignedIn } from './roles';
import { LoginThrottle, type ThrottleSettings } from './throttle';

export interface AuthSettings extends ThrottleSettings {
  sessionTtlMs: number;
}

export class SignInFailed extends Error {
  readonly code = 'SIGN_IN_FAILED';
  override readonly name = this.constructor.name;
  constructor() {
    // One message for an unknown name and a wrong password: no oracle for which names exist.
    super('wrong user name or password');
  }
}

export class SignInThrottled extends Error {
  readonly code = 'TOO_MANY_ATTEMPTS';
  override readonly name = this.constructor.name;
  constructor(readonly retryAfterMs: number) {
    super(`too many failed sign-ins: try again in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

export class BadUser extends Error {
  readonly code = 'BAD_USER';
  override readonly name = this.constructor.name;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

export class AuthService {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly repo: UsersRepo,
    private readonly settings: AuthSettings,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.throttle = new LoginThrottle(settings, clock);
  }

  async addUser(u: { name: string; role: string; seat?: string | null; officer?: string | null; password: string }): Promise<'added' | 'updated'> {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(u.name)) throw new BadUser('name: 1-64 letters, digits, _ . @ or -');
    if (!isRole(u.role)) throw new BadUser('role: call-taker, supervisor, admin or officer');
    if (u.role === 'call-taker' && !u.seat) throw new BadUser('a call-taker needs a seat (--seat <id>)');
    if (u.seat && !/^[A-Za-z0-9_-]{1,32}$/.test(u.seat)) throw new BadUser('seat: 1-32 letters, digits, _ or -');
    // An officer's terminal is bound to one officer, and nothing else is: a supervisor with an
    // officer id would read as "reports only for that officer" and be nothing of the kind.
    if ((u.role === 'officer') !== Boolean(u.officer)) throw new BadUser(u.role === 'officer' ? 'an officer needs an officer id (--officer <id>)' : 'only the officer role takes an officer id');
    if (u.officer && !/^[A-Za-z0-9_.-]{1,32}$/.test(u.officer)) throw new BadUser('officer: 1-32 letters, digits, _ . or -');
    if (u.password.length < 10) throw new BadUser('password: at least 10 characters');
    const added = await this.repo.upsert({ name: u.name, role: u.role, seatId: u.seat ?? null, officerId: u.officer ?? null, passwordHash: await hashPassword(u.password) });
    return added ? 'added' : 'updated';
  }

  async signIn(name: string, password: string, remote: string): Promise<{ token: string; user: SignedIn; expiresAt: number }> {
    const at = this.clock();
    const wait = this.throttle.retryAfterMs(name, remote);
    if (wait > 0) {
      await this.repo.recordSignIn(at, name, remote, 'throttled');
      this.log.warn({ user: name, remote, retryAfterMs: wait }, 'sign-in refused: too many failures');
      throw new SignInThrottled(wait);
    }
    const row = await this.repo.findByName(name);
    const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
    const outcome = !row ? 'unknown_user' : !ok ? 'bad_password' : row.disabled ? 'disabled' : 'ok';
    await this.repo.recordSignIn(at, name, remote, outcome);
    if (outcome !== 'ok' || !row) {
      this.throttle.failed(name, remote);
      this.log.warn({ user: name, remote, outcome }, 'sign-in failed');
      throw new SignInFailed();
    }
    this.throttle.succeeded(name);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = at + this.settings.sessionTtlMs;
    await this.repo.addSession(sha256(token), row.id, at, expiresAt);
    this.log.info({ user: row.name, role: row.role, remote }, 'signed in');
    return { token, user: this.view(row), expiresAt };
  }

  async authenticate(token: string): Promise<SignedIn | undefined> {
    const row = await this.repo.sessionUser(sha256(token), this.clock());
    return row && this.view(row);
  }

  signOut(token: string): Promise<void> {
    return this.repo.endSession(sha256(token));
  }

  /**
   * True when the user may touch what the request names: a call-taker only its own seat and the
   * calls and recordings of that seat, an officer's terminal only its own officer; supervisors and
   * admins anything. Unknown incidents and recordings pass (the route answers 404).
   */
  async owns(user: SignedIn, what: Ownership): Promise<boolean> {
    if (user.role === 'supervisor' || user.role === 'admin') return true;
    if ('officer' in what) return user.role === 'officer' && what.officer === user.officer;
    if (user.role !== 'call-taker') return false;
    const seat = 'seat' in what ? what.seat : 'incident' in what ? await this.repo.seatOfIncident(what.incident) : await this.repo.seatOfRecording(what.recording);
    return seat === undefined || (seat !== null && seat === user.seat);
  }

  private view(row: { name: string; role: string; seatId: string | null; officerId: string | null }): SignedIn {
    return { name: row.name, role: row.role as Role, seat: row.seatId, officer: row.officerId };
  }
}
