// What the bench ran on, and what else was running at its start (figures are pessimistic then).
import { spawnSync } from 'node:child_process';
import { cpus, totalmem, loadavg, release } from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';

export function machineInfo(): Record<string, unknown> {
  const others = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    });
  const count = (name: string) => others.filter((c) => c === name).length;
  let asterisk = 'Asterisk ?';
  try {
    asterisk = `Asterisk ${readFileSync('/var/cache/cti110/asterisk-sid/.cti110-complete', 'utf8').split(',')[0].replace(/^asterisk (\d+:)?/, '')}`;
  } catch {
    /* the chroot stamp is informative only */
  }
  // sipp -v exits 99 after printing its version
  const sipp = spawnSync('sipp', ['-v'], { encoding: 'utf8' }).stdout.match(/SIPp v[^\s,]+/)?.[0] ?? 'SIPp';
  const busy = count('asterisk') > 0 || count('sipp') > 0 || count('node') > 1;
  return {
    cpu: cpus()[0]?.model.trim(),
    cores: cpus().length,
    memGb: Math.round(totalmem() / 1073741824),
    kernel: release(),
    node: process.version,
    asterisk,
    sipp,
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    othersAtStart: { asterisk: count('asterisk'), sipp: count('sipp'), node: count('node') - 1 },
    note: busy ? `Other work was running on the machine at the start (load ${loadavg()[0].toFixed(2)}; ${count('asterisk')} other Asterisk, ${count('sipp')} SIPp, ${count('node') - 1} other node processes): figures are pessimistic.` : 'The machine was otherwise idle at the start.',
  };
}
