// Overflow: a call nobody answers for overflowAfterMs is also offered to the overflow target
// (a backup group, the backup centre's trunk) while it stays in the queue: the first answer wins.
import t from 'tap';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, sleep } from '../support/harness';

t.test('overflow', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'overflow');
  // Phone 1004 plays the backup group: it is not a seat of this queue.
  const service = await startConfiguredService(t, sandbox, logDir, { seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }], queue: { ringNoAnswerMs: 2000, wrapUpMs: 0, overflowAfterMs: 2500, overflowEndpoint: 'PJSIP/1004' } });
  const byCaller = async (callerNumber: string) => (await incidentsOf(service, callerNumber))[0];
  const call = (n: string) => sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', n, '-set', 'hold_s', '2', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });

  await t.test('no seat free: the overflow target answers after the configured wait', async (t) => {
    const backup = await seatPhone(t, sandbox, '1004', { logDir, stayS: 40, answerMs: 200 });
    await registered(sandbox, '1004');
    const caller = await call('13500000001');
    t.equal(await caller.done, 0, 'answered');
    const inc = (await byCaller('13500000001'))!;
    t.equal(inc.delivery, 'overflow', 'by the overflow target');
    const offer = inc.timeline.find((e) => e.kind === 'offered' && e.detail.overflow === true)!;
    t.ok(offer.at - inc.arrivedAt >= 2400 && offer.at - inc.arrivedAt < 4000, `overflow fired after the configured wait (${offer.at - inc.arrivedAt} ms)`);
    await backup.kill();
  });

  await t.test('the overflow target rings but a seat frees up first: the seat wins', async (t) => {
    const backup = await seatPhone(t, sandbox, '1004', { logDir, stayS: 40, answerMs: -1 });
    const seat = await seatPhone(t, sandbox, '1001', { logDir, stayS: 40, answerMs: 200 });
    await registered(sandbox, '1004');
    await registered(sandbox, '1001');
    await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
    const caller = await call('13500000002');
    await sleep(4000); // overflow is ringing by now
    await post(service, '/seats/1001/login');
    t.equal(await caller.done, 0, 'answered');
    const inc = (await byCaller('13500000002'))!;
    t.equal(inc.seatId, '1001', 'by the seat');
    t.equal(inc.delivery, 'ring');
    t.ok(inc.timeline.some((e) => e.kind === 'offered' && e.detail.overflow === true), 'the overflow target was rung meanwhile');
    await waitFor('the overflow offer withdrawn', () => readSeatLog(backup.logFile).some((l) => l.event === 'cancelled'));
    t.pass('the overflow leg was cancelled when the seat answered');
    await Promise.all([backup.kill(), seat.kill()]);
  });
});
