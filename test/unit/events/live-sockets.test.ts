// GET /events, the live-events WebSocket: refused before the upgrade without a session; and
// (issue 14 M2) it lives no longer than its session (sign-out, expiry, a changed role), opens only
// for our own pages' Origin (or one configured), and one user holds at most a few of them.
import t, { type Test } from 'tap';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import pino from 'pino';
import WebSocket from 'ws';
import { EventEmitter } from 'node:events';
import { EventHub } from '../../../src/events/hub';
import type { Seats } from '../../../src/queue/seats';
import type { Incidents } from '../../../src/incidents/incidents';
import { Database } from '../../../src/store/database';
import { UsersRepo } from '../../../src/store/users-repo';
import { AuthService } from '../../../src/auth/auth-service';
import { installErrorHandler } from '../../../src/http/errors';
import { installAuthGuard } from '../../../src/http/auth-guard';
import { authRoutes } from '../../../src/http/routes/auth';
import { eventRoutes } from '../../../src/http/routes/events';

async function serve(t: Test, opts: { sessionTtlMs?: number; maxPerUser?: number } = {}) {
  const db = await Database.open(':memory:');
  const auth = new AuthService(new UsersRepo(db), { sessionTtlMs: opts.sessionTtlMs ?? 3_600_000, maxFailures: 5, windowMs: 900_000 }, pino({ level: 'silent' }));
  await auth.addUser({ name: 'li', role: 'call-taker', seat: '1001', password: 'li-password-1' });
  const seats = Object.assign(new EventEmitter(), { all: () => [] }) as unknown as Seats;
  const incidents = Object.assign(new EventEmitter(), { findById: async () => undefined }) as unknown as Incidents;
  const hub = new EventHub({ seats, incidents, queue: () => ({ waiting: [], seats: [] }) }, { majorCategories: [], tickMs: 10_000 }, pino({ level: 'silent' }));
  const app = Fastify({ logger: false });
  installErrorHandler(app);
  await app.register(cookie);
  await app.register(websocket);
  installAuthGuard(app, { enabled: true, auth });
  authRoutes(app, { auth, secureCookie: false });
  eventRoutes(app, { hub, auth, signInEnabled: true, live: { maxPerUser: opts.maxPerUser ?? 5, recheckMs: 200, allowedOrigins: ['https://wallboard.example'] } });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    hub.stop();
    await app.close();
    await auth.close();
    await db.close();
  });
  const signIn = async () => ((await (await fetch(url + '/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'li', password: 'li-password-1' }) })).json()) as { token: string }).token;
  return { url, auth, signIn };
}

/** Opens /events; `closed` resolves with the close code (or 'still open' after waitMs). */
function open(url: string, token: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url.replace('http', 'ws') + '/events', { headers: { cookie: `cti110_session=${token}`, ...headers } });
  const status = new Promise<number>((resolve) => {
    ws.on('open', () => resolve(101));
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.on('error', () => undefined);
  });
  let code: number | undefined;
  ws.on('close', (c) => (code = c));
  const closed = async (waitMs: number) => {
    const until = Date.now() + waitMs;
    while (code === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return code ?? 'still open';
  };
  return { ws, status, closed, stop: () => ws.terminate() };
}

t.test('GET /events: 401 without a session; a signed-in screen gets the stream', async (t) => {
  const { url, signIn } = await serve(t); // app.close() in teardown hangs if a refused upgrade left its socket open
  const refused = open(url, 'not-a-token');
  t.equal(await refused.status, 401, 'no session: refused before the upgrade');
  const s = open(url, await signIn());
  t.teardown(s.stop);
  const first = await new Promise((resolve) => s.ws.once('message', (data) => resolve(JSON.parse(String(data)))));
  t.same(first, { type: 'hello', user: { name: 'li', role: 'call-taker', seat: '1001', officer: null } });
});

t.test('sign-out closes the live sockets of that session (4401), not the others', async (t) => {
  const { url, signIn } = await serve(t);
  const [a, b] = [await signIn(), await signIn()];
  const sa = open(url, a);
  const sb = open(url, b);
  t.teardown(() => [sa, sb].forEach((s) => s.stop()));
  t.same([await sa.status, await sb.status], [101, 101]);
  await new Promise((r) => setTimeout(r, 100));
  t.equal((await fetch(url + '/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${a}` } })).status, 204);
  t.equal(await sa.closed(3000), 4401, 'the signed-out session stops streaming at once');
  t.equal(await sb.closed(500), 'still open', "the user's other session keeps its screen");
});

t.test('an expired session closes its socket', async (t) => {
  const { url, signIn } = await serve(t, { sessionTtlMs: 1500 });
  const s = open(url, await signIn());
  t.teardown(s.stop);
  t.equal(await s.status, 101);
  t.equal(await s.closed(5000), 4401, 'closed when the session expired');
});

t.test('a changed role (which ends the sessions, also from another process) closes the socket', async (t) => {
  const { url, signIn, auth } = await serve(t);
  const s = open(url, await signIn());
  t.teardown(s.stop);
  t.equal(await s.status, 101);
  await auth.addUser({ name: 'li', role: 'supervisor', password: 'li-password-2' });
  t.equal(await s.closed(3000), 4401, 'closed within the recheck interval');
});

t.test('Origin: our own page or a configured one; a foreign one is refused before the upgrade', async (t) => {
  const { url, signIn } = await serve(t);
  const token = await signIn();
  const tries = { own: url, configured: 'https://wallboard.example', foreign: 'https://evil.example', null: 'null', sameHostOtherPort: url.replace(/:(\d+)$/, ':1') };
  const got: Record<string, number> = {};
  for (const [what, origin] of Object.entries(tries)) {
    const s = open(url, token, { origin });
    got[what] = await s.status;
    s.stop();
  }
  t.same(got, { own: 101, configured: 101, foreign: 403, null: 403, sameHostOtherPort: 403 });
});

t.test('at most maxPerUser sockets per user: one more closes the oldest (4008)', async (t) => {
  const { url, signIn } = await serve(t, { maxPerUser: 2 });
  const token = await signIn();
  const socks = [];
  for (let i = 0; i < 3; i++) {
    const s = open(url, i === 2 ? await signIn() : token);
    t.teardown(s.stop);
    t.equal(await s.status, 101);
    socks.push(s);
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(await socks[0]!.closed(2000), 4008, 'the oldest is closed, with a code the page does not reconnect on');
  t.equal(await socks[1]!.closed(300), 'still open');
  t.equal(await socks[2]!.closed(300), 'still open', 'the newest, even from another session of the user, is kept');
});
