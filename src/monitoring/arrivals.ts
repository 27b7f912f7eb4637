// Snoop channels and supervisor legs are usable only once their StasisStart arrived (bridging or
// recording a channel not yet in our app is refused): this waits for that event, by channel id.
import type { Telephony } from '../asterisk/telephony';

export class Arrivals {
  private readonly waiting = new Map<string, () => void>();

  /** Call before creating the channel: its StasisStart may come before the REST answer does. */
  expect(channelId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(channelId);
        reject(new Error(`channel ${channelId} did not enter the app within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(channelId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** A StasisStart: true when somebody was waiting for this channel. */
  arrived(channelId: string): boolean {
    const done = this.waiting.get(channelId);
    if (!done) return false;
    this.waiting.delete(channelId);
    done();
    return true;
  }
}

/** A snoop channel, ready to bridge, record or play to once this resolves. */
export async function startSnoop(telephony: Pick<Telephony, 'snoop'>, arrivals: Arrivals, channelId: string, spec: Parameters<Telephony['snoop']>[1]): Promise<void> {
  const entered = arrivals.expect(spec.snoopId, 5000);
  entered.catch(() => undefined); // awaited below; this only keeps a failed snoop() from leaving it unhandled
  await telephony.snoop(channelId, spec);
  await entered;
}
