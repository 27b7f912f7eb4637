// Automatic call distribution: waiting calls, ready seats, and the offers that ring one for the
// other. It decides who rings; the call flow (calls/) decides what an answer means for the call.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Faults } from '../events/faults';
import { orderWaiting, pickSeat } from './distribution';
import { autoAnswerHeaders, type Seat, type Seats } from './seats';
import type { Offer, QueueEvents, QueueSettings, QueuedCall, TextDesk } from './offer';

/** How long a seat's leg may take to be originated (Asterisk busy) before its ring time counts. */
const SETUP_GUARD_MS = 3000;

interface Entry {
  call: QueuedCall;
  seatOffer: Offer | undefined;
  overflowOffer: Offer | undefined;
  overflowTimer: NodeJS.Timeout | undefined;
}

export class QueueService extends EventEmitter<QueueEvents> {
  private readonly waiting = new Map<string, Entry>();
  private readonly offers = new Map<string, Offer>();
  /** Answered legs by leg id, so a call-taker hanging up is recognised. */
  private readonly talking = new Map<string, Offer>();
  private readonly wrapTimers = new Map<string, NodeJS.Timeout>();
  private textDesk: TextDesk | undefined;

  constructor(
    private readonly telephony: Telephony,
    private readonly seats: Seats,
    private readonly settings: QueueSettings,
    private readonly log: Logger,
    private readonly faults: Faults,
  ) {
    super();
    seats.on('changed', (seat) => {
      if (seat.state === 'wrap_up') this.startWrapUp(seat);
      if (seat.state !== 'ringing') this.seatLeft(seat);
      this.scheduleDispatch();
    });
  }

  /** A call joins the queue (or re-joins it, keeping its arrival time and so its place). */
  enqueue(call: QueuedCall): void {
    if (this.waiting.has(call.channelId)) return;
    const entry: Entry = { call, seatOffer: undefined, overflowOffer: undefined, overflowTimer: undefined };
    this.waiting.set(call.channelId, entry);
    if (this.settings.overflowAfterMs > 0 && this.settings.overflowEndpoint && call.media !== 'text') {
      const due = Math.max(0, call.arrivedAt + this.settings.overflowAfterMs - Date.now());
      entry.overflowTimer = setTimeout(() => this.overflow(entry), due);
    }
    this.dispatch(); // a new call is offered at once, in this turn: every millisecond counts
  }

  /**
   * The caller is gone (or answered elsewhere): withdraw everything ringing for them.
   * Returns where they were in the queue (1 = head), or undefined if they were not waiting.
   */
  remove(channelId: string): { position: number; waitMs: number } | undefined {
    const entry = this.waiting.get(channelId);
    if (!entry) return undefined;
    const position = orderWaiting([...this.waiting.values()].map((e) => ({ key: e.call.channelId, ...e.call }))).findIndex((c) => c.key === channelId) + 1;
    this.waiting.delete(channelId);
    clearTimeout(entry.overflowTimer);
    for (const offer of [entry.seatOffer, entry.overflowOffer]) if (offer) this.withdraw(offer, 'caller_gone');
    return { position, waitMs: Date.now() - entry.call.arrivedAt };
  }

  /** The answered leg of a call that is over: hang it up and free its seat. */
  async endTalking(legId: string): Promise<void> {
    const offer = this.talking.get(legId);
    if (!offer) return;
    this.talking.delete(legId);
    if (offer.seat) this.seats.apply(offer.seat, 'call_ended');
    // A nailed connection outlives its calls: it goes back to idle, silent, on the same channel.
    if (offer.delivery !== 'nailed') await this.telephony.hangup(legId);
  }

  /** Re-attach after a restart: a call that was talking with a seat leg. */
  adoptTalking(call: QueuedCall, legId: string, seat: Seat | undefined): void {
    const delivery = seat?.nailedChannel === legId ? 'nailed' : seat ? 'ring' : 'overflow';
    const offer: Offer = { legId, call, seat, delivery, startedAt: Date.now(), answered: true, timer: undefined };
    this.talking.set(legId, offer);
    if (seat && seat.state !== 'on_call') {
      if (seat.state === 'ready') this.seats.apply(seat, 'offer');
      if (seat.state === 'ringing') this.seats.apply(seat, 'answered');
    }
  }

