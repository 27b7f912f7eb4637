// The whole HTTP app as main.ts composes it, with the real domain services over an in-memory store,
// and a fake of our own Telephony port (and AMI) instead of Asterisk: every route can be called
// by fastify inject, and a 5xx means our code failed, not a missing dependency.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Faults } from '../../src/events/faults';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load';
import { Database } from '../../src/store/database';
import { IncidentsRepo } from '../../src/store/incidents-repo';
import { Incidents } from '../../src/incidents/incidents';
import { CallService, type OfficerLegs } from '../../src/calls/call-service';
import { Seats } from '../../src/queue/seats';
import { SeatPhones } from '../../src/queue/seat-phones';
import { SeatService } from '../../src/queue/seat-service';
import { QueueService } from '../../src/queue/queue-service';
import { CallbackService } from '../../src/queue/callback-service';
import { SeatsRepo } from '../../src/store/seats-repo';
import { StatsRepo } from '../../src/store/stats-repo';
import { RecordingsRepo } from '../../src/store/recordings-repo';
import { Recorder } from '../../src/recording/recorder';
import { loadDispatchData } from '../../src/dispatch/data-files';
import { Officers } from '../../src/dispatch/officers';
import { Conference } from '../../src/dispatch/conference';
import { CallerLocator } from '../../src/dispatch/caller-location';
import { IncidentRecord } from '../../src/dispatch/incident-record';
import { DispatchService } from '../../src/dispatch/service';
import { MajorAlerts } from '../../src/dispatch/alerts';
import { DispatchRepo } from '../../src/store/dispatch-repo';
import { HotTransfer } from '../../src/transfer/hot-transfer';
import { TransferService } from '../../src/transfer/service';
import { Outbox } from '../../src/outbox/outbox';
import { OutboxRepo } from '../../src/store/outbox-repo';
import { OfficersRepo } from '../../src/store/officers-repo';
import { SpotChecks } from '../../src/recording/spot-check';
import { SpotChecksRepo } from '../../src/store/spot-checks-repo';
import { buildApp } from '../../src/http/app';
import { TextsRepo } from '../../src/store/texts-repo';
import { SmsGateway } from '../../src/texts/sms-gateway';
import { TextDesk } from '../../src/texts/text-desk';
import { TextInbox } from '../../src/texts/text-inbox';
import { Arrivals } from '../../src/monitoring/arrivals';
import { MonitoringService } from '../../src/monitoring/monitoring-service';
import { InstantRecall } from '../../src/monitoring/recall';
import { InterpreterConference } from '../../src/interpreting/conference';
import { InterpretingService } from '../../src/interpreting/service';
import { createServiceTime } from '../../src/stats/service-time';
import { AuthService } from '../../src/auth/auth-service';
import { UsersRepo } from '../../src/store/users-repo';
import { EventHub } from '../../src/events/hub';
import { DialplanAdmin } from '../../src/admin/dialplan';
import { RecordingGone } from '../../src/asterisk/errors';
import type { Telephony } from '../../src/asterisk/telephony';
import { FollowUpsRepo } from '../../src/store/followups-repo';
import { buildFollowUps } from '../../src/followup/wiring';
import type { FollowUpService } from '../../src/followup/service';

/** Asterisk that accepts every request and has nothing live. */
export function fakeTelephony(): Telephony {
  const ok = async () => {};
  return {
    ring: ok, answer: ok, hangup: ok, createBridge: ok, addToBridge: ok, destroyBridge: ok, removeFromBridge: ok,
    createChannel: ok, originate: ok, dial: ok, play: ok, stopPlayback: ok, watchEndpoints: ok, recordBridge: ok, deleteRecording: ok,
    stopRecording: ok, snoop: ok, recordChannel: ok,
    listChannels: async () => [],
    listBridges: async () => [],
    listEndpoints: async () => [],
    listRecordings: async () => [],
    isRecordingLive: async () => false,
    downloadRecording: async (name: string) => {
      throw new RecordingGone(name);
    },
  };
}

export interface FakeApp {
  app: FastifyInstance;
  auth: AuthService;
  incidents: Incidents;
  db: Database;
  followUps: FollowUpService | undefined;
  close(): Promise<void>;
}

