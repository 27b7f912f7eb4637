// One Telephony over several Asterisk nodes (issue #16.2: one queue across nodes). Only used with
// two nodes or more: with one, main.ts wires that node's AriTelephony alone, and nothing here runs.
//
// Every node has its own ARI connection and its own AriTelephony. This router:
// - merges the nodes' events into the one stream the domain consumes ('event', 'up', 'down' as
//   an AriConnection emits them), learning from each which node owns the channel, recording or
//   playback it names;
// - routes each command to the node that owns its target (a channel, bridge, recording, playback
//   lives on exactly one node: Asterisk nodes share nothing);
// - places what it creates: a leg next to the channel it is for (originate's originator, the
//   `near` hint of createChannel, the snooped channel), a bridge on the node of the first channel
//   put in it (created lazily then: createBridge alone does not know where its call is), anything
//   else on the first node that is up;
// - merges the lists (channels, bridges, recordings, endpoints) over the nodes that are up.
// A target it has not seen (e.g. a dialplan recording, a call from before a restart) is looked
// for on each node in turn.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AriConnectionEvents } from './ari-connection';
import type { AriEvent } from './ari-events';
import { AsteriskUnavailable, BridgeGone, ChannelGone, RecordingGone } from './errors';
import type { LiveBridge, LiveChannel, SnoopDirection, Telephony } from './telephony';

/** What the domain listens to for Asterisk's events: an AriConnection, or this router. */
export interface AriEventSource extends EventEmitter<AriConnectionEvents> {
  readonly isUp: boolean;
}

export interface TelephonyNode {
  name: string;
  telephony: Telephony;
  events: AriEventSource;
}

/** A bridge asked for but not made yet: it is made on the node of the first channel put in it. */
interface PlannedBridge {
  name: string;
  node: TelephonyNode | undefined;
  made: Promise<void> | undefined;
}

type Missing = typeof ChannelGone | typeof BridgeGone | typeof RecordingGone;

export class NodeRoutedTelephony extends EventEmitter<AriConnectionEvents> implements Telephony, AriEventSource {
  private readonly channels = new Map<string, TelephonyNode>();
  private readonly bridges = new Map<string, PlannedBridge>();
  private readonly recordings = new Map<string, TelephonyNode>();
  private readonly playbacks = new Map<string, TelephonyNode>();
  /** Endpoint -> the nodes that see it online: a phone is reachable while one node reaches it. */
  private readonly online = new Map<string, Set<TelephonyNode>>();
  /** Channels that left our app (StasisEnd seen): a lost node's end of them is ChannelDestroyed only. */
  private readonly leftApp = new Set<string>();
  private readonly lostTimers = new Map<TelephonyNode, NodeJS.Timeout>();

  /**
   * lostAfterMs: a node whose ARI stays down this long is taken for dead, its calls with it: the
   * domain is told each of its channels ended (StasisEnd, ChannelDestroyed), so its seats are freed
   * and its callers counted lost. Shorter drops (a reconnect) change nothing.
   */
  constructor(
    private readonly nodes: TelephonyNode[],
    private readonly log: Logger,
    private readonly lostAfterMs = 10000,
  ) {
    super();
    for (const node of nodes) {
      node.events.on('event', (e) => this.onEvent(node, e));
      node.events.on('up', () => {
        this.log.info({ node: node.name }, 'Asterisk node attached');
        clearTimeout(this.lostTimers.get(node));
        this.lostTimers.delete(node);
        this.emit('up');
      });
      node.events.on('down', (reason) => this.onDown(node, reason));
    }
  }

  get isUp(): boolean {
    return this.nodes.some((n) => n.events.isUp);
  }

  /** The node that owns a channel (undefined: not seen yet). For tests and logs. */
  nodeOf(channelId: string): string | undefined {
    return this.channels.get(channelId)?.name;
  }

  /** Whether two channels are on the same node (a bridge can only join channels of one node). */
  sameNode(a: string, b: string): boolean {
    const na = this.channels.get(a);
    return na !== undefined && na === this.channels.get(b);
  }

  // ---- events ----