  /**
   * After a restart's re-attach: a seat restored as ringing or on a call that no live offer or
   * talk of ours holds any more (its call ended while we were away) is freed, not left stuck.
   */
  releaseOrphanSeats(): void {
    const held = new Set([...this.offers.values(), ...this.talking.values()].map((o) => o.seat?.id));
    for (const seat of this.seats.all()) {
      if (held.has(seat.id) || this.textDesk?.holds(seat)) continue;
      if (seat.state === 'on_call') this.seats.apply(seat, 'call_ended');
      else if (seat.state === 'ringing') this.seats.apply(seat, 'offer_cancelled');
    }
  }

  /** Texts wait in this queue with the calls (src/texts/): the desk picks their seat and hands them over. */
  takeTextsWith(desk: TextDesk): void {
    this.textDesk = desk;
  }

  /** Distribution again: e.g. a seat let a text go, which its voice state does not show. */
  redistribute(): void {
    this.scheduleDispatch();
  }

  isLeg(channelId: string): boolean {
    return this.offers.has(channelId) || this.talking.has(channelId);
  }

  /** The offer (ringing or answered) a leg belongs to. */
  offerOf(legId: string): Offer | undefined {
    return this.offers.get(legId) ?? this.talking.get(legId);
  }

  // ---- ARI events for legs (bound in calls/stasis-bindings.ts) ----

  /**
   * The leg's own StasisStart. A leg is originated straight into our app, so it arrives here only
   * once its phone answered: this is the answer. Its ChannelStateChange to Up comes first, while it
   * is not yet in our app (no bridge would take it), so that one is not the answer.
   */
  legEntered(legId: string): void {
    const offer = this.offers.get(legId);
    if (offer) return this.legAnswered(legId);
    // Withdrawn while its phone was ringing and answered anyway: nobody is waiting for it.
    if (!this.talking.has(legId)) this.hangUpStray(legId);
  }

  private hangUpStray(legId: string): void {
    void this.telephony.hangup(legId).catch((err: Error) => this.log.error({ leg: legId, err: err.message }, 'could not hang up a withdrawn leg'));
  }

  legAnswered(legId: string): void {
    const offer = this.offers.get(legId);
    if (!offer || offer.answered) return;
    offer.answered = true;
    clearTimeout(offer.timer);
    this.offers.delete(legId);
    this.talking.set(legId, offer);
    const entry = this.waiting.get(offer.call.channelId);
    this.waiting.delete(offer.call.channelId);
    if (entry) {
      clearTimeout(entry.overflowTimer);
      for (const other of [entry.seatOffer, entry.overflowOffer]) if (other && other !== offer) this.withdraw(other, 'answered_elsewhere');
    }
    if (offer.seat) this.seats.apply(offer.seat, 'answered');
    this.faults.tell(this, 'answered', offer);
  }

  /** The leg hung up, failed to dial (busy, unreachable) or left our app. */
  legGone(legId: string, cause: string): void {
    const ringing = this.offers.get(legId);
    if (ringing) return this.failed(ringing, cause);
    const answered = this.talking.get(legId);
    if (!answered) return;
    this.talking.delete(legId);
    if (answered.seat) this.seats.apply(answered.seat, 'call_ended');
    this.faults.tell(this, 'leg_hung_up', answered);
  }

  snapshot(): { waiting: QueuedCall[]; offers: number } {
    return { waiting: orderWaiting([...this.waiting.values()].map((e) => ({ key: e.call.channelId, ...e.call }))), offers: this.offers.size };
  }

  // ---- distribution ----

  private dispatchPending = false;

  /**
   * Distribution runs once per turn of the event loop, after the change that asked for it has
   * finished: a seat change in the middle of an offer's bookkeeping never re-enters it.
   */
  private scheduleDispatch(): void {
    if (this.dispatchPending) return;
    this.dispatchPending = true;
    setImmediate(() => {
      this.dispatchPending = false;
      this.dispatch();
    });
  }

