// The Telephony port over ari-client's REST calls, with every failure translated to a typed error.
import type { AriConnection } from './ari-connection';
import type { AriChannel } from './ari-events';
import { AsteriskUnavailable, ChannelGone, translateAriError, BridgeGone, RecordingGone, TelephonyRejected } from './errors';
import { toLiveChannel, type LiveBridge, type LiveChannel, type SnoopDirection, type Telephony } from './telephony';

export class AriTelephony implements Telephony {
  constructor(
    private readonly ari: AriConnection,
    private readonly app: string,
  ) {}

  /** Every REST call goes through here: not-connected, timeouts and ARI errors become typed errors. */
  private async call<T>(what: string, target: { channelId?: string; bridgeId?: string }, fn: (c: ReturnType<AriConnection['client']>) => Promise<T>): Promise<T> {
    let client;
    try {
      client = this.ari.client();
    } catch {
      throw new AsteriskUnavailable('ARI not connected');
    }
    try {
      return await this.ari.withTimeout(fn(client), what);
    } catch (err) {
      throw translateAriError(err, target);
    }
  }

  async ring(channelId: string): Promise<void> {
    await this.call('ring', { channelId }, (c) => c.channels.ring({ channelId }));
  }

  async answer(channelId: string): Promise<void> {
    await this.call('answer', { channelId }, (c) => c.channels.answer({ channelId }));
  }

  async hangup(channelId: string, reason: 'normal' | 'busy' | 'congestion' | 'no_answer' = 'normal'): Promise<void> {
    try {
      await this.call('hangup', { channelId }, (c) => c.channels.hangup({ channelId, reason }));
    } catch (err) {
      // The far end hung up first: the goal (channel gone) is reached.
      if (!(err instanceof ChannelGone)) throw err;
    }
  }

  async listChannels(): Promise<LiveChannel[]> {
    const channels = await this.call('list channels', {}, (c) => c.channels.list());
    return channels.map((ch) => toLiveChannel(ch as unknown as AriChannel, this.app));
  }

  async createBridge(bridgeId: string, name: string): Promise<void> {
    await this.call('create bridge', { bridgeId }, (c) => c.bridges.create({ bridgeId, type: 'mixing', name }));
  }

  async addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    await this.call('add to bridge', { bridgeId, channelId: channelIds[0] }, (c) => c.bridges.addChannel({ bridgeId, channel: channelIds }));
  }

  async destroyBridge(bridgeId: string): Promise<void> {
    try {
      await this.call('destroy bridge', { bridgeId }, (c) => c.bridges.destroy({ bridgeId }));
    } catch (err) {
      if (!(err instanceof BridgeGone)) throw err;
    }
  }

  async removeFromBridge(bridgeId: string, channelId: string): Promise<void> {
    await this.call('remove from bridge', { bridgeId, channelId }, (c) => c.bridges.removeChannel({ bridgeId, channel: channelId }));
  }

  async listBridges(): Promise<LiveBridge[]> {
    const bridges = await this.call('list bridges', {}, (c) => c.bridges.list());
    return bridges.map((b) => ({ id: b.id, channelIds: [...b.channels] }));
  }

  async createChannel(request: { channelId: string; endpoint: string; appArgs: string; callerId?: string; variables?: Record<string, string> }): Promise<void> {
    const { channelId } = request;
    const variables = { ...(request.variables ?? {}), ...(request.callerId !== undefined ? { 'CALLERID(num)': request.callerId } : {}) };
    await this.call('create channel', { channelId }, (c) =>
      c.channels.create({ channelId, endpoint: request.endpoint, app: this.app, appArgs: request.appArgs, variables } as never),
    );
  }

  async dial(channelId: string, timeoutSec: number, callerChannelId?: string): Promise<void> {
    await this.call('dial', { channelId }, (c) => c.channels.dial({ channelId, timeout: timeoutSec, ...(callerChannelId ? { caller: callerChannelId } : {}) }));
  }

  async play(channelId: string, media: string | string[], playbackId?: string, offsetMs?: number): Promise<void> {
    // Asterisk splits a multi-valued query parameter on commas: one string carries the list.
    const list = Array.isArray(media) ? media.join(',') : media;
    await this.call('play', { channelId }, (c) => c.channels.play({ channelId, media: list, ...(playbackId ? { playbackId } : {}), ...(offsetMs ? { offsetms: offsetMs } : {}) }));
  }

  async stopPlayback(playbackId: string): Promise<void> {
    try {
      await this.call('stop playback', {}, (c) => c.playbacks.stop({ playbackId }));
    } catch (err) {
      if (!(err instanceof TelephonyRejected)) throw err; // already finished: nothing to stop
    }
  }

  async listEndpoints(): Promise<{ endpoint: string; online: boolean }[]> {
    const list = await this.call('list endpoints', {}, (c) => c.endpoints.listByTech({ tech: 'PJSIP' }));
    return list.map((e) => ({ endpoint: `${e.technology}/${e.resource}`, online: e.state === 'online' }));
  }

  async recordBridge(bridgeId: string, name: string): Promise<void> {
    await this.call('record bridge', { bridgeId }, (c) => c.bridges.record({ bridgeId, name, format: 'wav', ifExists: 'fail', beep: false, terminateOn: 'none' }));
  }

  async downloadRecording(name: string): Promise<Buffer> {
    let res;
    try {
      res = await this.ari.fetchBinary(`/recordings/stored/${encodeURIComponent(name)}/file`, 30000);
    } catch (err) {
      throw new AsteriskUnavailable(`download ${name}: ${(err as Error).message}`);
    }
    if (res.status === 404) throw new RecordingGone(name);
    if (res.status !== 200) throw new TelephonyRejected(`download ${name}: HTTP ${res.status}`);
    return res.body;
  }

  async stopRecording(name: string): Promise<void> {
    try {
      await this.call('stop recording', {}, (c) => c.recordings.stop({ recordingName: name }));
    } catch (err) {
      if (!(err instanceof TelephonyRejected)) throw err; // already finished
    }
  }

  async deleteRecording(name: string): Promise<void> {
    try {
      await this.call('delete recording', {}, (c) => c.recordings.deleteStored({ recordingName: name }));
    } catch (err) {
      if (!(err instanceof TelephonyRejected)) throw err; // already gone
    }
  }

  async isRecordingLive(name: string): Promise<boolean> {
    try {
      await this.call('get live recording', {}, (c) => c.recordings.getLive({ recordingName: name }));
      return true;
    } catch (err) {
      if (err instanceof RecordingGone || err instanceof TelephonyRejected) return false; // 404: not live
      throw err;
    }
  }

  async listRecordings(): Promise<string[]> {
    const list = await this.call('list recordings', {}, (c) => c.recordings.listStored());
    return list.map((r) => r.name);
  }

  async snoop(channelId: string, snoop: { snoopId: string; spy: SnoopDirection; whisper: SnoopDirection; appArgs: string }): Promise<void> {
    await this.call('snoop', { channelId }, (c) => c.channels.snoopChannelWithId({ channelId, snoopId: snoop.snoopId, app: this.app, appArgs: snoop.appArgs, spy: snoop.spy, whisper: snoop.whisper }));
  }

  async recordChannel(channelId: string, name: string): Promise<void> {
    await this.call('record channel', { channelId }, (c) => c.channels.record({ channelId, name, format: 'wav', ifExists: 'overwrite', beep: false, terminateOn: 'none' }));
  }

  async watchEndpoints(): Promise<void> {
    await this.call('subscribe endpoints', {}, (c) => c.applications.subscribe({ applicationName: this.app, eventSource: 'endpoint:PJSIP' }));
  }
}
