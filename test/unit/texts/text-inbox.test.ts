// Inbound texts to conversations at the seats, over a real SQLite store, the real queue and outbox,
// a fake Telephony (no call leg may be rung for a text) and a fake gateway (fetch).
import t, { type Test } from 'tap';
import { Database } from '../../../src/store/database';
import { IncidentsRepo } from '../../../src/store/incidents-repo';
import { Incidents } from '../../../src/incidents/incidents';
import { QueueService } from '../../../src/queue/queue-service';
import { Outbox } from '../../../src/outbox/outbox';
import { OutboxRepo } from '../../../src/store/outbox-repo';
import { TextsRepo } from '../../../src/store/texts-repo';
import { SmsGateway } from '../../../src/texts/sms-gateway';
import { TextDesk } from '../../../src/texts/text-desk';
import { TextInbox } from '../../../src/texts/text-inbox';
import { sign } from '../../../src/texts/signature';
import { BadSignature, ConversationStateError } from '../../../src/texts/errors';
import { FakeTelephony, fakeSeats, silentLog } from '../../support/fake-telephony';

const SECRET = 'unit-test-gateway-secret';
const turn = () => new Promise((r) => setImmediate(r));
const until = async (what: string, fn: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 200; i++) if (await fn()) return;
  else await new Promise((r) => setTimeout(r, 10));
  throw new Error(`never: ${what}`);
};

