// Passwords, the failed sign-in counter, sessions with expiry and call-takers' ownership.
import t from 'tap';
import pino from 'pino';
import { PasswordHasher } from '../../../src/auth/password';
import { isRefusal, LoginThrottle } from '../../../src/auth/throttle';
import { AuthService, SignInFailed, SignInThrottled, BadUser } from '../../../src/auth/auth-service';
import { Database } from '../../../src/store/database';
import { UsersRepo } from '../../../src/store/users-repo';
import { IncidentsRepo } from '../../../src/store/incidents-repo';

t.test('scrypt hashes: salted, verified, parameters kept with the hash', async (t) => {
  const hasher = new PasswordHasher();
  t.teardown(() => hasher.close());
  const hashPassword = (p: string) => hasher.hash(p);
  const verifyPassword = (p: string, h: string) => hasher.verify(p, h);
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  t.not(a, b, 'a fresh salt each time');
  t.match(a, /^scrypt\$65536\$8\$2\$/);
  t.ok(await verifyPassword('correct horse', a));
  t.notOk(await verifyPassword('correct hors', a));
  t.notOk(await verifyPassword('x', 'plain-text'), 'a malformed stored hash never verifies');
});

t.test('throttle: failures per name and address in a sliding window; success clears that desk', async (t) => {
  let now = 0;
  const th = new LoginThrottle({ maxFailures: 3, windowMs: 1000 }, () => now);
  for (let i = 0; i < 3; i++) {
    t.notOk(isRefusal(th.reserve('Li', '10.0.0.1')), 'counted before the password is checked');
    now += 100;
  }
  t.match(th.refusal('li', '10.0.0.1'), { kind: 'pair', retryAfterMs: 700 }, 'names are counted case-insensitively');
  t.equal(th.refusal('li', '10.0.0.2'), undefined, 'the same name from another desk is not locked out');
  t.equal(th.refusal('wang', '10.0.0.1'), undefined, 'another name from the same desk is not locked out');
  now = 1001;
  t.equal(th.refusal('li', '10.0.0.1'), undefined, 'the oldest failure left the window');
  const r = th.reserve('li', '10.0.0.1');
  if (isRefusal(r)) throw new Error('refused');
  th.succeeded(r);
  t.equal(th.refusal('li', '10.0.0.1'), undefined);
  for (let i = 0; i < 3; i++) th.reserve('li', '10.0.0.1');
  const last = th.reserve('li', '10.0.0.1');
  t.ok(isRefusal(last), 'past the limit: refused');
});

t.test('throttle: a slower cap per name across addresses, which a known-good address passes', async (t) => {
  let now = 0;
  const th = new LoginThrottle({ maxFailures: 3, windowMs: 1000, maxFailuresPerName: 6 }, () => now);
  for (let i = 0; i < 6; i++) th.reserve('li', `10.0.1.${i}`);
  t.match(th.refusal('li', '10.0.2.1'), { kind: 'name' }, 'six failures from six addresses: the name is held');
  t.equal(th.refusal('li', '10.0.2.1', true), undefined, 'but not at an address where li signed in before');
  const r = th.reserve('li', '10.0.2.1', true);
  if (isRefusal(r)) throw new Error('refused');
  th.released(r);
  t.equal(th.refusal('wang', '10.0.2.1'), undefined, 'other names are not held');
});

