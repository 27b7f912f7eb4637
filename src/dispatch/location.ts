// Where the caller is, and how we know: the phone said so (PIDF-LO, see pidf-lo.ts), the caller
// read out a street-light pole code, or the call-taker typed coordinates. The source travels
// with the position so that a call-taker can judge how far to trust it.
import { ConfigError } from '../config/load';
import { checkLonLat, lonLatProblem, type LonLat } from './geo';
import { PoleNotFound } from './errors';

export type LocationSource = 'sip-pidf' | 'lookup' | 'pole' | 'manual';

export interface CallerLocation extends LonLat {
  source: LocationSource;
  /** Radius in metres within which the caller is, when the source says. */
  accuracyM?: number;
  /** The pole code, normalised, when source is 'pole'. */
  pole?: string;
}

export function manualLocation(lon: unknown, lat: unknown): CallerLocation {
  return { ...checkLonLat(lon, lat, 'entered location'), source: 'manual' };
}

const POLE_CODE = /^[A-Z0-9]+(-[A-Z0-9]+)*$/;

/** Callers read codes out and call-takers type them: case and spaces should not matter. */
export const normalisePoleCode = (code: string): string => code.trim().toUpperCase().replace(/[\s_]+/g, '-');

/** The register of street-light pole codes painted on poles, each with its position. */
export class PoleRegister {
  private constructor(private readonly poles: ReadonlyMap<string, LonLat>) {}

  /** `{"BJ-DC-0001": [lon, lat], ...}`; `file` names it in error messages. */
  static parse(json: unknown, file: string): PoleRegister {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`poles: ${file}: expected a JSON object {"CODE": [lon, lat], ...}`);
    const poles = new Map<string, LonLat>();
    for (const [code, value] of Object.entries(json)) {
      const where = `pole ${JSON.stringify(code)} in ${file}`;
      if (code.length > 32 || !POLE_CODE.test(code)) throw new ConfigError(`poles: ${where}: a code is 1-32 capital letters and digits in groups joined by -`);
      if (!Array.isArray(value) || value.length !== 2) throw new ConfigError(`poles: ${where}: expected [lon, lat]`);
      const problem = lonLatProblem(value[0], value[1]);
      if (problem) throw new ConfigError(`poles: ${where}: ${problem}`);
      poles.set(code, { lon: value[0] as number, lat: value[1] as number });
    }
    return new PoleRegister(poles);
  }

  get size(): number {
    return this.poles.size;
  }

  locate(code: string): CallerLocation {
    const key = normalisePoleCode(code);
    const at = this.poles.get(key);
    if (!at) throw new PoleNotFound(key);
    return { ...at, source: 'pole', pole: key };
  }
}
