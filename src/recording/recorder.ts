// Every answered call is recorded (全程录音): its bridge is recorded from the answer until the
// call ends; the finished file is fetched from Asterisk over ARI (so Asterisk may be another
// host), stored atomically with its SHA-256, then registered against the incident, in order.
import type { Logger } from 'pino';
import type { Telephony } from '../asterisk/telephony';
import { BridgeGone, RecordingGone } from '../asterisk/errors';
import type { Incidents } from '../incidents/incidents';
import type { RecordingsRepo } from '../store/recordings-repo';
import { unlink } from 'node:fs/promises';
import { FileExists, recordingPath, resolveInside, storeAtomically, wavDurationMs, type StoredFile } from './storage';

/** Recording names carry what is needed to file them, so nothing lives only in memory. */
const NAME = /^cti110_(\d{8}-\d{6,})_(\d{13})_([A-Za-z0-9-]*)$/;
/**
 * The caller's own MixMonitor file, started by the dialplan before the call reaches the service
 * (dialplan/extensions.conf, cti110-incoming): call_<epoch>_<channel, dots as dashes>_<caller>.
 * `fallback_` is the same file's name before every call was recorded that way.
 */
export const CALL_FILE = /^(?:call|fallback)_(\d{9,11})_([A-Za-z0-9-]+)_([0-9+]*)$/;

/** The caller's side of a call's MixMonitor file (dialplan/extensions.conf writes it, r() option). */
export function callerSideOf(recordingFile: string): string {
  return `recall_${recordingFile}`;
}

/** How long a finished call's MixMonitor may take to close its file (it does so after the hang-up). */
const CLOSE_WAIT_MS = 15000;

interface ImportJob {
  name: string;
  sourceOf: 'bridge' | (() => 'call' | 'fallback');
  startedAt: number;
  seatId: string | null;
  incidentOf: () => Promise<{ id: number; number: string; endedAt: number | null; seatId?: string | null; answeredAt?: number | null }>;
  download?: () => Promise<Buffer>;
}

/** A caller's MixMonitor file with nothing in it, for a call that was never bridged. */
class NothingRecorded extends Error {}

/** MixMonitor writes the WAV header's sizes when it closes the file: before that they are 0. */
export function wavClosed(data: Buffer): boolean {
  return data.length >= 44 && data.toString('ascii', 0, 4) === 'RIFF' && data.readUInt32LE(4) === data.length - 8;
}

export function recordingName(incident: string, startedAt: number, seatId: string | null): string {
  return `cti110_${incident}_${startedAt}_${seatId ?? ''}`;
}

export class Recorder {
  /** Imports in flight by recording name: a second caller waits for the first instead of racing it. */
  private readonly importing = new Map<string, Promise<void>>();
  /** Recordings this process started and has not stopped: the sweep knows them live without asking. */
  private readonly live = new Set<string>();

  constructor(
    private readonly telephony: Telephony,
    private readonly incidents: Incidents,
    private readonly repo: RecordingsRepo,
    private readonly storageDir: string,
    private readonly log: Logger,
    private readonly retryDelaysMs: readonly number[] = [250, 1000],
  ) {}

