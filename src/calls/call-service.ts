// What happens to a caller's call, step by step. ARI events arrive through stasis-bindings.ts,
// seat offers through the queue's events; actions go out through the Telephony port; every step
// is stamped on the incident.
import type { Logger } from 'pino';
import type { Summary } from 'prom-client';
import type { LiveChannel, Telephony } from '../asterisk/telephony';
import { ChannelGone } from '../asterisk/errors';
import type { Incidents } from '../incidents/incidents';
import type { Offer } from '../queue/offer';
import type { QueueService } from '../queue/queue-service';
import type { Seats } from '../queue/seats';
import type { Recorder } from '../recording/recorder';
import { Call } from './call';
import { connectToSeat, ringback } from './connect';
import { isCallState, type CallEvent, type CallState } from './call-state';

export interface Arrival {
  channelId: string;
  callerNumber: string;
  callerName: string;
  /** The SIP From header as received (may be empty when Asterisk could not read it). */
  callerRaw: string;
  /** A call handed back by 12345: its case reference (X-12345-Case). */
  caseRef?: string;
  trunk: string;
  arrivedAt: number;
  /** The caller's location as Asterisk read it from the INVITE (see dispatch/caller-location.ts). */
  location?: { header: string; format: string; info: string; method: string };
  /** The caller's MixMonitor file the dialplan started (the recording of record), if any. */
  recordingFile?: string;
}

/** Finds where the caller is once the incident exists (dispatch/); it never holds the call up. */
export interface ArrivalLocator {
  onArrival(incidentId: number, callerNumber: string, sip: Arrival['location']): Promise<void>;
}

/** What the calls area needs of the officer conference (dispatch/). */
export interface OfficerLegs {
  officersIn(incident: string): number;
  endFor(incident: string): Promise<void>;
}

/** A call with a call-taker on the line, as other areas (monitoring) may see it. */
export interface CallInProgress {
  incident: string;
  incidentId: number;
  callerChannelId: string;
  takerChannelId: string;
  bridgeId: string;
  seatId: string | null;
  /** The caller's MixMonitor file (recording name) the dialplan started, if any. */
  recordingFile?: string;
}

/** Told when a call gets a call-taker and when it ends (monitoring follows calls this way). */
export interface CallWatcher {
  talking(call: CallInProgress): void;
  ended(incident: string): void;
}

export class NoCallTaker extends Error {
  readonly code = 'NO_CALL_TAKER';
  override readonly name = this.constructor.name;
}

export class CallService {
  private readonly calls = new Map<string, Call>();
  private readonly watchers: CallWatcher[] = [];

  constructor(
    private readonly telephony: Telephony,
    private readonly incidents: Incidents,
    private readonly queue: QueueService,
    private readonly seats: Seats,
    private readonly recorder: Recorder,
    private readonly officers: OfficerLegs,
    private readonly locator: ArrivalLocator,
    private readonly priorities: Record<string, number>,
    private readonly log: Logger,
    private readonly serviceTime?: Summary,
  ) {
    queue.on('offered', (offer) => {
      this.timeToOffer(offer);
      this.withCall(offer, 'offered', (call) => this.offered(call, offer));
    });
    queue.on('offer_failed', (offer, cause) => this.withCall(offer, 'offer failed', (call) => this.offerFailed(call, offer, cause)));
    queue.on('answered', (offer) => this.withCall(offer, 'answered', (call) => this.answered(call, offer)));
    queue.on('leg_hung_up', (offer) => this.withCall(offer, 'taker hung up', (call) => this.takerHungUp(call, offer)));
  }

  watch(watcher: CallWatcher): void {
    this.watchers.push(watcher);
  }

  activeCount(): number {
    return this.calls.size;
  }

