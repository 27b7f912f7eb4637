// The service's own steps, into the audit chain: every timeline row of every incident (arrival,
// offers, answer, recording and its hash, classification, dispatch, transfer, monitoring, recall,
// end...), appended in the very transaction that writes the rows (IncidentsRepo.writeStore), all
// of a batch at once. The call path only stamps its timeline, as before.
//
// It used to be appended once the rows were stored, through a second write-behind transaction:
// about three more transactions per call, each with its chain-head read and incident lookup
// (issue #15, the service's CPU per call); and a crash between the two left rows unaudited.
import type { Database } from '../store/database';
import type { TimelineWrite } from '../store/incidents-repo';
import { AuditRepo } from '../store/audit-repo';

export async function auditTimelineRows(db: Database, rows: TimelineWrite[]): Promise<void> {
  await new AuditRepo(db).append(rows.map((r) => ({ at: r.at, actor: 'system', action: `call.${r.kind}`, incidentId: r.incidentId, detail: r.detail })));
}