export async function appWithFakes(opts: { authEnabled?: boolean; metricsToken?: string; acting?: () => boolean } = {}): Promise<FakeApp> {
  const config = loadConfig({}, 'config/cti110.json');
  const dir = mkdtempSync(join(tmpdir(), 'cti110-app-'));
  const log = pino({ level: 'silent' });
  const db = await Database.open(':memory:');
  const incidents = new Incidents(new IncidentsRepo(db));
  const telephony = fakeTelephony();
  const seatsRepo = new SeatsRepo(db);
  const faults = new Faults(log);
  const seats = new Seats(config.seats, config.queue.defaultDelivery, seatsRepo, config.queue.wrapUpMs, log, faults);
  await seats.restore();
  const queue = new QueueService(telephony, seats, config.queue, log, faults);
  const seatService = new SeatService(seats, telephony, log);
  const data = loadDispatchData(config.dispatch.gridDir);
  const officers = new Officers(new OfficersRepo(db), config.dispatch.maxPositionAgeMs);
  await officers.seed(data.roster);
  const officerLegs: OfficerLegs = { officersIn: (n) => conference.officersIn(n) + transfer.activeIn(n), endFor: async () => {} };
  const recorder = new Recorder(telephony, incidents, new RecordingsRepo(db), dir, log);
  const dispatchRepo = new DispatchRepo(db);
  const locator = new CallerLocator(dispatchRepo, incidents, { url: '', timeoutMs: 100 }, log);
  const calls = new CallService(telephony, incidents, queue, seats, recorder, officerLegs, locator, config.queue.priorities, log, createServiceTime());
  const transfer = new HotTransfer(telephony, incidents, calls, { endpoint: config.transfer.endpoint, answerMs: 1000 }, log);
  const outbox = new Outbox(new OutboxRepo(db), { minBackoffMs: 1000, maxBackoffMs: 60000, timeoutMs: 1000, pollMs: 30000 }, log);
  const alerts = new MajorAlerts(incidents, dispatchRepo, config.dispatch.majorCategories, log);
  const transfers = new TransferService(incidents, transfer, config.transfer.categories, { send: async () => {} }, (row) => alerts.classified(row));
  const record = new IncidentRecord(dispatchRepo, incidents, officers, outbox, {}, log);
  const conference = new Conference(telephony, incidents, calls, { answerMs: 1000, trunk: config.dispatch.trunk, officersToTry: config.dispatch.officersToTry }, record, log);
  const dispatch = new DispatchService(incidents, dispatchRepo, data.grid, officers, conference, config.dispatch);
  const callbacks = new CallbackService(telephony, seats, incidents, { trunk: config.queue.callbackTrunk, ringNoAnswerMs: 1000, callerRingMs: 1000 }, log);
  // Text reports on, so that their routes (the signed webhook too) meet every test of the whole app.
  const textsRepo = new TextsRepo(db);
  const textSecret = 'app-with-fakes-gateway-secret';
  const smsGateway = new SmsGateway(outbox, { sendUrl: 'http://127.0.0.1:9/sms', secret: textSecret, serviceNumber: '12110' });
  const textDesk = new TextDesk(textsRepo, incidents, seats, queue, smsGateway, callbacks, { priority: 20, withVoiceCall: false, locationRequest: '?' }, log);
  const textInbox = new TextInbox(textsRepo, incidents, textDesk, { secret: textSecret, priority: 20 }, log);
  queue.takeTextsWith(textDesk);
  const arrivals = new Arrivals();
  const monitoring = new MonitoringService(telephony, incidents, calls, (id) => void seats.get(id), arrivals, config.monitoring, log);
  const recall = new InstantRecall(telephony, incidents, calls, arrivals, { seconds: config.monitoring.recallSeconds, segmentMs: config.monitoring.recallSegmentMs }, log);
  const snapshot = () => ({ waiting: [], seats: seats.all().map((s) => ({ id: s.id, state: s.state, reason: s.reason, delivery: s.delivery })) });
  const hub = new EventHub({ seats, incidents, queue: snapshot }, { majorCategories: config.dispatch.majorCategories, tickMs: 60_000 }, log);
  const auth = new AuthService(new UsersRepo(db), { sessionTtlMs: 3_600_000, maxFailures: 5, windowMs: 900_000 }, log);
  const ami = { action: async () => ({}), list: async () => [] };
  // Built, not started: no scheduler runs, the routes answer from the store.
  const followUps = buildFollowUps(config, { telephony, recorder, repo: new FollowUpsRepo(db), incidents, dispatchRepo, officers, outbox, unitWebhooks: {}, sms: { gateway: smsGateway, inbox: textInbox }, log });
  const app = await buildApp({
    logger: log,
    acting: opts.acting,
    incidents,
    seats: { seats, seatService, repo: seatsRepo, calls },
    seatPhones: { phones: new SeatPhones(config.seats, { wsUrl: config.webrtc.wsUrl, ariUrl: config.ari.url, defaultDelivery: config.queue.defaultDelivery }) },
    abandoned: { incidents, callbacks },
    recordings: { db, storageDir: dir, requireSupervisor: config.recording.requireSupervisor },
    officers: { officers, grid: data.grid, poles: data.poles },
    dispatch: { poles: data.poles, dispatch, calls },
    dispatchRecord: { record, repo: dispatchRepo, alerts },
    triage: { transfers, categories: config.transfer.categories },
    transferStats: { db },
    monitoring: { monitoring, recall },
    interpreting: { interpreting: new InterpretingService(incidents, new InterpreterConference(telephony, incidents, calls, { answerMs: 1000 }, log), config.interpreting.languages) },
    texts: { inbox: textInbox, desk: textDesk, quickReplies: ['ok'] },
    spotChecks: { spotChecks: new SpotChecks(new SpotChecksRepo(db), { sampleSize: config.spotCheck.sampleSize }) },
    stats: { stats: new StatsRepo(db), now: snapshot, extraMetrics: [], metrics: { token: opts.metricsToken ?? '', open: !(opts.authEnabled ?? true) } },
    auth: { enabled: opts.authEnabled ?? true, secureCookie: false, service: auth },
    events: { hub, live: { maxPerUser: config.auth.maxLiveSockets, allowedOrigins: config.auth.allowedOrigins, recheckMs: 60_000 } },
    followUp: followUps?.routes,
    admin: { dialplan: new DialplanAdmin(ami as unknown as ConstructorParameters<typeof DialplanAdmin>[0], ['extensions.conf'], log) },
    health: { ari: () => ({ up: true, attempts: 0 }), ami: () => true, database: async () => ({ up: await db.ping() }), activeCalls: () => calls.activeCount() },
  });
  return {
    app,
    auth,
    incidents,
    db,
    followUps: followUps?.service,
    close: async () => {
      hub.stop();
      await app.close();
      textDesk.stop();
      queue.stop();
      await outbox.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
