// Composition root: config → logger → store → Asterisk adapters → domains → HTTP.
// The only file that reads process.env and calls listen().
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig, ConfigError } from './config/load';
import { refuseKnownSecrets } from './config/secrets';
import type { Config } from './config/schema';
import { describeStore, openStore, type Database } from './store/database';
import { IncidentsRepo } from './store/incidents-repo';
import { Incidents } from './incidents/incidents';
import { IncidentWriter } from './incidents/incident-writer';
import { createWriterMetrics } from './incidents/writer-metrics';
import { storeHealth } from './incidents/store-health';
import { AsteriskNodes } from './asterisk/asterisk-nodes';
import { RetryingTelephony } from './asterisk/retrying-telephony';
import { AmiConnection } from './asterisk/ami-connection';
import { CallService } from './calls/call-service';
import { bindStasis } from './calls/stasis-bindings';
import { Seats } from './queue/seats';
import { SeatService } from './queue/seat-service';
import { SeatPhones } from './queue/seat-phones';
import { QueueService } from './queue/queue-service';
import { CallbackService } from './queue/callback-service';
import { SeatsRepo } from './store/seats-repo';
import { SeatsBehind } from './store/seats-behind';
import { StatsRepo } from './store/stats-repo';
import { RecordingsRepo } from './store/recordings-repo';
import { Recorder } from './recording/recorder';
import { loadDispatchData } from './dispatch/data-files';
import { Officers } from './dispatch/officers';
import { Conference } from './dispatch/conference';
import { CallerLocator } from './dispatch/caller-location';
import { IncidentRecord, checkUnitWebhooks } from './dispatch/incident-record';
import { DispatchService } from './dispatch/service';
import { HeadsetCodes } from './calls/headset-codes';
import { DtmfDispatch } from './dispatch/dtmf';
import { MajorAlerts } from './dispatch/alerts';
import { DispatchRepo } from './store/dispatch-repo';
import { InterpreterConference } from './interpreting/conference';
import { InterpretingService } from './interpreting/service';
import { HotTransfer } from './transfer/hot-transfer';
import { TransferService, handoverThroughOutbox } from './transfer/service';
import { Outbox } from './outbox/outbox';
import { OutboxRepo } from './store/outbox-repo';
import { OfficersRepo } from './store/officers-repo';
import type { OfficerLegs } from './calls/call-service';
import { SpotChecks } from './recording/spot-check';
import { SpotChecksRepo } from './store/spot-checks-repo';
import type { QueueSnapshot } from './stats/snapshot';
import { buildApp } from './http/app';
import { Arrivals } from './monitoring/arrivals';
import { MonitoringService } from './monitoring/monitoring-service';
import { InstantRecall } from './monitoring/recall';
import { createServiceTime } from './stats/service-time';
import { createCallPathMetrics } from './stats/call-path-metrics';
import { AuthService } from './auth/auth-service';
import { UsersRepo } from './store/users-repo';
import { EventHub } from './events/hub';
import { Faults } from './events/faults';
import { DialplanAdmin } from './admin/dialplan';
import { AuditLog } from './audit/audit-log';
import { auditTimelineRows } from './audit/timeline-audit';
import { keyFileOf, loadOrCreateKey } from './audit/keys';
import { Lease } from './cluster/lease';
import { fencedStore } from './cluster/fenced-store';
import { buildStandbyApp } from './cluster/standby-app';
import { LeaseRepo } from './store/lease-repo';
import { FollowUpsRepo } from './store/followups-repo';
import { buildFollowUps } from './followup/wiring';
import { TextsRepo } from './store/texts-repo';
import { checkTextsConfig } from './texts/settings';
import { SmsGateway } from './texts/sms-gateway';
import { TextDesk } from './texts/text-desk';
import { TextInbox } from './texts/text-inbox';

/**
 * stdout written in blocks of a few KB instead of one write() per line: a call logs about ten
 * lines, and a write per line cost ~0.8 ms of CPU per call at 20 calls/s (scripts/bench
 * --profile). Flushed every 250 ms, so a tail stays live, and at exit (pino's own hook); a
 * SIGKILL loses at most those 250 ms of log, never a call's record (that is in the store).
 */
