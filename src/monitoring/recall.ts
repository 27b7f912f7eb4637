// Instant recall: the call-taker re-hears the last N seconds of the call in progress (an address
// said once, fast), played into a whisper-only snoop on the call-taker's channel: only the
// call-taker hears it, still hearing the caller live; the caller hears nothing of it.
//
// What is replayed, for a call the dialplan records (the usual case): the caller's own side of the
// dialplan's MixMonitor, which writes it beside the recording of record (its r() option) as raw
// slin, a format Asterisk plays while it is still being written (a WAV's header says 0 bytes
// until the file is closed). Nothing to start per call: no channel, no request, no event; one
// more file written by the MixMonitor thread that already runs. The replay starts N seconds
// before the file's end and is stopped after N seconds (it would follow the call live).
// A call recorded some other way (its bridge) gets rolling segments: a snoop channel on the
// caller (both directions) recorded in segments; a recall closes the current one and plays the
// last N seconds of the closed ones, with an offset.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import type { Incidents } from '../incidents/incidents';
import type { CallInProgress, CallWatcher } from '../calls/call-service';
import { callerSideOf } from '../recording/recorder';
import { growingFilePlan, recallPlan, type RecallPlan, type Segment } from './modes';
import { startSnoop, type Arrivals } from './arrivals';
import { CallNotLive, RecallTooSoon, RecallUnavailable } from './errors';

/**
 * Rolling segments are stored recordings in Asterisk named recall_<incident>_<start ms>_<seq>: the
 * start time keeps a re-attached call's new segments apart from the ones a dead process left.
 */
const SEGMENT = /^recall_/;

/**
 * Recalls of one call: one at a time, and not more often than this. Each one closes a segment and
 * starts two snoop channels' worth of work in Asterisk; a script (or a stuck key) asking in a loop
 * would load Asterisk for every call, and replays over each other help nobody.
 */
export const RECALL_MIN_INTERVAL_MS = 3000;

interface Rolling {
  incident: string;
  /** The call's MixMonitor writes the caller's side here, from `since` (its first bridge). */
  heard?: { name: string; since: number };
  snoopId: string;
  /** Closed segments, oldest first: only as many as cover the recall time. */
  segments: Segment[];
  current: { name: string; startedAt: number } | undefined;
  seq: number;
  timer: NodeJS.Timeout | undefined;
  ended: boolean;
  /** A recall asked for by "*2" is being played: further presses are ignored until it ends. */
  keyReplay: boolean;
  /** When the last recall was asked for, and until when its replay plays (Infinity: being set up). */
  lastRecallAt: number;
  busyUntil: number;
  lane: Promise<void>;
}

export interface RecallResult {
  incident: string;
  seconds: number;
  /** How much is replayed: less than asked when the call is younger than that. */
  heardMs: number;
}

export class InstantRecall implements CallWatcher {
  private readonly rolls = new Map<string, Rolling>();
  /** Playback id → whisper snoop playing it (hung up when the playback finishes). */
  private readonly replays = new Map<string, { snoopId: string; timer: NodeJS.Timeout; rolling: Rolling; byKey: boolean }>();

  constructor(
    private readonly telephony: Telephony,
    private readonly incidents: Incidents,
    private readonly calls: { callInProgress(incident: string): CallInProgress | undefined },
    private readonly arrivals: Arrivals,
    private readonly settings: { seconds: number; segmentMs: number; minIntervalMs?: number },
    private readonly log: Logger,
  ) {}

  /** A call got its call-taker: start the rolling recording (once per call). */
  talking(call: CallInProgress): void {
    if (this.rolls.has(call.incident)) return;
    const r: Rolling = { incident: call.incident, snoopId: `cti110-rolling-${randomUUID()}`, segments: [], current: undefined, seq: 0, timer: undefined, ended: false, keyReplay: false, lastRecallAt: -Infinity, busyUntil: 0, lane: Promise.resolve() };
    this.rolls.set(call.incident, r);
    if (call.recordingFile) {
      r.heard = { name: callerSideOf(call.recordingFile), since: Date.now() };
      return;
    }
    this.run(r, async () => {
      await startSnoop(this.telephony, this.arrivals, call.callerChannelId, { snoopId: r.snoopId, spy: 'both', whisper: 'none', appArgs: 'monitor' });
      await this.rotate(r);
      r.timer = setInterval(() => void this.run(r, () => this.rotate(r)).catch(() => undefined), this.settings.segmentMs);
    }).catch(() => undefined);
  }

