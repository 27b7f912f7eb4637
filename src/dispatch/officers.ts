// Grid officers: roster data, duty state and live position. A position older than
// maxPositionAgeMs counts as unknown: sending the "nearest" officer on a stale fix sends someone
// who may have driven off long ago, and the call-taker would not know.
import { ConfigError } from '../config/load';
import type { OfficerRow, OfficersRepo } from '../store/officers-repo';
import { OfficerNotFound } from './errors';
import { checkLonLat } from './geo';
import { ID_PATTERN, type Grid } from './grid';

export const DUTIES = ['on_duty', 'off_duty', 'busy'] as const;
export type Duty = (typeof DUTIES)[number];

/**
 * A PJSIP endpoint (the officer's SIP terminal) or a mainland mobile number, with or without
 * +86, reached over a trunk. Stored as given: the dialler decides how to reach each form.
 */
export const PHONE_PATTERN = /^(PJSIP\/[A-Za-z0-9_.-]{1,64}|(\+86)?1[3-9]\d{9})$/;

export interface Position {
  lon: number;
  lat: number;
  accuracyM: number | null;
  at: number;
}

export interface RosterEntry {
  id: string;
  name: string;
  unit: string;
  phone: string;
  /** Only for an officer seen for the first time; afterwards duty is live state. */
  duty: Duty;
}

export interface Officer extends Omit<RosterEntry, 'duty'> {
  duty: Duty;
  /** The last reported position, however old. */
  position: Position | null;
  /** The position is recent enough to dispatch on. */
  positionFresh: boolean;
}

export const isFresh = (p: Position | null, now: number, maxAgeMs: number): boolean => p !== null && now - p.at <= maxAgeMs;

/** officers.json: `[{id, name, unit, phone, duty?}]`, checked against the grid's units. */
export function parseRoster(json: unknown, file: string, grid: Grid): RosterEntry[] {
  const fail = (message: string): never => {
    throw new ConfigError(`officers: ${message}`);
  };
  if (!Array.isArray(json)) fail(`${file}: expected a JSON array of officers`);
  const seen = new Set<string>();
  return (json as unknown[]).map((o, i) => {
    const r = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
    if (typeof r.id !== 'string' || !ID_PATTERN.test(r.id)) return fail(`officer #${i} in ${file}: id must be 1-32 letters, digits, _ . or -`);
    const where = `officer ${JSON.stringify(r.id)} in ${file}`;
    if (seen.has(r.id)) fail(`${where} is listed twice`);
    seen.add(r.id);
    if (typeof r.name !== 'string' || r.name.trim() === '') fail(`${where}: name must be a non-empty string`);
    if (typeof r.unit !== 'string' || !grid.hasUnit(r.unit)) fail(`${where} names unknown unit ${JSON.stringify(r.unit)}`);
    if (typeof r.phone !== 'string' || !PHONE_PATTERN.test(r.phone)) fail(`${where}: phone must be PJSIP/<endpoint> or a mobile number like 13800138000 or +8613800138000, got ${JSON.stringify(r.phone)}`);
    const duty = r.duty ?? 'off_duty';
    if (!DUTIES.includes(duty as Duty)) fail(`${where}: duty must be one of ${DUTIES.join(', ')}, got ${JSON.stringify(duty)}`);
    return { id: r.id, name: r.name as string, unit: r.unit as string, phone: r.phone as string, duty: duty as Duty };
  });
}

export class Officers {
  constructor(
    private readonly repo: OfficersRepo,
    private readonly maxPositionAgeMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  seed(roster: RosterEntry[]): Promise<void> {
    return this.repo.upsertRoster(roster);
  }

  async all(): Promise<Officer[]> {
    const now = this.clock();
    return (await this.repo.all()).map((row) => this.view(row, now));
  }

  async get(id: string): Promise<Officer> {
    const row = await this.repo.get(id);
    if (!row) throw new OfficerNotFound(id);
    return this.view(row, this.clock());
  }

  /** As an officer's terminal reports it; the time is ours, so terminal clocks do not matter. */
  async reportPosition(id: string, report: { lon: number; lat: number; accuracyM?: number }): Promise<Officer> {
    const { lon, lat } = checkLonLat(report.lon, report.lat, 'position');
    if (!(await this.repo.setPosition(id, { lon, lat, accuracyM: report.accuracyM ?? null, at: this.clock() }))) throw new OfficerNotFound(id);
    return this.get(id);
  }

  async setDuty(id: string, duty: Duty): Promise<Officer> {
    if (!(await this.repo.setDuty(id, duty))) throw new OfficerNotFound(id);
    return this.get(id);
  }

  private view(row: OfficerRow, now: number): Officer {
    // Only this module writes duty, so a stored value is always one of DUTIES.
    return { ...row, duty: row.duty as Duty, positionFresh: isFresh(row.position, now, this.maxPositionAgeMs) };
  }
}
