// The node router over fakes of our own Telephony port (one per Asterisk node): which node each
// command goes to, where new channels and bridges are placed, how the nodes' events and lists
// are merged, and what a node going down changes.
import t from 'tap';
import { EventEmitter } from 'node:events';
import type { AriConnectionEvents } from '../../../src/asterisk/ari-connection';
import type { AriEvent } from '../../../src/asterisk/ari-events';
import { BridgeGone, ChannelGone, RecordingGone } from '../../../src/asterisk/errors';
import { NodeRoutedTelephony, type TelephonyNode } from '../../../src/asterisk/node-router';
import type { LiveChannel, Telephony } from '../../../src/asterisk/telephony';
import { FakeTelephony, silentLog } from '../../support/fake-telephony';

/** A fake node: its requests, what it holds (channels, recordings, endpoints), its event stream. */
class FakeNode {
  readonly fake = new FakeTelephony();
  readonly events = Object.assign(new EventEmitter<AriConnectionEvents>(), { isUp: true });
  readonly channels = new Set<string>();
  readonly recordings = new Set<string>();
  readonly bridges = new Set<string>();
  endpoints: { endpoint: string; online: boolean }[] = [];

  constructor(readonly name: string) {}

  readonly telephony: Telephony = new Proxy({} as Telephony, {
    get: (_t, op: keyof Telephony) => async (...args: unknown[]) => {
      await (this.fake.port[op] as (...a: unknown[]) => Promise<unknown>)(...args);
      const [first] = args as [string];
      if (op === 'listChannels') return [...this.channels].map((id): LiveChannel => ({ id, name: `PJSIP/x-${id}`, state: 'Up', callerNumber: '', callerName: '', inOurApp: true, appArgs: [] }));
      if (op === 'listBridges') return [...this.bridges].map((id) => ({ id, channelIds: [] }));
      if (op === 'listRecordings') return [...this.recordings];
      if (op === 'listEndpoints') return this.endpoints;
      if (op === 'createBridge') this.bridges.add(first);
      if (['answer', 'ring', 'dial', 'play', 'snoop', 'recordChannel'].includes(op) && !this.channels.has(first)) throw new ChannelGone(first);
      if (op === 'downloadRecording') {
        if (!this.recordings.has(first)) throw new RecordingGone(first);
        return Buffer.from(this.name);
      }
      if (op === 'isRecordingLive') return this.recordings.has(first);
      return undefined;
    },
  });

  node(): TelephonyNode {
    return { name: this.name, telephony: this.telephony, events: this.events };
  }

  /** Asterisk's event for a channel of this node, e.g. its StasisStart. */
  say(event: AriEvent): void {
    if ('channel' in event) this.channels.add(event.channel.id);
    this.events.emit('event', event);
  }

  ops(): string[] {
    const target = (arg: unknown) => (typeof arg === 'string' ? arg : (arg as { channelId?: string } | undefined)?.channelId);
    return this.fake.requests.map((r) => [r.op, target(r.args[0])].filter(Boolean).join(' '));
  }
}

const channel = (id: string) => ({ id, name: `PJSIP/trunk-${id}`, state: 'Ring', caller: { name: '', number: '13900000001' } });
const stasisStart = (id: string, args = ['110']): AriEvent => ({ type: 'StasisStart', args, channel: channel(id) });

function setup() {
  const a = new FakeNode('A');
  const b = new FakeNode('B');
  const router = new NodeRoutedTelephony([a.node(), b.node()], silentLog());
  const heard: AriEvent[] = [];
  router.on('event', (e) => heard.push(e));
  return { a, b, router, heard };
}

t.test("every node's events reach the one stream, and teach the router which node owns each channel", async (t) => {
  const { a, b, router, heard } = setup();
  a.say(stasisStart('caller-a'));
  b.say(stasisStart('caller-b'));
  t.same(heard.map((e) => e.type === 'StasisStart' && e.channel.id), ['caller-a', 'caller-b'], 'both callers, in order');
  t.equal(router.nodeOf('caller-a'), 'A');
  t.equal(router.nodeOf('caller-b'), 'B');
  await router.answer('caller-b');
  await router.ring('caller-a');
  t.same(a.ops(), ['ring caller-a'], 'each command to the owning node only');
  t.same(b.ops(), ['answer caller-b']);
  b.say({ type: 'ChannelDestroyed', channel: channel('caller-b'), cause: 16, cause_txt: 'Normal Clearing' });
  t.equal(router.nodeOf('caller-b'), undefined, 'forgotten once destroyed (after the event went on)');
  t.equal(heard.at(-1)?.type, 'ChannelDestroyed');
});

