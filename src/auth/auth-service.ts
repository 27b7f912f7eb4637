// Sign-in, sessions and ownership: the rules. Tokens are 32 random bytes handed to the browser
// once; only their SHA-256 is stored, with an expiry (a shift, by default).
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { UsersRepo } from '../store/users-repo';
import { HasherBusy, PasswordHasher } from './password';
import { isRole, type Ownership, type Role, type SignedIn } from './roles';
import { SignInAudit } from './sign-in-audit';
import { isRefusal, LoginThrottle, type Refusal, type ThrottleSettings } from './throttle';

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

export interface AuthEvents {
  /** A session ended before its time (signed out): its live screens close. */
  'session-ended': [sessionId: string];
}

export class AuthService extends EventEmitter<AuthEvents> {
  private readonly throttle: LoginThrottle;
  readonly audit: SignInAudit;

  constructor(
    private readonly repo: UsersRepo,
    private readonly settings: AuthSettings,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
    private readonly hasher = new PasswordHasher(),
  ) {
    super();
    this.throttle = new LoginThrottle(settings, clock);
    this.audit = new SignInAudit(repo, settings.windowMs, log, clock);
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
    const added = await this.repo.upsert({ name: u.name, role: u.role, seatId: u.seat ?? null, officerId: u.officer ?? null, passwordHash: await this.hasher.hash(u.password) });
    return added ? 'added' : 'updated';
  }

  async signIn(name: string, password: string, remote: string): Promise<{ token: string; user: SignedIn; expiresAt: number }> {
    // The collective caps (per name, per address) do not hold a name at an address it signed in from.
    const blocked = this.throttle.refusal(name, remote);
    const knownGood = blocked !== undefined && blocked.kind !== 'pair' && (await this.repo.signedInFrom(name, remote));
    // Counted before hashing, with no await between check and count: concurrent attempts past
    // the limit are refused without being hashed.
    const reserved = this.throttle.reserve(name, remote, knownGood);
    if (isRefusal(reserved)) throw this.refuse(name, remote, reserved);
    const at = this.clock();
    let row: Awaited<ReturnType<UsersRepo['findByName']>>;
    let ok: boolean;
    try {
      if (this.hasher.full) throw new HasherBusy(1000);
      row = await this.repo.findByName(name);
      ok = await this.hasher.verify(password, row?.passwordHash ?? (await this.hasher.decoyHash()));
    } catch (err) {
      this.throttle.released(reserved); // never checked: not a failure
      if (err instanceof HasherBusy && this.audit.refused('*', remote, 'busy')) this.log.warn({ user: name, remote }, 'sign-in refused: too many at once (further refusals counted in sign_ins)');
      throw err;
    }
    const outcome = !row ? 'unknown_user' : !ok ? 'bad_password' : row.disabled ? 'disabled' : 'ok';
    await this.audit.checked(at, name, remote, outcome);
    if (outcome !== 'ok' || !row) {
      // The reservation stays: it is this failure.
      this.log.warn({ user: name, remote, outcome }, 'sign-in failed');
      throw new SignInFailed();
    }
    this.throttle.succeeded(reserved);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = at + this.settings.sessionTtlMs;
    await this.repo.addSession(sha256(token), row.id, at, expiresAt);
    this.log.info({ user: row.name, role: row.role, remote }, 'signed in');
    return { token, user: this.view(row), expiresAt };
  }

  private refuse(name: string, remote: string, r: Refusal): SignInThrottled {
    // One audit row per refusing key and window; the key's other side is '*'.
    const [who, from] = r.kind === 'pair' ? [name, remote] : r.kind === 'name' ? [name, '*'] : ['*', remote];
    if (this.audit.refused(who, from, 'throttled')) this.log.warn({ user: name, remote, key: r.kind, retryAfterMs: r.retryAfterMs }, 'sign-in refused: too many failures (further refusals counted in sign_ins)');
    return new SignInThrottled(r.retryAfterMs);
  }

  async authenticate(token: string): Promise<SignedIn | undefined> {
    return (await this.session(token))?.user;
  }

  /** The session's user, its id (no token: it names the session in memory) and its end. */
  session(token: string): Promise<{ id: string; user: SignedIn; expiresAt: number } | undefined> {
    return this.sessionById(sha256(token));
  }

  async sessionById(id: string): Promise<{ id: string; user: SignedIn; expiresAt: number } | undefined> {
    const row = await this.repo.sessionUser(id, this.clock());
    return row && { id, user: this.view(row), expiresAt: row.expiresAt };
  }

  async signOut(token: string): Promise<void> {
    await this.repo.endSession(sha256(token));
    this.emit('session-ended', sha256(token));
  }

  close(): Promise<void> {
    return this.hasher.close();
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
