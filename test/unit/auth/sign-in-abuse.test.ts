// Sign-in under abuse (issue 14, H2 and M1): a burst is refused past the limit without hashing,
// hashing leaves libuv's threadpool (shared with SQLite) free, refused attempts do not write a row
// each, and guessing from one address locks nobody out elsewhere.
import t, { type Test } from 'tap';
import pino from 'pino';
import { stat } from 'node:fs/promises';
import { AuthService, SignInFailed, SignInThrottled } from '../../../src/auth/auth-service';
import { Database } from '../../../src/store/database';
import { UsersRepo } from '../../../src/store/users-repo';

async function setup(t: Test, settings: { maxFailures?: number; maxFailuresPerName?: number } = {}) {
  const db = await Database.open(':memory:');
  let now = 1_000_000;
  const auth = new AuthService(new UsersRepo(db), { sessionTtlMs: 60_000, maxFailures: 5, windowMs: 900_000, ...settings }, pino({ level: 'silent' }), () => now);
  t.teardown(async () => {
    await auth.close?.();
    await db.close();
  });
  await auth.addUser({ name: 'li', role: 'call-taker', seat: '1001', password: 'li-password-1' });
  return { db, auth, advance: (ms: number) => (now += ms) };
}
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');

t.test('H2: 40 concurrent wrong passwords from one address: 5 checked, 35 refused unhashed, a few audit rows', async (t) => {
  const { db, auth } = await setup(t);
  const results = await Promise.all(Array.from({ length: 40 }, () => outcome(auth.signIn('li', 'wrong', '10.0.0.9'))));
  const count = (c: string) => results.filter((r) => r === c).length;
  t.equal(count('SIGN_IN_FAILED'), 5, 'the policy allows 5 attempts: 5 checked');
  t.equal(count('TOO_MANY_ATTEMPTS'), 35, 'the other 35 are 429, counted before any was hashed');
  await auth.audit?.flush();
  const rows = await db.all<{ outcome: string; count: number }>('SELECT outcome, count FROM sign_ins WHERE outcome != ? ORDER BY id', ['ok']);
  t.ok(rows.length <= 6, `refused attempts are aggregated: ${rows.length} rows`);
  const throttled = rows.filter((r) => r.outcome === 'throttled');
  t.same(throttled.map((r) => r.count), [35], 'one row counts the 35 refusals');
});

t.test('H2: hashing does not hold libuv threadpool work (SQLite, files) behind it', async (t) => {
  const { auth } = await setup(t, { maxFailures: 50 });
  let started = performance.now();
  await outcome(auth.signIn('nobody', 'wrong', '10.0.1.99')); // also makes the decoy hash, once
  await outcome(auth.signIn('nobody', 'wrong', '10.0.1.99'));
  const oneHash = performance.now() - started;
  // Distinct names and addresses: none is throttled, all are hashed.
  const burst = Array.from({ length: 6 }, (_, i) => outcome(auth.signIn(`user${i}`, 'wrong', `10.0.1.${i}`)));
  await new Promise((r) => setTimeout(r, 20)); // the hashes have started
  started = performance.now();
  await stat(__filename); // runs on the threadpool, as node-sqlite3's queries do
  const statMs = performance.now() - started;
  const results = await Promise.all(burst);
  t.ok(statMs < oneHash / 2, `a threadpool job took ${statMs.toFixed(1)} ms during the burst (one sign-in: ${oneHash.toFixed(0)} ms)`);
  t.ok(results.every((r) => r === 'SIGN_IN_FAILED'), `${results.join(',')}`);
});

t.test('H2: the hashing backlog is bounded: past it, refused at once (503), not queued', async (t) => {
  const { auth } = await setup(t, { maxFailures: 100 });
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(auth.signIn(`user${i}`, 'wrong', `10.0.2.${i}`))));
  const busy = results.filter((r) => r === 'SIGN_IN_BUSY').length;
  t.ok(busy >= 20, `${busy} of 30 refused as busy`);
  t.equal(results.filter((r) => r === 'SIGN_IN_FAILED').length, 30 - busy, 'the others were checked');
});

t.test('M1: 5 wrong passwords from one address do not lock the name at another', async (t) => {
  const { auth } = await setup(t);
  for (let i = 0; i < 5; i++) await t.rejects(auth.signIn('li', 'wrong', '10.0.0.66'), SignInFailed);
  await t.rejects(auth.signIn('li', 'li-password-1', '10.0.0.66'), SignInThrottled, 'the guessing desk is held');
  const s = await auth.signIn('li', 'li-password-1', '10.0.0.1');
  t.equal(s.user.name, 'li', 'the right password from another address signs in');
});

t.test('M1: a slower cap per name across addresses; a known-good address is never held by it', async (t) => {
  const { auth } = await setup(t, { maxFailures: 5, maxFailuresPerName: 10 });
  await auth.signIn('li', 'li-password-1', '10.0.0.1'); // li's own desk: known good from now on
  for (let i = 0; i < 10; i++) await t.rejects(auth.signIn('li', 'wrong', `10.0.3.${i}`), SignInFailed);
  await t.rejects(auth.signIn('li', 'li-password-1', '10.0.4.1'), SignInThrottled, 'ten failures from ten addresses: a new address is held');
  const s = await auth.signIn('LI', 'li-password-1', '10.0.0.1');
  t.equal(s.user.name, 'li', "li's own desk signs in whatever the guessers elsewhere do");
});