  private onEvent(node: TelephonyNode, e: AriEvent): void {
    switch (e.type) {
      case 'EndpointStateChange':
        return this.endpointState(node, `${e.endpoint.technology}/${e.endpoint.resource}`, e.endpoint.state === 'online');
      case 'Dial':
        this.channels.set(e.peer.id, node);
        if (e.caller) this.channels.set(e.caller.id, node);
        break;
      case 'RecordingStarted':
      case 'RecordingFinished':
      case 'RecordingFailed':
        this.recordings.set(e.recording.name, node);
        break;
      case 'PlaybackFinished':
        this.playbacks.delete(e.playback.id);
        break;
      case 'ApplicationReplaced':
        break;
      default:
        this.channels.set(e.channel.id, node);
    }
    this.emit('event', e);
    if (e.type === 'StasisEnd') this.leftApp.add(e.channel.id);
    if (e.type === 'ChannelDestroyed') {
      this.channels.delete(e.channel.id);
      this.leftApp.delete(e.channel.id);
    }
  }

  /** A phone's state as the nodes see it together: an event only when that changes. */
  private endpointState(node: TelephonyNode, endpoint: string, online: boolean): void {
    const seen = this.online.get(endpoint) ?? new Set<TelephonyNode>();
    this.online.set(endpoint, seen);
    const before = seen.size > 0;
    if (online) seen.add(node);
    else seen.delete(node);
    if (before !== seen.size > 0) this.emitEndpoint(endpoint, seen.size > 0);
  }

  private emitEndpoint(endpoint: string, online: boolean): void {
    const [technology, resource] = endpoint.split('/') as [string, string];
    this.emit('event', { type: 'EndpointStateChange', endpoint: { technology, resource, state: online ? 'online' : 'offline' } });
  }

  private onDown(node: TelephonyNode, reason: string): void {
    this.log.error({ node: node.name, reason }, 'Asterisk node detached');
    if (!this.lostTimers.has(node)) {
      const timer = setTimeout(() => this.lost(node), this.lostAfterMs);
      timer.unref();
      this.lostTimers.set(node, timer);
    }
    if (!this.isUp) {
      for (const seen of this.online.values()) seen.clear();
      this.emit('down', reason);
      return;
    }
    // What only this node reached is unreachable now; the other nodes' views stand.
    for (const [endpoint, seen] of this.online) if (seen.delete(node) && seen.size === 0) this.emitEndpoint(endpoint, false);
  }

  /** The node stayed down: every channel it had is gone, and the domain is told so. */
  private lost(node: TelephonyNode): void {
    this.lostTimers.delete(node);
    if (node.events.isUp) return;
    const gone = [...this.channels].filter(([, n]) => n === node).map(([id]) => id);
    this.log.error({ node: node.name, channels: gone.length, afterMs: this.lostAfterMs }, 'Asterisk node lost: its channels are counted as ended');
    for (const id of gone) {
      const channel = { id, name: '', state: 'Down', caller: { name: '', number: '' } };
      if (!this.leftApp.has(id)) this.emit('event', { type: 'StasisEnd', channel });
      this.emit('event', { type: 'ChannelDestroyed', channel, cause: 0, cause_txt: 'node lost' });
      this.channels.delete(id);
      this.leftApp.delete(id);
    }
    for (const [id, planned] of this.bridges) if (planned.node === node) this.bridges.delete(id);
  }

  // ---- placement and routing ----

  private get up(): TelephonyNode[] {
    const up = this.nodes.filter((n) => n.events.isUp);
    return up.length > 0 ? up : this.nodes;
  }

  /** Where something new goes when nothing ties it to a call: the first node that is up. */
  private get first(): TelephonyNode {
    return this.up[0]!;
  }

  /** The node of a channel or bridge id, for a new object meant to join it. */
  private near(id: string | undefined): TelephonyNode {
    if (id === undefined) return this.first;
    return this.channels.get(id) ?? this.bridges.get(id)?.node ?? this.first;
  }

