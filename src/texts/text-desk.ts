// Text conversations at the seats: the queue's TextDesk (which seat takes a waiting text, and
// what taking it means for the seat), and what a call-taker does with one: reply, ask for the
// location, let it go, close it, call the sender back. Every step is stamped on the incident's
// timeline (and so in the audit chain); the messages themselves are in text_messages.
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Incidents } from '../incidents/incidents';
import type { QueuedCall, TextDesk as QueueTextDesk } from '../queue/offer';
import type { Seat, Seats } from '../queue/seats';
import type { ConversationRow, MessageRow, TextsRepo } from '../store/texts-repo';
import { canReply, isConversationState, nextConversationState, type ConversationEvent, type ConversationState } from './conversation';
import { ConversationStateError, NoConversation } from './errors';
import { pickTextSeat } from './seat-pick';
import type { SmsGateway } from './sms-gateway';

/** What the desk needs of the queue (queue/queue-service.ts). */
export interface TextQueue {
  enqueue(call: QueuedCall): void;
  remove(channelId: string): unknown;
  redistribute(): void;
}

/** What the desk needs of the call-back (queue/callback-service.ts): the seat rings, then the sender. */
export interface CallBacks {
  start(incident: string, seatId: string): Promise<{ incident: string; seat: string }>;
}

export interface TextDeskSettings {
  priority: number;
  /** A seat may hold one text beside one voice call (texts.withVoiceCall). */
  withVoiceCall: boolean;
  /** The text that asks the sender for their location; {incident} is replaced. */
  locationRequest: string;
}

/** A conversation as the desk keeps it while it is open. */
export interface Conversation {
  id: number;
  incidentId: number;
  incident: string;
  number: string;
  state: ConversationState;
  seatId: string | null;
  arrivedAt: number;
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
/** The queue key of a text incident: never a channel id Asterisk could make. */
export const queueKeyOf = (incident: string): string => `text-${incident}`;

export class TextDesk implements QueueTextDesk {
  /** Open conversations by incident number. */
  private readonly open = new Map<string, Conversation>();
  /** seat id → the incident whose text it holds (one text per seat). */
  private readonly holding = new Map<string, string>();
  /** Outbox keys of texts sent and not yet taken by the gateway → their incident. */
  private readonly undelivered = new Map<string, { incidentId: number }>();
  private readonly watcher: NodeJS.Timeout;

  constructor(
    private readonly repo: TextsRepo,
    private readonly incidents: Incidents,
    private readonly seats: Seats,
    private readonly queue: TextQueue,
    private readonly gateway: Pick<SmsGateway, 'sendSms'>,
    private readonly callbacks: CallBacks,
    private readonly settings: TextDeskSettings,
    private readonly log: Logger,
    watchMs = 1000,
  ) {
    // A seat that logs out while holding a text (possible beside a call) gives it back to the queue.
    seats.on('changed', (seat) => {
      if (seat.state === 'logged_out' && this.holding.has(seat.id)) void this.guard('requeue', () => this.requeue(this.holding.get(seat.id)!, seat.id));
    });
    // An incident closed (POST /incidents/:n/close) closes its conversation.
    incidents.on('stamped', ({ incidentId, kind }) => {
      if (kind !== 'incident_closed') return;
      const conv = [...this.open.values()].find((c) => c.incidentId === incidentId);
      if (conv) void this.guard('close', () => this.close(conv.incident, 'incident closed'));
    });
    // The outbox has no delivery callback: its rows are looked at while a text is on its way.
    this.watcher = setInterval(() => void this.guard('delivery check', () => this.checkDelivered()), watchMs);
    this.watcher.unref();
  }

  /** After a restart: open conversations back in the queue (a seat's hold died with the old process). */
  async restore(): Promise<void> {
    for (const row of await this.repo.listOpen()) {
      const conv = this.remember(row);
      if (conv.state === 'with_seat') await this.requeue(conv.incident, conv.seatId ?? '?');
      else if (conv.state === 'waiting') this.enqueue(conv);
    }
    for (const m of await this.repo.undeliveredOut()) this.undelivered.set(m.outboxKey, { incidentId: m.incidentId });
  }

  stop(): void {
    clearInterval(this.watcher);
  }

  // ---- the queue's side ----

  pick(seats: Seat[]): Seat | undefined {
    return pickTextSeat(seats, new Set(this.holding.keys()), this.settings.withVoiceCall);
  }