  /** Gives every free seat the next waiting call, in priority then arrival order. */
  private dispatch(): void {
    const pending = orderWaiting([...this.waiting.values()].filter((e) => !e.seatOffer).map((e) => ({ key: e.call.channelId, ...e.call, entry: e })));
    let voiceSeats = true;
    for (const { entry } of pending) {
      // A text behind calls that found no seat may still find one (a seat holding a call may take a text).
      if (entry.call.media === 'text') {
        this.offerText(entry);
        continue;
      }
      const apart = this.telephony.sameNode ? this.nailedElsewhere(entry.call.channelId) : undefined;
      const seat = voiceSeats ? pickSeat(this.seats.all(), apart) : undefined;
      if (!seat && apart?.size) continue; // a seat left out for this call may suit the next one
      if (!seat && !this.textDesk) return;
      if (!seat) {
        voiceSeats = false;
        continue;
      }
      this.offer(entry, seat);
    }
  }

  /**
   * Several Asterisk nodes: a nailed seat's connection lives on one node, and a bridge joins the
   * channels of one node only, so it takes only the callers on its node (ringing seats take all).
   */
  private nailedElsewhere(callerId: string): Set<string> {
    const apart = new Set<string>();
    for (const seat of this.seats.all()) if (seat.nailedChannel && !this.telephony.sameNode!(seat.nailedChannel, callerId)) apart.add(seat.id);
    return apart;
  }

  /** A text needs no leg: it leaves the queue as its seat is picked, and the desk hands it over. */
  private offerText(entry: Entry): void {
    const seat = this.textDesk?.pick(this.seats.all());
    if (!seat) return;
    this.waiting.delete(entry.call.channelId);
    this.textDesk!.deliver(entry.call, seat);
  }

  private offer(entry: Entry, seat: Seat | undefined): void {
    if (seat?.nailedChannel) return this.offerNailed(entry, seat, seat.nailedChannel);
    const legId = `cti110-${seat ? `seat-${seat.id}` : 'overflow'}-${randomUUID()}`;
    const offer: Offer = { legId, call: entry.call, seat, delivery: seat ? 'ring' : 'overflow', startedAt: Date.now(), answered: false, timer: undefined };
    this.offers.set(legId, offer);
    // The request first, the bookkeeping after: the phone should ring as soon as it can. One
    // request creates the channel and dials it (create + StasisStart + dial cost two round trips
    // and an event per seat leg, issue #15).
    const timeoutSec = Math.ceil(this.settings.ringNoAnswerMs / 1000) + 5; // our timer fires first
    this.telephony
      .originate({
        channelId: legId,
        endpoint: seat ? seat.endpoint : this.settings.overflowEndpoint,
        appArgs: `leg,${entry.call.channelId}`,
        timeoutSec: seat ? timeoutSec : 60,
        callerId: entry.call.callerNumber || undefined,
        originatorChannelId: entry.call.channelId,
        variables: seat ? autoAnswerHeaders(seat) : {},
      })
      .then(() => this.dialled(offer))
      .catch((err: Error) => this.failed(offer, `originate: ${err.message}`));
    if (seat) {
      entry.seatOffer = offer;
      this.seats.apply(seat, 'offer');
      // Until Asterisk has taken the leg, only a guard: the ring-no-answer time counts from then,
      // so a slow set-up under load does not mark a seat "no answer" it never had a chance at.
      offer.timer = setTimeout(() => this.noAnswer(offer), this.settings.ringNoAnswerMs + SETUP_GUARD_MS);
    } else {
      entry.overflowOffer = offer;
    }
    this.faults.tell(this, 'offered', offer);
  }

  /** Asterisk took the leg and its phone is ringing: the ring-no-answer time counts from now. */
  private dialled(offer: Offer): void {
    // Withdrawn while the request was on its way (the hang-up found no channel yet), or already
    // answered (moved to talking): no ring timer to restart.
    if (!this.offers.has(offer.legId)) {
      if (!this.talking.has(offer.legId)) this.hangUpStray(offer.legId);
      return;
    }
    if (offer.seat) {
      clearTimeout(offer.timer);
      offer.timer = setTimeout(() => this.noAnswer(offer), this.settings.ringNoAnswerMs);
    }
  }

