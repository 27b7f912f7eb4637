// Incidents: numbering and the timeline every step of a call is stamped on.
import { EventEmitter } from 'node:events';
import type { AbandonedRow, IncidentRow, IncidentsRepo, NewIncident, TimelineRow } from '../store/incidents-repo';

export type { AbandonedRow, IncidentRow, TimelineRow };

/** Timeline kinds, in one place so that a grep finds every step a call can go through. */
export type TimelineKind =
  | 'arrived' //            the call reached Asterisk (channel creation time)
  | 'entered_service' //    StasisStart: cti110 has the call
  | 'state' //              the call state machine moved
  | 'reattached' //         the service came back and found the call still up
  | 'adopted' //            a live call in our app that had no incident (e.g. lost insert)
  | 'offered' //            a seat (or the overflow target) is being rung
  | 'offer_failed' //       that seat did not answer, or could not be reached
  | 'connect_failed' //     a seat answered but Asterisk did not join it with the caller: queued again
  | 'answered' //           a call-taker (or the overflow target) has the caller
  | 'taker_hung_up' //      the call-taker ended the call
  | 'recording' //          recording of the call's bridge started
  | 'recording_failed' //   it could not start: loud in the log, visible here
  | 'recorded' //           a finished recording is stored with its SHA-256
  | 'fallback_call' //      the call was answered by the dialplan fallback (service down)
  | 'location' //           the caller's location is known: source, lon, lat, accuracy
  | 'location_unusable' //  a location came but could not be used (the call goes on without it)
  | 'dispatch' //           flat dispatch started: who will be rung, in order
  | 'dispatch_ringing' //   an officer's (or a unit duty line's) phone rings
  | 'dispatch_failed' //    it did not answer in time or could not be reached: next one
  | 'dispatch_refused' //   *1 from the headset could not start a dispatch (why: detail.reason)
  | 'dispatch_exhausted' // nobody answered: the call-taker keeps the caller and is told
  | 'officer_joined' //     caller, call-taker and officer talk together
  | 'officer_left' //
  | 'officer_busy' //       the officer who answered is busy on this incident (not offered again)
  | 'officer_released' //   ... and free again
  | 'incident_closed' //    dealt with (POST /incidents/:n/close); frees its officer
  | 'unit_notified' //      the incident was queued for a unit's webhook (durable outbox)
  | 'signed_for' //         the officer's terminal signed for the incident
  | 'on_scene' //           the officer's terminal reported arrival on scene
  | 'major_alert' //        a major category (murder, robbery...): supervisors alerted
  | 'classified' //         police matter or not, category, summary (call-taker)
  | 'transfer_dialed' //    12345 is rung into the call
  | 'transfer_answered' //  a 12345 agent is on the line with caller and call-taker
  | 'transfer_failed' //    busy, no answer, trunk down: the call-taker keeps the caller
  | 'transfer_left' //
  | 'taker_left' //         the call-taker left caller and officer talking
  | 'seat_lost' //          a nailed seat's connection dropped mid-call: the caller is queued again
  | 'abandoned' //          the caller hung up before anyone answered
  | 'callback' //           a call-taker calls an abandoned caller back
  | 'monitoring_started' // a supervisor listens / whispers / barges (who, mode)
  | 'monitoring_mode' //    the supervisor switched mode
  | 'monitoring_ended' //   call ended, supervisor hung up, or stopped by REST (why)
  | 'recall' //             the call-taker re-heard the last seconds of the call
  | 'ended'; //             the caller's channel is gone

export class IncidentNotFound extends Error {
  readonly code = 'INCIDENT_NOT_FOUND';
  override readonly name = this.constructor.name;
  constructor(number: string) {
    super(`incident ${number} not found`);
  }
}

export interface IncidentsEvents {
  /** A timeline row was written: live screens follow the call from here (src/events/). */
  stamped: [{ incidentId: number; kind: TimelineKind; detail: Record<string, unknown>; at: number }];
}

