// The audit chain: every entry carries the hash of the one before it, so an entry edited, removed
// or moved breaks every link after it; a daily anchor signs the head as it stood, so rewriting the
// whole tail after an edit (hashes recomputed) still disagrees with a signature nobody can redo.
import { canonicalJson, sha256Hex } from './canonical';

/** The previous hash of entry 1. */
export const GENESIS = '0'.repeat(64);

/** What is appended: the store gives it its number (id) and its place in the chain. */
export interface AuditInput {
  at: number;
  /** Who: a user's name, 'system' for the service's own steps, 'cli:<tool>' for the operator's tools. */
  actor: string;
  action: string;
  /** The incident number it concerns, when it concerns one. */
  incident?: string | null;
  /** Resolved to `incident` when it is written (the timeline knows ids, REST knows recordings). */
  incidentId?: number;
  recordingId?: number;
  detail?: Record<string, unknown>;
}

/** One entry as stored. `detail` is the canonical JSON text that was hashed. */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  incident: string | null;
  detail: string;
  prevHash: string;
  hash: string;
}

export type Unhashed = Omit<AuditEntry, 'hash'>;

/** SHA-256 over the entry's fields in a fixed order, its number and the previous hash included. */
export function entryHash(e: Unhashed): string {
  return sha256Hex(canonicalJson(['cti110-audit/1', e.id, e.at, e.actor, e.action, e.incident, e.detail, e.prevHash]));
}

/**
 * Text as both engines give it back, so that what was hashed is what is read: PostgreSQL stores
 * NUL as U+2400 (store/pg-store.ts), and a lone surrogate (a name cut in the middle of a pair)
 * comes back from either as U+FFFD. (`detail` is JSON: it escapes both already.)
 */
const storable = (s: string): string => Buffer.from(s, 'utf8').toString('utf8').replaceAll('\0', '\u2400');

/** Entries following `head` (id and hash of the last stored entry), numbered and linked. */
export function link(head: { id: number; hash: string }, inputs: readonly (Omit<AuditInput, 'incidentId' | 'recordingId'> & { incident: string | null })[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = head;
  for (const input of inputs) {
    const e: Unhashed = { id: prev.id + 1, at: input.at, actor: storable(input.actor), action: storable(input.action), incident: input.incident === null ? null : storable(input.incident), detail: canonicalJson(input.detail ?? {}), prevHash: prev.hash };
    const entry = { ...e, hash: entryHash(e) };
    out.push(entry);
    prev = entry;
  }
  return out;
}

/** A day's anchor: the head of the chain when it was signed. */
export interface Anchor {
  day: string;
  lastId: number;
  lastHash: string;
  at: number;
  keyId: string;
  signature: string;
}

export function anchorPayload(a: Pick<Anchor, 'day' | 'lastId' | 'lastHash' | 'at'>): string {
  return canonicalJson(['cti110-audit-anchor/1', a.day, a.lastId, a.lastHash, a.at]);
}

export interface Broken {
  /** The first entry that cannot be trusted (for a removed tail: the first id missing). */
  id: number;
  reason: string;
}

/**
 * Walks the chain in id order, one entry at a time (the table may be large), and stops at the
 * first broken entry: everything after it is suspect anyway, and the operator needs where to look.
 * `anchors` are those whose signatures were checked good (verifyAnchors).
 */
export class ChainWalk {
  private expected = 1;
  private prev = GENESIS;
  private readonly byLastId = new Map<number, Anchor[]>();
  broken: Broken | undefined;
  count = 0;

  constructor(anchors: readonly Anchor[]) {
    for (const a of anchors) this.byLastId.set(a.lastId, [...(this.byLastId.get(a.lastId) ?? []), a]);
  }

  /** False once the chain is broken (the walk can stop). */
  next(e: AuditEntry): boolean {
    if (this.broken) return false;
    this.count++;
    if (e.id !== this.expected) return this.fail(e.id, `comes after entry ${this.expected - 1}: entries ${this.expected}..${e.id - 1} are missing (deleted)`);
    if (entryHash(e) !== e.hash) return this.fail(e.id, 'its content does not match its hash (edited)');
    if (e.prevHash !== this.prev) return this.fail(e.id, `its previous hash is not entry ${e.id - 1}'s hash (an entry before it was replaced, or the chain was re-linked)`);
    for (const a of this.byLastId.get(e.id) ?? []) {
      if (a.lastHash !== e.hash) return this.fail(e.id, `differs from the anchor signed on ${a.day} (the chain up to here was rewritten)`);
    }
    this.expected = e.id + 1;
    this.prev = e.hash;
    return true;
  }

  /** After the last entry: an anchor that covers entries no longer there means the tail was removed. */
  end(): Broken | undefined {
    if (this.broken) return this.broken;
    const lastId = this.expected - 1;
    for (const [id, anchors] of [...this.byLastId].sort(([a], [b]) => a - b)) {
      if (id === 0 && anchors.some((a) => a.lastHash !== GENESIS)) this.fail(1, `the anchor signed on ${anchors[0]!.day} says the chain was empty with another head`);
      else if (id > lastId) this.fail(lastId + 1, `missing: the chain ends at entry ${lastId} but the anchor signed on ${anchors[0]!.day} covers entries up to ${id} (entries deleted)`);
      if (this.broken) break;
    }
    return this.broken;
  }

  private fail(id: number, reason: string): false {
    this.broken = { id, reason };
    return false;
  }
}
