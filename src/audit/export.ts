// An incident's whole record as one signed JSON file: the incident, its timeline, its audit
// entries, its recordings' hashes and its texts, signed with the service's key. Whoever holds the
// public key (`<key file>.pub`, GET /audit/public-key) can show it was not changed since.
import type { KeyObject } from 'node:crypto';
import type { Database } from '../store/database';
import { AuditRepo } from '../store/audit-repo';
import { IncidentsRepo } from '../store/incidents-repo';
import { RecordingsRepo } from '../store/recordings-repo';
import { TextsRepo } from '../store/texts-repo';
import { canonicalJson } from './canonical';
import { entryHash, type AuditEntry } from './chain';
import { keyIdOf, signText, verifyText, type SigningKey } from './keys';

export const EXPORT_FORMAT = 'cti110-incident-record/1';

export interface IncidentExport {
  format: typeof EXPORT_FORMAT;
  record: Record<string, unknown> & { audit: AuditEntry[] };
  signature: { algorithm: 'Ed25519'; keyId: string; value: string; publicKey: string };
}

/** Undefined when there is no such incident. */
export async function exportIncident(db: Database, number: string, key: SigningKey, now = Date.now()): Promise<IncidentExport | undefined> {
  const incidents = new IncidentsRepo(db);
  const incident = await incidents.findByNumber(number);
  if (!incident) return undefined;
  const audit = new AuditRepo(db);
  const recordings = (await new RecordingsRepo(db).forIncident(incident.id)).map(({ incidentId: _id, ...r }) => r);
  const record = {
    exportedAt: now,
    incident,
    timeline: await incidents.timeline(incident.id),
    audit: await audit.forIncident(number),
    recordings,
    // What was written about the call (the call-taker's summary; transcripts when they exist),
    // and every text of a text report (12110), in and out, with its SHA-256 as the timeline has it.
    texts: [
      ...(incident.summary ? [{ kind: 'summary', text: incident.summary }] : []),
      ...(await new TextsRepo(db).forIncident(incident.id)).map((m) => ({ kind: m.direction === 'in' ? 'sms_in' : 'sms_out', text: m.body, sha256: m.sha256, at: m.at, author: m.author, gatewayId: m.gatewayId, outboxKey: m.outboxKey, deliveredAt: m.deliveredAt })),
    ],
    chain: { head: await audit.lastEntry(), anchors: (await audit.anchors()).slice(-1) },
  };
  return { format: EXPORT_FORMAT, record, signature: { algorithm: 'Ed25519', keyId: key.keyId, value: signText(key, canonicalJson(record)), publicKey: key.publicPem } };
}

export interface ExportCheck {
  ok: boolean;
  keyId: string | undefined;
  problems: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks an export against the trusted public keys: the signature over the whole record, and each
 * audit entry against its own hash (so each can be found, unchanged, in the chain later).
 */
export function verifyExport(doc: unknown, trusted: readonly KeyObject[]): ExportCheck {
  if (!isObject(doc) || doc.format !== EXPORT_FORMAT || !isObject(doc.record) || !isObject(doc.signature)) {
    return { ok: false, keyId: undefined, problems: [`not a ${EXPORT_FORMAT} file`] };
  }
  const { keyId, value } = doc.signature;
  const problems: string[] = [];
  const key = trusted.find((k) => keyIdOf(k) === keyId);
  if (typeof keyId !== 'string' || typeof value !== 'string') problems.push('signature: keyId and value missing');
  else if (!key) problems.push(`signed by key ${keyId}, which is not one of the keys given`);
  else if (!verifyText(key, canonicalJson(doc.record), value)) problems.push('signature does not match the record (changed after export, or not signed by this key)');
  const entries = Array.isArray(doc.record.audit) ? (doc.record.audit as AuditEntry[]) : [];
  for (const e of entries) if (!isObject(e) || entryHash(e) !== e.hash) problems.push(`audit entry ${isObject(e) ? String(e.id) : '?'}: content does not match its hash`);
  return { ok: problems.length === 0, keyId: typeof keyId === 'string' ? keyId : undefined, problems };
}
