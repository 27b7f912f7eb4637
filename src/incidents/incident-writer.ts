// Write-behind for incidents and their timelines. A call must reach a seat whatever the store
// does (issue #14 H3: a write lock held past busy_timeout, or a full disk, lost the call): the
// call path hands its writes here and goes on; they are written in order, in batched
// transactions, and retried until the store takes them. Nothing acknowledged is dropped for a
// store that fails; only a write the store refuses for good (a constraint) is logged and skipped,
// so that one bad row cannot hold every later incident back.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/** The store as the writer sees it: runs `fn` in one transaction, all or nothing. */
export interface WriteStore<Tx> {
  batch(fn: (tx: Tx) => Promise<void>): Promise<void>;
}

export interface StoreStatus {
  /** false while writes fail (or have waited longer than `stallMs`): /health says 503. */
  up: boolean;
  /** Writes acknowledged but not yet in the store. */
  queued: number;
  /** Since when writes fail (ms since epoch), null while up. */
  failingSince: number | null;
  /** The store's last error (e.g. SQLITE_BUSY, SQLITE_FULL), null while up. */
  error: string | null;
}

export interface WriterEvents {
  failing: [StoreStatus];
  recovered: [StoreStatus & { downMs: number }];
  /** One batch committed: how many writes, how long the transaction took. */
  committed: [{ writes: number; ms: number }];
}

export interface WriterSettings {
  maxBatch: number;
  /** Writes waiting longer than this count as failing, before the store even answers. */
  stallMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * How long the first write after a quiet spell waits for the ones that follow it. A call's
   * steps come in bursts (arrival, answer, end: several stamps and audit entries each, within a
   * few ms); without the wait each burst went in as several transactions of one or two writes,
   * a BEGIN, a COMMIT and a chain-head read each (issue #15: ~14 transactions per call at 5
   * calls/s). Nobody on a call's path waits for the store; a REST read of an incident just
   * changed waits this much longer for its own writes.
   */
  lingerMs: number;
}

const DEFAULTS: WriterSettings = { maxBatch: 200, stallMs: 3000, retryMinMs: 100, retryMaxMs: 2000, lingerMs: 0 };

interface Pending<Tx> {
  incidentId: number | null;
  what: string;
  run: (tx: Tx) => Promise<void>;
  queuedAt: number;
  /** Told once the write is in the store (stored) or skipped for good (not), in queue order. */
  after?: (stored: boolean) => void;
  detail?: unknown;
}

/**
 * Errors the store will give again however often we retry: the write itself is wrong. SQLite's
 * codes, and PostgreSQL's as store/errors.ts maps them (its outages are STORE_UNAVAILABLE: retried).
 */
const REFUSED = new Set(['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_RANGE', 'SQLITE_TOOBIG', 'STORE_CONSTRAINT', 'STORE_INVALID']);
const refusedForGood = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? REFUSED.has(code) : !(err instanceof Error && /SQLITE_/.test(err.message));
};
const describe = (err: unknown): string => {
  const e = err as { code?: string; message?: string };
  return e?.code ? `${e.code}: ${e.message ?? ''}` : String(e?.message ?? err);
};

