// Owns the link to Asterisk's ARI: the REST client (a bounded keep-alive pool, ari-rest.ts) and the
// event websocket.
//
// ari-client's own websocket handling gives up after ~10 reconnects and never notices a half-open
// socket, so the event stream is ours: reconnect forever with capped backoff, ping/pong keepalive,
// and an 'up' event on every (re)connect so the call logic can re-attach to its calls.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { parseAriEvent, isKnownEvent, KNOWN_EVENT_TYPES, type AriEvent } from './ari-events';
import { AriRest } from './ari-rest';

export interface AriSettings {
  url: string;
  user: string;
  password: string;
  app: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  keepaliveIntervalMs: number;
  keepaliveTimeoutMs: number;
  requestTimeoutMs: number;
  /** Keep-alive connections to Asterisk's HTTP server for REST requests (see ari-rest.ts). */
  maxConnections: number;
}

/** Told the duration and outcome of every REST request (the /metrics histogram). */
export type RequestObserver = (operation: string, outcome: string, seconds: number) => void;

export interface AriConnectionEvents {
  up: [];
  down: [reason: string];
  event: [AriEvent];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export class AriConnection extends EventEmitter<AriConnectionEvents> {
  readonly rest: AriRest;
  private observer: RequestObserver = () => undefined;
  private acting: () => boolean = () => true;
  private socket: WebSocket | undefined;
  private connected = false;
  private connectedSince: number | undefined;
  private attempts = 0;
  private replaced = false;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  /** Events received since start, by type (for /metrics: what Asterisk still sends us). */
  readonly eventsReceived = new Map<string, number>();

  constructor(
    private readonly settings: AriSettings,
    private readonly log: Logger,
  ) {
    super();
    this.rest = new AriRest({ ...settings, maxConnections: settings.maxConnections });
  }

  /**
   * Asked before each event is handled and each request is sent (src/cluster/lease.ts): false
   * (this service lost its lease, and has fenced itself) drops the event, refuses the request.
   */
  guardWith(acting: () => boolean): void {
    this.acting = acting;
    this.rest.guardWith(acting);
  }

  observeRequests(observer: RequestObserver): void {
    this.observer = observer;
  }

  observeRequest(operation: string, outcome: string, seconds: number): void {
    this.observer(operation, outcome, seconds);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.socket?.terminate();
    await this.loop;
    this.rest.close();
  }

  get isUp(): boolean {
    return this.connected;
  }

  status(): { up: boolean; since?: number; attempts: number } {
    return { up: this.connected, since: this.connectedSince, attempts: this.attempts };
  }

  private async run(): Promise<void> {
    const { reconnectMinMs, reconnectMaxMs } = this.settings;
    let delay = reconnectMinMs;
    while (!this.stopping.signal.aborted) {
      this.attempts += 1;
      let reason = 'unknown';
      try {
        // A REST answer first (wrong credentials say so here, clearly), then the event socket;
        // the pool is warmed before 'up' so the calls re-attached then find their connections open.
        await this.rest.json('GET', '/asterisk/ping');
        const socket = await this.openSocket();
        await this.filterEvents();
        await this.rest.warm();
        delay = reconnectMinMs;
        this.markUp();
        reason = await this.untilClosed(socket);
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
      this.markDown(reason);
      if (this.stopping.signal.aborted) break;
      if (this.replaced) {
        this.replaced = false;
        delay = reconnectMaxMs;
        reason = 'ApplicationReplaced';
      }
      this.log.warn({ attempt: this.attempts, retryInMs: delay, reason }, 'ARI unreachable, retrying');
      await sleep(delay, this.stopping.signal);
      delay = Math.min(reconnectMaxMs, Math.max(1, delay * 2));
    }
  }

  /**
   * Asks Asterisk to send only the events we act on. Every other one (ChannelVarset for each Set()
   * of the dialplan, ChannelDialplan for each step, caller-id and connected-line updates...) was
   * turned into JSON, written to the socket and parsed here for nothing; worse, the app's events
   * leave Asterisk one by one, so a caller's StasisStart waited behind ~20 of them (issue #15).
   * An Asterisk without event filters (before 16.x) still works, with every event.
   */
  private async filterEvents(): Promise<void> {
    const allowed = KNOWN_EVENT_TYPES.map((type) => ({ type }));
    try {
      await this.rest.json('PUT', `/applications/${encodeURIComponent(this.settings.app)}/eventFilter`, {}, { allowed, disallowed: [] });
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ARI event filter refused: every event will be sent');
    }
  }

  private openSocket(): Promise<WebSocket> {
    const base = new URL(this.settings.url);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    base.pathname = `${base.pathname.replace(/\/$/, '')}/ari/events`;
    base.search = new URLSearchParams({ app: this.settings.app, subscribeAll: 'false' }).toString();
    // Credentials go in a header, not in the URL, so they never appear in a logged URL.
    const auth = Buffer.from(`${this.settings.user}:${this.settings.password}`).toString('base64');
    const socket = new WebSocket(base.toString(), {
      headers: { Authorization: `Basic ${auth}` },
      handshakeTimeout: this.settings.requestTimeoutMs,
    });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => {
        socket.terminate();
        reject(new Error(`ARI websocket refused: HTTP ${res.statusCode}`));
      });
    });
  }

  /** Resolves with the reason once the socket closes or stops answering pings. */
  private untilClosed(socket: WebSocket): Promise<string> {
    return new Promise((resolve) => {
      let lastPong = Date.now();
      let reason = 'closed';
      socket.on('pong', () => (lastPong = Date.now()));
      socket.on('message', (data) => this.onMessage(data.toString()));
      socket.on('error', (err) => (reason = err.message));
      const keepalive = setInterval(() => {
        if (!this.acting()) return; // a service resumed after a pause: fenced, not "link lost"
        if (Date.now() - lastPong > this.settings.keepaliveTimeoutMs) {
          reason = `no pong for ${this.settings.keepaliveTimeoutMs} ms`;
          socket.terminate(); // close() would wait for a peer that is not there
          return;
        }
        socket.ping();
      }, this.settings.keepaliveIntervalMs);
      socket.once('close', (code) => {
        clearInterval(keepalive);
        resolve(`${reason} (code ${code})`);
      });
    });
  }

  private onMessage(text: string): void {
    if (!this.acting()) return;
    const event = parseAriEvent(text);
    if (!event) {
      this.log.warn({ message: text.slice(0, 200) }, 'unparseable ARI message ignored');
      return;
    }
    this.eventsReceived.set(event.type, (this.eventsReceived.get(event.type) ?? 0) + 1);
    if (!isKnownEvent(event)) return;
    if (event.type === 'ApplicationReplaced') {
      // Another process registered the same Stasis app: calls now go there, not here.
      // Drop the link and come back after the longest backoff, so that two instances fighting over
      // one app name are loud in both logs but do not spin.
      this.log.error({ app: this.settings.app }, 'ApplicationReplaced: another instance took the Stasis app; calls no longer reach this service');
      this.replaced = true;
      this.socket?.terminate();
      return;
    }
    this.emit('event', event);
  }

  private markUp(): void {
    this.connected = true;
    this.connectedSince = Date.now();
    this.log.info({ app: this.settings.app, attempts: this.attempts }, 'ARI connected');
    this.emit('up');
  }

  private markDown(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.connectedSince = undefined;
    if (this.stopping.signal.aborted) this.log.info('ARI connection closed');
    else this.log.error({ reason }, 'ARI connection lost');
    this.emit('down', reason);
  }

}
