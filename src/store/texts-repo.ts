// Text reports (12110 SMS): one conversation per text incident and every message of it, in and
// out. The gateway's message id is UNIQUE, so a webhook delivered twice stores one message; an
// outgoing message names its outbox row by idempotency key, so whether the gateway has it
// ('queued' or 'sent') is read from the outbox itself, never kept twice.
import type { Database } from './database';

/** For the lead to append to MIGRATIONS. */
export const TEXTS_MIGRATION = `
  CREATE TABLE text_conversations (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL UNIQUE REFERENCES incidents (id),
    number      TEXT    NOT NULL,          -- the sender's mobile number, as the gateway gave it
    state       TEXT    NOT NULL,          -- waiting | with_seat | released | closed (texts/conversation.ts)
    seat_id     TEXT,                      -- the seat that has it (with_seat), or had it last
    opened_at   INTEGER NOT NULL,          -- ms
    closed_at   INTEGER                    -- ms; null while further texts from the number join it
  );
  CREATE INDEX text_conversations_open ON text_conversations (number) WHERE closed_at IS NULL;
  CREATE TABLE text_messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER REFERENCES text_conversations (id), -- null: taken by a reply handler (a follow-up's answer)
    direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    gateway_id      TEXT    UNIQUE,        -- in: the gateway's message id (a repeat delivery is refused here)
    outbox_key      TEXT    UNIQUE,        -- out: the outbox row's idempotency key
    body            TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,      -- of body (UTF-8), as stamped on the timeline and so in the audit chain
    at              INTEGER NOT NULL,      -- in: when we received it; out: when the call-taker sent it
    sent_at         INTEGER,               -- in: the gateway's own timestamp; out: null
    author          TEXT                   -- out: the seat (or user) that wrote it
  );
  CREATE INDEX text_messages_conversation ON text_messages (conversation_id, id);
`;

export interface ConversationRow {
  id: number;
  incidentId: number;
  incident: string;
  number: string;
  state: string;
  seatId: string | null;
  openedAt: number;
  closedAt: number | null;
}

export interface MessageRow {
  id: number;
  direction: 'in' | 'out';
  gatewayId: string | null;
  outboxKey: string | null;
  body: string;
  sha256: string;
  at: number;
  sentAt: number | null;
  author: string | null;
  /** Out only: when the gateway took it (the outbox row's delivery), null while queued. */
  deliveredAt: number | null;
  attempts: number | null;
  lastError: string | null;
}

export interface NewMessage {
  /** null: the text answered something else (TextInbox.addReplyHandler) and opened no conversation. */
  conversationId: number | null;
  direction: 'in' | 'out';
  gatewayId?: string;
  outboxKey?: string;
  body: string;
  sha256: string;
  at: number;
  sentAt?: number;
  author?: string;
}

const CONVERSATION = `c.id, c.incident_id AS "incidentId", i.number AS incident, c.number, c.state, c.seat_id AS "seatId",
  c.opened_at AS "openedAt", c.closed_at AS "closedAt"`;

export class TextsRepo {
  constructor(private readonly db: Database) {}

  async openConversation(c: { incidentId: number; number: string; at: number }): Promise<number> {
    const row = await this.db.get<{ id: number }>("INSERT INTO text_conversations (incident_id, number, state, opened_at) VALUES (?, ?, 'waiting', ?) RETURNING id", [c.incidentId, c.number, c.at]);
    return row!.id;
  }

  /** The number's conversation that is not closed, if any (texts from it join that one). */
  openFor(number: string): Promise<ConversationRow | undefined> {
    return this.db.get<ConversationRow>(`SELECT ${CONVERSATION} FROM text_conversations c JOIN incidents i ON i.id = c.incident_id WHERE c.number = ? AND c.closed_at IS NULL ORDER BY c.id DESC LIMIT 1`, [number]);
  }

