// The incidents' write-behind against a fake store: writes go in in the order they were made,
// batched; a failing store keeps them all (retried until it takes them), /health's status says
// so; a write the store refuses for good is skipped without holding the others back.
import t, { type Test } from 'tap';
import { IncidentWriter, type WriteStore } from '../../../src/incidents/incident-writer';

const sqliteError = (code: string) => Object.assign(new Error(`${code}: fake`), { code });

class FakeTx {
  readonly staged: string[] = [];
  constructor(private readonly refuse: (what: string) => boolean) {}
  async add(what: string): Promise<void> {
    await Promise.resolve();
    if (this.refuse(what)) throw sqliteError('SQLITE_CONSTRAINT');
    this.staged.push(what);
  }
}

/** All or nothing per batch, like a transaction; `failWith` fails every batch, `hold` stalls one. */
class FakeStore implements WriteStore<FakeTx> {
  committed: string[] = [];
  batches: number[] = [];
  attempts = 0;
  failWith: Error | undefined;
  hold: Promise<void> | undefined;
  refuse: (what: string) => boolean = () => false;
  async batch(fn: (tx: FakeTx) => Promise<void>): Promise<void> {
    this.attempts++;
    if (this.hold) await this.hold;
    const tx = new FakeTx(this.refuse);
    await fn(tx);
    if (this.failWith) throw this.failWith;
    this.committed.push(...tx.staged);
    this.batches.push(tx.staged.length);
  }
}

