// Every ARI event cti110 reacts to, in one table (grep here to find every path in).
import type { Logger } from 'pino';
import type { AriEventSource } from '../asterisk/node-router';
import type { AriEvent } from '../asterisk/ari-events';
import type { Telephony } from '../asterisk/telephony';
import type { Faults } from '../events/faults';
import type { QueueService } from '../queue/queue-service';
import type { SeatService } from '../queue/seat-service';
import type { CallbackService } from '../queue/callback-service';
import type { HeadsetCodes } from './headset-codes';
import type { Recorder } from '../recording/recorder';
import type { Conference } from '../dispatch/conference';
import type { HotTransfer } from '../transfer/hot-transfer';
import type { InterpreterConference } from '../interpreting/conference';
import type { Seats } from '../queue/seats';
import type { Arrival, CallService } from './call-service';
import { fromHeader } from './from-header';
import type { MonitoringService } from '../monitoring/monitoring-service';
import type { InstantRecall } from '../monitoring/recall';
import { CALL_FILE } from '../recording/recorder';
import type { FollowUpLegs } from '../followup/voice-channel';

/** Stasis() arguments set by dialplan/extensions.conf for callers; anything else is not a caller. */
const CALLER_ENTRIES = new Set(['110', 'from12345']);
/** Dial outcomes that mean the leg will not be answered. */
const DIAL_FAILED = new Set(['BUSY', 'CONGESTION', 'CHANUNAVAIL', 'NOANSWER', 'CANCEL', 'DONTCALL', 'TORTURE', 'INVALIDARGS']);

/** Asterisk's creationtime looks like 2026-11-23T19:30:00.123+0800; Date.parse wants +08:00. */
export function parseAsteriskTime(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  const ms = Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : fallback;
}

/** The INVITE's location as the dialplan put it in channel variables (none: no Geolocation header). */
function sipLocation(vars: Record<string, string> | undefined): Arrival['location'] {
  const header = vars?.CTI110_GEOLOC ?? '';
  if (!header) return undefined;
  return { header, format: vars?.CTI110_GEOLOC_FORMAT ?? '', info: vars?.CTI110_GEOLOC_INFO ?? '', method: vars?.CTI110_GEOLOC_METHOD ?? '' };
}

/** The caller's MixMonitor file started by the dialplan, by its recording name (none: the bridge is recorded). */
function callFileOf(vars: Record<string, string> | undefined): string | undefined {
  const name = (vars?.CTI110_RECORDING ?? '').split('/').pop()?.replace(/\.wav$/, '') ?? '';
  return CALL_FILE.test(name) ? name : undefined;
}

export interface StasisDeps {
  /** Asterisk's events: the one node's connection, or every node's merged (node-router.ts). */
  ari: AriEventSource;
  telephony: Telephony;
  calls: CallService;
  queue: QueueService;
  seats: Seats;
  seatService: SeatService;
  callbacks: CallbackService;
  recorder: Recorder;
  conference: Conference;
  headsetCodes: HeadsetCodes;
  transfer: HotTransfer;
  interpreter: InterpreterConference;
  monitoring: MonitoringService;
  recall: InstantRecall;
  /** Follow-up calls to callers (src/followup/): their legs, keys and prompts. */
  followUps?: FollowUpLegs;
  faults: Faults;
  log: Logger;
}

