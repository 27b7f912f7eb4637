// The benchmark (issue #8, the permanent-connection point of #10, the surge figures of #15):
//   scripts/bench/run.sh [--quick] [--out DIR] [--profile] [--soak MINUTES]
// Starts its own sandbox Asterisk (the project's config plus bench seats and baseline queues),
// the service and SIPp; runs cti110 and the native Queue() baseline side by side; writes
// results.json, results.md and latency.png; exits 1 if any call was lost or answered without a
// recording. Then the two-node run (two-node.ts: the burst and the ramp through Kamailio onto two
// Asterisk nodes, after the single-node parts are stopped). --soak runs the soak instead of the
// phases (soak.ts). Stops all it started.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, freePort, sandboxRecordings, startAsterisk, startService, waitFor, type Service } from '../../test/support/harness';
import { benchSeats, serviceConfig, writeAsteriskExtras } from './conf';
import { Cleanup, CpuSampler, startSipp } from './procs';
import { callers, loginRing, permanentSeats, serviceFigures, waitingAfter, type Ctx, type PhaseResult } from './phases';
import { chart, markdown, type Report } from './report';
import { profileSummary } from './profile';
import { planFor } from './plan';
import { machineInfo } from './machine';
import { soak } from './soak';
import { summaryLines } from './report-checks';
import { twoNode, type TwoNodeResult } from './two-node';
import { twoNodeSummary } from './report-two-node';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const profile = args.includes('--profile');
  const outArg = args.indexOf('--out');
  // --only steady|capacity|burst|overload|permanent|two-node: one part (while developing the bench)
  const onlyArg = args.indexOf('--only');
  const only = onlyArg >= 0 ? args[onlyArg + 1] : undefined;
  const runs = (part: string) => only === undefined || only === part;
  const soakArg = args.indexOf('--soak');
  const soakMinutes = soakArg >= 0 ? Number(args[soakArg + 1]) : undefined;
  if (soakMinutes !== undefined && !(soakMinutes > 0)) throw new Error('--soak needs a number of minutes');
  const out = resolve(outArg >= 0 ? args[outArg + 1] : join(ROOT, soakMinutes !== undefined ? 'var/bench-soak' : quick ? 'var/bench-quick' : 'bench-results'));
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
    const phases: PhaseResult[] = [];
    const drained: Record<string, number> = {};
    let nailedInvites = 0;
    const errors: string[] = [];
    let overloads: string[] = [];
    let twoNodes: TwoNodeResult | undefined;
    // The single-node parts' Asterisk, service and SIPp: stopped before the two-node run starts its own.
    const single = new Cleanup();
    cleanup.teardown(() => single.run());
    if (only !== 'two-node') {
      const seatPort = await freePort(true);
      writeAsteriskExtras(join(work, 'asterisk'), seats, `127.0.0.1:${seatPort}`, plan.overload.seats);
      // The bench's seats are SIP phones, as a centre without browser seats would run: ICE off
      // (rtp.conf: with it on, every call leg gets an ICE session, for cti110 and Queue() alike).
      // CTI110_BENCH_ICE=yes measures with it on, as a centre with browser seats runs.
      process.env.AST_ICE_SUPPORT = process.env.CTI110_BENCH_ICE === 'yes' ? 'yes' : 'no';
      log(`starting Asterisk (${seats.ring.length + seats.nailed.length + seats.agents.length} bench seats, ICE ${process.env.AST_ICE_SUPPORT === 'yes' ? 'on' : 'off'})`);
      const sandbox = await startAsterisk(single, 'bench', { rtpPorts: plan.rtpPorts, extraConfDir: join(work, 'asterisk') });
      // agents.conf's module is off in the project's modules.conf (noload wins over load there).
      await sandbox.cli('module load app_agent_pool.so');
      await sandbox.cli('module reload app_queue.so');
      const seatUas = await startSipp(single, work, 'seats', `127.0.0.1:${sandbox.sipPort}`, 'seat.xml', ['-d', String(plan.seatAnswerMs)], '127.0.0.1', seatPort);
      writeFileSync(join(work, 'cti110.json'), JSON.stringify(serviceConfig(seats, work)));
      const service: Service = await startService(
        single,
        {
          CTI110_HTTP_PORT: '0',
          CTI110_ARI_URL: `http://127.0.0.1:${sandbox.httpPort}`,
          // The embedded one-node setup, as `npm start` runs it: Asterisk's recordings in a folder this machine sees.
          CTI110_ARI_RECORDINGS_DIR: sandboxRecordings(sandbox),
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
      single.teardown(() => sampler.stop());
      const ctx: Ctx = { cleanup: single, dir: work, sandbox, service, seats, seatUas, sampler, log };
      const hundred = seats.ring.slice(0, 100);
      if (soakMinutes !== undefined) {
        const ok = await soak(ctx, soakMinutes, out);
        keepWork ||= !ok;
        return ok ? 0 : 1;
      }

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
          const placingMs = Math.ceil((n / plan.capacityRate) * 1000);
          const r = await callers(ctx, 'capacity', system, { rate: plan.capacityRate, count: n, holdMs: placingMs + plan.plateauMs, exten: 'wide', cpuWindow: 'plateau', bridgesAtMs: placingMs + plan.plateauMs / 2 });
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

      log(`overload: ${plan.overload.rate} calls/s for ${plan.overload.seconds} s into ${plan.overload.seats} ready seats`);
      const o = plan.overload;
      const queueSeats = seats.ring.slice(0, o.seats);
      for (const system of runs('overload') ? (['cti110', 'baseline'] as const) : []) {
        await loginRing(ctx, queueSeats);
        const count = o.rate * o.seconds;
        // The queue drains at seats / (hold + answer) calls/s: SIPp waits for that, with a margin.
        const drainS = (count * (o.holdMs + plan.seatAnswerMs + 500)) / 1000 / o.seats;
        phases.push(await callers(ctx, 'overload', system, { rate: o.rate, count, holdMs: o.holdMs, exten: 'overload', queueSeats, timeoutS: Math.ceil(o.seconds + drainS + 60) }));
        drained[`overload-${system}`] = await waitingAfter(ctx, system, 'bench-overload');
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
      overloads = keepAsteriskLog(join(sandbox.chroot, sandbox.instanceDir, 'log', 'messages.log'), work);
    }
    if (runs('two-node')) {
      await single.run();
      // A failure here is reported, and the single-node parts already measured are still written out.
      try {
        twoNodes = await twoNode(cleanup, work, plan, seats, log);
        phases.push(...twoNodes.phases);
      } catch (err) {
        errors.push(`two nodes: ${(err as Error).message}`);
        log(`FAILED: ${errors[errors.length - 1]}`);
      }
    }
    // The ramp goes on until calls fail: those at its last step are its result, not a lost call.
    const lostCalls = phases.reduce((n, r) => n + (r.limit ? 0 : r.lost), 0);
    const lostAtLimit = phases.reduce((n, r) => n + (r.limit ? r.lost : 0), 0);
    const unrecorded = phases.reduce((n, r) => n + (r.limit ? 0 : r.recordings.missing), 0);
    const report: Report = {
      startedAt,
      finishedAt: new Date().toISOString(),
      quick,
      machine,
      plan: {
        ...plan,
        burst: `${plan.burst.rate} calls/s for ${plan.burst.seconds} s, 100 seats, calls held ${plan.burst.holdMs} ms`,
        overload: `${plan.overload.rate} calls/s for ${plan.overload.seconds} s, ${plan.overload.seats} seats, calls held ${plan.overload.holdMs} ms`,
        nailedSeatInvites: nailedInvites,
      },
      phases,
      drained,
      lostCalls,
      lostAtLimit,
      unrecorded,
      errors,
      ...(twoNodes ? { twoNodes: { callsPerNode: twoNodes.callsPerNode, drainedAfterBurst: twoNodes.drainedAfterBurst, edgeHopMs: twoNodes.edgeHopMs } } : {}),
      taskprocessorOverloads: overloads,
      ...(profile ? { profile: profileSummary(join(work, 'profile'), out) } : {}),
    };
    writeFileSync(join(out, 'results.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(out, 'results.md'), markdown(report));
    if (!chart(report, out)) log('no chart: steady and capacity phases are needed for it');
    for (const line of [...summaryLines(report), ...twoNodeSummary(report)]) log(line);
    log(`report: ${join(out, 'results.md')}; calls lost: ${lostCalls}; answered without a recording: ${unrecorded}; nailed seats got ${nailedInvites} INVITEs`);
    const ok = lostCalls === 0 && unrecorded === 0 && nailedInvites === 0 && errors.length === 0;
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

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench: FAILED: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);

/**
 * Asterisk's own log goes with the bench's work folder (the sandbox's is removed at the end), and
 * its taskprocessor overload warnings are counted: while one is over its high-water mark PJSIP may
 * hold new INVITEs back, which a caller lives as silence.
 */
function keepAsteriskLog(file: string, work: string): string[] {
  if (!existsSync(file)) return [];
  copyFileSync(file, join(work, 'asterisk-messages.log'));
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('task processor queue reached')).map((l) => l.replace(/^.*WARNING\[\d+\][^:]*: /, ''));
}
