// The sign-in audit (table sign_ins). Every attempt whose password was checked is one row.
// Refused attempts (throttled, or the hasher busy) are not: a flood of them would fill the disk
// and keep the store busy. They are counted in one row per key and window (`count`), the count
// written every few seconds, so a flood costs one insert and a few updates.
import type { Logger } from 'pino';
import type { UsersRepo } from '../store/users-repo';
import type { AuditSink } from '../audit/audit-log';

interface Open {
  id: Promise<number | undefined>;
  since: number;
  pending: number;
}

// A flood of made-up names from many addresses would open a row each: past this many open
// rows, the rest go into one row for "anyone from anywhere".
const MAX_OPEN = 1000;

export class SignInAudit {
  private readonly open = new Map<string, Open>();
  private timer: NodeJS.Timeout | undefined;
  /** The audit chain, once main.ts joins them: every row here is an entry there too. */
  private chain: AuditSink | undefined;

  constructor(
    private readonly repo: UsersRepo,
    private readonly windowMs: number,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
    private readonly flushMs = 5000,
  ) {}

  chainTo(chain: AuditSink): void {
    this.chain = chain;
  }

  /** An attempt whose password was checked: a row of its own. */
  async checked(at: number, name: string, remote: string, outcome: string): Promise<void> {
    await this.repo.recordSignIn(at, name, remote, outcome);
    this.chain?.record({ at, actor: name.slice(0, 64), action: 'auth.sign_in', detail: { remote, outcome } });
  }

  /**
   * A refused attempt, counted in its key's row (name or remote '*' when the key spans several).
   * True when it opened a row: the caller logs that one, not every refusal of a flood.
   */
  refused(name: string, remote: string, outcome: 'throttled' | 'busy'): boolean {
    const now = this.clock();
    let key = `${outcome}\n${name.toLowerCase()}\n${remote}`;
    if (this.open.size >= MAX_OPEN) this.sweep(now);
    if (!this.open.has(key) && this.open.size >= MAX_OPEN) [key, name, remote] = [`${outcome}\n*\n*`, '*', '*'];
    const row = this.open.get(key);
    if (row && row.since > now - this.windowMs) {
      row.pending++;
      this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
      return false;
    }
    const id = this.repo.recordSignIn(now, name, remote, outcome).catch((err: Error) => {
      this.log.error({ err: err.message }, 'sign-in audit: row not written');
      return undefined;
    });
    this.open.set(key, { id, since: now, pending: 0 });
    this.chain?.record({ at: now, actor: name.slice(0, 64), action: 'auth.sign_in', detail: { remote, outcome } });
    return true;
  }

  private sweep(now: number): void {
    for (const [key, row] of this.open) if (row.pending === 0 && row.since <= now - this.windowMs) this.open.delete(key);
  }

  /** Writes the counts gathered since the last flush; forgets rows whose window has passed. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const old = this.clock() - this.windowMs;
    for (const [key, row] of this.open) {
      const n = row.pending;
      row.pending = 0;
      if (row.since <= old) this.open.delete(key);
      const id = await row.id;
      if (n === 0 || id === undefined) continue;
      const [outcome, name, remote] = key.split('\n') as [string, string, string];
      this.chain?.record({ actor: name, action: 'auth.sign_in_refused_more', detail: { remote, outcome, count: n } });
      await this.repo.addToSignIn(id, n).catch((err: Error) => this.log.error({ err: err.message, refused: n }, 'sign-in audit: count not written'));
    }
  }
}
