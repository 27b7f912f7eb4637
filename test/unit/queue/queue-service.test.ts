// The queue's decisions over a fake Telephony: what happens to an offer when its call-taker
// leaves the seat while the phone rings, or asks for not ready right after the answer (issue 14,
// H1: an answer applied to a not-ready seat threw inside the ARI event handler and ended Node).
import t from 'tap';
import { QueueService } from '../../../src/queue/queue-service';
import type { Offer } from '../../../src/queue/offer';
import type { Telephony } from '../../../src/asterisk/telephony';
import { Faults } from '../../../src/events/faults';
import { FakeTelephony, fakeSeats, silentLog } from '../../support/fake-telephony';

const settings = { ringNoAnswerMs: 60_000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '' };
const turn = () => new Promise((r) => setImmediate(r));

function setup() {
  const phone = new FakeTelephony();
  const { seats, faults, events } = fakeSeats(['1001', '1002']);
  const queue = new QueueService(phone.port, seats, settings, silentLog(), faults);
  const told: string[] = [];
  queue.on('offered', (o) => told.push(`offered ${o.seat?.id}`));
  queue.on('answered', (o) => told.push(`answered ${o.seat?.id}`));
  queue.on('offer_failed', (o, cause) => told.push(`failed ${o.seat?.id} ${cause}`));
  const reported: string[] = [];
  faults.on('fault', (f) => reported.push(f.where));
  seats.apply(seats.get('1001'), 'login');
  seats.apply(seats.get('1002'), 'login');
  seats.get('1001').idleSince -= 1000; // idle longest: offered first
  t.teardown(() => queue.stop());
  const call = (n: number) => ({ channelId: `caller-${n}`, incident: `20261202-00000${n}`, callerNumber: '139', priority: 100, arrivedAt: 1_000_000 + n, enqueuedAt: Date.now() });
  return { phone, seats, queue, told, reported, events, call };
}

for (const [action, state, cause] of [
  ['not_ready', 'not_ready', 'seat_not_ready'],
  ['logout', 'logged_out', 'seat_logged_out'],
] as const) {
  t.test(`${action} while ringing: the ringing is withdrawn, the call goes to the next seat; a crossing answer is ignored`, async (t) => {
    const { phone, seats, queue, told, reported, events, call } = setup();
    queue.enqueue(call(1));
    const [first] = phone.created();
    t.match(first, /^cti110-seat-1001-/, 'offered to the seat idle longest');
    await turn(); // Asterisk took the originate: the phone rings
    t.equal(seats.get('1001').state, 'ringing');

    t.doesNotThrow(() => seats.apply(seats.get('1001'), action, action === 'not_ready' ? 'break' : null), 'the call-taker may leave a ringing seat');
    t.equal(seats.get('1001').state, state);
    t.same(phone.calls('hangup'), [[first]], "the seat's ringing leg is hung up");
    t.ok(told.includes(`failed 1001 ${cause}`), 'the call flow is told why (stamped on the timeline)');
    t.ok(events.some((e) => e.seat === '1001' && e.kind === 'offer_withdrawn'), 'supervisors see the withdrawal');
    t.notOk(queue.isLeg(first));

    await turn();
    const [, second] = phone.created();
    t.match(second, /^cti110-seat-1002-/, 'the call goes on to the next seat');
    t.same(queue.snapshot().waiting.map((c) => c.channelId), ['caller-1'], 'still waiting, in its place');

    t.doesNotThrow(() => queue.legEntered(first), 'an answer that crossed the withdrawal does not throw');
    t.equal(seats.get('1001').state, state, 'and does not change the seat');
    t.notOk(told.includes('answered 1001'), 'nor connects the caller with a leg being hung up');
    t.same(phone.calls('hangup'), [[first], [first]], 'the leg that answered anyway is hung up');

    queue.legEntered(second); // its StasisStart: originated legs enter our app when answered
    t.equal(seats.get('1002').state, 'on_call');
    t.same(told.filter((m) => m.startsWith('answered')), ['answered 1002'], 'the caller is answered by the next seat');
    t.same(queue.snapshot().waiting, []);
    t.same(reported, [], 'nothing needed the last-resort guard');
  });
}

t.test('not ready right after the answer: the call is kept, the seat goes not ready when it ends', async (t) => {
  const { phone, seats, queue, told, call } = setup();
  queue.enqueue(call(1));
  const [leg] = phone.created();
  queue.legEntered(leg);
  seats.apply(seats.get('1001'), 'not_ready', 'after this one');
  t.equal(seats.get('1001').state, 'on_call', 'the call in progress is kept');
  t.same(phone.calls('hangup'), [], 'nothing hung up');
  queue.enqueue(call(2));
  await turn();
  t.notOk(phone.created().some((id) => id.startsWith('cti110-seat-1001-') && id !== leg), 'the next call is not offered to 1001');
  await queue.endTalking(leg);
  t.same([seats.get('1001').state, seats.get('1001').reason], ['not_ready', 'after this one'], 'not ready once the call is over, with the reason asked for');
  await turn();
  t.equal(phone.created().filter((id) => id.startsWith('cti110-seat-1001-')).length, 1, 'and not offered a call afterwards');
  t.ok(told.includes('offered 1002'));
});