  /**
   * Starts recording a call's bridge; returns its name. Asterisk not answering is retried by the
   * Telephony port itself; a refusal is tried again here after `retryDelaysMs` (a fresh name each
   * time: the refused one may exist half-made), unless the bridge is gone (the call ended). Still
   * failing: logged loudly and stamped `recording_failed`, which alerts supervisors; never fatal.
   */
  async start(incidentId: number, incident: string, bridgeId: string, seatId: string | null, callFile?: string): Promise<string | undefined> {
    if (callFile) {
      // Already recording since the dialplan (MixMonitor on the caller, from the first bridge on):
      // no request to Asterisk, no recorder channel in the bridge, which stays a two-party one.
      await this.incidents.stamp(incidentId, 'recording', { name: callFile, via: 'mixmonitor' });
      return callFile;
    }
    for (let attempt = 0; ; attempt++) {
      const name = recordingName(incident, Date.now(), seatId);
      try {
        await this.telephony.recordBridge(bridgeId, name);
        this.live.add(name);
        await this.incidents.stamp(incidentId, 'recording', { name, ...(attempt ? { attempts: attempt + 1 } : {}) });
        return name;
      } catch (err) {
        const delay = this.retryDelaysMs[attempt];
        if (delay !== undefined && !(err instanceof BridgeGone)) {
          this.log.warn({ incident, bridgeId, attempt: attempt + 1, err: (err as Error).message }, 'recording did not start, trying again');
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
        this.log.error({ incident, bridgeId, err: (err as Error).message }, 'RECORDING DID NOT START');
        await this.incidents.stamp(incidentId, 'recording_failed', { error: (err as Error).message, attempts: attempt + 1 });
        return undefined;
      }
    }
  }

  /**
   * The call is over: stop its recording and store it now. Waiting for RecordingFinished alone is
   * not enough: once the bridge is gone Asterisk may have nobody to send that event to.
   */
  async stop(name: string): Promise<void> {
    if (await this.halt(name)) await this.finished(name);
  }

  /**
   * Only stops the recording (its file is complete): the caller may free the seat before the
   * slower fetch and store of finished(). False if it could not be stopped (the sweep stores it).
   */
  async halt(name: string): Promise<boolean> {
    if (CALL_FILE.test(name)) return true; // MixMonitor ends with the caller's channel
    this.live.delete(name);
    try {
      await this.telephony.stopRecording(name);
      return true;
    } catch (err) {
      this.log.warn({ name, err: (err as Error).message }, 'could not stop recording; the sweep will store it');
      return false;
    }
  }

  /** RecordingFinished (or found left over after a restart): fetch, store, register, clean up. */
  async finished(name: string): Promise<void> {
    this.log.debug({ name }, 'recording finished');
    if (CALL_FILE.test(name)) return this.callFile(name);
    this.live.delete(name);
    const parsed = NAME.exec(name);
    if (!parsed) return;
    const [, incidentNumber, started, seat] = parsed;
    await this.import({ name, sourceOf: 'bridge', startedAt: Number(started), seatId: seat || null, incidentOf: () => this.incidents.findByNumber(incidentNumber) });
  }

  /**
   * A caller's MixMonitor file, once its call is over: stored against the call's incident, or,
   * for a call the dialplan fallback answered while the service was away, against a new incident
   * (trunk "fallback", caller number and arrival from the file name).
   */
  private async callFile(name: string): Promise<void> {
    const [, epoch, dashed, caller] = CALL_FILE.exec(name)!;
    const arrivedAt = Number(epoch) * 1000;
    // Asterisk's unique id ends <epoch>.<sequence> (after the system name, if set): its last dot.
    const channel = dashed.replace(/-(\d+)$/, '.$1');
    const known = async () => (await this.incidents.findByChannel(channel)) ?? (await this.incidents.findByChannel(dashed));
    let created = false;
    const incidentOf = async () => {
      const found = await known();
      if (found) return found;
      created = true;
      const incident = await this.incidents.open({ callerNumber: caller, callerName: '', callerRaw: '', trunk: 'fallback', channelId: channel, state: 'ended', arrivedAt, priority: 100 });
      await this.incidents.stamp(incident.id, 'fallback_call', { channel, note: 'answered by the dialplan fallback while the service was down' }, arrivedAt);
      this.log.warn({ incident: incident.number, channel }, 'fallback call attached to a new incident');
      return incident;
    };
    const download = async () => {
      const data = await this.closedFile(name);
      if (wavDurationMs(data) > 0) return data;
      // No audio. A call never bridged (abandoned while waiting): nothing was said, the file goes.
      // A call that was answered: a gap in the record, kept as it is and made loud.
      const call = await known();
      if (!call?.answeredAt) {
        this.log.info({ name }, 'empty MixMonitor file of a call never bridged: deleted');
        // Its caller's side too (instant recall's file): only a call that was talked in has a
        // recall owner to delete it, and these were left in Asterisk, one per abandoned call.
        await this.telephony.deleteRecording(callerSideOf(name));
        await this.telephony.deleteRecording(name);
        throw new NothingRecorded(name);
      }
      this.log.error({ incident: call.number, name }, 'RECORDING EMPTY for an answered call');
      await this.incidents.stamp(call.id, 'recording_failed', { error: 'the MixMonitor file of this call holds no audio', name });
      return data;
    };
    await this.import({ name, sourceOf: () => (created ? 'fallback' : 'call'), startedAt: arrivedAt, seatId: null, incidentOf, download });
  }

  /** The file once MixMonitor has closed it (its header complete). */
  private async closedFile(name: string): Promise<Buffer> {
    const until = Date.now() + CLOSE_WAIT_MS;
    for (let pause = 50; ; pause = Math.min(1000, pause * 2)) {
      const data = await this.telephony.downloadRecording(name);
      if (wavClosed(data)) return data;
      // Left in Asterisk for the minute sweep: never stored cut short, never deleted unclosed.
      if (Date.now() > until) throw new Error(`MixMonitor has not closed ${name} yet`);
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  /** One import at a time per recording: a second caller waits for the one in flight. */
  private import(job: ImportJob): Promise<void> {
    const running = this.importing.get(job.name);
    if (running) return running;
    const work = this.importOnce(job).finally(() => this.importing.delete(job.name));
    this.importing.set(job.name, work);
    return work;
  }

  private async importOnce({ name, sourceOf, seatId, incidentOf, download = () => this.telephony.downloadRecording(name), ...job }: ImportJob): Promise<void> {
    let startedAt = job.startedAt;
    try {
      if (await this.repo.findByName(name)) return this.telephony.deleteRecording(name);
      const data = await download();
      const incident = await incidentOf();
      const source = typeof sourceOf === 'string' ? sourceOf : sourceOf();
      // A MixMonitor file (b) holds audio from the first answer on, not from its name's time.
      if (source === 'call' && incident.answeredAt) startedAt = incident.answeredAt;
      const { seq, stored } = await this.storeNext(incident, startedAt, data);
      const durationMs = wavDurationMs(data);
      try {
        // A caller's MixMonitor file names no seat: the seat that answered the call is the incident's.
        await this.repo.insert({ incidentId: incident.id, seq, name, path: stored.path, source, seatId: seatId ?? incident.seatId ?? null, startedAt, endedAt: startedAt + durationMs, durationMs, size: stored.size, sha256: stored.sha256 });
      } catch (err) {
        // The file is ours alone (just created, no row): the retry stores it again under a free seq.
        await unlink(resolveInside(this.storageDir, stored.path)).catch(() => undefined);
        throw err;
      }
      await this.incidents.stamp(incident.id, 'recorded', { seq, path: stored.path, durationMs, sha256: stored.sha256, source });
      if (source === 'fallback' && incident.endedAt === null) await this.incidents.end(incident.id, startedAt + durationMs, { reason: 'fallback' });
      await this.telephony.deleteRecording(name); // ours now: Asterisk's copy is not the one of record
      this.log.info({ incident: incident.number, seq, durationMs, size: stored.size }, 'recording stored');
    } catch (err) {
      if (err instanceof RecordingGone) return void this.log.warn({ name }, 'recording finished but not stored in Asterisk');
      if (err instanceof NothingRecorded) return;
      // Left in Asterisk's store: the next reconcile() tries again. Nothing is lost.
      this.log.error({ name, err: (err as Error).message }, 'recording not stored yet, will retry');
    }
  }

  /**
   * Stored under the incident's next free seq. Two imports for one incident (a call's recording and
   * a fallback's, or two pieces) may draw the same seq: the second finds the file there and takes
   * the next one, so neither file is replaced; the UNIQUE (incident, seq) row follows the file.
   */
  private async storeNext(incident: { id: number; number: string }, startedAt: number, data: Buffer): Promise<{ seq: number; stored: StoredFile }> {
    for (let seq = await this.repo.nextSeq(incident.id), tries = 0; ; seq += 1, tries += 1) {
      try {
        return { seq, stored: await storeAtomically(this.storageDir, recordingPath(incident.number, seq, startedAt), data) };
      } catch (err) {
        if (!(err instanceof FileExists) || tries >= 100) throw err;
      }
    }
  }

  /**
   * A call's bridge recording found in Asterisk's store. Still being written: its call goes on
   * (stop() stores it when the call ends; importing it now would keep a truncated copy and delete
   * the rest) unless the call ended while we were away, then it is stopped and stored now.
   */
  private async sweepBridgeRecording(name: string): Promise<void> {
    if (this.live.has(name)) return; // ours and going on: no need to ask Asterisk every minute
    if (await this.telephony.isRecordingLive(name)) {
      const incident = await this.incidents.findByNumber(NAME.exec(name)![1]).catch(() => undefined);
      if (!incident || incident.endedAt === null) return;
      return this.stop(name);
    }
    await this.finished(name);
  }

  /**
   * After a (re)connect, and every minute: recordings that finished while we were away, and
   * fallback calls that are over (a file still being written by a live call is left for later).
   */
  async reconcile(): Promise<void> {
    const names = await this.telephony.listRecordings();
    const pending = names.filter((n) => CALL_FILE.test(n));
    const live = pending.length ? new Set((await this.telephony.listChannels()).map((c) => c.id.replace(/\./g, '-'))) : new Set<string>();
    for (const name of names) {
      if (NAME.test(name)) await this.sweepBridgeRecording(name);
      else if (CALL_FILE.test(name) && !live.has(CALL_FILE.exec(name)![2])) await this.callFile(name);
    }
  }
}
