// Hot transfer to the 12345 government hotline: the trunk is rung into the caller's bridge, so
// caller, call-taker and the 12345 agent talk together; the call-taker then leaves. Warm only:
// no blind transfer is offered (NENA). If 12345 is busy, does not answer or the trunk is down,
// the call-taker keeps the caller and is told why; they may try again.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Incidents } from '../incidents/incidents';
import type { LiveCalls } from '../dispatch/conference';

export class TransferRefused extends Error {
  readonly code = 'TRANSFER_REFUSED';
  override readonly name = this.constructor.name;
}

interface Attempt {
  incident: string;
  incidentId: number;
  bridgeId: string;
  legId: string;
  timer: NodeJS.Timeout | undefined;
  answered: boolean;
}

export class HotTransfer {
  private readonly byLeg = new Map<string, Attempt>();

  constructor(
    private readonly telephony: Telephony,
    private readonly incidents: Incidents,
    private readonly calls: LiveCalls,
    private readonly settings: { endpoint: string; answerMs: number },
    private readonly log: Logger,
  ) {}

  /** Rings 12345 into the call; the outcome arrives as timeline entries (and the leg's events). */
  async start(incident: string): Promise<void> {
    const call = this.calls.talkingCall(incident);
    if (!call) throw new TransferRefused(`incident ${incident} has no call in progress with a call-taker`);
    if ([...this.byLeg.values()].some((a) => a.incident === incident)) throw new TransferRefused(`incident ${incident} is already being transferred`);
    const a: Attempt = { incident, incidentId: call.incidentId, bridgeId: call.bridgeId, legId: `cti110-12345-${randomUUID()}`, timer: undefined, answered: false };
    this.byLeg.set(a.legId, a);
    await this.incidents.stamp(a.incidentId, 'transfer_dialed', { endpoint: this.settings.endpoint });
    a.timer = setTimeout(() => void this.fail(a, 'no_answer'), this.settings.answerMs);
    await this.telephony
      .createChannel({
        channelId: a.legId,
        endpoint: this.settings.endpoint,
        appArgs: 'transfer',
        near: a.bridgeId, // several Asterisk nodes: on the call's node
        callerId: '110',
        // 12345's platform files the call against our incident number.
        variables: { 'PJSIP_HEADER(add,X-CTI110-Incident)': incident },
      })
      .catch((err: Error) => this.fail(a, `trunk: ${err.message}`));
  }

  isLeg(channelId: string): boolean {
    return this.byLeg.has(channelId);
  }

  legEntered(legId: string): void {
    const a = this.byLeg.get(legId);
    if (a) this.telephony.dial(legId, Math.ceil(this.settings.answerMs / 1000) + 5).catch((err: Error) => void this.fail(a, `dial: ${err.message}`));
  }

  legAnswered(legId: string): void {
    const a = this.byLeg.get(legId);
    if (!a || a.answered) return;
    a.answered = true;
    clearTimeout(a.timer);
    this.telephony
      .addToBridge(a.bridgeId, [legId])
      .then(() => this.incidents.stamp(a.incidentId, 'transfer_answered', {}))
      .catch((err: Error) => this.log.error({ incident: a.incident, err: err.message }, 'transfer: could not join 12345'));
  }

  legGone(legId: string, cause: string): void {
    const a = this.byLeg.get(legId);
    if (!a) return;
    if (!a.answered) return void this.fail(a, cause);
    this.byLeg.delete(legId);
    void this.incidents.stamp(a.incidentId, 'transfer_left', {}).catch(() => undefined);
  }

  /** 12345 still on the line for this incident (then the call-taker may leave). */
  activeIn(incident: string): number {
    return [...this.byLeg.values()].filter((a) => a.incident === incident && a.answered).length;
  }

  async endFor(incident: string): Promise<void> {
    for (const [legId, a] of [...this.byLeg.entries()]) {
      if (a.incident !== incident) continue;
      clearTimeout(a.timer);
      this.byLeg.delete(legId);
      await this.telephony.hangup(legId);
    }
  }

  private async fail(a: Attempt, cause: string): Promise<void> {
    if (a.answered || !this.byLeg.delete(a.legId)) return;
    clearTimeout(a.timer);
    await this.telephony.hangup(a.legId).catch(() => undefined);
    this.log.warn({ incident: a.incident, cause }, 'transfer to 12345 failed: the call-taker keeps the caller');
    await this.incidents.stamp(a.incidentId, 'transfer_failed', { cause });
  }
}
