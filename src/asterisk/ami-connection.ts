// Owns the AMI link: reconnect forever, keepalive Ping, and actions with a timeout.
// AMI gives what ARI lacks: the dialplan as Asterisk reads it, and its reload (admin/dialplan.ts).
// Its user may send only what that needs (config/asterisk/manager.conf): no CLI command, no originate.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
// asterisk-manager ships no types; the little we use is typed below.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AsteriskManager = require('asterisk-manager') as AmiFactory;

type AmiMessage = Record<string, string | undefined>;

interface AmiClient {
  connect(port: number, host: string, onConnect?: () => void): void;
  login(callback: (err?: AmiMessage) => void): void;
  action(action: Record<string, string>, callback: (err: AmiMessage | undefined, res: AmiMessage) => void): string;
  disconnect(): void;
  isConnected(): boolean;
  on(event: string, listener: (...args: never[]) => void): void;
  removeAllListeners(): void;
}

type AmiFactory = (port: number | undefined, host: string, user: string, secret: string, events: boolean) => AmiClient;

export interface AmiSettings {
  host: string;
  port: number;
  user: string;
  secret: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  keepaliveIntervalMs: number;
}

export interface AmiConnectionEvents {
  up: [];
  down: [reason: string];
  event: [AmiMessage];
}

export class AmiUnavailable extends Error {
  readonly code = 'AMI_UNAVAILABLE';
  override readonly name = this.constructor.name;
}

export class AmiConnection extends EventEmitter<AmiConnectionEvents> {
  private client: AmiClient | undefined;
  private connected = false;
  private delay: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private stopped = false;
  /** AMI events received since start: should stay near 0 (events are turned off, see connect()). */
  eventsReceived = 0;
  private lists = 0;

  constructor(
    private readonly settings: AmiSettings,
    private readonly log: Logger,
  ) {
    super();
    this.delay = settings.reconnectMinMs;
  }

  get isUp(): boolean {
    return this.connected;
  }

  start(): void {
    if (!this.client && !this.stopped) this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.drop('stopped');
  }

  /** Runs one AMI action; rejects with AmiUnavailable when not connected or unanswered in time. */
  action(action: Record<string, string>, timeoutMs = 5000): Promise<AmiMessage> {
    const client = this.client;
    if (!client || !this.connected) return Promise.reject(new AmiUnavailable('AMI not connected'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new AmiUnavailable(`AMI ${action.action}: no answer in ${timeoutMs} ms`)), timeoutMs);
      client.action(action, (err, res) => {
        clearTimeout(timer);
        if (err) reject(new Error(`AMI ${action.action}: ${err.message ?? 'error'}`));
        else resolve(res);
      });
    });
  }

  /**
   * An action whose answer is a list of events (ShowDialPlan, ...): resolves with the items once
   * Asterisk says the list is complete. List answers come whatever the session's event mask.
   */
  list(action: Record<string, string>, timeoutMs = 5000): Promise<AmiMessage[]> {
    const actionid = `cti110-list-${++this.lists}`;
    const items: AmiMessage[] = [];
    return new Promise((resolve, reject) => {
      const onEvent = (e: AmiMessage) => {
        if (e.actionid !== actionid) return;
        if (e.eventlist?.toLowerCase() === 'complete') finish();
        else items.push(e);
      };
      const timer = setTimeout(() => finish(new AmiUnavailable(`AMI ${action.action}: list not complete in ${timeoutMs} ms`)), timeoutMs);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.off('event', onEvent);
        if (err) reject(err);
        else resolve(items);
      };
      this.on('event', onEvent);
      this.action({ ...action, actionid }, timeoutMs).catch(finish);
    });
  }

  private connect(): void {
    const { host, port, user, secret } = this.settings;
    // port undefined: construct without connecting, so every listener is in place first.
    // Events off: nothing here listens to them, and parsing every channel's AMI events cost about
    // a quarter of the service's CPU under load (scripts/bench). asterisk-manager's log-in sends
    // "Event: off", which Asterisk does not read (its header is "Events"), so an `Events` action
    // with EventMask off follows the log-in; eventsReceived (on /metrics) shows that it holds.
    const client = AsteriskManager(undefined, host, user, secret, false);
    this.client = client;
    client.on('error', (err: Error) => this.log.debug({ err: err.message }, 'AMI socket error'));
    client.on('close', () => this.onLost('closed'));
    client.on('managerevent', (event: AmiMessage) => {
      this.eventsReceived += 1;
      this.emit('event', event);
    });
    client.connect(port, host, () =>
      client.login((err) => {
        if (client !== this.client) return;
        if (err) return this.onLost(`login refused: ${err.message ?? 'bad credentials'}`);
        this.connected = true;
        this.action({ action: 'Events', eventmask: 'off' }).catch((e: Error) => this.log.warn({ err: e.message }, 'AMI events could not be turned off'));
        this.delay = this.settings.reconnectMinMs;
        this.log.info({ host, port }, 'AMI connected');
        this.emit('up');
        this.keepalive = setInterval(() => this.ping(), this.settings.keepaliveIntervalMs);
      }),
    );
  }

  private ping(): void {
    this.action({ action: 'Ping' }, this.settings.keepaliveIntervalMs).catch((err: Error) => this.onLost(`keepalive: ${err.message}`));
  }

  private onLost(reason: string): void {
    if (!this.client) return;
    this.drop(reason);
    if (this.stopped) return;
    this.log.warn({ reason, retryInMs: this.delay }, 'AMI unreachable, retrying');
    this.retryTimer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.settings.reconnectMaxMs, Math.max(1, this.delay * 2));
  }

  private drop(reason: string): void {
    clearInterval(this.keepalive);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined); // a late socket error must not crash the process
      client.disconnect();
    }
    if (this.connected) {
      this.connected = false;
      if (this.stopped) this.log.info('AMI connection closed');
      else this.log.error({ reason }, 'AMI connection lost');
      this.emit('down', reason);
    }
  }
}