  /** The call is over: its rolling recording and segments go (they are not the recording of record). */
  ended(incident: string): void {
    const r = this.rolls.get(incident);
    if (!r) return;
    r.ended = true;
    clearInterval(r.timer);
    this.rolls.delete(incident);
    if (r.heard) {
      // Still open in the MixMonitor for a moment, maybe: unlinked, it is freed when closed.
      const name = r.heard.name;
      this.run(r, () => this.telephony.deleteRecording(name)).catch(() => undefined);
      return;
    }
    this.run(r, async () => {
      if (r.current) await this.telephony.stopRecording(r.current.name);
      await this.telephony.hangup(r.snoopId);
      for (const name of [...r.segments.map((s) => s.name), ...(r.current ? [r.current.name] : [])]) await this.telephony.deleteRecording(name);
    }).catch(() => undefined);
  }

  /** Plays the last `seconds` (default: the configured time) of the call to its call-taker only. */
  async recall(incident: string, seconds?: number, via: 'rest' | 'dtmf' = 'rest'): Promise<RecallResult> {
    const call = this.calls.callInProgress(incident);
    if (!call) {
      await this.incidents.findByNumber(incident); // unknown: IncidentNotFound (404)
      throw new CallNotLive(`incident ${incident}`);
    }
    const r = this.rolls.get(incident);
    if (!r) throw new RecallUnavailable(incident, 'this call has no rolling recording (it was answered before the service last started)');
    // Never more than configured: older segments are not kept.
    const wantMs = Math.min(seconds ?? this.settings.seconds, this.settings.seconds) * 1000;
    const now = Date.now();
    // One replay at a time, at most one every minIntervalMs: a recall asked while one plays (the
    // call-taker missed it again) replaces it instead of playing over it; one still being set up
    // (busyUntil Infinity) is waited for.
    const wait = Math.max(r.lastRecallAt + (this.settings.minIntervalMs ?? RECALL_MIN_INTERVAL_MS), r.busyUntil === Infinity ? now + 1000 : 0) - now;
    if (wait > 0) throw new RecallTooSoon(incident, wait);
    for (const [playbackId, replay] of this.replays) {
      if (replay.rolling !== r) continue;
      this.playbackFinished(playbackId);
      void this.telephony.stopPlayback(playbackId).catch((err: Error) => this.log.warn({ err: err.message }, 'replaced replay not stopped'));
    }
    r.lastRecallAt = now;
    r.busyUntil = Infinity;
    return this.run(r, async () => {
      const plan = r.heard ? growingFilePlan(r.heard.name, Date.now() - r.heard.since, wantMs) : await this.closeSegment(r, wantMs);
      if (plan.names.length === 0) throw new RecallUnavailable(incident, 'nothing recorded yet');
      const snoopId = `cti110-recall-${randomUUID()}`;
      const playbackId = `${snoopId}-play`;
      await startSnoop(this.telephony, this.arrivals, call.takerChannelId, { snoopId, spy: 'none', whisper: 'out', appArgs: 'monitor' });
      // PlaybackFinished hangs the snoop up; the timer only guards against a lost event. A growing
      // file never finishes: the timer ends that replay once it has played what was asked.
      const timer = setTimeout(() => this.playbackFinished(playbackId), plan.coveredMs + (r.heard ? 0 : 10000));
      r.busyUntil = Date.now() + plan.coveredMs;
      this.replays.set(playbackId, { snoopId, timer, rolling: r, byKey: via === 'dtmf' });
      await this.telephony.play(snoopId, plan.names.map((n) => `recording:${n}`), playbackId, plan.offsetMs);
      await this.incidents.stamp(call.incidentId, 'recall', { seconds: wantMs / 1000, heardMs: plan.coveredMs, seat: call.seatId, via });
      this.log.info({ incident, heardMs: plan.coveredMs, seat: call.seatId }, 'instant recall played to the call-taker');
      return { incident, seconds: wantMs / 1000, heardMs: plan.coveredMs };
    }).catch((err: unknown) => {
      if (r.busyUntil === Infinity) r.busyUntil = 0; // nothing plays: only the interval applies
      throw err;
    });
  }

