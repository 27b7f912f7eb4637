// The service's own steps, into the audit chain: every timeline row of every incident (arrival,
// offers, answer, recording and its hash, classification, dispatch, transfer, monitoring, recall,
// end...), once the row is stored. The call path only stamps its timeline, as before.
import type { Incidents } from '../incidents/incidents';
import type { AuditSink } from './audit-log';

export function auditTimeline(incidents: Pick<Incidents, 'on'>, audit: AuditSink): void {
  incidents.on('stamped', ({ incidentId, kind, detail, at }) => audit.record({ at, actor: 'system', action: `call.${kind}`, incidentId, detail }));
}
