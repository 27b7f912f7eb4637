// The Telephony port over ARI's REST API (ari-rest.ts), with every failure translated to a typed error.
import type { AriConnection } from './ari-connection';
import type { AriBridge, AriChannel } from './ari-events';
import type { Query } from './ari-rest';
import { AsteriskUnavailable, ChannelGone, translateAriError, BridgeGone, RecordingGone, TelephonyRejected } from './errors';
import type { LocalRecordings } from './local-recordings';
import { toLiveChannel, type LiveBridge, type LiveChannel, type SnoopDirection, type Telephony } from './telephony';

const seg = encodeURIComponent;

export class AriTelephony implements Telephony {
  constructor(
    private readonly ari: AriConnection,
    private readonly app: string,
    /** Asterisk's recordings folder as this machine sees it, if it does (local-recordings.ts). */
    private readonly files?: LocalRecordings,
  ) {}

  /** Every REST call goes through here: not-connected, timeouts and ARI errors become typed errors. */
  private async call<T = unknown>(what: string, target: { channelId?: string; bridgeId?: string }, method: string, path: string, query: Query = {}, body?: unknown): Promise<T> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await this.ari.rest.json<T>(method, path, query, body);
    } catch (err) {
      const typed = translateAriError(err, target);
      outcome = typed.code;
      throw typed;
    } finally {
      this.ari.observeRequest(what, outcome, (performance.now() - started) / 1000);
    }
  }

  async ring(channelId: string): Promise<void> {
    await this.call('ring', { channelId }, 'POST', `/channels/${seg(channelId)}/ring`);
  }

  async answer(channelId: string): Promise<void> {
    await this.call('answer', { channelId }, 'POST', `/channels/${seg(channelId)}/answer`);
  }

  async hangup(channelId: string, reason: 'normal' | 'busy' | 'congestion' | 'no_answer' = 'normal'): Promise<void> {
    try {
      await this.call('hangup', { channelId }, 'DELETE', `/channels/${seg(channelId)}`, { reason });
    } catch (err) {
      // The far end hung up first: the goal (channel gone) is reached.
      if (!(err instanceof ChannelGone)) throw err;
    }
  }

  async listChannels(): Promise<LiveChannel[]> {
    const channels = await this.call<AriChannel[]>('list channels', {}, 'GET', '/channels');
    return channels.map((ch) => toLiveChannel(ch, this.app));
  }

  async createBridge(bridgeId: string, name: string): Promise<void> {
    await this.call('create bridge', { bridgeId }, 'POST', `/bridges/${seg(bridgeId)}`, { type: 'mixing', name });
  }

  async addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    await this.call('add to bridge', { bridgeId, channelId: channelIds[0] }, 'POST', `/bridges/${seg(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }

  async destroyBridge(bridgeId: string): Promise<void> {
    try {
      await this.call('destroy bridge', { bridgeId }, 'DELETE', `/bridges/${seg(bridgeId)}`);
    } catch (err) {
      if (!(err instanceof BridgeGone)) throw err;
    }
  }

  async removeFromBridge(bridgeId: string, channelId: string): Promise<void> {
    await this.call('remove from bridge', { bridgeId, channelId }, 'POST', `/bridges/${seg(bridgeId)}/removeChannel`, { channel: channelId });
  }

  async listBridges(): Promise<LiveBridge[]> {
    const bridges = await this.call<AriBridge[]>('list bridges', {}, 'GET', '/bridges');
    return bridges.map((b) => ({ id: b.id, channelIds: [...b.channels] }));
  }

  async createChannel(request: { channelId: string; endpoint: string; appArgs: string; callerId?: string; variables?: Record<string, string> }): Promise<void> {
    const { channelId } = request;
    const variables = { ...(request.variables ?? {}), ...(request.callerId !== undefined ? { 'CALLERID(num)': request.callerId } : {}) };
    await this.call('create channel', { channelId }, 'POST', '/channels/create', { channelId, endpoint: request.endpoint, app: this.app, appArgs: request.appArgs }, { variables });
  }

  async originate(request: { channelId: string; endpoint: string; appArgs: string; timeoutSec: number; callerId?: string; originatorChannelId?: string; variables?: Record<string, string> }): Promise<void> {
    const { channelId } = request;
    const query = { channelId, endpoint: request.endpoint, app: this.app, appArgs: request.appArgs, timeout: request.timeoutSec, callerId: request.callerId, originator: request.originatorChannelId };
    await this.call('originate', { channelId }, 'POST', '/channels', query, { variables: request.variables ?? {} });
  }

  async dial(channelId: string, timeoutSec: number, callerChannelId?: string): Promise<void> {
    await this.call('dial', { channelId }, 'POST', `/channels/${seg(channelId)}/dial`, { timeout: timeoutSec, caller: callerChannelId });
  }

  async play(channelId: string, media: string | string[], playbackId?: string, offsetMs?: number): Promise<void> {
    // Asterisk splits a multi-valued query parameter on commas: one string carries the list.
    const list = Array.isArray(media) ? media.join(',') : media;
    await this.call('play', { channelId }, 'POST', `/channels/${seg(channelId)}/play`, { media: list, playbackId, offsetms: offsetMs || undefined });
  }

  async stopPlayback(playbackId: string): Promise<void> {
    try {
      await this.call('stop playback', {}, 'DELETE', `/playbacks/${seg(playbackId)}`);
    } catch (err) {
      if (!(err instanceof TelephonyRejected)) throw err; // already finished: nothing to stop
    }
  }

  async listEndpoints(): Promise<{ endpoint: string; online: boolean }[]> {
    const list = await this.call<{ technology: string; resource: string; state?: string }[]>('list endpoints', {}, 'GET', '/endpoints/PJSIP');
    return list.map((e) => ({ endpoint: `${e.technology}/${e.resource}`, online: e.state === 'online' }));
  }

  async recordBridge(bridgeId: string, name: string): Promise<void> {
    await this.call('record bridge', { bridgeId }, 'POST', `/bridges/${seg(bridgeId)}/record`, { name, format: 'wav', ifExists: 'fail', beep: false, terminateOn: 'none' });
  }

  async downloadRecording(name: string): Promise<Buffer> {
    const local = await this.files?.read(name);
    if (local) return local;
    let res;
    try {
      res = await this.ari.rest.raw('GET', `/recordings/stored/${seg(name)}/file`, 30000);
    } catch (err) {
      throw new AsteriskUnavailable(`download ${name}: ${(err as Error).message}`);
    }
    if (res.status === 404) throw new RecordingGone(name);
    if (res.status !== 200) throw new TelephonyRejected(`download ${name}: HTTP ${res.status}`);
    return res.body;
  }

  async stopRecording(name: string): Promise<void> {
    try {
      await this.call('stop recording', {}, 'POST', `/recordings/live/${seg(name)}/stop`);
    } catch (err) {
      if (!(err instanceof TelephonyRejected)) throw err; // already finished
    }
  }

  async deleteRecording(name: string): Promise<void> {
    if (await this.files?.remove(name)) return;
    try {
      await this.call('delete recording', {}, 'DELETE', `/recordings/stored/${seg(name)}`);
    } catch (err) {
      if (!(err instanceof TelephonyRejected)) throw err; // already gone
    }
  }

  async isRecordingLive(name: string): Promise<boolean> {
    try {
      await this.call('get live recording', {}, 'GET', `/recordings/live/${seg(name)}`);
      return true;
    } catch (err) {
      if (err instanceof RecordingGone || err instanceof TelephonyRejected) return false; // 404: not live
      throw err;
    }
  }

  async listRecordings(): Promise<string[]> {
    const list = await this.call<{ name: string }[]>('list recordings', {}, 'GET', '/recordings/stored');
    return list.map((r) => r.name);
  }

  async snoop(channelId: string, snoop: { snoopId: string; spy: SnoopDirection; whisper: SnoopDirection; appArgs: string }): Promise<void> {
    await this.call('snoop', { channelId }, 'POST', `/channels/${seg(channelId)}/snoop/${seg(snoop.snoopId)}`, { app: this.app, appArgs: snoop.appArgs, spy: snoop.spy, whisper: snoop.whisper });
  }

  async recordChannel(channelId: string, name: string): Promise<void> {
    await this.call('record channel', { channelId }, 'POST', `/channels/${seg(channelId)}/record`, { name, format: 'wav', ifExists: 'overwrite', beep: false, terminateOn: 'none' });
  }

  async watchEndpoints(endpoints: string[]): Promise<void> {
    // In batches: the list travels in the query string, and a long one would pass Asterisk's limit.
    for (let i = 0; i < endpoints.length; i += 40) {
      const eventSource = endpoints.slice(i, i + 40).map((e) => `endpoint:${e}`).join(',');
      await this.call('subscribe endpoints', {}, 'POST', `/applications/${seg(this.app)}/subscription`, { eventSource });
    }
  }
}