  /**
   * "*2" pressed on a call-taker's headset: recall on the call that leg is talking on, if any.
   * One press can arrive as several digits (seen: SIPp's RFC 4733 sample gave 16 events), and
   * replays on top of each other are noise: one replay by key at a time.
   */
  byTaker(channelId: string): void {
    const r = [...this.rolls.values()].find((x) => this.calls.callInProgress(x.incident)?.takerChannelId === channelId);
    if (!r || r.keyReplay) return;
    r.keyReplay = true;
    this.recall(r.incident, undefined, 'dtmf').catch((err: Error) => {
      r.keyReplay = false;
      this.log.warn({ incident: r.incident, err: err.message }, 'instant recall by DTMF refused');
    });
  }

  playbackFinished(playbackId: string): void {
    const replay = this.replays.get(playbackId);
    if (!replay) return;
    this.replays.delete(playbackId);
    clearTimeout(replay.timer);
    if (replay.byKey) replay.rolling.keyReplay = false;
    replay.rolling.busyUntil = 0;
    this.telephony.hangup(replay.snoopId).catch((err: Error) => this.log.warn({ err: err.message }, 'recall snoop not hung up'));
  }

  /** Our snoop channels (rolling and replay), for StasisEnd routing and leftovers after a restart. */
  isLeg(channelId: string): boolean {
    return [...this.rolls.values()].some((r) => r.snoopId === channelId) || [...this.replays.values()].some((p) => p.snoopId === channelId);
  }

  /** After a (re)connect: segments a previous process left in Asterisk are deleted. */
  async reconcile(): Promise<void> {
    const ours = new Set([...this.rolls.values()].flatMap((r) => [...r.segments.map((s) => s.name), r.current?.name, r.heard?.name]));
    for (const name of await this.telephony.listRecordings()) if (SEGMENT.test(name) && !ours.has(name)) await this.telephony.deleteRecording(name);
  }

  /** Rolling segments: the current one is closed (a new one starts) and the last `wantMs` of them planned. */
  private async closeSegment(r: Rolling, wantMs: number): Promise<RecallPlan> {
    if (!r.current) throw new RecallUnavailable(r.incident, 'the rolling recording is not running');
    await this.rotate(r);
    return recallPlan(r.segments, wantMs);
  }

  /** Closes the current segment and opens the next; drops old ones the recall time no longer needs. */
  private async rotate(r: Rolling): Promise<void> {
    const closing = r.current;
    r.current = undefined;
    if (closing) {
      await this.telephony.stopRecording(closing.name);
      r.segments.push({ name: closing.name, durationMs: Date.now() - closing.startedAt });
    }
    if (!r.ended) {
      const name = `recall_${r.incident}_${Date.now()}_${++r.seq}`;
      await this.telephony.recordChannel(r.snoopId, name);
      r.current = { name, startedAt: Date.now() };
    }
    const wantMs = this.settings.seconds * 1000;
    const rest = (from: number) => r.segments.slice(from).reduce((sum, s) => sum + s.durationMs, 0);
    while (r.segments.length > 1 && rest(1) >= wantMs) await this.telephony.deleteRecording(r.segments.shift()!.name);
  }

  private run<T>(r: Rolling, work: () => Promise<T>): Promise<T> {
    const result = r.lane.then(work);
    r.lane = result.then(
      () => undefined,
      (err: Error) => this.log.error({ incident: r.incident, err: err.message }, 'instant recall step failed'),
    );
    return result;
  }
}
