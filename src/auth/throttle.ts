// Failed sign-ins, counted in a sliding window on three keys. Our own counter rather than
// @fastify/rate-limit: that one counts every request, and we must count only failures (a
// call-taker signing in at shift start is never slowed down by colleagues).
//  - name + address: the tight limit (maxFailures). Someone guessing from one desk stops there,
//    and it locks out nobody else: the same name from another desk is not counted here.
//  - name, across addresses: a slower cap (maxFailuresPerName) against guessing one name from many
//    addresses.
//  - address, across names: a cap against one desk trying many names (a shift shares a desk:
//    4 times the name's room).
// The last two lock out people who did nothing wrong, so an address where the name signed in
// before ("known good") is not held by them: guessers elsewhere can never lock a user out of
// their own desk. An attempt is reserved (counted as a failure) before its password is hashed, so
// a burst of concurrent attempts is refused past the limit without hashing any of them.
export interface ThrottleSettings {
  maxFailures: number;
  windowMs: number;
  /** Failures for one name from all addresses together; default 10 × maxFailures. */
  maxFailuresPerName?: number;
}

export type ThrottleKind = 'pair' | 'name' | 'address';

export interface Refusal {
  retryAfterMs: number;
  /** The key that refused: the audit aggregates refusals per key. */
  kind: ThrottleKind;
}

/** A counted attempt: a wrong password leaves it counted; succeeded() or released() uncount it. */
export interface Reservation {
  readonly keys: readonly string[];
  readonly at: number;
  readonly pair: string;
}

// Keys of a flood of made-up names are dropped once their window passed, swept past this many.
const MAX_KEYS = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly settings: ThrottleSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  private keys(name: string, remote: string): [ThrottleKind, string, number][] {
    const n = name.toLowerCase();
    const max = this.settings.maxFailures;
    return [
      ['pair', `pair:${n}\n${remote}`, max],
      ['name', `user:${n}`, this.settings.maxFailuresPerName ?? max * 10],
      ['address', `ip:${remote}`, max * 4],
    ];
  }

  private recent(key: string): number[] {
    const since = this.clock() - this.settings.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** The key that would refuse an attempt now (knownGood: the address is exempt from the collective caps). */
  refusal(name: string, remote: string, knownGood = false): Refusal | undefined {
    let worst: Refusal | undefined;
    for (const [kind, key, max] of this.keys(name, remote)) {
      if (knownGood && kind !== 'pair') continue;
      const list = this.recent(key);
      if (list.length < max) continue;
      const wait = list[list.length - max]! + this.settings.windowMs - this.clock();
      if (!worst || wait > worst.retryAfterMs) worst = { retryAfterMs: wait, kind };
    }
    return worst;
  }

  /** Counts the attempt as a failure now, unless a key refuses it. Synchronous: no race between check and count. */
  reserve(name: string, remote: string, knownGood = false): Reservation | Refusal {
    const refused = this.refusal(name, remote, knownGood);
    if (refused) return refused;
    const at = this.clock();
    if (this.failures.size > MAX_KEYS) for (const key of [...this.failures.keys()]) this.recent(key);
    const keys = this.keys(name, remote).map(([, key]) => key);
    for (const key of keys) this.failures.set(key, [...this.recent(key), at]);
    return { keys, at, pair: keys[0]! };
  }

  /** Not an attempt after all (never checked): uncount it. */
  released(r: Reservation): void {
    for (const key of r.keys) {
      const list = this.failures.get(key);
      const i = list?.indexOf(r.at) ?? -1;
      if (i >= 0) list!.splice(i, 1);
    }
  }

  /** Signed in: uncount it, and forget this desk's failures for the name (not other addresses'). */
  succeeded(r: Reservation): void {
    this.released(r);
    this.failures.delete(r.pair);
  }
}

export const isRefusal = (v: Reservation | Refusal): v is Refusal => 'retryAfterMs' in v;