  /**
   * A caller's channel entered our Stasis app: ringing, a number and the queue at once. The
   * incident and its timeline are written behind (incidents/incident-writer.ts): a store that is
   * locked or full must never keep a call from a seat (issue #14 H3).
   */
  arrived(arrival: Arrival): void {
    if (this.calls.has(arrival.channelId)) return;
    const call = new Call(arrival.channelId, arrival.arrivedAt, this.log.child({ channel: arrival.channelId }));
    call.enteredAt = performance.now();
    call.callerNumber = arrival.callerNumber;
    call.recordingFile = arrival.recordingFile;
    this.calls.set(call.channelId, call);
    const { caseRef, location, recordingFile, ...fields } = arrival;
    let incident: { id: number; number: string } | undefined;
    try {
      call.priority = this.priorities[arrival.trunk] ?? 100;
      incident = this.incidents.arrive({ ...fields, state: call.state, priority: call.priority, ...(caseRef ? { caseRef } : {}) });
      call.incidentId = incident.id;
      call.incidentNumber = incident.number;
      call.log = call.log.child({ incident: incident.number });
      void this.incidents.stamp(incident.id, 'arrived', { callerNumber: arrival.callerNumber, trunk: arrival.trunk }, arrival.arrivedAt);
      void this.incidents.stamp(incident.id, 'entered_service', { channel: call.channelId });
      call.log.info({ callerNumber: arrival.callerNumber, trunk: arrival.trunk }, 'call entered service');
      void this.move(call, 'incident_opened'); // the state moves now; only its stamp is written behind
      this.enqueueCall(call);
    } finally {
      // Ringing in the same turn, never waiting for the database: the caller must never hear
      // silence. Sent just after the queue's request to a ready seat, which the caller waits for.
      this.telephony.ring(call.channelId).catch((err: unknown) => {
        if (!(err instanceof ChannelGone)) call.log.error({ err: (err as Error).message }, 'could not send ringing');
      });
    }
    // The location is kept on the stored row, so it waits for the row; never for the call.
    const id = incident.id;
    void this.incidents.written(id).then(() => this.locator.onArrival(id, arrival.callerNumber, location));
  }

  /** The caller's channel left Stasis (hung up, or was taken away). */
  callerLeft(channelId: string): void {
    const call = this.calls.get(channelId);
    if (!call) return;
    const place = this.queue.remove(channelId);
    // The seat is given back now, not behind this call's bookkeeping in its lane: in a surge the
    // seat is what the next caller waits for (Queue() lets its member go as the caller leaves).
    // A call whose answer is still being carried out (its recording starting) waits for it.
    const settled = call.state === 'talking' && call.legId !== undefined && (call.recordingName !== undefined || !call.recording);
    const released = settled ? settle(this.releaseSeat(call, call.legId)) : undefined;
    void call.enqueue('caller hung up', async () => {
      const state = call.state;
      await this.move(call, 'caller_hung_up');
      if (place && call.incidentId !== undefined) await this.incidents.abandoned(call.incidentId, Date.now(), place.waitMs, place.position);
      const halted = released ? await unsettle(released) : await this.releaseSeat(call, call.legId);
      if (call.incidentNumber) await this.officers.endFor(call.incidentNumber);
      const incident = call.incidentNumber;
      if (incident) this.watchers.forEach((w) => w.ended(incident));
      if (halted) await this.recorder.finished(call.recordingName!);
      await this.finish(call, { reason: place ? 'abandoned' : 'caller_hung_up', state });
    });
  }

  /**
   * The caller is gone: the recording is stopped before its bridge goes (it is fetched and stored
   * only later, once the seat is free: the next caller must not wait for our disk), then the
   * bridge and the seat's leg. A nailed seat's connection must be out of the bridge before it
   * takes its next call; a ringing seat's leg is simply hung up, beside the bridge's removal.
   */
  private async releaseSeat(call: Call, legId: string | undefined): Promise<boolean> {
    const halted = call.recordingName !== undefined && (await this.recorder.halt(call.recordingName));
    const bridge = call.bridgeId ? this.telephony.destroyBridge(call.bridgeId) : Promise.resolve();
    if (!legId) await bridge;
    else if (this.queue.offerOf(legId)?.delivery === 'nailed') await bridge.then(() => this.queue.endTalking(legId));
    else await Promise.all([bridge, this.queue.endTalking(legId)]);
    return halted;
  }

  private enqueueCall(call: Call): void {
    if (call.incidentNumber === undefined) return;
    this.queue.enqueue({ channelId: call.channelId, incident: call.incidentNumber, callerNumber: call.callerNumber, priority: call.priority, arrivedAt: call.arrivedAt, enqueuedAt: Date.now() });
  }

  private async offered(call: Call, offer: Offer): Promise<void> {
    await this.move(call, 'offered');
    if (call.incidentId !== undefined) await this.incidents.offered(call.incidentId, offer.startedAt, { seat: offer.seat?.id ?? null, overflow: !offer.seat, leg: offer.legId });
  }

