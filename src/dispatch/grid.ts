// The city's grid: patrol cells (GeoJSON polygons), each belonging to a police unit, and the
// units' chain of superiors that escalation climbs. Checked whole at start: a grid that does
// not hold up stops the service with one line naming the file and the item, because a wrong
// cell or a broken chain would otherwise surface only while a caller waits.
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { ConfigError } from '../config/load';
import { lonLatProblem } from './geo';

export interface Unit {
  id: string;
  name: string;
  /** Where the unit's duty desk answers: a PJSIP endpoint (PJSIP/2901) or a number on a trunk. */
  dutyLine: string;
  superior: string | null;
}

type Ring = number[][];
export type CellGeometry = { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };

export interface Cell {
  id: string;
  unit: string;
  geometry: CellGeometry;
  /** [minLon, minLat, maxLon, maxLat]: skips the polygon test for cells nowhere near. */
  bbox: [number, number, number, number];
}

export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
const DUTY_LINE = /^(PJSIP\/[A-Za-z0-9_.-]{1,64}|\+?\d{3,20})$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
function fail(message: string): never {
  throw new ConfigError(`grid: ${message}`);
}

export function parseUnits(json: unknown, file: string): Unit[] {
  if (!Array.isArray(json)) fail(`${file}: expected a JSON array of units`);
  const units: Unit[] = [];
  const seen = new Set<string>();
  for (const [i, u] of (json as unknown[]).entries()) {
    if (!isObject(u) || typeof u.id !== 'string' || !ID_PATTERN.test(u.id)) fail(`unit #${i} in ${file}: id must be 1-32 letters, digits, _ . or -`);
    const item = u as Json & { id: string };
    const where = `unit ${JSON.stringify(item.id)} in ${file}`;
    if (seen.has(item.id)) fail(`${where} is listed twice`);
    seen.add(item.id);
    if (typeof item.name !== 'string' || item.name.trim() === '') fail(`${where}: name must be a non-empty string`);
    if (typeof item.dutyLine !== 'string' || !DUTY_LINE.test(item.dutyLine)) fail(`${where}: dutyLine must be a PJSIP endpoint (PJSIP/2901) or a phone number, got ${JSON.stringify(item.dutyLine)}`);
    if (item.superior !== null && typeof item.superior !== 'string') fail(`${where}: superior must be a unit id or null`);
    units.push({ id: item.id, name: item.name as string, dutyLine: item.dutyLine as string, superior: item.superior as string | null });
  }
  for (const u of units) {
    if (u.superior !== null && !seen.has(u.superior)) fail(`unit ${JSON.stringify(u.id)} in ${file} names unknown superior ${JSON.stringify(u.superior)}`);
  }
  const byId = new Map(units.map((u) => [u.id, u]));
  for (const u of units) {
    // Escalation climbs this chain while a caller waits: a loop would ring the same desks forever.
    const path = [u.id];
    for (let up = u.superior; up !== null; up = byId.get(up)!.superior) {
      path.push(up);
      if (up === u.id) fail(`unit ${JSON.stringify(u.id)} in ${file}: superiors form a cycle ${path.join(' -> ')}`);
      if (path.length > units.length + 1) break; // a cycle above this unit: reported from a unit inside it
    }
  }
  return units;
}

function ringProblem(ring: unknown, name: string): string | undefined {
  if (!Array.isArray(ring)) return `${name} must be an array of positions`;
  for (const [i, p] of ring.entries()) {
    if (!Array.isArray(p) || p.length < 2 || p.length > 3) return `position ${i} of ${name} must be [lon, lat]`;
    const problem = lonLatProblem(p[0], p[1]);
    if (problem) return `position ${i} of ${name}: ${problem}`;
  }
  if (ring.length < 4) return `${name} has ${ring.length} positions; a closed ring needs at least 4`;
  const [first, last] = [ring[0] as number[], ring[ring.length - 1] as number[]];
  if (first[0] !== last[0] || first[1] !== last[1]) return `${name} is not closed: its first position ${JSON.stringify(first)} differs from its last ${JSON.stringify(last)}`;
  return undefined;
}