  /**
   * Runs `fn` on the owner if known; otherwise on each node in turn until one has the target
   * (`missing`: the error that means "not on this node"). Learns the owner from the one that had it.
   */
  private async owned<T>(owner: TelephonyNode | undefined, missing: Missing, fn: (t: Telephony) => Promise<T>, learn?: (n: TelephonyNode) => void): Promise<T> {
    if (owner) return fn(owner.telephony);
    let last: unknown = new AsteriskUnavailable('no node');
    for (const node of this.up) {
      try {
        const result = await fn(node.telephony);
        learn?.(node);
        return result;
      } catch (err) {
        if (!(err instanceof missing)) throw err;
        last = err;
      }
    }
    throw last;
  }

  private onChannel<T>(channelId: string, fn: (t: Telephony) => Promise<T>): Promise<T> {
    return this.owned(this.channels.get(channelId), ChannelGone, fn, (n) => this.channels.set(channelId, n));
  }

  private onRecording<T>(name: string, fn: (t: Telephony) => Promise<T>): Promise<T> {
    return this.owned(this.recordings.get(name), RecordingGone, fn, (n) => this.recordings.set(name, n));
  }

  /** Operations that succeed quietly where the target is not (stop, delete): sent to every node. */
  private async everywhere(owner: TelephonyNode | undefined, fn: (t: Telephony) => Promise<void>): Promise<void> {
    if (owner) return fn(owner.telephony);
    for (const node of this.up) await fn(node.telephony);
  }

  /** The bridge's node, made there now if it was only planned. */
  private async bridgeOn(bridgeId: string, forChannel: string | undefined): Promise<TelephonyNode> {
    const planned = this.bridges.get(bridgeId);
    if (!planned) {
      // Not made by this process (a call from before a restart): find it by asking.
      let found: TelephonyNode | undefined;
      for (const node of this.up) if ((await node.telephony.listBridges()).some((b) => b.id === bridgeId)) found = node;
      if (!found) throw new BridgeGone(bridgeId);
      this.bridges.set(bridgeId, { name: bridgeId, node: found, made: Promise.resolve() });
      return found;
    }
    if (!planned.made) {
      const node = this.near(forChannel);
      planned.node = node;
      planned.made = node.telephony.createBridge(bridgeId, planned.name).catch((err: unknown) => {
        planned.made = undefined;
        planned.node = undefined;
        throw err;
      });
    }
    await planned.made;
    return planned.node!;
  }

  // ---- Telephony ----

  ring = (channelId: string) => this.onChannel(channelId, (t) => t.ring(channelId));
  answer = (channelId: string) => this.onChannel(channelId, (t) => t.answer(channelId));
  dial = (channelId: string, timeoutSec: number, callerChannelId?: string) => this.onChannel(channelId, (t) => t.dial(channelId, timeoutSec, callerChannelId));
  recordChannel = (channelId: string, name: string) =>
    this.onChannel(channelId, async (t) => {
      await t.recordChannel(channelId, name);
      this.recordings.set(name, this.channels.get(channelId) ?? this.first);
    });

  async hangup(channelId: string, reason?: 'normal' | 'busy' | 'congestion' | 'no_answer'): Promise<void> {
    // A channel already gone is not an error (AriTelephony): unknown ones are asked of every node.
    await this.everywhere(this.channels.get(channelId), (t) => t.hangup(channelId, reason));
  }

  async play(channelId: string, media: string | string[], playbackId?: string, offsetMs?: number): Promise<void> {
    await this.onChannel(channelId, (t) => t.play(channelId, media, playbackId, offsetMs));
    if (playbackId) this.playbacks.set(playbackId, this.channels.get(channelId) ?? this.first);
  }

  async stopPlayback(playbackId: string): Promise<void> {
    await this.everywhere(this.playbacks.get(playbackId), (t) => t.stopPlayback(playbackId));
    this.playbacks.delete(playbackId);
  }

  async createChannel(request: Parameters<Telephony['createChannel']>[0]): Promise<void> {
    const node = this.near(request.near);
    this.channels.set(request.channelId, node);
    await node.telephony.createChannel(request);
  }

  async originate(request: Parameters<Telephony['originate']>[0]): Promise<void> {
    const node = this.near(request.originatorChannelId);
    this.channels.set(request.channelId, node);
    await node.telephony.originate(request);
  }

  async snoop(channelId: string, snoop: { snoopId: string; spy: SnoopDirection; whisper: SnoopDirection; appArgs: string }): Promise<void> {
    await this.onChannel(channelId, (t) => t.snoop(channelId, snoop));
    this.channels.set(snoop.snoopId, this.channels.get(channelId) ?? this.first);
  }

