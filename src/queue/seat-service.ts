// What call-takers do with their seat, from the REST API or from the softphone's feature codes.
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import { SeatStateError } from './seat-state';
import type { Seat, Seats } from './seats';

export type SeatAction = 'login' | 'logout' | 'ready' | 'notready';

export class SeatService {
  constructor(
    private readonly seats: Seats,
    private readonly telephony: Telephony,
    private readonly log: Logger,
  ) {}

  /** Applies an action; throws SeatNotFound / SeatStateError (4xx for the API). */
  act(seatId: string, action: SeatAction, reason: string | null = null): Seat {
    const seat = this.seats.get(seatId);
    if (action === 'login' && seat.state !== 'logged_out') {
      throw new SeatStateError(seat.state, 'login'); // already logged in: say so, do not pretend
    }
    const event = action === 'notready' ? 'not_ready' : action;
    this.seats.apply(seat, event, action === 'notready' ? (reason ?? 'not ready') : null);
    return seat;
  }

  /**
   * A feature code dialled from a seat's softphone (*11 log in, *12 log out, *13 ready,
   * *14 not ready): answer, act, confirm with a beep (or an error tone), hang up.
   */
  async featureCode(channelId: string, channelName: string, action: string): Promise<void> {
    const seat = this.seats.byChannelName(channelName);
    let ok = false;
    if (!seat) {
      this.log.warn({ channel: channelName, action }, 'feature code from a phone that is not a seat');
    } else if (!['login', 'logout', 'ready', 'notready'].includes(action)) {
      this.log.warn({ seat: seat.id, action }, 'unknown feature code action');
    } else {
      try {
        this.act(seat.id, action as SeatAction, action === 'notready' ? 'feature code' : null);
        ok = true;
      } catch (err) {
        if (!(err instanceof SeatStateError)) throw err;
        this.log.info({ seat: seat.id, action, err: err.message }, 'feature code refused');
      }
    }
    await this.telephony.answer(channelId);
    await this.telephony.play(channelId, ok ? 'sound:beep' : 'sound:beeperr');
    // The confirmation tone is short; give it time to play before hanging up.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await this.telephony.hangup(channelId);
  }
}
