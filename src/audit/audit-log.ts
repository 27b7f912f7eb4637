// The service's side of the audit chain: entries are taken in memory and appended behind, in
// batches, through the incidents' write-behind (one writer, one connection: its batches are the
// only appends of this process, in order). Nothing on the call path waits for the chain: a seat is
// offered whatever the store does, and the entries follow when it takes them.
import type { Logger } from 'pino';
import type { Database } from '../store/database';
import { AuditRepo } from '../store/audit-repo';
import { dayOf } from '../store/incidents-repo';
import type { AuditInput } from './chain';
import { makeAnchor } from './anchors';
import type { SigningKey } from './keys';

/** An entry as its source gives it; `at` defaults to now. */
export type AuditRecord = Omit<AuditInput, 'at'> & { at?: number };

/** What every source of entries holds (auth, HTTP, timeline): record and go on. */
export interface AuditSink {
  record(entry: AuditRecord): void;
}

/** The write-behind as the audit sees it (main.ts adapts the incidents' writer). */
export interface WriteBehind {
  push(what: string, run: (db: Database) => Promise<void>, after: (stored: boolean) => void): void;
  /** Resolves true once everything pushed so far is stored, false after timeoutMs. */
  settled(timeoutMs: number): Promise<boolean>;
}

export class AuditLog implements AuditSink {
  private pending: AuditInput[] = [];
  private scheduled = false;
  private anchoredDay: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly writer: WriteBehind,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  record(entry: AuditRecord): void {
    this.pending.push({ ...entry, at: entry.at ?? this.clock() });
    // Entries of one turn of the event loop go in one write (one head read for all of them).
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Hands what was recorded to the writer now. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    this.writer.push('audit', (db) => new AuditRepo(db).append(batch).then(() => undefined), (stored) => {
      if (!stored) this.log.error({ entries: batch.length, first: batch[0]!.action }, 'audit entries refused by the store: not in the chain');
    });
  }

  /** Everything recorded so far is in the chain (false: not within timeoutMs). */
  settled(timeoutMs: number): Promise<boolean> {
    this.flush();
    return this.writer.settled(timeoutMs);
  }

  /** Signs the head for today unless today has its anchor (a restart, or another node, signed it). */
  anchor(key: SigningKey): void {
    const now = this.clock();
    const day = dayOf(now);
    this.flush();
    this.writer.push(
      'audit anchor',
      async (db) => {
        const repo = new AuditRepo(db);
        if (await repo.anchorOf(day)) return;
        await repo.addAnchor(makeAnchor(key, day, await repo.head(), now));
        this.log.info({ day }, 'audit chain anchored for the day');
      },
      (stored) => {
        if (stored) this.anchoredDay = day;
        else this.log.error({ day }, 'audit anchor refused by the store');
      },
    );
  }

  /** At start and then whenever the day has turned (checked every checkMs). */
  startAnchoring(key: SigningKey, checkMs: number): void {
    this.anchor(key);
    this.timer = setInterval(() => {
      if (dayOf(this.clock()) !== this.anchoredDay) this.anchor(key);
    }, checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
