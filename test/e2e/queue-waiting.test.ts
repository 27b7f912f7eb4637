// All seats busy: callers wait hearing ringing and are answered in arrival order; a caller who
// hangs up while waiting is abandoned; a call-taker calls them back with one request.
import t from 'tap';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, registered, post, sleep, type IncidentView as Incident } from '../support/harness';

interface Abandoned {
  number: string;
  waitMs: number;
  position: number;
  callbackAt: number | null;
  callbackResult: string | null;
}

t.test('waiting, abandoned, callback', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'waiting');
  const service = await startConfiguredService(t, sandbox, logDir, { seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }], queue: { ringNoAnswerMs: 2000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' } });
  const byCaller = async (callerNumber: string): Promise<Incident | undefined> => (await incidentsOf(service, callerNumber))[0];

  const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 90, answerMs: 200 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  t.equal((await post(service, '/seats/1001/login')).status, 200);

  await t.test('one seat, three callers: they wait hearing ringing and are answered in arrival order', async (t) => {
    const call = (n: string, hold: number) =>
      sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', n, '-set', 'hold_s', String(hold), '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const a = await call('13600000001', 3);
    await sleep(400);
    const b = await call('13600000002', 2);
    await sleep(400);
    const c = await call('13600000003', 2);
    await sleep(400);
    // This one gives up after 1.5 s of ringing: abandoned, third in the queue.
    const d = await sipp(t, 'caller-ringing.xml', ['-s', '110', '-key', 'from', '<sip:13600000004@127.0.0.2>', '-d', '1500', '-m', '1', '-timeout', '30s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    t.same(await Promise.all([a.done, b.done, c.done, d.done]), [0, 0, 0, 0], 'every caller heard ringing, never busy; three were answered');
    const [ia, ib, ic, id] = await Promise.all(['13600000001', '13600000002', '13600000003', '13600000004'].map(byCaller));
    t.ok(ia && ib && ic && id, 'four incidents');
    t.ok(ia!.answeredAt! < ib!.answeredAt! && ib!.answeredAt! < ic!.answeredAt!, 'answered in arrival order');
    t.ok(ib!.answeredAt! - ib!.arrivedAt > 1500, `the second caller waited (${ib!.answeredAt! - ib!.arrivedAt} ms) for the seat to be free`);
    t.equal(id!.answeredAt, null);
    t.ok(id!.abandonedAt, 'the caller who hung up is abandoned');
    const abandoned = (await service.get<Abandoned[]>('/abandoned?pending=true')).body.find((x) => x.number === id!.number);
    t.ok(abandoned, 'and on the abandoned list');
    t.ok(abandoned!.waitMs >= 1000 && abandoned!.waitMs < 5000, `with the wait (${abandoned!.waitMs} ms)`);
    t.equal(abandoned!.position, 3, 'and its place when it hung up (behind the second and third callers)');
  });

  await t.test('callback: the seat rings first, then the caller over the trunk, both in one bridge', async (t) => {
    const abandoned = (await service.get<Abandoned[]>('/abandoned?pending=true')).body[0];
    await waitFor('seat ready again', async () => (await service.get<{ state: string }>('/seats/1001')).body.state === 'ready');
    const callee = await sipp(t, 'trunk-callee.xml', ['-set', 'answer_ms', '300', '-set', 'hold_s', '3', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error'], { sandbox, ip: '127.0.0.2', port: sandbox.trunk110Port, logDir });
    await sleep(300);
    t.equal((await post(service, `/abandoned/${abandoned.number}/callback`, { seat: 'nope!' })).status, 400, 'a malformed seat is refused');
    t.equal((await post(service, '/abandoned/20991231-999999/callback', { seat: '1001' })).status, 404, 'an unknown incident is refused');
    const started = await post<{ incident: string }>(service, `/abandoned/${abandoned.number}/callback`, { seat: '1001' });
    t.equal(started.status, 202);
    t.equal(await callee.done, 0, 'the caller was called back, answered and talked');
    const inc = await waitFor('callback connected on the incident', async () => {
      const body = (await service.get<Incident>(`/incidents/${abandoned.number}`)).body;
      return body.timeline.some((e) => e.kind === 'callback' && e.detail.result === 'connected') ? body : undefined;
    });
    t.ok(inc.timeline.findIndex((e) => e.kind === 'callback' && e.detail.result === 'started') < inc.timeline.findIndex((e) => e.detail.result === 'connected'));
    const row = (await service.get<Abandoned[]>('/abandoned')).body.find((x) => x.number === abandoned.number)!;
    t.ok(row.callbackAt, 'the callback attempt is recorded against the abandoned call (NENA: measurable)');
    t.equal((await service.get<Abandoned[]>('/abandoned?pending=true')).body.some((x) => x.number === abandoned.number), false, 'no longer pending');
  });
  await phone.kill();
});
