// The caller's SIP From header as the service stores it (incident.callerRaw): whole, as received.
// The dialplan hands it over twice (dialplan/extensions.conf): plain (CTI110_FROM) and URI-encoded
// (CTI110_FROM_URI). ARI sends channel variables in JSON, and a header that is not valid UTF-8
// comes plain as '' (it was stored so; a 110 centre keeps what the network sent, whatever it is).
// From the encoded one the bytes come back: valid UTF-8 as text, each byte that is not part of
// valid UTF-8 as `\xHH`, so nothing is dropped or replaced.

/** Percent-decoding to bytes; a '%' not followed by two hex digits is kept as it is. */
function percentDecode(encoded: string): Buffer {
  const bytes: number[] = [];
  const text = Buffer.from(encoded, 'utf8');
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === 0x25 ? text.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(text[i]!);
  }
  return Buffer.from(bytes);
}

/** Length of the valid UTF-8 sequence at `i` (1-4), or 0 if the byte there does not start one. */
function utf8Length(b: Buffer, i: number): number {
  const c = b[i]!;
  const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const second = b[i + 1] ?? 0;
    // No overlong forms (E0 8x-9x) and no UTF-16 surrogates (ED Ax-Bx).
    if ((c === 0xe0 && second < 0xa0) || (c === 0xed && second >= 0xa0)) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const second = b[i + 1] ?? 0;
    if ((c === 0xf0 && second < 0x90) || (c === 0xf4 && second >= 0x90)) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Bytes as text: valid UTF-8 unchanged, any other byte as `\xHH`. */
export function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const n = utf8Length(bytes, i);
    if (n === 0) {
      out += `\\x${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    } else {
      out += bytes.subarray(i, i + n).toString('utf8');
      i += n;
    }
  }
  return out;
}

/**
 * callerRaw from the channel variables: the plain header when ARI could carry it (exact, whatever
 * it holds), else the URI-encoded one decoded (a header that is not UTF-8 comes plain as '').
 */
export function fromHeader(vars: Record<string, string> | undefined): string {
  if (vars?.CTI110_FROM) return vars.CTI110_FROM;
  return vars?.CTI110_FROM_URI ? escapeBytes(percentDecode(vars.CTI110_FROM_URI)) : '';
}
