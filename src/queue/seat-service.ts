// What call-takers do with their seat, from the REST API or from the softphone's feature codes.
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import { HeadsetDialer } from './headset-dialer';
import { SeatStateError } from './seat-state';
import type { Seat, Seats } from './seats';

export type SeatAction = 'login' | 'logout' | 'ready' | 'notready';

export class SeatService {
  /** Calls nailed seats' headsets for a log-in from the API. */
  readonly headsets: HeadsetDialer;

  constructor(
    private readonly seats: Seats,
    private readonly telephony: Telephony,
    private readonly log: Logger,
  ) {
    this.headsets = new HeadsetDialer(seats, telephony, (seat, channelId) => this.nailedLogin(seat, channelId, true), log);
  }

  /**
   * Log-in from the API. A ringing seat is ready at once; a nailed seat's headset is called
   * first and the seat becomes ready when it answers (`pending`).
   */
  async login(seatId: string): Promise<{ seat: Seat; pending: boolean }> {
    const seat = this.seats.get(seatId);
    if (seat.delivery !== 'nailed') return { seat: this.act(seatId, 'login'), pending: false };
    await this.headsets.dial(seat);
    return { seat, pending: true };
  }

  /** Applies an action; throws SeatNotFound / SeatStateError (4xx for the API). */
  act(seatId: string, action: SeatAction, reason: string | null = null): Seat {
    const seat = this.seats.get(seatId);
    if (action === 'login' && seat.state !== 'logged_out') {
      throw new SeatStateError(seat.state, 'login'); // already logged in: say so, do not pretend
    }
    const event = action === 'notready' ? 'not_ready' : action;
    this.seats.apply(seat, event, action === 'notready' ? (reason ?? 'not ready') : null);
    // Logging out ends a nailed connection; not ready keeps it (the headset stays on).
    if (action === 'logout' && seat.nailedChannel) {
      const channel = seat.nailedChannel;
      seat.nailedChannel = undefined;
      this.telephony.hangup(channel).catch((err: Error) => this.log.error({ seat: seat.id, err: err.message }, 'nailed connection not hung up'));
    }
    return seat;
  }

  /** The nailed connection is gone (headset hung up, phone unreachable): the seat is logged out. */
  nailedGone(channelId: string): void {
    const seat = this.seats.byNailedChannel(channelId);
    if (!seat) return;
    seat.nailedChannel = undefined;
    this.seats.note(seat, 'connection_lost', { channel: channelId, state: seat.state });
    if (seat.state === 'on_call') this.seats.apply(seat, 'call_ended');
    this.seats.apply(seat, 'logout');
  }

  /** After a (re)connect: a nailed connection Asterisk no longer has is gone, as if hung up. */
  reconcileNailed(liveChannelIds: Set<string>): void {
    for (const seat of this.seats.all()) {
      if (seat.nailedChannel && !liveChannelIds.has(seat.nailedChannel)) this.nailedGone(seat.nailedChannel);
    }
  }

  isNailed(channelId: string): boolean {
    return this.seats.byNailedChannel(channelId) !== undefined;
  }

  /**
   * Nailed log-in: the softphone's call to the feature code becomes the seat's connection for
   * the shift. Answered, confirmed with a beep, and kept: calls are switched into it.
   */
  private async nailedLogin(seat: Seat, channelId: string, answered = false): Promise<void> {
    if (seat.state !== 'logged_out') {
      this.log.info({ seat: seat.id, state: seat.state }, 'nailed log-in refused: already logged in');
      return this.confirm(channelId, false);
    }
    if (!answered) await this.telephony.answer(channelId);
    seat.nailedChannel = channelId;
    this.seats.apply(seat, 'login');
    this.seats.note(seat, 'nailed_login', { channel: channelId });
    await this.telephony.play(channelId, 'sound:beep');
  }

  private async confirm(channelId: string, ok: boolean): Promise<void> {
    await this.telephony.answer(channelId);
    await this.telephony.play(channelId, ok ? 'sound:beep' : 'sound:beeperr');
    // The confirmation tone is short; give it time to play before hanging up.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await this.telephony.hangup(channelId);
  }

  /**
   * A feature code dialled from a seat's softphone (*11 log in, *12 log out, *13 ready,
   * *14 not ready, *15 nailed log-in): answer, act, confirm with a beep (or an error tone), hang
   * up; a nailed log-in (or *11 on a seat configured nailed) keeps the call as the connection.
   */
  async featureCode(channelId: string, channelName: string, action: string): Promise<void> {
    const seat = this.seats.byChannelName(channelName);
    if (seat && (action === 'nailed' || (action === 'login' && seat.delivery === 'nailed'))) return this.nailedLogin(seat, channelId);
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
    await this.confirm(channelId, ok);
  }
}
