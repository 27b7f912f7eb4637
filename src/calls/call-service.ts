// What happens to a caller's call, step by step. ARI events arrive through stasis-bindings.ts;
// actions go out through the Telephony port; every step is stamped on the incident.
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import { ChannelGone } from '../asterisk/errors';
import type { Incidents } from '../incidents/incidents';
import { Call } from './call';
import { isCallState, type CallEvent } from './call-state';

export interface Arrival {
  channelId: string;
  callerNumber: string;
  callerName: string;
  /** The SIP From header as received (may be empty when Asterisk could not read it). */
  callerRaw: string;
  trunk: string;
  arrivedAt: number;
}

export class CallService {
  private readonly calls = new Map<string, Call>();

  constructor(
    private readonly telephony: Telephony,
    private readonly incidents: Incidents,
    private readonly log: Logger,
  ) {}

  activeCount(): number {
    return this.calls.size;
  }

  /** A caller's channel entered our Stasis app: ringing at once, then the incident. */
  arrived(arrival: Arrival): void {
    if (this.calls.has(arrival.channelId)) return;
    const call = new Call(arrival.channelId, arrival.arrivedAt, this.log.child({ channel: arrival.channelId }));
    this.calls.set(call.channelId, call);
    // Ringing first and without waiting for the database: the caller must never hear silence.
    this.telephony.ring(call.channelId).catch((err: unknown) => {
      if (!(err instanceof ChannelGone)) call.log.error({ err: (err as Error).message }, 'could not send ringing');
    });
    void call.enqueue('open incident', async () => {
      const incident = await this.incidents.open({ ...arrival, state: call.state });
      call.incidentId = incident.id;
      call.incidentNumber = incident.number;
      call.log = call.log.child({ incident: incident.number });
      await this.incidents.stamp(incident.id, 'arrived', { callerNumber: arrival.callerNumber, trunk: arrival.trunk }, arrival.arrivedAt);
      await this.incidents.stamp(incident.id, 'entered_service', { channel: call.channelId });
      call.log.info({ callerNumber: arrival.callerNumber, trunk: arrival.trunk }, 'call entered service');
      await this.move(call, 'incident_opened');
    });
  }

  /** The caller's channel left Stasis (hung up, or was taken away). */
  callerLeft(channelId: string, detail: Record<string, unknown>): void {
    const call = this.calls.get(channelId);
    if (!call) return;
    void call.enqueue('caller hung up', async () => {
      await this.move(call, 'caller_hung_up');
      await this.finish(call, { reason: 'caller_hung_up', ...detail });
    });
  }

  /**
   * After every (re)connect: our stored open incidents against the channels alive in Asterisk.
   * Live ones are re-attached, vanished ones are closed, and live ones we never numbered adopted.
   */
  async reconcile(live: { id: string; inOurApp: boolean; callerNumber: string; callerName: string }[]): Promise<void> {
    const liveById = new Map(live.map((c) => [c.id, c]));
    for (const incident of await this.incidents.listOpen()) {
      const known = this.calls.get(incident.channelId);
      if (liveById.has(incident.channelId)) {
        if (known) continue; // a short link drop: this process never lost the call
        const state = isCallState(incident.state) ? incident.state : 'waiting';
        const log = this.log.child({ channel: incident.channelId, incident: incident.number });
        const call = new Call(incident.channelId, incident.arrivedAt, log, state);
        call.incidentId = incident.id;
        call.incidentNumber = incident.number;
        this.calls.set(call.channelId, call);
        await this.incidents.stamp(incident.id, 'reattached', { channel: call.channelId, state });
        log.warn({ state }, 'call re-attached after service restart');
      } else {
        const call = known ?? new Call(incident.channelId, incident.arrivedAt, this.log.child({ incident: incident.number }), isCallState(incident.state) ? incident.state : 'waiting');
        call.incidentId = incident.id;
        call.incidentNumber = incident.number;
        this.calls.set(call.channelId, call);
        await call.enqueue('lost while away', async () => {
          await this.move(call, 'lost');
          await this.finish(call, { reason: 'ended_while_service_away' });
        });
      }
    }
    for (const channel of live) {
      if (!channel.inOurApp || this.calls.has(channel.id)) continue;
      const known = await this.incidents.findByChannel(channel.id);
      if (known) continue; // ended incident with a live channel: a seat or officer leg, not a caller
      this.arrived({ channelId: channel.id, callerNumber: channel.callerNumber, callerName: channel.callerName, callerRaw: '', trunk: 'unknown', arrivedAt: Date.now() });
      const call = this.calls.get(channel.id)!;
      void call.enqueue('adopt', async () => {
        if (call.incidentId) await this.incidents.stamp(call.incidentId, 'adopted', { channel: channel.id });
      });
    }
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
