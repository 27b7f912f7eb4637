// The voice follow-up: the caller is rung over the callback trunk (PJSIP/<number>@<trunk>, as
// the abandoned-call callback does), and once answered put alone in a recorded bridge and asked
// the survey (survey.ts) with prompts played on the channel and keys (RFC 4733 / SIP INFO, as
// Asterisk hands them to ARI) taken from ChannelDtmfReceived. The bridge recording (the
// Recorder, like every call) keeps what the caller said and keyed, against the incident; the
// prompts, played on the channel, are known and not in it.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Recorder } from '../recording/recorder';
import type { AttemptOutcome, AttemptRequest, FollowUpChannel } from './channel';
import { runSurvey, type Prompt, type SurveyIo } from './survey';

export interface VoiceSettings {
  /** PJSIP endpoint name of the trunk the caller is rung over (config followUp.trunk). */
  trunk: string;
  ringMs: number;
  keyTimeoutMs: number;
  maxReplays: number;
  /** Folder of the prompts in Asterisk's sounds, e.g. 'cti110-followup' (sound:cti110-followup/intro). */
  prompts: string;
}

/** A prompt whose PlaybackFinished never came (lost event) is taken as over after this. */
const PROMPT_GUARD_MS = 60_000;

interface Attempt {
  req: AttemptRequest;
  legId: string;
  bridgeId: string;
  stage: 'ringing' | 'talking' | 'over';
  keys: string[];
  onKey: (() => void) | undefined;
  playing: { id: string; done: () => void } | undefined;
  ringTimer: NodeJS.Timeout | undefined;
  bridged: boolean;
  resolve: (o: AttemptOutcome) => void;
}

/** The ARI events of our follow-up legs (calls/stasis-bindings.ts routes them here). */
export interface FollowUpLegs {
  isLeg(channelId: string): boolean;
  legEntered(channelId: string): void;
  legAnswered(channelId: string): void;
  legGone(channelId: string, cause: string): void;
  digit(channelId: string, digit: string): void;
  playbackFinished(playbackId: string): void;
}

export class VoiceFollowUp implements FollowUpChannel, FollowUpLegs {
  readonly name = 'voice';
  private readonly byLeg = new Map<string, Attempt>();

  constructor(
    private readonly telephony: Telephony,
    private readonly recorder: Pick<Recorder, 'start' | 'stop'>,
    private readonly settings: VoiceSettings,
    private readonly log: Logger,
  ) {}

  ask(req: AttemptRequest): Promise<AttemptOutcome> {
    return new Promise((resolve) => {
      const a: Attempt = { req, legId: `cti110-followup-${randomUUID()}`, bridgeId: `cti110-fu-${randomUUID()}`, stage: 'ringing', keys: [], onKey: undefined, playing: undefined, ringTimer: undefined, bridged: false, resolve };
      this.byLeg.set(a.legId, a);
      // Backstop: Dial's own timeout normally ends the ringing first (legGone noanswer).
      a.ringTimer = setTimeout(() => void this.finish(a, { reached: false, why: 'no_answer' }), this.settings.ringMs + 5000);
      this.telephony
        .createChannel({ channelId: a.legId, endpoint: `PJSIP/${req.number}@${this.settings.trunk}`, appArgs: 'followup', callerId: '110' })
        .catch((err: Error) => void this.finish(a, { reached: false, why: `failed: ${err.message}` }));
    });
  }

  isLeg(channelId: string): boolean {
    return this.byLeg.has(channelId);
  }

  legEntered(legId: string): void {
    const a = this.byLeg.get(legId);
    if (!a) return void this.telephony.hangup(legId).catch(() => undefined); // over before it reached us
    this.telephony.dial(legId, Math.ceil(this.settings.ringMs / 1000)).catch((err: Error) => void this.finish(a, { reached: false, why: `failed: ${err.message}` }));
  }

  legAnswered(legId: string): void {
    const a = this.byLeg.get(legId);
    if (!a || a.stage !== 'ringing') return;
    a.stage = 'talking';
    clearTimeout(a.ringTimer);
    void this.talk(a);
  }

