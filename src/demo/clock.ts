// The demo's sense of time: the simulated people's pauses scale with --pace, and every wait
// ends at once when the demo stops (Ctrl-C must not wait for a call-taker to finish a sentence).
import { setMaxListeners } from 'node:events';

export class Stopped extends Error {
  constructor() {
    super('the demo is stopping');
  }
}

export class Clock {
  private readonly stop = new AbortController();

  constructor(private readonly pace: number, private readonly random: () => number = Math.random) {
    // One listener per wait under way (every seat, terminal and the trickle): more than Node's 10.
    setMaxListeners(0, this.stop.signal);
  }

  get stopped(): boolean {
    return this.stop.signal.aborted;
  }

  halt(): void {
    this.stop.abort();
  }

  /** Resolves after `ms`, or rejects with Stopped as soon as the demo stops. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.reject(new Stopped());
    return new Promise((resolve, reject) => {
      const onStop = () => {
        clearTimeout(timer);
        reject(new Stopped());
      };
      const timer = setTimeout(() => {
        this.stop.signal.removeEventListener('abort', onStop);
        resolve();
      }, ms);
      this.stop.signal.addEventListener('abort', onStop, { once: true });
    });
  }

  /** A person's pause: about `ms` (±30 %, people are not metronomes), scaled by the pace. */
  pause(ms: number): Promise<void> {
    return this.sleep(ms * this.pace * (0.7 + 0.6 * this.random()));
  }

  /** Polls `fn` every 500 ms until it gives a value; an error after `timeoutMs`. */
  async until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await fn().catch(() => undefined);
      if (value) return value;
      if (Date.now() > end) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
      await this.sleep(500);
    }
  }
}
