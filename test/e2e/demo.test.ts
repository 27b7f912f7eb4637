// `npm run demo` (issue #18, point 3): the simulated centre through a real Asterisk, the SIP edge
// and the service with sign-in on, as run.sh starts them. The demo (node dist/src/demo/main.js)
// runs a fast trickle; what a new user would watch on the wallboard must happen: calls answered
// by the simulated seats, an officer conferenced into a call, a hand-over to 12345, recordings
// stored. Ctrl-C (SIGINT) then stops the demo, and none of its SIPp processes is left.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDispatchData } from '../../src/dispatch/data-files';
import { ROOT, addUsers, serviceEnv, startAsterisk, startService, waitFor, workDir, type IncidentView } from '../support/harness';
import { startEdge } from '../support/edge';

interface Page<T> {
  items: T[];
}

t.test('npm run demo: calls answered, an officer conferenced, a 12345 hand-over, recordings; nothing left after Ctrl-C', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'demo');
  const edge = await startEdge(t, 'demo', [sandbox], { logDir });
  const dbPath = join(logDir, 'cti110.sqlite');
  // The demo users run.sh adds (password <name>-password), for the two seats used here.
  addUsers(dbPath, [
    ...['1001', '1002'].map((seat) => ({ name: `taker${seat}`, role: 'call-taker', seat, password: `taker${seat}-password` })),
    { name: 'supervisor', role: 'supervisor', password: 'supervisor-password' },
    ...['2001', '2002', '2003', '2004'].map((officer) => ({ name: `officer${officer}`, role: 'officer', officer, password: `officer${officer}-password` })),
  ]);
  const configFile = join(logDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ seats: ['1001', '1002'].map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true })), dispatch: { answerMs: 10000 }, transfer: { answerMs: 10000 } }));
  const service = await startService(t, { ...serviceEnv(sandbox, dbPath), CTI110_CONFIG: configFile, CTI110_AUTH_ENABLED: 'true' }, logDir);

  const demoLog = join(logDir, 'demo.log');
  const demo = spawn(process.execPath, [join(ROOT, 'dist/src/demo/main.js'), '--service', service.url, '--asterisk', `127.0.0.1:${sandbox.sipPort}`, '--edge', edge.entrance, '--trunk12345', `127.0.0.3:${sandbox.trunk12345Port}`, '--seats', '1001,1002', '--calls-per-minute', '12', '--pace', '0.3', '--work-dir', join(logDir, 'demo')], { cwd: ROOT, stdio: ['ignore', openSync(demoLog, 'a'), openSync(demoLog, 'a')] });
  const demoExit = new Promise<number | null>((r) => demo.once('exit', (code) => r(code)));
  t.teardown(() => void (demo.exitCode === null && demo.kill('SIGKILL')));

  // The wallboard's user: a supervisor, signed in.
  const login = await fetch(`${service.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'supervisor', password: 'supervisor-password' }) });
  const { token } = (await login.json()) as { token: string };
  const get = async <T>(path: string) => (await (await fetch(service.url + path, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  const incidents = async () => Promise.all((await get<Page<IncidentView>>('/incidents?limit=100')).items.map((i) => get<IncidentView & { state: string }>(`/incidents/${i.number}`)));
  const withKinds = async (...kinds: string[]) => (await incidents()).find((i) => kinds.every((k) => i.timeline.some((e) => e.kind === k)));
  const minutes = (n: number) => n * 60000;

  await t.test('the simulated call-takers log in and answer the callers', async (t) => {
    await waitFor('both seats ready', async () => (await get<{ id: string; state: string }[]>('/seats')).every((s) => s.state !== 'logged_out'), minutes(2));
    const answered = await waitFor('two calls answered at the seats', async () => {
      const list = (await incidents()).filter((i) => i.answeredAt && i.seatId);
      return list.length >= 2 ? list : undefined;
    }, minutes(3), 2000);
    t.ok(answered.every((i) => /^1[3-9]\d{9}$/.test(i.callerNumber)), `callers with mobile numbers: ${answered.map((i) => i.callerNumber).join(' ')}`);
    const { grid } = loadDispatchData(join(ROOT, 'config/grid'));
    const located = answered.map((i) => i.timeline.find((e) => e.kind === 'location')?.detail).filter((d) => d !== undefined);
    t.ok(located.length > 0, 'callers sent their location with the INVITE');
    for (const d of located) {
      t.equal(d.source, 'sip-pidf');
      t.ok(grid.cellAt(d.lon as number, d.lat as number), `${d.lon as number},${d.lat as number} inside the grid`);
    }
  });

  await t.test('a police matter: the nearest officer is conferenced in, then the call-taker leaves', async (t) => {
    const inc = await waitFor('an officer joined a call', () => withKinds('classified', 'officer_joined', 'taker_left'), minutes(3), 2000);
    t.pass(`${inc.number}: classified, dispatched, officer joined, call-taker left`);
  });

  await t.test('a matter for 12345: handed over hot', async (t) => {
    const inc = await waitFor('a 12345 hand-over', () => withKinds('classified', 'transfer_answered', 'taker_left'), minutes(3), 2000);
    t.pass(`${inc.number}: classified, 12345 answered, call-taker left`);
  });

  await t.test('recordings are stored', async (t) => {
    const recs = await waitFor('recordings', async () => {
      const page = await get<Page<{ id: number; incident: string }>>('/recordings?limit=50');
      return page.items.length >= 2 ? page.items : undefined;
    }, minutes(3), 2000);
    t.ok(recs.length >= 2, `${recs.length} recordings`);
  });

  await t.test('Ctrl-C stops the demo: seats logged out, no SIPp left', async (t) => {
    const pids = [...readFileSync(demoLog, 'utf8').matchAll(/sipp pid (\d+)/g)].map((m) => Number(m[1]));
    t.ok(pids.length >= 12, `${pids.length} SIPp started (2 seats, 4 officers, 3 duty lines, a supervisor, 12345, callers)`);
    const callers = readFileSync(demoLog, 'utf8').match(/caller \d+: hung up.*/g) ?? [];
    t.ok(callers.length > 0 && callers.every((line) => /hung up$/.test(line)), `every caller who hung up had a clean call (${callers.length})`);
    demo.kill('SIGINT');
    t.equal(await demoExit, 0, 'the demo exits 0');
    // A pid reused since is not a SIPp of ours: only a running `sipp` under that pid counts (not
    // a zombie: an orphan's exit status is never collected on a machine whose init does not reap).
    const running = (pid: number) => existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sipp' && !/^\d+ \(sipp\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const alive = pids.filter(running);
    t.same(alive, [], 'no SIPp process left');
    // A seat on a call cannot log out: it goes not ready once that call is over, which Asterisk
    // finds out from the silence of the killed phone (rtp_timeout, 60 s). No seat is left ready
    // for calls with a dead phone.
    const seats = await waitFor('the seats off their last calls', async () => {
      const list = await get<{ id: string; state: string; reason: string | null }[]>('/seats');
      return list.every((s) => s.state !== 'on_call') ? list : undefined;
    }, minutes(3), 2000);
    t.ok(seats.every((s) => s.state === 'logged_out' || (s.state === 'not_ready' && s.reason === 'demo stopped')), `the call-takers logged out, or went not ready if on a call (${seats.map((s) => `${s.id} ${s.state}`).join(', ')})`);
    t.match(readFileSync(demoLog, 'utf8'), /demo: stopped/);
  });
});
