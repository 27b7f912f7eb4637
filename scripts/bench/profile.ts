// Where the service's CPU goes: the --cpu-prof profile summed by function (self time), top 15.
// The raw .cpuprofile (tens of MB) is copied next to the results but not committed.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export function profileSummary(dir: string, out: string): string[] {
  if (!existsSync(dir)) return ['no profile written'];
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return ['no profile written'];
  copyFileSync(join(dir, file), join(out, 'service.cpuprofile'));
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  prof.samples.forEach((id, k) => {
    const n = byId.get(id);
    const dt = prof.timeDeltas[k] ?? 0;
    if (!n) return;
    const fr = n.callFrame;
    const where = fr.url ? fr.url.replace(/^.*\/(node_modules\/|dist\/)/, '$1') : '';
    const key = `${fr.functionName || '(anonymous)'} ${where}${where ? `:${fr.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    // Who: a package under node_modules, cti110's own area (dist/src/<area>), node itself, or idle.
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(fr.url)?.[1] ?? /dist\/src\/([^/]+)/.exec(fr.url)?.[1]?.replace(/^/, 'cti110 ') ?? (fr.url ? 'node' : fr.functionName || '?');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
    total += dt;
  });
  const idle = (self.get('(idle) ') ?? 0) + (self.get('(program) ') ?? 0);
  const lines = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  const packages = [...byPackage.entries()].filter(([k]) => !['(idle)', '(program)'].includes(k)).sort((a, b) => b[1] - a[1]).slice(0, 10);
  lines.push('', 'by package / area (self time, % of all samples):', ...packages.map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`));
  return [`profiled ${(total / 1e6).toFixed(1)} s of wall time, ${((1 - idle / total) * 100).toFixed(1)} % of it busy (not idle/program)`, ...lines];
}
