// What a dispatch leaves behind besides the call: the incident's dispatch fields and times, the
// officer marked busy on it (so they are not offered again), and the incident pushed to the units
// concerned through the durable outbox, so that no push is lost while a unit's system is down.
import type { Logger } from 'pino';
import { ConfigError } from '../config/load';
import type { Incidents } from '../incidents/incidents';
import type { Outbox } from '../outbox/outbox';
import type { DispatchRepo, DispatchRow } from '../store/dispatch-repo';
import type { DispatchHooks, DispatchTarget } from './conference';
import type { Grid } from './grid';
import type { Officers } from './officers';
import type { Ranking } from './ranking';

export class DispatchConflict extends Error {
  readonly code = 'DISPATCH_CONFLICT';
  override readonly name = this.constructor.name;
}

/** unit id -> URL, checked against the grid's units at start. */
export function checkUnitWebhooks(hooks: Record<string, string>, grid: Grid): Record<string, string> {
  for (const unit of Object.keys(hooks)) if (!grid.hasUnit(unit)) throw new ConfigError(`config: dispatch.unitWebhooks names unknown unit ${JSON.stringify(unit)} (units are in the grid's units.json)`);
  return hooks;
}

export class IncidentRecord implements DispatchHooks {
  constructor(
    private readonly repo: DispatchRepo,
    private readonly incidents: Incidents,
    private readonly officers: Officers,
    private readonly outbox: Outbox,
    private readonly webhooks: Record<string, string>,
    private readonly log: Logger,
  ) {}

  async dispatched(d: { incident: string; incidentId: number; ranking: Ranking; targets: DispatchTarget[] }): Promise<void> {
    await this.repo.markDispatched(d.incidentId, Date.now());
    const row = await this.incidents.findByNumber(d.incident);
    const body = {
      incident: d.incident,
      callerNumber: row.callerNumber,
      arrivedAt: row.arrivedAt,
      category: row.category,
      summary: row.summary,
      location: d.ranking.location,
      cell: d.ranking.cell?.id ?? null,
      unit: d.ranking.cell?.unit ?? null,
      targets: d.targets.map((t) => ({ kind: t.kind, id: t.id })),
    };
    // The station and every unit above it that has a system to tell (the bureau, ...).
    for (const unit of d.ranking.escalation) {
      const url = this.webhooks[unit.id];
      if (!url) continue;
      // One push per unit and incident: a second dispatch of the same incident is not news.
      await this.outbox.enqueue({ kind: 'unit-webhook', url, body: { ...body, to: unit.id }, key: `unit-${unit.id}-${d.incident}` });
      await this.incidents.stamp(d.incidentId, 'unit_notified', { unit: unit.id });
    }
  }

  async answered(d: { incident: string; incidentId: number; target: DispatchTarget; at: number }): Promise<void> {
    const officerId = d.target.kind === 'officer' ? d.target.id : null;
    await this.repo.markAnswered(d.incidentId, { officerId, unitId: d.target.unit, at: d.at });
    if (officerId === null) return;
    await this.officers.setDuty(officerId, 'busy');
    await this.incidents.stamp(d.incidentId, 'officer_busy', { id: officerId });
    this.log.info({ incident: d.incident, officer: officerId }, 'officer busy on the incident');
  }

  async get(incident: string): Promise<DispatchRow & { incident: string }> {
    const row = await this.incidents.findByNumber(incident);
    const rec = await this.repo.get(row.id);
    return { incident, location: null, officerId: null, unitId: null, dispatchAt: null, officerAnsweredAt: null, officerTalkMs: null, signedForAt: null, onSceneAt: null, closedAt: null, ...rec };
  }

  /** The officer's terminal reports "signed for" or "on scene": only the dispatched officer may. */
  async report(incident: string, officerId: string, what: 'signed_for' | 'on_scene'): Promise<number> {
    const row = await this.incidents.findByNumber(incident);
    await this.officers.get(officerId); // 404 for an unknown officer
    const rec = await this.repo.get(row.id);
    if (!rec?.officerId) throw new DispatchConflict(`incident ${incident} has no officer dispatched yet`);
    if (rec.officerId !== officerId) throw new DispatchConflict(`incident ${incident} is dispatched to officer ${rec.officerId}, not ${officerId}`);
    if (what === 'on_scene' && rec.signedForAt === null) throw new DispatchConflict(`incident ${incident}: sign for it before reporting on scene`);
    const at = Date.now();
    if (!(await this.repo.markOnce(row.id, what === 'signed_for' ? 'signed_for_at' : 'on_scene_at', at))) throw new DispatchConflict(`incident ${incident}: ${what.replace('_', ' ')} was already reported`);
    await this.incidents.stamp(row.id, what, { officer: officerId }, at);
    return at;
  }

  /** The officer is free for the next incident (their terminal or a supervisor says so). */
  async release(incident: string): Promise<string> {
    const row = await this.incidents.findByNumber(incident);
    const rec = await this.repo.get(row.id);
    if (!rec?.officerId) throw new DispatchConflict(`incident ${incident} has no officer dispatched`);
    const officer = await this.officers.get(rec.officerId);
    if (officer.duty !== 'busy') throw new DispatchConflict(`officer ${officer.id} is not busy (${officer.duty})`);
    await this.freeOfficer(row.id, officer.id);
    return officer.id;
  }

  /** The incident is dealt with: closed once, and its officer, if still busy, is free again. */
  async close(incident: string): Promise<{ at: number; released: string | null }> {
    const row = await this.incidents.findByNumber(incident);
    const at = Date.now();
    if (!(await this.repo.markOnce(row.id, 'closed_at', at))) throw new DispatchConflict(`incident ${incident} is already closed`);
    await this.incidents.stamp(row.id, 'incident_closed', {}, at);
    const officerId = (await this.repo.get(row.id))?.officerId ?? null;
    if (officerId === null || (await this.officers.get(officerId)).duty !== 'busy') return { at, released: null };
    await this.freeOfficer(row.id, officerId);
    return { at, released: officerId };
  }

  private async freeOfficer(incidentId: number, officerId: string): Promise<void> {
    await this.officers.setDuty(officerId, 'on_duty');
    await this.incidents.stamp(incidentId, 'officer_released', { id: officerId });
  }
}
