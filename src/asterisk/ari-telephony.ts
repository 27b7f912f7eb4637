// The Telephony port over ari-client's REST calls, with every failure translated to a typed error.
import type { AriConnection } from './ari-connection';
import type { AriChannel } from './ari-events';
import { AsteriskUnavailable, ChannelGone, translateAriError, BridgeGone } from './errors';
import { toLiveChannel, type LiveBridge, type LiveChannel, type Telephony } from './telephony';

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

  async listBridges(): Promise<LiveBridge[]> {
    const bridges = await this.call('list bridges', {}, (c) => c.bridges.list());
    return bridges.map((b) => ({ id: b.id, channelIds: [...b.channels] }));
  }

  async originate(request: { channelId: string; endpoint: string; callerId?: string; appArgs: string; timeoutSec: number; variables?: Record<string, string> }): Promise<void> {
    const { channelId } = request;
    await this.call('create channel', { channelId }, (c) =>
      c.channels.create({ channelId, endpoint: request.endpoint, app: this.app, appArgs: request.appArgs, variables: request.variables } as never),
    );
    await this.call('dial', { channelId }, (c) => c.channels.dial({ channelId, caller: undefined, timeout: request.timeoutSec } as never));
  }
}