  /** Busy, no answer, unreachable (Dial), or hung up (StasisEnd). */
  legGone(legId: string, cause: string): void {
    const a = this.byLeg.get(legId);
    if (!a) return;
    // Gone while ringing without a Dial status first (the Dial timeout hangs the channel up): not answered.
    if (a.stage === 'ringing') return void this.finish(a, { reached: false, why: cause === 'noanswer' || cause === 'hangup' ? 'no_answer' : cause });
    // Hung up during the survey: the questions left get no answer (survey.ts ends at once).
    a.stage = 'over';
    this.wake(a);
  }

  digit(legId: string, digit: string): void {
    const a = this.byLeg.get(legId);
    if (!a || a.stage !== 'talking') return;
    a.keys.push(digit);
    this.wake(a);
  }

  playbackFinished(playbackId: string): void {
    for (const a of this.byLeg.values()) if (a.playing?.id === playbackId) a.playing.done();
  }

  private wake(a: Attempt): void {
    a.onKey?.();
    a.playing?.done();
  }

  private async talk(a: Attempt): Promise<void> {
    let recording: string | undefined;
    try {
      a.bridged = true;
      await this.telephony.createBridge(a.bridgeId, `followup ${a.req.incident}`);
      await this.telephony.addToBridge(a.bridgeId, [a.legId]);
      recording = await this.recorder.start(a.req.incidentId, a.req.incident, a.bridgeId, null);
      const answers = await runSurvey(this.io(a), this.settings);
      await this.finish(a, { reached: true, answers }, recording);
    } catch (err) {
      this.log.error({ incident: a.req.incident, err: (err as Error).message }, 'follow-up call failed');
      await this.finish(a, { reached: false, why: `failed: ${(err as Error).message}` }, recording);
    }
  }

  private io(a: Attempt): SurveyIo {
    return {
      hasKey: () => a.keys.length > 0,
      key: (timeoutMs) =>
        new Promise((resolve) => {
          const take = () => {
            if (a.keys.length === 0 && a.stage === 'talking') return false;
            clearTimeout(timer);
            a.onKey = undefined;
            resolve(a.keys.shift() ?? null);
            return true;
          };
          const timer = setTimeout(() => {
            a.onKey = undefined;
            resolve(null);
          }, timeoutMs);
          if (!take()) a.onKey = take;
        }),
      say: (prompts: Prompt[]) =>
        new Promise<void>((resolve) => {
          if (a.stage !== 'talking' || a.keys.length > 0) return resolve();
          const id = `${a.legId}-say-${randomUUID().slice(0, 8)}`;
          const guard = setTimeout(() => done(), PROMPT_GUARD_MS);
          const done = () => {
            if (a.playing?.id !== id) return;
            a.playing = undefined;
            clearTimeout(guard);
            // Cut short by a key or a hang-up: what still plays would talk over the next question.
            if (a.keys.length > 0 || a.stage !== 'talking') this.telephony.stopPlayback(id).catch(() => undefined);
            resolve();
          };
          a.playing = { id, done };
          this.telephony.play(a.legId, prompts.map((p) => `sound:${this.settings.prompts}/${p}`), id).catch((err: Error) => {
            this.log.warn({ incident: a.req.incident, err: err.message }, 'follow-up prompt not played');
            done();
          });
        }),
    };
  }

  private async finish(a: Attempt, outcome: AttemptOutcome, recording?: string): Promise<void> {
    if (!this.byLeg.has(a.legId)) return;
    this.byLeg.delete(a.legId);
    a.stage = 'over';
    clearTimeout(a.ringTimer);
    try {
      await this.telephony.hangup(a.legId);
      if (recording) await this.recorder.stop(recording);
      if (a.bridged) await this.telephony.destroyBridge(a.bridgeId);
    } catch (err) {
      this.log.warn({ incident: a.req.incident, err: (err as Error).message }, 'follow-up call not cleaned up');
    }
    a.resolve(outcome);
  }
}
