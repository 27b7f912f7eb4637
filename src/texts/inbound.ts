// The gateway's inbound message (MO, mobile-originated), as its webhook posts it
// (docs/sms-gateway.md). Parsed by hand, so that every way a body can be wrong gets its own
// plain sentence in the 400 (the gateway's operator reads it in their delivery log).
import { BadInboundText } from './errors';

export interface InboundText {
  /** The gateway's own id for the message: the same id twice is one message (a redelivery). */
  messageId: string;
  /** The sender's number, national form (+86 dropped): how conversations are matched. */
  from: string;
  /** The service number it was sent to (12110). */
  to: string;
  text: string;
  /** When the network took it from the phone (ms), as the gateway says. */
  sentAt: number;
}

/** A long text arrives concatenated by the gateway; a GSM/UCS-2 concatenation tops out far below this. */
export const MAX_TEXT_CHARS = 5000;
const MESSAGE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const NUMBER = /^\+?[0-9]{3,20}$/;

/** The national form of a number: +86 (China's country code) and 0086 dropped, spaces removed. */
export function nationalNumber(raw: string): string {
  const n = raw.replace(/[\s-]/g, '');
  if (/^\+86[0-9]/.test(n)) return n.slice(3);
  if (/^0086[0-9]/.test(n)) return n.slice(4);
  return n;
}

function field(body: Record<string, unknown>, name: string): unknown {
  if (!(name in body)) throw new BadInboundText(`body has no "${name}"`);
  return body[name];
}

function timestamp(v: unknown): number {
  // ISO 8601 with its offset (what the gateway sends) or ms since the epoch.
  const ms = typeof v === 'number' ? v : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > 8.64e15) throw new BadInboundText('"timestamp" must be an ISO 8601 time with its offset (2026-12-07T17:00:00+08:00) or ms since the epoch');
  return ms;
}

/** The raw body (text) to an InboundText; throws BadInboundText saying what is wrong. */
export function parseInbound(raw: string): InboundText {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new BadInboundText('body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadInboundText('body must be a JSON object');
  const b = body as Record<string, unknown>;
  const messageId = field(b, 'messageId');
  if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId)) throw new BadInboundText('"messageId" must be 1-64 letters, digits, . _ : or -');
  const from = field(b, 'from');
  if (typeof from !== 'string' || !NUMBER.test(from.replace(/[\s-]/g, ''))) throw new BadInboundText('"from" must be a phone number: 3-20 digits, optionally after +');
  const to = field(b, 'to');
  if (typeof to !== 'string' || !NUMBER.test(to)) throw new BadInboundText('"to" must be the service number: 3-20 digits');
  const text = field(b, 'text');
  if (typeof text !== 'string') throw new BadInboundText('"text" must be a string');
  if (text.length > MAX_TEXT_CHARS) throw new BadInboundText(`"text" is longer than ${MAX_TEXT_CHARS} characters`);
  return { messageId, from: nationalNumber(from), to, text, sentAt: timestamp(field(b, 'timestamp')) };
}
