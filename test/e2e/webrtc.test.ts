/// <reference lib="dom" />
// (DOM types: the functions handed to page.evaluate / waitForFunction run in the browser.)
// The console is the phone (issue 18): a real headless Chromium, whose microphone plays a 1 kHz
// tone, registers a browser seat with a real Asterisk over WebSocket (SIP.js, DTLS-SRTP), works
// as a nailed seat for its shift, and takes 110 calls from SIPp callers (440 Hz): the recording
// of record holds both voices; dispatch and recall work from the page; hang-up ends the call and
// keeps the connection; a tab closed mid-call puts its caller back at the head of the queue, for
// a SIP seat beside it to answer. The phone's settings come from the call-taker's session only.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { addUsers, startAsterisk, startService, serviceEnv, sipp, waitFor, workDir, seatPhone, registered, type IncidentView } from '../support/harness';
import { fakeMicrophone, launchBrowser, shortcut } from '../support/browser';
import { tonesInRecording } from '../support/rtp-audio';

const USERS = [
  { name: 'li', role: 'call-taker', seat: '1101', password: 'li-password-1' },
  { name: 'wang', role: 'call-taker', seat: '1001', password: 'wang-password-1' },
  { name: 'zhao', role: 'call-taker', seat: '1102', password: 'zhao-password-1' },
  { name: 'boss', role: 'supervisor', password: 'boss-password-1' },
];
const CALLER_HZ = 440; // test/sipp caller-audio.wav
const BROWSER_HZ = 1000; // the browser's microphone, below

async function signIn(page: Page, url: string, user: { name: string; password: string }) {
  await page.goto(`${url}/`);
  await page.fill('#name', user.name);
  await page.fill('#password', user.password);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/ui/console.html');
}

const state = (page: Page, id: string) => page.evaluate((i) => document.getElementById(i)?.dataset.state, id);
const meter = (page: Page, id: string) => page.evaluate((i) => (document.getElementById(i) as HTMLMeterElement).value, id);

