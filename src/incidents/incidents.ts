// Incidents: numbering and the timeline every step of a call is stamped on.
import type { IncidentRow, IncidentsRepo, TimelineRow } from '../store/incidents-repo';

export type { IncidentRow, TimelineRow };

/** Timeline kinds, in one place so that a grep finds every step a call can go through. */
export type TimelineKind =
  | 'arrived' //            the call reached Asterisk (channel creation time)
  | 'entered_service' //    StasisStart: cti110 has the call
  | 'state' //              the call state machine moved
  | 'reattached' //         the service came back and found the call still up
  | 'adopted' //            a live call in our app that had no incident (e.g. lost insert)
  | 'ended'; //             the caller's channel is gone

export class IncidentNotFound extends Error {
  readonly code = 'INCIDENT_NOT_FOUND';
  override readonly name = this.constructor.name;
  constructor(number: string) {
    super(`incident ${number} not found`);
  }
}

export class Incidents {
  constructor(private readonly repo: IncidentsRepo) {}

  open(call: { callerNumber: string; callerName: string; callerRaw: string; trunk: string; channelId: string; arrivedAt: number; state: string }): Promise<IncidentRow> {
    return this.repo.create(call);
  }

  stamp(incidentId: number, kind: TimelineKind, detail: Record<string, unknown> = {}, at = Date.now()): Promise<void> {
    return this.repo.addEvent(incidentId, kind, detail, at);
  }

  async moved(incidentId: number, from: string, to: string, cause: string): Promise<void> {
    await this.repo.setState(incidentId, to);
    await this.repo.addEvent(incidentId, 'state', { from, to, cause });
  }

  async end(incidentId: number, at: number, detail: Record<string, unknown>): Promise<void> {
    await this.repo.addEvent(incidentId, 'ended', detail, at);
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
