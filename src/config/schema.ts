// The service's configuration: one schema, checked at start. Defaults here are the sandbox's
// (a local Asterisk from scripts/asterisk-sandbox.sh); production overrides them by file or env.
import { Type, type Static } from '@sinclair/typebox';

const Port = Type.Integer({ minimum: 1, maximum: 65535, description: 'a TCP port, 1-65535' });
const Millis = Type.Integer({ minimum: 0, description: 'a duration in milliseconds, 0 or more' });
const NonEmpty = Type.String({ minLength: 1, description: 'a non-empty string' });

export const ConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: NonEmpty,
        port: Type.Integer({ minimum: 0, maximum: 65535, description: 'a TCP port, 0 = any free port' }),
      },
      { additionalProperties: false },
    ),
    ari: Type.Object(
      {
        url: Type.String({ pattern: '^https?://[^\\s]+$', description: 'an http(s):// URL of Asterisk\'s HTTP server' }),
        user: NonEmpty,
        password: NonEmpty,
        app: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'a Stasis app name: letters, digits, _ or -' }),
        // Reconnect forever: the delay grows from min to max and stays there.
        reconnectMinMs: Millis,
        reconnectMaxMs: Millis,
        // A websocket can be half-open (Asterisk gone without a FIN): a ping unanswered for
        // keepaliveTimeoutMs means the link is dead, whatever the socket says.
        keepaliveIntervalMs: Type.Integer({ minimum: 100, description: 'milliseconds, at least 100' }),
        keepaliveTimeoutMs: Type.Integer({ minimum: 100, description: 'milliseconds, at least 100' }),
        requestTimeoutMs: Type.Integer({ minimum: 100, description: 'milliseconds, at least 100' }),
        maxConnections: Type.Integer({ minimum: 1, maximum: 90, description: 'keep-alive connections for ARI requests, 1 to 90 (Asterisk allows 100 HTTP sessions in all)' }),
        retryDelaysMs: Type.Array(Type.Integer({ minimum: 0, maximum: 60000 }), { maxItems: 10, description: 'pauses in ms before each retry of an ARI request Asterisk did not answer (at most 10)' }),
        // Asterisk's stored-recordings folder as this machine sees it ('' = not seen: over ARI).
        recordingsDir: Type.String({ pattern: '^(/.*)?$', description: "an absolute path, or '' for none" }),
        // Several Asterisk nodes (issue #16): one ARI connection to each, one queue over all of
        // them (src/asterisk/node-router.ts); user, password and app as above. Absent: `url` alone.
        nodes: Type.Optional(
          Type.Array(
            Type.Object(
              {
                name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'a node name: 1-32 letters, digits, _ or -' }),
                url: Type.String({ pattern: '^https?://[^\\s]+$', description: "an http(s):// URL of the node's Asterisk HTTP server" }),
              },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 16, description: 'a list of 1 to 16 nodes { name, url }' },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    ami: Type.Object(
      {
        host: NonEmpty,
        port: Port,
        user: NonEmpty,
        secret: NonEmpty,
        reconnectMinMs: Millis,
        reconnectMaxMs: Millis,
        keepaliveIntervalMs: Type.Integer({ minimum: 100, description: 'milliseconds, at least 100' }),
      },
      { additionalProperties: false },
    ),
    seats: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'a seat id: 1-32 letters, digits, _ or -' }),
          endpoint: Type.String({ pattern: '^PJSIP/[A-Za-z0-9_.-]{1,64}$', description: 'a PJSIP endpoint, e.g. PJSIP/1001' }),
          // The softphone answers by itself (Call-Info answer-after=0), as emergency positions do.
          autoAnswer: Type.Boolean({ description: 'true or false' }),
          // ring: each call rings the phone. nailed: the phone stays connected for the shift
          // (log in with *11 or *15) and calls are switched into that connection.
          delivery: Type.Optional(Type.Union([Type.Literal('ring'), Type.Literal('nailed')], { description: "'ring' or 'nailed'" })),
          // A browser seat: the console is the phone (WebRTC). Its endpoint is a webrtc one in
          // pjsip.conf, registered by the console with this password, which only the call-taker
          // signed in at this seat is given (GET /seats/<id>/phone). No webrtc: a SIP softphone.
          webrtc: Type.Optional(Type.Object({ password: NonEmpty }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 2000, description: 'a list of seats' },
    ),
    webrtc: Type.Object(
      {
        // Where the consoles of browser seats open SIP over WebSocket: Asterisk's HTTP server,
        // path /ws. '' = the one ARI is on (ari.url with ws: for http:, wss: for https:).
        wsUrl: Type.String({ pattern: '^(|wss?://[^\\s]+)$', description: "'' or a ws(s):// URL, e.g. wss://pbx.example/ws" }),
      },
      { additionalProperties: false },
    ),
    queue: Type.Object(
      {
        ringNoAnswerMs: Type.Integer({ minimum: 500, description: 'milliseconds, at least 500' }),
        wrapUpMs: Millis,
        // 0 = no overflow. Otherwise, after this wait the call is also offered to overflowEndpoint.
        overflowAfterMs: Millis,
        overflowEndpoint: Type.String({ pattern: '^(|(PJSIP|Local)/[^\\s]{1,128})$', description: "'' or an endpoint like PJSIP/backup@trunk" }),
        // Priority class by how the call arrived; lower is served first. Unlisted origins get 100.
        priorities: Type.Record(Type.String({ pattern: '^[a-z0-9]{1,32}$' }), Type.Integer({ minimum: 0, maximum: 1000, description: 'an integer 0-1000' })),
        // Trunk endpoint used to call an abandoned caller back: PJSIP/<number>@<callbackTrunk>.
        callbackTrunk: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'a PJSIP endpoint name' }),
        defaultDelivery: Type.Union([Type.Literal('ring'), Type.Literal('nailed')], { description: "'ring' or 'nailed'" }),
      },
      { additionalProperties: false },
    ),
    recording: Type.Object(
      {
        storageDir: NonEmpty,
        // Until sign-in exists: true = audio and the access log need the header X-Role: supervisor.
        requireSupervisor: Type.Boolean({ description: 'true or false' }),
        // Audio older than this is deleted by `npm run retention` (rows, hashes, audit stay); 0 = keep.
        retentionDays: Type.Integer({ minimum: 0, description: 'days, 0 = keep forever' }),
        // Below this much free space the retention run raises an ALERT (exit 3), before recording fails.
        minFreeMb: Type.Integer({ minimum: 0, description: 'megabytes, 0 or more' }),
      },
      { additionalProperties: false },
    ),
    spotCheck: Type.Object({ sampleSize: Type.Integer({ minimum: 1, maximum: 200, description: 'an integer 1-200' }) }, { additionalProperties: false }),
    dispatch: Type.Object(
      {
        // cells.geojson, units.json, poles.json, officers.json: checked whole at start.
        gridDir: NonEmpty,
        // An officer's position older than this counts as unknown: they may have moved on since.
        maxPositionAgeMs: Type.Integer({ minimum: 1000, description: 'milliseconds, at least 1000' }),
        // How long an officer's (or a duty line's) phone rings before the next one is rung.
        answerMs: Type.Integer({ minimum: 1000, description: 'milliseconds, at least 1000' }),
        // How many of the nearest officers are tried before the unit's duty line.
        officersToTry: Type.Integer({ minimum: 0, maximum: 10, description: 'an integer 0-10' }),
        // Mobile numbers and plain duty-line numbers are dialled as PJSIP/<number>@<trunk>.
        trunk: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'a PJSIP endpoint name' }),
        // Location lookup by caller number (GET <url>?number=...), for calls without a location
        // on the INVITE ('' = none). The call never waits for it; it gives up after the timeout.
        lookupUrl: Type.String({ pattern: '^(|https?://\\S+)$', description: "'' or an http(s) URL" }),
        lookupTimeoutMs: Type.Integer({ minimum: 100, maximum: 10000, description: 'milliseconds, 100-10000' }),
        // The incident is pushed to these units' systems when it is dispatched to them (or to a
        // unit below them), through the durable outbox: unit id -> URL.
        unitWebhooks: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,32}$' }), Type.String({ pattern: '^https?://\\S+$', description: 'an http(s) URL' })),
        // Telecom fraud goes to the anti-fraud centre first (to stop payments fast); '' = nobody.
        fraudCategories: Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,40}$' })),
        fraudEndpoint: Type.String({ pattern: '^(|PJSIP/[^\\s]{1,128})$', description: "'' or a dial string, e.g. PJSIP/96110@trunk110" }),
        // Categories that raise an alert for supervisors (GET /dispatch/alerts).
        majorCategories: Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,40}$' })),
      },
      { additionalProperties: false },
    ),
    transfer: Type.Object(
      {
        // Triage categories and where each goes: '12345' (hand over) or 'police' (keep).
        categories: Type.Record(Type.String({ pattern: '^[a-z0-9_]{1,40}$' }), Type.Union([Type.Literal('12345'), Type.Literal('police')], { description: "'12345' or 'police'" })),
        endpoint: Type.String({ pattern: '^PJSIP/[^\\s]{1,128}$', description: 'the 12345 trunk, e.g. PJSIP/12345@trunk12345' }),
        answerMs: Type.Integer({ minimum: 1000, description: 'milliseconds, at least 1000' }),
        // The 12345 platform's hand-over endpoint ('' = none) and its bearer token.
        handoverUrl: Type.String({ pattern: '^(|https?://\\S+)$', description: "'' or an http(s) URL" }),
        handoverToken: Type.String(),
      },
      { additionalProperties: false },
    ),
    interpreting: Type.Object(
      {
        // Interpreter lines per language (外语接警), tried in order like officers: the first that
        // answers is joined to the caller's bridge. Language: a BCP 47 tag such as en, ru, ug, zh-yue.
        languages: Type.Record(
          Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$' }),
          Type.Array(Type.String({ pattern: '^PJSIP/[^\\s]{1,128}$', description: 'a dial string, e.g. PJSIP/2501' }), { minItems: 1, maxItems: 20, description: 'the language\'s interpreter lines, in the order they are rung' }),
        ),
        // How long each interpreter line rings before the next one is rung.
        answerMs: Type.Integer({ minimum: 1000, description: 'milliseconds, at least 1000' }),
      },
      { additionalProperties: false },
    ),
    // Follow-up (回访) of closed incidents (src/followup/): every major category (dispatch.majorCategories)
    // and sharePct percent of the others; the caller is rung over `trunk` delayMs after the close,
    // never in the quiet hours (local time; from = to: none), and asked three scores by DTMF.
    followUp: Type.Object(
      {
        enabled: Type.Boolean({ description: 'true or false' }),
        // How a call's caller is asked (src/followup/channel.ts): 'voice', or 'sms' through the SMS
        // gateway (texts.*; a text report is always asked by SMS, and not at all without the gateway).
        channel: Type.Union([Type.Literal('voice'), Type.Literal('sms')], { description: "'voice' or 'sms'" }),
        // An SMS follow-up waits this long for the reply before the attempt counts as not reached.
        smsReplyWaitMs: Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3600 * 1000, description: 'milliseconds, 1000 to a week' }),
        delayMs: Millis,
        quietHours: Type.Object(
          {
            from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24-hour local time, e.g. 22:00' }),
            to: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24-hour local time, e.g. 08:00' }),
          },
          { additionalProperties: false },
        ),
        sharePct: Type.Integer({ minimum: 0, maximum: 100, description: 'a percentage, 0-100' }),
        trunk: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'a PJSIP endpoint name (the callback trunk)' }),
        ringMs: Type.Integer({ minimum: 1000, maximum: 120000, description: 'milliseconds, 1000-120000' }),
        retries: Type.Integer({ minimum: 0, maximum: 10, description: 'an integer 0-10' }),
        retryGapMs: Type.Integer({ minimum: 1000, description: 'milliseconds, at least 1000' }),
        keyTimeoutMs: Type.Integer({ minimum: 1000, maximum: 60000, description: 'milliseconds, 1000-60000' }),
        maxReplays: Type.Integer({ minimum: 0, maximum: 5, description: 'an integer 0-5' }),
        maxConcurrent: Type.Integer({ minimum: 1, maximum: 50, description: 'an integer 1-50' }),
        pollMs: Type.Integer({ minimum: 100, maximum: 600000, description: 'milliseconds, 100-600000' }),
        // The prompts' folder in Asterisk's sounds (scripts/make-prompts.sh puts them there).
        prompts: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'a folder name in Asterisk\'s sounds, e.g. cti110-followup' }),
      },
      { additionalProperties: false },
    ),
    // Text reports to 12110 (src/texts/, docs/sms-gateway.md): the carrier's SMS gateway posts
    // inbound texts to POST /texts/inbound signed with `secret`; replies go to `sendUrl` through the
    // durable outbox. Their priority class in the queue is queue.priorities.sms.
    texts: Type.Object(
      {
        secret: Type.String({ pattern: '^(|.{16,256})$', description: "the gateway's shared HMAC-SHA256 secret, 16-256 characters, or '' to turn text reports off" }),
        sendUrl: Type.String({ pattern: '^(|https?://\\S+)$', description: "'' or the gateway's http(s) send URL" }),
        // The number texts are sent from and to (the gateway's own checks; ours are not by it).
        serviceNumber: Type.String({ pattern: '^[0-9]{3,20}$', description: 'a service number: 3-20 digits, e.g. 12110' }),
        // A seat may hold one text beside one voice call; false: a text occupies the seat as a call does.
        withVoiceCall: Type.Boolean({ description: 'true or false' }),
        // The console's one-click replies, in the order shown.
        quickReplies: Type.Array(Type.String({ minLength: 1, maxLength: 500, description: 'a reply of 1-500 characters' }), { maxItems: 20, description: 'a list of at most 20 replies' }),
        // Sent by the console's "request location" action; {incident} becomes the incident number.
        locationRequest: Type.String({ minLength: 1, maxLength: 500, description: 'a text of 1-500 characters' }),
      },
      { additionalProperties: false },
    ),
    monitoring: Type.Object(
      {
        // Supervisors' own SIP phones (config/asterisk/pjsip.conf, 3001...): rung to listen in.
        supervisors: Type.Array(
          Type.Object(
            {
              id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'a supervisor id: 1-32 letters, digits, _ or -' }),
              endpoint: Type.String({ pattern: '^PJSIP/[A-Za-z0-9_.-]{1,64}$', description: 'a PJSIP endpoint, e.g. PJSIP/3001' }),
            },
            { additionalProperties: false },
          ),
          { maxItems: 500, description: 'a list of supervisors' },
        ),
        // How long the supervisor's phone rings before the monitoring is given up.
        answerMs: Type.Integer({ minimum: 1000, description: 'milliseconds, at least 1000' }),
        // Instant recall: how far back the call-taker can re-hear the call in progress.
        recallSeconds: Type.Integer({ minimum: 5, maximum: 600, description: 'seconds, 5-600' }),
        // The rolling recall recording starts a new file this often (bounds its size; two are kept).
        recallSegmentMs: Type.Integer({ minimum: 10000, description: 'milliseconds, at least 10000' }),
      },
      { additionalProperties: false },
    ),
    auth: Type.Object(
      {
        // false only on a lab bench or in tests: every request then acts as an admin.
        enabled: Type.Boolean({ description: 'true or false' }),
        // A session lasts a shift; signing in again is cheap, a token left on a shared desk is not.
        sessionTtlMs: Type.Integer({ minimum: 60000, description: 'milliseconds, at least 60000' }),
        // Failed sign-ins per user name from one address within failureWindowMs before 429 (per
        // address for all names: 4 times as many); per name from all addresses: maxFailuresPerName,
        // which never holds a name at an address it signed in from before.
        maxFailures: Type.Integer({ minimum: 1, maximum: 100, description: 'an integer 1-100' }),
        maxFailuresPerName: Type.Integer({ minimum: 1, maximum: 10000, description: 'an integer 1-10000' }),
        // Live-event sockets (GET /events) one user may hold; one more closes that user's oldest.
        maxLiveSockets: Type.Integer({ minimum: 1, maximum: 100, description: 'an integer 1-100' }),
        // Origins besides the service's own (same host and port) whose pages may open GET /events,
        // e.g. "https://cti110.example" behind a proxy that rewrites Host.
        allowedOrigins: Type.Array(Type.String({ minLength: 1 }), { maxItems: 50 }),
        failureWindowMs: Type.Integer({ minimum: 1000, description: 'milliseconds, at least 1000' }),
        // Set the session cookie's Secure flag: true behind TLS (the browser then sends it over https only).
        secureCookie: Type.Boolean({ description: 'true or false' }),
      },
      { additionalProperties: false },
    ),
    // Prometheus scrapes /metrics with `Authorization: Bearer <token>`; '' = signed-in supervisors only.
    metrics: Type.Object({ token: Type.String({ description: 'a bearer token for /metrics, or empty' }) }, { additionalProperties: false }),
    // The audit chain (src/audit/): its Ed25519 key signs the daily anchors and incident exports.
    audit: Type.Object(
      {
        // The private key file, made on first start (mode 600); '' = audit-ed25519.pem beside store.path.
        // Several nodes on one PostgreSQL store: give them the same file.
        keyFile: Type.String({ description: "a file path, or '' for the file beside store.path" }),
        // How often the service looks whether the day has turned and the chain wants its anchor.
        anchorCheckMs: Type.Integer({ minimum: 1000, description: 'milliseconds, at least 1000' }),
      },
      { additionalProperties: false },
    ),
    // SQLite at `path` (one node), or PostgreSQL at `url` when set (the shared store of several nodes).
    store: Type.Object(
      {
        path: NonEmpty,
        url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://[^\\s]+$', description: 'a postgres:// URL (postgres://user:password@host:port/database)' })),
        poolSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'connections to PostgreSQL, 1 to 100' })),
      },
      { additionalProperties: false },
    ),
    // An active and a standby service on one PostgreSQL store (src/cluster/): the active holds a
    // lease it renews every renewMs; the standby takes over once leaseTtlMs passes without renewal.
    // Not used with SQLite (one node, always active).
    cluster: Type.Object(
      {
        leaseTtlMs: Type.Integer({ minimum: 500, maximum: 60000, description: 'milliseconds, 500-60000' }),
        renewMs: Type.Integer({ minimum: 100, maximum: 30000, description: 'milliseconds, 100-30000' }),
      },
      { additionalProperties: false },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { description: 'one of fatal, error, warn, info, debug, trace, silent' },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

export const DEFAULTS: Config = {
  http: { host: '127.0.0.1', port: 8110 },
  ari: {
    url: 'http://127.0.0.1:8088',
    user: 'cti110',
    password: 'cti110-dev-secret',
    app: 'cti110',
    reconnectMinMs: 250,
    reconnectMaxMs: 5000,
    keepaliveIntervalMs: 5000,
    keepaliveTimeoutMs: 10000,
    requestTimeoutMs: 5000,
    maxConnections: 8,
    retryDelaysMs: [100, 400, 1000],
    recordingsDir: '',
  },
  ami: {
    host: '127.0.0.1',
    port: 5038,
    user: 'cti110',
    secret: 'cti110-dev-secret',
    reconnectMinMs: 250,
    reconnectMaxMs: 5000,
    keepaliveIntervalMs: 5000,
  },
  seats: [],
  webrtc: { wsUrl: '' },
  queue: { ringNoAnswerMs: 2000, wrapUpMs: 0, overflowAfterMs: 0, overflowEndpoint: '', priorities: { from12345: 0, callback: 0, '110': 10, sms: 20 }, callbackTrunk: 'trunk110', defaultDelivery: 'ring' },
  recording: { storageDir: 'var/recordings', requireSupervisor: false, retentionDays: 0, minFreeMb: 1024 },
  spotCheck: { sampleSize: 10 },
  dispatch: {
    gridDir: 'config/grid',
    maxPositionAgeMs: 120000,
    answerMs: 15000,
    officersToTry: 2,
    trunk: 'trunk110',
    lookupUrl: '',
    lookupTimeoutMs: 1500,
    unitWebhooks: {},
    fraudCategories: ['telecom_fraud'],
    fraudEndpoint: '',
    majorCategories: ['murder', 'robbery', 'kidnapping', 'explosion'],
  },
  transfer: {
    categories: {
      car_moving: '12345',
      utilities: '12345',
      door_opening: '12345',
      consumer_dispute: '12345',
      labour_dispute: '12345',
      administrative_violation: '12345',
      government_services: '12345',
      unclear_jurisdiction: 'police',
      crime: 'police',
      traffic_accident: 'police',
      telecom_fraud: 'police',
      murder: 'police',
      robbery: 'police',
      kidnapping: 'police',
      explosion: 'police',
    },
    endpoint: 'PJSIP/12345@trunk12345',
    answerMs: 20000,
    handoverUrl: '',
    handoverToken: '',
  },
  interpreting: {
    // The sandbox's interpreter phones (config/asterisk/pjsip.conf, 2501...).
    languages: { en: ['PJSIP/2501', 'PJSIP/2502'], ru: ['PJSIP/2503'] },
    answerMs: 15000,
  },
  followUp: {
    enabled: true,
    channel: 'voice',
    smsReplyWaitMs: 2 * 3600 * 1000,
    delayMs: 30 * 60_000,
    quietHours: { from: '22:00', to: '08:00' },
    sharePct: 10,
    trunk: 'trunk110',
    ringMs: 30000,
    retries: 2,
    retryGapMs: 30 * 60_000,
    keyTimeoutMs: 8000,
    maxReplays: 2,
    maxConcurrent: 2,
    pollMs: 30000,
    prompts: 'cti110-followup',
  },
  texts: {
    secret: '',
    sendUrl: '',
    serviceNumber: '12110',
    withVoiceCall: false,
    quickReplies: ['110已收到您的短信，请保持手机畅通，民警正在处理。', '请问您现在是否安全？方便接听电话吗？', '请描述发生了什么事情、有几个人、有没有人受伤。', '请不要回复可能被他人看到的内容，注意自身安全。'],
    locationRequest: '110已收到您的报警短信（警情编号{incident}）。请回复您所在的详细位置：区、街道、门牌号或附近的路灯杆编码、明显建筑物。',
  },
  monitoring: {
    supervisors: [
      { id: '3001', endpoint: 'PJSIP/3001' },
      { id: '3002', endpoint: 'PJSIP/3002' },
    ],
    answerMs: 30000,
    recallSeconds: 60,
    recallSegmentMs: 300000,
  },
  auth: { enabled: true, sessionTtlMs: 12 * 3600 * 1000, maxFailures: 5, maxFailuresPerName: 50, maxLiveSockets: 5, allowedOrigins: [], failureWindowMs: 15 * 60 * 1000, secureCookie: false },
  metrics: { token: '' },
  audit: { keyFile: '', anchorCheckMs: 60_000 },
  store: { path: 'var/cti110.sqlite' },
  cluster: { leaseTtlMs: 5000, renewMs: 1000 },
  log: { level: 'info' },
};

/** Environment variables that override one key each (secrets and addresses). */
export const ENV_OVERRIDES: Record<string, { path: string; kind: 'string' | 'integer' | 'boolean' | 'nodes' }> = {
  CTI110_HTTP_HOST: { path: 'http.host', kind: 'string' },
  CTI110_HTTP_PORT: { path: 'http.port', kind: 'integer' },
  CTI110_ARI_URL: { path: 'ari.url', kind: 'string' },
  // "A=http://10.0.0.1:8088 B=http://10.0.0.2:8088": every node, by name (ari.nodes).
  CTI110_ARI_NODES: { path: 'ari.nodes', kind: 'nodes' },
  CTI110_ARI_USER: { path: 'ari.user', kind: 'string' },
  CTI110_ARI_PASSWORD: { path: 'ari.password', kind: 'string' },
  CTI110_ARI_APP: { path: 'ari.app', kind: 'string' },
  CTI110_ARI_RECORDINGS_DIR: { path: 'ari.recordingsDir', kind: 'string' },
  CTI110_WEBRTC_WS_URL: { path: 'webrtc.wsUrl', kind: 'string' },
  CTI110_AMI_HOST: { path: 'ami.host', kind: 'string' },
  CTI110_AMI_PORT: { path: 'ami.port', kind: 'integer' },
  CTI110_AMI_USER: { path: 'ami.user', kind: 'string' },
  CTI110_AMI_SECRET: { path: 'ami.secret', kind: 'string' },
  CTI110_DB_PATH: { path: 'store.path', kind: 'string' },
  CTI110_DB_URL: { path: 'store.url', kind: 'string' },
  CTI110_HANDOVER_URL: { path: 'transfer.handoverUrl', kind: 'string' },
  CTI110_HANDOVER_TOKEN: { path: 'transfer.handoverToken', kind: 'string' },
  CTI110_GRID_DIR: { path: 'dispatch.gridDir', kind: 'string' },
  CTI110_LOCATION_LOOKUP_URL: { path: 'dispatch.lookupUrl', kind: 'string' },
  CTI110_RECORDINGS_DIR: { path: 'recording.storageDir', kind: 'string' },
  CTI110_LOG_LEVEL: { path: 'log.level', kind: 'string' },
  CTI110_AUTH_ENABLED: { path: 'auth.enabled', kind: 'boolean' },
  // true behind TLS (the Docker image's default): the browser then sends the session over https only.
  CTI110_SECURE_COOKIE: { path: 'auth.secureCookie', kind: 'boolean' },
  CTI110_METRICS_TOKEN: { path: 'metrics.token', kind: 'string' },
  CTI110_AUDIT_KEY_FILE: { path: 'audit.keyFile', kind: 'string' },
  CTI110_TEXTS_SECRET: { path: 'texts.secret', kind: 'string' },
  CTI110_TEXTS_SEND_URL: { path: 'texts.sendUrl', kind: 'string' },
};
