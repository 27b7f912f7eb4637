// Interpreter on the line (外语接警) through a real Asterisk: the call-taker asks for a language,
// its interpreter lines are rung in order and the first to answer joins caller and call-taker
// (on the recording); the interpreter leaving, by hanging up or dismissed, never ends the call;
// when no line answers the call-taker is told and the call goes on.
// Tones: caller 440 Hz, call-taker seat 1000 Hz, interpreters 1800 Hz (their own folder).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, sleep, type Service, type IncidentView } from '../support/harness';
import { tonesInRecording } from '../support/rtp-audio';

const INTERPRETER_HZ = 1800;
const CALLER_HZ = 440;

const remove = async (service: Service, path: string) => {
  const res = await fetch(service.url + path, { method: 'DELETE' });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
};

t.test('interpreter on the line', async (t) => {
  const logDir = workDir(t);
  const interpDir = join(logDir, 'interpreters');
  mkdirSync(interpDir, { recursive: true });
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'a-law', join(interpDir, 'seat-audio.wav'), 'synth', '3', 'sine', String(INTERPRETER_HZ), 'vol', '0.5']);
  const storage = join(logDir, 'recordings');

  const sandbox = await startAsterisk(t, 'interpreting');
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }],
    recording: { storageDir: storage },
    // English: one line that answers. Russian: one that never answers, then one that does.
    interpreting: { languages: { en: ['PJSIP/2501'], ru: ['PJSIP/2502', 'PJSIP/2503'] }, answerMs: 3000 },
  });
  const seat = await seatPhone(t, sandbox, '1001', { logDir, stayS: 150, answerMs: 200 });
  // 2501 answers and hangs up itself 5 s later; 2502 rings until cancelled.
  const english = await seatPhone(t, sandbox, '2501', { logDir: interpDir, stayS: 150, password: 'interpreter-2501-dev', answerScenario: 'interpreter-answer.xml', extraArgs: ['-set', 'answer_ms', '300', '-set', 'hangup_s', '5'] });
  const silent = await seatPhone(t, sandbox, '2502', { logDir: interpDir, stayS: 150, answerMs: -1, password: 'interpreter-2502-dev' });
  await registered(sandbox, '1001');
  await registered(sandbox, '2501');
  await registered(sandbox, '2502');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  await post(service, '/seats/1001/login');
  t.same((await service.get<string[]>('/interpreting/languages')).body, ['en', 'ru'], 'the languages offered');

  const talking = (prefix: string) =>
    waitFor('the call answered', async () => {
      const [inc] = await incidentsOf(service, prefix);
      return inc?.answeredAt ? inc : undefined;
    });
  const stepOf = (prefix: string, kind: string, timeoutMs = 20000) =>
    waitFor(kind, async () => {
      const [inc] = await incidentsOf(service, prefix);
      return inc?.timeline.some((e) => e.kind === kind) ? inc : undefined;
    }, timeoutMs);
  const kinds = (inc: IncidentView) => inc.timeline.map((e) => e.kind);

  await t.test('the interpreter joins, is recorded, hangs up: caller and call-taker talk on', async (t) => {
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13400000001', '-set', 'hold_s', '16', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13400000001');
    t.match(await post(service, `/incidents/${inc.number}/interpreter`, { language: 'xx' }), { status: 404, body: { error: 'LANGUAGE_NOT_OFFERED' } }, 'an unknown language: a clear 4xx');
    t.match(await post(service, `/incidents/${inc.number}/interpreter`, { language: 'en' }), { status: 202, body: { language: 'en', lines: 1 } });
    t.match(await post(service, `/incidents/${inc.number}/interpreter`, { language: 'ru' }), { status: 409, body: { error: 'INTERPRETER_PRESENT' } }, 'one interpreter at a time');
    const joined = await stepOf('13400000001', 'interpreter_joined');
    t.match(joined.timeline.find((e) => e.kind === 'interpreter_joined')!.detail, { language: 'en', line: 'PJSIP/2501' });
    const left = await stepOf('13400000001', 'interpreter_left', 15000);
    t.match(left.timeline.find((e) => e.kind === 'interpreter_left')!.detail, { language: 'en', by: 'interpreter' }, 'the interpreter hung up');
    t.ok(readSeatLog(english.logFile).some((l) => l.event === 'bye' && l.by === 'self'), "the interpreter's own BYE");
    // The call goes on without them: still talking a few seconds later, until the caller hangs up.
    await sleep(2000);
    const [still] = await incidentsOf(service, '13400000001');
    t.notOk(still.endedAt, 'the call did not end with the interpreter');
    t.notOk(kinds(still).includes('taker_hung_up'));
    t.equal((await service.get<{ state: string }>('/seats/1001')).body.state, 'on_call', 'the call-taker is still on the call');
    t.equal(await caller.done, 0, 'the caller stayed until hanging up');
    const done = await waitFor('ended and its recording stored', async () => {
      const [x] = await incidentsOf(service, '13400000001');
      return x?.endedAt && x.timeline.some((e) => e.kind === 'recorded') ? x : undefined;
    }, 30000);
    const order = kinds(done);
    t.ok(order.indexOf('interpreter_requested') < order.indexOf('interpreter_ringing') && order.indexOf('interpreter_ringing') < order.indexOf('interpreter_joined') && order.indexOf('interpreter_joined') < order.indexOf('interpreter_left') && order.indexOf('interpreter_left') < order.indexOf('ended'), 'requested, ringing, joined, left, then the call ended');
    const shares = done.timeline
      .filter((e) => e.kind === 'recorded')
      .map((e) => tonesInRecording(readFileSync(join(storage, String(e.detail.path))), [CALLER_HZ, INTERPRETER_HZ]));
    const interpreter = Math.max(...shares.map((s) => s[INTERPRETER_HZ]));
    t.comment(`recording blocks with the interpreter's ${INTERPRETER_HZ} Hz: ${(interpreter * 100).toFixed(0)} %, with the caller's ${CALLER_HZ} Hz: ${(Math.max(...shares.map((s) => s[CALLER_HZ])) * 100).toFixed(0)} %`);
    t.ok(interpreter > 0.1, "the interpreter's voice is on the recording of the call");
    t.ok(interpreter < 0.8, 'only while they were on the line');
  });

  await t.test('the first line does not answer, the second does; the call-taker dismisses them', async (t) => {
    const russian = await seatPhone(t, sandbox, '2503', { logDir: interpDir, stayS: 120, password: 'interpreter-2503-dev', answerScenario: 'interpreter-answer.xml', extraArgs: ['-set', 'answer_ms', '300'] });
    await registered(sandbox, '2503');
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13400000002', '-set', 'hold_s', '16', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13400000002');
    t.equal((await post(service, `/incidents/${inc.number}/interpreter`, { language: 'ru' })).status, 202);
    const joined = await stepOf('13400000002', 'interpreter_joined');
    t.match(joined.timeline.find((e) => e.kind === 'interpreter_failed')!.detail, { language: 'ru', line: 'PJSIP/2502', cause: 'no_answer' }, 'the first line did not answer in 3 s');
    t.same(joined.timeline.filter((e) => e.kind === 'interpreter_ringing').map((e) => e.detail.line), ['PJSIP/2502', 'PJSIP/2503'], 'then the next line was rung');
    t.match(joined.timeline.find((e) => e.kind === 'interpreter_joined')!.detail, { language: 'ru', line: 'PJSIP/2503' });
    await waitFor("the first line's ringing withdrawn", () => readSeatLog(silent.logFile).some((l) => l.event === 'cancelled'));
    await sleep(1000);
    t.equal((await remove(service, `/incidents/${inc.number}/interpreter`)).status, 204, 'the call-taker dismisses the interpreter');
    const left = await stepOf('13400000002', 'interpreter_left');
    t.match(left.timeline.find((e) => e.kind === 'interpreter_left')!.detail, { language: 'ru', line: 'PJSIP/2503', by: 'call-taker' });
    await waitFor('the interpreter phone got BYE', () => readSeatLog(russian.logFile).some((l) => l.event === 'bye' && l.by === 'far'));
    t.match(await remove(service, `/incidents/${inc.number}/interpreter`), { status: 409, body: { error: 'NO_INTERPRETER' } }, 'nothing left to dismiss');
    await sleep(1000);
    const [still] = await incidentsOf(service, '13400000002');
    t.notOk(still.endedAt, 'the call goes on after the dismissal');
    t.equal(await caller.done, 0, 'the caller stayed until hanging up');
    await russian.kill();
  });

  await t.test('no line answers: the call-taker is told, the call goes on', async (t) => {
    // 2503's phone is gone (killed, its registration left behind): it rings nowhere.
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13400000003', '-set', 'hold_s', '14', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13400000003');
    t.equal((await post(service, `/incidents/${inc.number}/interpreter`, { language: 'ru' })).status, 202);
    const exhausted = await stepOf('13400000003', 'interpreter_exhausted');
    t.same(exhausted.timeline.filter((e) => e.kind === 'interpreter_failed').map((e) => e.detail.line), ['PJSIP/2502', 'PJSIP/2503'], 'each line tried once');
    t.notOk(kinds(exhausted).includes('interpreter_joined'));
    t.notOk(exhausted.endedAt, 'the call goes on');
    t.equal((await service.get<{ state: string }>('/seats/1001')).body.state, 'on_call', 'the call-taker keeps the caller');
    t.equal((await post(service, `/incidents/${inc.number}/interpreter`, { language: 'en' })).status, 202, 'and may ask again (another language)');
    await stepOf('13400000003', 'interpreter_joined');
    t.equal(await caller.done, 0, 'the caller stayed until hanging up');
    const [ended] = await waitFor('ended', async () => {
      const list = await incidentsOf(service, '13400000003');
      return list[0]?.endedAt ? list : undefined;
    });
    t.match(await post(service, `/incidents/${ended.number}/interpreter`, { language: 'en' }), { status: 409, body: { error: 'NO_CALL_TO_INTERPRET' } }, 'no call in progress: a clear 4xx');
    await waitFor('no channel or bridge left in Asterisk', async () => /^0 active channels/m.test(await sandbox.cli('core show channels count')) && !/cti110-/.test(await sandbox.cli('bridge show all')), 20000);
    t.pass('caller gone: the interpreter leg and the bridge cleaned up');
  });

  await Promise.all([english.kill(), silent.kill(), seat.kill()]);
});
