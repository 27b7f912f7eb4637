// Daily anchors: the chain's head signed with the service's key. Checked before the walk, so
// that the walk compares entries only with anchors the key really signed.
import type { KeyObject } from 'node:crypto';
import { anchorPayload, type Anchor } from './chain';
import { signText, verifyText, type SigningKey } from './keys';

export function makeAnchor(key: SigningKey, day: string, head: { id: number; hash: string }, at: number): Anchor {
  const a = { day, lastId: head.id, lastHash: head.hash, at };
  return { ...a, keyId: key.keyId, signature: signText(key, anchorPayload(a)) };
}

export interface BadAnchor {
  day: string;
  reason: string;
}

/** Anchors split into those whose signature holds and those that do not (or by an unknown key). */
export function checkAnchors(anchors: readonly Anchor[], keys: ReadonlyMap<string, KeyObject>): { good: Anchor[]; bad: BadAnchor[] } {
  const good: Anchor[] = [];
  const bad: BadAnchor[] = [];
  for (const a of anchors) {
    const key = keys.get(a.keyId);
    if (!key) bad.push({ day: a.day, reason: `signed by key ${a.keyId}, which is not one of the keys given` });
    else if (!verifyText(key, anchorPayload(a), a.signature)) bad.push({ day: a.day, reason: 'bad signature (anchor altered, or not signed by this key)' });
    else good.push(a);
  }
  return { good, bad };
}
