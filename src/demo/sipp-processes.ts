// Every SIPp the demo starts (phones, the 12345 agent, callers) goes through here, so that
// stopping the demo stops all of them: none may outlive it (the e2e test checks).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freeUdpRange } from './ports';

export interface SippStart {
  /** What the log calls it: "seat 1001", "caller 13800138000". */
  name: string;
  scenario: string;
  /** Where it sends (ADDR:PORT); none for a scenario that only answers. */
  to?: string;
  ip: string;
  port?: number;
  /** SIPp's current folder: the audio files its scenario streams. */
  cwd: string;
  args: string[];
  /** With a file, SIPp's errors go there (-trace_err). */
  errorFile?: string;
}

export interface SippRun {
  pid: number;
  /** SIPp's exit code (128 when killed by a signal). */
  done: Promise<number>;
}

export class SippProcesses {
  private readonly running = new Set<ChildProcess>();
  private stopping = false;

  constructor(readonly scenarioDir: string, private readonly log: (msg: string) => void) {}

  async start(s: SippStart): Promise<SippRun> {
    if (this.stopping) throw new Error('the demo is stopping');
    // Two media ports each (RTP + RTCP) picked free: many SIPp on one address must not collide.
    const media = await freeUdpRange(4);
    if (this.stopping) throw new Error('the demo is stopping'); // stopAll ran meanwhile: it would miss this one
    const args = [
      ...(s.to ? [s.to] : []),
      '-sf', join(this.scenarioDir, s.scenario),
      '-i', s.ip,
      ...(s.port ? ['-p', String(s.port)] : []),
      '-mp', String(media),
      '-nostdin',
      ...(s.errorFile ? ['-trace_err', '-error_file', s.errorFile] : []),
      ...s.args,
    ];
    const child = spawn('sipp', args, { cwd: s.cwd, stdio: 'ignore' });
    this.running.add(child);
    const done = new Promise<number>((resolve) => {
      child.once('error', (err) => {
        this.log(`${s.name}: sipp did not start: ${err.message}`);
        resolve(127);
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    }).finally(() => this.running.delete(child));
    this.log(`${s.name}: sipp pid ${child.pid ?? '?'}`);
    return { pid: child.pid ?? -1, done };
  }


  /** TERM to each, KILL to any still there after `graceMs`; resolves when all have exited. */
  async stopAll(graceMs = 3000): Promise<void> {
    this.stopping = true;
    const all = [...this.running];
    const exited = all.map((c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r()))));
    for (const c of all) c.kill('SIGTERM');
    const timer = setTimeout(() => all.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')), graceMs);
    await Promise.all(exited);
    clearTimeout(timer);
  }
}
