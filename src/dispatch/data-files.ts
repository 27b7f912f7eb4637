// Reads the grid directory at start: cells.geojson, units.json, poles.json, officers.json.
// The only file of dispatch that touches the disk; everything it reads is checked before use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/load';
import { Grid } from './grid';
import { PoleRegister } from './location';
import { parseRoster, type RosterEntry } from './officers';

export interface DispatchData {
  grid: Grid;
  poles: PoleRegister;
  roster: RosterEntry[];
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`grid: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`grid: ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export function loadDispatchData(dir: string): DispatchData {
  const files = { cells: join(dir, 'cells.geojson'), units: join(dir, 'units.json'), poles: join(dir, 'poles.json'), officers: join(dir, 'officers.json') };
  const grid = Grid.parse(readJson(files.cells), readJson(files.units), files);
  return {
    grid,
    poles: PoleRegister.parse(readJson(files.poles), files.poles),
    roster: parseRoster(readJson(files.officers), files.officers, grid),
  };
}