t.test('a listener that throws on an answer is contained: the answer stands, the fault is reported', async (t) => {
  const { phone, seats, queue, told, reported, call } = setup();
  queue.on('answered', () => {
    throw new Error('listener bug');
  });
  queue.enqueue(call(1));
  const [leg] = phone.created();
  t.doesNotThrow(() => queue.legEntered(leg));
  t.equal(seats.get('1001').state, 'on_call');
  t.ok(told.includes('answered 1001'), 'the listeners before and after it still ran');
  t.same(reported, ["QueueService 'answered' listener"]);
});

t.test('a seat leaving takes back only its own offer', async (t) => {
  const { phone, seats, queue, call } = setup();
  queue.enqueue(call(1));
  queue.enqueue(call(2));
  const [a, b] = phone.created();
  t.match(b, /^cti110-seat-1002-/, 'two calls, two seats ringing');
  seats.apply(seats.get('1001'), 'not_ready');
  t.same(phone.calls('hangup'), [[a]], "only 1001's leg is hung up");
  t.equal(seats.get('1002').state, 'ringing', '1002 keeps ringing');
  t.ok(queue.isLeg(b));
  const offered: Offer[] = [];
  queue.on('offered', (o) => offered.push(o));
  await turn();
  t.same(offered, [], 'no ready seat left: caller-1 waits at the head');
  t.same(queue.snapshot().waiting.map((c) => c.channelId), ['caller-1', 'caller-2'], 'caller-1 keeps its place at the head');
});

t.test('a seat leaving while its leg is being originated: the leg is hung up once Asterisk has it', async (t) => {
  const { phone, seats, queue, call } = setup();
  queue.enqueue(call(1));
  const [leg] = phone.created();
  seats.apply(seats.get('1001'), 'not_ready'); // before the originate's answer came back
  t.same(phone.calls('hangup'), [[leg]], 'withdrawn at once (Asterisk may not have the channel yet)');
  await turn(); // the originate's answer: the channel exists now, and nobody wants it
  t.same(phone.calls('hangup'), [[leg], [leg]], 'hung up again once it exists');
  t.same(phone.calls('dial'), [], 'one request per leg: no separate dial');
});

t.test("a seat leg is answered when it enters our app, not on its channel's Up", async (t) => {
  const { phone, seats, queue, told, call } = setup();
  queue.enqueue(call(1));
  const [leg] = phone.created();
  t.match(phone.calls('originate').map((a) => a[0]), [
    { channelId: leg, endpoint: 'PJSIP/1001', appArgs: 'leg,caller-1', timeoutSec: 65, callerId: '139', originatorChannelId: 'caller-1' },
  ], 'created and dialled in one request, the caller\'s number shown on the phone');
  await turn();
  t.equal(seats.get('1001').state, 'ringing');
  t.notOk(told.includes('answered 1001'), 'not answered before its StasisStart');
  queue.legEntered(leg);
  t.equal(seats.get('1001').state, 'on_call');
  t.ok(told.includes('answered 1001'));
});

t.test('a seat leg that never answers (no StasisStart): its Dial failure or ChannelDestroyed frees the call', async (t) => {
  const { phone, seats, queue, told, call } = setup();
  queue.enqueue(call(1));
  const [leg] = phone.created();
  await turn();
  queue.legGone(leg, 'BUSY');
  t.ok(told.includes('failed 1001 BUSY'));
  t.notOk(queue.isLeg(leg));
  queue.legGone(leg, 'Normal Clearing'); // its ChannelDestroyed after the Dial event: nothing more
  t.equal(told.filter((m) => m.startsWith('failed')).length, 1);
  await turn();
  t.match(phone.created()[1], /^cti110-seat-1002-/, 'offered to the next seat');
  t.equal(seats.get('1001').state, 'not_ready', 'the seat that could not be reached is taken out of the pool');
});

t.test('several Asterisk nodes: a nailed seat takes only callers on its own node; a ringing seat any', async (t) => {
  const { phone, seats, call } = setup();
  // Two nodes: channels named "<node>:..." are on that node (the router's sameNode()).
  const nodeOf = (id: string) => id.split(':')[0];
  const port = { ...Object.fromEntries(['originate', 'play', 'hangup'].map((op) => [op, phone.port[op as 'play']])), sameNode: (a: string, b: string) => nodeOf(a) === nodeOf(b) } as unknown as Telephony;
  const queue = new QueueService(port, seats, settings, silentLog(), new Faults(silentLog()));
  t.teardown(() => queue.stop());
  const told: string[] = [];
  queue.on('offered', (o) => told.push(`offered ${o.seat?.id}`));
  queue.on('answered', (o) => told.push(`answered ${o.seat?.id}`));
  const nailed = seats.get('1001');
  nailed.delivery = 'nailed';
  nailed.nailedChannel = 'A:headset-1001';
  seats.apply(seats.get('1002'), 'not_ready');
  queue.enqueue({ ...call(1), channelId: 'B:caller-1' });
  await turn();
  t.same(told, [], "a caller on node B is not switched into node A's nailed connection");
  queue.enqueue({ ...call(2), channelId: 'A:caller-2' });
  await turn();
  t.same(told, ['offered 1001', 'answered 1001'], 'the caller behind it, on node A, is');
  seats.apply(seats.get('1002'), 'ready');
  await turn();
  t.same(told.slice(2), ['offered 1002'], 'the caller on B rings the ringing seat');
});
