// Processes the bench starts (SIPp), the cleanup list every start registers with, and CPU use
// read from /proc. Only pids started here are ever signalled: other work shares this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { freePort, freeUdpRange, sleep } from '../../test/support/harness';

/** Teardown in reverse order of start, also on failure or Ctrl-C (the harness's `t.teardown`). */
export class Cleanup {
  private readonly fns: (() => unknown)[] = [];
  teardown(fn: () => unknown): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    while (this.fns.length) {
      const fn = this.fns.pop()!;
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`bench: cleanup step failed: ${(err as Error).message}\n`);
      }
    }
  }
}

export interface SippRun {
  pid: number;
  logFile: string;
  done: Promise<number>;
  stop(): Promise<void>;
}

const SCENARIOS = join(__dirname, '../../../scripts/bench/sipp');

/** One SIPp with a bench scenario (or a scenario file's full path), run in `dir` (where the audio files are). */
export async function startSipp(cleanup: Cleanup, dir: string, name: string, target: string, scenario: string, args: string[], ip = '127.0.0.1', port?: number): Promise<SippRun> {
  const sipPort = port ?? (await freePort(true));
  const media = await freeUdpRange(4);
  const logFile = join(dir, `${name}.log`);
  const out = openSync(join(dir, `${name}.out`), 'a');
  const child: ChildProcess = spawn(
    'sipp',
    [target, '-sf', isAbsolute(scenario) ? scenario : join(SCENARIOS, scenario), '-i', ip, '-p', String(sipPort), '-mp', String(media), '-nostdin', '-trace_logs', '-log_file', logFile, '-trace_err', '-error_file', join(dir, `${name}.err`), ...args],
    { cwd: dir, stdio: ['ignore', out, out] },
  );
  const done = new Promise<number>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : 1))));
  const stop = () => stopChild(child, done, 'SIGTERM');
  cleanup.teardown(stop);
  return { pid: child.pid!, logFile, done, stop };
}

/** Stops a child this bench started: `signal`, then SIGKILL after 3 s; resolves once it exited. */
export async function stopChild(child: ChildProcess, done: Promise<unknown>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await Promise.race([done, sleep(3000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await done;
}

export const TICK = 100; // USER_HZ on Linux: /proc times are in 1/100 s

export function procTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3] - (cpu[4] ?? 0), total };
}

export interface CpuSample {
  at: number;
  /** % of one core since the previous sample, per watched name; "machine" = % of all cores busy. */
  pct: Record<string, number>;
}

/** Samples CPU use of named pids every `everyMs`; windows are cut out afterwards. */
export class CpuSampler {
  readonly samples: CpuSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<string, number>();
  private lastMachine = machineTicks();
  private lastAt = Date.now();

  /** A name may watch several pids (Kamailio's processes): their CPU is summed. */
  constructor(private readonly pids: () => Record<string, number | number[] | undefined>) {}

  start(everyMs = 500): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = Date.now();
    const secs = (now - this.lastAt) / 1000;
    const pct: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const all = (pid === undefined ? [] : [pid].flat()).map(procTicks);
      const ticks = all.length && all.every((n) => n !== undefined) ? all.reduce((a, b) => a! + b!, 0) : undefined;
      const before = this.last.get(name);
      if (ticks !== undefined && before !== undefined && secs > 0) pct[name] = ((ticks - before) / TICK / secs) * 100;
      if (ticks !== undefined) this.last.set(name, ticks);
    }
    const m = machineTicks();
    if (m.total > this.lastMachine.total) pct.machine = ((m.busy - this.lastMachine.busy) / (m.total - this.lastMachine.total)) * 100;
    this.lastMachine = m;
    this.lastAt = now;
    this.samples.push({ at: now, pct });
  }

  /** Mean CPU % per name over [from, to] (samples that ended inside it). */
  mean(from: number, to: number): Record<string, number> {
    const inside = this.samples.filter((s) => s.at > from && s.at <= to);
    const out: Record<string, number> = {};
    for (const s of inside) for (const [k, v] of Object.entries(s.pct)) out[k] = (out[k] ?? 0) + v / inside.length;
    for (const k of Object.keys(out)) out[k] = Math.round(out[k] * 10) / 10;
    return out;
  }
}