t.test('sign-in, sessions, expiry, throttling and ownership', async (t) => {
  const db = await Database.open(':memory:');
  t.teardown(() => db.close());
  let now = 1_000_000;
  const repo = new UsersRepo(db);
  const auth = new AuthService(repo, { sessionTtlMs: 60_000, maxFailures: 5, windowMs: 900_000 }, pino({ level: 'silent' }), () => now);
  t.equal(await auth.addUser({ name: 'li', role: 'call-taker', seat: '1001', password: 'li-password-1' }), 'added');
  await t.rejects(auth.addUser({ name: 'x', role: 'call-taker', password: 'long-enough-1' }), BadUser, 'a call-taker needs a seat');
  await t.rejects(auth.addUser({ name: 'x', role: 'root', password: 'long-enough-1' }), BadUser);
  await t.rejects(auth.addUser({ name: 'x', role: 'admin', password: 'short' }), BadUser);

  const s = await auth.signIn('li', 'li-password-1', '10.0.0.1');
  t.same(s.user, { name: 'li', role: 'call-taker', seat: '1001', officer: null });
  t.equal(s.expiresAt, now + 60_000);
  t.same(await auth.authenticate(s.token), s.user);
  t.equal(await auth.authenticate('not-a-token'), undefined);
  const stored = await db.all<{ token_hash: string }>('SELECT token_hash FROM sessions');
  t.notOk(stored.some((r) => r.token_hash === s.token), 'only the hash of the token is stored');

  t.ok(await auth.owns(s.user, { seat: '1001' }));
  t.notOk(await auth.owns(s.user, { seat: '1002' }), "another seat is not a call-taker's");
  t.ok(await auth.owns({ name: 'boss', role: 'supervisor', seat: null, officer: null }, { seat: '1002' }));

  now += 60_001;
  t.equal(await auth.authenticate(s.token), undefined, 'the session expired');

  for (let i = 0; i < 5; i++) await t.rejects(auth.signIn('li', 'wrong', '10.0.0.1'), SignInFailed);
  await t.rejects(auth.signIn('li', 'li-password-1', '10.0.0.1'), SignInThrottled, 'the sixth attempt is refused, even with the right password');
  await t.rejects(auth.signIn('nobody', 'x', '10.0.0.1'), SignInFailed, 'an unknown name fails like a wrong password');
  const outcomes = (await db.all<{ outcome: string }>('SELECT outcome FROM sign_ins ORDER BY id')).map((r) => r.outcome);
  t.same(outcomes, ['ok', 'bad_password', 'bad_password', 'bad_password', 'bad_password', 'bad_password', 'throttled', 'unknown_user'], 'every attempt is in the audit table');

  // Calls and recordings: a call-taker's own (answered at their seat) or refused.
  const incidents = new IncidentsRepo(db);
  const mine = await incidents.create({ callerNumber: '139', callerName: '', callerRaw: '', trunk: '110', channelId: 'c1', state: 'talking', arrivedAt: 1, priority: 10 });
  const theirs = await incidents.create({ callerNumber: '138', callerName: '', callerRaw: '', trunk: '110', channelId: 'c2', state: 'talking', arrivedAt: 2, priority: 10 });
  await incidents.markAnswered(mine.id, { at: 3, seatId: '1001', delivery: 'ring', seatChannelId: 's1', bridgeId: 'b1' });
  await incidents.markAnswered(theirs.id, { at: 4, seatId: '1002', delivery: 'ring', seatChannelId: 's2', bridgeId: 'b2' });
  for (const [i, inc] of [mine, theirs].entries()) {
    await db.run("INSERT INTO recordings (incident_id, seq, name, path, source, seat_id, started_at, ended_at, duration_ms, size, sha256) VALUES (?, 1, ?, 'x.wav', 'bridge', NULL, 1, 2, 1, 44, 'h')", [inc.id, `rec${i}`]);
  }
  const li = { name: 'li', role: 'call-taker' as const, seat: '1001', officer: null };
  t.ok(await auth.owns(li, { incident: mine.number }), 'her own call');
  t.notOk(await auth.owns(li, { incident: theirs.number }), "another seat's call");
  t.ok(await auth.owns(li, { recording: 1 }), 'the recording of her own call');
  t.notOk(await auth.owns(li, { recording: 2 }), "another seat's recording is refused");

  const again = await auth.addUser({ name: 'li', role: 'call-taker', seat: '1002', password: 'li-password-2' });
  t.equal(again, 'updated');
});