export function bindStasis({ ari, telephony, calls, queue, seats, seatService, callbacks, recorder, conference, headsetCodes, transfer, interpreter, monitoring, recall, followUps, faults, log }: StasisDeps): void {
  // A handler may return a promise: the guard below also catches what it rejects with.
  const handlers: { [K in AriEvent['type']]?: (e: Extract<AriEvent, { type: K }>) => unknown } = {
    StasisStart: (e) => {
      const [entry = '', ...rest] = e.args;
      if (CALLER_ENTRIES.has(entry)) {
        calls.arrived({
          channelId: e.channel.id,
          callerNumber: e.channel.caller?.number ?? '',
          callerName: e.channel.caller?.name ?? '',
          callerRaw: fromHeader(e.channel.channelvars),
          // Kept as received, within reason: 12345's reference is an identifier, not a text.
          caseRef: e.channel.channelvars?.CTI110_CASEREF?.slice(0, 128) || undefined,
          trunk: entry,
          location: sipLocation(e.channel.channelvars),
          recordingFile: callFileOf(e.channel.channelvars),
          arrivedAt: parseAsteriskTime(e.channel.creationtime, Date.now()),
        });
      } else if (entry === 'leg') {
        queue.legEntered(e.channel.id);
      } else if (entry === 'callback') {
        callbacks.legEntered(e.channel.id);
      } else if (entry === 'officer') {
        conference.legEntered(e.channel.id);
      } else if (entry === 'transfer') {
        transfer.legEntered(e.channel.id);
      } else if (entry === 'interpreter') {
        interpreter.legEntered(e.channel.id);
      } else if (entry === 'headset') {
        seatService.headsets.entered(e.channel.id);
      } else if (entry === 'monitor') {
        monitoring.legEntered(e.channel.id); // supervisor legs and every snoop channel
      } else if (entry === 'followup') {
        followUps?.legEntered(e.channel.id);
      } else if (entry === 'feature') {
        seatService.featureCode(e.channel.id, e.channel.name, rest[0] ?? '').catch((err: Error) => log.error({ channel: e.channel.id, err: err.message }, 'feature code failed'));
      } else {
        log.warn({ channel: e.channel.id, args: e.args }, 'StasisStart with unknown entry ignored');
      }
    },
    ChannelStateChange: (e) => {
      if (e.channel.state !== 'Up') return;
      // A seat leg is answered when it enters our app (queue.legEntered): not yet in it here.
      if (queue.isLeg(e.channel.id)) return;
      else if (callbacks.isLeg(e.channel.id)) callbacks.legAnswered(e.channel.id);
      else if (conference.isLeg(e.channel.id)) conference.legAnswered(e.channel.id);
      else if (transfer.isLeg(e.channel.id)) transfer.legAnswered(e.channel.id);
      else if (interpreter.isLeg(e.channel.id)) interpreter.legAnswered(e.channel.id);
      else if (seatService.headsets.isLeg(e.channel.id)) seatService.headsets.answered(e.channel.id);
      else if (monitoring.isLeg(e.channel.id)) monitoring.legAnswered(e.channel.id);
      else if (followUps?.isLeg(e.channel.id)) followUps.legAnswered(e.channel.id);
    },
    Dial: (e) => {
      if (!DIAL_FAILED.has(e.dialstatus)) return;
      if (queue.isLeg(e.peer.id)) queue.legGone(e.peer.id, e.dialstatus.toLowerCase());
      else if (callbacks.isLeg(e.peer.id)) callbacks.legGone(e.peer.id, e.dialstatus.toLowerCase());
      else if (conference.isLeg(e.peer.id)) conference.legGone(e.peer.id, e.dialstatus.toLowerCase());
      else if (transfer.isLeg(e.peer.id)) transfer.legGone(e.peer.id, e.dialstatus.toLowerCase());
      else if (interpreter.isLeg(e.peer.id)) interpreter.legGone(e.peer.id, e.dialstatus.toLowerCase());
      else if (seatService.headsets.isLeg(e.peer.id)) seatService.headsets.gone(e.peer.id, e.dialstatus.toLowerCase());
      else if (monitoring.isLeg(e.peer.id)) monitoring.legGone(e.peer.id, e.dialstatus.toLowerCase());
      else if (followUps?.isLeg(e.peer.id)) followUps.legGone(e.peer.id, e.dialstatus.toLowerCase());
    },
    StasisEnd: (e) => {
      headsetCodes.forget(e.channel.id);
      if (seatService.isNailed(e.channel.id)) {
        // Order matters: the call it carried goes back to the queue, then the seat logs out.
        if (queue.isLeg(e.channel.id)) queue.legGone(e.channel.id, 'hangup');
        seatService.nailedGone(e.channel.id);
      } else if (queue.isLeg(e.channel.id)) queue.legGone(e.channel.id, 'hangup');
      else if (callbacks.isLeg(e.channel.id)) callbacks.legGone(e.channel.id, 'hangup');
      else if (conference.isLeg(e.channel.id)) conference.legGone(e.channel.id, 'hangup');
      else if (transfer.isLeg(e.channel.id)) transfer.legGone(e.channel.id, 'hangup');
      else if (interpreter.isLeg(e.channel.id)) interpreter.legGone(e.channel.id, 'hangup');
      else if (seatService.headsets.isLeg(e.channel.id)) seatService.headsets.gone(e.channel.id, 'hangup');
      else if (monitoring.isLeg(e.channel.id)) monitoring.legGone(e.channel.id, 'hangup');
      else if (recall.isLeg(e.channel.id)) return; // a recall snoop: its owner hung it up, or its call ended
      else if (followUps?.isLeg(e.channel.id)) followUps.legGone(e.channel.id, 'hangup');
      else calls.callerLeft(e.channel.id);
    },
    // An originated seat leg that never answered never enters our app, so no StasisEnd: its end
    // comes as ChannelDestroyed (its Dial event, when there is one, came first and freed it).
    ChannelDestroyed: (e) => {
      if (queue.isLeg(e.channel.id)) queue.legGone(e.channel.id, e.cause_txt || 'hangup');
    },
    EndpointStateChange: (e) => {
      const endpoint = `${e.endpoint.technology}/${e.endpoint.resource}`;
      const online = e.endpoint.state === 'online';
      seats.setReachable(endpoint, online);
      // A nailed headset whose phone stopped answering qualify is dead: drop it now.
      const seat = seats.byChannelName(endpoint);
      if (!online && seat?.nailedChannel) telephony.hangup(seat.nailedChannel).catch((err: Error) => log.error({ seat: seat.id, err: err.message }, 'could not drop a dead nailed connection'));
    },
    RecordingFinished: (e) => recorder.finished(e.recording.name),
    PlaybackFinished: (e) => {
      recall.playbackFinished(e.playback.id);
      followUps?.playbackFinished(e.playback.id);
    },
    RecordingFailed: (e) => log.error({ recording: e.recording.name, cause: e.recording.cause }, 'RECORDING FAILED'),
    // A recording of record stopped before its call ended would be a gap: make it loud.
    RecordingStarted: (e) => log.debug({ recording: e.recording.name }, 'recording started'),
    ChannelDtmfReceived: (e) => {
      // "#" on a nailed connection ends the call in progress (the headset itself stays up).
      if (e.digit === '#' && seatService.isNailed(e.channel.id)) calls.release(e.channel.id);
      // A caller's score keyed during a follow-up call.
      else if (followUps?.isLeg(e.channel.id)) followUps.digit(e.channel.id, e.digit);
      // "*1" (dispatch the nearest officer), "*2" (instant recall) from a call-taker on a call.
      else headsetCodes.digit(e.channel.id, e.digit);
    },
  };

  // The last resort: whatever a handler throws is logged and alerted (events/faults.ts) and stops
  // there. Thrown out of this listener it would end the process, and every call with it.
  ari.on('event', (event) => {
    const handler = handlers[event.type] as ((e: AriEvent) => unknown) | undefined;
    if (handler) faults.run(`ARI ${event.type}`, () => handler(event), 'channel' in event ? { channel: event.channel.id } : {});
  });

  ari.on('up', () => faults.run('ARI up', () => reattach()));
  ari.on('down', () =>
    faults.run('ARI down', () => {
      // Nothing is reachable while Asterisk is: a reconnect re-reads every endpoint.
      for (const seat of seats.all()) seats.setReachable(seat.endpoint, false);
    }),
  );

  function reattach(): Promise<void> {
    // Endpoint states first: a seat whose phone is gone must not be offered a re-attached call.
    return telephony
      .watchEndpoints(seats.all().map((seat) => seat.endpoint))
      .then(() => telephony.listEndpoints())
      .then((endpoints) => endpoints.forEach((e) => seats.setReachable(e.endpoint, e.online)))
      .then(() => telephony.listChannels())
      .then(async (live) => {
        // Nailed headsets first: a call re-attached to a dead one must go back to the queue.
        seatService.reconcileNailed(new Set(live.map((c) => c.id)));
        await calls.reconcile(live);
        await monitoring.reconcile(live, (id) => monitoring.isLeg(id) || recall.isLeg(id));
      })
      .then(() => recorder.reconcile())
      .then(() => recall.reconcile())
      .catch((err: Error) => log.error({ err: err.message }, 'reconcile after connect failed'));
  }
}
