// Live monitoring and instant recall through a real Asterisk. Caller (440 Hz), call-taker seat
// (1000 Hz) and supervisor (1800 Hz) each send their own tone; the RTP Asterisk sends to each
// SIPp phone is captured (test/support/rtp-audio.ts) and checked for who hears whom, per phase.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, sleep, type Service, type Sandbox } from '../support/harness';
import { captureRtp, tonesHeard } from '../support/rtp-audio';

const CALLER = 440;
const SEAT = 1000;
const SUPERVISOR = 1800;
const TONES = [CALLER, SEAT, SUPERVISOR];
/** A tone counts as heard above this share of the energy, as absent below the other. */
const HEARD = 0.1;
const ABSENT = 0.02;

const tone = (file: string, effects: string[]) => execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'a-law', file, ...effects]);
const request = async (service: Service, method: string, path: string, body?: unknown) => {
  const res = await fetch(service.url + path, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
};
const nothingLeft = async (sandbox: Sandbox) => /^0 active channels/m.test(await sandbox.cli('core show channels count')) && !/cti110-/.test(await sandbox.cli('bridge show all'));

t.test('live monitoring and instant recall', async (t) => {
  const logDir = workDir(t);
  // The supervisor's phone streams "seat-audio.wav" from its own folder: a 1800 Hz tone there.
  const supDir = join(logDir, 'supervisor');
  mkdirSync(supDir, { recursive: true });
  tone(join(supDir, 'seat-audio.wav'), ['synth', '3', 'sine', String(SUPERVISOR), 'vol', '0.5']);
  // A caller who says something (440 Hz) for 3 s, then is silent: what a recall must bring back.
  const quietDir = join(logDir, 'quiet-caller');
  mkdirSync(quietDir, { recursive: true });
  tone(join(quietDir, 'caller-audio.wav'), ['synth', '3', 'sine', String(CALLER), 'vol', '0.5', 'pad', '0', '40']);

  const sandbox = await startAsterisk(t, 'monitoring');
  // Recall reaches 15 s back over 10 s segments: a recall 12 s into a call plays three of them.
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: [
      { id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true },
      { id: '1002', endpoint: 'PJSIP/1002', autoAnswer: true },
    ],
    monitoring: { supervisors: [{ id: '3001', endpoint: 'PJSIP/3001' }, { id: '3002', endpoint: 'PJSIP/3002' }], answerMs: 10000, recallSeconds: 15, recallSegmentMs: 10000 },
  });
  const seat = await seatPhone(t, sandbox, '1001', { logDir, stayS: 120, answerMs: 200 });
  const supervisor = await seatPhone(t, sandbox, '3001', { logDir: supDir, stayS: 120, answerMs: 300, password: 'supervisor-3001-dev' });
  await registered(sandbox, '1001');
  await registered(sandbox, '3001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  await post(service, '/seats/1001/login');
  const [rtpStart, rtpEnd] = [Number(sandbox.env.AST_RTP_START), Number(sandbox.env.AST_RTP_END)];
  const talking = (prefix: string) =>
    waitFor('the call answered', async () => {
      const [inc] = await incidentsOf(service, prefix);
      return inc?.answeredAt ? inc : undefined;
    });
  const timeline = async (prefix: string) => (await incidentsOf(service, prefix))[0].timeline;
  const connected = (id: string) => waitFor('the supervisor connected', async () => (await request(service, 'GET', `/monitoring/${id}`)).body.state === 'connected', 15000);

  await t.test('listen, whisper and barge from the supervisor phone', async (t) => {
    const capture = await captureRtp(t, join(logDir, 'monitoring.pcap'), rtpStart, rtpEnd);
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13300000001', '-set', 'hold_s', '28', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13300000001');

    const bad = async (body: unknown) => request(service, 'POST', '/monitoring', body);
    t.match(await bad({ incident: '20000101-000001', mode: 'listen', supervisor: '3001' }), { status: 404, body: { error: 'INCIDENT_NOT_FOUND' } }, 'unknown incident');
    t.match(await bad({ seat: '9999', mode: 'listen', supervisor: '3001' }), { status: 404, body: { error: 'SEAT_NOT_FOUND' } }, 'unknown seat');
    t.match(await bad({ incident: inc.number, mode: 'spy', supervisor: '3001' }), { status: 400, body: { error: 'BAD_REQUEST' } }, 'bad mode');
    t.match(await bad({ incident: inc.number, mode: 'listen', supervisor: '3999' }), { status: 404, body: { error: 'SUPERVISOR_NOT_FOUND' } }, 'unknown supervisor');
    t.match(await bad({ incident: inc.number, mode: 'listen', supervisor: '3002' }), { status: 409, body: { error: 'SUPERVISOR_UNAVAILABLE' } }, 'a supervisor whose phone is not registered');
    t.match(await bad({ incident: inc.number, seat: '1001', mode: 'listen', supervisor: '3001' }), { status: 400 }, 'incident and seat at once');

    // By seat: the supervisor watching the floor picks a position.
    const started = await bad({ seat: '1001', mode: 'listen', supervisor: '3001' });
    t.match(started, { status: 201, body: { incident: inc.number, seat: '1001', mode: 'listen', state: 'ringing' } });
    const id = started.body.id as string;
    await connected(id);
    const listen = [Date.now() + 700, Date.now() + 3500];
    await sleep(3500);
    t.match(await request(service, 'PUT', `/monitoring/${id}/mode`, { mode: 'whisper' }), { status: 200, body: { mode: 'whisper' } });
    const whisper = [Date.now() + 700, Date.now() + 3500];
    await sleep(3500);
    t.match(await request(service, 'PUT', `/monitoring/${id}/mode`, { mode: 'barge' }), { status: 200, body: { mode: 'barge' } });
    const barge = [Date.now() + 700, Date.now() + 3000];
    await sleep(3000);
    t.equal((await request(service, 'DELETE', `/monitoring/${id}`)).status, 204, 'stopped by REST');
    await waitFor('the supervisor phone hung up', () => readSeatLog(supervisor.logFile).filter((l) => l.event === 'bye').length === 1);
    t.match(await request(service, 'PUT', `/monitoring/${id}/mode`, { mode: 'listen' }), { status: 404, body: { error: 'MONITORING_NOT_FOUND' } }, 'a stopped session is gone');

    // The supervisor hangs up (here: Asterisk drops their channel, as on a BYE): the session ends.
    const hungUp = await bad({ incident: inc.number, mode: 'whisper', supervisor: '3001' });
    await connected(hungUp.body.id as string);
    const supChannel = /^(PJSIP\/3001-[0-9a-f]+)!/m.exec(await sandbox.cli('core show channels concise'))![1];
    await sandbox.cli(`channel request hangup ${supChannel}`);
    await waitFor('the session ended', async () => (await request(service, 'GET', `/monitoring/${hungUp.body.id as string}`)).status === 404);
    // Left: the caller, the seat, the recall snoop and the recorders of record (Recorder/ARI).
    await waitFor('no supervisor leg, monitoring snoop or bridge left', async () => {
      const seen = (await sandbox.cli('core show channels concise')) + (await sandbox.cli('bridge show all'));
      return seen.includes(inc.number) && !/PJSIP\/3001-|cti110-snoop-|cti110-monitor-/.test(seen);
    }, 10000);
    t.pass('supervisor hung up: their leg, snoop and bridge gone, the call goes on');

    // Listening again, by incident this time, until the caller hangs up: the monitoring ends with the call.
    const again = await bad({ incident: inc.number, mode: 'listen', supervisor: '3001' });
    t.equal(again.status, 201);
    await connected(again.body.id as string);
    t.equal(await caller.done, 0, 'the caller talked on to the end, undisturbed');
    await waitFor('the supervisor phone hung up with the call', () => readSeatLog(supervisor.logFile).filter((l) => l.event === 'bye').length === 3);
    await waitFor('no channel or bridge left in Asterisk', () => nothingLeft(sandbox), 15000);
    t.pass('call over: supervisor leg, snoop channels and bridges gone');
    t.match(await bad({ incident: inc.number, mode: 'listen', supervisor: '3001' }), { status: 409, body: { error: 'CALL_NOT_LIVE' } }, 'the call is not live any more');

    const events = (await timeline('13300000001')).filter((e) => e.kind.startsWith('monitoring_'));
    t.match(
      events.map((e) => ({ kind: e.kind, ...e.detail })),
      [
        { kind: 'monitoring_started', supervisor: '3001', mode: 'listen', seat: '1001' },
        { kind: 'monitoring_mode', supervisor: '3001', from: 'listen', to: 'whisper' },
        { kind: 'monitoring_mode', supervisor: '3001', from: 'whisper', to: 'barge' },
        { kind: 'monitoring_ended', supervisor: '3001', reason: 'stopped' },
        { kind: 'monitoring_started', supervisor: '3001', mode: 'whisper' },
        { kind: 'monitoring_ended', supervisor: '3001', reason: 'supervisor_hung_up' },
        { kind: 'monitoring_started', supervisor: '3001', mode: 'listen' },
        { kind: 'monitoring_ended', supervisor: '3001', reason: 'call_ended' },
      ],
      'every session on the timeline: who, mode, why it ended',
    );

    const packets = await capture.stop();
    const heard = (port: number, [from, to]: number[]) => tonesHeard(packets, port, from, to, TONES);
    const report = (name: string, h: Record<number, number>) => `${name}: ${TONES.map((f) => `${f} Hz ${h[f].toFixed(2)}`).join(', ')}`;
    t.ok(packets.length > 0, `RTP captured (${packets.length} packets)`);
    const l = { caller: heard(caller.mediaPort, listen), seat: heard(seat.mediaPort, listen), supervisor: heard(supervisor.mediaPort, listen) };
    t.ok(l.supervisor[CALLER] > HEARD && l.supervisor[SEAT] > HEARD, `listen: the supervisor hears caller and call-taker (${report('supervisor', l.supervisor)})`);
    t.ok(l.seat[CALLER] > HEARD && l.seat[SUPERVISOR] < ABSENT, `listen: the call-taker hears the caller, not the supervisor (${report('seat', l.seat)})`);
    t.ok(l.caller[SEAT] > HEARD && l.caller[SUPERVISOR] < ABSENT, `listen: the caller hears the call-taker, not the supervisor (${report('caller', l.caller)})`);
    const w = { caller: heard(caller.mediaPort, whisper), seat: heard(seat.mediaPort, whisper), supervisor: heard(supervisor.mediaPort, whisper) };
    t.ok(w.seat[SUPERVISOR] > HEARD, `whisper: the call-taker hears the supervisor (${report('seat', w.seat)})`);
    t.ok(w.seat[CALLER] > HEARD, 'whisper: and still the caller');
    t.ok(w.caller[SUPERVISOR] < ABSENT, `whisper: the caller does NOT hear the supervisor (${report('caller', w.caller)})`);
    t.ok(w.caller[SEAT] > HEARD, 'whisper: the caller still hears the call-taker');
    t.ok(w.supervisor[CALLER] > HEARD && w.supervisor[SEAT] > HEARD, `whisper: the supervisor hears both (${report('supervisor', w.supervisor)})`);
    const b = { caller: heard(caller.mediaPort, barge), seat: heard(seat.mediaPort, barge) };
    t.ok(b.caller[SUPERVISOR] > HEARD && b.seat[SUPERVISOR] > HEARD, `barge: caller and call-taker hear the supervisor (${report('caller', b.caller)}; ${report('seat', b.seat)})`);
  });

  await t.test('instant recall: the call-taker re-hears what the caller said, the recording of record goes on', async (t) => {
    // This call goes to seat 1002, whose call-taker also presses *2 on the headset 12 s in.
    t.equal((await post(service, '/seats/1001/logout')).status, 200);
    const taker = await seatPhone(t, sandbox, '1002', { logDir, stayS: 60, answerMs: 200, recallKeysAfterMs: 12000 });
    await registered(sandbox, '1002');
    await waitFor('1002 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1002')).body.reachable);
    await post(service, '/seats/1002/login');
    const capture = await captureRtp(t, join(logDir, 'recall.pcap'), rtpStart, rtpEnd);
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13300000002', '-set', 'hold_s', '20', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir: quietDir });
    const inc = await talking('13300000002');
    t.match(await request(service, 'POST', '/incidents/20000101-000001/recall'), { status: 404, body: { error: 'INCIDENT_NOT_FOUND' } }, 'unknown incident');
    t.match(await request(service, 'POST', `/incidents/${inc.number}/recall?seconds=0`), { status: 400 }, 'a bad number of seconds');
    // The caller's 3 s of speech are long over by now; the call-taker hears silence.
    await sleep(inc.answeredAt! + 8000 - Date.now());
    const recallAt = Date.now();
    const recalled = await request(service, 'POST', `/incidents/${inc.number}/recall`);
    t.equal(recalled.status, 202);
    t.ok((recalled.body.heardMs as number) > 6000 && (recalled.body.heardMs as number) < 9000, `the whole call so far is replayed (${recalled.body.heardMs} ms: it is younger than 15 s)`);
    t.equal(await caller.done, 0, 'the caller stayed on to the end');
    const done = await waitFor('the recording of record stored', async () => {
      const [x] = await incidentsOf(service, '13300000002');
      return x?.endedAt && x.timeline.some((e) => e.kind === 'recorded') ? x : undefined; // stored just before the end is stamped
    }, 30000);
    t.match(await request(service, 'POST', `/incidents/${inc.number}/recall`), { status: 409, body: { error: 'CALL_NOT_LIVE' } }, 'no recall once the call is over');
    const recordings = done.timeline.filter((e) => e.kind === 'recorded');
    t.equal(recordings.length, 1, 'one recording of record, not cut by the recall');
    const callMs = done.endedAt! - done.answeredAt!;
    // Margin: a starved Asterisk on a busy machine drops some frames (seen: 2.4 s of 20 s under a
    // load of 24); a recording cut by the recall, 8 s in, would be 12 s short.
    t.ok(Math.abs((recordings[0].detail.durationMs as number) - callMs) < 3500, `it lasts the whole call (${recordings[0].detail.durationMs} ms vs ${callMs} ms)`);
    const recalls = done.timeline.filter((e) => e.kind === 'recall');
    t.same(recalls.map((e) => `${e.detail.via as string}:${e.detail.seat as string}`), ['rest:1002', 'dtmf:1002'], 'both recalls on the timeline: by REST, then one by *2 on the headset (one press, one replay)');
    const byKey = recalls[1];
    t.ok((byKey.detail.heardMs as number) > 11000, `the *2 recall spans the segments rotated since (${byKey.detail.heardMs} ms)`);
    t.ok(readSeatLog(taker.logFile).some((l) => l.event === 'recall_keys'), 'the call-taker pressed *2');
    await waitFor('no channel or bridge left in Asterisk', () => nothingLeft(sandbox), 15000);
    const stored = await fetch(`http://127.0.0.1:${sandbox.httpPort}/ari/recordings/stored`, { headers: { authorization: `Basic ${Buffer.from('cti110:cti110-dev-secret').toString('base64')}` } });
    t.notOk(((await stored.json()) as { name: string }[]).some((r) => r.name.startsWith('recall_')), 'the rolling recall segments are deleted with the call');

    const packets = await capture.stop();
    const before = tonesHeard(packets, taker.mediaPort, inc.answeredAt! + 4500, recallAt, TONES);
    const after = tonesHeard(packets, taker.mediaPort, recallAt + 400, recallAt + 2400, TONES);
    const callerHeard = tonesHeard(packets, caller.mediaPort, recallAt + 400, recallAt + 2400, TONES);
    t.ok(before[CALLER] < ABSENT, `before the recall the call-taker hears no caller tone (${before[CALLER].toFixed(3)})`);
    t.ok(after[CALLER] > HEARD, `after the recall the call-taker hears the caller's earlier words again (${after[CALLER].toFixed(3)})`);
    t.ok(callerHeard[CALLER] < ABSENT, `the caller does not hear the replay (${callerHeard[CALLER].toFixed(3)})`);
    const afterKey = tonesHeard(packets, taker.mediaPort, byKey.at + 200, byKey.at + 2400, TONES);
    t.ok(afterKey[CALLER] > HEARD, `after * the call-taker hears the start of the call again, played over several segments (${afterKey[CALLER].toFixed(3)})`);
    await taker.kill();
  });

  await Promise.all([seat.kill(), supervisor.kill()]);
});
