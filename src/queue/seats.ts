// The call-taker seats: configured positions, their state machine, whether their phone is
// reachable (Asterisk's endpoint state), persisted so that a restart finds who was logged in.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Faults } from '../events/faults';
import type { SeatsRepo } from '../store/seats-repo';

/** Where seats keep their state and events (main.ts: behind the incidents' write-behind). */
export type SeatStore = Pick<SeatsRepo, 'all' | 'save' | 'addEvent'>;
import { nextSeatState, SEAT_STATES, type SeatEvent, type SeatState } from './seat-state';

export type Delivery = 'ring' | 'nailed';

export interface SeatConfig {
  id: string;
  endpoint: string;
  autoAnswer: boolean;
  delivery?: Delivery;
}

export interface Seat extends SeatConfig {
  state: SeatState;
  reason: string | null;
  since: number;
  idleSince: number;
  reachable: boolean;
  delivery: Delivery;
  /** The seat's permanent connection while logged in nailed-up: calls are switched into it. */
  nailedChannel: string | undefined;
  /** Where the seat goes when its call ends instead of wrap-up/ready: not ready asked for during the call. */
  afterCall: { state: 'not_ready' | 'logged_out'; reason: string | null } | undefined;
}

/** Channel variables that make an auto-answer seat's softphone pick up by itself, with a beep. */
export const autoAnswerHeaders = (seat: SeatConfig): Record<string, string> =>
  seat.autoAnswer
    ? {
        // Softphones answer by themselves, as emergency positions do.
        'PJSIP_HEADER(add,Call-Info)': '<sip:cti110>;answer-after=0',
        'PJSIP_HEADER(add,Alert-Info)': '<http://cti110/auto-answer>;info=alert-autoanswer;delay=0',
      }
    : {};

export class SeatNotFound extends Error {
  readonly code = 'SEAT_NOT_FOUND';
  override readonly name = this.constructor.name;
  constructor(id: string) {
    super(`no seat ${JSON.stringify(id)}`);
  }
}

export interface SeatsEvents {
  /** A seat changed state: the queue re-runs distribution, supervisors see it. */
  changed: [Seat, { from: SeatState; event: SeatEvent }];
}

export class Seats extends EventEmitter<SeatsEvents> {
  private readonly byId = new Map<string, Seat>();
  private readonly byEndpoint = new Map<string, Seat>();

  constructor(
    configs: SeatConfig[],
    defaultDelivery: Delivery,
    private readonly repo: SeatStore,
    private readonly wrapUpMs: number,
    private readonly log: Logger,
    private readonly faults: Faults,
  ) {
    super();
    const now = Date.now();
    for (const c of configs) {
      const seat: Seat = { ...c, delivery: c.delivery ?? defaultDelivery, state: 'logged_out', reason: null, since: now, idleSince: now, reachable: false, nailedChannel: undefined, afterCall: undefined };
      this.byId.set(c.id, seat);
      this.byEndpoint.set(c.endpoint, seat);
    }
  }

  /**
   * Restores logged-in seats after a restart. A seat caught mid-offer goes back to ready (its
   * offer died with the old process); one on a call stays on call until that call is re-attached.
   */
  async restore(): Promise<void> {
    for (const row of await this.repo.all()) {
      const seat = this.byId.get(row.id);
      if (!seat || !(SEAT_STATES as readonly string[]).includes(row.state)) continue;
      seat.state = row.state === 'ringing' ? 'ready' : (row.state as SeatState);
      // A nailed connection outlives the service in Asterisk: taken back here, and dropped by
      // SeatService.reconcileNailed() if Asterisk no longer has it.
      if (seat.delivery === 'nailed' && row.state !== 'logged_out') {
        if (row.nailedChannel) seat.nailedChannel = row.nailedChannel;
        else seat.state = 'logged_out';
      }
      seat.reason = row.reason;
      seat.since = row.since;
      seat.idleSince = row.idleSince;
    }
  }

  byNailedChannel(channelId: string): Seat | undefined {
    for (const seat of this.byId.values()) if (seat.nailedChannel === channelId) return seat;
    return undefined;
  }

