// Flat dispatch: the nearest officer is rung and joined to the caller's bridge, so caller,
// call-taker and officer talk together (recorded: it is the same bridge). If the officer does not
// answer in time, the officer's unit duty line is rung, then its superior's, and so on: "no
// officer answering" never stalls a call. Every step is stamped on the incident.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Incidents } from '../incidents/incidents';
import type { Ranking } from './ranking';

export interface DispatchTarget {
  /** anti_fraud: the anti-fraud centre, rung before any officer for a fraud category. */
  kind: 'officer' | 'unit' | 'anti_fraud';
  id: string;
  endpoint: string;
  /** The officer's unit, or the unit whose duty line this is; null for the anti-fraud centre. */
  unit: string | null;
}

/** What else happens when a dispatch starts or is answered (dispatch/incident-record.ts). */
export interface DispatchHooks {
  dispatched(d: { incident: string; incidentId: number; ranking: Ranking; targets: DispatchTarget[] }): Promise<void>;
  answered(d: { incident: string; incidentId: number; target: DispatchTarget; at: number }): Promise<void>;
}

/** What the conference needs of the call in progress (the calls area provides it). */
export interface LiveCalls {
  talkingCall(incident: string): { incidentId: number; bridgeId: string } | undefined;
}

export class NoCallToConference extends Error {
  readonly code = 'NO_CALL_TO_CONFERENCE';
  override readonly name = this.constructor.name;
}

interface Attempt {
  incident: string;
  incidentId: number;
  bridgeId: string;
  targets: DispatchTarget[];
  index: number;
  legId: string;
  timer: NodeJS.Timeout | undefined;
  answered: boolean;
}

/** The nearest `officersToTry` officers first, then the unit chain's duty lines. */
export function dispatchTargets(ranking: Ranking, officersToTry: number, toEndpoint: (phone: string) => string): DispatchTarget[] {
  const officers = ranking.candidates.slice(0, officersToTry).map((c) => ({ kind: 'officer' as const, id: c.id, endpoint: toEndpoint(c.phone), unit: c.unit }));
  const units = ranking.escalation.map((u) => ({ kind: 'unit' as const, id: u.id, endpoint: toEndpoint(u.dutyLine), unit: u.id }));
  return [...officers, ...units];
}

export class Conference {
  private readonly byLeg = new Map<string, Attempt>();
  private readonly joined = new Map<string, Set<string>>(); // incident → officer legs in the bridge

  constructor(
    private readonly telephony: Telephony,
    private readonly incidents: Incidents,
    private readonly calls: LiveCalls,
    private readonly settings: { answerMs: number; trunk: string; officersToTry: number },
    private readonly hooks: DispatchHooks,
    private readonly log: Logger,
  ) {}

  /** A phone number goes out over the trunk; an endpoint is dialled as it is. */
  endpointFor(phone: string): string {
    return phone.startsWith('PJSIP/') ? phone : `PJSIP/${phone}@${this.settings.trunk}`;
  }

  /** `first`: rung before the officers (the anti-fraud centre for a fraud category). */
  async start(incident: string, ranking: Ranking, first: DispatchTarget[] = []): Promise<DispatchTarget[]> {
    const call = this.calls.talkingCall(incident);
    if (!call) throw new NoCallToConference(`incident ${incident} has no call in progress with a call-taker`);
    const targets = [...first, ...dispatchTargets(ranking, this.settings.officersToTry, (p) => this.endpointFor(p))];
    if (targets.length === 0) throw new NoCallToConference(`nobody to dispatch for incident ${incident}: no officer on duty nearby and no unit for the location`);
    await this.incidents.stamp(call.incidentId, 'dispatch', { targets: targets.map((t) => `${t.kind}:${t.id}`), cell: ranking.cell?.id ?? null });
    await this.ring({ incident, incidentId: call.incidentId, bridgeId: call.bridgeId, targets, index: 0, legId: '', timer: undefined, answered: false });
    // After the first ring: the unit push and the records must not delay the officer's phone.
    void this.step(incident, () => this.hooks.dispatched({ incident, incidentId: call.incidentId, ranking, targets }));
    return targets;
  }