t.test("a seat leg, an officer leg and a snoop go on the caller's node; a bridge on its first channel's", async (t) => {
  const { a, b, router } = setup();
  b.say(stasisStart('caller-b'));
  await router.originate({ channelId: 'leg-1', endpoint: 'PJSIP/1001', appArgs: 'leg,caller-b', timeoutSec: 10, originatorChannelId: 'caller-b' });
  t.equal(router.nodeOf('leg-1'), 'B', "the seat's leg is originated on the caller's node");
  await router.createBridge('bridge-1', 'incident 1');
  t.same(b.ops(), ['originate leg-1'], 'createBridge alone asks no node: it does not know where its call is');
  await router.addToBridge('bridge-1', ['caller-b', 'leg-1']);
  t.same(b.ops(), ['originate leg-1', 'createBridge bridge-1', 'addToBridge bridge-1'], "made on the caller's node, then joined");
  await router.recordBridge('bridge-1', 'rec-1');
  await router.createChannel({ channelId: 'officer-1', endpoint: 'PJSIP/2001', appArgs: 'officer', near: 'bridge-1' });
  t.equal(router.nodeOf('officer-1'), 'B', "an officer's leg is made on its bridge's node");
  await router.addToBridge('bridge-1', ['officer-1']);
  b.channels.add('officer-1');
  await router.snoop('caller-b', { snoopId: 'snoop-1', spy: 'in', whisper: 'none', appArgs: 'monitor' });
  t.equal(router.nodeOf('snoop-1'), 'B', 'a snoop is on the snooped channel\'s node');
  await router.destroyBridge('bridge-1');
  t.same(a.ops(), [], 'node A was asked nothing');
  t.match(b.ops(), ['originate leg-1', 'createBridge bridge-1', 'addToBridge bridge-1', 'recordBridge bridge-1', 'createChannel officer-1', 'addToBridge bridge-1', 'snoop caller-b', 'destroyBridge bridge-1']);
  t.ok(router.sameNode('caller-b', 'leg-1'));
  a.say(stasisStart('caller-a'));
  t.notOk(router.sameNode('caller-a', 'leg-1'), 'channels of two nodes cannot share a bridge');
});

t.test('two joins racing for a planned bridge make it once', async (t) => {
  const { a, router } = setup();
  a.say(stasisStart('caller-a'));
  a.say(stasisStart('leg-a', ['leg', 'caller-a']));
  await router.createBridge('bridge-2', 'incident 2');
  await Promise.all([router.addToBridge('bridge-2', ['caller-a']), router.addToBridge('bridge-2', ['leg-a'])]);
  t.equal(a.ops().filter((op) => op === 'createBridge bridge-2').length, 1);
  await router.destroyBridge('bridge-3-never-made');
  await router.createBridge('bridge-4', 'never joined');
  await router.destroyBridge('bridge-4');
  t.notOk(a.ops().includes('destroyBridge bridge-4'), 'a bridge never made is not asked of Asterisk');
});

t.test('a target never seen is looked for on each node; lists merge every node and teach owners', async (t) => {
  const { a, b, router } = setup();
  b.recordings.add('call-110-1');
  t.equal((await router.downloadRecording('call-110-1')).toString(), 'B', 'a dialplan recording found on its node');
  t.same(a.ops(), ['downloadRecording call-110-1'], 'after asking A, which did not have it');
  await router.downloadRecording('call-110-1');
  t.equal(a.ops().length, 1, 'and then asked of B straight away');
  await t.rejects(router.downloadRecording('nowhere'), RecordingGone, 'on no node: gone');
  b.channels.add('old-caller');
  await t.rejects(router.answer('nobody'), ChannelGone);
  await router.answer('old-caller');
  t.equal(router.nodeOf('old-caller'), 'B');
  await router.hangup('unknown-leg');
  t.ok(a.ops().includes('hangup unknown-leg') && b.ops().includes('hangup unknown-leg'), 'a hang-up of an unknown channel goes to every node');

  a.channels.add('a-1');
  b.channels.add('b-1');
  a.bridges.add('br-a');
  a.recordings.add('rec-a');
  t.same((await router.listChannels()).map((c) => c.id).sort(), ['a-1', 'b-1', 'old-caller']);
  t.equal(router.nodeOf('a-1'), 'A', 'a listed channel is known to be on its node (reconcile after a restart)');
  t.same((await router.listBridges()).map((x) => x.id), ['br-a']);
  await router.addToBridge('br-a', ['a-1']);
  t.ok(a.ops().includes('addToBridge br-a'), "a listed bridge is joined on its node");
  t.same((await router.listRecordings()).sort(), ['call-110-1', 'rec-a']);
  await t.rejects(router.addToBridge('no-bridge', ['a-1']), BridgeGone, 'an unknown bridge on no node: gone');
});

