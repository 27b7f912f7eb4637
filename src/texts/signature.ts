// The gateway's webhook signature: HMAC-SHA256 over the raw request body with the shared secret,
// hex, in `X-Gateway-Signature: sha256=<hex>` (docs/sms-gateway.md). Over the raw bytes, not a
// re-serialised parse: any change of a byte (or of JSON whitespace) is a different message.
// The replies we send carry the same header, made the same way, so the gateway can check us too.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-gateway-signature';

export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True only for a well-formed header whose HMAC matches; compared in constant time. */
export function signatureMatches(secret: string, body: string | Buffer, header: unknown): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-fA-F]{64}$/.test(header.trim())) return false;
  const given = Buffer.from(header.trim().slice(7).toLowerCase(), 'hex');
  const expected = Buffer.from(sign(secret, body).slice(7), 'hex');
  return timingSafeEqual(given, expected);
}
