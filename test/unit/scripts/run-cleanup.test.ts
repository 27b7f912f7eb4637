// `npm start` (scripts/run.sh) must stop the sandbox Asterisk it started however the service ends.
// Its EXIT trap ran under `set -e`: with the service already dead, `kill`/`wait` failed and the
// trap stopped there, before `asterisk-sandbox.sh stop`. Here the same traps (scripts/lib/
// run-cleanup.sh) run with a sleep for the service and a marker file for the sandbox's stop.
import t, { type Test } from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = resolve(__dirname, '../../../..');

async function run(t: Test, service: string) {
  const marker = join(t.testdir({}), 'stopped');
  const script = `set -euo pipefail; . scripts/lib/run-cleanup.sh; run_on_exit 'echo sandbox-stopped >> ${marker}'; run_service ${service}`;
  const bash = spawn('bash', ['-c', script], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<number | null>((done) => bash.on('exit', (code) => done(code)));
  t.teardown(() => void bash.kill('SIGKILL'));
  // The service: the child of this bash (found by parent pid, never by name).
  let child = 0;
  for (let i = 0; i < 100 && !child; i++) {
    await sleep(50);
    child = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(bash.pid)], { encoding: 'utf8' }).trim().split('\n')[0] || 0);
  }
  t.ok(child > 0, 'the service is running');
  const stoppedTimes = () => (existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').filter(Boolean).length : 0);
  return { bash, child, exited, stoppedTimes };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('the service killed with -9: the sandbox is stopped, the run exits non-zero', async (t) => {
  const { child, exited, stoppedTimes } = await run(t, 'sleep 60');
  process.kill(child, 'SIGKILL');
  t.not(await exited, 0, 'the run reports the failure');
  t.equal(stoppedTimes(), 1, 'sandbox stopped once');
});

t.test('TERM to the run: the service is stopped first, then the sandbox', async (t) => {
  const { bash, child, exited, stoppedTimes } = await run(t, 'sleep 60');
  bash.kill('SIGTERM');
  t.equal(await exited, 0);
  t.notOk(alive(child), 'the service is gone');
  t.equal(stoppedTimes(), 1);
});

t.test('the service exits by itself: the sandbox is stopped too', async (t) => {
  const { exited, stoppedTimes } = await run(t, 'sleep 0.5');
  t.equal(await exited, 0);
  t.equal(stoppedTimes(), 1);
});

t.test('scripts/run.sh stops through these traps, and sets no other', async (t) => {
  const source = readFileSync(join(ROOT, 'scripts/run.sh'), 'utf8');
  t.match(source, /^\. scripts\/lib\/run-cleanup\.sh$/m);
  t.match(source, /^run_on_exit 'bash scripts\/sip-edge\.sh stop; bash scripts\/asterisk-sandbox\.sh stop'$/m, 'the SIP edge, then the sandbox, each whether or not the other stopped');
  t.match(source, /^run_service node dist\/src\/main\.js$/m);
  t.notMatch(source, /^\s*trap /m, 'no trap of its own');
});
