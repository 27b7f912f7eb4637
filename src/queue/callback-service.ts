// Calling an abandoned caller back: the call-taker's seat rings first, then the caller over the
// 110 trunk, both in one bridge, every step stamped on the original incident (NENA asks for at
// least one callback attempt for every abandoned call; abandoned_calls.callback_at measures it).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Incidents } from '../incidents/incidents';
import { SeatStateError } from './seat-state';
import type { Seat, Seats } from './seats';

export class NothingToCallBack extends Error {
  readonly code = 'NOTHING_TO_CALL_BACK';
  override readonly name = this.constructor.name;
}

interface Callback {
  incidentId: number;
  incident: string;
  number: string;
  seat: Seat;
  seatLeg: string;
  calleeLeg: string;
  bridgeId: string;
  stage: 'ringing_seat' | 'ringing_caller' | 'connected' | 'over';
  timer: NodeJS.Timeout | undefined;
}

export class CallbackService {
  private readonly byLeg = new Map<string, Callback>();

  constructor(
    private readonly telephony: Telephony,
    private readonly seats: Seats,
    private readonly incidents: Incidents,
    private readonly settings: { trunk: string; ringNoAnswerMs: number; callerRingMs: number },
    private readonly log: Logger,
  ) {
    seats.on('changed', (seat) => this.seatChanged(seat));
  }

  async start(incidentNumber: string, seatId: string): Promise<{ incident: string; seat: string }> {
    const incident = await this.incidents.findByNumber(incidentNumber);
    if (!/^[0-9+*#]{1,32}$/.test(incident.callerNumber)) {
      throw new NothingToCallBack(`incident ${incidentNumber} has no caller number that can be dialled (${JSON.stringify(incident.callerNumber.slice(0, 40))})`);
    }
    const seat = this.seats.get(seatId);
    if (seat.state !== 'ready' && seat.state !== 'not_ready') throw new SeatStateError(seat.state, 'offer');
    if (seat.state === 'not_ready') this.seats.apply(seat, 'ready');
    this.seats.apply(seat, 'offer');
    const cb: Callback = {
      incidentId: incident.id,
      incident: incident.number,
      number: incident.callerNumber,
      seat,
      seatLeg: `cti110-cbseat-${randomUUID()}`,
      calleeLeg: `cti110-cbcaller-${randomUUID()}`,
      bridgeId: `cti110-cb-${randomUUID()}`,
      stage: 'ringing_seat',
      timer: undefined,
    };
    this.byLeg.set(cb.seatLeg, cb);
    this.byLeg.set(cb.calleeLeg, cb);
    await this.incidents.callback(cb.incidentId, seat.id, 'started');
    if (cb.stage === 'over') return { incident: incident.number, seat: seat.id }; // taken back meanwhile: nothing to ring
    cb.timer = setTimeout(() => void this.fail(cb, 'seat_no_answer'), this.settings.ringNoAnswerMs + 3000);
    await this.telephony.createChannel({ channelId: cb.seatLeg, endpoint: seat.endpoint, appArgs: 'callback', callerId: incident.callerNumber });
    return { incident: incident.number, seat: seat.id };
  }

  isLeg(channelId: string): boolean {
    return this.byLeg.has(channelId);
  }

  legEntered(legId: string): void {
    const cb = this.byLeg.get(legId);
    // Over before its channel reached us (the hang-up overtook the create): nobody to ring for.
    if (!cb) return void this.telephony.hangup(legId).catch((err: Error) => this.log.error({ leg: legId, err: err.message }, 'could not hang up a callback leg'));
    const timeout = legId === cb.seatLeg ? Math.ceil(this.settings.ringNoAnswerMs / 1000) + 5 : Math.ceil(this.settings.callerRingMs / 1000);
    this.telephony.dial(legId, timeout).catch((err: Error) => void this.fail(cb, `dial: ${err.message}`));
  }

  legAnswered(legId: string): void {
    const cb = this.byLeg.get(legId);
    if (!cb) return;
    if (legId === cb.seatLeg && cb.stage === 'ringing_seat') {
      cb.stage = 'ringing_caller';
      clearTimeout(cb.timer);
      this.seats.apply(cb.seat, 'answered');
      cb.timer = setTimeout(() => void this.fail(cb, 'caller_no_answer'), this.settings.callerRingMs + 2000);
      void this.step(cb, 'ring caller', async () => {
        await this.telephony.createBridge(cb.bridgeId, `callback ${cb.incident}`);
        await this.telephony.addToBridge(cb.bridgeId, [cb.seatLeg]);
        // The call-taker hears ringing while the caller's phone rings.
        await this.telephony.play(cb.seatLeg, 'tone:ring;tonezone=cn', `${cb.seatLeg}-ringback`);
        await this.telephony.createChannel({ channelId: cb.calleeLeg, endpoint: `PJSIP/${cb.number}@${this.settings.trunk}`, appArgs: 'callback', callerId: '110' });
      });
    } else if (legId === cb.calleeLeg && cb.stage === 'ringing_caller') {
      cb.stage = 'connected';
      clearTimeout(cb.timer);
      void this.step(cb, 'connect', async () => {
        await this.telephony.stopPlayback(`${cb.seatLeg}-ringback`);
        await this.telephony.addToBridge(cb.bridgeId, [cb.calleeLeg]);
        await this.incidents.callback(cb.incidentId, cb.seat.id, 'connected');
      });
    }
  }

  /** A leg failed or hung up: the callback is over (connected: normal end; otherwise a failure). */
  legGone(legId: string, cause: string): void {
    const cb = this.byLeg.get(legId);
    if (!cb) return;
    void this.fail(cb, cb.stage === 'connected' ? 'ended' : legId === cb.seatLeg ? `seat_${cause}` : `caller_${cause}`);
  }

  /**
   * A call-taker who goes not ready or logs out while their phone rings for a callback takes it
   * back (as for a queue offer); an answer that crossed it finds no callback and is ignored.
   */
  private seatChanged(seat: Seat): void {
    if (seat.state === 'ringing') return;
    for (const cb of new Set(this.byLeg.values())) {
      if (cb.seat === seat && cb.stage === 'ringing_seat') void this.fail(cb, `seat_${seat.state}`);
    }
  }

  private async fail(cb: Callback, result: string): Promise<void> {
    if (cb.stage === 'over') return;
    const wasAnswered = cb.stage !== 'ringing_seat';
    cb.stage = 'over';
    clearTimeout(cb.timer);
    this.byLeg.delete(cb.seatLeg);
    this.byLeg.delete(cb.calleeLeg);
    if (cb.seat.state === 'ringing') this.seats.apply(cb.seat, 'offer_cancelled');
    else if (wasAnswered && cb.seat.state === 'on_call') this.seats.apply(cb.seat, 'call_ended');
    await this.step(cb, 'finish', async () => {
      await Promise.all([this.telephony.hangup(cb.seatLeg), this.telephony.hangup(cb.calleeLeg)]);
      await this.telephony.destroyBridge(cb.bridgeId);
      if (result !== 'ended') await this.incidents.callback(cb.incidentId, cb.seat.id, result);
      else await this.incidents.stamp(cb.incidentId, 'callback', { seat: cb.seat.id, result: 'ended' });
    });
  }

  private async step(cb: Callback, what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.log.error({ incident: cb.incident, step: what, err: (err as Error).message }, 'callback step failed');
      if (cb.stage !== 'over' && what !== 'finish') await this.fail(cb, `failed: ${what}`);
    }
  }
}