  async createBridge(bridgeId: string, name: string): Promise<void> {
    if (!this.bridges.has(bridgeId)) this.bridges.set(bridgeId, { name, node: undefined, made: undefined });
  }

  async addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    const node = await this.bridgeOn(bridgeId, channelIds.find((id) => this.channels.has(id)));
    await node.telephony.addToBridge(bridgeId, channelIds);
  }

  async removeFromBridge(bridgeId: string, channelId: string): Promise<void> {
    const planned = this.bridges.get(bridgeId);
    if (planned && !planned.made) throw new BridgeGone(bridgeId); // never made: nobody is in it
    await (await this.bridgeOn(bridgeId, channelId)).telephony.removeFromBridge(bridgeId, channelId);
  }

  async destroyBridge(bridgeId: string): Promise<void> {
    const planned = this.bridges.get(bridgeId);
    this.bridges.delete(bridgeId);
    if (planned && !planned.made) return; // never made: nothing in Asterisk
    await this.everywhere(planned?.node, (t) => t.destroyBridge(bridgeId));
  }

  async recordBridge(bridgeId: string, name: string): Promise<void> {
    const node = await this.bridgeOn(bridgeId, undefined);
    await node.telephony.recordBridge(bridgeId, name);
    this.recordings.set(name, node);
  }

  downloadRecording = (name: string) => this.onRecording(name, (t) => t.downloadRecording(name));
  stopRecording = (name: string) => this.everywhere(this.recordings.get(name), (t) => t.stopRecording(name));

  async deleteRecording(name: string): Promise<void> {
    await this.everywhere(this.recordings.get(name), (t) => t.deleteRecording(name));
    this.recordings.delete(name);
  }

  async isRecordingLive(name: string): Promise<boolean> {
    const owner = this.recordings.get(name);
    if (owner) return owner.telephony.isRecordingLive(name);
    for (const node of this.up) if (await node.telephony.isRecordingLive(name)) return true;
    return false;
  }

  // ---- lists: every node that is up, each one's items learnt as its own ----

  private async merged<T>(list: (t: Telephony) => Promise<T[]>, learn: (item: T, node: TelephonyNode) => void): Promise<T[]> {
    const up = this.nodes.filter((n) => n.events.isUp);
    const lists = await Promise.all(up.map(async (node) => ({ node, items: await list(node.telephony) })));
    const all: T[] = [];
    for (const { node, items } of lists) {
      for (const item of items) learn(item, node);
      all.push(...items);
    }
    return all;
  }

  listChannels = (): Promise<LiveChannel[]> => this.merged((t) => t.listChannels(), (c, node) => this.channels.set(c.id, node));

  listBridges = (): Promise<LiveBridge[]> =>
    this.merged(
      (t) => t.listBridges(),
      (b, node) => {
        const planned = this.bridges.get(b.id);
        if (planned?.made) return;
        this.bridges.set(b.id, { name: planned?.name ?? b.id, node, made: Promise.resolve() });
      },
    );

  listRecordings = (): Promise<string[]> => this.merged((t) => t.listRecordings(), (name, node) => this.recordings.set(name, node));

  async listEndpoints(): Promise<{ endpoint: string; online: boolean }[]> {
    // Each node's view is kept, silently: the events that follow change it one node at a time.
    const all = await this.merged(
      (t) => t.listEndpoints(),
      (e, node) => {
        const seen = this.online.get(e.endpoint) ?? new Set<TelephonyNode>();
        this.online.set(e.endpoint, seen);
        if (e.online) seen.add(node);
        else seen.delete(node);
      },
    );
    const online = new Map<string, boolean>();
    for (const e of all) online.set(e.endpoint, (online.get(e.endpoint) ?? false) || e.online);
    return [...online].map(([endpoint, on]) => ({ endpoint, online: on }));
  }

  async watchEndpoints(endpoints: string[]): Promise<void> {
    await Promise.all(this.nodes.filter((n) => n.events.isUp).map((n) => n.telephony.watchEndpoints(endpoints)));
  }
}