t.test('a browser seat: the console is the phone', async (t) => {
  const started = Date.now();
  const logDir = workDir(t);
  const tone = join(logDir, 'browser-tone.wav');
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', tone, 'synth', '10', 'sine', String(BROWSER_HZ), 'vol', '0.5']);
  const sandbox = await startAsterisk(t, 'webrtc');
  const db = join(logDir, 'cti110.sqlite');
  addUsers(db, USERS);
  const storage = join(logDir, 'recordings');
  const configFile = join(logDir, 'webrtc.json');
  writeFileSync(configFile, JSON.stringify({
    seats: [
      { id: '1101', endpoint: 'PJSIP/1101', autoAnswer: true, delivery: 'nailed', webrtc: { password: 'seat-1101-dev' } },
      { id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true },
      // A browser seat rung once per call, answered by the call-taker's key.
      { id: '1102', endpoint: 'PJSIP/1102', autoAnswer: false, delivery: 'ring', webrtc: { password: 'seat-1102-dev' } },
    ],
    queue: { ringNoAnswerMs: 8000 },
    dispatch: { gridDir: 'config/grid', maxPositionAgeMs: 600000, answerMs: 5000, officersToTry: 2, trunk: 'trunk110' },
  }));
  const service = await startService(t, { ...serviceEnv(sandbox, db), CTI110_CONFIG: configFile, CTI110_AUTH_ENABLED: 'true', CTI110_RECORDINGS_DIR: storage }, logDir);
  await waitFor('healthy', async () => (await service.get('/health')).status === 200, 30000);
  const tokenOf = async (name: string, password: string) => ((await (await fetch(`${service.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) })).json()) as { token: string }).token;
  const boss = await tokenOf('boss', 'boss-password-1');
  const api = async <T>(token: string | undefined, method: string, path: string, body?: unknown) => {
    const res = await fetch(service.url + path, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: (await res.json().catch(() => undefined)) as T };
  };
  const seat = async (id: string) => (await api<{ state: string; reachable: boolean }>(boss, 'GET', `/seats/${id}`)).body;
  /** The incident of a caller number (the newest), with its timeline. */
  const incidentOf = async (caller: string) => {
    const item = (await api<{ items: IncidentView[] }>(boss, 'GET', '/incidents?limit=50')).body.items.find((i) => i.callerNumber === caller);
    return item && (await api<IncidentView>(boss, 'GET', `/incidents/${item.number}`)).body;
  };

  await t.test("the phone's settings: the call-taker's own browser seat only", async (t) => {
    const li = await tokenOf('li', 'li-password-1');
    const wang = await tokenOf('wang', 'wang-password-1');
    const own = await api<Record<string, unknown>>(li, 'GET', '/seats/1101/phone');
    t.equal(own.status, 200);
    t.same(own.body, { seat: '1101', wsUrl: `ws://127.0.0.1:${sandbox.httpPort}/ws`, uri: 'sip:1101@127.0.0.1', user: '1101', password: 'seat-1101-dev', delivery: 'nailed', autoAnswer: true }, "Asterisk's WebSocket (from ari.url) and the seat's SIP credentials");
    t.equal(own.headers.get('cache-control'), 'no-store', 'never cached');
    t.match(await api(wang, 'GET', '/seats/1101/phone'), { status: 403, body: { error: 'NOT_YOURS' } }, "another call-taker's seat: 403");
    t.match(await api(boss, 'GET', '/seats/1101/phone'), { status: 403, body: { error: 'FORBIDDEN' } }, 'a supervisor may open any console, but may not take its phone over: 403');
    t.match(await api(undefined, 'GET', '/seats/1101/phone'), { status: 401 }, 'no session: 401');
    t.match(await api(wang, 'GET', '/seats/1001/phone'), { status: 404, body: { error: 'NOT_A_BROWSER_SEAT' } }, 'a SIP softphone seat has no browser phone: 404');
    t.match(await api(wang, 'GET', '/seats/no%20such/phone'), { status: 400 }, 'a malformed seat id: 400');
    t.match((await fetch(`${service.url}/ui/console.html`)).headers.get('content-security-policy'), new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${sandbox.httpPort}[;]`), 'the pages may open the SIP WebSocket, and nothing else');
    const lib = await fetch(`${service.url}/ui/vendor/sip.js/index.js`);
    t.equal(lib.status, 200, 'SIP.js is served from the installed npm package');
    t.match(lib.headers.get('content-type'), /javascript/);
    t.equal((await fetch(`${service.url}/ui/vendor/sip.js/../package.json`)).status, 404, 'and nothing else of it');
  });

  const browser = await launchBrowser(t, fakeMicrophone(tone));
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  let page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // What the page's SIP library said, kept for reading a failure.
  const consoleLog = join(logDir, 'browser-console.log');
  context.on('console', (m) => appendFileSync(consoleLog, `${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
  await signIn(page, service.url, { name: 'li', password: 'li-password-1' });
  const registeredAt = Date.now();
  await page.waitForFunction(() => document.getElementById('phone-link')?.dataset.state === 'registered', undefined, { timeout: 15000 });
  t.comment(`the page registered seat 1101 in ${Date.now() - registeredAt} ms`);
  await waitFor('seat 1101 reachable (its endpoint online in Asterisk)', async () => (await seat('1101')).reachable, 15000);
  t.match(await sandbox.cli('pjsip show contacts'), /1101\/sip:[^\s]+transport=ws.*Avail/, 'Asterisk lists the browser as a reachable WebSocket contact');

  // A SIP softphone seat beside it, logged out for now: it takes the caller the closed tab leaves.
  const sipSeat = await seatPhone(t, sandbox, '1001', { logDir, stayS: 150, answerMs: 200 });
  const officer = await seatPhone(t, sandbox, '2001', { logDir, stayS: 150, answerMs: 300, password: 'officer-2001-dev' });
  await registered(sandbox, '1001');
  await registered(sandbox, '2001');
  t.equal((await api(boss, 'PUT', '/officers/2001/position', { lon: 116.3855, lat: 39.905 })).status, 200);

  await t.test('log in: the page answers the shift connection by itself (nailed seat)', async (t) => {
    await shortcut(page, 'Alt+I');
    await waitFor('seat 1101 ready on its connection', async () => (await seat('1101')).state === 'ready', 15000);
    await page.waitForFunction(() => document.getElementById('phone-call')?.dataset.state === 'talking');
    t.pass('the connection is up: seat ready');
    const mic = await waitFor('the microphone level shows the tone', async () => ((await meter(page, 'mic-level')) > 0.01 ? meter(page, 'mic-level') : undefined), 5000);
    t.ok(mic > 0.01, `microphone level ${mic.toFixed(3)}`);
    t.notOk(await page.isDisabled('#btn-mute'), 'mute is offered');
    t.ok(await page.isDisabled('#btn-hold'), 'hold waits for a call on the connection');
    await shortcut(page, 'Alt+M');
    await page.waitForFunction(() => document.getElementById('btn-mute')?.getAttribute('aria-pressed') === 'true');
    await waitFor('muted: the level drops', async () => (await meter(page, 'mic-level')) < 0.001, 3000);
    await shortcut(page, 'Alt+M');
    await waitFor('unmuted: the tone again', async () => (await meter(page, 'mic-level')) > 0.01, 3000);
    t.pass('mute silences the microphone, and back');
  });

  let first: IncidentView;
  await t.test('a 110 caller is answered by the browser; dispatch, recall and hang-up from the page', async (t) => {
    const caller = await sipp(t, 'caller-geo.xml', ['-s', '110', '-key', 'callerid', '13900000101', '-key', 'pos', '39.9052 116.3851', '-key', 'radius', '35', '-set', 'hold_s', '60', '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const number = await page.waitForFunction(() => /^\d{8}-\d{6,}$/.exec(document.getElementById('call-incident')?.textContent ?? '')?.[0], undefined, { timeout: 15000 }).then((h) => h.jsonValue() as Promise<string>);
    const answered = (await api<IncidentView>(boss, 'GET', `/incidents/${number}`)).body;
    t.match(answered, { seatId: '1101', delivery: 'nailed' }, `incident ${number} answered by the browser seat, switched into its connection`);
    t.ok(answered.answeredAt! - answered.arrivedAt < 3000, `answered ${answered.answeredAt! - answered.arrivedAt} ms after arrival (target 3 s)`);
    const speaker = await waitFor("the caller's voice reaches the page", async () => ((await meter(page, 'speaker-level')) > 0.01 ? meter(page, 'speaker-level') : undefined), 5000);
    t.ok(speaker > 0.01, `speaker level ${speaker.toFixed(3)}`);
    await page.waitForFunction(() => !(document.getElementById('btn-hold') as HTMLButtonElement).disabled);

    // Hold and back: a re-INVITE each way, the call goes on.
    await shortcut(page, 'Alt+H');
    await page.waitForFunction(() => document.getElementById('phone-call')?.dataset.state === 'held', undefined, { timeout: 5000 });
    await shortcut(page, 'Alt+H');
    await page.waitForFunction(() => document.getElementById('phone-call')?.dataset.state === 'talking', undefined, { timeout: 5000 });
    t.pass('hold and resume');

    // Let both talk for a while: what the recording must hold.
    await new Promise((r) => setTimeout(r, 4000));
    t.match(await sandbox.cli('pjsip show channelstats'), /1101-[0-9a-f]+\s+\S+\s+opus\s/, "the browser's leg speaks Opus (Asterisk transcodes to the caller's A-law)");
    await shortcut(page, 'Alt+2');
    const recall = await waitFor('recall on the timeline', async () => (await api<IncidentView>(boss, 'GET', `/incidents/${number}`)).body.timeline.find((e) => e.kind === 'recall'), 10000);
    t.match(recall.detail, { seat: '1101' }, 'Recall (*2) from the page: the last seconds replayed to the call-taker');
    await shortcut(page, 'Alt+1');
    const joined = await waitFor('officer joined', async () => (await api<IncidentView>(boss, 'GET', `/incidents/${number}`)).body.timeline.find((e) => e.kind === 'officer_joined'), 20000);
    t.match(joined.detail, { kind: 'officer', id: '2001' }, 'Dispatch (*1) from the page: the nearest officer to where the call said the caller is joined');

    await shortcut(page, 'Alt+U');
    t.equal(await caller.done, 0, 'hang-up from the page: the caller got a BYE');
    first = await waitFor('the recording stored', async () => {
      const inc = (await api<IncidentView>(boss, 'GET', `/incidents/${number}`)).body;
      return inc.endedAt && inc.timeline.some((e) => e.kind === 'recorded') ? inc : undefined;
    }, 30000);
    t.ok(first.timeline.some((e) => e.kind === 'taker_hung_up'), 'taker_hung_up on the timeline');
    await waitFor('seat 1101 ready again on the same connection', async () => (await seat('1101')).state === 'ready', 10000);
    t.equal(await state(page, 'phone-call'), 'talking', 'the connection stays up for the next call');
  });

  await t.test("the recording of record holds the browser's tone and the caller's voice", async (t) => {
    const recorded = first.timeline.find((e) => e.kind === 'recorded')!.detail as { path: string };
    const tones = tonesInRecording(readFileSync(join(storage, recorded.path)), [CALLER_HZ, BROWSER_HZ]);
    t.comment(`blocks with the caller's ${CALLER_HZ} Hz: ${(tones[CALLER_HZ] * 100).toFixed(0)} %, with the browser's ${BROWSER_HZ} Hz: ${(tones[BROWSER_HZ] * 100).toFixed(0)} %`);
    t.ok(tones[CALLER_HZ] > 0.5, 'the caller is heard through most of the recording');
    t.ok(tones[BROWSER_HZ] > 0.5, 'and so is the call-taker in the browser');
  });

  await t.test('a tab closed mid-call: its caller goes back to the head of the queue', async (t) => {
    const lost = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13900000102', '-set', 'hold_s', '12', '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    await waitFor('answered by the browser', async () => (await incidentOf('13900000102'))?.answeredAt, 15000);
    // A second caller waits behind: the browser seat is busy and the SIP seat logged out.
    const later = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13900000103', '-set', 'hold_s', '3', '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    await waitFor('the second caller waiting', async () => incidentOf('13900000103'), 10000);
    const closedAt = Date.now();
    await page.close();
    await waitFor('seat 1101 logged out', async () => (await seat('1101')).state === 'logged_out', 15000);
    t.comment(`the seat was logged out ${Date.now() - closedAt} ms after the tab closed`);
    t.equal((await api(boss, 'POST', '/seats/1001/login')).status, 200, 'the SIP seat logs in');
    t.equal(await lost.done, 0, 'the first caller was never dropped');
    t.equal(await later.done, 0, 'nor the one behind');
    const a = (await incidentOf('13900000102'))!;
    const b = (await waitFor('the second caller answered', async () => { const b = await incidentOf('13900000103'); return b?.answeredAt ? b : undefined; }))!;
    const answers = a.timeline.filter((e) => e.kind === 'answered').map((e) => `${e.detail.seat}/${e.detail.delivery}`);
    t.same(answers, ['1101/nailed', '1001/ring'], 'answered by the browser, then by the SIP seat');
    t.ok(a.timeline.some((e) => e.kind === 'seat_lost'), 'the lost connection is on the timeline');
    const again = a.timeline.filter((e) => e.kind === 'answered')[1]!.at;
    t.ok(b.answeredAt! > again, 'the caller back from the tab went first: ahead of one who had waited since');
    const events = (await api<{ seatId: string; kind: string }[]>(boss, 'GET', '/seats/events?limit=200')).body;
    t.ok(events.some((e) => e.seatId === '1101' && e.kind === 'connection_lost'), 'supervisors see the connection lost');
  });

  await t.test('a tab that dies without a goodbye (renderer crash): Asterisk notices, the caller is answered elsewhere', async (t) => {
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${service.url}/ui/console.html`); // the session cookie is still there
    await page.waitForFunction(() => document.getElementById('phone-link')?.dataset.state === 'registered', undefined, { timeout: 15000 });
    await waitFor('seat 1101 reachable', async () => (await seat('1101')).reachable, 15000);
    t.equal((await api(boss, 'POST', '/seats/1001/logout')).status, 200, 'the SIP seat steps away for now');
    await shortcut(page, 'Alt+I');
    await waitFor('seat 1101 ready', async () => (await seat('1101')).state === 'ready', 15000);
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13900000104', '-set', 'hold_s', '20', '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    await waitFor('answered by the browser', async () => (await incidentOf('13900000104'))?.answeredAt, 15000);
    const crashedAt = Date.now();
    const cdp = await context.newCDPSession(page);
    void cdp.send('Page.crash').catch(() => undefined); // never answered: the renderer is gone
    await waitFor('seat 1101 logged out', async () => (await seat('1101')).state === 'logged_out', 15000);
    const lostMs = Date.now() - crashedAt;
    t.ok(lostMs < 10000, `the dead connection was dropped ${lostMs} ms after the crash (its WebSocket closed with the renderer; qualify alone would take up to ~7 s)`);
    t.equal((await api(boss, 'POST', '/seats/1001/login')).status, 200);
    t.equal(await caller.done, 0, 'the caller was never dropped');
    const answers = (await incidentOf('13900000104'))!.timeline.filter((e) => e.kind === 'answered').map((e) => `${e.detail.seat}/${e.detail.delivery}`);
    t.same(answers, ['1101/nailed', '1001/ring'], 'answered by the browser, then by the SIP seat');
  });

  await t.test('signed in again, the page registers and logs in once more', async (t) => {
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${service.url}/ui/console.html`);
    await page.waitForFunction(() => document.getElementById('phone-link')?.dataset.state === 'registered', undefined, { timeout: 15000 });
    await waitFor('seat 1101 reachable', async () => (await seat('1101')).reachable, 15000);
    await shortcut(page, 'Alt+I');
    await waitFor('seat 1101 ready', async () => (await seat('1101')).state === 'ready', 15000);
    await shortcut(page, 'Alt+O');
    await waitFor('seat 1101 logged out', async () => (await seat('1101')).state === 'logged_out', 10000);
    await page.waitForFunction(() => document.getElementById('phone-call')?.dataset.state === 'idle');
    t.equal(await state(page, 'phone-link'), 'registered', 'log-out ends the connection; the phone stays registered');
  });

  await t.test('a ringing browser seat: the call rings the page, Alt+A answers, hang-up ends it', async (t) => {
    t.equal((await api(boss, 'POST', '/seats/1001/logout')).status, 200, 'the SIP seat steps away');
    const other = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    other.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(other, service.url, { name: 'zhao', password: 'zhao-password-1' });
    await other.waitForFunction(() => document.getElementById('phone-link')?.dataset.state === 'registered', undefined, { timeout: 15000 });
    await waitFor('seat 1102 reachable', async () => (await seat('1102')).reachable, 15000);
    await shortcut(other, 'Alt+R');
    await waitFor('seat 1102 ready', async () => (await seat('1102')).state === 'ready', 10000);
    t.equal(await state(other, 'phone-call'), 'idle', 'no connection between calls');
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13900000105', '-set', 'hold_s', '30', '-m', '1', '-l', '1', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    await other.waitForFunction(() => document.getElementById('phone-call')?.dataset.state === 'incoming', undefined, { timeout: 10000 });
    t.equal((await seat('1102')).state, 'ringing', 'the page rings (no auto-answer asked for this seat)');
    await shortcut(other, 'Alt+A');
    await other.waitForFunction(() => document.getElementById('phone-call')?.dataset.state === 'talking', undefined, { timeout: 10000 });
    const inc = await waitFor('answered', async () => { const i = await incidentOf('13900000105'); return i?.answeredAt ? i : undefined; }, 10000);
    t.match(inc, { seatId: '1102', delivery: 'ring' }, 'answered by the browser seat, by its key');
    await shortcut(other, 'Alt+U');
    t.equal(await caller.done, 0, 'hang-up: the caller got a BYE');
    await other.waitForFunction(() => document.getElementById('phone-call')?.dataset.state === 'idle');
    t.ok((await waitFor('ended', async () => { const i = await incidentOf('13900000105'); return i?.endedAt ? i : undefined; }, 10000)).timeline.some((e) => e.kind === 'taker_hung_up'), 'taker_hung_up on the timeline');
    await other.close();
  });

  t.same(pageErrors, [], 'no script error on the page');
  await Promise.all([sipSeat.kill(), officer.kill()]);
  t.comment(`whole test: ${((Date.now() - started) / 1000).toFixed(0)} s`);
});