  /**
   * Nailed-up seat: no INVITE, no ringing. The seat hears a zip tone on its open connection
   * (the caller does not: it is played on the seat's channel before the two are joined) and the
   * call counts as answered at once.
   */
  private offerNailed(entry: Entry, seat: Seat, channelId: string): void {
    const offer: Offer = { legId: channelId, call: entry.call, seat, delivery: 'nailed', startedAt: Date.now(), answered: false, timer: undefined };
    this.offers.set(channelId, offer);
    entry.seatOffer = offer;
    this.seats.apply(seat, 'offer');
    this.faults.tell(this, 'offered', offer);
    this.telephony.play(channelId, 'sound:beep').catch((err: Error) => this.log.warn({ seat: seat.id, err: err.message }, 'zip tone not played'));
    this.legAnswered(channelId);
  }

  private overflow(entry: Entry): void {
    entry.overflowTimer = undefined;
    if (!this.waiting.has(entry.call.channelId) || entry.overflowOffer) return;
    this.log.warn({ incident: entry.call.incident, waitedMs: Date.now() - entry.call.arrivedAt }, 'overflow: also offering the call to the overflow target');
    this.offer(entry, undefined);
  }

  private noAnswer(offer: Offer): void {
    if (!this.offers.has(offer.legId)) return;
    this.failed(offer, 'no_answer');
  }

  /** An offer that will not be answered: free the entry for the next seat at once. */
  private failed(offer: Offer, cause: string): void {
    if (!this.offers.delete(offer.legId)) return;
    clearTimeout(offer.timer);
    const entry = this.waiting.get(offer.call.channelId);
    if (entry?.seatOffer === offer) entry.seatOffer = undefined;
    if (entry?.overflowOffer === offer) entry.overflowOffer = undefined;
    if (offer.delivery !== 'nailed') void this.telephony.hangup(offer.legId).catch((err: Error) => this.log.error({ leg: offer.legId, err: err.message }, 'could not hang up failed leg'));
    this.faults.tell(this, 'offer_failed', offer, cause);
    if (offer.seat && offer.delivery !== 'nailed') {
      const reason = cause === 'no_answer' ? 'no answer' : 'unreachable';
      const kind = cause === 'no_answer' ? 'no_answer' : cause.startsWith('seat_') ? 'offer_withdrawn' : 'unreachable';
      this.seats.note(offer.seat, kind, { incident: offer.call.incident, cause });
      if (offer.seat.state === 'ringing') this.seats.apply(offer.seat, 'offer_failed', reason);
    }
    this.scheduleDispatch();
  }

  /**
   * An offer rings only a ringing seat. A call-taker who goes not ready or logs out while the
   * phone rings takes the ringing back, as a paused app_queue member does: the leg is hung up and
   * the call goes on to the next seat, keeping its place. An answer that crossed this is ignored
   * (its leg is being hung up); the caller, still waiting, is not dropped.
   */
  private seatLeft(seat: Seat): void {
    for (const offer of this.offers.values()) {
      if (offer.seat === seat && offer.delivery === 'ring' && !offer.answered) this.failed(offer, `seat_${seat.state}`);
    }
  }

  private withdraw(offer: Offer, why: string): void {
    if (!this.offers.delete(offer.legId)) return;
    clearTimeout(offer.timer);
    if (offer.delivery !== 'nailed') void this.telephony.hangup(offer.legId).catch((err: Error) => this.log.error({ leg: offer.legId, err: err.message }, 'could not withdraw offer'));
    if (offer.seat && offer.seat.state === 'ringing') this.seats.apply(offer.seat, 'offer_cancelled');
    this.log.debug({ leg: offer.legId, why }, 'offer withdrawn');
  }

  private startWrapUp(seat: Seat): void {
    clearTimeout(this.wrapTimers.get(seat.id));
    this.wrapTimers.set(
      seat.id,
      setTimeout(() => {
        this.wrapTimers.delete(seat.id);
        if (seat.state === 'wrap_up') this.seats.apply(seat, 'wrap_up_done');
      }, this.settings.wrapUpMs),
    );
  }

  stop(): void {
    for (const e of this.waiting.values()) clearTimeout(e.overflowTimer);
    for (const o of this.offers.values()) clearTimeout(o.timer);
    for (const t of this.wrapTimers.values()) clearTimeout(t);
  }
}