function bufferedStdout(): pino.DestinationStream & { flushSync(): void } {
  const out = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => out.flush(() => undefined), 250).unref();
  return out;
}

/** The lease of an active/standby pair, with its own store connections (PostgreSQL only). */
interface Held {
  lease: Lease;
  close(): Promise<void>;
}

/**
 * The standby (issue #16): waits for the lease with only /health served (role standby), and
 * returns once it holds it; the service is then built from the store as a restarted one is, and
 * re-attaches every call from Asterisk. The HTTP port is the standby's, kept for the active.
 * A lost lease ends the process (exit 75), for its supervisor to start it again as a standby.
 */
async function standBy(config: Config, log: pino.Logger, out: { flushSync(): void }): Promise<{ held: Held; port: number }> {
  // A pool of its own: a renewal never waits behind the service's statements for a connection.
  const leaseDb = await openStore({ ...config.store, poolSize: 2 });
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const lease = new Lease(new LeaseRepo(leaseDb), holder, { ttlMs: config.cluster.leaseTtlMs, renewMs: config.cluster.renewMs }, () => performance.now(), log.child({ area: 'cluster' }));
  lease.on('fenced', (reason) => {
    // Synchronously, before anything else is handled: no event, request or timer of this
    // process may act once the other service may hold the lease.
    log.fatal({ reason, holder }, 'FENCED: this service lost its lease and stops acting now (exit 75); the other service is active, restart this one as the standby');
    try {
      out.flushSync();
    } catch {
      // the line may be lost; the exit code still says it
    }
    process.exit(75);
  });
  const held = { lease, close: () => leaseDb.close() };
  // A free lease (no other service, or its lease ran out) is taken before anything listens.
  await lease.tick();
  if (lease.role === 'active') {
    lease.start();
    return { held, port: config.http.port };
  }
  const app = await buildStandbyApp(log.child({ area: 'http' }) as FastifyBaseLogger, { database: () => leaseDb.ping() });
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  log.info({ address, role: 'standby', holder, db: describeStore(config.store) }, 'cti110 listening');
  log.info({ ttlMs: config.cluster.leaseTtlMs }, 'standby: waiting for the lease (another service holds it)');
  const taken = new Promise<void>((resolve) => lease.once('active', resolve));
  lease.start();
  await taken;
  const port = (app.server.address() as { port: number }).port;
  await app.close();
  return { held, port };
}

