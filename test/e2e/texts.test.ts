// Text reports (12110) through the real service and a real Asterisk: a test HTTP server plays the
// carrier's SMS gateway (it posts signed webhooks, and takes the replies, failing with 503 when
// told). A text opens an incident that a seat takes in its console; the seat replies through the
// durable outbox; a repeated webhook creates nothing twice; a bad signature is refused; the seat
// holds a text and a voice call at once (texts.withVoiceCall); a text escalates to a voice call-back.
import t from 'tap';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchBrowser } from '../support/browser';
import { startAsterisk, startConfiguredService, incidentsOf, sipp, waitFor, workDir, seatPhone, registered, post, type Service, type IncidentView } from '../support/harness';

const SECRET = 'e2e-gateway-shared-secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

interface Conversation {
  incident: string;
  number: string;
  state: string;
  seatId: string | null;
  messages: { direction: string; body: string; status: string; author: string | null }[];
}
interface GatewayRequest {
  key: string | undefined;
  signature: string | undefined;
  raw: string;
  body: { messageId: string; from: string; to: string; text: string };
  answered: number;
}

/** The gateway posting an inbound text to the service, as the carrier's would. */
async function webhook(service: Service, body: unknown, opts: { signature?: string | null; contentType?: string } = {}): Promise<{ status: number; body: { status?: string; incident?: string; error?: string; message?: string } }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  const signature = opts.signature === undefined ? sign(raw) : opts.signature;
  if (signature !== null) headers['x-gateway-signature'] = signature;
  const res = await fetch(`${service.url}/texts/inbound`, { method: 'POST', headers, body: raw });
  return { status: res.status, body: (await res.json()) as { status?: string; incident?: string } };
}

