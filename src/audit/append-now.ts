// Appends from the operator's tools (add-user, retention, export), which run beside the service:
// one transaction each, serialized with the service's appends by the store (store/audit-repo.ts).
import { userInfo } from 'node:os';
import type { Database } from '../store/database';
import { AuditRepo } from '../store/audit-repo';
import type { AuditRecord } from './audit-log';

/** 'cli:<tool>' and the system user who ran it. */
export function cliActor(tool: string): string {
  let user = process.env.SUDO_USER ?? process.env.USER ?? '';
  try {
    user ||= userInfo().username;
  } catch {
    user ||= '?';
  }
  return `cli:${tool}:${user}`;
}

export async function appendNow(db: Database, entries: readonly AuditRecord[], now = Date.now()): Promise<void> {
  await db.transaction((tx) => new AuditRepo(tx).append(entries.map((e) => ({ ...e, at: e.at ?? now }))));
}
