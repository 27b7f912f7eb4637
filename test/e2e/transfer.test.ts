// Hot transfer of a non-police call to the 12345 hotline through a real Asterisk: the trunk is
// rung into the call, the call-taker leaves once 12345 has the caller; failures leave the caller
// with the call-taker.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, registered, post } from '../support/harness';

t.test('hot transfer to 12345', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'transfer');
  // 12345's platform: a local receiver of the case hand-over.
  const received: { key: string | undefined; auth: string | undefined; body: { incident: string; category: string } }[] = [];
  const receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      received.push({ key: req.headers['idempotency-key'] as string | undefined, auth: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => receiver.close(() => r())));
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }],
    transfer: { answerMs: 3000, handoverUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cases`, handoverToken: 't0ken' },
  });
  const seat = await seatPhone(t, sandbox, '1001', { logDir, stayS: 90, answerMs: 200 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable);
  await post(service, '/seats/1001/login');

  const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13000000001', '-set', 'hold_s', '16', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
  const inc = await waitFor('answered', async () => {
    const [i] = await incidentsOf(service, '13000000001');
    return i?.answeredAt ? i : undefined;
  });
  const timeline = async () => (await incidentsOf(service, '13000000001'))[0].timeline;

  await t.test('classification decides what may be transferred', async (t) => {
    t.equal((await post(service, `/incidents/${inc.number}/transfer`)).status, 409, 'not classified yet: refused');
    t.equal((await post(service, `/incidents/${inc.number}/classify`, { police: false, category: 'no_such' })).status, 400);
    const unclear = await post<{ police: number }>(service, `/incidents/${inc.number}/classify`, { police: false, category: 'unclear_jurisdiction' });
    t.equal(unclear.body.police, 1, 'unclear jurisdiction stays with the police');
    t.equal((await post(service, `/incidents/${inc.number}/transfer`)).status, 409, 'a police matter is not handed to 12345');
    const ok = await post<{ police: number; category: string }>(service, `/incidents/${inc.number}/classify`, { police: false, category: 'car_moving', summary: 'a car blocks the gate' });
    t.same([ok.status, ok.body.police, ok.body.category], [200, 0, 'car_moving']);
  });

  await t.test('12345 does not answer in time: the call-taker keeps the caller and is told why', async (t) => {
    const slow = await sipp(t, 'trunk-callee.xml', ['-set', 'answer_ms', '10000', '-m', '1', '-l', '1', '-timeout', '30s', '-timeout_error'], { sandbox, ip: '127.0.0.3', port: sandbox.trunk12345Port, logDir });
    t.equal((await post(service, `/incidents/${inc.number}/transfer`)).status, 202);
    const failed = await waitFor('transfer failed', async () => (await timeline()).find((e) => e.kind === 'transfer_failed'), 15000);
    t.equal(failed.detail.cause, 'no_answer');
    t.equal((await service.get<{ state: string }>(`/incidents/${inc.number}`)).body.state, 'talking', 'caller and call-taker still talking');
    await slow.done; // cancelled: the 12345 side saw the ringing withdrawn
  });

  await t.test('12345 answers: all three together, then the call-taker leaves', async (t) => {
    const messages = join(logDir, 'trunk12345-messages.log');
    const agent = await sipp(t, 'trunk-callee.xml', ['-set', 'answer_ms', '300', '-m', '1', '-l', '1', '-timeout', '40s', '-timeout_error', '-trace_msg', '-message_file', messages], { sandbox, ip: '127.0.0.3', port: sandbox.trunk12345Port, logDir });
    t.equal((await post(service, `/incidents/${inc.number}/transfer`)).status, 202, 'retry allowed after a failure');
    await waitFor('12345 answered', async () => (await timeline()).some((e) => e.kind === 'transfer_answered'));
    t.match(readFileSync(messages, 'utf8'), new RegExp(`X-CTI110-Incident: ${inc.number}`), 'the INVITE to the trunk carried the incident number');
    t.equal((await post(service, `/incidents/${inc.number}/taker/leave`)).status, 204);
    await waitFor('seat free again', async () => (await service.get<{ state: string }>('/seats/1001')).body.state === 'ready');
    t.equal(await caller.done, 0, 'the caller stayed connected to 12345 until they hung up');
    t.equal(await agent.done, 0, 'the 12345 agent was hung up with the caller');
    const kinds = (await waitFor('recorded', async () => {
      const tl = await timeline();
      return tl.some((e) => e.kind === 'recorded') ? tl : undefined;
    })).map((e) => e.kind);
    const order = ['classified', 'transfer_dialed', 'transfer_answered', 'taker_left'].map((k) => kinds.lastIndexOf(k));
    t.same([...order].sort((a, b) => a - b), order, 'classify → transfer dialed → 12345 answered → call-taker left');
    t.ok(kinds.includes('recorded'), 'one recording covers the whole call');
    await waitFor('the case handed over', () => received.length > 0);
    t.match(received[0], { key: `transfer12345-${inc.number}`, auth: 'Bearer t0ken', body: { incident: inc.number, category: 'car_moving' } }, "12345's platform got the case, with an idempotency key");
    t.equal(received.filter((r) => r.body.incident === inc.number).length, 1, 'once, although the transfer was tried twice');
  });
  await t.test('12345 trunk down: a second call is not lost either', async (t) => {
    const second = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13000000002', '-set', 'hold_s', '8', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const inc2 = await waitFor('answered', async () => {
      const [i] = await incidentsOf(service, '13000000002');
      return i?.answeredAt ? i : undefined;
    });
    await post(service, `/incidents/${inc2.number}/classify`, { police: false, category: 'utilities' });
    t.equal((await post(service, `/incidents/${inc2.number}/transfer`)).status, 202);
    const failed = await waitFor('transfer failed', async () => (await incidentsOf(service, '13000000002'))[0].timeline.find((e) => e.kind === 'transfer_failed'), 15000);
    t.ok(failed.detail.cause, `cause: ${String(failed.detail.cause)}`);
    t.equal(await second.done, 0, 'the caller stayed with the call-taker to the end');
    await waitFor('no channel left over', async () => /^0 active channels/m.test(await sandbox.cli('core show channels count')));
    t.pass('no channel left over');
  });

  await t.test('stats: calls handed to 12345 per day and category, and failures', async (t) => {
    const rows = (await service.get<{ day: string; category: string; transferred: number; failed: number }[]>('/stats/transfers')).body;
    const byCategory = Object.fromEntries(rows.map((r) => [r.category, r]));
    t.match(byCategory.car_moving, { transferred: 1, failed: 1 });
    t.match(byCategory.utilities, { transferred: 0, failed: 1 });
  });

  await t.test('a call handed back by 12345 goes ahead of waiting 110 calls, with its case reference', async (t) => {
    const busy = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13000000010', '-set', 'hold_s', '5', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    await waitFor('the seat busy', async () => (await service.get<{ state: string }>('/seats/1001')).body.state === 'on_call');
    // These two wait; they give up after 12 s (their SIPp exit codes do not matter here).
    await sipp(t, 'caller-ringing.xml', ['-s', '110', '-key', 'from', '<sip:13000000011@127.0.0.2>', '-d', '12000', '-m', '1', '-timeout', '30s'], { sandbox, ip: '127.0.0.2', logDir });
    await waitFor('the 110 caller waiting', async () => (await incidentsOf(service, '13000000011')).length === 1);
    await sipp(t, 'caller-12345.xml', ['-s', '110', '-key', 'from', '<sip:13000000012@127.0.0.3>', '-key', 'case', 'CASE-42', '-d', '12000', '-m', '1', '-timeout', '30s'], { sandbox, ip: '127.0.0.3', logDir });
    const handedBack = await waitFor('the 12345 call in', async () => (await incidentsOf(service, '13000000012'))[0]);
    t.match(handedBack, { trunk: 'from12345', caseRef: 'CASE-42', priority: 0 }, 'from 12345, with its case reference and its priority');
    t.equal(await busy.done, 0);
    const firstOffer = await waitFor('the freed seat offered a call', async () => {
      const [waiting110] = await incidentsOf(service, '13000000011');
      const [from12345] = await incidentsOf(service, '13000000012');
      const at = (i: typeof waiting110) => i.timeline.find((e) => e.kind === 'offered')?.at;
      return at(waiting110) || at(from12345) ? { waiting110: at(waiting110), from12345: at(from12345) } : undefined;
    });
    t.ok(firstOffer.from12345 && (!firstOffer.waiting110 || firstOffer.from12345 < firstOffer.waiting110), 'the 12345 call was offered first, although it came later');
  });
  await seat.kill();
});
