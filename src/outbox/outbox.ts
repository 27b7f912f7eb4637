// Durable outbox for HTTP hand-overs: a row is stored first, then POSTed until a receiver answers
// 2xx. Receivers down or slow lose nothing; a restart picks the undelivered rows up again.
//
// "Exactly once" rests on two things: this worker sends one row at a time (never the same row
// twice in parallel), and every request carries the row's Idempotency-Key, so the receiver can drop
// the repeat we cannot avoid (it answered, but the answer was lost to a timeout or to our crash
// before delivered_at was written). One worker per database: two processes would race on a row.
import type { Logger } from 'pino';
import type { OutboxEntry, OutboxItem, OutboxRepo } from '../store/outbox-repo';

export interface OutboxSettings {
  /** Delay after the first failure; doubles per failure up to maxBackoffMs. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Per attempt, headers and body included. */
  timeoutMs: number;
  /** Longest idle sleep: a backstop, since enqueue wakes the worker itself. */
  pollMs: number;
}

export interface OutboxMessage {
  /** For status and filtering: 'transfer12345', 'unit-webhook', ... */
  kind: string;
  url: string;
  headers?: Record<string, string>;
  /** Anything JSON.stringify accepts; stored and sent as that text. */
  body: unknown;
  /** Idempotency key: the same key twice is one delivery (the first message wins). */
  key: string;
}

export interface OutboxDeps {
  fetch?: typeof fetch;
  now?: () => number;
}

export class Outbox {
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  /** Set by a wake that came while the worker was busy, so it does not go to sleep afterwards. */
  private woken = false;

  constructor(
    private readonly repo: OutboxRepo,
    private readonly settings: OutboxSettings,
    private readonly log: Logger,
    deps: OutboxDeps = {},
  ) {
    this.fetchImpl = deps.fetch ?? fetch;
    this.now = deps.now ?? Date.now;
  }

  /** Stores the message (unless its key is already there) and wakes the worker. */
  async enqueue(msg: OutboxMessage): Promise<{ id: number; created: boolean }> {
    const body = JSON.stringify(msg.body) as string | undefined; // undefined for undefined or a function
    if (body === undefined) throw new TypeError(`outbox: body of ${msg.kind} is not JSON`);
    if (!msg.key) throw new TypeError(`outbox: ${msg.kind} has no idempotency key`);
    new URL(msg.url); // throws now, to the caller, rather than failing every attempt later
    const result = await this.repo.insert({ kind: msg.kind, url: msg.url, headers: msg.headers ?? {}, body, key: msg.key, at: this.now() });
    if (!result.created) this.log.info({ outboxId: result.id, kind: msg.kind, key: msg.key }, 'outbox: key already queued, keeping the first');
    this.wake();
    return result;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops the worker; an attempt in flight is finished (and recorded) first, within timeoutMs. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  /** Undelivered rows, of one kind or all. */
  pending(kind?: string): Promise<number> {
    return this.repo.countPending(kind);
  }

  /** The newest rows, delivered or not; headers left out since they may hold credentials. */
  list(limit: number): Promise<OutboxEntry[]> {
    return this.repo.list(limit);
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    const { pollMs } = this.settings;
    while (this.running) {
      this.woken = false;
      let delay = pollMs;
      try {
        const item = await this.repo.nextDue(this.now());
        if (item) {
          await this.attempt(item);
          continue;
        }
        const dueAt = await this.repo.nextDueAt();
        if (dueAt !== undefined) delay = Math.min(pollMs, Math.max(0, dueAt - this.now()));
      } catch (err) {
        // The store failing must not end the worker: rows stay undelivered and are tried later.
        this.log.error({ err }, 'outbox: store error, retrying after the poll interval');
      }
      if (this.running && !this.woken) await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref(); // an idle outbox does not keep the process alive
      this.wakeUp = done;
    });
  }

  private async attempt(item: OutboxItem): Promise<void> {
    const ctx = { outboxId: item.id, kind: item.kind, key: item.key, to: origin(item.url) };
    const error = await this.send(item);
    const attempts = item.attempts + 1;
    if (error === undefined) {
      await this.repo.markDelivered(item.id, this.now());
      this.log.info({ ...ctx, attempts }, 'outbox: delivered');
      return;
    }
    const { minBackoffMs, maxBackoffMs } = this.settings;
    // Exponent capped so that 2 ** n stays finite (0 * Infinity would be NaN).
    const backoff = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(attempts - 1, 30));
    await this.repo.markFailed(item.id, attempts, this.now() + backoff, error);
    this.log.warn({ ...ctx, attempts, retryInMs: backoff, error }, 'outbox: delivery failed, will retry');
  }

  /** One POST; undefined on 2xx, otherwise what went wrong, for last_error. */
  private async send(item: OutboxItem): Promise<string | undefined> {
    const headers = new Headers(item.headers);
    headers.set('Content-Type', 'application/json');
    headers.set('Idempotency-Key', item.key);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.settings.timeoutMs);
    try {
      // redirect 'manual': a 301/302 would be followed as a GET without the body; a 3xx is a failure.
      const res = await this.fetchImpl(item.url, { method: 'POST', headers, body: item.body, redirect: 'manual', signal: abort.signal });
      await res.body?.cancel().catch(() => undefined); // the answer's body is not needed; frees the connection
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      if (abort.signal.aborted) return `timeout after ${this.settings.timeoutMs} ms`;
      return describe(err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ...) is in the cause. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

/** Only the origin in logs: webhook paths and queries sometimes carry a secret. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}
