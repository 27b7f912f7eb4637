// The lease's state machine (src/cluster/lease.ts) over a fake clock and a store that keeps the
// lease row as PostgreSQL would (one holder, an expiry in the store's clock): who acts, when the
// standby takes over, and that an active that was paused or lost the store never acts again.
import t from 'tap';
import pino from 'pino';
import { Lease, type LeaseStore } from '../../../src/cluster/lease';

const log = pino({ level: 'silent' });
const settings = { ttlMs: 3000, renewMs: 1000 };

/** One clock for the "database" and both nodes (durations are what matter); the row as the SQL keeps it. */
function world() {
  let now = 0;
  let row: { holder: string; expiresAt: number } | undefined;
  let down = false;
  let hang: Promise<void> | undefined;
  const store: LeaseStore = {
    async claim(holder, ttlMs) {
      if (hang) await hang;
      if (down) throw new Error('connect ECONNREFUSED');
      if (row && row.holder !== holder && row.expiresAt >= now) return false;
      row = { holder, expiresAt: now + ttlMs };
      return true;
    },
    async release(holder) {
      if (row?.holder === holder) row = undefined;
    },
  };
  return {
    store,
    clock: () => now,
    advance: (ms: number) => void (now += ms),
    storeDown: (d: boolean) => void (down = d),
    hangClaims: () => {
      let release!: () => void;
      hang = new Promise((r) => (release = r));
      return () => ((hang = undefined), release());
    },
    holder: () => (row && row.expiresAt >= now ? row.holder : undefined),
  };
}

function node(w: ReturnType<typeof world>, name: string) {
  const lease = new Lease(w.store, name, settings, w.clock, log);
  const fenced: string[] = [];
  let activated = 0;
  lease.on('fenced', (reason) => fenced.push(reason));
  lease.on('active', () => (activated += 1));
  return { lease, fenced, activated: () => activated };
}

t.test('the first to claim is active; the other stays standby while the lease is renewed', async (t) => {
  const w = world();
  const a = node(w, 'a');
  const b = node(w, 'b');
  await a.lease.tick();
  await b.lease.tick();
  t.equal(a.lease.role, 'active');
  t.equal(a.activated(), 1, 'told once');
  t.equal(b.lease.role, 'standby');
  for (let i = 0; i < 10; i++) {
    w.advance(1000);
    await a.lease.tick();
    await b.lease.tick();
  }
  t.equal(a.lease.role, 'active', 'renewed every second, for ten seconds');
  t.ok(a.lease.acting());
  t.equal(b.lease.role, 'standby');
  t.notOk(b.lease.acting(), 'a standby never acts');
});

t.test('the active dies: the standby takes over once the lease has expired, not before', async (t) => {
  const w = world();
  const a = node(w, 'a');
  const b = node(w, 'b');
  await a.lease.tick();
  w.advance(2999);
  await b.lease.tick();
  t.equal(b.lease.role, 'standby', 'not while the ttl runs');
  w.advance(2);
  await b.lease.tick();
  t.equal(b.lease.role, 'active', 'taken over right after the expiry');
  t.equal(w.holder(), 'b');
});

t.test('a paused active fences itself at its first step after the pause, before anything else', async (t) => {
  const w = world();
  const a = node(w, 'a');
  const b = node(w, 'b');
  await a.lease.tick();
  t.ok(a.lease.acting());
  // SIGSTOP: a stops ticking; b takes over after the ttl.
  w.advance(3500);
  await b.lease.tick();
  t.equal(b.lease.role, 'active');
  // SIGCONT: whatever a does first (an ARI event, an HTTP request, its timer) asks acting().
  t.notOk(a.lease.acting(), 'the resumed active does not act');
  t.equal(a.lease.role, 'fenced');
  t.match(a.fenced, [/lease expired by this node's clock 500 ms ago/]);
  await a.lease.tick();
  t.equal(w.holder(), 'b', 'and does not take the lease back by renewing');
  t.equal(a.fenced.length, 1, 'fenced once');
});

t.test('the lease counts from when the renewal was sent, not answered', async (t) => {
  const w = world();
  const a = node(w, 'a');
  await a.lease.tick();
  w.advance(1000);
  const answer = w.hangClaims();
  const renewal = a.lease.tick(); // sent at 1000: the database writes an expiry at 1000 + ttl or later
  w.advance(1500);
  answer();
  await renewal;
  w.advance(1499); // 3999: still within 1000 + 3000
  t.ok(a.lease.acting());
  w.advance(1);
  t.notOk(a.lease.acting(), 'over at 4000 although the answer came at 2500');
});

t.test('a renewal that hangs past the expiry fences on the clock, and its late answer does not revive it', async (t) => {
  const w = world();
  const a = node(w, 'a');
  await a.lease.tick();
  const answer = w.hangClaims();
  const renewal = a.lease.tick();
  w.advance(3000);
  await a.lease.tick(); // the timer's next step while the renewal still hangs
  t.equal(a.lease.role, 'fenced');
  answer();
  await renewal;
  t.equal(a.lease.role, 'fenced', 'still fenced');
  t.notOk(a.lease.acting());
});

t.test('the active loses the store: active while the lease runs, fenced when it runs out; the standby takes over when it reaches the store', async (t) => {
  const w = world();
  const a = node(w, 'a');
  const b = node(w, 'b');
  await a.lease.tick();
  w.storeDown(true);
  w.advance(1000);
  await a.lease.tick();
  t.equal(a.lease.role, 'active', 'a failed renewal alone does not fence: nobody can take the lease before it runs out');
  w.advance(1000);
  await a.lease.tick();
  t.ok(a.lease.acting(), 'still acting 2 s into a 3 s lease');
  w.advance(1000);
  await a.lease.tick();
  t.equal(a.lease.role, 'fenced', 'fenced when the lease runs out by its clock');
  t.match(a.fenced, [/lease expired by this node's clock/]);
  await b.lease.tick();
  t.equal(b.lease.role, 'standby', 'the standby cannot take it either while the store is away');
  w.storeDown(false);
  w.advance(1); // the row's expiry is inclusive
  await b.lease.tick();
  t.equal(b.lease.role, 'active');
});

t.test('a store blip shorter than the ttl: the active renews once it is back and acts on', async (t) => {
  const w = world();
  const a = node(w, 'a');
  await a.lease.tick();
  w.storeDown(true);
  for (let i = 0; i < 2; i++) {
    w.advance(1000);
    await a.lease.tick();
  }
  w.storeDown(false);
  w.advance(900);
  await a.lease.tick();
  w.advance(2500);
  t.ok(a.lease.acting(), 'renewed at 2.9 s: good until 5.9 s');
  t.equal(a.fenced.length, 0);
});

t.test('a renewal refused (another holds the lease) fences', async (t) => {
  const w = world();
  const a = node(w, 'a');
  const b = node(w, 'b');
  await a.lease.tick();
  w.advance(3001);
  await b.lease.tick();
  w.advance(-1500); // a's own clock ran slow: it still thinks it holds the lease
  await a.lease.tick();
  t.equal(a.lease.role, 'fenced');
  t.match(a.fenced, [/another service holds the lease/]);
});

t.test('a clean stop gives the lease up: the standby takes over without waiting for the ttl', async (t) => {
  const w = world();
  const a = node(w, 'a');
  const b = node(w, 'b');
  await a.lease.tick();
  await a.lease.stop();
  t.notOk(a.lease.acting());
  await b.lease.tick();
  t.equal(b.lease.role, 'active');
});