  holds(seat: Seat): boolean {
    return !this.settings.withVoiceCall && this.holding.has(seat.id);
  }

  /** The queue picked this seat: it has the text in its console now (no phone rings). */
  deliver(call: QueuedCall, seat: Seat): void {
    const conv = this.open.get(call.incident);
    if (!conv) return this.log.warn({ incident: call.incident, seat: seat.id }, 'text delivered for a conversation no longer open: ignored');
    this.holding.set(seat.id, conv.incident);
    // Synchronously, before the queue picks a seat for the next waiting call: a text occupies
    // its seat as a call does, unless the seat may hold both.
    if (!this.settings.withVoiceCall) {
      this.seats.apply(seat, 'offer');
      this.seats.apply(seat, 'answered');
    }
    const at = Date.now();
    void this.guard('deliver', async () => {
      await this.move(conv, 'taken', seat.id);
      await this.incidents.offered(conv.incidentId, at, { seat: seat.id, delivery: 'text' });
      await this.incidents.answered(conv.incidentId, { at, seatId: seat.id, delivery: 'text', seatChannelId: '', bridgeId: '', answerMs: at - call.arrivedAt });
    });
    this.log.info({ incident: conv.incident, seat: seat.id, waitedMs: at - call.arrivedAt }, 'text conversation taken by a seat');
  }

  // ---- what the inbox does ----

  conversationFor(number: string): Conversation | undefined {
    return [...this.open.values()].find((c) => c.number === number);
  }

  /** The sender wrote again: a conversation the seat had let go waits in the queue again. */
  async textIn(conv: Conversation): Promise<void> {
    const before = conv.state;
    await this.move(conv, 'text_in', null);
    if (before === 'released' && conv.state === 'waiting') this.enqueue(conv);
  }

  // ---- what the call-taker does (REST) ----

  /** Sends a text to the sender through the gateway (durable outbox); 'queued' until the gateway takes it. */
  async reply(incident: string, text: string, author: string, purpose: 'reply' | 'location_request' = 'reply'): Promise<{ key: string }> {
    const conv = await this.find(incident);
    if (!canReply(conv.state)) throw new ConversationStateError(`the text conversation of ${incident} is closed: nothing more can be sent`);
    const key = `sms-${incident}-${randomUUID()}`;
    const at = Date.now();
    const hash = sha256(text);
    // Written down before it is queued: what the call-taker wrote is on record even if queuing fails.
    await this.repo.addMessage({ conversationId: conv.id, direction: 'out', outboxKey: key, body: text, sha256: hash, at, author });
    await this.gateway.sendSms(conv.number, text, key);
    this.undelivered.set(key, { incidentId: conv.incidentId });
    await this.incidents.stamp(conv.incidentId, 'text_sent', { key, sha256: hash, chars: [...text].length, author, purpose }, at);
    return { key };
  }

  requestLocation(incident: string, author: string): Promise<{ key: string }> {
    return this.reply(incident, this.settings.locationRequest.replaceAll('{incident}', incident), author, 'location_request');
  }

  /** The call-taker has answered for now: the seat is free; a new text from the sender queues it again. */
  async release(incident: string): Promise<void> {
    const conv = await this.find(incident);
    const seatId = conv.seatId;
    await this.move(conv, 'release', null);
    this.letGo(conv.incident);
    await this.incidents.stamp(conv.incidentId, 'text_released', { seat: seatId });
  }

  /** Over: a new text from the number opens a new incident. */
  async close(incident: string, why = 'closed by the call-taker'): Promise<void> {
    const conv = await this.find(incident);
    if (conv.state === 'closed') return;
    this.queue.remove(queueKeyOf(conv.incident));
    await this.move(conv, 'close', null);
    this.letGo(conv.incident);
    this.open.delete(conv.incident);
    await this.incidents.stamp(conv.incidentId, 'text_closed', { why });
    await this.incidents.end(conv.incidentId, Date.now(), { reason: 'text conversation closed' });
  }