t.test('text reports (12110)', async (t) => {
  const logDir = workDir(t);
  const sandbox = await startAsterisk(t, 'texts');
  // The carrier's gateway, send side: answers 503 while `down` > 0 (one less per request), then 200.
  const gateway: GatewayRequest[] = [];
  let down = 0;
  const receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const answered = down > 0 ? 503 : 200;
      if (down > 0) down -= 1;
      gateway.push({ key: req.headers['idempotency-key'] as string | undefined, signature: req.headers['x-gateway-signature'] as string | undefined, raw, body: JSON.parse(raw), answered });
      res.writeHead(answered, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: answered === 200 }));
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => receiver.close(() => r())));
  const service = await startConfiguredService(t, sandbox, logDir, {
    seats: [{ id: '1001', endpoint: 'PJSIP/1001', autoAnswer: true }],
    queue: { ringNoAnswerMs: 4000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' },
    texts: { secret: SECRET, sendUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sms/send`, withVoiceCall: true },
    // Every closed incident followed up half a second after, at any hour; a text report by SMS.
    followUp: { enabled: true, delayMs: 500, sharePct: 100, quietHours: { from: '00:00', to: '00:00' }, pollMs: 200, smsReplyWaitMs: 60000 },
  });
  const phone = await seatPhone(t, sandbox, '1001', { logDir, stayS: 170, answerMs: 300 });
  await registered(sandbox, '1001');
  await waitFor('1001 reachable', async () => (await service.get<{ reachable: boolean }>('/seats/1001')).body.reachable, 30000);
  t.equal((await post(service, '/seats/1001/login')).status, 200);
  const conversation = async (n: string) => (await service.get<Conversation>(`/incidents/${n}/texts`)).body;
  const incident = async (n: string) => (await service.get<IncidentView & { trunk: string }>(`/incidents/${n}`)).body;
  const first = { messageId: 'MO-e2e-1', from: '+8613900000001', to: '12110', text: '我被人跟踪了，不敢打电话', timestamp: new Date().toISOString() };
  let number = '';
  let latest = '';

  await t.test('a bad signature is refused 401, a malformed body 400 saying why; nothing is created', async (t) => {
    const unsigned = await webhook(service, first, { signature: null });
    t.same([unsigned.status, unsigned.body.error], [401, 'BAD_SIGNATURE']);
    const forged = await webhook(service, first, { signature: `sha256=${createHmac('sha256', 'not-the-secret!!').update(JSON.stringify(first)).digest('hex')}` });
    t.equal(forged.status, 401, 'signed with another secret');
    const changed = await webhook(service, JSON.stringify({ ...first, text: '改过的' }), { signature: sign(JSON.stringify(first)) });
    t.equal(changed.status, 401, 'a body changed after signing');
    const notJson = await webhook(service, '{"messageId":');
    t.same([notJson.status, notJson.body.error, notJson.body.message], [400, 'BAD_TEXT', 'body is not JSON']);
    const noFrom = await webhook(service, { ...first, from: undefined });
    t.same([noFrom.status, noFrom.body.message], [400, 'body has no "from"']);
    t.equal((await webhook(service, 'messageId=1', { contentType: 'application/x-www-form-urlencoded' })).status, 415, 'not JSON by its content type');
    t.same(await incidentsOf(service, '139'), [], 'no incident');
  });

  await t.test('a text opens an incident that enters the queue and is taken by a seat in its console', async (t) => {
    const res = await webhook(service, first);
    t.same([res.status, res.body.status], [200, 'created']);
    number = res.body.incident!;
    t.match(number, /^\d{8}-\d{6}$/, 'numbered as calls are');
    const taken = await waitFor('the seat has the text', async () => ((await conversation(number)).state === 'with_seat' ? conversation(number) : undefined), 20000);
    t.equal(taken.seatId, '1001');
    t.match(taken.messages, [{ direction: 'in', body: first.text, status: 'received' }]);
    t.same((await service.get<{ incident: string }>('/seats/1001/text')).body, { incident: number }, "the seat's console finds it");
    const inc = await incident(number);
    t.match(inc, { callerNumber: '13900000001', trunk: 'sms', seatId: '1001', delivery: 'text' });
    t.same(inc.timeline.map((e) => e.kind).slice(0, 3), ['text_received', 'offered', 'answered']);
    t.equal((await service.get<{ state: string }>('/seats/1001')).body.state, 'ready', 'the seat stays ready for calls (texts.withVoiceCall)');
  });

  await t.test('the same webhook delivered again creates nothing twice', async (t) => {
    const again = await webhook(service, first);
    t.same([again.status, again.body.status], [200, 'duplicate']);
    t.equal((await incidentsOf(service, '139')).length, 1, 'one incident');
    t.equal((await conversation(number)).messages.length, 1, 'one message');
    const more = await webhook(service, { ...first, messageId: 'MO-e2e-2', text: '我在人民路地铁站A口' });
    t.same([more.body.status, more.body.incident], ['joined', number], 'a new text from the number joins the conversation');
    t.equal((await conversation(number)).messages.length, 2);
  });

  await t.test('the reply goes out through the outbox: the gateway down (503) then back gets it once, queued then sent', async (t) => {
    down = 2;
    const sent = await post<{ key: string }>(service, `/incidents/${number}/texts`, { text: '民警正在赶来，请留在人多的地方。' });
    t.equal(sent.status, 202);
    const key = sent.body.key;
    const queued = (await conversation(number)).messages[2]!;
    t.match(queued, { direction: 'out', body: '民警正在赶来，请留在人多的地方。' });
    await waitFor('the gateway refused it twice', () => gateway.filter((g) => g.key === key).length >= 2, 20000);
    t.equal((await conversation(number)).messages[2]!.status, 'queued', 'queued while the gateway is down');
    await waitFor('sent', async () => (await conversation(number)).messages[2]!.status === 'sent', 30000);
    const tries = gateway.filter((g) => g.key === key);
    t.same(tries.map((g) => g.answered), [503, 503, 200], 'retried until the gateway took it, then never again');
    const taken = tries[2]!;
    t.same(taken.body, { messageId: key, from: '12110', to: '13900000001', text: '民警正在赶来，请留在人多的地方。' });
    t.equal(taken.signature, sign(taken.raw), 'signed with the shared secret');
    await waitFor('delivery on the timeline', async () => (await incident(number)).timeline.some((e) => e.kind === 'text_delivered' && e.detail.key === key), 10000);
    const location = await post<{ key: string }>(service, `/incidents/${number}/texts/location-request`);
    t.equal(location.status, 202);
    const asked = await waitFor('location request at the gateway', () => gateway.find((g) => g.key === location.body.key && g.answered === 200), 15000);
    t.match(asked.body.text, new RegExp(`${number}.*位置`), 'the configured request, with the incident number');
    t.equal((await post(service, `/incidents/${number}/texts`, { text: '' })).status, 400, 'an empty reply is refused');
    t.equal((await post(service, '/incidents/20991231-999999/texts', { text: 'x' })).status, 404, 'an unknown incident too');
  });

  await t.test('with texts.withVoiceCall the seat holds the text and a voice call at once', async (t) => {
    const caller = await sipp(t, 'caller.xml', ['-s', '110', '-key', 'callerid', '13700000009', '-set', 'hold_s', '4', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', logDir });
    const call = await waitFor('the call answered', async () => {
      const [i] = await incidentsOf(service, '13700000009');
      return i?.answeredAt ? i : undefined;
    }, 30000);
    t.equal(call.seatId, '1001', 'answered at the seat holding the text');
    t.same((await service.get<{ incident: string }>('/seats/1001/text')).body, { incident: number }, 'which still holds it');
    t.equal((await service.get<{ state: string }>('/seats/1001')).body.state, 'on_call');
    const during = await webhook(service, { ...first, messageId: 'MO-e2e-3', text: '他还在后面' });
    t.same(during.body, { status: 'joined', incident: number }, 'a text during the call reaches the same seat');
    t.equal(await caller.done, 0, 'the caller talked and hung up');
    await waitFor('the seat ready again', async () => (await service.get<{ state: string }>('/seats/1001')).body.state === 'ready', 20000);
  });

  await t.test('the text escalates to a voice call-back from the same incident', async (t) => {
    const callee = await sipp(t, 'trunk-callee.xml', ['-set', 'answer_ms', '300', '-set', 'hold_s', '3', '-m', '1', '-l', '1', '-timeout', '60s', '-timeout_error'], { sandbox, ip: '127.0.0.2', port: sandbox.trunk110Port, logDir });
    const started = await post<{ incident: string; seat: string }>(service, `/incidents/${number}/texts/call-back`, { seat: '1001' });
    t.same([started.status, started.body], [202, { incident: number, seat: '1001' }]);
    t.equal(await callee.done, 0, 'the sender was called back on their number, answered and talked');
    const inc = await waitFor('callback connected', async () => {
      const i = await incident(number);
      return i.timeline.some((e) => e.kind === 'callback' && e.detail.result === 'connected') ? i : undefined;
    }, 20000);
    t.ok(inc.timeline.findIndex((e) => e.kind === 'text_received') < inc.timeline.findIndex((e) => e.kind === 'callback'), 'on the text incident, after the texts');
  });

  await t.test("the seat's console shows the conversation, sends what is typed and a quick reply, and shows a new text live", async (t) => {
    const browser = await launchBrowser(t);
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${service.url}/ui/console.html?seat=1001`);
    await page.waitForFunction((n) => document.getElementById('text-incident')?.textContent === n, number, { timeout: 20000 });
    t.equal(await page.locator('#text-messages li').count(), 5, 'three texts in, two replies out');
    await page.fill('#text-body', '请告诉我们您现在的位置');
    await page.click('#btn-text-send');
    const typed = await waitFor('the typed reply at the gateway', () => gateway.find((g) => g.body.text === '请告诉我们您现在的位置' && g.answered === 200), 15000);
    t.equal(typed.body.to, '13900000001');
    await page.waitForFunction(() => document.querySelectorAll('#text-messages li.out[data-status="sent"]').length === 3, undefined, { timeout: 20000 });
    const quick = page.locator('#quick-replies button').first();
    const quickText = await quick.getAttribute('title');
    t.ok(quickText, 'quick replies from the configuration');
    await quick.click();
    await waitFor('the quick reply at the gateway', () => gateway.find((g) => g.body.text === quickText && g.answered === 200), 15000);
    await webhook(service, { ...first, messageId: 'MO-e2e-5', text: '我在地铁站里面' });
    await page.waitForFunction(() => [...document.querySelectorAll('#text-messages li.in')].some((li) => li.textContent?.includes('我在地铁站里面')), undefined, { timeout: 20000 });
    t.pass('the new text shows live, without a reload');
    t.same(pageErrors, [], 'no script errors');
  });

  await t.test('closed: ended, the whole conversation in the audit chain and the signed export; a new text opens a new incident', async (t) => {
    const res = await post(service, `/incidents/${number}/texts/close`);
    t.equal(res.status, 204);
    const inc = await waitFor('ended', async () => ((await incident(number)).endedAt ? incident(number) : undefined), 10000);
    t.ok(inc.timeline.some((e) => e.kind === 'text_closed'));
    t.equal((await post(service, `/incidents/${number}/texts`, { text: 'x' })).status, 409, 'no reply to a closed conversation');
    const exported = await waitFor('export with the audit entries', async () => {
      const doc = (await service.get<{ record: { texts: { kind: string; text: string }[]; audit: { action: string }[] } }>(`/incidents/${number}/export`)).body;
      return doc.record.audit.some((a) => a.action === 'call.text_closed') ? doc : undefined;
    }, 15000);
    t.same(exported.record.texts.filter((x) => x.kind === 'sms_in').map((x) => x.text), [first.text, '我在人民路地铁站A口', '他还在后面', '我在地铁站里面'], 'every text in');
    t.equal(exported.record.texts.filter((x) => x.kind === 'sms_out').length, 4, 'every text out');
    const actions = exported.record.audit.map((a) => a.action);
    t.equal(actions.filter((a) => a === 'call.text_received').length, 4, 'each text in is an audit entry');
    t.equal(actions.filter((a) => a === 'call.text_sent').length, 4, 'each text out too');
    t.ok(actions.includes('call.text_delivered'));
    const next = await webhook(service, { ...first, messageId: 'MO-e2e-4', text: '又出事了' });
    t.equal(next.body.status, 'created');
    t.not(next.body.incident, number, 'a new incident');
    latest = next.body.incident!;
  });

  await t.test('closed, a text report is followed up by SMS: the survey goes out, three scores in reply are its answer, not a new report', async (t) => {
    t.equal((await post(service, `/incidents/${latest}/close`)).status, 200);
    const survey = await waitFor('the survey at the gateway', () => gateway.find((g) => g.key?.startsWith('followup-') && g.answered === 200), 20000);
    t.match(survey.body, { to: '13900000001', text: /1-5/ }, 'to the number that texted (as the incident keeps it), the scale in the text');
    t.equal((await webhook(service, { ...first, messageId: 'MO-e2e-7', text: '我还想问一下' })).body.status, 'created', 'words, not scores: a report like any other');
    const reply = await webhook(service, { ...first, messageId: 'MO-e2e-6', text: '5 2 4' });
    t.equal(reply.body.status, 'consumed', "the scores are the survey's answer: no report");
    const answered = await waitFor('the follow-up answered', async () => (await incident(latest)).timeline.find((e) => e.kind === 'followup_answered'), 20000);
    t.match(answered.detail, { speed: 5, attitude: 2, efficiency: 4 }, 'on the timeline');
    await waitFor('an unsatisfied score passed on', async () => (await incident(latest)).timeline.some((e) => e.kind === 'followup_unsatisfied'), 20000);
    const stats = (await service.get<{ total: { answered: number; unsatisfied: number } }>('/stats/follow-up')).body;
    t.match(stats.total, { answered: 1, unsatisfied: 1 }, 'in the statistics');
  });

  await phone.kill();
});
