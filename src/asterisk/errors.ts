// Asterisk failures as typed errors. Domain code branches on these classes, never on message text:
// the translation from ari-client's text-only errors happens once, in translateAriError().

export class TelephonyError extends Error {
  override readonly name = this.constructor.name;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The channel hung up before we acted on it: usually a race with the caller, not a fault. */
export class ChannelGone extends TelephonyError {
  constructor(readonly channelId: string) {
    super('CHANNEL_GONE', `channel ${channelId} is gone`);
  }
}

export class BridgeGone extends TelephonyError {
  constructor(readonly bridgeId: string) {
    super('BRIDGE_GONE', `bridge ${bridgeId} is gone`);
  }
}

export class RecordingGone extends TelephonyError {
  constructor(readonly recordingName: string) {
    super('RECORDING_GONE', `recording ${recordingName} is not stored in Asterisk`);
  }
}

/** Asterisk could not be reached, or did not answer in time. */
export class AsteriskUnavailable extends TelephonyError {
  constructor(detail: string) {
    super('ASTERISK_UNAVAILABLE', `Asterisk unavailable: ${detail}`);
  }
}

/** Asterisk answered, but refused the request (bad state, bad argument). */
export class TelephonyRejected extends TelephonyError {
  constructor(detail: string) {
    super('TELEPHONY_REJECTED', detail);
  }
}

/**
 * ARI's error bodies are stable ({"message":"Channel not found"}) and a 404 on a bridge request
 * may be about the bridge or about the channel named in it: the message tells which.
 */
export function translateAriError(err: unknown, target: { channelId?: string; bridgeId?: string }): TelephonyError {
  if (err instanceof TelephonyError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (/channel not found/i.test(text) && target.channelId) return new ChannelGone(target.channelId);
  if (/bridge not found/i.test(text) && target.bridgeId) return new BridgeGone(target.bridgeId);
  if (code === 'ETIMEDOUT') return new AsteriskUnavailable(text);
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE'].includes(code)) {
    return new AsteriskUnavailable(code);
  }
  if (/ECONNREFUSED|ECONNRESET|socket hang up/i.test(text)) return new AsteriskUnavailable(text);
  return new TelephonyRejected(text.slice(0, 300));
}