  byIncident(incident: string): Promise<ConversationRow | undefined> {
    return this.db.get<ConversationRow>(`SELECT ${CONVERSATION} FROM text_conversations c JOIN incidents i ON i.id = c.incident_id WHERE i.number = ?`, [incident]);
  }

  byIncidentId(incidentId: number): Promise<ConversationRow | undefined> {
    return this.db.get<ConversationRow>(`SELECT ${CONVERSATION} FROM text_conversations c JOIN incidents i ON i.id = c.incident_id WHERE c.incident_id = ?`, [incidentId]);
  }

  /** Conversations not closed: what a restarted service puts back in the queue or on its seat. */
  listOpen(): Promise<ConversationRow[]> {
    return this.db.all<ConversationRow>(`SELECT ${CONVERSATION} FROM text_conversations c JOIN incidents i ON i.id = c.incident_id WHERE c.closed_at IS NULL ORDER BY c.id`);
  }

  async setState(id: number, state: string, seatId: string | null, closedAt: number | null = null): Promise<void> {
    await this.db.run('UPDATE text_conversations SET state = ?, seat_id = COALESCE(?, seat_id), closed_at = COALESCE(?, closed_at) WHERE id = ?', [state, seatId, closedAt, id]);
  }

  /** False when the gateway id (or outbox key) is already stored: a repeat, nothing written. */
  async addMessage(m: NewMessage): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO text_messages (conversation_id, direction, gateway_id, outbox_key, body, sha256, at, sent_at, author)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [m.conversationId, m.direction, m.gatewayId ?? null, m.outboxKey ?? null, m.body, m.sha256, m.at, m.sentAt ?? null, m.author ?? null],
    );
    return changes === 1;
  }

  async hasGatewayMessage(gatewayId: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS x FROM text_messages WHERE gateway_id = ?', [gatewayId])) !== undefined;
  }

  /** Oldest first, each outgoing one with its outbox row's state. */
  messages(conversationId: number): Promise<MessageRow[]> {
    return this.db.all<MessageRow>(
      `SELECT m.id, m.direction, m.gateway_id AS "gatewayId", m.outbox_key AS "outboxKey", m.body, m.sha256, m.at, m.sent_at AS "sentAt", m.author,
         o.delivered_at AS "deliveredAt", o.attempts, o.last_error AS "lastError"
       FROM text_messages m LEFT JOIN outbox o ON o.idempotency_key = m.outbox_key
       WHERE m.conversation_id = ? ORDER BY m.id`,
      [conversationId],
    );
  }

  /** Every message of an incident's conversation, for its export (audit/export.ts). */
  async forIncident(incidentId: number): Promise<MessageRow[]> {
    const c = await this.byIncidentId(incidentId);
    return c ? this.messages(c.id) : [];
  }

  /** Outgoing messages of open conversations the gateway has not taken yet (a restart watches them again). */
  undeliveredOut(): Promise<{ outboxKey: string; incidentId: number }[]> {
    return this.db.all<{ outboxKey: string; incidentId: number }>(
      `SELECT m.outbox_key AS "outboxKey", c.incident_id AS "incidentId" FROM text_messages m
       JOIN text_conversations c ON c.id = m.conversation_id LEFT JOIN outbox o ON o.idempotency_key = m.outbox_key
       WHERE m.direction = 'out' AND c.closed_at IS NULL AND o.delivered_at IS NULL`,
    );
  }

  /** Of these outbox keys, the ones the gateway has taken, with when. */
  delivered(keys: readonly string[]): Promise<{ key: string; deliveredAt: number }[]> {
    if (!keys.length) return Promise.resolve([]);
    return this.db.all<{ key: string; deliveredAt: number }>(
      `SELECT idempotency_key AS key, delivered_at AS "deliveredAt" FROM outbox WHERE delivered_at IS NOT NULL AND idempotency_key IN (${keys.map(() => '?').join(', ')})`,
      [...keys],
    );
  }
}