export class IncidentWriter<Tx> extends EventEmitter<WriterEvents> {
  private readonly queue: Pending<Tx>[] = [];
  private readonly settings: WriterSettings;
  private running = false;
  private stopped = false;
  /** After a batch was refused: this many writes go one per transaction, to find the bad one. */
  private singles = 0;
  private failingSince: number | null = null;
  /** When the last batch went in: a backlog being written after an outage is not a stall. */
  private progressAt = 0;
  private lastError: string | null = null;
  private readonly watchdog: NodeJS.Timeout;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: WriteStore<Tx>,
    private readonly log?: Logger,
    settings: Partial<WriterSettings> = {},
  ) {
    super();
    this.settings = { ...DEFAULTS, ...settings };
    this.watchdog = setInterval(() => this.checkStall(), Math.max(50, Math.min(500, this.settings.stallMs / 2)));
    this.watchdog.unref();
  }

  /** Acknowledges a write: from here it is the writer's to keep. `after` runs once it is stored. */
  push(incidentId: number | null, what: string, run: (tx: Tx) => Promise<void>, opts: { after?: (stored: boolean) => void; detail?: unknown } = {}): void {
    this.queue.push({ incidentId, what, run, queuedAt: Date.now(), ...opts });
    void this.pump();
  }

  depth(): number {
    return this.queue.length;
  }

  status(): StoreStatus {
    return { up: this.failingSince === null, queued: this.queue.length, failingSince: this.failingSince, error: this.lastError };
  }

  /** The details of an incident's writes not stored yet, oldest first (reads show them too). */
  unwritten(incidentId: number): unknown[] {
    return this.queue.filter((p) => p.incidentId === incidentId && p.detail !== undefined).map((p) => p.detail);
  }

  /** Resolves once every write queued so far for the incident is stored (any incident: null). */
  written(incidentId: number | null): Promise<void> {
    const last = [...this.queue].reverse().find((p) => incidentId === null || p.incidentId === incidentId);
    if (!last) return Promise.resolve();
    return new Promise((resolve) => {
      const before = last.after;
      last.after = (stored) => {
        before?.(stored);
        resolve();
      };
    });
  }

  /** As written(), but gives up after timeoutMs (reads wait a little, never for a dead store). */
  async settled(incidentId: number | null, timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const done = await Promise.race([this.written(incidentId).then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  /** At shutdown: waits up to timeoutMs for the queue to empty; says how many writes are left. */
  async stop(timeoutMs: number): Promise<number> {
    await this.settled(null, timeoutMs);
    this.stopped = true;
    clearInterval(this.watchdog);
    this.wake?.();
    return this.queue.length;
  }

  private async pump(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let retryMs = this.settings.retryMinMs;
    try {
      if (this.settings.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.settings.lingerMs));
      while (this.queue.length && !this.stopped) {
        const batch = this.queue.slice(0, this.singles > 0 ? 1 : this.settings.maxBatch);
        const started = performance.now();
        try {
          await this.store.batch(async (tx) => {
            for (const write of batch) await write.run(tx);
          });
        } catch (err) {
          if (refusedForGood(err)) {
            this.refused(batch, err);
            continue;
          }
          this.failed(err);
          await this.pause(retryMs);
          retryMs = Math.min(retryMs * 2, this.settings.retryMaxMs);
          continue;
        }
        retryMs = this.settings.retryMinMs;
        this.queue.splice(0, batch.length);
        this.progressAt = Date.now();
        if (this.singles > 0) this.singles--;
        this.emit('committed', { writes: batch.length, ms: performance.now() - started });
        this.recovered();
        for (const write of batch) this.tell(write, true);
      }
    } finally {
      this.running = false;
    }
  }

  private refused(batch: Pending<Tx>[], err: unknown): void {
    if (batch.length > 1) {
      this.singles = batch.length; // the same writes again, one at a time: only the bad one goes
      return;
    }
    const [write] = batch;
    this.queue.shift();
    if (this.singles > 0) this.singles--;
    this.log?.error({ incidentId: write.incidentId, write: write.what, err: describe(err) }, 'store refused a write for good: skipped');
    this.tell(write, false);
  }

  private tell(write: Pending<Tx>, stored: boolean): void {
    try {
      write.after?.(stored);
    } catch (err) {
      this.log?.error({ write: write.what, err: describe(err) }, 'after-write step failed');
    }
  }

  private failed(err: unknown): void {
    this.lastError = describe(err);
    if (this.failingSince !== null) return;
    this.failingSince = Date.now();
    this.log?.error({ err: this.lastError, queued: this.queue.length }, 'store failing: incident writes are kept in memory and retried');
    this.emit('failing', this.status());
  }

  private checkStall(): void {
    const oldest = this.queue[0];
    if (this.failingSince !== null || !oldest) return;
    const waited = Date.now() - Math.max(oldest.queuedAt, this.progressAt);
    if (waited >= this.settings.stallMs) this.failed(new Error(`no write went through for ${waited} ms`));
  }

  private recovered(): void {
    if (this.failingSince === null) return;
    const downMs = Date.now() - this.failingSince;
    this.failingSince = null;
    this.lastError = null;
    this.log?.warn({ downMs, queued: this.queue.length }, 'store writes succeed again');
    this.emit('recovered', { ...this.status(), downMs });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