function polygonProblem(rings: unknown, name: string): string | undefined {
  if (!Array.isArray(rings) || rings.length === 0) return `${name} must be a non-empty array of rings`;
  for (const [i, ring] of rings.entries()) {
    const problem = ringProblem(ring, `ring ${i}${name === 'the polygon' ? '' : ` of ${name}`}`);
    if (problem) return problem;
  }
  return undefined;
}

function geometryProblem(g: unknown): string | undefined {
  if (!isObject(g)) return 'geometry is missing';
  if (g.type === 'Polygon') return polygonProblem(g.coordinates, 'the polygon');
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'a MultiPolygon needs at least one polygon';
    for (const [i, polygon] of g.coordinates.entries()) {
      const problem = polygonProblem(polygon, `polygon ${i}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return `geometry must be a Polygon or MultiPolygon, got ${JSON.stringify(g.type)}`;
}

function bboxOf(g: CellGeometry): Cell['bbox'] {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const box: Cell['bbox'] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [lon, lat] of polygons.flat(2)) {
    box[0] = Math.min(box[0], lon);
    box[1] = Math.min(box[1], lat);
    box[2] = Math.max(box[2], lon);
    box[3] = Math.max(box[3], lat);
  }
  return box;
}

export function parseCells(json: unknown, file: string, unitIds: ReadonlySet<string>): Cell[] {
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) fail(`${file}: expected a GeoJSON FeatureCollection`);
  const cells: Cell[] = [];
  const seen = new Set<string>();
  for (const [i, f] of ((json as Json).features as unknown[]).entries()) {
    const props = isObject(f) && isObject(f.properties) ? f.properties : {};
    if (!isObject(f) || f.type !== 'Feature' || typeof props.id !== 'string' || !ID_PATTERN.test(props.id)) fail(`feature #${i} in ${file}: expected a Feature whose properties.id is 1-32 letters, digits, _ . or -`);
    const id = props.id as string;
    const where = `cell ${JSON.stringify(id)} in ${file}`;
    if (seen.has(id)) fail(`${where} is listed twice`);
    seen.add(id);
    if (typeof props.unit !== 'string') fail(`${where}: properties.unit must be a unit id`);
    if (!unitIds.has(props.unit as string)) fail(`${where} names unknown unit ${JSON.stringify(props.unit)}`);
    const problem = geometryProblem((f as Json).geometry);
    if (problem) fail(`${where}: ${problem}`);
    const geometry = (f as Json).geometry as CellGeometry;
    cells.push({ id, unit: props.unit as string, geometry, bbox: bboxOf(geometry) });
  }
  return cells;
}

export class Grid {
  private readonly units: Map<string, Unit>;

  constructor(
    readonly cells: readonly Cell[],
    units: readonly Unit[],
  ) {
    this.units = new Map(units.map((u) => [u.id, u]));
  }

  /** Reads both documents; `files` name them in error messages. */
  static parse(cells: unknown, units: unknown, files: { cells: string; units: string }): Grid {
    const parsedUnits = parseUnits(units, files.units);
    return new Grid(parseCells(cells, files.cells, new Set(parsedUnits.map((u) => u.id))), parsedUnits);
  }

  /**
   * The cell a point lies in. Cells should not overlap; where they do (or on a shared edge)
   * the first in file order wins, so the answer is at least repeatable.
   */
  cellAt(lon: number, lat: number): Cell | undefined {
    return this.cells.find((c) => lon >= c.bbox[0] && lon <= c.bbox[2] && lat >= c.bbox[1] && lat <= c.bbox[3] && booleanPointInPolygon([lon, lat], c.geometry));
  }

  unit(id: string): Unit | undefined {
    return this.units.get(id);
  }

  hasUnit(id: string): boolean {
    return this.units.has(id);
  }

  /** [unit, its superior, that one's superior, ...]: who to call, in order, when nobody answers. */
  unitChain(unitId: string): Unit[] {
    const chain: Unit[] = [];
    // Parsing rejected cycles; the length bound only keeps a hand-built Grid from looping.
    for (let u = this.units.get(unitId); u && chain.length <= this.units.size; u = u.superior === null ? undefined : this.units.get(u.superior)) chain.push(u);
    return chain;
  }
}