  private async offerFailed(call: Call, offer: Offer, cause: string): Promise<void> {
    if (call.state === 'offered') await this.move(call, 'offer_failed');
    if (call.incidentId !== undefined) await this.incidents.stamp(call.incidentId, 'offer_failed', { seat: offer.seat?.id ?? null, cause });
  }

  /** A seat (or the overflow target) answered: caller answered and joined with it in one bridge. */
  private async answered(call: Call, offer: Offer): Promise<void> {
    const at = Date.now();
    if (call.state === 'ended') return this.queue.endTalking(offer.legId);
    try {
      await connectToSeat(this.telephony, call, offer.legId);
    } catch (err) {
      return this.connectFailed(call, offer, err);
    }
    call.legId = offer.legId;
    await this.move(call, 'taker_answered');
    if (!call.recording && call.incidentId !== undefined && call.incidentNumber !== undefined) {
      call.recording = true; // one recording per bridge, from the first answer to the end
      call.recordingName = await this.recorder.start(call.incidentId, call.incidentNumber, call.bridgeId!, offer.seat?.id ?? null, call.recordingFile);
    }
    const answerMs = at - call.arrivedAt;
    call.log.info({ seat: offer.seat?.id, answerMs }, 'call answered');
    this.announceTalking(call);
    if (call.incidentId !== undefined) {
      await this.incidents.answered(call.incidentId, { at, seatId: offer.seat?.id ?? null, delivery: offer.delivery, seatChannelId: offer.legId, bridgeId: call.bridgeId!, answerMs });
    }
  }

  /**
   * Asterisk did not carry out the connection (after the port's own retries): the caller is never
   * the one to lose. The seat's leg is let go, and the call goes back to the queue at its place
   * (its arrival time), hearing ringing, to be offered again. A caller who hung up meanwhile is
   * left to callerLeft().
   */
  private async connectFailed(call: Call, offer: Offer, err: unknown): Promise<void> {
    await this.queue.endTalking(offer.legId).catch((e: Error) => call.log.error({ leg: offer.legId, err: e.message }, 'could not let the seat leg go'));
    if (err instanceof ChannelGone && err.channelId === call.channelId) return;
    call.log.error({ seat: offer.seat?.id, err: (err as Error).message }, 'CALL NOT CONNECTED to the seat that answered: back in the queue at its place');
    await ringback(this.telephony, call).catch((e: Error) => call.log.error({ err: e.message }, 'could not play ringback'));
    if (call.state === 'offered') await this.move(call, 'offer_failed');
    if (call.incidentId !== undefined) await this.incidents.stamp(call.incidentId, 'connect_failed', { seat: offer.seat?.id ?? null, error: (err as Error).message });
    this.enqueueCall(call);
  }

  /**
   * The seat's leg is gone. A ringing seat's call-taker hung up: the call is over for the caller
   * too. A nailed seat's connection dropped: nobody chose to end the call, so the caller goes
   * back to the head of the queue (its arrival time keeps its place), hearing ringing meanwhile.
   */
  private async takerHungUp(call: Call, offer: Offer): Promise<void> {
    if (call.legId !== offer.legId) return;
    call.legId = undefined;
    if (offer.delivery === 'nailed' && call.state === 'talking') {
      if (call.incidentId !== undefined) await this.incidents.stamp(call.incidentId, 'seat_lost', { seat: offer.seat?.id ?? null });
      await ringback(this.telephony, call);
      await this.move(call, 'taker_left');
      this.enqueueCall(call);
      return;
    }
    if (call.incidentNumber && this.officers.officersIn(call.incidentNumber) > 0) {
      // Flat dispatch: the call-taker leaves caller and officer talking.
      if (call.incidentId !== undefined) await this.incidents.stamp(call.incidentId, 'taker_left', { seat: offer.seat?.id ?? null });
      return;
    }
    if (call.incidentId !== undefined) await this.incidents.stamp(call.incidentId, 'taker_hung_up', { seat: offer.seat?.id ?? null });
    await this.telephony.hangup(call.channelId);
  }

  /** The call in progress of an incident, with the bridge an officer can be joined to. */
  talkingCall(incident: string): { incidentId: number; bridgeId: string } | undefined {
    for (const call of this.calls.values()) {
      if (call.incidentNumber === incident && call.state === 'talking' && call.bridgeId && call.incidentId !== undefined) return { incidentId: call.incidentId, bridgeId: call.bridgeId };
    }
    return undefined;
  }

