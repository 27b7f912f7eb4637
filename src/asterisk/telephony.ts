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
  /** The Stasis arguments after the app name (e.g. ['110'] or ['leg', callerChannelId]). */
  appArgs: string[];
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
  removeFromBridge(bridgeId: string, channelId: string): Promise<void>;
  listBridges(): Promise<LiveBridge[]>;
  /**
   * Creates an outgoing channel in our app with a pre-assigned id, without dialling it: the
   * caller of this waits for that channel's own StasisStart, then calls dial().
   * near: a channel or bridge the new channel is for (e.g. the call's bridge an officer joins):
   * with several Asterisk nodes it is made on that one's node (node-router.ts); one node ignores it.
   */
  createChannel(request: { channelId: string; endpoint: string; appArgs: string; callerId?: string; variables?: Record<string, string>; near?: string }): Promise<void>;
  /**
   * Creates and dials an outgoing channel in one request (a seat's leg: nothing to do between the
   * two). It enters our app (its StasisStart) only once answered; until then the app hears its
   * Dial and ChannelDestroyed events. callerId is what the dialled phone shows (the caller's number).
   */
  originate(request: { channelId: string; endpoint: string; appArgs: string; timeoutSec: number; callerId?: string; originatorChannelId?: string; variables?: Record<string, string> }): Promise<void>;
  /**
   * callerChannelId: the caller being connected. Asterisk then gives the dialled phone the caller's
   * number (the From of its INVITE is the connected line); without it the seat sees "anonymous".
   */
  dial(channelId: string, timeoutSec: number, callerChannelId?: string): Promise<void>;
  /**
   * Plays a sound or tone (e.g. 'sound:beep', 'tone:ring;tonezone=cn', 'recording:<name>') on one
   * channel; several media play one after the other, `offsetMs` skips into the first.
   */
  play(channelId: string, media: string | string[], playbackId?: string, offsetMs?: number): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  /** PJSIP endpoints with their state ('online' when the phone is registered and reachable). */
  listEndpoints(): Promise<{ endpoint: string; online: boolean }[]>;
  /**
   * Asks Asterisk to send EndpointStateChange events of these endpoints (e.g. 'PJSIP/1001') to our
   * app. Only those: a subscription to a whole technology also brings every event of every channel
   * on it (each 110 caller's dialplan steps before it reaches us), which delayed each StasisStart.
   */
  watchEndpoints(endpoints: string[]): Promise<void>;
  /** Records everything said in a bridge into a stored recording `name` (WAV) until it ends. */
  recordBridge(bridgeId: string, name: string): Promise<void>;
  /** The stored recording's file; RecordingGone when Asterisk has no such recording. */
  downloadRecording(name: string): Promise<Buffer>;
  deleteRecording(name: string): Promise<void>;
  /** Ends a live recording now (its file is complete when this resolves). */
  stopRecording(name: string): Promise<void>;
  /** Stored recordings: finished ones AND those still being written (Asterisk lists both). */
  listRecordings(): Promise<string[]>;
  /** Whether `name` is still being recorded. */
  isRecordingLive(name: string): Promise<boolean>;
  /**
   * A snoop channel on `channelId`, in our app with Stasis args `appArgs`: it hears the channel's
   * audio (`spy`: in = what the channel sends, out = what it is sent) and what is played or said
   * into it reaches the channel (`whisper`), without the channel or its bridge noticing.
   */
  snoop(channelId: string, snoop: { snoopId: string; spy: SnoopDirection; whisper: SnoopDirection; appArgs: string }): Promise<void>;
  /** Records one channel (not in a bridge, e.g. a snoop channel) into stored recording `name`. */
  recordChannel(channelId: string, name: string): Promise<void>;
  /**
   * Several Asterisk nodes only (node-router.ts): whether two channels are on the same node, so
   * can share a bridge. Absent with one node, where they always are.
   */
  sameNode?(a: string, b: string): boolean;
}

export type SnoopDirection = 'none' | 'in' | 'out' | 'both';

export function toLiveChannel(channel: AriChannel, app: string): LiveChannel {
  const appData = channel.dialplan?.app_data ?? '';
  return {
    id: channel.id,
    name: channel.name,
    state: channel.state,
    callerNumber: channel.caller?.number ?? '',
    callerName: channel.caller?.name ?? '',
    inOurApp: channel.dialplan?.app_name === 'Stasis' && appData.split(',')[0] === app,
    appArgs: appData.split(',').slice(1),
  };
}
