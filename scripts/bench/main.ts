// The benchmark (issue #8, and the permanent-connection point of #10), one command:
//   scripts/bench/run.sh [--quick] [--out DIR] [--profile]
// Starts its own sandbox Asterisk (the project's config plus bench seats and baseline queues),
// the service and SIPp; runs cti110 and the native Queue() baseline side by side; writes
// results.json, results.md and latency.png; exits 1 if any call was lost. Stops all it started.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem, loadavg, release } from 'node:os';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, freePort, startAsterisk, startService, waitFor, type Service } from '../../test/support/harness';
import { benchSeats, serviceConfig, writeAsteriskExtras } from './conf';
import { Cleanup, CpuSampler, startSipp } from './procs';
import { callers, loginRing, permanentSeats, serviceFigures, waitingAfter, type Ctx, type PhaseResult } from './phases';
import { chart, markdown, type Report } from './report';
import { profileSummary } from './profile';
import { planFor } from './plan';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const profile = args.includes('--profile');
  const outArg = args.indexOf('--out');
  // --only steady|capacity|burst|permanent: one part (while developing the bench)
  const onlyArg = args.indexOf('--only');
  const only = onlyArg >= 0 ? args[onlyArg + 1] : undefined;
  const runs = (part: string) => only === undefined || only === part;
  const out = resolve(outArg >= 0 ? args[outArg + 1] : join(ROOT, quick ? 'var/bench-quick' : 'bench-results'));
  const plan = planFor(quick);
  const work = join(ROOT, 'var', `bench-work-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(out, { recursive: true });
  execFileSync('bash', [join(ROOT, 'scripts/lib/make-sipp-audio.sh'), work], { stdio: 'ignore' });
  const log = (line: string) => process.stdout.write(`bench: ${line}\n`);
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const cleanup = new Cleanup();
  let keepWork = Boolean(process.env.CTI110_BENCH_KEEP);
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    log('interrupted: stopping what the bench started');
    void cleanup.run().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const seats = benchSeats(plan.ringSeats, plan.permanentSeats);
    const seatPort = await freePort(true);
    writeAsteriskExtras(join(work, 'asterisk'), seats, `127.0.0.1:${seatPort}`);
    log(`starting Asterisk (${seats.ring.length + seats.nailed.length + seats.agents.length} bench seats)`);
    const sandbox = await startAsterisk(cleanup, 'bench', { rtpPorts: plan.rtpPorts, extraConfDir: join(work, 'asterisk') });
    // agents.conf's module is off in the project's modules.conf (noload wins over load there).
    await sandbox.cli('module load app_agent_pool.so');
    await sandbox.cli('module reload app_queue.so');
    const seatUas = await startSipp(cleanup, work, 'seats', `127.0.0.1:${sandbox.sipPort}`, 'seat.xml', ['-d', String(plan.seatAnswerMs)], '127.0.0.1', seatPort);
    writeFileSync(join(work, 'cti110.json'), JSON.stringify(serviceConfig(seats, work)));
    const service: Service = await startService(
      cleanup,
      {
        CTI110_HTTP_PORT: '0',
        CTI110_ARI_URL: `http://127.0.0.1:${sandbox.httpPort}`,
        CTI110_AMI_PORT: String(sandbox.amiPort),
        CTI110_DB_PATH: join(work, 'cti110.sqlite'),
        CTI110_CONFIG: join(work, 'cti110.json'),
      },
      work,
      profile ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profile')}`] : [],
    );
    await waitFor('service healthy', async () => (await service.get('/health')).status === 200, 30000);
    await waitFor('bench seats reachable', async () => (await service.get<{ reachable: boolean }[]>('/seats')).body.every((s) => s.reachable), 30000);
    const asteriskPid = Number(readFileSync(join(sandbox.chroot, sandbox.instanceDir, 'asterisk.pid'), 'utf8').trim());
    const sampler = new CpuSampler(() => ({ asterisk: asteriskPid, service: service.process.pid, seatsSipp: seatUas.pid }));
    sampler.start();
    cleanup.teardown(() => sampler.stop());
    const ctx: Ctx = { cleanup, dir: work, sandbox, service, seats, seatUas, sampler, log };
    const phases: PhaseResult[] = [];
    const drained: Record<string, number> = {};
    const hundred = seats.ring.slice(0, 100);
    let nailedInvites = 0;
    const errors: string[] = [];

    log('1. distribution latency at steady rates');
    for (const s of runs('steady') ? plan.steady : []) {
      await loginRing(ctx, hundred);
      phases.push(await callers(ctx, 'steady', 'cti110', { rate: s.rate, count: s.rate * s.seconds, holdMs: plan.holdMs }));
      phases.push(await callers(ctx, 'steady', 'baseline', { rate: s.rate, count: s.rate * s.seconds, holdMs: plan.holdMs, exten: 'ring' }));
    }

    log('2. capacity ramp');
    for (const system of runs('capacity') ? (['cti110', 'baseline'] as const) : []) {
      for (const n of plan.capacity) {
        await loginRing(ctx, seats.ring);
        const r = await callers(ctx, 'capacity', system, { rate: plan.capacityRate, count: n, holdMs: Math.ceil((n / plan.capacityRate) * 1000) + plan.plateauMs, exten: 'wide', cpuWindow: 'plateau' });
        phases.push(r);
        // Failures, or the 3 s answer target broken: the machine holds no more. (Machine-wide CPU
        // alone cannot decide it: other work may share the machine.)
        if (r.lost > 0 || (r.answerMs.p99 ?? 0) > 3000) {
          r.limit = true;
          log(`capacity ${system}: stopping the ramp at ${n} (${r.lost > 0 ? 'failures' : 'answer p99 over 3 s'})`);
          break;
        }
      }
    }

    log('3. burst');
    await loginRing(ctx, hundred);
    for (const system of runs('burst') ? (['cti110', 'baseline'] as const) : []) {
      phases.push(await callers(ctx, 'burst', system, { rate: plan.burst.rate, count: plan.burst.rate * plan.burst.seconds, holdMs: plan.burst.holdMs, exten: 'ring' }));
      drained[`burst-${system}`] = await waitingAfter(ctx, system);
    }

    log('4/5. permanent connections: ringing, nailed, AgentLogin');
    const p = plan.permanent;
    // A failure here (e.g. seats that cannot connect on an overloaded machine) is reported, and
    // the parts already measured are still written out.
    if (runs('permanent')) try {
    await loginRing(ctx, seats.ring.slice(0, seats.nailed.length));
    phases.push(await callers(ctx, 'perm-ring', 'cti110', { rate: p.rate, count: p.calls, holdMs: p.holdMs }));
    await loginRing(ctx, []);
    const connectedMs = Math.ceil((p.calls / p.rate) * 1000) + p.holdMs + 8000;
    const nailed = await permanentSeats(ctx, 'nailed', connectedMs);
    phases.push(await callers(ctx, 'perm-nailed', 'cti110', { rate: p.rate, count: p.calls, holdMs: p.holdMs }));
    nailedInvites = readFileSync(seatUas.logFile, 'utf8').split('\n').filter((l) => seats.nailed.some((id) => l.includes(`seat=${id} `))).length;
    const agents = await permanentSeats(ctx, 'agents', connectedMs);
    phases.push(await callers(ctx, 'perm-agents', 'baseline', { rate: p.rate, count: p.calls, holdMs: p.holdMs, exten: 'agents' }));
    await Promise.all([nailed.ended, agents.ended]);
    } catch (err) {
      errors.push(`permanent connections: ${(err as Error).message}`);
      log(`FAILED: ${errors[errors.length - 1]}`);
    }

    if (plan.repeat && runs('steady')) {
      log('memory: the 20 calls/s phase again');
      await loginRing(ctx, hundred);
      const s = plan.steady[plan.steady.length - 1];
      phases.push(await callers(ctx, 'repeat', 'cti110', { rate: s.rate, count: s.rate * s.seconds, holdMs: plan.holdMs }));
    }
    await serviceFigures(ctx);
    await service.kill('SIGTERM'); // graceful: a --cpu-prof profile is written at exit
    // The ramp goes on until calls fail: those at its last step are its result, not a lost call.
    const lostCalls = phases.reduce((n, r) => n + (r.limit ? 0 : r.lost), 0);
    const lostAtLimit = phases.reduce((n, r) => n + (r.limit ? r.lost : 0), 0);
    const report: Report = {
      startedAt,
      finishedAt: new Date().toISOString(),
      quick,
      machine,
      plan: { ...plan, burst: `${plan.burst.rate} calls/s for ${plan.burst.seconds} s, 100 seats, calls held ${plan.burst.holdMs} ms`, nailedSeatInvites: nailedInvites },
      phases,
      drained,
      lostCalls,
      lostAtLimit,
      errors,
      ...(profile ? { profile: profileSummary(join(work, 'profile'), out) } : {}),
    };
    writeFileSync(join(out, 'results.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(out, 'results.md'), markdown(report));
    if (!chart(report, out)) log('no chart: steady and capacity phases are needed for it');
    log(`report: ${join(out, 'results.md')}; calls lost: ${lostCalls}; nailed seats got ${nailedInvites} INVITEs`);
    const ok = lostCalls === 0 && nailedInvites === 0 && errors.length === 0;
    keepWork ||= !ok;
    return ok ? 0 : 1;
  } catch (err) {
    keepWork = true;
    throw err;
  } finally {
    await cleanup.run();
    // Kept when something went wrong: SIPp logs and the service's log say what happened.
    if (keepWork) log(`logs kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function machineInfo(): Record<string, unknown> {
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

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench: FAILED: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