export class Incidents extends EventEmitter<IncidentsEvents> {
  constructor(private readonly repo: IncidentsRepo) {
    super();
  }

  /** Every timeline row goes through here, so that every step is also announced. */
  private async add(incidentId: number, kind: TimelineKind, detail: Record<string, unknown> = {}, at = Date.now()): Promise<void> {
    await this.repo.addEvent(incidentId, kind, detail, at);
    this.emit('stamped', { incidentId, kind, detail, at });
  }

  findById(id: number): Promise<IncidentRow | undefined> {
    return this.repo.findById(id);
  }

  open(call: NewIncident): Promise<IncidentRow> {
    return this.repo.create(call);
  }

  async classify(number: string, c: { police: boolean; category: string | null; summary: string | null }): Promise<IncidentRow> {
    const row = await this.findByNumber(number);
    await this.repo.classify(row.id, c);
    await this.add(row.id, 'classified', { police: c.police, category: c.category });
    return { ...row, police: c.police ? 1 : 0, category: c.category, summary: c.summary };
  }

  setCaseRef(incidentId: number, caseRef: string): Promise<void> {
    return this.repo.setCaseRef(incidentId, caseRef);
  }

  async offered(incidentId: number, at: number, detail: Record<string, unknown>): Promise<void> {
    await this.repo.markOffered(incidentId, at);
    await this.add(incidentId, 'offered', detail, at);
  }

  async answered(incidentId: number, answer: { at: number; seatId: string | null; delivery: string; seatChannelId: string; bridgeId: string; answerMs: number }): Promise<void> {
    await this.repo.markAnswered(incidentId, answer);
    await this.add(incidentId, 'answered', { seat: answer.seatId, delivery: answer.delivery, answerMs: answer.answerMs }, answer.at);
  }

  async abandoned(incidentId: number, at: number, waitMs: number, position: number): Promise<void> {
    await this.repo.markAbandoned(incidentId, at, waitMs, position);
    await this.add(incidentId, 'abandoned', { waitMs, position }, at);
  }

  async callback(incidentId: number, seatId: string, result: string, detail: Record<string, unknown> = {}): Promise<void> {
    await this.repo.markCallback(incidentId, Date.now(), seatId, result);
    await this.add(incidentId, 'callback', { seat: seatId, result, ...detail });
  }

  listAbandoned(limit: number, onlyWithoutCallback: boolean): Promise<AbandonedRow[]> {
    return this.repo.listAbandoned(limit, onlyWithoutCallback);
  }

  async findByNumber(number: string): Promise<IncidentRow> {
    const row = await this.repo.findByNumber(number);
    if (!row) throw new IncidentNotFound(number);
    return row;
  }

  stamp(incidentId: number, kind: TimelineKind, detail: Record<string, unknown> = {}, at = Date.now()): Promise<void> {
    return this.add(incidentId, kind, detail, at);
  }

  async moved(incidentId: number, from: string, to: string, cause: string): Promise<void> {
    await this.repo.setState(incidentId, to);
    await this.add(incidentId, 'state', { from, to, cause });
  }

  async end(incidentId: number, at: number, detail: Record<string, unknown>): Promise<void> {
    await this.add(incidentId, 'ended', detail, at);
    await this.repo.markEnded(incidentId, at);
  }

  findByChannel(channelId: string): Promise<IncidentRow | undefined> {
    return this.repo.findByChannel(channelId);
  }

  listOpen(): Promise<IncidentRow[]> {
    return this.repo.listOpen();
  }

  async get(number: string): Promise<IncidentRow & { timeline: TimelineRow[] }> {
    const row = await this.repo.findByNumber(number);
    if (!row) throw new IncidentNotFound(number);
    return { ...row, timeline: await this.repo.timeline(row.id) };
  }

  list(limit: number, beforeId?: number): Promise<IncidentRow[]> {
    return this.repo.list(limit, beforeId);
  }
}
