// Who is nearest to the caller. Pure: the grid, the officers and the location go in; the ranked
// list comes out with the reasons (distance, same cell, who was left out and why), so that the
// call-taker can see why the system chose an officer and overrule it.
import { distanceM, type LonLat } from './geo';
import type { Grid, Unit } from './grid';
import type { Officer } from './officers';

export interface Candidate {
  id: string;
  name: string;
  unit: string;
  phone: string;
  /** Great-circle distance from the location, whole metres. */
  distanceM: number;
  /** The officer is now inside the location's own cell. */
  sameCell: boolean;
  /** The cell the officer is in now, if any. */
  cell: string | null;
  accuracyM: number | null;
  positionAt: number;
}

export type SkipReason = 'off_duty' | 'busy' | 'no_position' | 'position_stale';

export interface Ranking {
  location: LonLat;
  /** The location's cell and the unit it belongs to; null outside the grid. */
  cell: { id: string; unit: string } | null;
  unit: Unit | null;
  /** The unit, its superior, ...: who to ring, in order, when no officer answers. */
  escalation: Unit[];
  candidates: Candidate[];
  skipped: { id: string; reason: SkipReason }[];
}

function skipReason(o: Officer): SkipReason | undefined {
  if (o.duty !== 'on_duty') return o.duty;
  if (!o.position) return 'no_position';
  if (!o.positionFresh) return 'position_stale';
  return undefined;
}

export function rankOfficers(location: LonLat, grid: Grid, officers: readonly Officer[]): Ranking {
  const cell = grid.cellAt(location.lon, location.lat);
  const unit = cell ? grid.unit(cell.unit) ?? null : null;
  const candidates: Candidate[] = [];
  const skipped: Ranking['skipped'] = [];
  for (const o of officers) {
    const reason = skipReason(o);
    if (reason || !o.position) {
      skipped.push({ id: o.id, reason: reason ?? 'no_position' });
      continue;
    }
    const officerCell = grid.cellAt(o.position.lon, o.position.lat);
    candidates.push({
      id: o.id,
      name: o.name,
      unit: o.unit,
      phone: o.phone,
      // Whole metres: fixes are good to several metres at best, so finer differences are noise,
      // and rounding lets the same-cell rule settle what are in truth ties.
      distanceM: Math.round(distanceM(location, o.position)),
      sameCell: cell !== undefined && officerCell?.id === cell.id,
      cell: officerCell?.id ?? null,
      accuracyM: o.position.accuracyM,
      positionAt: o.position.at,
    });
  }
  candidates.sort((a, b) => a.distanceM - b.distanceM || Number(b.sameCell) - Number(a.sameCell) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    location: { lon: location.lon, lat: location.lat },
    cell: cell ? { id: cell.id, unit: cell.unit } : null,
    unit,
    escalation: cell ? grid.unitChain(cell.unit) : [],
    candidates,
    skipped,
  };
}
