// The live-events sockets of signed-in users, held to their session: a socket closes when its
// session ends (signed out here, expired, or ended elsewhere: a changed role or password ends the
// user's sessions, also when changed by the add-user CLI in another process, hence the recheck),
// and one user holds at most maxPerUser of them. Transport only: the rules stay in AuthService.
import type { WebSocket } from 'ws';
import type { AuthService } from '../auth/auth-service';
import type { SignedIn } from '../auth/roles';

export interface LiveSocketSettings {
  /** Sockets one user may hold; a new one beyond closes that user's oldest. */
  maxPerUser: number;
  /** How often every socket's session is looked up again (ended elsewhere, role changed). */
  recheckMs: number;
}

/** Close codes the pages act on (4000-4999: the application's own). */
export const LIVE_CLOSE = {
  /** The session is over: sign in again (the page goes to the sign-in page). */
  SESSION_ENDED: 4401,
  /** Too many screens for this user: this, the oldest, is closed (the page does not reconnect). */
  REPLACED: 4008,
} as const;

interface Held {
  socket: WebSocket;
  sessionId: string;
  user: SignedIn;
  expiry: NodeJS.Timeout;
}

// setTimeout takes at most 2^31-1 ms (about 24.8 days); a longer session is caught by the recheck.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class LiveSockets {
  private readonly held: Held[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly onEnded = (sessionId: string) => this.closeWhere((h) => h.sessionId === sessionId, 'signed out');

  constructor(
    private readonly auth: AuthService,
    private readonly settings: LiveSocketSettings,
    private readonly clock: () => number = Date.now,
  ) {
    auth.on('session-ended', this.onEnded);
    this.timer = setInterval(() => void this.recheck(), settings.recheckMs);
    this.timer.unref();
  }

  add(socket: WebSocket, session: { id: string; user: SignedIn; expiresAt: number }): void {
    const mine = this.held.filter((h) => h.user.name === session.user.name);
    // The oldest goes, not the new one: a screen whose machine died without closing its socket
    // must not keep its user off the stream; the page closed this way does not reconnect.
    for (const old of mine.slice(0, Math.max(0, mine.length - this.settings.maxPerUser + 1))) {
      this.close(old, LIVE_CLOSE.REPLACED, `more than ${this.settings.maxPerUser} live screens for ${session.user.name}: the oldest is closed`);
    }
    const expiry = setTimeout(() => this.closeWhere((h) => h.socket === socket, 'session expired'), Math.min(Math.max(0, session.expiresAt - this.clock()), MAX_TIMER_MS));
    expiry.unref();
    const held: Held = { socket, sessionId: session.id, user: session.user, expiry };
    this.held.push(held);
    socket.on('close', () => this.forget(held));
  }

  stop(): void {
    clearInterval(this.timer);
    this.auth.off('session-ended', this.onEnded);
    for (const h of [...this.held]) this.forget(h);
  }

  /** Each distinct session looked up once: gone, or no longer the same role or seat, closes it. */
  async recheck(): Promise<void> {
    const sessions = new Map(this.held.map((h) => [h.sessionId, h.user]));
    for (const [id, user] of sessions) {
      const now = await this.auth.sessionById(id).catch(() => 'unknown' as const);
      if (now === 'unknown') continue; // the store failing is no reason to blank every screen
      if (!now || now.user.role !== user.role || now.user.seat !== user.seat) this.closeWhere((h) => h.sessionId === id, 'session ended');
    }
  }

  private closeWhere(match: (h: Held) => boolean, why: string): void {
    for (const h of this.held.filter(match)) this.close(h, LIVE_CLOSE.SESSION_ENDED, `${why}: sign in again`);
  }

  private close(h: Held, code: number, reason: string): void {
    this.forget(h);
    h.socket.close(code, reason);
  }

  private forget(h: Held): void {
    clearTimeout(h.expiry);
    const i = this.held.indexOf(h);
    if (i >= 0) this.held.splice(i, 1);
  }
}

/** The page's own origin (same host and port as the request) or one configured. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  // Browsers always send Origin on a WebSocket handshake; programs (tests, curl) need not.
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (a sandboxed frame, a file) or garbage
  }
}
