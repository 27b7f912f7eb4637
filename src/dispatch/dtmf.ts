// *1 on the call-taker's headset during a call: flat dispatch without leaving the headset for the
// screen. The nearest officer to the location the call brought (INVITE or lookup) is rung into
// the call; a beep says it started, the error tone that it could not (no location yet, nobody
// to ring), with the reason on the timeline so the screen can show it.
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Incidents } from '../incidents/incidents';
import type { DispatchService } from './service';

/** The calls area tells which incident a call-taker's leg is talking on. */
export interface TakerLegs {
  incidentOfTaker(legId: string): string | undefined;
}

export class DtmfDispatch {
  constructor(
    private readonly calls: TakerLegs,
    private readonly dispatch: Pick<DispatchService, 'dispatch'>,
    private readonly incidents: Pick<Incidents, 'findByNumber' | 'stamp'>,
    private readonly telephony: Pick<Telephony, 'play'>,
    private readonly log: Logger,
  ) {}

  /** *1 pressed on a channel (calls/headset-codes.ts); returns true when it is a call-taker's on a call. */
  pressed(channelId: string): boolean {
    const incident = this.calls.incidentOfTaker(channelId);
    if (!incident) return false;
    void this.start(channelId, incident);
    return true;
  }

  private async start(channelId: string, incident: string): Promise<void> {
    try {
      await this.dispatch.dispatch(incident);
      await this.telephony.play(channelId, 'sound:beep');
    } catch (err) {
      const reason = (err as Error).message;
      this.log.warn({ incident, channel: channelId, reason }, 'dispatch by *1 refused');
      try {
        const row = await this.incidents.findByNumber(incident);
        await this.incidents.stamp(row.id, 'dispatch_refused', { via: 'dtmf', reason });
        await this.telephony.play(channelId, 'sound:beeperr');
      } catch (e) {
        this.log.error({ incident, err: (e as Error).message }, 'could not report a refused *1 dispatch');
      }
    }
  }
}
