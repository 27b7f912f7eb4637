// Durable outbox against a real local HTTP receiver: delivery with headers, retries with backoff
// while the receiver is down or failing, exactly one 2xx delivery, duplicate keys, restarts, timeouts.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import pino from 'pino';
import { Database } from '../../../src/store/database';
import { OUTBOX_MIGRATION, OutboxRepo } from '../../../src/store/outbox-repo';
import { Outbox, type OutboxSettings } from '../../../src/outbox/outbox';

// pollMs is long on purpose: anything delivered within a second was woken by enqueue or by the backoff clock.
const SETTINGS: OutboxSettings = { minBackoffMs: 20, maxBackoffMs: 80, timeoutMs: 200, pollMs: 5_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface Receipt {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number | 'none';
}

/** A local receiver whose behaviour can be switched: answer 200, answer 503, or never answer. */
class Receiver {
  readonly receipts: Receipt[] = [];
  mode: 'ok' | '503' | 'hang' = 'ok';
  port = 0;
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const status = this.mode === 'ok' ? 200 : this.mode === '503' ? 503 : 'none';
      this.receipts.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, body, status });
      if (status !== 'none') res.writeHead(status, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });

  /** Listens on `port` (0: any free one; the same one again to come back after close()). */
  async listen(port = this.port): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  delivered(): Receipt[] {
    return this.receipts.filter((r) => r.status === 200);
  }
}

interface Fixture {
  db: Database;
  receiver: Receiver;
  logs: Array<{ level: number; msg: string; [k: string]: unknown }>;
  outbox(settings?: Partial<OutboxSettings>): Outbox;
  /** Closes and reopens the database, as a restart would; earlier outboxes are stopped first. */
  restart(): Promise<void>;
}

