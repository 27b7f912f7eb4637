// Flat dispatch from the caller's own location (RFC 6442 Geolocation + PIDF-LO on the INVITE),
// through a real Asterisk: the nearest on-duty free officer is rung (not a nearer off-duty one),
// the three talk in one recorded bridge, the officer is busy on the incident and reports from
// the terminal, and the unit's webhook gets the incident even though it was down at the time.
import t, { type Test } from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, registered, post, type Service } from '../support/harness';
import { dtmfPcap } from '../support/dtmf-pcap';
import { toneShare } from '../support/rtp-audio';

const dutyOf = async (service: Service, id: string) => (await service.get<{ id: string; duty: string }[]>('/officers')).body.find((o) => o.id === id)?.duty;
const put = async (service: Service, path: string, body: unknown) => (await fetch(service.url + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

/** The samples of a WAV file Asterisk recorded (format wav: 8 kHz signed linear, 16-bit). */
function pcm(wav: Buffer): Int16Array {
  const data = wav.indexOf('data', 12);
  if (wav.readUInt16LE(20) !== 1 || wav.readUInt16LE(34) !== 16 || data < 0) throw new Error('not a 16-bit PCM WAV');
  const start = data + 8;
  return new Int16Array(wav.buffer.slice(wav.byteOffset + start, wav.byteOffset + start + ((wav.length - start) & ~1)));
}

interface Push {
  key: string | undefined;
  body: { incident: string; to: string; location: { lon: number; lat: number }; callerNumber: string };
}

/**
 * The unit's system: down (503) until up() is called, then records every push. It listens from the
 * start and keeps its port: closing it and listening again later on the same port lost the port to
 * another process once (EADDRINUSE), and every following subtest waited for its leftovers.
 */
async function unitReceiver() {
  const pushes: Push[] = [];
  let up = false;
  const read = (req: IncomingMessage) => new Promise<string>((r) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => r(text));
  });
  const server = createServer(async (req, res) => {
    const text = await read(req);
    if (!up) return void res.writeHead(503).end();
    pushes.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(text) as Push['body'] });
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/incidents`,
    pushes,
    up: () => void (up = true),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

t.test('dispatch from the location on the INVITE', async (t) => {
  const logDir = workDir(t);
  // The officer's phone plays 1800 Hz (seats play 1000 Hz, callers 440 Hz): so the recording
  // can show that the officer's own audio is in it.
  const officerDir = join(logDir, 'officer');
  mkdirSync(officerDir, { recursive: true });
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'a-law', join(officerDir, 'seat-audio.wav'), 'synth', '3', 'sine', '1800', 'vol', '0.5']);
  const receiver = await unitReceiver();
  t.teardown(() => receiver.close());
  // The location lookup service by caller number: knows one number.
  const lookup = createServer((req, res) => {
    const number = new URL(req.url ?? '/', 'http://x').searchParams.get('number');
    if (number === '13300000002') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ lon: 116.399, lat: 39.908, accuracyM: 500 }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => lookup.listen(0, '127.0.0.1', () => r()));
  const lookupPort = (lookup.address() as AddressInfo).port;
  t.teardown(() => new Promise<void>((r) => lookup.close(() => r())));

  const sandbox = await startAsterisk(t, 'dispatchloc');
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: [
      { id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true },
      { id: '1002', endpoint: 'PJSIP/1002', autoAnswer: true },
    ],
    dispatch: { maxPositionAgeMs: 600000, answerMs: 5000, unitWebhooks: { PS1: receiver.url }, lookupUrl: `http://127.0.0.1:${lookupPort}/locate`, lookupTimeoutMs: 1000, fraudEndpoint: 'PJSIP/96110@trunk12345' },
  });
  const seat = await seatPhone(t, sandbox, '1001', { logDir, stayS: 110, answerMs: 200 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  await post(service, '/seats/1001/login');
  // The caller will say 39.9052 N 116.3851 E (cell A1). Officer 2004 stands right there but is
  // off duty; 2001, on duty, is about 360 m away; 2002 further still.
  t.equal(await put(service, '/officers/2004/position', { lon: 116.3851, lat: 39.9052 }), 200);
  t.equal(await put(service, '/officers/2004/duty', { duty: 'off_duty' }), 200);
  t.equal(await put(service, '/officers/2001/position', { lon: 116.3855, lat: 39.9050 }), 200);
  t.equal(await put(service, '/officers/2002/position', { lon: 116.3990, lat: 39.9080 }), 200);

  // A subtest that fails midway must not leave the next ones waiting on what it left: a call still
  // up on seat 1001, an officer still busy on its incident. Each subtest's teardown clears both.
  const leaveClean = (t: Test, ...callers: string[]) =>
    t.teardown(async () => {
      await sandbox.cli('channel request hangup all');
      for (const caller of callers) for (const inc of await incidentsOf(service, caller)) await post(service, `/incidents/${inc.number}/release`);
    });

  const talking = (prefix: string) =>
    waitFor(`${prefix} answered`, async () => {
      const [inc] = await incidentsOf(service, prefix);
      return inc?.answeredAt ? inc : undefined;
    });

  await t.test('the nearest on-duty free officer joins caller and call-taker, recorded; the unit gets the incident once back up', async (t) => {
    leaveClean(t, '13300000001');
    const officer = await seatPhone(t, sandbox, '2001', { logDir: officerDir, stayS: 60, answerMs: 200, password: 'officer-2001-dev' });
    await registered(sandbox, '2001');
    const caller = await sipp(t, 'caller-geo.xml', ['-s', '110', '-key', 'callerid', '13300000001', '-key', 'pos', '39.9052 116.3851', '-key', 'radius', '35', '-set', 'hold_s', '14', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13300000001');
    const located = await waitFor('location on the timeline', async () => (await incidentsOf(service, '13300000001'))[0]?.timeline.find((e) => e.kind === 'location'));
    t.match(located.detail, { source: 'sip-pidf', lon: 116.3851, lat: 39.9052, accuracyM: 35, method: 'GPS' }, 'the location from the INVITE, with its source and accuracy');

    // No location in the request: the one the call brought is used.
    const started = await post<{ targets: { kind: string; id: string }[] }>(service, `/incidents/${inc.number}/dispatch`);
    t.equal(started.status, 202);
    t.same(started.body.targets[0], { kind: 'officer', id: '2001' }, 'the nearest on-duty officer first, not the nearer off-duty 2004');
    t.notOk(started.body.targets.some((x) => x.id === '2004'), 'the off-duty officer is never rung');
    await waitFor('officer joined', async () => (await incidentsOf(service, '13300000001'))[0]?.timeline.some((e) => e.kind === 'officer_joined'));
    const bridge = await waitFor('three in the bridge', async () => {
      const out = await sandbox.cli(`bridge show cti110-${inc.number}`);
      // The fourth channel is Asterisk's recorder of the bridge.
      return ['trunk110', '1001', '2001'].every((who) => new RegExp(`Channel: PJSIP/${who}-`).test(out)) ? out : undefined;
    });
    t.pass(`caller, call-taker and officer in one bridge (${/Num-Channels: \d+/.exec(bridge)?.[0]}, with the recorder)`);
    t.equal(await dutyOf(service, '2001'), 'busy', 'the officer is busy on the incident');
    const nearest = (await service.get<{ candidates: { id: string }[]; skipped: { id: string; reason: string }[] }>('/dispatch/nearest?lon=116.3851&lat=39.9052')).body;
    t.notOk(nearest.candidates.some((c) => c.id === '2001'), 'and not offered for another incident');
    t.ok(nearest.skipped.some((s) => s.id === '2001' && s.reason === 'busy'));

    // The unit's system was down at dispatch: the push waits in the outbox.
    await waitFor('push queued', async () => (await incidentsOf(service, '13300000001'))[0]?.timeline.some((e) => e.kind === 'unit_notified'));
    t.equal(receiver.pushes.length, 0);
    receiver.up();
    await waitFor('unit webhook delivered', () => receiver.pushes.length > 0, 40000);

    t.equal(await caller.done, 0, 'the caller talked until hanging up');
    const rec = await waitFor('recording stored', async () => (await service.get<{ items: { id: number }[] }>(`/recordings?incident=${inc.number}`)).body.items[0], 30000);
    const wav = Buffer.from(await (await fetch(`${service.url}/recordings/${rec.id}/audio`, { headers: { 'X-User': 'test' } })).arrayBuffer());
    const samples = Float64Array.from(pcm(wav), (x) => x / 32768);
    const power = (hz: number) => toneShare(samples, hz);
    const officerTone = power(1800);
    const silence = power(3300);
    t.ok(officerTone > 20 * silence, `the recording has the officer's audio in it (1800 Hz ${officerTone.toExponential(1)} vs ${silence.toExponential(1)} at 3300 Hz)`);
    t.ok(power(440) > 20 * silence, "and the caller's");
    const meta = (await service.get<{ sha256: string; durationMs: number }>(`/recordings/${rec.id}`)).body;
    t.equal(createHash('sha256').update(wav).digest('hex'), meta.sha256, 'the stored SHA-256 matches the file');
    const ended = await waitFor('incident ended', async () => (await incidentsOf(service, '13300000001'))[0]?.endedAt ? (await incidentsOf(service, '13300000001'))[0] : undefined);
    const bridgedMs = ended.endedAt! - ended.answeredAt!;
    t.ok(Math.abs(meta.durationMs - bridgedMs) < 1000, `one recording for the whole conference call: ${meta.durationMs} ms vs ${bridgedMs} ms bridged`);

    const record = (await service.get<{ location: { source: string; accuracyM: number }; officerId: string; unitId: string; dispatchAt: number; officerAnsweredAt: number; officerTalkMs: number }>(`/incidents/${inc.number}/dispatch`)).body;
    t.match(record, { location: { source: 'sip-pidf', accuracyM: 35 }, officerId: '2001', unitId: 'PS1' }, 'the incident keeps location, officer and unit');
    t.ok(record.dispatchAt <= record.officerAnsweredAt && record.officerTalkMs < 30000, `caller and officer talking ${record.officerTalkMs} ms after arrival`);
    t.equal((await post(service, `/incidents/${inc.number}/on-scene`, { officer: '2001' })).status, 409, 'on scene before signed for: 409');
    t.equal((await post(service, `/incidents/${inc.number}/signed-for`, { officer: '2002' })).status, 409, 'another officer cannot sign for it');
    t.equal((await post(service, `/incidents/${inc.number}/signed-for`, { officer: 'nobody' })).status, 404);
    t.equal((await post(service, `/incidents/${inc.number}/signed-for`, { officer: '2001' })).status, 200, 'signed for');
    t.equal((await post(service, `/incidents/${inc.number}/signed-for`, { officer: '2001' })).status, 409, 'only once');
    t.equal((await post(service, `/incidents/${inc.number}/on-scene`, {})).status, 400, 'no officer: 400');
    t.equal((await post(service, `/incidents/${inc.number}/on-scene`, { officer: '2001' })).status, 200, 'on scene');
    const stats = (await service.get<{ dispatched: number; answered: number; within30sPct: number }>('/stats/dispatch')).body;
    t.match(stats, { dispatched: 1, answered: 1, within30sPct: 100 }, 'arrival to officer reported in stats');
    t.equal((await post(service, `/incidents/${inc.number}/release`)).status, 200, 'the officer is released');
    t.equal(await dutyOf(service, '2001'), 'on_duty');

    t.equal(receiver.pushes.length, 1, 'the unit got the incident exactly once');
    t.match(receiver.pushes[0], { key: `unit-PS1-${inc.number}`, body: { incident: inc.number, to: 'PS1', callerNumber: '13300000001', location: { lon: 116.3851, lat: 39.9052 } } });
    await officer.kill();
  });

  await t.test('an unreadable location: the call goes on, the lookup by number is asked instead', async (t) => {
    leaveClean(t, '13300000002');
    const caller = await sipp(t, 'caller-geo.xml', ['-s', '110', '-key', 'callerid', '13300000002', '-key', 'pos', '39.9 <broken', '-key', 'radius', '35', '-set', 'hold_s', '3', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    await talking('13300000002');
    t.equal(await caller.done, 0, 'answered by the call-taker and ended normally');
    const [inc] = await incidentsOf(service, '13300000002');
    t.match(inc.timeline.find((e) => e.kind === 'location_unusable')?.detail, { source: 'sip-pidf', header: '<cid:caller-loc@cti110.test>' }, 'a timeline note says the location could not be read');
    const fromLookup = await waitFor('lookup location', async () => (await incidentsOf(service, '13300000002'))[0]?.timeline.find((e) => e.kind === 'location'));
    t.match(fromLookup.detail, { source: 'lookup', lon: 116.399, lat: 39.908, accuracyM: 500 });
  });

  await t.test('telecom fraud: the anti-fraud centre is rung into the call before any officer', async (t) => {
    leaveClean(t, '13300000004');
    const centre = await sipp(t, 'trunk-callee.xml', ['-set', 'answer_ms', '300', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, ip: '127.0.0.3', port: sandbox.trunk12345Port, logDir });
    const caller = await sipp(t, 'caller-geo.xml', ['-s', '110', '-key', 'callerid', '13300000004', '-key', 'pos', '39.9052 116.3851', '-key', 'radius', '35', '-set', 'hold_s', '8', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13300000004');
    t.equal((await post(service, `/incidents/${inc.number}/classify`, { police: true, category: 'telecom_fraud' })).status, 200);
    const started = await post<{ targets: { kind: string; id: string }[] }>(service, `/incidents/${inc.number}/dispatch`);
    t.same(started.body.targets.slice(0, 2), [{ kind: 'anti_fraud', id: 'anti-fraud' }, { kind: 'officer', id: '2001' }], 'the anti-fraud centre first, then the officers');
    const joined = await waitFor('anti-fraud centre joined', async () => (await incidentsOf(service, '13300000004'))[0]?.timeline.find((e) => e.kind === 'officer_joined'));
    t.match(joined.detail, { kind: 'anti_fraud' }, 'the anti-fraud centre is on the line with caller and call-taker');
    t.equal(await caller.done, 0);
    await centre.kill();
  });

  await t.test('a major category raises an alert for supervisors, once', async (t) => {
    const [plain] = await incidentsOf(service, '13300000001');
    const [major] = await incidentsOf(service, '13300000002');
    t.equal((await post(service, `/incidents/${plain.number}/classify`, { police: true, category: 'crime' })).status, 200);
    t.equal((await post(service, `/incidents/${major.number}/classify`, { police: true, category: 'robbery' })).status, 200);
    t.equal((await post(service, `/incidents/${major.number}/classify`, { police: true, category: 'robbery', summary: 'two armed men' })).status, 200);
    const alerts = (await service.get<{ incident: string; category: string }[]>('/dispatch/alerts')).body;
    t.match(alerts, [{ incident: major.number, category: 'robbery' }], 'one alert, for the robbery only');
    t.equal(alerts.length, 1);
  });

  await t.test("*1 from the call-taker's headset dispatches the nearest officer to the location the call brought", async (t) => {
    leaveClean(t, '13300000005');
    // This call-taker keys *1 two seconds after answering (RFC 4733 events from a pcap).
    writeFileSync(join(logDir, 'dtmf-star1.pcap'), dtmfPcap('*1'));
    await post(service, '/seats/1001/logout');
    await seat.kill();
    const keying = await seatPhone(t, sandbox, '1002', { logDir, stayS: 60, answerMs: 200, answerScenario: 'seat-multi-answer-dtmf.xml' });
    await registered(sandbox, '1002');
    await waitFor('1002 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1002')).body.reachable);
    await post(service, '/seats/1002/login');
    const officer = await seatPhone(t, sandbox, '2001', { logDir: officerDir, stayS: 60, answerMs: 200, password: 'officer-2001-dev' });
    await registered(sandbox, '2001');
    const caller = await sipp(t, 'caller-geo.xml', ['-s', '110', '-key', 'callerid', '13300000005', '-key', 'pos', '39.9052 116.3851', '-key', 'radius', '35', '-set', 'hold_s', '10', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13300000005');
    const joined = await waitFor('officer joined after *1', async () => (await incidentsOf(service, '13300000005'))[0]?.timeline.find((e) => e.kind === 'officer_joined'), 20000);
    t.match(joined.detail, { kind: 'officer', id: '2001' }, 'the nearest officer joined the call, nobody touched the screen');
    t.ok(joined.at - (inc.answeredAt ?? 0) >= 1500, `after the call-taker keyed *1 (${joined.at - (inc.answeredAt ?? 0)} ms after answering)`);
    t.equal(await caller.done, 0);
    t.equal(await dutyOf(service, '2001'), 'busy');
    const closed = await post<{ released: string | null }>(service, `/incidents/${inc.number}/close`);
    t.equal(closed.status, 200);
    t.equal(closed.body.released, '2001', 'closing the incident frees its officer');
    t.equal(await dutyOf(service, '2001'), 'on_duty');
    t.equal((await post(service, `/incidents/${inc.number}/close`)).status, 409, 'closed once');
    await Promise.all([officer.kill(), keying.kill()]);
  });
});
