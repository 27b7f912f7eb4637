// A call-taker changing their seat while its phone rings or just answered (issue 14, H1): the
// service must live on, the caller must be answered by someone and recorded. Before the fix, a
// ringing seat set not ready kept its offer, the phone's answer met a not-ready seat, and Node exited.
import t, { type Test } from 'tap';
import { startAsterisk, startConfiguredService, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, sleep, incidentsOf, type Service, type Sandbox } from '../support/harness';

interface Seat {
  id: string;
  state: string;
  reason: string | null;
  reachable: boolean;
}

t.test('seat races', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'seat-races');
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: ['1001', '1002'].map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true })),
    // Ring-no-answer well past the slow phone's answer: only the call-taker's action moves the call.
    queue: { ringNoAnswerMs: 12000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' },
  });
  const seat = async (id: string) => (await service.get<Seat>(`/seats/${id}`)).body;

  // The console enables "not ready" and "log out" while the phone rings: the same path for both.
  for (const [action, state, reason, callerId] of [
    ['not-ready', 'not_ready', 'break', '13900000001'],
    ['logout', 'logged_out', null, '13900000002'],
  ] as const) {
    await t.test(`${action} while ringing: the ringing is withdrawn and the next seat gets the call`, async (t) => {
      const { slow, quick } = await twoSeats(t, sandbox, service, logDir, 2500);
      const caller = await call(t, sandbox, logDir, callerId);
      await waitFor('1001 ringing', async () => (await seat('1001')).state === 'ringing', 15000, 50);
      // The phone itself ringing (its INVITE in), not only the seat offered: the race under test.
      await waitFor("1001's phone ringing", () => readSeatLog(slow.logFile).some((l) => l.event === 'invite'), 15000, 20);
      const res = await post<Seat>(service, `/seats/1001/${action}`, reason ? { reason } : undefined);
      t.equal(res.status, 200, `${action} is accepted while ringing`);
      t.same([res.body.state, res.body.reason], [state, reason]);
      await sleep(3500); // past the slow phone's answer time, had it kept ringing
      await alive(t, service);
      t.equal(await caller.done, 0, 'the caller was answered and talked');
      const inc = await answeredAndRecorded(t, service, callerId);
      t.equal(inc.seatId, '1002', 'answered by the next seat');
      t.same(inc.timeline.filter((e) => e.kind === 'offered').map((e) => e.detail.seat), ['1001', '1002'], 'offered to 1001, then to 1002');
      t.match(inc.timeline.find((e) => e.kind === 'offer_failed')?.detail, { seat: '1001', cause: `seat_${state}` }, 'the timeline says why 1001 lost it');
      t.same([(await seat('1001')).state, (await seat('1001')).reason], [state, reason], '1001 stays as its call-taker set it');
      // SIPp writes the CANCEL to its log when its scenario gets to it: give it a moment.
      t.ok(await waitFor("1001's phone to log the CANCEL", () => readSeatLog(slow.logFile).some((l) => l.event === 'cancelled'), 10000).catch(() => false), "1001's phone saw its ringing cancelled");
      t.notOk(readSeatLog(slow.logFile).some((l) => l.event === 'answered'), "1001's phone never answered");
      await Promise.all([slow.kill(), quick.kill()]);
      await logoutAll(service);
    });
  }

  await t.test('not ready just after the answer: the call stays, the seat goes not ready when it ends', async (t) => {
    const { slow, quick } = await twoSeats(t, sandbox, service, logDir, 100);
    const caller = await call(t, sandbox, logDir, '13900000003');
    await waitFor('1001 on the call', async () => (await seat('1001')).state === 'on_call', 15000, 50);
    const nr = await post<Seat>(service, '/seats/1001/not-ready', { reason: 'after this one' });
    t.equal(nr.status, 200);
    t.equal(nr.body.state, 'on_call', 'the call in progress is kept');
    t.equal(await caller.done, 0, 'the caller talked with 1001 to the end');
    const inc = await answeredAndRecorded(t, service, '13900000003');
    t.equal(inc.seatId, '1001');
    await waitFor('1001 not ready after the call', async () => (await seat('1001')).state === 'not_ready');
    t.equal((await seat('1001')).reason, 'after this one', 'with the reason asked for during the call');
    await alive(t, service);
    await Promise.all([slow.kill(), quick.kill()]);
    await logoutAll(service);
  });
});

/** 1001 answers after `answerMs` and is offered first (idle longest); 1002 answers at once. */
async function twoSeats(t: Test, sandbox: Sandbox, service: Service, logDir: string, answerMs: number) {
  const slow = await seatPhone(t, sandbox, '1001', { logDir, stayS: 40, answerMs });
  const quick = await seatPhone(t, sandbox, '1002', { logDir, stayS: 40, answerMs: 200 });
  await registered(sandbox, '1001');
  await registered(sandbox, '1002');
  await waitFor('1001 and 1002 reachable', async () => (await service.get<Seat[]>('/seats')).body.every((s) => s.reachable));
  t.equal((await post(service, '/seats/1001/login')).status, 200);
  await sleep(50);
  t.equal((await post(service, '/seats/1002/login')).status, 200);
  return { slow, quick };
}

function call(t: Test, sandbox: Sandbox, logDir: string, callerId: string) {
  return sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', callerId, '-set', 'hold_s', '3', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
}

async function alive(t: Test, service: Service): Promise<void> {
  t.equal(service.process.exitCode, null, 'the service process is still running');
  t.equal((await service.get('/health').catch(() => ({ status: 0 }))).status, 200, '/health says 200');
}

async function answeredAndRecorded(t: Test, service: Service, callerId: string) {
  const inc = await waitFor(`the call of ${callerId} ended and recorded`, async () => {
    const [found] = await incidentsOf(service, callerId);
    return found?.endedAt !== null && found?.timeline.some((e) => e.kind === 'recorded') ? found : undefined;
  }, 30000);
  t.ok(inc.answeredAt !== null, 'the caller was answered');
  return inc;
}

async function logoutAll(service: Service): Promise<void> {
  for (const id of ['1001', '1002']) await post(service, `/seats/${id}/logout`);
}
