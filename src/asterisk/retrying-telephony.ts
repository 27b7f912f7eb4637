// A Telephony that tries again when Asterisk did not answer (issue #15: "a failed step is never
// the caller's loss"). Only AsteriskUnavailable is retried: the request timed out or its connection
// broke, so it may or may not have been carried out. Every operation here is safe to send twice
// because each names its target (channel, bridge, recording ids are ours); where the first try
// did go through, the second meets a conflict (409/422: "already exists", "already dialed"),
// which then means done. An answer from Asterisk that refuses (TelephonyRejected on the first
// try, ChannelGone...) is final and goes to the caller unchanged.
import type { Logger } from 'pino';
import { AsteriskUnavailable, TelephonyRejected } from './errors';
import type { SnoopDirection, Telephony } from './telephony';

export interface RetrySettings {
  /** Pauses before each retry, e.g. [100, 400, 1000]: the number of retries is their count. */
  delaysMs: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RetryingTelephony implements Telephony {
  /** Retries made since start, by operation (for /metrics and the drill's report). */
  readonly retries = new Map<string, number>();

  constructor(
    private readonly inner: Telephony,
    private readonly settings: RetrySettings,
    private readonly log: Logger,
  ) {
    // Asks nothing of Asterisk: passed on as is (several nodes only; undefined with one).
    this.sameNode = inner.sameNode?.bind(inner);
  }

  readonly sameNode: Telephony['sameNode'];

  private async retry<T>(what: string, fn: () => Promise<T>, conflictMeansDone = true): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt > 0 && conflictMeansDone && err instanceof TelephonyRejected) {
          // The try that timed out had gone through after all.
          this.log.info({ what, attempt, err: err.message }, 'ARI retry met the earlier try\'s result');
          return undefined as T;
        }
        const delay = this.settings.delaysMs[attempt];
        if (!(err instanceof AsteriskUnavailable) || delay === undefined) throw err;
        this.retries.set(what, (this.retries.get(what) ?? 0) + 1);
        this.log.warn({ what, attempt: attempt + 1, retryInMs: delay, err: err.message }, 'ARI request failed, retrying');
        await sleep(delay);
      }
    }
  }

  ring = (channelId: string) => this.retry('ring', () => this.inner.ring(channelId));
  answer = (channelId: string) => this.retry('answer', () => this.inner.answer(channelId));
  hangup = (channelId: string, reason?: 'normal' | 'busy' | 'congestion' | 'no_answer') => this.retry('hangup', () => this.inner.hangup(channelId, reason));
  listChannels = () => this.retry('list channels', () => this.inner.listChannels(), false);
  createBridge = (bridgeId: string, name: string) => this.retry('create bridge', () => this.inner.createBridge(bridgeId, name));
  addToBridge = (bridgeId: string, channelIds: string[]) => this.retry('add to bridge', () => this.inner.addToBridge(bridgeId, channelIds));
  destroyBridge = (bridgeId: string) => this.retry('destroy bridge', () => this.inner.destroyBridge(bridgeId));
  removeFromBridge = (bridgeId: string, channelId: string) => this.retry('remove from bridge', () => this.inner.removeFromBridge(bridgeId, channelId));
  listBridges = () => this.retry('list bridges', () => this.inner.listBridges(), false);
  createChannel = (request: Parameters<Telephony['createChannel']>[0]) => this.retry('create channel', () => this.inner.createChannel(request));
  originate = (request: Parameters<Telephony['originate']>[0]) => this.retry('originate', () => this.inner.originate(request));
  dial = (channelId: string, timeoutSec: number, callerChannelId?: string) => this.retry('dial', () => this.inner.dial(channelId, timeoutSec, callerChannelId));
  play = (channelId: string, media: string | string[], playbackId?: string, offsetMs?: number) => this.retry('play', () => this.inner.play(channelId, media, playbackId, offsetMs));
  stopPlayback = (playbackId: string) => this.retry('stop playback', () => this.inner.stopPlayback(playbackId));
  listEndpoints = () => this.retry('list endpoints', () => this.inner.listEndpoints(), false);
  watchEndpoints = (endpoints: string[]) => this.retry('subscribe endpoints', () => this.inner.watchEndpoints(endpoints));
  recordBridge = (bridgeId: string, name: string) => this.retry('record bridge', () => this.inner.recordBridge(bridgeId, name));
  downloadRecording = (name: string) => this.retry('download recording', () => this.inner.downloadRecording(name), false);
  deleteRecording = (name: string) => this.retry('delete recording', () => this.inner.deleteRecording(name));
  stopRecording = (name: string) => this.retry('stop recording', () => this.inner.stopRecording(name));
  listRecordings = () => this.retry('list recordings', () => this.inner.listRecordings(), false);
  isRecordingLive = (name: string) => this.retry('get live recording', () => this.inner.isRecordingLive(name), false);
  snoop = (channelId: string, snoop: { snoopId: string; spy: SnoopDirection; whisper: SnoopDirection; appArgs: string }) => this.retry('snoop', () => this.inner.snoop(channelId, snoop));
  recordChannel = (channelId: string, name: string) => this.retry('record channel', () => this.inner.recordChannel(channelId, name));
}
