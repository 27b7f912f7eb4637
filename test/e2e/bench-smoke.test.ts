// The benchmark in quick mode (small counts, ~1.5 min), so that it cannot rot: it must run end to
// end through a real Asterisk, lose no call, and write its report for both systems; then the
// two-node run (issue #16: Kamailio in front of two Asterisk nodes, one service) with its section.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/harness';

interface Phase {
  phase: string;
  system: string;
  placed: number;
  lost: number;
  distributionMs: { n: number };
  answerMs: { n: number };
  service?: { stasisToOfferMs: { count: number } };
  recordings: { answered: number; missing: number };
  serviceCost?: { cpuMsPerCall: number | null };
  bridges?: { technologies: Record<string, { bridges: number }> };
  queueing?: { inversions: number; idleWhileWaitingS: number };
}

t.test('bench --quick', async (t) => {
  const out = t.testdirName;
  const bench = spawn(process.execPath, [join(ROOT, 'dist/scripts/bench/main.js'), '--quick', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  bench.stdout.on('data', (d: Buffer) => (log += d.toString()));
  bench.stderr.on('data', (d: Buffer) => (log += d.toString()));
  // SIGINT makes the bench stop what it started (its own cleanup) if the test is torn down early.
  t.teardown(() => void (bench.exitCode === null && bench.kill('SIGINT')));
  const code = await new Promise<number | null>((r) => bench.once('exit', r));
  t.comment(log.split('\n').slice(-6).join('\n'));
  t.equal(code, 0, 'bench exits 0: no call lost, nailed seats got no INVITE');
  t.ok(existsSync(join(out, 'results.md')) && existsSync(join(out, 'latency.png')), 'Markdown report and chart written');
  const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { lostCalls: number; unrecorded: number; phases: Phase[]; twoNodes?: { callsPerNode: { phase: string; a: number; b: number }[]; edgeHopMs?: { n: number } } };
  t.equal(report.lostCalls, 0, 'no call lost');
  t.equal(report.unrecorded, 0, 'every answered call has a stored recording');
  t.ok(report.phases.every((p) => p.recordings.answered === p.answerMs.n), 'recordings counted for every answered call of every phase');
  const phase = (name: string, system: string) => report.phases.find((p) => p.phase === name && p.system === system);
  for (const system of ['cti110', 'baseline']) {
    for (const name of ['steady', 'capacity', 'burst', 'overload']) {
      const p = phase(name, system);
      t.ok(p && p.placed > 0 && p.answerMs.n === p.placed, `${name} ${system}: every call answered`);
      t.ok(p && p.distributionMs.n === p.placed, `${name} ${system}: every seat INVITE matched to its caller`);
    }
  }
  for (const [name, system] of [['perm-ring', 'cti110'], ['perm-nailed', 'cti110'], ['perm-agents', 'baseline']]) {
    const p = phase(name, system);
    t.ok(p && p.placed > 0 && p.answerMs.n === p.placed, `${name}: every call answered`);
  }
  t.ok((phase('steady', 'cti110')?.service?.stasisToOfferMs.count ?? 0) > 0, 'the service reports its own time per call on /metrics');
  t.ok((phase('steady', 'cti110')?.serviceCost?.cpuMsPerCall ?? 0) > 0, "the service's CPU per call is measured");
  for (const system of ['cti110', 'baseline']) {
    const o = phase('overload', system);
    t.ok(o?.queueing && o.queueing.idleWhileWaitingS >= 0 && o.queueing.inversions >= 0, `overload ${system}: answer order and idle seats computed`);
    const c = phase('capacity', system);
    t.ok(c?.bridges && Object.keys(c.bridges.technologies).length > 0, `capacity ${system}: bridge technology sampled`);
  }
  for (const name of ['two-node-burst', 'two-node-capacity']) {
    const p = phase(name, 'cti110');
    t.ok(p && p.placed > 0 && p.lost === 0 && p.answerMs.n === p.placed, `${name}: every call through the edge answered, none lost`);
    t.ok(p && p.distributionMs.n === p.placed, `${name}: every seat INVITE matched to its caller`);
  }
  const burstOnNodes = report.twoNodes?.callsPerNode.find((c) => c.phase === 'burst');
  t.ok(burstOnNodes && burstOnNodes.a > 0 && burstOnNodes.b > 0, `the two-node burst landed on both nodes (A ${burstOnNodes?.a}, B ${burstOnNodes?.b})`);
  t.equal(report.twoNodes?.edgeHopMs?.n, phase('two-node-burst', 'cti110')?.placed, "the edge's own time measured for every INVITE of the burst");
  t.match(readFileSync(join(out, 'results.md'), 'utf8'), /## Two nodes through Kamailio[\s\S]*burst, one node \| \d+[\s\S]*burst, two nodes \| \d+ \| 0 \| 0 \|[\s\S]*Two nodes held what one held: \*\*(yes|no)\*\*[\s\S]*Latency the edge adds/, 'the two-node section, side by side with the single-node figures');
  t.match(readFileSync(join(out, 'results.md'), 'utf8'), /## Against issue #15[\s\S]*## Overload[\s\S]*without a stored recording[\s\S]*Service cost per call[\s\S]*Bridge technology/, 'the issue-15 sections are in the report');
});
