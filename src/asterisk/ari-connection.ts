// Owns the link to Asterisk's ARI: the REST client (ari-client) and the event websocket.
//
// ari-client's own websocket handling gives up after ~10 reconnects and never notices a half-open
// socket, so the event stream is ours: reconnect forever with capped backoff, ping/pong keepalive,
// and an 'up' event on every (re)connect so the call logic can re-attach to its calls.
import { EventEmitter } from 'node:events';
import ari from 'ari-client';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { parseAriEvent, isKnownEvent, type AriEvent } from './ari-events';

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
}

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
  private rest: ari.Client | undefined;
  private socket: WebSocket | undefined;
  private connected = false;
  private connectedSince: number | undefined;
  private attempts = 0;
  private replaced = false;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly settings: AriSettings,
    private readonly log: Logger,
  ) {
    super();
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.socket?.terminate();
    await this.loop;
  }

  get isUp(): boolean {
    return this.connected;
  }

  status(): { up: boolean; since?: number; attempts: number } {
    return { up: this.connected, since: this.connectedSince, attempts: this.attempts };
  }

  /** The REST client; throws if ARI has never been reached (callers translate to AsteriskUnavailable). */
  client(): ari.Client {
    if (!this.rest) throw new Error('ARI REST client not loaded yet');
    return this.rest;
  }

  private async run(): Promise<void> {
    const { reconnectMinMs, reconnectMaxMs } = this.settings;
    let delay = reconnectMinMs;
    while (!this.stopping.signal.aborted) {
      this.attempts += 1;
      let reason = 'unknown';
      try {
        // The REST description is loaded once; Asterisk restarting does not change it.
        this.rest ??= await this.withTimeout(ari.connect(this.settings.url, this.settings.user, this.settings.password), 'loading ARI');
        const socket = await this.openSocket();
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
    const event = parseAriEvent(text);
    if (!event) {
      this.log.warn({ message: text.slice(0, 200) }, 'unparseable ARI message ignored');
      return;
    }
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

  /**
   * GET a binary ARI resource (a stored recording's file). ari-client's Swagger layer mangles
   * binary bodies, so this one request goes over plain fetch, with the same credentials.
   */
  async fetchBinary(path: string, timeoutMs: number): Promise<{ status: number; body: Buffer }> {
    const url = new URL(`${this.settings.url.replace(/\/$/, '')}/ari${path}`);
    const auth = Buffer.from(`${this.settings.user}:${this.settings.password}`).toString('base64');
    const res = await fetch(url, { headers: { Authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  }

  async withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${this.settings.requestTimeoutMs} ms`)), this.settings.requestTimeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