async function openDb(path: string): Promise<Database> {
  const db = await Database.open(path);
  // Until the lead appends OUTBOX_MIGRATION to MIGRATIONS; afterwards this adds nothing.
  if (!(await db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"))) await db.exec(OUTBOX_MIGRATION);
  return db;
}

async function setup(t: Test): Promise<Fixture> {
  const path = `${t.testdir({})}/o.sqlite`;
  const receiver = new Receiver();
  await receiver.listen(0);
  const logs: Fixture['logs'] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const outboxes: Outbox[] = [];
  const fx: Fixture = {
    db: await openDb(path),
    receiver,
    logs,
    outbox: (settings = {}) => {
      const o = new Outbox(new OutboxRepo(fx.db), { ...SETTINGS, ...settings }, log);
      outboxes.push(o);
      return o;
    },
    restart: async () => {
      for (const o of outboxes) await o.stop();
      await fx.db.close();
      fx.db = await openDb(path);
    },
  };
  // One teardown, in this order: workers stop before the receiver and the database go away.
  t.teardown(async () => {
    for (const o of outboxes) await o.stop();
    await receiver.close();
    await fx.db.close();
  });
  return fx;
}

t.test('delivers at once on enqueue, as JSON with the key and the row headers', async (t) => {
  const fx = await setup(t);
  const outbox = fx.outbox();
  outbox.start();
  await sleep(30); // the worker is idle, asleep for pollMs: only enqueue can wake it in time
  const body = { incident: '20261123-000001', caller: '13800000001', summary: 'Verkehrsunfall' };
  const started = Date.now();
  const { created } = await outbox.enqueue({ kind: 'transfer12345', url: fx.receiver.url('/api/hand-over?x=1'), headers: { Authorization: 'Bearer t0k', 'X-Source': 'cti110' }, body, key: 'inc-1' });
  t.equal(created, true);
  await waitFor('delivery', () => fx.receiver.receipts.length === 1, 1_000);
  t.ok(Date.now() - started < 1_000, 'not left for the next poll');
  const [r] = fx.receiver.receipts;
  t.equal(r.path, '/api/hand-over?x=1');
  t.match(r.headers['content-type'], /^application\/json/);
  t.equal(r.headers['idempotency-key'], 'inc-1');
  t.equal(r.headers.authorization, 'Bearer t0k');
  t.equal(r.headers['x-source'], 'cti110');
  t.same(JSON.parse(r.body), body);
  await waitFor('delivered_at', async () => (await outbox.pending()) === 0);
  const [row] = await outbox.list(10);
  t.match(row, { kind: 'transfer12345', key: 'inc-1', attempts: 1, lastError: null });
  t.type(row.deliveredAt, 'number');
  t.notOk('headers' in row, 'status listing leaves out headers (credentials)');
});

t.test('receiver answering 503: retries with growing backoff, then exactly one delivery', async (t) => {
  const fx = await setup(t);
  fx.receiver.mode = '503';
  const outbox = fx.outbox();
  outbox.start();
  await outbox.enqueue({ kind: 'unit-webhook', url: fx.receiver.url(), body: { n: 1 }, key: 'w-1' });
  await waitFor('three failed attempts', () => fx.receiver.receipts.length >= 3);
  const [a, b, c] = fx.receiver.receipts;
  // Lower bounds only: timers can be late, never early. Backoff 20 ms, then 40 ms.
  t.ok(b.at - a.at >= 15, `first retry after ${b.at - a.at} ms`);
  t.ok(c.at - b.at >= 35, `second retry after ${c.at - b.at} ms`);
  const [row] = await outbox.list(1);
  t.ok(row.attempts >= 2);
  t.equal(row.lastError, 'HTTP 503');
  t.equal(row.deliveredAt, null);
  t.equal(await outbox.pending('unit-webhook'), 1);
  t.ok(fx.logs.some((l) => l.level === 40 && l.msg === 'outbox: delivery failed, will retry' && l.error === 'HTTP 503'), 'failure logged');

  fx.receiver.mode = 'ok';
  await waitFor('delivery', async () => (await outbox.pending()) === 0);
  await sleep(200); // margin: several max backoffs, in case anything were to go again
  t.equal(fx.receiver.delivered().length, 1, 'delivered exactly once');
  t.ok(fx.receiver.receipts.every((r) => r.headers['idempotency-key'] === 'w-1'), 'every attempt carried the same key');
});

t.test('receiver down (connection refused): kept and delivered once it is back', async (t) => {
  const fx = await setup(t);
  await fx.receiver.close();
  const outbox = fx.outbox();
  outbox.start();
  await outbox.enqueue({ kind: 'unit-webhook', url: fx.receiver.url(), body: { n: 2 }, key: 'w-2' });
  await waitFor('two failed attempts', async () => (await outbox.list(1))[0].attempts >= 2);
  const [row] = await outbox.list(1);
  t.match(row.lastError, /ECONNREFUSED|fetch failed/);
  t.equal(fx.receiver.receipts.length, 0);

  await fx.receiver.listen(); // same port
  await waitFor('delivery', async () => (await outbox.pending()) === 0);
  await sleep(200);
  t.equal(fx.receiver.receipts.length, 1, 'exactly one request reached the receiver');
  t.same(JSON.parse(fx.receiver.receipts[0].body), { n: 2 });
});

t.test('the same key twice is one row and one delivery; the first body wins', async (t) => {
  const fx = await setup(t);
  const outbox = fx.outbox();
  const first = await outbox.enqueue({ kind: 'transfer12345', url: fx.receiver.url(), body: { v: 'first' }, key: 'dup' });
  const second = await outbox.enqueue({ kind: 'transfer12345', url: fx.receiver.url(), body: { v: 'second' }, key: 'dup' });
  t.same(second, { id: first.id, created: false });
  t.equal(await outbox.pending(), 1);
  outbox.start();
  await waitFor('delivery', async () => (await outbox.pending()) === 0);
  // Again after delivery: still the same row, nothing sent.
  t.equal((await outbox.enqueue({ kind: 'transfer12345', url: fx.receiver.url(), body: { v: 'third' }, key: 'dup' })).created, false);
  await sleep(150);
  t.equal(fx.receiver.receipts.length, 1);
  t.same(JSON.parse(fx.receiver.receipts[0].body), { v: 'first' });
  t.equal((await outbox.list(10)).length, 1);
});

t.test('oldest first; pending counts by kind', async (t) => {
  const fx = await setup(t);
  const outbox = fx.outbox();
  for (const [i, kind] of ['transfer12345', 'unit-webhook', 'transfer12345'].entries()) {
    await outbox.enqueue({ kind, url: fx.receiver.url(), body: { i }, key: `k${i}` });
  }
  t.equal(await outbox.pending(), 3);
  t.equal(await outbox.pending('transfer12345'), 2);
  t.equal(await outbox.pending('unit-webhook'), 1);
  outbox.start();
  await waitFor('all delivered', async () => (await outbox.pending()) === 0);
  t.same(fx.receiver.receipts.map((r) => JSON.parse(r.body).i), [0, 1, 2]);
  t.same((await outbox.list(2)).map((r) => r.key), ['k2', 'k1'], 'list: newest first, limited');
});

t.test('restart: a new outbox over the reopened database delivers what was pending', async (t) => {
  const fx = await setup(t);
  fx.receiver.mode = '503';
  const before = fx.outbox();
  before.start();
  await before.enqueue({ kind: 'transfer12345', url: fx.receiver.url(), body: { n: 3 }, key: 'r-1' });
  await before.enqueue({ kind: 'unit-webhook', url: fx.receiver.url(), body: { n: 4 }, key: 'r-2' });
  await waitFor('failed attempts', () => fx.receiver.receipts.length >= 2);
  await fx.restart();
  const failedBefore = fx.receiver.receipts.length;

  fx.receiver.mode = 'ok';
  const after = fx.outbox();
  t.equal(await after.pending(), 2, 'both still pending after the restart');
  after.start();
  await waitFor('delivery', async () => (await after.pending()) === 0);
  await sleep(200);
  t.equal(fx.receiver.receipts.length, failedBefore + 2);
  t.same(fx.receiver.delivered().map((r) => r.headers['idempotency-key']).sort(), ['r-1', 'r-2']);
  t.ok((await after.list(10)).every((r) => r.attempts >= 2 && r.lastError === null), 'attempts carried over');
});

t.test('a receiver that never answers: timeout, retry, delivered once it answers', async (t) => {
  const fx = await setup(t);
  fx.receiver.mode = 'hang';
  const outbox = fx.outbox({ timeoutMs: 50 });
  outbox.start();
  await outbox.enqueue({ kind: 'unit-webhook', url: fx.receiver.url(), body: { n: 5 }, key: 't-1' });
  await waitFor('two timed-out attempts', async () => (await outbox.list(1))[0].attempts >= 2);
  t.equal((await outbox.list(1))[0].lastError, 'timeout after 50 ms');

  fx.receiver.mode = 'ok';
  await waitFor('delivery', async () => (await outbox.pending()) === 0);
  await sleep(200);
  t.equal(fx.receiver.delivered().length, 1);
  // The receiver saw the earlier attempts too (it just never answered): the shared key lets it drop them.
  t.ok(fx.receiver.receipts.every((r) => r.headers['idempotency-key'] === 't-1'));
});

t.test('stop waits for the attempt in flight and records it', async (t) => {
  const fx = await setup(t);
  fx.receiver.mode = 'hang';
  const outbox = fx.outbox({ timeoutMs: 100 });
  outbox.start();
  await outbox.enqueue({ kind: 'unit-webhook', url: fx.receiver.url(), body: {}, key: 's-1' });
  await waitFor('request in flight', () => fx.receiver.receipts.length === 1);
  await outbox.stop();
  const [row] = await outbox.list(1);
  t.equal(row.attempts, 1, 'the attempt was recorded before stop returned');
  t.equal(row.lastError, 'timeout after 100 ms');
  fx.receiver.mode = 'ok';
  await sleep(250);
  t.equal(fx.receiver.receipts.length, 1, 'nothing sent after stop');
});

t.test('enqueue rejects what could never be sent', async (t) => {
  const fx = await setup(t);
  const outbox = fx.outbox();
  await t.rejects(outbox.enqueue({ kind: 'x', url: 'not a url', body: {}, key: 'a' }), TypeError);
  await t.rejects(outbox.enqueue({ kind: 'x', url: fx.receiver.url(), body: undefined, key: 'b' }), TypeError);
  await t.rejects(outbox.enqueue({ kind: 'x', url: fx.receiver.url(), body: {}, key: '' }), TypeError);
  t.equal(await outbox.pending(), 0);
});
