// Coordinates and distances. Everything here is WGS84 longitude/latitude in degrees, in that
// order (GeoJSON's), whatever order the source used.
import { LocationInvalid } from './errors';

export interface LonLat {
  lon: number;
  lat: number;
}

/** Mean Earth radius (IUGG). Haversine on a sphere errs by under 0.5 %: far below GPS error. */
const EARTH_RADIUS_M = 6_371_008.8;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Why a pair is not a usable position, or undefined when it is. */
export function lonLatProblem(lon: unknown, lat: unknown): string | undefined {
  if (typeof lon !== 'number' || !Number.isFinite(lon)) return `longitude must be a number, got ${JSON.stringify(lon)}`;
  if (typeof lat !== 'number' || !Number.isFinite(lat)) return `latitude must be a number, got ${JSON.stringify(lat)}`;
  if (lon < -180 || lon > 180) return `longitude must be within -180..180, got ${lon}`;
  if (lat < -90 || lat > 90) return `latitude must be within -90..90, got ${lat}`;
  return undefined;
}

export function checkLonLat(lon: unknown, lat: unknown, what: string): LonLat {
  const problem = lonLatProblem(lon, lat);
  if (problem) throw new LocationInvalid(`${what}: ${problem}`);
  return { lon: lon as number, lat: lat as number };
}

/** Great-circle distance in metres (haversine). */
export function distanceM(a: LonLat, b: LonLat): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  // min(): rounding can push h a hair above 1 for antipodal points, and asin(>1) is NaN.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
