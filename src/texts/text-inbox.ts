// Inbound texts from the gateway's webhook: checked (signature, then body), and each gateway
// message stored once. A text from a number with no open conversation opens an incident (same
// numbering and timeline as a call) that enters the queue; further texts join the conversation.
// Other areas may take a text first (a follow-up's answer): addReplyHandler.
import type { Logger } from 'pino';
import type { Incidents } from '../incidents/incidents';
import type { TextsRepo } from '../store/texts-repo';
import { BadSignature, TextsOff } from './errors';
import { parseInbound, type InboundText } from './inbound';
import { signatureMatches } from './signature';
import { queueKeyOf, sha256, type TextDesk } from './text-desk';

/** Resolves true when it took the text as its own (no incident is opened for it). */
export type ReplyHandler = (from: string, text: string) => Promise<boolean>;

export type InboxResult = { status: 'created' | 'joined'; incident: string } | { status: 'duplicate' | 'consumed' };

/** The trunk text incidents carry (incidents.trunk): how the centre got them. */
export const TEXT_TRUNK = 'sms';

export class TextInbox {
  private readonly handlers: ReplyHandler[] = [];
  /** One text at a time: two deliveries of one message at once must not both open an incident. */
  private lane: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: TextsRepo,
    private readonly incidents: Incidents,
    private readonly desk: TextDesk,
    private readonly settings: { secret: string; priority: number },
    private readonly log: Logger,
  ) {}

  /** Asked first, in the order added, for every new text; true = consumed (stored, no incident). */
  addReplyHandler(handler: ReplyHandler): void {
    this.handlers.push(handler);
  }

  /** The webhook: raw body and signature header. Throws BadSignature, BadInboundText or TextsOff. */
  receive(rawBody: string, signature: unknown): Promise<InboxResult> {
    if (!this.settings.secret) throw new TextsOff();
    if (!signatureMatches(this.settings.secret, rawBody, signature)) throw new BadSignature('X-Gateway-Signature is missing or does not match the body (HMAC-SHA256 with the shared secret, "sha256=<hex>")');
    const text = parseInbound(rawBody);
    const run = this.lane.then(() => this.take(text));
    this.lane = run.catch(() => undefined);
    return run;
  }

  private async take(m: InboundText): Promise<InboxResult> {
    const log = this.log.child({ messageId: m.messageId });
    if (await this.repo.hasGatewayMessage(m.messageId)) {
      log.info('text delivered again by the gateway: already stored, nothing done');
      return { status: 'duplicate' };
    }
    const at = Date.now();
    const stored = { gatewayId: m.messageId, body: m.text, sha256: sha256(m.text), at, sentAt: m.sentAt };
    for (const handler of this.handlers) {
      if (!(await this.asks(handler, m, log))) continue;
      await this.repo.addMessage({ ...stored, conversationId: null, direction: 'in' });
      log.info('text taken by a reply handler: no incident');
      return { status: 'consumed' };
    }
    let conv = this.desk.conversationFor(m.from);
    const isNew = !conv;
    if (!conv) {
      // Stored before anything refers to it (the conversation row does): a text waits for the store.
      const incident = await this.incidents.open({ callerNumber: m.from, callerName: '', callerRaw: m.from, trunk: TEXT_TRUNK, channelId: `text-${m.messageId}`, state: 'text', arrivedAt: at, priority: this.settings.priority });
      const id = await this.repo.openConversation({ incidentId: incident.id, number: m.from, at });
      conv = this.desk.remember({ id, incidentId: incident.id, incident: incident.number, number: m.from, state: 'waiting', seatId: null, openedAt: at, closedAt: null });
    }
    if (!(await this.repo.addMessage({ ...stored, conversationId: conv.id, direction: 'in' }))) return { status: 'duplicate' };
    await this.incidents.stamp(conv.incidentId, 'text_received', { messageId: m.messageId, sha256: stored.sha256, chars: [...m.text].length, sentAt: m.sentAt }, at);
    if (isNew) this.desk.enqueue(conv);
    else await this.desk.textIn(conv);
    log.info({ incident: conv.incident, queue: queueKeyOf(conv.incident), isNew }, isNew ? 'text opened an incident' : 'text joined its conversation');
    return { status: isNew ? 'created' : 'joined', incident: conv.incident };
  }

  /** A handler that fails has not taken the text: an emergency text is never lost to another area's bug. */
  private async asks(handler: ReplyHandler, m: InboundText, log: Logger): Promise<boolean> {
    try {
      return await handler(m.from, m.text);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'reply handler failed: the text is treated as a new report');
      return false;
    }
  }
}
