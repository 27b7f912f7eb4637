// The follow-up by SMS: the survey goes out as one text through the SMS gateway (src/texts/,
// durable outbox), and the caller's reply, three scores 1–5, comes back through the texts'
// webhook, which asks us first (TextInbox.addReplyHandler). A reply that is not three scores is
// not taken: it may be a new report, and becomes one. No reply within replyWaitMs: not reached
// (the service retries as for an unanswered call). The text's key names the attempt, so a restart
// that asks again sends nothing twice.
import type { Logger } from 'pino';
import type { AttemptOutcome, AttemptRequest, FollowUpChannel } from './channel';
import { parseSmsScores, surveyText } from './sms-survey';

export interface SmsSender {
  sendSms(to: string, body: string, key: string): Promise<unknown>;
}

export interface SmsFollowUpSettings {
  /** How long an answer is waited for after the text is sent. */
  replyWaitMs: number;
}

interface Waiting {
  req: AttemptRequest;
  timer: NodeJS.Timeout;
  resolve: (o: AttemptOutcome) => void;
}

/** A number as both ends may write it: digits only, China's +86 / 0086 left off. */
export function sameNumber(number: string): string {
  return number.replace(/\D/g, '').replace(/^(?:0086|86)(?=1\d{10}$)/, '');
}

export class SmsFollowUp implements FollowUpChannel {
  readonly name = 'sms';
  /** By number (sameNumber): at most one survey waits per number; a newer one replaces it. */
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly gateway: SmsSender,
    private readonly settings: SmsFollowUpSettings,
    private readonly log: Logger,
  ) {}

  async ask(req: AttemptRequest): Promise<AttemptOutcome> {
    const number = sameNumber(req.number);
    if (!number) return { reached: false, why: 'no_number' };
    try {
      await this.gateway.sendSms(req.number, surveyText(req.incident), `followup-${req.followUpId}-${req.attempt}`);
    } catch (err) {
      this.log.warn({ incident: req.incident, err: (err as Error).message }, 'follow-up SMS not queued');
      return { reached: false, why: 'sms_not_sent' };
    }
    this.waiting.get(number)?.resolve({ reached: false, why: 'replaced' });
    return new Promise<AttemptOutcome>((resolve) => {
      const timer = setTimeout(() => this.settle(number, { reached: false, why: 'no_reply' }), this.settings.replyWaitMs);
      this.waiting.set(number, { req, timer, resolve });
    });
  }

  /** TextInbox's reply handler: true when `text` answers a survey waiting for `from`. */
  async reply(from: string, text: string): Promise<boolean> {
    const number = sameNumber(from);
    if (!this.waiting.has(number)) return false;
    const answers = parseSmsScores(text);
    if (!answers) return false;
    this.settle(number, { reached: true, answers });
    return true;
  }

  /** At shutdown: every wait ends unreached (the service asks again after the restart). */
  stop(): void {
    for (const number of [...this.waiting.keys()]) this.settle(number, { reached: false, why: 'stopping' });
  }

  private settle(number: string, outcome: AttemptOutcome): void {
    const w = this.waiting.get(number);
    if (!w) return;
    this.waiting.delete(number);
    clearTimeout(w.timer);
    w.resolve(outcome);
  }
}
