// Everything else works from a nailed-up seat exactly as from a ringing one: '#' ends a call,
// the officer conference and the 12345 hand-over let the call-taker leave, and afterwards the
// headset is idle on the same connection and takes the next call. Also: log-in over REST.
import t from 'tap';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, type Service, type Teardown } from '../support/harness';

interface SeatView {
  state: string;
  reachable: boolean;
}

const put = async (service: Service, path: string, body: unknown) => (await fetch(service.url + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

t.test('nailed seats: features on the permanent connection', async (t) => {
  const suite = t; // the restarted service must outlive the subtest that restarts it
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'nailedfx');
  const config = {
    seats: ['1001', '1002', '1003'].map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true, delivery: 'nailed' })),
    queue: { ringNoAnswerMs: 2000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' },
    dispatch: { gridDir: 'config/grid', maxPositionAgeMs: 600000, answerMs: 5000, officersToTry: 1, trunk: 'trunk110' },
    transfer: { answerMs: 5000 },
    monitoring: { supervisors: [{ id: '3001', endpoint: 'PJSIP/3001' }], answerMs: 10000, recallSeconds: 10, recallSegmentMs: 60000 },
  };
  let service = await startConfiguredService(t, sandbox, logDir, config);
  const seat = async (id: string) => (await service.get<SeatView>(`/seats/${id}`)).body;
  const caller = (number: string, holdS: number) =>
    sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', number, '-set', 'hold_s', String(holdS), '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
  const answered = (number: string) =>
    waitFor(`${number} answered`, async () => {
      const [inc] = await incidentsOf(service, number);
      return inc?.answeredAt ? inc : undefined;
    });
  const timeline = async (number: string) => (await incidentsOf(service, number))[0].timeline;
  /** The headset dials *11 and stays up for `maxS` (extra: more SIPp options); resolves once ready. */
  const nailUp = async (t: Teardown, id: string, maxS: number, extra: string[] = []) => {
    const connection = await sipp(t, 'seat-feature.xml', ['-s', '*11', '-key', 'seat', id, '-au', id, '-ap', `seat-${id}-dev`, '-set', 'max_s', String(maxS), ...extra, '-m', '1', '-l', '1', '-timeout', `${maxS + 30}s`], { sandbox, logDir });
    let ended = false;
    void connection.done.then(() => (ended = true));
    await waitFor(`${id} nailed up`, async () => (await seat(id)).state === 'ready');
    return { connection, ended: () => ended };
  };

  await t.test("one connection for the shift: '#', officer conference, 12345, next call", async (t) => {
    const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 120, answerMs: 200 });
    await registered(sandbox, '1001');
    await waitFor('1001 reachable', async () => (await seat('1001')).reachable);
    const connectionLog = `${logDir}/nailed-1001.log`;
    // The headset dials *11 and stays up; 6 s after log-in it presses '#' once.
    const { connection, ended } = await nailUp(t, '1001', 110, ['-set', 'release_s', '6', '-trace_logs', '-log_file', connectionLog]);

    const first = await caller('13100000001', 30);
    const inc1 = await answered('13100000001');
    t.equal(inc1.delivery, 'nailed');
    t.equal(await first.done, 0, "'#' on the headset ended the call (the caller got a BYE)");
    t.ok((await timeline('13100000001')).some((e) => e.kind === 'taker_hung_up' && e.detail.via === 'dtmf'), "the timeline says the call-taker ended it with '#'");
    await waitFor('1001 idle again', async () => (await seat('1001')).state === 'ready');

    // Officer conference from the nailed seat; the call-taker leaves, the headset stays up.
    const officer = await seatPhone(t, sandbox, '2001', { logDir, stayS: 60, answerMs: 200, password: 'officer-2001-dev' });
    await registered(sandbox, '2001');
    t.equal(await put(service, '/officers/2001/position', { lon: 116.3855, lat: 39.905 }), 200);
    const second = await caller('13100000002', 14);
    const inc2 = await answered('13100000002');
    t.equal((await post(service, `/incidents/${inc2.number}/dispatch`, { pole: 'BJ-DC-0001' })).status, 202);
    await waitFor('officer joined', async () => (await timeline('13100000002')).some((e) => e.kind === 'officer_joined'));
    t.equal((await post(service, `/incidents/${inc2.number}/taker/leave`)).status, 204, 'the call-taker leaves the conference');
    await waitFor('1001 idle on the same connection', async () => (await seat('1001')).state === 'ready');
    t.notOk(ended(), 'the headset was not hung up');
    t.equal(await second.done, 0, 'caller and officer talked on until the caller hung up');

    // 12345 hot transfer from the nailed seat, while the conference call may still be ending.
    const agent = await sipp(t, 'trunk-callee.xml', ['-set', 'answer_ms', '300', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, ip: '127.0.0.3', port: sandbox.trunk12345Port, logDir });
    const third = await caller('13100000003', 14);
    const inc3 = await answered('13100000003');
    t.equal(inc3.timeline.find((e) => e.kind === 'answered')?.detail.delivery, 'nailed', 'the same nailed seat took the next call');
    t.equal((await post(service, `/incidents/${inc3.number}/classify`, { police: false, category: 'car_moving' })).status, 200);
    t.equal((await post(service, `/incidents/${inc3.number}/transfer`)).status, 202);
    await waitFor('12345 answered', async () => (await timeline('13100000003')).some((e) => e.kind === 'transfer_answered'));
    t.equal((await post(service, `/incidents/${inc3.number}/taker/leave`)).status, 204);
    await waitFor('1001 idle again', async () => (await seat('1001')).state === 'ready');
    t.notOk(ended(), 'the headset is still the same connection');
    t.equal(await third.done, 0, 'the caller stayed with 12345 until they hung up');
    t.equal(await agent.done, 0);

    const fourth = await caller('13100000004', 2);
    const inc4 = await answered('13100000004');
    t.equal(inc4.timeline.find((e) => e.kind === 'answered')?.detail.seat, '1001', 'and it takes the next call');
    t.equal(await fourth.done, 0);
    t.equal(readSeatLog(phone.logFile).filter((l) => l.event === 'invite').length, 0, 'four calls, not one INVITE to the seat');

    await waitFor('1001 idle', async () => (await seat('1001')).state === 'ready');
    t.equal((await post(service, '/seats/1001/logout')).status, 200);
    t.equal(await connection.done, 0, 'logging out hangs up the headset');
    await Promise.all([phone.kill(), officer.kill()]);
  });

  await t.test('log-in over REST calls the headset; the seat is ready once it answers', async (t) => {
    const phone = await seatPhone(t, sandbox, '1002', { logDir, stayS: 60, answerMs: 200 });
    await registered(sandbox, '1002');
    await waitFor('1002 reachable', async () => (await seat('1002')).reachable);
    t.equal((await post(service, '/seats/1003/login')).status, 409, 'a seat whose phone is not registered cannot be called: 409');
    const login = await post<{ state: string }>(service, '/seats/1002/login');
    t.same([login.status, login.body.state], [202, 'logged_out'], '202: the headset is being called');
    t.equal((await post(service, '/seats/1002/login')).status, 409, 'a second log-in while it rings: 409');
    await waitFor('1002 nailed up', async () => (await seat('1002')).state === 'ready');
    const call = await caller('13100000005', 2);
    const inc = await answered('13100000005');
    t.match(inc.timeline.find((e) => e.kind === 'answered')?.detail, { seat: '1002', delivery: 'nailed' });
    t.equal(await call.done, 0);
    t.equal(readSeatLog(phone.logFile).filter((l) => l.event === 'invite').length, 1, 'one INVITE: the log-in itself, none for the call');
    await waitFor('1002 idle', async () => (await seat('1002')).state === 'ready');
    t.equal((await post(service, '/seats/1002/logout')).status, 200);
    await waitFor('the headset hung up', () => readSeatLog(phone.logFile).some((l) => l.event === 'bye'));
    await waitFor('no channel left in Asterisk', async () => /^0 active channels/m.test(await sandbox.cli('core show channels count')));
    await phone.kill();
  });

  await t.test("a nailed seat's phone dies without a word (no BYE): its caller is answered by another seat", async (t) => {
    const dying = await seatPhone(t, sandbox, '1003', { logDir, stayS: 60, answerMs: 200 });
    const other = await seatPhone(t, sandbox, '1002', { logDir, stayS: 60, answerMs: 200 });
    await registered(sandbox, '1003');
    await registered(sandbox, '1002');
    await waitFor('phones reachable', async () => (await seat('1003')).reachable && (await seat('1002')).reachable);
    const { connection } = await nailUp(t, '1003', 60);
    t.equal((await post(service, '/seats/1002/login')).status, 202);
    await waitFor('1002 nailed up', async () => (await seat('1002')).state === 'ready');
    const call = await caller('13100000006', 25);
    await waitFor('1003 took the call', async () => (await seat('1003')).state === 'on_call');
    const killedAt = Date.now();
    await Promise.all([connection.kill(), dying.kill()]); // SIGKILL: no BYE, no un-REGISTER
    const inc = await waitFor('answered again by 1002', async () => {
      const [i] = await incidentsOf(service, '13100000006');
      return i.timeline.filter((e) => e.kind === 'answered').length === 2 ? i : undefined;
    }, 30000);
    const lost = inc.timeline.find((e) => e.kind === 'seat_lost')!;
    t.ok(lost.at - killedAt < 15000, `the dead headset was noticed by qualify in ${lost.at - killedAt} ms`);
    t.same(inc.timeline.filter((e) => e.kind === 'answered').map((e) => `${e.detail.seat}/${e.detail.delivery}`), ['1003/nailed', '1002/nailed'], 'the caller went back to the head of the queue and to the next seat');
    t.equal((await seat('1003')).state, 'logged_out', 'the dead seat is logged out');
    const events = (await service.get<{ seatId: string; kind: string }[]>('/seats/events?limit=100')).body;
    t.ok(events.some((e) => e.seatId === '1003' && e.kind === 'connection_lost'), 'with an event for supervisors');
    t.equal(await call.done, 0, 'the caller was never dropped');
    await waitFor('1002 idle', async () => (await seat('1002')).state === 'ready');
    await post(service, '/seats/1002/logout');
    await other.kill();
  });

  await t.test('the service dies and restarts: the nailed headset is taken back, mid-call, and takes the next call', async (t) => {
    const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 90, answerMs: 200 });
    await registered(sandbox, '1001');
    await waitFor('1001 reachable', async () => (await seat('1001')).reachable);
    const { connection, ended } = await nailUp(t, '1001', 80);
    const during = await caller('13100000007', 12);
    await answered('13100000007');
    await service.kill('SIGKILL');
    service = await startConfiguredService(suite, sandbox, logDir, config);
    const [inc] = await incidentsOf(service, '13100000007');
    t.ok(inc.timeline.some((e) => e.kind === 'reattached'), 'the call in progress was re-attached');
    t.equal((await seat('1001')).state, 'on_call', 'the nailed seat is still on that call');
    t.equal(await during.done, 0, 'caller and call-taker talked on through the restart');
    await waitFor('1001 idle on the same connection', async () => (await seat('1001')).state === 'ready');
    const next = await caller('13100000008', 2);
    const inc2 = await answered('13100000008');
    t.match(inc2.timeline.find((e) => e.kind === 'answered')?.detail, { seat: '1001', delivery: 'nailed' }, 'the next call is switched into the same headset');
    t.equal(await next.done, 0);
    t.notOk(ended(), 'the headset was never hung up');
    t.equal(readSeatLog(phone.logFile).filter((l) => l.event === 'invite').length, 0, 'and no INVITE reached the seat');
    await waitFor('1001 idle', async () => (await seat('1001')).state === 'ready');
    await post(service, '/seats/1001/logout');
    t.equal(await connection.done, 0);
    await phone.kill();
  });

  // The audio paths are the ringing seat's (test/e2e/monitoring checks who hears whom): the taker
  // channel is the headset's connection here, and must come out of it idle, not hung up.
  await t.test('monitoring and instant recall on a nailed seat leave the headset connected', async (t) => {
    const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 60, answerMs: 200 });
    const supervisor = await seatPhone(t, sandbox, '3001', { logDir, stayS: 60, answerMs: 300, password: 'supervisor-3001-dev' });
    await registered(sandbox, '1001');
    await registered(sandbox, '3001');
    await waitFor('1001 reachable', async () => (await seat('1001')).reachable);
    const { connection, ended } = await nailUp(t, '1001', 50);
    const call = await caller('13100000009', 12);
    const inc = await answered('13100000009');
    const started = await post<{ id: string }>(service, '/monitoring', { seat: '1001', mode: 'listen', supervisor: '3001' });
    t.equal(started.status, 201, 'a supervisor listens to the nailed seat');
    await waitFor('the supervisor connected', async () => (await service.get<{ state: string }>(`/monitoring/${started.body.id}`)).body.state === 'connected', 15000);
    const whisper = await fetch(`${service.url}/monitoring/${started.body.id}/mode`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'whisper' }) });
    t.equal(whisper.status, 200, 'and whispers to its call-taker');
    t.equal((await post(service, `/incidents/${inc.number}/recall`)).status, 202, 'the call-taker recalls the last seconds on the headset');
    t.equal(await call.done, 0, 'the caller was not disturbed');
    await waitFor('the monitoring ended with the call', async () => (await service.get<{ items: unknown[] }>('/monitoring')).body.items.length === 0);
    await waitFor('1001 idle on the same connection', async () => (await seat('1001')).state === 'ready');
    t.notOk(ended(), 'the headset stays up');
    t.ok(readSeatLog(supervisor.logFile).some((l) => l.event === 'bye'), "the supervisor's phone was hung up");
    await post(service, '/seats/1001/logout');
    t.equal(await connection.done, 0);
    await Promise.all([phone.kill(), supervisor.kill()]);
  });
});