  /** The incident a call-taker's leg is talking on (for *1 from their headset). */
  incidentOfTaker(legId: string): string | undefined {
    for (const call of this.calls.values()) if (call.legId === legId && call.state === 'talking') return call.incidentNumber;
    return undefined;
  }

  /** The call of an incident while a call-taker is on the line (monitoring, instant recall). */
  callInProgress(incident: string): CallInProgress | undefined {
    const call = [...this.calls.values()].find((c) => c.incidentNumber === incident);
    if (!call || call.state !== 'talking' || !call.legId || !call.bridgeId || call.incidentId === undefined) return undefined;
    return { incident, incidentId: call.incidentId, callerChannelId: call.channelId, takerChannelId: call.legId, bridgeId: call.bridgeId, seatId: this.queue.offerOf(call.legId)?.seat?.id ?? null, ...(call.recordingFile ? { recordingFile: call.recordingFile } : {}) };
  }

  /** The incident whose call a seat's call-taker has on the line now, if any. */
  incidentAtSeat(seatId: string): string | undefined {
    for (const call of this.calls.values()) {
      if (call.legId && call.incidentNumber && call.state === 'talking' && this.queue.offerOf(call.legId)?.seat?.id === seatId) return call.incidentNumber;
    }
    return undefined;
  }

  /** The call-taker leaves a conference (REST): their leg goes, caller and officer stay. */
  async takerLeave(incident: string): Promise<void> {
    const call = [...this.calls.values()].find((c) => c.incidentNumber === incident && c.state === 'talking');
    if (!call?.legId) throw new NoCallTaker(`incident ${incident} has no call-taker on the line`);
    if (this.officers.officersIn(incident) === 0) throw new NoCallTaker(`incident ${incident} has no officer on the line: the call-taker would leave the caller alone`);
    const legId = call.legId;
    const offer = this.queue.offerOf(legId);
    if (offer?.delivery === 'nailed' && call.bridgeId) {
      // A nailed headset stays up: it only leaves the bridge and goes back to idle.
      call.legId = undefined;
      await this.telephony.removeFromBridge(call.bridgeId, legId);
      await this.queue.endTalking(legId);
      if (call.incidentId !== undefined) await this.incidents.stamp(call.incidentId, 'taker_left', { seat: offer.seat?.id ?? null });
      return;
    }
    await this.telephony.hangup(legId); // its StasisEnd goes through takerHungUp: taker_left
  }

  /** A nailed call-taker ends the call (DTMF # on the connection): the caller is hung up. */
  release(legId: string): void {
    for (const call of this.calls.values()) {
      if (call.legId !== legId || call.state !== 'talking') continue;
      void call.enqueue('released by call-taker', async () => {
        if (call.incidentId !== undefined) await this.incidents.stamp(call.incidentId, 'taker_hung_up', { via: 'dtmf' });
        await this.telephony.hangup(call.channelId);
      });
    }
  }

