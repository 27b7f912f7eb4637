// Which bridge technology Asterisk chose for the calls (issue #15: a recorded two-party call should
// stay on a native/simple bridge; a bridge recording forces softmix). Read from `bridge show all`.
import type { Sandbox } from '../../test/support/harness';

export interface BridgeRow {
  chans: number;
  type: string;
  technology: string;
}

/** Rows of `bridge show all`: Bridge-ID, Name (may be empty), Chans, Type, Technology, Duration. */
export function parseBridges(out: string): BridgeRow[] {
  const rows: BridgeRow[] = [];
  for (const line of out.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w.length < 5 || w[0] === 'Bridge-ID' || !/^\d+$/.test(w[w.length - 4])) continue;
    rows.push({ chans: Number(w[w.length - 4]), type: w[w.length - 3], technology: w[w.length - 2] });
  }
  return rows;
}

export interface BridgeSample {
  at: number;
  /** Bridges per technology, and how many of them held exactly two channels. */
  technologies: Record<string, { bridges: number; twoParty: number }>;
  /** Taken while every call of the step was up (the capacity plateau). */
  inPlateau?: boolean;
}

export async function sampleBridges(sandbox: Sandbox): Promise<BridgeSample> {
  const at = Date.now();
  const technologies: BridgeSample['technologies'] = {};
  for (const r of parseBridges(await sandbox.cli('bridge show all'))) {
    const t = (technologies[r.technology] ??= { bridges: 0, twoParty: 0 });
    t.bridges++;
    if (r.chans === 2) t.twoParty++;
  }
  return { at, technologies };
}

export const bridgeSummary = (s: BridgeSample | undefined) =>
  s ? Object.entries(s.technologies).map(([k, v]) => `${k} ${v.bridges} (${v.twoParty} with 2 channels)`).join(', ') || 'no bridge' : '–';
