// The demo's people use the service's REST API as the console and the officers' terminals do:
// each signs in with its own demo user (scripts/run.sh adds them: <name>-password) and acts
// only on what that user owns.

export interface Reply<T> {
  status: number;
  body: T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Session {
  constructor(
    readonly name: string,
    private readonly base: string,
    private readonly token: string | undefined,
  ) {}

  get<T = unknown>(path: string): Promise<Reply<T>> {
    return this.send<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<Reply<T>> {
    return this.send<T>('POST', path, body);
  }

  put<T = unknown>(path: string, body: unknown): Promise<Reply<T>> {
    return this.send<T>('PUT', path, body);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (a proxy's error page): kept as text for the log line
    }
    return { status: res.status, body: parsed as T };
  }
}

/**
 * Signs `name` in, waiting out a busy or throttled sign-in (503/429 with Retry-After: the
 * service protects its password hasher). With sign-in off (CTI110_AUTH_ENABLED=false), a
 * session without a token does the same.
 */
export async function signIn(base: string, name: string, password: string): Promise<Session> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }), signal: AbortSignal.timeout(10000) });
    const body = (await res.json().catch(() => ({}))) as { token?: string; message?: string };
    if (res.status === 200 && body.token) return new Session(name, base, body.token);
    if ((res.status === 503 || res.status === 429) && attempt < 10) {
      await sleep(Math.min(10, Number(res.headers.get('retry-after') ?? 1)) * 1000);
      continue;
    }
    const me = await new Session(name, base, undefined).get<{ name?: string }>('/auth/me');
    if (me.status === 200 && me.body.name === 'sign-in off') return new Session(name, base, undefined);
    throw new Error(`sign-in as ${name} refused (${res.status} ${body.message ?? ''}): is the demo user there (scripts/run.sh adds it)?`);
  }
}

/** Waits until the service answers /health (it starts beside the demo under `npm run demo`). */
export async function serviceUp(base: string, timeoutMs: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!stopped()) {
    try {
      if ((await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the service at ${base} did not become healthy within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}
