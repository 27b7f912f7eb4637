// Flat dispatch through a real Asterisk: caller, call-taker and the nearest officer in one
// (recorded) call; the call-taker can leave them talking; an officer who does not answer is
// replaced at once by the unit's duty line.
import t from 'tap';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, type Service } from '../support/harness';

const put = async (service: Service, path: string, body: unknown) => (await fetch(service.url + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

t.test('flat dispatch', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'dispatch');
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }],
    dispatch: { gridDir: 'config/grid', maxPositionAgeMs: 600000, answerMs: 3000, officersToTry: 2, trunk: 'trunk110' },
  });
  const seat = await seatPhone(t, sandbox, '1001', { logDir, stayS: 120, answerMs: 200 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  await post(service, '/seats/1001/login');
  // Officer 2001 is in cell A1 (unit PS1) near pole BJ-DC-0001; 2002 further away in A2.
  t.equal(await put(service, '/officers/2001/position', { lon: 116.3855, lat: 39.9050 }), 200);
  t.equal(await put(service, '/officers/2002/position', { lon: 116.3990, lat: 39.9080 }), 200);
  const nearest = (await service.get<{ candidates: { id: string; distanceM: number }[] }>('/dispatch/nearest?pole=BJ-DC-0001')).body;
  t.same(nearest.candidates.map((c) => c.id).slice(0, 2), ['2001', '2002'], 'the nearest officer first, with distances');

  const talking = async (prefix: string) =>
    waitFor('the call answered', async () => {
      const [inc] = await incidentsOf(service, prefix);
      return inc?.answeredAt ? inc : undefined;
    });

  await t.test('the nearest officer joins; the call-taker leaves them talking', async (t) => {
    const officer = await seatPhone(t, sandbox, '2001', { logDir, stayS: 60, answerMs: 200, password: 'officer-2001-dev' });
    await registered(sandbox, '2001');
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13200000001', '-set', 'hold_s', '12', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13200000001');
    const started = await post<{ targets: { kind: string; id: string }[] }>(service, `/incidents/${inc.number}/dispatch`, { pole: 'BJ-DC-0001' });
    t.equal(started.status, 202);
    t.same(started.body.targets.map((x) => `${x.kind}:${x.id}`), ['officer:2001', 'officer:2002', 'unit:PS1', 'unit:BUR1', 'unit:CITY'], 'the nearest officers first, then the unit chain');
    const joined = await waitFor('officer joined', async () => {
      const [full] = await incidentsOf(service, '13200000001');
      return full.timeline.find((e) => e.kind === 'officer_joined');
    });
    t.ok(joined.at - inc.arrivedAt < 30000, `caller talking to the officer ${joined.at - inc.arrivedAt} ms after arrival (target: 30 s)`);
    t.equal((await post(service, `/incidents/${inc.number}/taker/leave`)).status, 204, 'the call-taker leaves');
    await waitFor('seat free again', async () => (await service.get<{ state: string }>('/seats/1001')).body.state === 'ready');
    t.equal(await caller.done, 0, 'the caller stayed on with the officer until they hung up');
    const [done] = await waitFor('ended and its recording stored', async () => {
      const list = await incidentsOf(service, '13200000001');
      return list[0]?.timeline.some((e) => e.kind === 'recorded') ? list : undefined;
    }, 30000);
    const kinds = done.timeline.map((e) => e.kind);
    t.ok(kinds.indexOf('officer_joined') < kinds.indexOf('taker_left'), 'officer joined, then the call-taker left');
    t.ok(kinds.indexOf('recorded') > kinds.indexOf('officer_joined'), 'the conference is on the recording of the call');
    await waitFor('the officer hung up with the caller', () => readSeatLog(officer.logFile).some((l) => l.event === 'bye'));
    await waitFor('no channel or bridge left in Asterisk', async () => /^0 active channels/m.test(await sandbox.cli('core show channels count')) && !/cti110-/.test(await sandbox.cli('bridge show all')));
    t.pass('caller gone: officer leg and bridge cleaned up');
    // The officer stays busy on the incident after the call (driving there) until released.
    const officers = async () => (await service.get<{ id: string; duty: string }[]>('/officers')).body;
    t.equal((await officers()).find((o) => o.id === '2001')?.duty, 'busy', 'the officer who answered is busy on the incident');
    t.equal((await post(service, `/incidents/${inc.number}/release`)).status, 200, 'released');
    t.equal((await officers()).find((o) => o.id === '2001')?.duty, 'on_duty');
    await officer.kill();
  });

  await t.test('officers do not answer: the next officer, then the unit duty line, each at once', async (t) => {
    const officer = await seatPhone(t, sandbox, '2001', { logDir, stayS: 60, answerMs: -1, password: 'officer-2001-dev' });
    const duty = await seatPhone(t, sandbox, '2901', { logDir, stayS: 60, answerMs: 200, password: 'officer-2901-dev' });
    await registered(sandbox, '2001');
    await registered(sandbox, '2901');
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13200000002', '-set', 'hold_s', '12', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc = await talking('13200000002');
    const ringingAt = Date.now();
    t.equal((await post(service, `/incidents/${inc.number}/dispatch`, { lon: 116.3851, lat: 39.9052 })).status, 202);
    const full = await waitFor('duty line joined', async () => {
      const [x] = await incidentsOf(service, '13200000002');
      return x.timeline.some((e) => e.kind === 'officer_joined') ? x : undefined;
    }, 20000);
    const failed = full.timeline.find((e) => e.kind === 'dispatch_failed')!;
    t.match(failed.detail, { kind: 'officer', id: '2001', cause: 'no_answer' }, 'the nearest officer did not answer in 3 s');
    const attempts = full.timeline.filter((e) => e.kind === 'dispatch_ringing').map((e) => e.detail.id);
    t.same(attempts, ['2001', '2002', 'PS1'], 'then the next officer (no phone registered: fails at once), then the unit');
    t.match(full.timeline.find((e) => e.kind === 'officer_joined')!.detail, { kind: 'unit', id: 'PS1' }, "the officer's unit duty line joined instead");
    t.ok(readSeatLog(officer.logFile).some((l) => l.event === 'cancelled'), "the officer's ringing was withdrawn");
    const unitRung = full.timeline.find((e) => e.kind === 'dispatch_ringing' && e.detail.id === 'PS1')!;
    t.ok(unitRung.at - ringingAt < 3000 + 2000, `the duty line rang within the timeout plus a margin (${unitRung.at - ringingAt} ms)`);
    t.equal((await post<{ error: string }>(service, `/incidents/${inc.number}/dispatch`, { pole: 'XX-NOPE' })).status, 404, 'an unknown pole code is a clear 4xx');
    t.equal(await caller.done, 0);
    await Promise.all([officer.kill(), duty.kill()]);
  });
  await seat.kill();
});
