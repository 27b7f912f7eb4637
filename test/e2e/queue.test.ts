// The call-taking queue through a real Asterisk: SIPp callers on the 110 trunk, SIPp softphones
// as seats. Distribution, ring-no-answer, reachability, seat control by REST and feature code.
import t from 'tap';
import { KNOWN_EVENT_TYPES } from '../../src/asterisk/ari-events';
import { readdirSync } from 'node:fs';
import { sandboxRecordings, startAsterisk, startConfiguredService, sipp, waitFor, workDir, seatPhone, readSeatLog, registered, post, sleep, type IncidentView as Incident } from '../support/harness';

interface Seat {
  id: string;
  state: string;
  reason: string | null;
  reachable: boolean;
}

t.test('queue', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'queue');
  const seats = ['1001', '1002', '1003', '1004', '1005'];
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: seats.map((id) => ({ id, endpoint: `PJSIP/${id}`, autoAnswer: true })),
    queue: { ringNoAnswerMs: 2000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' },
  });
  const seat = async (id: string) => (await service.get<Seat>(`/seats/${id}`)).body;
  const incident = async (n: string) => (await service.get<Incident>(`/incidents/${n}`)).body;
  const newestIncidents = async (count: number) => {
    const page = (await service.get<{ items: Incident[] }>(`/incidents?limit=${count}`)).body.items;
    return Promise.all(page.reverse().map((i) => incident(i.number)));
  };
  const logoutAll = async () => {
    for (const id of seats) await post(service, `/seats/${id}/logout`);
  };

  await t.test('bad requests get a clear 4xx', async (t) => {
    const unknown = await post<{ error: string; message: string }>(service, '/seats/9999/login');
    t.equal(unknown.status, 404);
    t.match(unknown.body.message, /no seat "9999"/);
    t.equal((await post(service, '/seats/1001/login')).status, 200);
    const twice = await post<{ error: string; message: string }>(service, '/seats/1001/login');
    t.equal(twice.status, 409, 'a seat already logged in cannot log in again');
    t.match(twice.body.message, /cannot login/);
    const badJson = await post<{ error: string }>(service, '/seats/1001/not-ready', '{"reason":');
    t.equal(badJson.status, 400);
    t.equal(badJson.body.error, 'BAD_REQUEST');
    t.equal((await post(service, '/seats/1001/not-ready', { reason: 7 })).status, 400);
    t.equal((await post(service, '/seats/1001/dance')).status, 400);
    const nr = await post<Seat>(service, '/seats/1001/not-ready', { reason: 'break' });
    t.same([nr.body.state, nr.body.reason], ['not_ready', 'break']);
    await logoutAll();
  });

  await t.test('a seat logs in, goes not ready and ready by feature code from its phone', async (t) => {
    const phone = await seatPhone(t, sandbox, '1002', { logDir, stayS: 30 });
    await registered(sandbox, '1002');
    const dial = async (code: string) => {
      const run = await sipp(t, 'seat-feature.xml', ['-s', code, '-key', 'seat', '1002', '-au', '1002', '-ap', 'seat-1002-dev', '-m', '1', '-l', '1', '-timeout', '20s', '-timeout_error', '-set', 'max_s', '5'], { sandbox, logDir });
      return run.done;
    };
    t.equal(await dial('*11'), 0, '*11 answered and confirmed');
    t.equal((await seat('1002')).state, 'ready', 'logged in and ready');
    t.equal(await dial('*14'), 0);
    t.equal((await seat('1002')).state, 'not_ready');
    t.equal(await dial('*13'), 0);
    t.equal((await seat('1002')).state, 'ready');
    t.equal(await dial('*12'), 0);
    t.equal((await seat('1002')).state, 'logged_out');
    await phone.kill();
  });

  await t.test('an unregistered seat is never offered a call', async (t) => {
    await post(service, '/seats/1003/login'); // ready, but no phone registered for 1003
    t.equal((await seat('1003')).reachable, false);
    const caller = await sipp(t, 'caller-ringing.xml', ['-s', '110', '-key', 'from', '<sip:13700000001@127.0.0.2>', '-d', '4000', '-m', '1', '-timeout', '30s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    t.equal(await caller.done, 0, 'the caller heard ringing throughout and gave up');
    const [inc] = await newestIncidents(1);
    await waitFor('incident ended', async () => (await incident(inc.number)).endedAt !== null);
    const done = await incident(inc.number);
    t.notOk(done.timeline.some((e) => e.kind === 'offered'), 'no offer was made');
    t.ok(done.timeline.some((e) => e.kind === 'abandoned'), 'the caller is recorded as abandoned');
    await logoutAll();
  });

  await t.test('ring-no-answer moves the call to the next seat and sets the seat not ready', async (t) => {
    const silent = await seatPhone(t, sandbox, '1001', { logDir, stayS: 40, answerMs: -1 });
    const good = await seatPhone(t, sandbox, '1002', { logDir, stayS: 40, answerMs: 200 });
    await registered(sandbox, '1001');
    await registered(sandbox, '1002');
    await waitFor('1001 and 1002 reachable', async () => (await seat('1001')).reachable && (await seat('1002')).reachable);
    await post(service, '/seats/1001/login'); // logged in first: idle longest, offered first
    await sleep(50);
    await post(service, '/seats/1002/login');
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13700000002', '-set', 'hold_s', '2', '-m', '1', '-l', '1', '-timeout', '30s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    t.equal(await caller.done, 0, 'the caller was answered and talked');
    const [inc] = await newestIncidents(1);
    t.equal(inc.seatId, '1002', 'answered by the next seat');
    const offers = inc.timeline.filter((e) => e.kind === 'offered').map((e) => e.detail.seat);
    t.same(offers, ['1001', '1002'], 'offered to 1001 first, then 1002');
    const firstOffer = inc.timeline.find((e) => e.kind === 'offered')!.at;
    const secondOffer = inc.timeline.filter((e) => e.kind === 'offered')[1].at;
    t.ok(secondOffer - firstOffer >= 1900 && secondOffer - firstOffer < 3000, `moved after the ring-no-answer time (${secondOffer - firstOffer} ms)`);
    const s1 = await seat('1001');
    t.same([s1.state, s1.reason], ['not_ready', 'no answer'], 'the seat that failed is not ready, reason no answer');
    const events = (await service.get<{ seatId: string; kind: string }[]>('/seats/events?limit=50')).body;
    t.ok(events.some((e) => e.seatId === '1001' && e.kind === 'no_answer'), 'supervisors get a no_answer event');
    t.ok(readSeatLog(silent.logFile).some((l) => l.event === 'cancelled'), 'the silent seat saw its offer withdrawn');
    await Promise.all([silent.kill(), good.kill()]);
    await logoutAll();
  });

  await t.test('5 seats, 20 calls: every call answered, longest idle first, true answer times', async (t) => {
    const phones = await Promise.all(seats.map((id) => seatPhone(t, sandbox, id, { logDir, stayS: 90, answerMinMs: 100, answerMaxMs: 600 })));
    for (const id of seats) await registered(sandbox, id);
    await waitFor('all seats reachable', async () => (await service.get<Seat[]>('/seats')).body.every((s) => s.reachable));
    for (const id of seats) {
      await post(service, `/seats/${id}/login`);
      await sleep(30); // distinct idle times: 1001 idle longest
    }
    const before = Date.now();
    const callers = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13800000000', '-set', 'hold_s', '2', '-m', '20', '-r', '4', '-rp', '1000', '-l', '20', '-timeout', '90s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    t.equal(await callers.done, 0, 'SIPp: all 20 callers answered, none failed');
    await waitFor('20 incidents ended', async () => (await newestIncidents(20)).every((i) => i.endedAt !== null && i.arrivedAt >= before - 1000));
    const incidents = await newestIncidents(20);
    t.equal(incidents.filter((i) => i.answeredAt !== null).length, 20, 'every call answered');
    t.equal(incidents.filter((i) => i.abandonedAt !== null).length, 0, 'none abandoned');
    t.same(incidents.slice(0, 5).map((i) => i.seatId), seats, 'the first five calls went to the seats in longest-idle order');

    // Our answer time against SIPp's own clock: the seat's 200 OK is the answer.
    const okTimes = new Map<string, number[]>();
    for (const phone of phones) {
      for (const line of readSeatLog(phone.logFile).filter((l) => l.event === 'answered')) {
        const list = okTimes.get(line.seat) ?? [];
        list.push(Number(line.ok_ms));
        okTimes.set(line.seat, list);
      }
    }
    let worst = 0;
    for (const id of seats) {
      const ours = incidents.filter((i) => i.seatId === id).map((i) => i.answeredAt!).sort((a, b) => a - b);
      const theirs = (okTimes.get(id) ?? []).sort((a, b) => a - b);
      t.equal(ours.length, theirs.length, `seat ${id}: as many answers as SIPp saw`);
      ours.forEach((at, k) => (worst = Math.max(worst, Math.abs(at - theirs[k]))));
    }
    t.ok(worst < 300, `answer times within ${worst} ms of SIPp's 200 OK`);

    const stats = (await service.get<{ period: { answered: number; abandoned: number; p90AnswerMs: number } }>(`/stats/queue?from=${before - 1000}`)).body;
    t.equal(stats.period.answered, 20, '/stats/queue counts the 20 answers');
    t.equal(stats.period.abandoned, 0);
    const answerMs = incidents.map((i) => i.answeredAt! - i.arrivedAt).sort((a, b) => a - b);
    t.equal(stats.period.p90AnswerMs, answerMs[Math.ceil(0.9 * answerMs.length) - 1], 'p90 matches the incidents');
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    t.match(metrics, /cti110_calls_answered_today\{delivery="all"\} \d+/);
    // Asterisk sends only the events we act on (issue #15): a caller's dialplan steps before it
    // reaches us (ChannelVarset, ChannelDialplan...) used to arrive, ~20 per call, and delayed
    // every StasisStart behind them.
    const received = [...metrics.matchAll(/^cti110_ari_events_received\{type="(\w+)"\} (\d+)/gm)].map((m) => m[1]);
    t.ok(received.includes('StasisStart'), `events counted by type (${received.join(', ')})`);
    t.same(received.filter((type) => !KNOWN_EVENT_TYPES.includes(type as never)), [], 'no event type we do not act on');
    // The embedded setup sees Asterisk's recordings folder (ari.recordingsDir): every call's two
    // files are read and removed there, with no download or delete request over ARI (issue #15).
    const leftInAsterisk = () => readdirSync(sandboxRecordings(sandbox)).filter((f) => /^(call|recall)_/.test(f));
    const recorded = async () => (await Promise.all(incidents.map(async (i) => (await service.get<Incident>(`/incidents/${i.number}`)).body.timeline.some((e) => e.kind === 'recorded')))).every(Boolean);
    await waitFor('each of the 20 calls recorded and stored', recorded, 60000);
    await waitFor('every recording taken out of Asterisk', async () => leftInAsterisk().length === 0, 60000).catch((err: Error) => t.fail(`${err.message}: ${leftInAsterisk().join(' ')}`));
    const overAri = [...(await (await fetch(`${service.url}/metrics`)).text()).matchAll(/^cti110_ari_request_seconds_count\{operation="(delete recording|download recording)"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[2]), 0);
    t.equal(overAri, 0, 'no recording fetched or deleted over ARI');
    await Promise.all(phones.map((p) => p.kill()));
    await logoutAll();
  });
});