  get(id: string): Seat {
    const seat = this.byId.get(id);
    if (!seat) throw new SeatNotFound(id);
    return seat;
  }

  /** The seat a channel belongs to, from its name ("PJSIP/1001-0000002a" → PJSIP/1001). */
  byChannelName(name: string): Seat | undefined {
    return this.byEndpoint.get(name.replace(/-[0-9a-f]+$/i, ''));
  }

  all(): Seat[] {
    return [...this.byId.values()];
  }

  /** Applies one event; persists it and tells listeners. Throws SeatStateError when not allowed. */
  apply(seat: Seat, event: SeatEvent, reason: string | null = null): void {
    const from = seat.state;
    let to = nextSeatState(from, event, this.wrapUpMs);
    if (from === 'on_call' && (event === 'not_ready' || event === 'ready')) {
      // Asked during a call: the call is kept, and what was asked last is done when it ends.
      seat.afterCall = event === 'not_ready' ? { state: 'not_ready', reason } : undefined;
      this.note(seat, event === 'not_ready' ? 'not_ready_after_call' : 'ready_after_call', { reason });
      return;
    }
    if (event === 'answered' && (from === 'not_ready' || from === 'logged_out')) {
      // An answer that crossed the call-taker leaving: the caller is kept, the seat's wish too.
      seat.afterCall = { state: from, reason: seat.reason };
      this.note(seat, 'answered_while_away', { state: from, reason: seat.reason });
    }
    if (from === 'on_call' && event === 'call_ended' && seat.afterCall) {
      ({ state: to, reason } = seat.afterCall);
      seat.afterCall = undefined;
    }
    if (to === from && (to !== 'not_ready' || reason === seat.reason)) return;
    const now = Date.now();
    seat.state = to;
    seat.reason = to === 'not_ready' ? reason : null;
    seat.since = now;
    // Idle time counts from the end of the seat's last call or from when it became ready.
    if (to === 'ready' || to === 'wrap_up') seat.idleSince = now;
    if (to !== 'on_call') seat.afterCall = undefined;
    this.log.info({ seat: seat.id, from, to, event, reason: seat.reason }, `Seat ${seat.id}: ${from} -> ${to}`);
    this.persist(seat, event);
    this.faults.tell(this, 'changed', seat, { from, event });
  }

  setReachable(endpoint: string, reachable: boolean): void {
    const seat = this.byEndpoint.get(endpoint);
    if (!seat || seat.reachable === reachable) return;
    seat.reachable = reachable;
    this.log.info({ seat: seat.id, reachable }, reachable ? 'seat phone reachable' : 'seat phone unreachable');
    void this.repo.addEvent(seat.id, reachable ? 'phone_reachable' : 'phone_unreachable', {}).catch((err: Error) => this.log.error({ err: err.message }, 'seat event not stored'));
    this.faults.tell(this, 'changed', seat, { from: seat.state, event: seat.state === 'ready' ? 'ready' : 'not_ready' });
  }

  /** A supervisor-visible event about a seat (no answer, unreachable, ...). */
  note(seat: Seat, kind: string, detail: Record<string, unknown>): void {
    this.log.warn({ seat: seat.id, kind, ...detail }, `seat ${seat.id}: ${kind}`);
    void this.repo.addEvent(seat.id, kind, detail).catch((err: Error) => this.log.error({ err: err.message }, 'seat event not stored'));
  }

  private persist(seat: Seat, event: SeatEvent): void {
    const row = { id: seat.id, state: seat.state, reason: seat.reason, since: seat.since, idleSince: seat.idleSince, nailedChannel: seat.nailedChannel ?? null };
    // Both writes are fire-and-forget on purpose: distribution must not wait on the disk; the
    // store keeps them in order (main.ts: the write-behind, batched with the call's own steps).
    void this.repo.save(row).catch((err: Error) => this.log.error({ err: err.message }, 'seat state not stored'));
    void this.repo.addEvent(seat.id, 'state', { state: seat.state, reason: seat.reason, event }).catch((err: Error) => this.log.error({ err: err.message }, 'seat event not stored'));
  }
}
