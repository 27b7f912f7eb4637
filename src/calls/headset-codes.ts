// Two-key codes a call-taker presses on the headset during a call, so that the commonest actions
// need no mouse: '*' then a digit within DTMF_PAIR_MS. The codes and what they do are wired in
// main.ts (*1 dispatch the nearest officer, *2 instant recall); this only pairs the keys.

/** '*' then the digit within this time: a slower pair is two stray key presses. */
export const DTMF_PAIR_MS = 3000;

export type HeadsetAction = (channelId: string) => void;

export class HeadsetCodes {
  /** channel -> when its '*' came. */
  private readonly star = new Map<string, number>();

  constructor(
    private readonly actions: Record<string, HeadsetAction>,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Every DTMF digit of a channel in our app (a caller's keys too: the actions themselves check
   * that the channel is a call-taker's on a call). Returns the code it acted on, if any.
   */
  digit(channelId: string, digit: string): string | undefined {
    const now = this.clock();
    if (digit === '*') {
      this.star.set(channelId, now);
      return undefined;
    }
    const at = this.star.get(channelId);
    this.star.delete(channelId);
    const action = this.actions[digit];
    if (!action || at === undefined || now - at > DTMF_PAIR_MS) return undefined;
    action(channelId);
    return `*${digit}`;
  }

  /** The channel is gone: forget a '*' it left pending. */
  forget(channelId: string): void {
    this.star.delete(channelId);
  }
}