  /**
   * A voice call-back from the same incident (queue/callback-service.ts): the seat rings, then
   * the sender. A text that occupies the seat gives the seat to the call; the conversation stays
   * with the seat, which can go on texting.
   */
  async callBack(incident: string, seatId: string): Promise<{ incident: string; seat: string }> {
    const conv = await this.find(incident);
    if (!this.settings.withVoiceCall && this.holding.get(seatId) === conv.incident) {
      this.holding.delete(seatId);
      const seat = this.seats.get(seatId);
      if (seat.state === 'on_call') this.seats.apply(seat, 'call_ended');
      if (seat.state === 'wrap_up') this.seats.apply(seat, 'ready');
    }
    return this.callbacks.start(incident, seatId);
  }

  /** The conversation and every message, each outgoing one 'queued' or 'sent'. */
  async view(incident: string): Promise<ConversationRow & { messages: (MessageRow & { status: 'received' | 'queued' | 'sent' })[] }> {
    const row = await this.repo.byIncident(incident);
    if (!row) throw new NoConversation(incident);
    const messages = (await this.repo.messages(row.id)).map((m) => ({ ...m, status: m.direction === 'in' ? ('received' as const) : m.deliveredAt === null ? ('queued' as const) : ('sent' as const) }));
    return { ...row, messages };
  }

  /** The incident whose text the seat holds, if any (the console after a reload). */
  atSeat(seatId: string): string | undefined {
    return this.holding.get(seatId);
  }

  // ---- inside ----

  /** Held open here from now on (a new conversation, or one found at restart). */
  remember(row: ConversationRow): Conversation {
    const state = isConversationState(row.state) ? row.state : 'waiting';
    const conv: Conversation = { id: row.id, incidentId: row.incidentId, incident: row.incident, number: row.number, state, seatId: row.seatId, arrivedAt: row.openedAt };
    this.open.set(conv.incident, conv);
    return conv;
  }

  /** Into the queue with the calls, keeping its first arrival (and so its place). */
  enqueue(conv: Conversation): void {
    this.queue.enqueue({ channelId: queueKeyOf(conv.incident), incident: conv.incident, callerNumber: conv.number, priority: this.settings.priority, arrivedAt: conv.arrivedAt, enqueuedAt: Date.now(), media: 'text' });
  }

  private async find(incident: string): Promise<Conversation> {
    const conv = this.open.get(incident);
    if (conv) return conv;
    const row = await this.repo.byIncident(incident);
    if (!row) throw new NoConversation(incident);
    // Closed (or of another process's past): answered from the store, never held here again.
    return { id: row.id, incidentId: row.incidentId, incident: row.incident, number: row.number, state: isConversationState(row.state) ? row.state : 'closed', seatId: row.seatId, arrivedAt: row.openedAt };
  }

  private async move(conv: Conversation, event: ConversationEvent, seatId: string | null): Promise<void> {
    const from = conv.state;
    conv.state = nextConversationState(from, event);
    if (seatId !== null) conv.seatId = seatId;
    if (from === conv.state && seatId === null) return;
    this.log.info({ incident: conv.incident, from, to: conv.state, event }, `Text ${conv.incident}: ${from} -> ${conv.state}`);
    await this.repo.setState(conv.id, conv.state, seatId, conv.state === 'closed' ? Date.now() : null);
  }

  /** The seat holding this text is free of it. */
  private letGo(incident: string): void {
    for (const [seatId, held] of this.holding) {
      if (held !== incident) continue;
      this.holding.delete(seatId);
      const seat = this.seats.get(seatId);
      if (!this.settings.withVoiceCall && seat.state === 'on_call') this.seats.apply(seat, 'call_ended');
      else this.queue.redistribute(); // the seat's voice state did not change: the queue would not look again
    }
  }

  private async requeue(incident: string, seatId: string): Promise<void> {
    const conv = this.open.get(incident);
    this.holding.delete(seatId);
    if (!conv || conv.state !== 'with_seat') return;
    await this.move(conv, 'requeue', null);
    await this.incidents.stamp(conv.incidentId, 'text_requeued', { seat: seatId });
    this.enqueue(conv);
  }

  private async checkDelivered(): Promise<void> {
    if (!this.undelivered.size) return;
    for (const { key, deliveredAt } of await this.repo.delivered([...this.undelivered.keys()])) {
      const sent = this.undelivered.get(key);
      this.undelivered.delete(key);
      if (sent) await this.incidents.stamp(sent.incidentId, 'text_delivered', { key }, deliveredAt);
    }
  }

  /** A failed step costs only itself: logged with what it was. */
  private async guard(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.log.error({ step: what, err: (err as Error).message }, 'text step failed');
    }
  }
}
