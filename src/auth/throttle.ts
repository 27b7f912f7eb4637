// Failed sign-ins, counted per user name and per client address in a sliding window. Our own
// counter rather than @fastify/rate-limit: that one counts every request, and we must count only
// failures (a call-taker signing in at shift start is never slowed down by colleagues).
export interface ThrottleSettings {
  maxFailures: number;
  windowMs: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly settings: ThrottleSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  // One desk's address is shared by a shift: it gets more room than one name.
  private keys(name: string, remote: string): [string, number][] {
    return [[`user:${name.toLowerCase()}`, this.settings.maxFailures], [`ip:${remote}`, this.settings.maxFailures * 4]];
  }

  private recent(key: string): number[] {
    const since = this.clock() - this.settings.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** ms until another attempt is allowed; 0 = allowed now. */
  retryAfterMs(name: string, remote: string): number {
    let wait = 0;
    for (const [key, max] of this.keys(name, remote)) {
      const list = this.recent(key);
      if (list.length >= max) wait = Math.max(wait, list[list.length - max]! + this.settings.windowMs - this.clock());
    }
    return wait;
  }

  failed(name: string, remote: string): void {
    for (const [key] of this.keys(name, remote)) this.failures.set(key, [...this.recent(key), this.clock()]);
  }

  succeeded(name: string): void {
    this.failures.delete(`user:${name.toLowerCase()}`);
  }
}