  /**
   * After every (re)connect: our stored open incidents against the channels alive in Asterisk.
   * Live ones are re-attached (back in the queue, or talking with their seat), vanished ones are
   * closed, live callers we never numbered are adopted, and orphaned seat legs hung up.
   */
  async reconcile(live: LiveChannel[]): Promise<void> {
    const liveById = new Map(live.map((c) => [c.id, c]));
    const reattached: string[] = [];
    for (const incident of await this.incidents.listOpen()) {
      const known = this.calls.get(incident.channelId);
      const state: CallState = isCallState(incident.state) ? incident.state : 'waiting';
      const call = known ?? new Call(incident.channelId, incident.arrivedAt, this.log.child({ channel: incident.channelId, incident: incident.number }), state);
      call.incidentId = incident.id;
      call.incidentNumber = incident.number;
      call.callerNumber = incident.callerNumber;
      call.priority = incident.priority;
      if (!liveById.has(incident.channelId)) {
        this.calls.set(call.channelId, call);
        await call.enqueue('lost while away', async () => {
          await this.move(call, 'lost');
          await this.finish(call, { reason: 'ended_while_service_away' });
        });
        continue;
      }
      if (known) continue; // a short link drop: this process never lost the call
      this.calls.set(call.channelId, call);
      const seatLegLive = incident.seatChannelId !== null && liveById.has(incident.seatChannelId);
      if (state === 'talking' && seatLegLive) {
        call.legId = incident.seatChannelId!;
        call.bridgeId = incident.bridgeId ?? undefined;
        Object.assign(call.connected, { callerAnswered: true, bridgeMade: true, callerInBridge: true });
        call.recording = true; // its bridge recording goes on in Asterisk without us
        // ...and is stopped and stored when the call ends, as if this process had started it.
        const started = (await this.incidents.get(incident.number)).timeline.filter((e) => e.kind === 'recording').pop()?.detail.name;
        if (typeof started === 'string') call.recordingName = started;
        this.queue.adoptTalking({ channelId: call.channelId, incident: incident.number, callerNumber: call.callerNumber, priority: call.priority, arrivedAt: call.arrivedAt, enqueuedAt: Date.now() }, call.legId, incident.seatId ? this.seats.get(incident.seatId) : undefined);
        this.announceTalking(call); // e.g. instant recall starts its rolling recording again
      } else if (state !== 'arrived') {
        call.state = 'waiting'; // an offer or a talk that died with the old process: queue again
        this.enqueueCall(call);
      }
      reattached.push(call.channelId);
      await this.incidents.stamp(incident.id, 'reattached', { channel: call.channelId, state: call.state });
      call.log.warn({ state: call.state }, 'call re-attached after service restart');
    }
    this.queue.releaseOrphanSeats();
    // A caller who hung up between the channel list above and the re-attach sent a StasisEnd
    // that found no call: look once more, so that no re-attached call waits for a ghost.
    if (reattached.length) {
      const still = new Set((await this.telephony.listChannels()).map((c) => c.id));
      for (const id of reattached) if (!still.has(id)) this.callerLeft(id);
    }
    for (const channel of live) {
      if (!channel.inOurApp || this.calls.has(channel.id) || this.queue.isLeg(channel.id)) continue;
      if (this.seats.byNailedChannel(channel.id)) continue; // a nailed headset, taken back idle
      if (['leg', 'callback', 'feature', 'headset', 'officer', 'transfer', 'followup'].includes(channel.appArgs[0] ?? '')) {
        // A leg of a dead process's offer or callback, or a nailed connection it no longer
        // knows: hung up, the call-taker logs in again. (A follow-up call it was making is rung
        // again from the store: followup/service.ts.)
        await this.telephony.hangup(channel.id);
        continue;
      }
      if (channel.appArgs[0] !== '110' && channel.appArgs[0] !== 'from12345') continue;
      if (await this.incidents.findByChannel(channel.id)) continue;
      this.arrived({ channelId: channel.id, callerNumber: channel.callerNumber, callerName: channel.callerName, callerRaw: '', trunk: channel.appArgs[0], arrivedAt: Date.now() });
      const call = this.calls.get(channel.id)!;
      void call.enqueue('adopt', async () => {
        if (call.incidentId !== undefined) await this.incidents.stamp(call.incidentId, 'adopted', { channel: channel.id });
      });
    }
  }

  private announceTalking(call: Call): void {
    const live = call.incidentNumber && this.callInProgress(call.incidentNumber);
    if (live) this.watchers.forEach((w) => w.talking(live));
  }

  /** Runs in the 'offered' event itself, i.e. in the same turn as the seat leg's originate. */
  private timeToOffer(offer: Offer): void {
    const call = this.calls.get(offer.call.channelId);
    if (!call || call.offeredOnce || call.enteredAt === undefined) return;
    call.offeredOnce = true;
    this.serviceTime?.observe((performance.now() - call.enteredAt) / 1000);
  }

  private withCall(offer: Offer, step: string, work: (call: Call) => Promise<void>): void {
    const call = this.calls.get(offer.call.channelId);
    if (!call) {
      if (step === 'answered') void this.queue.endTalking(offer.legId);
      return;
    }
    void call.enqueue(step, () => work(call));
  }

  private async move(call: Call, event: CallEvent): Promise<void> {
    const [from, to] = call.apply(event);
    if (from !== to && call.incidentId !== undefined) await this.incidents.moved(call.incidentId, from, to, event);
  }

  private async finish(call: Call, detail: Record<string, unknown>): Promise<void> {
    this.calls.delete(call.channelId);
    if (call.incidentId !== undefined) await this.incidents.end(call.incidentId, Date.now(), detail);
    call.log.info(detail, 'call ended');
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; err: unknown };
/** A promise awaited later without an unhandled rejection in between. */
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (err: unknown) => ({ ok: false as const, err }));
const unsettle = async <T>(p: Promise<Settled<T>>): Promise<T> => {
  const r = await p;
  if (r.ok) return r.value;
  throw r.err;
};
