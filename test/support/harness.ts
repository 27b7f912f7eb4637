// End-to-end harness: one sandbox Asterisk per test file (real Asterisk 22 from the chroot),
// the real service as a child process, and SIPp as callers and seats. Ports are picked free at
// run time; everything started here is stopped in teardown, also when a test fails.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = resolve(__dirname, '../../..');
const SANDBOX = join(ROOT, 'scripts/asterisk-sandbox.sh');

export interface Teardown {
  teardown(fn: () => unknown): void;
  testdirName?: string;
}

/**
 * The test's own folder (service log, SQLite file, SIPp logs), with the audio files the SIPp
 * scenarios stream from their current folder. Kept after the run for reading failures.
 */
export function workDir(t: { testdirName: string }): string {
  const dir = t.testdirName;
  rmSync(dir, { recursive: true, force: true }); // a previous run's database must not leak in
  mkdirSync(dir, { recursive: true });
  execFileSync('bash', [join(ROOT, 'scripts/lib/make-sipp-audio.sh'), dir], { stdio: 'ignore' });
  return dir;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

// Shared with the demo (src/demo), which starts SIPp phones the same way.
export { freePort, udpFree, freeUdpRange } from '../../src/demo/ports';
import { freePort, freeUdpRange } from '../../src/demo/ports';

export interface Sandbox {
  name: string;
  env: Record<string, string>;
  sipPort: number;
  httpPort: number;
  amiPort: number;
  trunk12345Port: number;
  /** Where Asterisk calls callers back over the 110 trunk (a SIPp callee on 127.0.0.2 listens). */
  trunk110Port: number;
  chroot: string;
  instanceDir: string; // inside the chroot, e.g. /srv/cti110/<name>
  cli(command: string): Promise<string>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * opts.rtpPorts: size of the RTP range (2 per call leg; the benchmark needs more than tests);
 * opts.extraConfDir: AST_EXTRA_CONF_DIR, config added for this instance only;
 * opts.phoneEdge: AST_PHONE_EDGE, `ADDR:PORT` of a SIP edge's phones' socket (edge mode).
 */
export async function startAsterisk(t: Teardown, name: string, opts: { rtpPorts?: number; extraConfDir?: string; phoneEdge?: string } = {}): Promise<Sandbox> {
  const instance = `${name}-${process.pid}`;
  const rtpPorts = opts.rtpPorts ?? 200;
  const rtp = await freeUdpRange(rtpPorts);
  const env: Record<string, string> = {
    AST_INSTANCE: instance,
    AST_SIP_PORT: String(await freePort(true)),
    AST_HTTP_PORT: String(await freePort()),
    AST_AMI_PORT: String(await freePort()),
    AST_RTP_START: String(rtp),
    AST_RTP_END: String(rtp + rtpPorts - 1),
    TRUNK12345_PORT: String(await freePort(true)),
    TRUNK110_PORT: String(await freePort(true)),
    ...(opts.extraConfDir ? { AST_EXTRA_CONF_DIR: opts.extraConfDir } : {}),
    // Edge mode: the phones register at the SIP edge's phones' socket (scripts/lib/sandbox-common.sh).
    ...(opts.phoneEdge ? { AST_PHONE_EDGE: opts.phoneEdge } : {}),
  };
  const chroot = process.env.CTI110_CHROOT ?? '/var/cache/cti110/asterisk-sid';
  const script = (...args: string[]) => run('bash', [SANDBOX, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  const sandbox: Sandbox = {
    name: instance,
    env,
    sipPort: Number(env.AST_SIP_PORT),
    httpPort: Number(env.AST_HTTP_PORT),
    amiPort: Number(env.AST_AMI_PORT),
    trunk12345Port: Number(env.TRUNK12345_PORT),
    trunk110Port: Number(env.TRUNK110_PORT),
    chroot,
    instanceDir: `/srv/cti110/${instance}`,
    cli: async (command) => (await script('cli', command)).stdout,
    start: async () => {
      await script('start');
    },
    stop: async () => {
      await script('stop');
    },
  };
  // Stopped and its folder removed, so test runs do not pile up logs inside the cached chroot.
  t.teardown(() => script('destroy'));
  await sandbox.start();
  return sandbox;
}

export interface Service {
  url: string;
  process: ChildProcess;
  logFile: string;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** The sandbox's stored-recordings folder as this machine sees it (scripts/lib/sandbox-common.sh). */
export const sandboxRecordings = (sandbox: Sandbox): string => `${sandbox.chroot}${sandbox.instanceDir}/spool/recording`;

export function serviceEnv(sandbox: Sandbox, dbPath: string): Record<string, string> {
  return {
    CTI110_HTTP_PORT: '0',
    CTI110_ARI_URL: `http://127.0.0.1:${sandbox.httpPort}`,
    CTI110_AMI_PORT: String(sandbox.amiPort),
    // As `npm start` runs it: the sandbox's recordings read and removed in its folder (recording.test
    // takes this away to cover the way over ARI).
    CTI110_ARI_RECORDINGS_DIR: sandboxRecordings(sandbox),
    CTI110_DB_PATH: dbPath,
    CTI110_LOG_LEVEL: 'debug',
  };
}

/**
 * Starts `node dist/src/main.js`; resolves once it listens (port 0: it picks its own).
 * nodeArgs: options for node itself (e.g. --cpu-prof, which NODE_OPTIONS refuses).
 */
export async function startService(t: Teardown, env: Record<string, string>, logDir: string, nodeArgs: string[] = []): Promise<Service> {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `service-${Date.now()}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    // Sign-in off unless a test turns it on: the call-flow tests speak REST without signing in.
    // CTI110_SANDBOX: the sandbox Asterisk's secrets are the known default ones (config/secrets.ts).
    env: { ...process.env, CTI110_AUTH_ENABLED: 'false', CTI110_SANDBOX: '1', ...env },
    stdio: ['ignore', out, out],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await Promise.race([exited, sleep(10000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  t.teardown(() => kill('SIGKILL'));
  const url = await waitFor('the service to listen', () => {
    if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    const m = /"address":"(http:\/\/[^"]+)".*"msg":"cti110 listening"/.exec(readFileSync(logFile, 'utf8'));
    return m?.[1];
  });
  return {
    url,
    process: child,
    logFile,
    kill,
    get: async <T>(path: string) => {
      const res = await fetch(url + path);
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

export interface Sipp {
  process: ChildProcess;
  /** Where this SIPp receives RTP (Asterisk sends this phone's audio to it). */
  mediaPort: number;
  done: Promise<number>;
  kill(): Promise<void>;
}

/**
 * Runs SIPp with a scenario from test/sipp/. Each SIPp takes its own signalling port and two media
 * ports (RTP + RTCP), picked free here so parallel instances never collide. opts.to: where it sends
 * (`ADDR:PORT`, e.g. a SIP edge's entrance), by default the sandbox Asterisk itself.
 */
export async function sipp(t: Teardown, scenario: string, args: string[], opts: { sandbox: Sandbox; to?: string; ip?: string; port?: number; logDir: string }): Promise<Sipp> {
  const port = opts.port ?? (await freePort(true));
  const media = await freeUdpRange(4);
  const full = [
    opts.to ?? `127.0.0.1:${opts.sandbox.sipPort}`,
    '-sf', join(ROOT, 'test/sipp', scenario),
    '-i', opts.ip ?? '127.0.0.1',
    '-p', String(port),
    '-mp', String(media),
    '-nostdin',
    '-trace_err', '-error_file', join(opts.logDir, `sipp-${scenario}-${port}-errors.log`),
    ...args,
  ];
  mkdirSync(opts.logDir, { recursive: true });
  const log = openSync(join(opts.logDir, `sipp-${scenario}-${port}.log`), 'a');
  const child = spawn('sipp', full, { stdio: ['ignore', log, log], cwd: opts.logDir });
  const done = new Promise<number>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : 1))));
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await done;
  };
  t.teardown(kill);
  return { process: child, mediaPort: media, done, kill };
}

/** A seat's softphone (SIPp seat-multi): registers (at the sandbox, or at opts.to: a SIP edge's phones' socket), answers every call after a delay, logs each. */
export async function seatPhone(
  t: Teardown,
  sandbox: Sandbox,
  seat: string,
  opts: { logDir: string; stayS?: number; answerMs?: number; answerMinMs?: number; answerMaxMs?: number; password?: string; recallKeysAfterMs?: number; answerScenario?: string; extraArgs?: string[]; to?: string },
): Promise<Sipp & { logFile: string }> {
  const logFile = join(opts.logDir, `seat-${seat}-${Date.now()}.log`);
  const delay = opts.answerMaxMs
    ? ['-set', 'answer_min_ms', String(opts.answerMinMs ?? 0), '-set', 'answer_max_ms', String(opts.answerMaxMs)]
    : ['-set', 'answer_ms', String(opts.answerMs ?? 0)];
  const phone = await sipp(
    t,
    'seat-multi.xml',
    ['-oocsf', join(ROOT, 'test/sipp', opts.answerScenario ?? 'seat-multi-answer.xml'), '-aa', '-s', seat, '-au', seat, '-ap', opts.password ?? `seat-${seat}-dev`, '-set', 'stay_s', String(opts.stayS ?? 120), ...delay, ...(opts.recallKeysAfterMs ? ['-set', 'recall_after_ms', String(opts.recallKeysAfterMs)] : []), ...(opts.extraArgs ?? []), '-trace_logs', '-log_file', logFile, '-m', '1', '-l', '1', '-timeout', `${(opts.stayS ?? 120) + 60}s`, '-timeout_error'],
    { sandbox, logDir: opts.logDir, to: opts.to },
  );
  return { ...phone, logFile };
}

export interface SeatLogLine {
  seat: string;
  event: string;
  [key: string]: string;
}

/** Parses a seat-multi log: one `key=value ...` line per event. */
export function readSeatLog(file: string): SeatLogLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.includes('event='))
    .map((line) => {
      const out: Record<string, string> = {};
      for (const m of line.matchAll(/(\w+)=(\S*)/g)) if (!(m[1] in out)) out[m[1]] = m[2];
      return out as SeatLogLine;
    });
}

/** Waits until `pjsip show contacts` lists the seat's phone as reachable. */
export async function registered(sandbox: Sandbox, seat: string): Promise<void> {
  await waitFor(`seat ${seat} registered`, async () => new RegExp(`${seat}/sip:${seat}@127\\.0\\.0\\.1:\\d+.*Avail`).test(await sandbox.cli('pjsip show contacts')), 20000);
}

/** POST a JSON body (or none) to the service. */
export async function post<T = unknown>(service: Service, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(service.url + path, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** An incident as the REST API returns it (the fields the tests read). */
export interface IncidentView {
  number: string;
  callerNumber: string;
  seatId: string | null;
  delivery: string | null;
  arrivedAt: number;
  answeredAt: number | null;
  abandonedAt: number | null;
  endedAt: number | null;
  timeline: { kind: string; at: number; detail: Record<string, unknown> }[];
}

/** Users added to the service's database as an operator would (the add-user CLI), before it starts. */
export function addUsers(dbPath: string, users: readonly { name: string; role: string; seat?: string; officer?: string; password: string }[]): void {
  for (const u of users) {
    execFileSync(process.execPath, [join(ROOT, 'dist/src/auth/add-user-cli.js'), '--name', u.name, '--role', u.role, ...(u.seat ? ['--seat', u.seat] : []), ...(u.officer ? ['--officer', u.officer] : [])], { cwd: ROOT, env: { ...process.env, CTI110_DB_PATH: dbPath, CTI110_NEW_PASSWORD: u.password } });
  }
}

/** The service with a config file of its own (seats, queue), started and healthy. */
export async function startConfiguredService(t: Teardown, sandbox: Sandbox, logDir: string, config: Record<string, unknown>): Promise<Service> {
  const configFile = join(logDir, `config-${Date.now()}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const service = await startService(t, { ...serviceEnv(sandbox, join(logDir, 'cti110.sqlite')), CTI110_CONFIG: configFile }, logDir);
  await waitFor('service healthy', async () => (await service.get('/health')).status === 200, 30000);
  return service;
}

/** Incidents whose caller number starts with `prefix`, oldest first, each with its timeline. */
export async function incidentsOf(service: Service, prefix: string): Promise<IncidentView[]> {
  const items = (await service.get<{ items: IncidentView[] }>('/incidents?limit=200')).body.items.filter((i) => i.callerNumber.startsWith(prefix));
  return Promise.all(items.reverse().map(async (i) => (await service.get<IncidentView>(`/incidents/${i.number}`)).body));
}
