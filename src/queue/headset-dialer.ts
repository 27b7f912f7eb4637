// Nailed log-in from the REST API (a console button instead of dialling *15): the service calls
// the call-taker's headset, auto-answered, and that call becomes the seat's connection for the
// shift exactly as if the softphone had dialled the feature code.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import { SeatStateError } from './seat-state';
import { autoAnswerHeaders, type Seat, type Seats } from './seats';

export class SeatUnreachable extends Error {
  readonly code = 'SEAT_UNREACHABLE';
  override readonly name = this.constructor.name;
}

/** How long the headset may ring: a call-taker at the desk answers well within this. */
const RING_SEC = 20;

export class HeadsetDialer {
  /** Channel id of a headset being called → its seat. */
  private readonly pending = new Map<string, Seat>();

  constructor(
    private readonly seats: Seats,
    private readonly telephony: Telephony,
    /** Completes the log-in on the answered channel (SeatService's nailed log-in). */
    private readonly connected: (seat: Seat, channelId: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  isLeg(channelId: string): boolean {
    return this.pending.has(channelId);
  }

  /** Starts calling the headset; the seat becomes ready when it answers. Throws 4xx errors. */
  async dial(seat: Seat): Promise<void> {
    if (seat.state !== 'logged_out') throw new SeatStateError(seat.state, 'login');
    if ([...this.pending.values()].includes(seat)) throw new SeatStateError(seat.state, 'login');
    if (!seat.reachable) throw new SeatUnreachable(`seat ${seat.id}: its phone is not registered, so its headset cannot be called`);
    const channelId = `cti110-headset-${seat.id}-${randomUUID()}`;
    this.pending.set(channelId, seat);
    this.seats.note(seat, 'nailed_dialing', { channel: channelId });
    try {
      await this.telephony.createChannel({ channelId, endpoint: seat.endpoint, appArgs: 'headset', callerId: 'cti110', variables: autoAnswerHeaders(seat) });
    } catch (err) {
      this.pending.delete(channelId);
      this.seats.note(seat, 'nailed_login_failed', { cause: (err as Error).message });
      throw err;
    }
  }

  /** Our channel entered Stasis: ring it. */
  entered(channelId: string): void {
    this.telephony.dial(channelId, RING_SEC).catch((err: Error) => this.gone(channelId, `dial: ${err.message}`));
  }

  answered(channelId: string): void {
    const seat = this.pending.get(channelId);
    if (!seat) return;
    this.pending.delete(channelId);
    this.connected(seat, channelId).catch((err: Error) => this.log.error({ seat: seat.id, err: err.message }, 'nailed log-in over REST failed'));
  }

  /** Not answered, busy, hung up before answering. */
  gone(channelId: string, cause: string): void {
    const seat = this.pending.get(channelId);
    if (!seat) return;
    this.pending.delete(channelId);
    this.seats.note(seat, 'nailed_login_failed', { cause });
    this.telephony.hangup(channelId).catch(() => undefined); // already gone, most often
  }
}
