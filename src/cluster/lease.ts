// Which of two services acts (issue #16): the one holding the lease, a row in PostgreSQL with an
// expiry (store/lease-repo.ts). The states: standby → active → fenced, never back.
//
// Why not an advisory lock held on a session: a process stopped by SIGSTOP (or frozen by a VM
// pause) keeps its TCP connection, so its lock lives on while it does nothing; a lease must be
// renewed, and one that is not renewed expires. The standby takes it over once the database's
// clock passes the expiry. The old active must then never act again: it counts its lease as
// valid until (moment it SENT its last successful renewal) + ttl on its own monotonic clock,
// which is never later than the expiry the database wrote (the statement ran after it was sent).
// A renewal the store cannot answer is retried until then; one it refuses fences at once.
// `acting()` compares the two cheaply, and is asked before each ARI event is handled, each ARI
// request is sent and each HTTP request is served: after a pause, the first thing the process
// does is find its lease gone and fence itself, before handling anything else.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

export type Role = 'standby' | 'active' | 'fenced';

/** What the lease needs from the store (LeaseRepo on PostgreSQL). */
export interface LeaseStore {
  claim(holder: string, ttlMs: number): Promise<boolean>;
  release(holder: string): Promise<void>;
}

/** A monotonic clock in ms (performance.now() in the service; a fake in tests). */
export type MonotonicClock = () => number;

export interface LeaseSettings {
  /** How long a claim or renewal holds the lease. */
  ttlMs: number;
  /** How often the active renews and the standby tries to take over. */
  renewMs: number;
}

export interface LeaseEvents {
  /** The lease is ours: the service may connect to Asterisk and act. */
  active: [];
  /** The lease is lost: nothing more may be done; the process should end (main.ts exits). */
  fenced: [reason: string];
}

export class Lease extends EventEmitter<LeaseEvents> {
  private state: Role = 'standby';
  /** Monotonic ms until which the lease is ours for sure (valid only while active). */
  private validUntil = 0;
  private claiming = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: LeaseStore,
    readonly holder: string,
    private readonly settings: LeaseSettings,
    private readonly now: MonotonicClock,
    private readonly log: Logger,
  ) {
    super();
  }

  get role(): Role {
    return this.state;
  }

  /**
   * True while this service holds the lease by its own clock. The first call that finds it
   * expired fences the service (synchronously: the caller does nothing more).
   */
  acting(): boolean {
    if (this.state !== 'active') return false;
    const late = this.now() - this.validUntil;
    if (late >= 0) {
      this.fence(`lease expired by this node's clock ${Math.round(late)} ms ago (the process was paused, or renewals did not get through)`);
      return false;
    }
    return true;
  }

  /** Ticks every renewMs: the standby tries to take the lease, the active renews it. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.settings.renewMs);
    void this.tick();
  }

  /** Stops ticking; an active gives the lease up so the standby takes over at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.state !== 'active') return;
    this.state = 'fenced';
    await this.store.release(this.holder).catch((err: Error) => this.log.warn({ err: err.message }, 'lease not released: the standby takes over once it expires'));
  }

  /** One step; exported for tests, which drive it over a fake clock. */
  async tick(): Promise<void> {
    if (this.state === 'fenced') return;
    // The active checks its clock even while a renewal hangs: the lease ends on time regardless.
    if (this.state === 'active' && !this.acting()) return;
    if (this.claiming) return;
    this.claiming = true;
    const sentAt = this.now();
    let held = false;
    let error: string | undefined;
    try {
      held = await this.store.claim(this.holder, this.settings.ttlMs);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      this.claiming = false;
    }
    this.after(sentAt, held, error);
  }

  private after(sentAt: number, held: boolean, error: string | undefined): void {
    if (this.state === 'fenced') return;
    if (this.state === 'standby') {
      if (error) this.log.warn({ err: error }, 'standby: the lease could not be asked for');
      if (!held) return;
      this.state = 'active';
      this.validUntil = sentAt + this.settings.ttlMs;
      this.log.info({ holder: this.holder, ttlMs: this.settings.ttlMs }, 'lease taken: this service is now the active one');
      this.emit('active');
      return;
    }
    if (error) {
      // The store is away (a restart, a broken link): the lease is still ours until it runs out
      // by our clock, and nobody can take it before; a blip shorter than the ttl changes nothing
      // (its incident writes wait in the write-behind). Past the ttl, acting() fences.
      this.log.warn({ err: error, leftMs: Math.round(this.validUntil - this.now()) }, 'lease renewal failed: retrying until the lease runs out');
      return;
    }
    if (!held) {
      this.fence('lease renewal refused: another service holds the lease');
      return;
    }
    // A renewal answered after the lease ran out by our clock does not revive it: in between,
    // the service may have been paused and another may have acted. Fenced, to be safe.
    if (!this.acting()) return;
    this.validUntil = sentAt + this.settings.ttlMs;
  }

  private fence(reason: string): void {
    if (this.state === 'fenced') return;
    this.state = 'fenced';
    clearInterval(this.timer);
    this.timer = undefined;
    this.emit('fenced', reason);
  }
}
