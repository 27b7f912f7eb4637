// The follow-up routes in the whole app (fakes for Asterisk): who may read and answer, the
// verification body and the stats period checked with 400s, an officer answering for its own unit
// only, and the answer on the incident's timeline.
import t from 'tap';
import { appWithFakes } from '../../support/app-with-fakes';
import { FollowUpsRepo } from '../../../src/store/followups-repo';

t.test('verification: validated, by the unit, once; stats: supervisors, periods checked', async (t) => {
  const f = await appWithFakes();
  t.teardown(() => f.close());
  await f.auth.addUser({ name: 'car2001', role: 'officer', officer: '2001', password: 'car2001-password' }); // unit PS1
  await f.auth.addUser({ name: 'car2003', role: 'officer', officer: '2003', password: 'car2003-password' });
  await f.auth.addUser({ name: 'boss', role: 'supervisor', password: 'boss-password-1' });
  await f.auth.addUser({ name: 'li', role: 'call-taker', seat: '1001', password: 'li-password-1' });
  const bearer = async (name: string, password: string) => ({ authorization: `Bearer ${(await f.app.inject({ method: 'POST', url: '/auth/login', payload: { name, password } })).json<{ token: string }>().token}` });
  const [car1, car3, boss, li] = [await bearer('car2001', 'car2001-password'), await bearer('car2003', 'car2003-password'), await bearer('boss', 'boss-password-1'), await bearer('li', 'li-password-1')];

  const inc = await f.incidents.open({ callerNumber: '13900000009', callerName: '', callerRaw: '', trunk: '110', channelId: 'c1', state: 'ended', arrivedAt: Date.now(), priority: 10 });
  const repo = new FollowUpsRepo(f.db);
  const id = (await repo.insert({ incidentId: inc.id, channel: 'voice', reason: 'major', number: '13900000009', seatId: '1001', unitId: 'PS1', scheduledAt: Date.now(), dueAt: Date.now() }))!;
  await repo.claim(id);
  await repo.answered(id, Date.now(), { speed: 5, attitude: 1, efficiency: 4 });

  const verify = (headers: Record<string, string>, payload: unknown, which = id) => f.app.inject({ method: 'POST', url: `/follow-ups/${which}/verification`, headers, payload: payload as object });
  t.equal((await verify(li, { answer: 'x' })).statusCode, 403, 'a call-taker may not answer for a unit');
  t.equal((await verify(car1, {})).statusCode, 400, 'no answer: 400');
  t.equal((await verify(car1, { answer: '' })).statusCode, 400, 'an empty answer: 400');
  t.equal((await verify(car1, { answer: 'x'.repeat(2001) })).statusCode, 400, 'too long: 400');
  t.equal((await verify(car1, { answer: 'x' }, 0)).statusCode, 400, 'id 0: 400');
  t.equal((await verify(car1, { answer: 'x' }, 99)).statusCode, 404);
  t.equal((await f.app.inject({ method: 'GET', url: `/follow-ups/${id}`, headers: car3 })).statusCode, 403, "another unit's officer cannot read it");
  t.equal((await f.app.inject({ method: 'GET', url: `/follow-ups/${id}`, headers: car1 })).statusCode, 200, 'its own unit can');
  const other = await verify(car3, { answer: 'not ours' });
  t.equal(other.statusCode, 403, 'an officer of another unit');
  t.equal(other.json<{ error: string }>().error, 'NOT_YOURS');
  const ok = await verify(car1, { answer: 'Spoke to the caller; the officer apologised' });
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { verification: 'Spoke to the caller; the officer apologised', verifiedBy: 'car2001' });
  t.equal((await verify(boss, { answer: 'again' })).statusCode, 409, 'once');
  await f.incidents.settled(inc.id);
  t.match((await f.incidents.get(inc.number)).timeline.at(-1), { kind: 'followup_verified', detail: { unit: 'PS1', by: 'car2001' } });

  const stats = (headers: Record<string, string>, q = '') => f.app.inject({ method: 'GET', url: `/stats/follow-up${q}`, headers });
  t.equal((await stats(li)).statusCode, 403, 'statistics: supervisors');
  const s = await stats(boss);
  t.equal(s.statusCode, 200);
  t.match(s.json(), { total: { asked: 1, answered: 1, unsatisfied: 1, meanAttitude: 1 }, bySeat: [{ key: '1001' }], byUnit: [{ key: 'PS1' }] });
  for (const q of ['?from=x', '?from=5&to=5', '?to=1e400', `?from=0&to=${40 * 86_400_000}`, '?seat=1001']) t.equal((await stats(boss, q)).statusCode, 400, `${q}: 400`);
});
