// ARI's REST side over a bounded pool of warm keep-alive connections.
//
// Why not ari-client's REST layer: its swagger client sends every request through Node's global
// agent, which opens a new connection for each request in flight, without limit. Asterisk's HTTP
// server listens with a backlog of 10 and allows 100 sessions: under a surge (80 requests in
// flight) SYNs overflowed the backlog and waited 1, 3, 7 s for TCP's retry, requests passed their
// 5 s timeout and callers were lost (issue #15, reproduced on an idle sandbox). Here at most
// `maxConnections` sockets are open, kept alive and reused; requests beyond them wait in this
// process's queue (the pool's), where their wait is visible, not in the kernel's.
//
// The pool is undici's (Node's own fetch is built on it): measured against the sandbox Asterisk,
// 8 requests in flight, it costs about half the CPU per request of node:http's agent (0.08 vs
// 0.15 ms after warm-up; a call makes ~14 requests), and answers twice as many per second.
import { Pool, errors as undiciErrors } from 'undici';

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
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly auth: string;
  private inFlight = 0;
  private acting: () => boolean = () => true;

  constructor(private readonly settings: AriRestSettings) {
    const base = new URL(settings.url);
    this.prefix = `${base.pathname.replace(/\/$/, '')}/ari`;
    // Asterisk closes an idle session after 15 s (http.conf session_keep_alive): ours close first,
    // so a request is never written into a socket the server is closing.
    this.pool = new Pool(base.origin, { connections: settings.maxConnections, pipelining: 1, keepAliveTimeout: 10000, keepAliveMaxTimeout: 10000 });
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

  /** See AriConnection.guardWith: a request is not sent unless this says the service may act. */
  guardWith(acting: () => boolean): void {
    this.acting = acting;
  }

  close(): void {
    void this.pool.destroy().catch(() => undefined);
  }

  private async send(method: string, path: string, query: Query, body: unknown, timeoutMs: number): Promise<AriResponse> {
    if (!this.acting()) throw new Error(`${method} ${path}: not sent: this service no longer holds the lease`);
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
    const qs = search.toString();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: this.auth, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    // One deadline for the whole request, its wait for a free connection included.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    this.inFlight += 1;
    try {
      const res = await this.pool.request({ method: method as 'GET', path: `${this.prefix}${path}${qs ? `?${qs}` : ''}`, headers, body: payload, signal: abort.signal });
      return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
    } catch (err) {
      if (abort.signal.aborted) throw new AriTimeout(`${method} ${path}: no answer in ${timeoutMs} ms`);
      // undici's own network errors (socket closed, connect timeout...) say so by class, not errno.
      if (err instanceof undiciErrors.UndiciError) throw Object.assign(new Error(`${method} ${path}: ${err.message}`), { code: 'ECONNRESET' });
      throw err;
    } finally {
      clearTimeout(timer);
      this.inFlight -= 1;
    }
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
