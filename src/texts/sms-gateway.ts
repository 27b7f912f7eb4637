// Sending an SMS through the carrier's gateway, through the durable outbox: the message is stored
// first and POSTed until the gateway answers 2xx, with its key as Idempotency-Key (and as the
// message id the gateway sees), so a gateway that is down loses nothing and gets each text once.
// Other areas (follow-ups by SMS) send through this too: `sendSms(to, body, key)`.
import type { Outbox } from '../outbox/outbox';
import { TextsOff } from './errors';
import { sign, SIGNATURE_HEADER } from './signature';

export interface SmsGatewaySettings {
  /** The gateway's send URL (MT, mobile-terminated); '' = texts are off. */
  sendUrl: string;
  /** The shared secret: our requests are signed with it as the gateway's webhooks are. */
  secret: string;
  /** The number texts come from (12110). */
  serviceNumber: string;
}

/** What the gateway receives (docs/sms-gateway.md). */
export interface OutboundSms {
  messageId: string;
  from: string;
  to: string;
  text: string;
}

export class SmsGateway {
  constructor(
    private readonly outbox: Pick<Outbox, 'enqueue'>,
    private readonly settings: SmsGatewaySettings,
  ) {}

  get enabled(): boolean {
    return this.settings.sendUrl !== '' && this.settings.secret !== '';
  }

  /**
   * Queues one SMS. `key` names it for good: the same key again sends nothing more (the first
   * body wins), so a caller that retries after a crash passes the same key. Resolves once stored.
   */
  async sendSms(to: string, body: string, key: string): Promise<{ created: boolean }> {
    if (!this.enabled) throw new TextsOff();
    const sms: OutboundSms = { messageId: key, from: this.settings.serviceNumber, to, text: body };
    // The outbox sends JSON.stringify(body) verbatim: the signature is over exactly those bytes.
    const { created } = await this.outbox.enqueue({ kind: 'sms', url: this.settings.sendUrl, headers: { [SIGNATURE_HEADER]: sign(this.settings.secret, JSON.stringify(sms)) }, body: sms, key });
    return { created };
  }
}