t.test("a phone is reachable while one node reaches it; a node down takes only its own view away", async (t) => {
  const { a, b, router, heard } = setup();
  const states = () => heard.filter((e) => e.type === 'EndpointStateChange').map((e) => e.type === 'EndpointStateChange' && `${e.endpoint.resource}:${e.endpoint.state}`);
  a.endpoints = [{ endpoint: 'PJSIP/1001', online: true }, { endpoint: 'PJSIP/1002', online: false }];
  b.endpoints = [{ endpoint: 'PJSIP/1001', online: false }, { endpoint: 'PJSIP/1002', online: false }];
  t.same(await router.listEndpoints(), [{ endpoint: 'PJSIP/1001', online: true }, { endpoint: 'PJSIP/1002', online: false }]);
  const change = (node: FakeNode, resource: string, state: string) => node.say({ type: 'EndpointStateChange', endpoint: { technology: 'PJSIP', resource, state } });
  change(b, '1001', 'online');
  t.same(states(), [], 'B now reaches 1001 too: no change to tell');
  change(a, '1001', 'offline');
  t.same(states(), [], 'A lost it, B still reaches it');
  change(b, '1002', 'online');
  t.same(states(), ['1002:online']);
  const downs: string[] = [];
  router.on('down', (r) => downs.push(r));
  b.events.isUp = false;
  b.events.emit('down', 'closed');
  t.same(states(), ['1002:online', '1001:offline', '1002:offline'], 'what only B reached is unreachable with B');
  t.same(downs, [], 'not down while A is up');
  t.ok(router.isUp);
  await router.listChannels();
  t.notOk(b.ops().includes('listChannels'), 'a node down is left out of the lists');
  a.events.isUp = false;
  a.events.emit('down', 'closed');
  t.same(downs, ['closed'], 'down once every node is');
});

t.test('with nothing to tie it to a call, a new channel goes to the first node that is up', async (t) => {
  const { a, b, router } = setup();
  await router.createChannel({ channelId: 'headset-1', endpoint: 'PJSIP/1003', appArgs: 'headset' });
  t.equal(router.nodeOf('headset-1'), 'A');
  a.events.isUp = false;
  await router.createChannel({ channelId: 'callback-1', endpoint: 'PJSIP/1003', appArgs: 'callback' });
  t.equal(router.nodeOf('callback-1'), 'B', 'A down: B');
  t.same(b.ops(), ['createChannel callback-1']);
});

t.test("a node that stays down is lost with its calls: the domain hears each of its channels end", async (t) => {
  const a = new FakeNode('A');
  const b = new FakeNode('B');
  const router = new NodeRoutedTelephony([a.node(), b.node()], silentLog(), 30);
  const heard: string[] = [];
  router.on('event', (e) => heard.push(`${e.type} ${'channel' in e ? e.channel.id : ''}`));
  a.say(stasisStart('caller-a'));
  a.say(stasisStart('leg-a', ['leg', 'caller-a']));
  a.say({ type: 'StasisEnd', channel: channel('leg-a') });
  b.say(stasisStart('caller-b'));
  heard.length = 0;
  a.events.isUp = false;
  a.events.emit('down', 'closed');
  b.events.isUp = false;
  b.events.emit('down', 'closed');
  b.events.isUp = true;
  b.events.emit('up'); // a short drop: B is back before it counts as lost
  await new Promise((r) => setTimeout(r, 80));
  t.same(heard.sort(), ['ChannelDestroyed caller-a', 'ChannelDestroyed leg-a', 'StasisEnd caller-a'], "A's channels end (a StasisEnd only for those still in the app); B's calls go on");
  t.equal(router.nodeOf('caller-a'), undefined);
  t.equal(router.nodeOf('caller-b'), 'B');
});
