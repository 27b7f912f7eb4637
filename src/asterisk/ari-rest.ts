// ARI's REST side over a bounded pool of warm keep-alive connections.
//
// Why not ari-client's REST layer: its swagger client sends every request through Node's global
// agent, which opens a new connection for each request in flight, without limit. Asterisk's HTTP
// server listens with a backlog of 10 and allows 100 sessions: under a surge (80 requests in
// flight) SYNs overflowed the backlog and waited 1, 3, 7 s for TCP's retry, requests passed their
// 5 s timeout and callers were lost (issue #15, reproduced on an idle sandbox). Here at most
// `maxConnections` sockets are open, kept alive and reused; requests beyond them wait in this
// process's queue (the agent's), where their wait is visible, not in the kernel's.
import http from 'node:http';
import https from 'node:https';

export interface AriRestSettings {
  url: string;
  user: string;
  password: string;
  requestTimeoutMs: number;
  maxConnections: number;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** Asterisk answered with an HTTP error; `message` is ARI's own ({"message": "Channel not found"}). */
export class AriHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** No answer within the request timeout (counted from the request, its wait for a socket included). */
export class AriTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

export interface AriResponse {
  status: number;
  body: Buffer;
}

export class AriRest {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly auth: string;
  private inFlight = 0;

  constructor(private readonly settings: AriRestSettings) {
    this.base = new URL(settings.url);
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    // Asterisk closes an idle session after 15 s (http.conf session_keep_alive): ours close first,
    // so a request is never written into a socket the server is closing.
    this.agent = new Agent({ keepAlive: true, maxSockets: settings.maxConnections, maxFreeSockets: settings.maxConnections, timeout: 10000, scheduling: 'fifo' });
    this.auth = `Basic ${Buffer.from(`${settings.user}:${settings.password}`).toString('base64')}`;
  }

  /** Requests sent and not yet answered, queued for a socket included (for /metrics). */
  get pending(): number {
    return this.inFlight;
  }

  /** JSON request; resolves with the parsed body (undefined for 204), rejects with AriHttpError/AriTimeout/network errors. */
  async json<T>(method: string, path: string, query: Query = {}, body?: unknown, timeoutMs = this.settings.requestTimeoutMs): Promise<T> {
    const res = await this.send(method, path, query, body, timeoutMs);
    if (res.status >= 400) throw new AriHttpError(res.status, errorMessage(res));
    if (res.body.length === 0) return undefined as T;
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  /** Raw response, any status (a stored recording's file). */
  async raw(method: string, path: string, timeoutMs: number): Promise<AriResponse> {
    return this.send(method, path, {}, undefined, timeoutMs);
  }

  /** Opens `count` connections now, so that the first calls of a surge find them ready. */
  async warm(count = this.settings.maxConnections): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.json('GET', '/asterisk/ping').catch(() => undefined)));
  }

  close(): void {
    this.agent.destroy();
  }

  private async send(method: string, path: string, query: Query, body: unknown, timeoutMs: number): Promise<AriResponse> {
    this.inFlight += 1;
    try {
      try {
        return await this.once(method, path, query, body, timeoutMs);
      } catch (err) {
        // A kept-alive socket the server closed just as we wrote into it: nothing reached
        // Asterisk, so sending again is safe (the pattern Node's documentation gives).
        if ((err as { reusedSocket?: boolean }).reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
          return await this.once(method, path, query, body, timeoutMs);
        }
        throw err;
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  private once(method: string, path: string, query: Query, body: unknown, timeoutMs: number): Promise<AriResponse> {
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}/ari${path}`, this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { Authorization: this.auth, Accept: 'application/json' };
    if (payload) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
    const transport = this.base.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new AriTimeout(`${method} ${path}: no answer in ${timeoutMs} ms`)), timeoutMs);
      function fail(err: Error): void {
        clearTimeout(timer);
        Object.assign(err, { reusedSocket: req.reusedSocket });
        reject(err);
      }
      req.on('error', fail);
      req.end(payload);
    });
  }
}

function errorMessage(res: AriResponse): string {
  const text = res.body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: Asterisk's own HTML error pages (401, 503)
  }
  return `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}
