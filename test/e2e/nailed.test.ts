// Nailed-up seats: the call-taker's softphone stays connected for the shift; calls are switched
// into that connection with no INVITE, next to ringing seats in the same queue.
import t from 'tap';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, sleep, type Sandbox } from '../support/harness';

interface Seat {
  id: string;
  state: string;
  reachable: boolean;
}

t.test('nailed-up seats', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'nailed');
  const nailed = ['1001', '1002', '1003'];
  const ringing = ['1004', '1005'];
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: [...nailed.map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true, delivery: 'nailed' })), ...ringing.map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true }))],
    queue: { ringNoAnswerMs: 2000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' },
  });
  const seat = async (id: string) => (await service.get<Seat>(`/seats/${id}`)).body;
  const byCaller = (prefix: string) => incidentsOf(service, prefix);
  /** The nailed connection: the softphone dials *11 and stays on the line for `holdS`. */
  const connect = async (s: Sandbox, id: string, holdS: number) => {
    const run = await sipp(t, 'seat-feature.xml', ['-s', '*11', '-key', 'seat', id, '-au', id, '-ap', `seat-${id}-dev`, '-set', 'max_s', String(holdS), '-m', '1', '-l', '1', '-timeout', `${holdS + 30}s`, '-timeout_error'], { sandbox: s, logDir });
    await waitFor(`seat ${id} nailed up`, async () => (await seat(id)).state === 'ready');
    return run;
  };

  await t.test('3 nailed and 2 ringing seats, 20 calls: all answered, no INVITE to nailed seats', async (t) => {
    const phones = await Promise.all([...nailed, ...ringing].map((id) => seatPhone(t, sandbox, id, { logDir, stayS: 80, answerMinMs: 100, answerMaxMs: 500 })));
    for (const id of [...nailed, ...ringing]) await registered(sandbox, id);
    await waitFor('all seats reachable', async () => (await service.get<Seat[]>('/seats')).body.every((s) => s.reachable));
    const connections = [];
    for (const id of nailed) connections.push(await connect(sandbox, id, 60));
    for (const id of ringing) await post(service, `/seats/${id}/login`);

    const callers = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13300000000', '-set', 'hold_s', '2', '-m', '20', '-r', '4', '-rp', '1000', '-l', '20', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    t.equal(await callers.done, 0, 'SIPp: all 20 callers answered, none failed');
    const incidents = await waitFor('20 answered incidents ended', async () => {
      const list = await byCaller('13300000000');
      return list.length === 20 && list.every((i) => i.endedAt !== null) ? list : undefined;
    });
    t.equal(incidents.filter((i) => i.answeredAt !== null).length, 20, 'every call answered');
    const byMode = (mode: string) => incidents.filter((i) => i.delivery === mode);
    t.ok(byMode('nailed').length > 0 && byMode('ring').length > 0, `both modes took calls (nailed ${byMode('nailed').length}, ring ${byMode('ring').length})`);
    for (const [k, id] of nailed.entries()) {
      const invites = readSeatLog(phones[k].logFile).filter((l) => l.event === 'invite').length;
      t.equal(invites, 0, `nailed seat ${id} got no INVITE for its calls`);
    }
    const ringInvites = ringing.reduce((n, _id, k) => n + readSeatLog(phones[nailed.length + k].logFile).filter((l) => l.event === 'invite').length, 0);
    t.equal(ringInvites, byMode('ring').length, 'ringing seats got one INVITE per call they took');
    const stats = (await service.get<{ period: { byDelivery: Record<string, { answered: number; p50AnswerMs: number | null }> } }>(`/stats/queue?from=${incidents[0].arrivedAt - 1}`)).body;
    t.equal(stats.period.byDelivery.nailed.answered, byMode('nailed').length, '/stats/queue reports nailed answers');
    t.equal(stats.period.byDelivery.ring.answered, byMode('ring').length, 'and ringing ones, side by side');
    t.comment(`answer p50: nailed ${stats.period.byDelivery.nailed.p50AnswerMs} ms, ring ${stats.period.byDelivery.ring.p50AnswerMs} ms`);
    for (const id of nailed) t.equal((await seat(id)).state, 'ready', `seat ${id} idle again on the same connection`);
    for (const id of [...nailed, ...ringing]) await post(service, `/seats/${id}/logout`);
    await Promise.all([...phones, ...connections].map((p) => p.kill()));
  });

  await t.test("a nailed seat's connection drops mid-call: the caller is answered by another seat", async (t) => {
    const phones = await Promise.all(['1001', '1004'].map((id) => seatPhone(t, sandbox, id, { logDir, stayS: 60, answerMs: 200 })));
    await registered(sandbox, '1001');
    await registered(sandbox, '1004');
    await waitFor('phones reachable', async () => (await seat('1001')).reachable && (await seat('1004')).reachable);
    const connection = await connect(sandbox, '1001', 5); // hangs up 5 s after logging in
    await post(service, '/seats/1004/login');
    await sleep(300);
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13300000099', '-set', 'hold_s', '10', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    t.equal(await caller.done, 0, 'the caller stayed connected throughout and was never dropped');
    await connection.done;
    const [inc] = await byCaller('13300000099');
    const answers = inc.timeline.filter((e) => e.kind === 'answered').map((e) => `${e.detail.seat}/${e.detail.delivery}`);
    t.same(answers, ['1001/nailed', '1004/ring'], 'answered by the nailed seat, then by the next seat');
    t.ok(inc.timeline.some((e) => e.kind === 'seat_lost'), 'the lost connection is on the timeline');
    t.equal((await seat('1001')).state, 'logged_out', 'the dead seat is logged out');
    const events = (await service.get<{ seatId: string; kind: string }[]>('/seats/events?limit=100')).body;
    t.ok(events.some((e) => e.seatId === '1001' && e.kind === 'connection_lost'), 'with an event for supervisors');
    await Promise.all(phones.map((p) => p.kill()));
  });
});