  isLeg(channelId: string): boolean {
    return this.byLeg.has(channelId);
  }

  legEntered(legId: string): void {
    const a = this.byLeg.get(legId);
    if (a) this.telephony.dial(legId, Math.ceil(this.settings.answerMs / 1000) + 5).catch((err: Error) => void this.next(a, `dial: ${err.message}`));
  }

  legAnswered(legId: string): void {
    const a = this.byLeg.get(legId);
    if (!a || a.answered) return;
    a.answered = true;
    clearTimeout(a.timer);
    const target = a.targets[a.index];
    const at = Date.now();
    void this.step(a.incident, async () => {
      await this.telephony.addToBridge(a.bridgeId, [legId]);
      const legs = this.joined.get(a.incident) ?? new Set();
      legs.add(legId);
      this.joined.set(a.incident, legs);
      await this.incidents.stamp(a.incidentId, 'officer_joined', { kind: target.kind, id: target.id });
      this.log.info({ incident: a.incident, target: target.id }, 'officer joined the call');
      await this.hooks.answered({ incident: a.incident, incidentId: a.incidentId, target, at });
    });
  }

  /** The leg failed or hung up: ringing → next target; joined → the officer left. */
  legGone(legId: string, cause: string): void {
    const a = this.byLeg.get(legId);
    if (!a) return;
    this.byLeg.delete(legId);
    if (!a.answered) return void this.next(a, cause);
    this.joined.get(a.incident)?.delete(legId);
    void this.incidents.stamp(a.incidentId, 'officer_left', { id: a.targets[a.index].id }).catch(() => undefined);
  }

  /** Officers still in the call (the call-taker may leave them with the caller). */
  officersIn(incident: string): number {
    return this.joined.get(incident)?.size ?? 0;
  }

  /** The caller is gone: everyone rung or joined for them hangs up too. */
  async endFor(incident: string): Promise<void> {
    const legs = [...this.byLeg.entries()].filter(([, a]) => a.incident === incident);
    for (const [legId, a] of legs) {
      clearTimeout(a.timer);
      this.byLeg.delete(legId);
      await this.telephony.hangup(legId);
    }
    this.joined.delete(incident);
  }

  private async ring(a: Attempt): Promise<void> {
    const target = a.targets[a.index];
    a.legId = `cti110-dispatch-${randomUUID()}`;
    a.answered = false;
    this.byLeg.set(a.legId, a);
    a.timer = setTimeout(() => void this.next(a, 'no_answer'), this.settings.answerMs);
    await this.incidents.stamp(a.incidentId, 'dispatch_ringing', { kind: target.kind, id: target.id });
    await this.telephony.createChannel({ channelId: a.legId, endpoint: target.endpoint, appArgs: 'officer', callerId: '110', near: a.bridgeId }).catch((err: Error) => this.next(a, `create: ${err.message}`));
  }

  /** Escalate: this target did not answer; ring the next one at once. */
  private async next(a: Attempt, cause: string): Promise<void> {
    if (a.answered || a.targets[a.index] === undefined) return;
    clearTimeout(a.timer);
    const failed = a.targets[a.index];
    const legId = a.legId;
    a.index += 1;
    this.byLeg.delete(legId);
    await this.telephony.hangup(legId).catch(() => undefined);
    await this.incidents.stamp(a.incidentId, 'dispatch_failed', { kind: failed.kind, id: failed.id, cause });
    if (!this.calls.talkingCall(a.incident)) return; // the caller is gone: stop escalating
    if (a.index >= a.targets.length) {
      this.log.error({ incident: a.incident }, 'DISPATCH EXHAUSTED: nobody answered');
      await this.incidents.stamp(a.incidentId, 'dispatch_exhausted', {});
      return;
    }
    await this.ring(a);
  }

  private async step(incident: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.log.error({ incident, err: (err as Error).message }, 'dispatch step failed');
    }
  }
}
