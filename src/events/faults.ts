// The last-resort guard. An error thrown by code reacting to an event (an ARI event, a seat or
// queue change, a timer's reaction to one) would reach Node's event loop, and Node would end the
// process with every call in progress. A bug in one reaction must cost at most that reaction: the
// error is logged at error level, supervisors get a 'service_error' alert (events/hub.ts), and
// the service goes on. Nothing here replaces handling an error where it is understood; it only
// keeps the ones nobody foresaw from taking the calls with them.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

export interface Fault {
  at: number;
  /** The reaction that failed, e.g. "ARI ChannelStateChange". */
  where: string;
  message: string;
}

export interface FaultsEvents {
  fault: [Fault];
}

/** The same fault raised again within this time is logged, but not alerted again. */
const ALERT_EVERY_MS = 60_000;

export class Faults extends EventEmitter<FaultsEvents> {
  private readonly alerted = new Map<string, number>();

  constructor(private readonly log: Logger) {
    super();
  }

  report(where: string, err: unknown, context: Record<string, unknown> = {}): void {
    const message = err instanceof Error ? err.message : String(err);
    const detail = err instanceof Error ? { name: err.name, message, code: (err as { code?: unknown }).code, stack: err.stack } : err;
    this.log.error({ where, ...context, err: detail }, `SERVICE ERROR in ${where}: ${message} (contained, the service goes on)`);
    const now = Date.now();
    const key = `${where}\n${message}`;
    if ((this.alerted.get(key) ?? -Infinity) > now - ALERT_EVERY_MS) return;
    if (this.alerted.size > 100) for (const [k, at] of this.alerted) if (at <= now - ALERT_EVERY_MS) this.alerted.delete(k);
    this.alerted.set(key, now);
    try {
      this.emit('fault', { at: now, where, message });
    } catch (alertErr) {
      this.log.error({ where, err: (alertErr as Error).message }, 'service error alert not raised');
    }
  }

  /** Runs `fn`; what it throws, or what the promise it returns rejects with, is reported, not thrown on. */
  run(where: string, fn: () => unknown, context?: Record<string, unknown>): void {
    try {
      const result = fn();
      if (result instanceof Promise) result.catch((err: unknown) => this.report(where, err, context));
    } catch (err) {
      this.report(where, err, context);
    }
  }

  /**
   * Emits `event` on `emitter` one listener at a time: a listener that throws is reported, the
   * listeners after it still run, and the code that emitted goes on (a seat change made from a
   * timer or an ARI event must not be undone halfway by someone listening to it).
   */
  tell<T extends Record<keyof T, unknown[]>, K extends keyof T & string>(emitter: EventEmitter<T>, event: K, ...args: T[K]): void {
    const raw = emitter as unknown as EventEmitter;
    for (const listener of raw.rawListeners(event)) {
      this.run(`${emitter.constructor.name} '${event}' listener`, () => Reflect.apply(listener, raw, args));
    }
  }
}
