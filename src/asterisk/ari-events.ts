// The ARI events cti110 reacts to, typed. Anything else arrives as OtherEvent and is ignored.

export interface AriCallerId {
  name: string;
  number: string;
}

export interface AriChannel {
  id: string;
  name: string;
  state: string;
  caller: AriCallerId;
  creationtime?: string;
  /** Variables listed in ari.conf `channelvars` (e.g. CTI110_FROM). */
  channelvars?: Record<string, string>;
  dialplan?: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
}

export interface AriBridge {
  id: string;
  bridge_type?: string;
  channels: string[];
  name?: string;
}

interface Base {
  timestamp?: string;
  application?: string;
}

export type AriEvent =
  | (Base & { type: 'StasisStart'; args: string[]; channel: AriChannel; replace_channel?: AriChannel })
  | (Base & { type: 'StasisEnd'; channel: AriChannel })
  | (Base & { type: 'ChannelDestroyed'; channel: AriChannel; cause: number; cause_txt: string })
  | (Base & { type: 'ChannelStateChange'; channel: AriChannel })
  | (Base & { type: 'ChannelDtmfReceived'; channel: AriChannel; digit: string; duration_ms: number })
  | (Base & { type: 'Dial'; peer: AriChannel; caller?: AriChannel; dialstatus: string })
  | (Base & { type: 'EndpointStateChange'; endpoint: { technology: string; resource: string; state: string } })
  | (Base & { type: 'RecordingFinished'; recording: { name: string; state: string; duration?: number } })
  | (Base & { type: 'RecordingFailed'; recording: { name: string; state: string; cause?: string } })
  | (Base & { type: 'RecordingStarted'; recording: { name: string; state: string } })
  | (Base & { type: 'PlaybackFinished'; playback: { id: string; state: string; media_uri?: string } })
  | (Base & { type: 'ApplicationReplaced' });

export interface OtherEvent extends Base {
  type: string;
}

/**
 * The events cti110 acts on; Asterisk is asked to send only these (ari-connection.ts). Each one
 * costs a websocket frame and a parse for every channel of every call (~26 a call at the steady
 * bench): ChannelHangupRequest (two a call, handled by nobody: StasisEnd and ChannelDestroyed say
 * the same) is not among them (issue #15).
 */
export const KNOWN_EVENT_TYPES = ['StasisStart', 'StasisEnd', 'ChannelDestroyed', 'ChannelStateChange', 'ChannelDtmfReceived', 'Dial', 'EndpointStateChange', 'RecordingFinished', 'RecordingFailed', 'RecordingStarted', 'PlaybackFinished', 'ApplicationReplaced'] as const;
const KNOWN = new Set<string>(KNOWN_EVENT_TYPES);

const isChannel = (v: unknown): v is AriChannel =>
  typeof v === 'object' && v !== null && typeof (v as AriChannel).id === 'string' && typeof (v as AriChannel).caller === 'object';

/** Parses one websocket message; returns undefined for anything malformed (logged by the caller). */
export function parseAriEvent(text: string): AriEvent | OtherEvent | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null || typeof (msg as OtherEvent).type !== 'string') return undefined;
  const event = msg as AriEvent;
  if (!KNOWN.has(event.type)) return msg as OtherEvent;
  if ('channel' in event && !isChannel(event.channel)) return undefined;
  if (event.type === 'Dial' && !isChannel(event.peer)) return undefined;
  return event;
}

export const isKnownEvent = (e: AriEvent | OtherEvent): e is AriEvent => KNOWN.has(e.type);