const until = async (what: string, ok: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

function setup(t: Test, settings = {}) {
  const store = new FakeStore();
  const writer = new IncidentWriter(store, undefined, { retryMinMs: 5, retryMaxMs: 20, stallMs: 200, maxBatch: 50, ...settings });
  t.teardown(() => writer.stop(0));
  const push = (incidentId: number | null, what: string, after?: (stored: boolean) => void) => writer.push(incidentId, what, (tx) => tx.add(what), { after, detail: what });
  return { store, writer, push };
}

t.test('writes go in in the order made, in batched transactions', async (t) => {
  const { store, writer, push } = setup(t);
  const made: string[] = [];
  const told: string[] = [];
  for (let i = 0; i < 300; i++) {
    const what = `i${i % 7}-w${i}`;
    made.push(what);
    push(i % 7, what, () => told.push(what));
  }
  t.equal(writer.depth(), 300, 'acknowledged at once, nothing written yet');
  await writer.written(null);
  t.same(store.committed, made, 'every write, in the order made');
  t.same(told, made, 'each write told in order once stored');
  t.ok(store.batches.length <= 8 && Math.max(...store.batches) <= 50, `batched: ${store.batches.join(', ')}`);
  t.equal(writer.depth(), 0);
  t.same(writer.status(), { up: true, queued: 0, failingSince: null, error: null });
});

t.test('a failing store loses nothing: retried until it takes the writes, in order; status and events say so', async (t) => {
  const { store, writer, push } = setup(t);
  const events: string[] = [];
  writer.on('failing', (s) => events.push(`failing ${s.error}`));
  writer.on('recovered', (s) => events.push(`recovered queued=${s.queued}`));
  store.failWith = sqliteError('SQLITE_BUSY');
  push(1, 'a1');
  push(2, 'b1');
  await until('the store is seen failing', () => !writer.status().up);
  t.match(writer.status(), { up: false, queued: 2, error: /SQLITE_BUSY/ });
  t.equal(typeof writer.status().failingSince, 'number');
  // The call goes on meanwhile: more steps, acknowledged and kept.
  push(1, 'a2');
  store.failWith = sqliteError('SQLITE_FULL');
  push(2, 'b2');
  push(1, 'a3');
  const attempts = store.attempts;
  await until('retried', () => store.attempts > attempts + 2);
  t.same(store.committed, [], 'nothing half written');
  t.same(writer.unwritten(1), ['a1', 'a2', 'a3'], "an incident's steps not written yet, in order");
  store.failWith = undefined;
  await writer.written(null);
  t.same(store.committed, ['a1', 'b1', 'a2', 'b2', 'a3'], 'all of them, in the order made');
  t.same(events, ['failing SQLITE_BUSY: SQLITE_BUSY: fake', 'recovered queued=0'], 'one failing and one recovered event, not one per retry');
  t.same(writer.status(), { up: true, queued: 0, failingSince: null, error: null });
});

t.test('writes that wait too long count as failing before the store even answers', async (t) => {
  const { store, writer, push } = setup(t, { stallMs: 100 });
  let release!: () => void;
  store.hold = new Promise((r) => (release = r));
  push(1, 'a1');
  await until('stall seen', () => !writer.status().up, 2000);
  t.match(writer.status().error, /no write went through/);
  store.hold = undefined;
  release();
  await writer.written(null);
  t.ok(writer.status().up, 'up again once the write went in');
  t.same(store.committed, ['a1']);
});

t.test('a backlog being written after an outage is not a stall', async (t) => {
  const { store, writer, push } = setup(t, { stallMs: 60, maxBatch: 1 });
  store.failWith = sqliteError('SQLITE_BUSY');
  for (let i = 0; i < 40; i++) push(1, `w${i}`);
  await until('failing', () => !writer.status().up);
  await new Promise((r) => setTimeout(r, 100)); // the oldest write is now older than stallMs
  const slow = store.batch.bind(store);
  store.batch = async (fn) => {
    await new Promise((r) => setTimeout(r, 5));
    return slow(fn);
  };
  let flapped = false;
  writer.on('failing', () => (flapped = true));
  store.failWith = undefined;
  await writer.written(null);
  t.notOk(flapped, 'no failing again while the backlog goes in');
  t.equal(store.committed.length, 40);
});

t.test('a write refused for good is skipped; the others go in, in order', async (t) => {
  const { store, writer, push } = setup(t);
  store.refuse = (what) => what === 'bad';
  const told: string[] = [];
  for (const what of ['a1', 'b1', 'bad', 'a2', 'b2']) push(what.startsWith('a') ? 1 : 2, what, (stored) => told.push(`${what}:${stored}`));
  await writer.written(null);
  t.same(store.committed, ['a1', 'b1', 'a2', 'b2']);
  t.same(told, ['a1:true', 'b1:true', 'bad:false', 'a2:true', 'b2:true'], 'the skipped one is told it was not stored');
  t.ok(writer.status().up, 'a refused write is not a failing store');
  push(1, 'a3');
  await writer.written(1);
  t.equal(store.batches[store.batches.length - 1], 1);
  t.same(store.committed.slice(-1), ['a3']);
});

t.test("written(incident) waits for that incident's writes; settled() gives up on a dead store", async (t) => {
  const { store, writer, push } = setup(t);
  store.failWith = sqliteError('SQLITE_IOERR');
  push(1, 'a1');
  push(2, 'b1');
  t.equal(await writer.settled(1, 50), false, 'gave up waiting');
  let done = false;
  void writer.written(1).then(() => (done = true));
  push(1, 'a2');
  store.failWith = undefined;
  await writer.written(2);
  await until('a1 written', () => done);
  t.ok(store.committed.includes('a1'));
  t.equal(await writer.settled(1, 50), true, 'nothing left for incident 1');
  t.equal(await writer.stop(1000), 0, 'stop: nothing left unwritten');
});

t.test('lingering: writes made a few ms apart after a quiet spell go in as one transaction', async (t) => {
  const { store, writer, push } = setup(t, { lingerMs: 40 });
  // A call's answer: several steps, each a turn of the event loop apart.
  for (const what of ['answered', 'bridged', 'recording', 'audit']) {
    push(1, what);
    await new Promise((r) => setImmediate(r));
  }
  await writer.written(null);
  t.same(store.batches, [4], 'one batch for the burst');
  // Without the wait, the first write would have gone alone.
  const eager = setup(t);
  for (const what of ['answered', 'bridged', 'recording', 'audit']) {
    eager.push(1, what);
    await new Promise((r) => setImmediate(r));
  }
  await eager.writer.written(null);
  t.ok(eager.store.batches.length > 1, `without it: ${eager.store.batches.join(', ')}`);
});
