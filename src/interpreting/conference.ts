// Interpreter on the line (外语接警): the interpreter lines of the chosen language are rung in
// order, and the first that answers is joined to the caller's bridge, so caller, call-taker and
// interpreter talk together (recorded: it is the same bridge, and the caller's own MixMonitor
// hears the bridge). A line that does not answer in time is replaced at once by the next, as
// officers are in dispatch/conference.ts; when none answers, the call-taker is told and keeps the
// caller. The interpreter leaving (hanging up, or dismissed) never ends the call.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Incidents } from '../incidents/incidents';
import type { LiveCalls } from '../dispatch/conference';
import { InterpreterPresent, NoCallToInterpret, NoInterpreter } from './errors';

interface Attempt {
  incident: string;
  incidentId: number;
  bridgeId: string;
  language: string;
  lines: readonly string[];
  index: number;
  legId: string;
  timer: NodeJS.Timeout | undefined;
  answered: boolean;
  /** The call-taker sent the interpreter away (REST): said so on the timeline when the leg goes. */
  dismissed: boolean;
}

export class InterpreterConference {
  private readonly byLeg = new Map<string, Attempt>();
  /** incident → its attempt, ringing or joined: one interpreter per call at a time. */
  private readonly byIncident = new Map<string, Attempt>();

  constructor(
    private readonly telephony: Telephony,
    private readonly incidents: Pick<Incidents, 'stamp'>,
    private readonly calls: LiveCalls,
    private readonly settings: { answerMs: number },
    private readonly log: Logger,
  ) {}

  /** Rings the language's lines in order; the outcome arrives as timeline entries. */
  async start(incident: string, language: string, lines: readonly string[]): Promise<void> {
    const call = this.calls.talkingCall(incident);
    if (!call) throw new NoCallToInterpret(`incident ${incident} has no call in progress with a call-taker`);
    const present = this.byIncident.get(incident);
    if (present) throw new InterpreterPresent(`incident ${incident} already has a ${present.language} interpreter ${present.answered ? 'on the line' : 'being rung'}`);
    const a: Attempt = { incident, incidentId: call.incidentId, bridgeId: call.bridgeId, language, lines, index: 0, legId: '', timer: undefined, answered: false, dismissed: false };
    this.byIncident.set(incident, a);
    await this.incidents.stamp(a.incidentId, 'interpreter_requested', { language, lines: [...lines] });
    await this.ring(a);
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
    if (!a || a.answered || a.legId !== legId) return;
    a.answered = true;
    clearTimeout(a.timer);
    const line = a.lines[a.index];
    this.telephony
      .addToBridge(a.bridgeId, [legId])
      .then(async () => {
        await this.incidents.stamp(a.incidentId, 'interpreter_joined', { language: a.language, line });
        this.log.info({ incident: a.incident, language: a.language, line }, 'interpreter joined the call');
      })
      .catch(async (err: Error) => {
        // Not in the bridge, the interpreter would talk to nobody: let them go, the call goes on
        // (the call-taker sees why and may ask again).
        this.log.error({ incident: a.incident, line, err: err.message }, 'interpreter: could not join the call');
        this.forget(a);
        await this.telephony.hangup(legId).catch(() => undefined);
        await this.incidents.stamp(a.incidentId, 'interpreter_failed', { language: a.language, line, cause: `join: ${err.message}` });
      })
      .catch(() => undefined);
  }

  /** The leg failed or hung up: ringing → the next line; joined → the interpreter left. */
  legGone(legId: string, cause: string): void {
    const a = this.byLeg.get(legId);
    if (!a) return;
    if (!a.answered) return void this.next(a, cause);
    this.forget(a);
    const by = a.dismissed ? 'call-taker' : 'interpreter';
    this.log.info({ incident: a.incident, language: a.language, by }, 'interpreter left the call');
    void this.incidents.stamp(a.incidentId, 'interpreter_left', { language: a.language, line: a.lines[a.index], by }).catch(() => undefined);
  }

  /** The call-taker sends the interpreter away (or stops the ringing): the call goes on. */
  async dismiss(incident: string): Promise<void> {
    const a = this.byIncident.get(incident);
    if (!a) throw new NoInterpreter(`incident ${incident} has no interpreter on the line or being rung`);
    if (a.answered) {
      a.dismissed = true;
      await this.telephony.hangup(a.legId); // its StasisEnd comes to legGone: interpreter_left
      return;
    }
    clearTimeout(a.timer);
    this.forget(a);
    await this.telephony.hangup(a.legId).catch(() => undefined);
    await this.incidents.stamp(a.incidentId, 'interpreter_failed', { language: a.language, line: a.lines[a.index], cause: 'withdrawn' });
  }

  /** The language of the interpreter rung or on the line for this call, if any. */
  presentIn(incident: string): { language: string; joined: boolean } | undefined {
    const a = this.byIncident.get(incident);
    return a && { language: a.language, joined: a.answered };
  }

  /** The caller is gone: the interpreter rung or joined for them hangs up too. */
  async endFor(incident: string): Promise<void> {
    const a = this.byIncident.get(incident);
    if (!a) return;
    clearTimeout(a.timer);
    this.forget(a);
    await this.telephony.hangup(a.legId).catch(() => undefined);
  }

  private async ring(a: Attempt): Promise<void> {
    const line = a.lines[a.index];
    a.legId = `cti110-interpreter-${randomUUID()}`;
    a.answered = false;
    this.byLeg.set(a.legId, a);
    a.timer = setTimeout(() => void this.next(a, 'no_answer'), this.settings.answerMs);
    await this.incidents.stamp(a.incidentId, 'interpreter_ringing', { language: a.language, line });
    await this.telephony.createChannel({ channelId: a.legId, endpoint: line, appArgs: 'interpreter', callerId: '110', near: a.bridgeId }).catch((err: Error) => this.next(a, `create: ${err.message}`));
  }

  /** Escalate: this line did not answer; ring the next one at once. */
  private async next(a: Attempt, cause: string): Promise<void> {
    // Only the leg being rung may move the attempt on (a late event of an earlier one may not).
    if (a.answered || !this.byLeg.has(a.legId)) return;
    clearTimeout(a.timer);
    const failed = a.lines[a.index];
    this.byLeg.delete(a.legId);
    await this.telephony.hangup(a.legId).catch(() => undefined);
    await this.incidents.stamp(a.incidentId, 'interpreter_failed', { language: a.language, line: failed, cause });
    a.index += 1;
    if (!this.calls.talkingCall(a.incident)) return void this.forget(a); // the caller is gone: stop
    if (a.index >= a.lines.length) {
      this.forget(a);
      this.log.error({ incident: a.incident, language: a.language }, 'NO INTERPRETER ANSWERED: the call-taker keeps the caller');
      await this.incidents.stamp(a.incidentId, 'interpreter_exhausted', { language: a.language });
      return;
    }
    await this.ring(a);
  }

  private forget(a: Attempt): void {
    this.byLeg.delete(a.legId);
    if (this.byIncident.get(a.incident) === a) this.byIncident.delete(a.incident);
  }
}