async function start(config: Config, log: pino.Logger, held: Held | undefined): Promise<() => Promise<void>> {
  // Every store statement, ARI event, ARI request and HTTP request first asks whether this
  // service still holds the lease (an active/standby pair on PostgreSQL; SQLite: always active).
  const acting = held ? () => held.lease.acting() : undefined;
  const opened = await openStore(config.store);
  const db = acting ? fencedStore(opened, acting) : opened;
  // Incidents are written behind the calls, on a connection of their own (incidents/incident-writer.ts),
  // each batch's timeline rows with their audit entries (audit/timeline-audit.ts).
  // A call's burst of steps goes in as one transaction (25 ms: well under a human's notice).
  const incidentWriter = new IncidentWriter(new IncidentsRepo(await db.writerConnection()).writeStore(auditTimelineRows), log.child({ area: 'store' }), { lingerMs: 25 });
  const incidents = new Incidents(new IncidentsRepo(db), incidentWriter);
  await incidents.start();
  // The audit chain is appended through the same write-behind: batched, never awaited by a call.
  const auditKey = loadOrCreateKey(keyFileOf(config.audit.keyFile, config.store.path));
  const audit = new AuditLog(
    {
      push: (what, run, after) => incidentWriter.push(null, what, (tx) => run(tx.store), { after }),
      settled: (timeoutMs) => incidentWriter.settled(null, timeoutMs),
    },
    log.child({ area: 'audit' }),
  );
  audit.startAnchoring(auditKey, config.audit.anchorCheckMs);

  // One ARI connection per Asterisk node (`ari.nodes`; one node by default: `ari.url`).
  const ari = new AsteriskNodes(config.ari, log.child({ area: 'ari' }));
  if (acting) ari.guardWith(acting);
  const ami = new AmiConnection(config.ami, log.child({ area: 'ami' }));
  const telephony = new RetryingTelephony(ari.telephony, { delaysMs: config.ari.retryDelaysMs }, log.child({ area: 'ari' }));
  const writeBehind = {
    push: (what: string, run: (tx: Database) => Promise<void>) => incidentWriter.push(null, what, (tx) => run(tx.store)),
    settled: (timeoutMs: number) => incidentWriter.settled(null, timeoutMs),
  };
  const seatsRepo = new SeatsBehind(new SeatsRepo(db), writeBehind);
  const faults = new Faults(log.child({ area: 'faults' }));
  // A promise nobody waits for that rejects would end the process (Node's default) with every
  // call in progress: like the guarded event handlers, it costs only its own reaction.
  const onUnhandled = (err: unknown) => faults.report('unhandled promise rejection', err);
  process.on('unhandledRejection', onUnhandled);
  // A browser seat's SIP password stays with SeatPhones (handed to its call-taker only), out of the seat's state.
  const seats = new Seats(config.seats.map(({ webrtc: _password, ...seat }) => seat), config.queue.defaultDelivery, seatsRepo, config.queue.wrapUpMs, log.child({ area: 'seats' }), faults);
  await seats.restore();
  const queue = new QueueService(telephony, seats, config.queue, log.child({ area: 'queue' }), faults);
  const seatService = new SeatService(seats, telephony, log.child({ area: 'seats' }));
  const dispatchData = loadDispatchData(config.dispatch.gridDir);
  const officers = new Officers(new OfficersRepo(db), config.dispatch.maxPositionAgeMs);
  await officers.seed(dispatchData.roster);
  // Dispatch and calls need each other (an officer joins a call; a call ends its officers):
  // each gets the other through a small interface, bound here.
  // Officers and a 12345 agent are the third parties a call-taker may leave the caller with.
  const officerLegs: OfficerLegs = {
    officersIn: (n) => conference.officersIn(n) + transfer.activeIn(n),
    endFor: async (n) => {
      await conference.endFor(n);
      await transfer.endFor(n);
      await interpreter.endFor(n);
    },
  };
  const recorder = new Recorder(telephony, incidents, new RecordingsRepo(db), config.recording.storageDir, log.child({ area: 'recording' }));
  const serviceTime = createServiceTime();
  const callPath = createCallPathMetrics({ ariPending: () => ari.pending, amiEvents: () => ami.eventsReceived, ariEvents: () => ari.eventsReceived });
  ari.observeRequests(callPath.ariRequest);
  const dispatchRepo = new DispatchRepo(db);
  const locator = new CallerLocator(dispatchRepo, incidents, { url: config.dispatch.lookupUrl, timeoutMs: config.dispatch.lookupTimeoutMs }, log.child({ area: 'location' }));
  const calls = new CallService(telephony, incidents, queue, seats, recorder, officerLegs, locator, config.queue.priorities, log.child({ area: 'calls' }), serviceTime);
  const transfer = new HotTransfer(telephony, incidents, calls, { endpoint: config.transfer.endpoint, answerMs: config.transfer.answerMs }, log.child({ area: 'transfer' }));
  const outbox = new Outbox(new OutboxRepo(db), { minBackoffMs: 1000, maxBackoffMs: 60000, timeoutMs: 10000, pollMs: 30000 }, log.child({ area: 'outbox' }));
  const alerts = new MajorAlerts(incidents, dispatchRepo, config.dispatch.majorCategories, log.child({ area: 'dispatch' }));
  const transfers = new TransferService(incidents, transfer, config.transfer.categories, handoverThroughOutbox(outbox, config.transfer.handoverUrl, config.transfer.handoverToken), (row) => alerts.classified(row));
  const record = new IncidentRecord(dispatchRepo, incidents, officers, outbox, checkUnitWebhooks(config.dispatch.unitWebhooks, dispatchData.grid), log.child({ area: 'dispatch' }));
  const conference = new Conference(telephony, incidents, calls, { answerMs: config.dispatch.answerMs, trunk: config.dispatch.trunk, officersToTry: config.dispatch.officersToTry }, record, log.child({ area: 'dispatch' }));
  const dispatch = new DispatchService(incidents, dispatchRepo, dispatchData.grid, officers, conference, config.dispatch);
  // An interpreter is not counted above: the call-taker never leaves the caller with one alone.
  const interpreter = new InterpreterConference(telephony, incidents, calls, { answerMs: config.interpreting.answerMs }, log.child({ area: 'interpreting' }));
  const interpreting = new InterpretingService(incidents, interpreter, config.interpreting.languages);
  const callbacks = new CallbackService(telephony, seats, incidents, { trunk: config.queue.callbackTrunk, ringNoAnswerMs: config.queue.ringNoAnswerMs, callerRingMs: 30000 }, log.child({ area: 'callback' }));
  // Text reports (12110): in the same queue as calls, replies through the same outbox.
  const texts = checkTextsConfig(config);
  const textsRepo = new TextsRepo(db);
  const smsGateway = new SmsGateway(outbox, texts);
  const textDesk = new TextDesk(textsRepo, incidents, seats, queue, smsGateway, callbacks, texts, log.child({ area: 'texts' }));
  queue.takeTextsWith(textDesk);
  const textInbox = new TextInbox(textsRepo, incidents, textDesk, texts, log.child({ area: 'texts' }));
  await textDesk.restore();
  const arrivals = new Arrivals();
  const monitoring = new MonitoringService(telephony, incidents, calls, (id) => void seats.get(id), arrivals, config.monitoring, log.child({ area: 'monitoring' }));
  const recall = new InstantRecall(telephony, incidents, calls, arrivals, { seconds: config.monitoring.recallSeconds, segmentMs: config.monitoring.recallSegmentMs }, log.child({ area: 'recall' }));
  calls.watch(monitoring);
  calls.watch(recall);
  const dtmfDispatch = new DtmfDispatch(calls, dispatch, incidents, telephony, log.child({ area: 'dispatch' }));
  const headsetCodes = new HeadsetCodes({ '1': (leg) => void dtmfDispatch.pressed(leg), '2': (leg) => recall.byTaker(leg) });
  const followUpsRepo = new FollowUpsRepo(db);
  const followUps = buildFollowUps(config, { telephony, recorder, repo: followUpsRepo, incidents, dispatchRepo, officers, outbox, unitWebhooks: config.dispatch.unitWebhooks, sms: { gateway: smsGateway, inbox: textInbox }, log: log.child({ area: 'followup' }) });
  bindStasis({ ari: ari.events, telephony, calls, queue, seats, seatService, callbacks, recorder, conference, headsetCodes, transfer, interpreter, monitoring, recall, followUps: followUps?.voice, faults, log: log.child({ area: 'calls' }) });

  const queueSnapshot = (): QueueSnapshot => ({
    waiting: queue.snapshot().waiting.map((c) => ({ incident: c.incident, arrivedAt: c.arrivedAt, priority: c.priority })),
    seats: seats.all().map((s) => ({ id: s.id, state: s.state, reason: s.reason, delivery: s.delivery })),
  });
  const authService = new AuthService(new UsersRepo(db), { sessionTtlMs: config.auth.sessionTtlMs, maxFailures: config.auth.maxFailures, maxFailuresPerName: config.auth.maxFailuresPerName, windowMs: config.auth.failureWindowMs }, log.child({ area: 'auth' }));
  authService.audit.chainTo(audit);
  const hub = new EventHub({ seats, incidents, queue: queueSnapshot, faults, store: incidentWriter }, { majorCategories: config.dispatch.majorCategories, tickMs: 1000 }, log.child({ area: 'events' }));
  const app = await buildApp({
    logger: log,
    acting,
    incidents,
    seats: { seats, seatService, repo: seatsRepo, calls },
    seatPhones: { phones: new SeatPhones(config.seats, { wsUrl: config.webrtc.wsUrl, ariUrl: config.ari.url, defaultDelivery: config.queue.defaultDelivery }) },
    abandoned: { incidents, callbacks },
    recordings: { db, storageDir: config.recording.storageDir, requireSupervisor: config.recording.requireSupervisor },
    officers: { officers, grid: dispatchData.grid, poles: dispatchData.poles },
    dispatch: { poles: dispatchData.poles, dispatch, calls },
    dispatchRecord: { record, repo: dispatchRepo, alerts },
    triage: { transfers, categories: config.transfer.categories },
    transferStats: { db },
    monitoring: { monitoring, recall },
    interpreting: { interpreting },
    texts: { inbox: textInbox, desk: textDesk, quickReplies: texts.quickReplies },
    spotChecks: { spotChecks: new SpotChecks(new SpotChecksRepo(db), { sampleSize: config.spotCheck.sampleSize }) },
    stats: { stats: new StatsRepo(db), now: queueSnapshot, extraMetrics: [serviceTime, ...callPath.metrics, ...createWriterMetrics(incidentWriter)], metrics: { token: config.metrics.token, open: !config.auth.enabled } },
    auth: { enabled: config.auth.enabled, secureCookie: config.auth.secureCookie, service: authService },
    events: { hub, live: { maxPerUser: config.auth.maxLiveSockets, allowedOrigins: config.auth.allowedOrigins, recheckMs: 10_000 } },
    admin: { dialplan: new DialplanAdmin(ami, ['extensions.conf'], log.child({ area: 'admin' })) },
    audit: { db, log: audit, key: auditKey },
    followUp: followUps?.routes,
    health: {
      ari: () => ari.status(),
      ami: () => ami.isUp,
      database: () => storeHealth(incidentWriter.status(), () => db.ping()),
      activeCalls: () => calls.activeCount(),
      lease: () => (held ? 'held' : 'none'),
    },
  });
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  log.info({ address, role: 'active', lease: held ? 'held' : 'none (SQLite: one node)', ari: config.ari.nodes?.map((n) => `${n.name}=${n.url}`) ?? config.ari.url, app: config.ari.app, db: describeStore(config.store) }, 'cti110 listening');
  if (!config.auth.enabled) log.warn('sign-in is OFF (auth.enabled = false): every request is allowed');
  ari.start();
  ami.start();
  outbox.start();
  await followUps?.service.start();
  // Fallback calls end while nobody listens for it: look for their recordings every minute.
  const sweep = setInterval(() => {
    if (ari.isUp) recorder.reconcile().catch((err: Error) => log.error({ err: err.message }, 'recording sweep failed'));
  }, 60000);

  return async () => {
    log.info('shutting down');
    process.off('unhandledRejection', onUnhandled);
    clearInterval(sweep);
    hub.stop();
    await app.close();
    queue.stop();
    followUps?.sms?.stop(); // its waits end unreached: asked again (same text, not sent twice) after the restart
    await followUps?.service.stop();
    textDesk.stop();
    await outbox.stop();
    ami.stop();
    await ari.stop();
    audit.stop();
    const unwritten = await incidents.stop(5000);
    if (unwritten) log.error({ unwritten }, 'store still failing at shutdown: incident writes not stored');
    await db.close();
    // Last: the standby takes over at once, and finds every write of this one in the store.
    await held?.lease.stop();
    await held?.close();
  };
}

function configFile(): string | undefined {
  const explicit = process.env.CTI110_CONFIG;
  if (explicit) return explicit;
  return existsSync('config/cti110.json') ? 'config/cti110.json' : undefined;
}

async function main(): Promise<void> {
  let stop: () => Promise<void>;
  try {
    let config = loadConfig(process.env, configFile());
    refuseKnownSecrets(config, process.env);
    const out = bufferedStdout();
    const log = pino({ level: config.log.level, base: { service: 'cti110' } }, out);
    // With SQLite there is one node: always active. With PostgreSQL, active only with the lease.
    let held: Held | undefined;
    if (config.store.url !== undefined) {
      const standby = await standBy(config, log, out);
      held = standby.held;
      config = { ...config, http: { ...config.http, port: standby.port } };
    }
    stop = await start(config, log, held);
  } catch (err) {
    // One line, no stack trace: the operator needs the key and the fix, not our internals.
    const message = err instanceof ConfigError ? err.message : `cti110: cannot start: ${(err as Error).message}`;
    process.stderr.write(`${message}\n`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  }
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

void main();
