// The port the domain uses to act on calls. Only src/asterisk/ knows it is ARI underneath.
import type { AriChannel } from './ari-events';

export interface LiveChannel {
  id: string;
  name: string;
  state: string;
  callerNumber: string;
  callerName: string;
  /** True when the channel is in our Stasis app (dialplan app Stasis with our app name). */
  inOurApp: boolean;
}

export interface LiveBridge {
  id: string;
  channelIds: string[];
}

export interface Telephony {
  /** Caller hears ringing: never silence while we work out where the call goes. */
  ring(channelId: string): Promise<void>;
  answer(channelId: string): Promise<void>;
  /** Hanging up a channel that is already gone is not an error. */
  hangup(channelId: string, reason?: 'normal' | 'busy' | 'congestion' | 'no_answer'): Promise<void>;
  listChannels(): Promise<LiveChannel[]>;
  createBridge(bridgeId: string, name: string): Promise<void>;
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  listBridges(): Promise<LiveBridge[]>;
  /**
   * Originates with a pre-assigned channel id (create, then dial) so that the StasisStart of the
   * new channel can be recognised: a channel is acted on only after its own StasisStart.
   */
  originate(request: { channelId: string; endpoint: string; callerId?: string; appArgs: string; timeoutSec: number; variables?: Record<string, string> }): Promise<void>;
}

export function toLiveChannel(channel: AriChannel, app: string): LiveChannel {
  const appData = channel.dialplan?.app_data ?? '';
  return {
    id: channel.id,
    name: channel.name,
    state: channel.state,
    callerNumber: channel.caller?.number ?? '',
    callerName: channel.caller?.name ?? '',
    inOurApp: channel.dialplan?.app_name === 'Stasis' && appData.split(',')[0] === app,
  };
}
