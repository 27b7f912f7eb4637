/// <reference lib="dom" />
// `npm run screenshots`: the console and the wallboard at 1920×1080 for the README, with a live
// call on the console and one waiting on the wall. Uses the e2e harness (sandbox Asterisk, SIPp)
// and Debian's chromium; writes docs/screenshots/{console,wallboard}.png. Run as root.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startService, serviceEnv, sipp, waitFor, seatPhone, registered, ROOT } from '../support/harness';
import { launchBrowser } from '../support/browser';

async function main(): Promise<void> {
  const cleanups: (() => unknown)[] = [];
  const t = { teardown: (fn: () => unknown) => cleanups.unshift(fn) };
  try {
    const dir = join(ROOT, 'var/screenshots-run');
    mkdirSync(dir, { recursive: true });
    execFileSync('bash', [join(ROOT, 'scripts/lib/make-sipp-audio.sh'), dir], { stdio: 'ignore' });
    const sandbox = await startAsterisk(t, 'shots');
    const db = join(dir, `cti110-${Date.now()}.sqlite`);
    const users = [['li', 'call-taker', '1001', 'li-password-1'], ['boss', 'supervisor', '', 'boss-password-1']];
    for (const [name, role, seat, password] of users) execFileSync(process.execPath, [join(ROOT, 'dist/src/auth/add-user-cli.js'), '--name', name!, '--role', role!, ...(seat ? ['--seat', seat] : [])], { cwd: ROOT, env: { ...process.env, CTI110_DB_PATH: db, CTI110_NEW_PASSWORD: password } });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }, { id: '1002', endpoint: 'PJSIP/1002', autoAnswer: true }], dispatch: { gridDir: 'config/grid', maxPositionAgeMs: 600000, answerMs: 5000, officersToTry: 2, trunk: 'trunk110' } }));
    const service = await startService(t, { ...serviceEnv(sandbox, db), CTI110_CONFIG: config, CTI110_AUTH_ENABLED: 'true', CTI110_RECORDINGS_DIR: join(dir, 'recordings') }, dir);
    await waitFor('healthy', async () => (await service.get('/health')).status === 200, 30000);
    const token = ((await (await fetch(`${service.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'boss', password: 'boss-password-1' }) })).json()) as { token: string }).token;
    const put = (path: string, body: unknown) => fetch(service.url + path, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await put('/officers/2001/position', { lon: 116.3855, lat: 39.905 });
    await put('/officers/2002/position', { lon: 116.399, lat: 39.908 });
    await put('/officers/2003/duty', { duty: 'busy' });
    await put('/officers/2003/position', { lon: 116.405, lat: 39.903 });
    await seatPhone(t, sandbox, '1001', { logDir: dir, stayS: 120, answerMs: 200 });
    await registered(sandbox, '1001');

    const browser = await launchBrowser(t);
    const page = async (name: string, password: string, home: string) => {
      const p = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
      await p.goto(`${service.url}/`);
      await p.fill('#name', name);
      await p.fill('#password', password);
      await p.keyboard.press('Enter');
      await p.waitForURL(`**/ui/${home}`);
      return p;
    };
    const taker = await page('li', 'li-password-1', 'console.html');
    const wall = await page('boss', 'boss-password-1', 'wallboard.html');
    await taker.waitForFunction(() => document.getElementById('live')?.dataset.state === 'up');
    await taker.keyboard.press('Alt+R');
    await taker.waitForFunction(() => document.getElementById('seat-state')?.className === 'state-ready');
    await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13812345678', '-set', 'hold_s', '60', '-m', '1', '-l', '1'], { sandbox, ip: '127.0.0.2', logDir: dir });
    await taker.waitForFunction(() => /^\d{8}-\d{6,}$/.test(document.getElementById('call-incident')?.textContent ?? ''), undefined, { timeout: 20000 });
    await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13987654321', '-set', 'hold_s', '60', '-m', '1', '-l', '1'], { sandbox, ip: '127.0.0.2', logDir: dir });
    await taker.selectOption('#category', 'crime');
    await taker.fill('#notes', '入室盗窃，嫌疑人仍在现场');
    await taker.keyboard.press('Alt+S');
    await taker.fill('#pole', 'BJ-DC-0001');
    await taker.keyboard.press('Alt+F');
    await taker.waitForFunction(() => (document.getElementById('officers')?.children.length ?? 0) > 0);
    await wall.waitForFunction(() => document.getElementById('waiting')?.textContent === '1', undefined, { timeout: 20000 });
    await wall.waitForTimeout(3000); // the longest wait ticks up to a few seconds
    mkdirSync(join(ROOT, 'docs/screenshots'), { recursive: true });
    await taker.screenshot({ path: join(ROOT, 'docs/screenshots/console.png') });
    await wall.screenshot({ path: join(ROOT, 'docs/screenshots/wallboard.png') });
    process.stdout.write('wrote docs/screenshots/console.png and docs/screenshots/wallboard.png\n');
  } finally {
    for (const fn of cleanups) await Promise.resolve(fn()).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`screenshots: ${err.message}\n`);
    process.exit(1);
  },
);