async function setup(t: Test, opts: { withVoiceCall?: boolean; gatewayDown?: number } = {}) {
  const db = await Database.open(`${t.testdir({})}/texts.sqlite`);
  t.teardown(() => db.close());
  const incidents = new Incidents(new IncidentsRepo(db));
  await incidents.start();
  t.teardown(() => incidents.stop(1000));
  const phone = new FakeTelephony();
  const { seats, faults } = fakeSeats(['1001']);
  const queue = new QueueService(phone.port, seats, { ringNoAnswerMs: 60_000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' }, silentLog(), faults);
  t.teardown(() => queue.stop());
  // The gateway: down (503) for the first `gatewayDown` requests, then up; every request kept.
  const received: { key: string | null; signature: string | null; body: Record<string, string>; status: number }[] = [];
  let failures = opts.gatewayDown ?? 0;
  const fetch = (async (_url: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    const status = failures-- > 0 ? 503 : 200;
    received.push({ key: headers.get('idempotency-key'), signature: headers.get('x-gateway-signature'), body: JSON.parse(String(init.body)) as Record<string, string>, status });
    return new Response(null, { status });
  }) as typeof globalThis.fetch;
  const outbox = new Outbox(new OutboxRepo(db), { minBackoffMs: 20, maxBackoffMs: 40, timeoutMs: 1000, pollMs: 50 }, silentLog(), { fetch });
  outbox.start();
  t.teardown(() => outbox.stop());
  const repo = new TextsRepo(db);
  const gateway = new SmsGateway(outbox, { sendUrl: 'http://gateway.test/send', secret: SECRET, serviceNumber: '12110' });
  const calledBack: string[] = [];
  const callbacks = { start: async (incident: string, seat: string) => (calledBack.push(`${incident}@${seat}`), { incident, seat }) };
  const desk = new TextDesk(repo, incidents, seats, queue, gateway, callbacks, { priority: 20, withVoiceCall: opts.withVoiceCall ?? false, locationRequest: '请回复您的位置（{incident}）' }, silentLog(), 20);
  t.teardown(() => desk.stop());
  queue.takeTextsWith(desk);
  const inbox = new TextInbox(repo, incidents, desk, { secret: SECRET, priority: 20 }, silentLog());
  let n = 0;
  const text = (from: string, body: string, id = `MO-${++n}`) => {
    const raw = JSON.stringify({ messageId: id, from, to: '12110', text: body, timestamp: Date.now() });
    return inbox.receive(raw, sign(SECRET, raw));
  };
  const seat = seats.get('1001');
  seats.apply(seat, 'login');
  const call = (id: string) => ({ channelId: id, incident: `20261207-9${id}`, callerNumber: '139', priority: 10, arrivedAt: Date.now(), enqueuedAt: Date.now() });
  return { db, incidents, phone, seats, seat, queue, desk, inbox, repo, text, received, calledBack, call };
}

t.test('a delivery repeated (also at once) creates nothing twice; a bad signature nothing at all', async (t) => {
  const s = await setup(t);
  const raw = JSON.stringify({ messageId: 'MO-dup', from: '13800000001', to: '12110', text: '救命', timestamp: Date.now() });
  const [a, b] = await Promise.all([s.inbox.receive(raw, sign(SECRET, raw)), s.inbox.receive(raw, sign(SECRET, raw))]);
  t.equal(a.status, 'created');
  t.same(b, { status: 'duplicate' });
  t.same(await s.inbox.receive(raw, sign(SECRET, raw)), { status: 'duplicate' }, 'and again later');
  t.throws(() => s.inbox.receive(raw, sign('another-secret-entirely', raw)), BadSignature);
  t.throws(() => s.inbox.receive(raw, undefined), BadSignature);
  t.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM incidents'))!.n, 1, 'one incident');
  t.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM text_messages'))!.n, 1, 'one message');
});

t.test('a text takes a seat as a call does: no leg rung, the seat on a call until it lets the text go', async (t) => {
  const s = await setup(t);
  const first = await s.text('13800000002', '我在出租车上，司机不对劲');
  await until('text at the seat', () => s.desk.atSeat('1001') === (first as { incident: string }).incident);
  t.equal(s.seat.state, 'on_call');
  t.same(s.phone.created(), [], 'no leg originated for a text');
  s.queue.enqueue(s.call('caller-1'));
  await turn();
  t.same(s.phone.created(), [], 'a voice call waits: the seat has the text');
  t.same((await s.text('13800000002', '车往城外开了')).status, 'joined', 'a second text joins the conversation');
  await s.desk.release((first as { incident: string }).incident);
  await until('the call offered to the freed seat', () => s.phone.created().length === 1);
  t.equal(s.desk.atSeat('1001'), undefined);
  const inc = await s.incidents.get((first as { incident: string }).incident);
  t.match(inc, { trunk: 'sms', callerNumber: '13800000002', seatId: '1001', delivery: 'text' });
  t.same(inc.timeline.map((e) => e.kind).filter((k) => k.startsWith('text') || k === 'offered' || k === 'answered'), ['text_received', 'offered', 'answered', 'text_received', 'text_released']);
});

t.test('with texts.withVoiceCall a seat holds a text and a call at once', async (t) => {
  const s = await setup(t, { withVoiceCall: true });
  const { incident } = (await s.text('13800000003', '有人在砸门')) as { incident: string };
  await until('text at the seat', () => s.desk.atSeat('1001') === incident);
  t.equal(s.seat.state, 'ready', 'the text leaves the seat ready for a call');
  s.queue.enqueue(s.call('caller-2'));
  t.equal(s.phone.created().length, 1, 'the call rings the same seat');
  t.equal(s.seat.state, 'ringing');
  t.notOk((await s.text('13800000004', '另一条')).status === 'joined', 'another sender: its own incident');
  t.same(s.queue.snapshot().waiting.filter((w) => w.media === 'text').map((w) => w.callerNumber), ['13800000004'], 'which waits: the seat holds one text already');
});

t.test('after the seat let go, a new text queues the conversation again; closed, a new incident', async (t) => {
  const s = await setup(t);
  const { incident } = (await s.text('13800000005', '一')) as { incident: string };
  await until('at the seat', () => s.desk.atSeat('1001') === incident);
  await s.desk.release(incident);
  t.equal(s.seat.state, 'ready');
  await t.rejects(s.desk.release(incident), ConversationStateError, 'nothing to let go twice');
  t.same(await s.text('13800000005', '二'), { status: 'joined', incident });
  await until('back at the seat', () => s.desk.atSeat('1001') === incident);
  await s.desk.close(incident);
  t.equal(s.seat.state, 'ready', 'closing frees the seat');
  await t.rejects(s.desk.reply(incident, 'x', 'taker'), ConversationStateError, 'no reply to a closed conversation');
  const next = (await s.text('13800000005', '三')) as { status: string; incident: string };
  t.equal(next.status, 'created');
  t.not(next.incident, incident, 'a new incident');
  t.ok((await s.incidents.get(incident)).endedAt, 'the closed one has ended');
});

t.test('replies go out through the outbox: signed, keyed, queued while the gateway is down, then sent once', async (t) => {
  const s = await setup(t, { gatewayDown: 2 });
  const { incident } = (await s.text('+8613800000006', '不方便说话')) as { incident: string };
  const { key } = await s.desk.reply(incident, '收到，民警马上到', 'taker1001');
  const loc = await s.desk.requestLocation(incident, 'taker1001');
  t.match((await s.desk.view(incident)).messages.map((m) => [m.direction, m.status]), [['in', 'received'], ['out', /queued|sent/], ['out', /queued|sent/]]);
  await until('both sent', async () => (await s.desk.view(incident)).messages.every((m) => m.status !== 'queued'));
  t.same(s.received.map((r) => r.status), [503, 503, 200, 200], 'refused twice while the gateway was down, then taken');
  const taken = s.received.filter((r) => r.status === 200);
  t.same(taken.map((r) => r.key).sort(), [key, loc.key].sort(), 'each text taken once');
  const reply = taken.find((r) => r.key === key)!;
  t.same(reply.body, { messageId: key, from: '12110', to: '13800000006', text: '收到，民警马上到' }, 'to the national number, with our key as message id');
  t.equal(reply.signature, sign(SECRET, JSON.stringify(reply.body)), 'signed like the webhooks');
  t.equal(s.received.find((r) => r.key === loc.key)?.body.text, `请回复您的位置（${incident}）`);
  await until('delivered on the timeline', async () => (await s.incidents.get(incident)).timeline.filter((e) => e.kind === 'text_delivered').length === 2);
  const sent = (await s.incidents.get(incident)).timeline.filter((e) => e.kind === 'text_sent').map((e) => e.detail.purpose);
  t.same(sent, ['reply', 'location_request']);
});

t.test('a reply handler takes a text first: stored once, no incident', async (t) => {
  const s = await setup(t);
  const asked: string[] = [];
  s.inbox.addReplyHandler(async (from, text) => (asked.push(`${from}:${text}`), text.trim() === '5'));
  t.same(await s.text('13800000007', '5', 'MO-fu'), { status: 'consumed' });
  t.same(await s.text('13800000007', '5', 'MO-fu'), { status: 'duplicate' }, 'a repeat of it is not asked again');
  t.equal((await s.text('13800000007', '还有事')).status, 'created', 'anything else opens an incident');
  t.same(asked, ['13800000007:5', '13800000007:还有事']);
  t.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM incidents'))!.n, 1);
  s.inbox.addReplyHandler(async () => {
    throw new Error('follow-up store down');
  });
  t.equal((await s.text('13800000011', '有人闯进来了')).status, 'created', 'a handler that fails loses no report');
});

t.test('escalating to a voice call-back: the text gives the seat to the call', async (t) => {
  const s = await setup(t);
  const { incident } = (await s.text('13800000008', '能打电话吗')) as { incident: string };
  await until('at the seat', () => s.desk.atSeat('1001') === incident);
  t.equal(s.seat.state, 'on_call');
  await s.desk.callBack(incident, '1001');
  t.same(s.calledBack, [`${incident}@1001`]);
  t.equal(s.seat.state, 'ready', 'free for the call-back to ring it');
  t.ok((await s.desk.reply(incident, '马上给您回电', 'taker1001')).key, 'the conversation goes on');
});

t.test('an incident closed (POST /incidents/:n/close stamps incident_closed) closes its conversation', async (t) => {
  const s = await setup(t);
  const { incident } = (await s.text('13800000009', '已经安全了')) as { incident: string };
  await until('at the seat', () => s.desk.atSeat('1001') === incident);
  const row = await s.incidents.findByNumber(incident);
  await s.incidents.stamp(row.id, 'incident_closed');
  await until('closed', async () => (await s.desk.view(incident)).state === 'closed');
  t.equal(s.seat.state, 'ready', 'the seat is free');
  t.equal((await s.text('13800000009', '又来了')).status, 'created', 'the next text is a new incident');
});

t.test('after a restart an open conversation is back in the queue and taken again', async (t) => {
  const s = await setup(t);
  const { incident } = (await s.text('13800000010', '还在吗')) as { incident: string };
  await until('at the seat', () => s.desk.atSeat('1001') === incident);
  s.desk.stop();
  // The restarted service: new seats, queue and desk over the same store.
  const { seats, faults } = fakeSeats(['1001']);
  const queue = new QueueService(new FakeTelephony().port, seats, { ringNoAnswerMs: 60_000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' }, silentLog(), faults);
  t.teardown(() => queue.stop());
  const gateway = { sendSms: async () => ({ created: true }) };
  const desk = new TextDesk(s.repo, s.incidents, seats, queue, gateway, { start: async (i: string, seat: string) => ({ incident: i, seat }) }, { priority: 20, withVoiceCall: false, locationRequest: '?' }, silentLog(), 20);
  t.teardown(() => desk.stop());
  queue.takeTextsWith(desk);
  await desk.restore();
  t.equal(queue.snapshot().waiting[0]?.incident, incident, 'waiting in the queue (no seat logged in yet)');
  seats.apply(seats.get('1001'), 'login');
  await until('taken again', () => desk.atSeat('1001') === incident);
  t.ok((await s.incidents.get(incident)).timeline.some((e) => e.kind === 'text_requeued'), 'the requeue is on the timeline');
});
